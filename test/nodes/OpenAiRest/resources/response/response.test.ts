/** Response → Create, Get, Delete, Cancel and List Input Items through n8n's real engine against the local server. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { startOpenAiServer } from '../../../../support/openai-server';
import { FILE_CITATION, WEB_CITATION_URL } from '../../../../support/openai-server-responses';
import { expectJsonHeaders, jsonAndPairing, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const FUNCTION_TOOL = { type: 'function', name: 'lookup', description: 'Look up', parameters: { type: 'object', properties: {} }, strict: false };

function create(extra: INodeParameters = {}, options: IDataObject = {}): INodeParameters {
	return { resource: 'response', operation: 'create', responseModel: 'gpt-4o-mini', responsePrompt: 'Hello there', responseOptions: options, ...extra } as INodeParameters;
}

function byId(operation: string, responseId: string, extra: INodeParameters = {}): INodeParameters {
	return { resource: 'response', operation, responseId, ...extra };
}

const run = (parameters: INodeParameters, input?: IDataObject[]) => runNode(parameters, { credentials: fixture.credentials(), input });

describe('response: create', () => {
	it('sends POST /responses with the prompt and returns the simplified response, paired', async () => {
		const { items, error } = await run(create({ responseInstructions: 'Be brief.' }));

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toEqual(['POST', '/v1/responses']);
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'gpt-4o-mini', input: 'Hello there', instructions: 'Be brief.' });
		expect(jsonAndPairing(items)).toStrictEqual([
			{
				json: {
					id: 'resp_000001',
					status: 'completed',
					model: 'gpt-4o-mini',
					output_text: 'Echo: Hello there',
					usage: { input_tokens: 4, input_tokens_details: { cached_tokens: 0 }, output_tokens: 3, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 7 },
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('returns OpenAI\'s response object with Simplify off', async () => {
		const { items } = await run(create({ responseSimplify: false }));
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ id: 'resp_000001', object: 'response', status: 'completed', output: [{ type: 'message' }] });
	});

	it('builds the input from messages with image URLs and file IDs', async () => {
		const messages = {
			values: [
				{ role: 'developer', content: 'Answer in French.' },
				{ role: 'user', content: 'What is this?', imageUrls: 'https://example.com/a.png', imageDetail: 'high', fileIds: 'file-abc' },
			],
		};
		const { items } = await run(create({ responseInputType: 'messages', responseMessages: messages, responsePrompt: undefined }));
		expect(fixture.onlyRequest().body).toMatchObject({
			input: [
				{ role: 'developer', content: 'Answer in French.' },
				{
					role: 'user',
					content: [
						{ type: 'input_text', text: 'What is this?' },
						{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
						{ type: 'input_file', file_id: 'file-abc' },
					],
				},
			],
		});
		expect(items[0].json.output_text).toBe('Echo: What is this?');
	});

	it('runs a tool loop: a function call with parsed arguments, then its output from an expression', async () => {
		const first = await run(create({ responsePrompt: 'CALL Paris' }, { tools: JSON.stringify([FUNCTION_TOOL]) }));
		expect(first.items[0].json.function_calls).toEqual([{ call_id: 'call_1', name: 'lookup', arguments: { text: 'Paris' } }]);
		expect(first.items[0].json.output_text).toBe('');

		const followUp = create(
			{
				responseInputType: 'json',
				responsePrompt: undefined,
				responseInputJson: '={{ [{ type: "function_call_output", call_id: $json.function_calls[0].call_id, output: "21 degrees" }] }}',
			},
			{ previousResponseId: '={{ $json.id }}', tools: JSON.stringify([FUNCTION_TOOL]) },
		);
		const second = await run(followUp, [first.items[0].json]);
		expect(second.error).toBeUndefined();
		expect(fixture.server().requests[1].body).toMatchObject({
			previous_response_id: 'resp_000001',
			input: [{ type: 'function_call_output', call_id: 'call_1', output: '21 degrees' }],
		});
		expect(second.items[0].json.output_text).toBe('Tool said: 21 degrees');
	});

	it('returns the parsed object with a JSON schema, and web and file citations with built-in tools', async () => {
		const schema = JSON.stringify({ type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false });
		const { items } = await run(
			create({}, { jsonSchema: schema, webSearch: { settings: { country: 'DE' } }, fileSearch: { settings: { vectorStoreIds: 'vs_1' } } }),
		);
		const body = fixture.onlyRequest().body as IDataObject;
		expect(body.text).toEqual({ format: { type: 'json_schema', name: 'response', schema: JSON.parse(schema) } });
		expect(body.tools).toEqual([
			{ type: 'web_search', search_context_size: 'medium', user_location: { type: 'approximate', country: 'DE' } },
			{ type: 'file_search', vector_store_ids: ['vs_1'], max_num_results: 20 },
		]);
		expect(items[0].json.output_parsed).toEqual({ answer: 'Echo: Hello there' });
		expect(items[0].json.citations).toEqual([
			expect.objectContaining({ type: 'url_citation', url: WEB_CITATION_URL }),
			expect.objectContaining({ type: 'file_citation', ...FILE_CITATION }),
		]);
	});

	it('returns the reasoning summary and why a response is incomplete', async () => {
		const { items } = await run(create({ responsePrompt: Array.from({ length: 20 }, (_, i) => `w${i}`).join(' ') }, { reasoningSummary: 'auto', maxOutputTokens: 16 }));
		expect(items[0].json).toMatchObject({
			status: 'incomplete',
			incomplete_details: { reason: 'max_output_tokens' },
			reasoning_summary: expect.stringMatching(/^Thinking about: w0 w1/),
		});
	});

	it('streams: the assembled output equals the unstreamed output, for every item', async () => {
		const input = [{ q: 'first' }, { q: 'CALL second' }, { q: 'third' }];
		const options = { tools: JSON.stringify([FUNCTION_TOOL]), reasoningSummary: 'detailed' };
		const unstreamed = await run(create({ responsePrompt: '={{ $json.q }}', responseSimplify: false }, options), input);
		fixture.server().reset();
		const streamed = await run(create({ responsePrompt: '={{ $json.q }}', responseSimplify: false }, { ...options, stream: true }), input);

		expect(streamed.error).toBeUndefined();
		expect(fixture.server().requests.every((request) => (request.body as IDataObject).stream === true)).toBe(true);
		expect(jsonAndPairing(streamed.items)).toEqual(jsonAndPairing(unstreamed.items));
	});

	it.each([
		['failed', 'The model failed to generate a response.'],
		['error', 'The server had an error while streaming the response.'],
		['incomplete', 'The response is incomplete (reason: content_filter)'],
	] as const)('a stream ending with %s fails only its item, with OpenAI\'s message', async (kind, message) => {
		fixture.server().failNext((request) => (request.body as IDataObject).input === 'second', { responsesStreamEnd: kind });
		const input = [{ q: 'first' }, { q: 'second' }];
		const result = await runNode(create({ responsePrompt: '={{ $json.q }}' }, { stream: true }), {
			credentials: fixture.credentials(),
			input,
			continueOnFail: true,
		});
		expect(result.items[0].json.output_text).toBe('Echo: first');
		expect(result.items[1].json).toEqual({ error: message });
		expect(result.items[1].pairedItem).toEqual({ item: 1 });
	});

	it('a stream cut off before response.completed fails instead of returning a truncated answer', async () => {
		fixture.server().failNext('/responses', { cutStreamAfterChunks: 4 });
		const { error, items } = await run(create({}, { stream: true }));
		expect(items).toEqual([]);
		expect(error?.message).toBe('The Responses stream ended before "response.completed" (after 4 event(s)), so the answer is incomplete');
		expect(error?.description).toContain('before OpenAI sent response.completed');
	});

	it('rejects bad input before sending, naming the parameter and the item', async () => {
		const cases: Array<[INodeParameters, string]> = [
			[create({ responsePrompt: '={{ "" }}' }), 'Invalid "Prompt" in item 0: must not be empty'],
			[create({}, { tools: '[{"type": "function"' }), 'Invalid "Tools" in item 0: is not valid JSON'],
			[create({}, { jsonSchema: '{nope' }), 'Invalid "JSON Schema" in item 0: is not valid JSON'],
			[create({}, { fileSearch: { settings: {} } }), 'Invalid "File Search: Vector Store Names or IDs" in item 0: must name at least one vector store'],
			[create({}, { webSearch: { settings: { country: 'Germany' } } }), 'Invalid "Web Search: Country" in item 0'],
			[create({ responseInputType: 'json', responseInputJson: '[{"content": "x"}]' }), 'Invalid "Input (JSON)" in item 0'],
			[create({}, { maxOutputTokens: 15 }), 'Invalid "Maximum Output Tokens" in item 0: must be at least 16, got 15'],
		];
		for (const [parameters, message] of cases) {
			const { error } = await run(parameters);
			expect(error?.message).toContain(message);
		}
		expect(fixture.server().requests).toEqual([]);
	});

	it.each([404, 405] as const)('says the server has no Responses API on %i and suggests Chat', async (status) => {
		const bare = await startOpenAiServer({ withoutResponsesApi: status });
		try {
			const { error } = await runNode(create(), { credentials: { apiKey: 'sk-test-key', baseUrl: bare.baseUrl() } });
			expect(error?.message).toBe('This server does not offer the Responses API (/responses). Use Chat → Create Completion instead.');
			expect(error?.description).toContain(`with HTTP status ${status}`);
			expect(bare.requests).toHaveLength(1);
		} finally {
			await bare.close();
		}
	});

	it('a 404 for an unknown model or previous response is not mistaken for a missing API', async () => {
		const unknownModel = await run(create({ responseModel: 'gpt-nope' }));
		expect(unknownModel.error?.message).toBe('The model `gpt-nope` does not exist or you do not have access to it.');
		const unknownPrevious = await run(create({}, { previousResponseId: 'resp_gone' }));
		expect(unknownPrevious.error?.message).toBe("Previous response with id 'resp_gone' not found.");
	});
});

describe('response: get, delete, cancel', () => {
	it('gets a stored response, simplified or in full', async () => {
		const { items: created } = await run(create({ responseSimplify: false }));
		const id = created[0].json.id as string;
		const simplified = await run(byId('get', id));
		const full = await run(byId('get', id, { responseSimplify: false }));
		expect(fixture.server().requests.slice(1).map((request) => `${request.method} ${request.fullPath}`)).toEqual([
			`GET /v1/responses/${id}`,
			`GET /v1/responses/${id}`,
		]);
		expect(simplified.items[0].json).toMatchObject({ id, output_text: 'Echo: Hello there' });
		expect(full.items[0].json).toEqual(created[0].json);
	});

	it('cancels a background response, and deletes it', async () => {
		const { items: queued } = await run(create({}, { background: true }));
		expect(queued[0].json.status).toBe('queued');
		const id = queued[0].json.id as string;
		const cancelled = await run(byId('cancel', id));
		expect(fixture.server().requests[1].fullPath).toBe(`/v1/responses/${id}/cancel`);
		expect(cancelled.items[0].json).toMatchObject({ id, status: 'cancelled' });
		const deleted = await run(byId('delete', id));
		expect(deleted.items[0].json).toEqual({ id, object: 'response', deleted: true });
		expect(fixture.server().requests[2].method).toBe('DELETE');
		const gone = await run(byId('get', id));
		expect(gone.error?.message).toBe(`Response with id '${id}' not found.`);
	});
});

describe('response: list input items', () => {
	const TEXTS = Array.from({ length: 7 }, (_, index) => `m${index}`);
	const createMany = () => run(create({ responseInputType: 'json', responsePrompt: undefined, responseInputJson: JSON.stringify(TEXTS.map((content) => ({ role: 'user', content }))) }));

	it('returns every item of a response, one output item each, paired with the input item', async () => {
		const { items: created } = await createMany();
		const id = created[0].json.id as string;
		fixture.server().reset();
		await createMany();
		const { items } = await run(byId('listInputItems', id.replace(/\d+$/, '000001'), { responseReturnAll: true, responseOptions: { order: 'asc' } }));
		expect(items.map((item) => (item.json.content as IDataObject[])[0].text)).toEqual(TEXTS);
		expect(items.map((item) => item.pairedItem)).toEqual(TEXTS.map(() => ({ item: 0 })));
		const pages = fixture.server().requests.slice(1);
		expect(pages).toHaveLength(1);
		expect(pages[0].fullPath).toBe('/v1/responses/resp_000001/input_items?order=asc&limit=100');
	});

	it('stops at the limit, following cursors, newest first by default', async () => {
		await createMany();
		const { items } = await run(byId('listInputItems', 'resp_000001', { responseLimit: 3 }));
		expect(items.map((item) => (item.json.content as IDataObject[])[0].text)).toEqual(['m6', 'm5', 'm4']);
	});

	it('follows has_more and last_id across pages of 100 with Return All', async () => {
		const many = Array.from({ length: 250 }, (_, index) => ({ role: 'user', content: `n${index}` }));
		await run(create({ responseInputType: 'json', responsePrompt: undefined, responseInputJson: JSON.stringify(many) }));
		const { items } = await run(byId('listInputItems', 'resp_000001', { responseReturnAll: true, responseOptions: { order: 'asc' } }));
		expect(items.map((item) => (item.json.content as IDataObject[])[0].text)).toEqual(many.map((message) => message.content));
		const pages = fixture.server().requests.slice(1).map((request) => new URL(request.fullPath, 'http://x').searchParams);
		expect(pages.map((query) => [query.get('limit'), query.get('after')])).toEqual([
			['100', null],
			['100', 'msg_000101'],
			['100', 'msg_000201'],
		]);
	});

	it('asks only for what the limit still needs', async () => {
		const many = Array.from({ length: 150 }, (_, index) => ({ role: 'user', content: `n${index}` }));
		await run(create({ responseInputType: 'json', responsePrompt: undefined, responseInputJson: JSON.stringify(many) }));
		const { items } = await run(byId('listInputItems', 'resp_000001', { responseLimit: 120 }));
		expect(items).toHaveLength(120);
		const limits = fixture.server().requests.slice(1).map((request) => new URL(request.fullPath, 'http://x').searchParams.get('limit'));
		expect(limits).toEqual(['100', '20']);
	});
});
