/** The test server's Responses API and embeddings, over real HTTP. */
import { startOpenAiServer, type OpenAiServer } from './openai-server';
import { EXAMPLE_EMBEDDING_VALUES, embeddingVector, float32Base64 } from './openai-server-responses';

type Loose = any;

const AUTH = { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' };

let server: OpenAiServer;

beforeAll(async () => {
	server = await startOpenAiServer({ streamChunkDelayMs: 0 });
});

afterEach(() => server.reset());

afterAll(async () => {
	await server.close();
});

async function call(method: string, path: string, body?: unknown, target = server): Promise<{ status: number; json: Loose }> {
	const response = await fetch(target.baseUrl() + path, {
		method,
		headers: AUTH,
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	return { status: response.status, json: await response.json() };
}

/** The stream as the client receives it: its network chunks and its `event:` names with their data. */
async function stream(body: unknown): Promise<{ chunks: string[]; events: Array<{ event: string; data: Loose }> }> {
	const response = await fetch(`${server.baseUrl()}/responses`, { method: 'POST', headers: AUTH, body: JSON.stringify({ model: 'gpt-4o-mini', ...(body as object), stream: true }) });
	expect(response.headers.get('content-type')).toBe('text/event-stream');
	const decoder = new TextDecoder();
	const chunks: string[] = [];
	for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(chunk, { stream: true }));
	const events = chunks
		.join('')
		.split('\n\n')
		.filter((block) => block.startsWith('event:'))
		.map((block) => {
			const [eventLine, dataLine] = block.split('\n');
			return { event: eventLine.slice('event: '.length), data: JSON.parse(dataLine.slice('data: '.length)) };
		});
	return { chunks, events };
}

const create = (body: Loose) => call('POST', '/responses', { model: 'gpt-4o-mini', ...body });

describe('POST /responses', () => {
	it('answers a prompt text with a response object shaped like OpenAI\'s example', async () => {
		const { status, json } = await create({ input: 'Tell me a story', instructions: 'Be brief.' });
		expect(status).toBe(200);
		expect(json).toMatchObject({
			id: 'resp_000001',
			object: 'response',
			status: 'completed',
			model: 'gpt-4o-mini',
			instructions: 'Be brief.',
			output: [
				{
					type: 'message',
					role: 'assistant',
					status: 'completed',
					content: [{ type: 'output_text', text: 'Echo: Tell me a story', annotations: [] }],
				},
			],
			usage: { input_tokens: 6, output_tokens: 5, total_tokens: 11, output_tokens_details: { reasoning_tokens: 0 } },
		});
	});

	it('calls a function tool, then answers its output; JSON formats wrap the answer', async () => {
		const tools = [{ type: 'function', name: 'lookup', parameters: {}, strict: false }];
		const first = await create({ input: 'CALL weather', tools });
		expect(first.json.output).toEqual([
			{ id: 'fc_000003', type: 'function_call', status: 'completed', arguments: '{"text":"weather"}', call_id: 'call_1', name: 'lookup' },
		]);
		const second = await create({ input: [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }], text: { format: { type: 'json_object' } } });
		expect(second.json.output[0].content[0].text).toBe('{"answer":"Tool said: sunny"}');
	});

	it('adds reasoning summaries, search calls and citations, and stops at max_output_tokens', async () => {
		const { json } = await create({
			input: [{ role: 'user', content: [{ type: 'input_text', text: 'news about dragons today please' }] }],
			reasoning: { effort: 'low', summary: 'auto' },
			tools: [{ type: 'web_search' }, { type: 'file_search', vector_store_ids: ['vs_1'] }],
			max_output_tokens: 16,
		});
		expect(json.output.map((item: Loose) => item.type)).toEqual(['reasoning', 'web_search_call', 'file_search_call', 'message']);
		expect(json.output[0].summary).toEqual([{ type: 'summary_text', text: 'Thinking about: news about dragons today please' }]);
		expect(json.output[3].content[0].annotations.map((annotation: Loose) => annotation.type)).toEqual(['url_citation', 'file_citation']);
		expect(json.status).toBe('completed');
		const short = await create({ input: Array.from({ length: 20 }, (_, index) => `w${index}`).join(' '), max_output_tokens: 16 });
		expect(short.json).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } });
	});

	it('rejects what OpenAI rejects: unknown model, max_output_tokens below 16, unknown previous response', async () => {
		expect((await create({ model: 'nope', input: 'x' })).status).toBe(404);
		expect((await create({ input: 'x', max_output_tokens: 15 })).json.error.code).toBe('integer_below_min_value');
		expect((await create({ input: 'x', previous_response_id: 'resp_missing' })).json.error.code).toBe('previous_response_not_found');
		expect((await create({ input: 'x', tools: [{ type: 'file_search' }] })).status).toBe(400);
	});

	it('streams response.* events across many small writes, ending with response.completed equal to the JSON answer', async () => {
		const body = { input: 'CALL x', tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }], reasoning: { summary: 'auto' } };
		const { chunks, events } = await stream(body);
		expect(chunks.length).toBeGreaterThan(20);
		expect(events[0].event).toBe('response.created');
		expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_, index) => index));
		expect(events.map((event) => event.event)).toContain('response.function_call_arguments.delta');
		expect(events.map((event) => event.event)).toContain('response.reasoning_summary_text.delta');
		const completed = events[events.length - 1];
		expect(completed.event).toBe('response.completed');
		server.reset();
		expect(completed.data.response).toEqual((await create(body)).json);
	});

	it.each([
		['failed', 'response.failed'],
		['error', 'error'],
		['incomplete', 'response.incomplete'],
	] as const)('ends a faulted stream with %s', async (kind, event) => {
		server.failNext('/responses', { responsesStreamEnd: kind });
		const { events } = await stream({ input: 'Hello there' });
		expect(events).toHaveLength(4);
		expect(events[3].event).toBe(event);
	});

	it('sends a slim stream: no finished items, a response.completed without output, the answer only in the deltas', async () => {
		server.failNext('/responses', { slimResponsesStream: true });
		const { events } = await stream({ input: 'Hello there, how are you' });
		expect(events.map((event) => event.event)).not.toContain('response.output_item.done');
		expect(events.map((event) => event.data.sequence_number)).toEqual(events.map((_, index) => index));
		const completed = events[events.length - 1];
		expect(completed.event).toBe('response.completed');
		expect(completed.data.response).toMatchObject({ status: 'completed', output: [] });
		const deltas = events.filter((event) => event.event === 'response.output_text.delta').map((event) => event.data.delta);
		expect(deltas.length).toBeGreaterThan(2);
		expect(deltas.join('')).toBe('Echo: Hello there, how are you');
	});

	it('cuts a stream off without response.completed', async () => {
		server.failNext('/responses', { cutStreamAfterChunks: 5 });
		const { events } = await stream({ input: 'Hello there' });
		expect(events.map((event) => event.event)).not.toContain('response.completed');
	});
});

describe('stored responses', () => {
	it('gets, lists input items page by page, and deletes a response', async () => {
		const input = ['one', 'two', 'three', 'four', 'five'].map((text) => ({ role: 'user', content: text }));
		const { json: created } = await create({ input });
		expect((await call('GET', `/responses/${created.id}`)).json).toEqual(created);
		const page1 = await call('GET', `/responses/${created.id}/input_items?limit=2&order=asc`);
		expect(page1.json.data.map((item: Loose) => item.content[0].text)).toEqual(['one', 'two']);
		expect(page1.json.has_more).toBe(true);
		const page3 = await call('GET', `/responses/${created.id}/input_items?limit=2&order=asc&after=${page1.json.data[1].id}`);
		expect(page3.json.data.map((item: Loose) => item.content[0].text)).toEqual(['three', 'four']);
		const newestFirst = await call('GET', `/responses/${created.id}/input_items`);
		expect(newestFirst.json.data[0].content[0].text).toBe('five');
		expect(newestFirst.json.has_more).toBe(false);
		expect((await call('DELETE', `/responses/${created.id}`)).json).toEqual({ id: created.id, object: 'response', deleted: true });
		expect((await call('GET', `/responses/${created.id}`)).status).toBe(404);
	});

	it('cancels a background response; a synchronous one cannot be cancelled', async () => {
		const { json: queued } = await create({ input: 'slow', background: true });
		expect(queued.status).toBe('queued');
		expect((await call('POST', `/responses/${queued.id}/cancel`)).json.status).toBe('cancelled');
		const { json: done } = await create({ input: 'fast' });
		expect((await call('POST', `/responses/${done.id}/cancel`)).status).toBe(400);
		const { json: later } = await create({ input: 'later', background: true });
		expect((await call('GET', `/responses/${later.id}`)).json.status).toBe('completed');
	});

	it.each([404, 405] as const)('answers %i on every /responses path when the server has no Responses API', async (status) => {
		const bare = await startOpenAiServer({ withoutResponsesApi: status });
		try {
			expect((await call('POST', '/responses', { model: 'gpt-4o-mini', input: 'x' }, bare)).status).toBe(status);
			expect((await call('GET', '/responses/resp_1', undefined, bare)).status).toBe(status);
			expect((await call('POST', '/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }, bare)).status).toBe(200);
		} finally {
			await bare.close();
		}
	});
});

describe('POST /embeddings', () => {
	it('sends the same float32 values as float JSON or as base64', async () => {
		const float = await call('POST', '/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'] });
		const base64 = await call('POST', '/embeddings', { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'base64' });
		expect(float.json.data[0].embedding).toHaveLength(1536);
		expect(float.json.data[0].embedding.slice(0, 2)).toEqual(EXAMPLE_EMBEDDING_VALUES.slice(0, 2));
		expect(float.json.usage).toEqual({ prompt_tokens: 2, total_tokens: 2 });
		float.json.data.forEach((entry: Loose, index: number) => {
			expect(base64.json.data[index].embedding).toBe(float32Base64(entry.embedding));
		});
	});

	it('every value survives float32 unchanged', () => {
		for (const value of embeddingVector('some text', 3072, 0)) expect(Math.fround(value).toPrecision(6)).toBe(value.toPrecision(6));
	});

	it('honours dimensions for text-embedding-3 models only, and checks the input', async () => {
		const small = await call('POST', '/embeddings', { model: 'text-embedding-3-small', input: 'x', dimensions: 8 });
		expect(small.json.data[0].embedding).toHaveLength(8);
		server.models.push({ id: 'text-embedding-ada-002', object: 'model', created: 1, owned_by: 'openai' });
		expect((await call('POST', '/embeddings', { model: 'text-embedding-ada-002', input: 'x', dimensions: 8 })).status).toBe(400);
		expect((await call('POST', '/embeddings', { model: 'text-embedding-3-small', input: [] })).status).toBe(400);
		const tokens = await call('POST', '/embeddings', { model: 'text-embedding-3-small', input: [[1, 2], [3]], dimensions: 4 });
		expect(tokens.json.data).toHaveLength(2);
	});
});
