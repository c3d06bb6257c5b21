import type { IDataObject } from 'n8n-workflow';

import {
	assembleResponseStream,
	buildResponseBody,
	fileSearchTool,
	inputFromJson,
	inputFromRows,
	isMissingResponsesApi,
	normalizeTextFormat,
	normalizeTools,
	responsesFunctionTool,
	simplifyResponseObject,
	webSearchTool,
} from '../../../../../nodes/OpenAiRest/resources/response/hooks';
import { OpenAiStreamError } from '../../../../../nodes/OpenAiRest/transport/sse';

const MESSAGE = {
	id: 'msg_1',
	type: 'message',
	status: 'completed',
	role: 'assistant',
	content: [
		{ type: 'output_text', text: 'Hello ', annotations: [{ type: 'url_citation', url: 'https://a.example', title: 'A', start_index: 0, end_index: 5 }] },
		{ type: 'output_text', text: 'world', annotations: [{ type: 'file_citation', file_id: 'file-1', filename: 'f.pdf', index: 5 }] },
	],
};
const USAGE = { input_tokens: 3, output_tokens: 2, total_tokens: 5 };

function response(overrides: IDataObject = {}): IDataObject {
	return { id: 'resp_1', object: 'response', status: 'completed', model: 'gpt-4o-mini', output: [MESSAGE], text: { format: { type: 'text' } }, usage: USAGE, incomplete_details: null, error: null, ...overrides };
}

function sse(events: IDataObject[]): string {
	return events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

describe('input', () => {
	it('builds messages from rows; user images and files become parts with a detail', () => {
		expect(
			inputFromRows([
				{ role: 'developer', content: 'Be brief', imageUrls: 'https://ignored.example/a.png' },
				{ role: 'user', content: 'Look', imageUrls: 'https://a.example/1.png, https://a.example/2.png', fileIds: 'file-1\nfile-2', imageDetail: 'low' },
				{ content: 'Plain' },
			]),
		).toEqual([
			{ role: 'developer', content: 'Be brief' },
			{
				role: 'user',
				content: [
					{ type: 'input_text', text: 'Look' },
					{ type: 'input_image', image_url: 'https://a.example/1.png', detail: 'low' },
					{ type: 'input_image', image_url: 'https://a.example/2.png', detail: 'low' },
					{ type: 'input_file', file_id: 'file-1' },
					{ type: 'input_file', file_id: 'file-2' },
				],
			},
			{ role: 'user', content: 'Plain' },
		]);
	});

	it('reads JSON input: arrays with function_call_output items, one object, or a plain text', () => {
		const loop = [{ role: 'user', content: 'Weather?' }, { type: 'function_call_output', call_id: 'call_1', output: '{"temp":21}' }];
		expect(inputFromJson(JSON.stringify(loop))).toEqual(loop);
		expect(inputFromJson(loop)).toBe(loop);
		expect(inputFromJson({ role: 'user', content: 'Hi' })).toEqual([{ role: 'user', content: 'Hi' }]);
		expect(inputFromJson('Just a prompt')).toBe('Just a prompt');
	});

	it.each([
		['[{"role": "user"', /^Input \(JSON\): is not valid JSON/],
		[[{ content: 'no role' }], 'Input (JSON): item 0 needs a "role" (a message) or a "type" (e.g. "function_call_output")'],
		[[{ role: 'tool', content: 'x' }], 'Input (JSON): item 0 has role "tool"; use one of user, assistant, system, developer'],
		[42, 'Input (JSON): must be an array of input items or a text'],
	])('rejects JSON input %j', (value, message) => {
		expect(() => inputFromJson(value)).toThrow(message);
	});

	it('buildResponseBody takes whichever input form was routed, and rejects empty input', () => {
		const prompt: IDataObject = { model: 'm', input: 'Hi', instructions: '' };
		buildResponseBody(prompt);
		expect(prompt).toEqual({ model: 'm', input: 'Hi' });
		const rows: IDataObject = { model: 'm', input_rows: { 1: { role: 'user', content: 'Second' }, 0: { role: 'user', content: 'Hi' } } };
		buildResponseBody(rows);
		expect(rows).toEqual({ model: 'm', input: [{ role: 'user', content: 'Hi' }, { role: 'user', content: 'Second' }] });
		const json: IDataObject = { model: 'm', input_json: '[{"role":"user","content":"Hi"}]' };
		buildResponseBody(json);
		expect(json).toEqual({ model: 'm', input: [{ role: 'user', content: 'Hi' }] });
		expect(() => buildResponseBody({ model: 'm', input: '  ' })).toThrow('Prompt: must not be empty');
		expect(() => buildResponseBody({ model: 'm' })).toThrow('Messages: must contain at least one message');
		expect(() => buildResponseBody({ model: 'm', input_json: [] })).toThrow('Input: must contain at least one item');
		expect(() => buildResponseBody({ model: 'm', input: 'x', safety_identifier: 'u'.repeat(65) })).toThrow('Safety Identifier: must be at most 64 characters, got 65');
	});
});

describe('tools', () => {
	it('builds the web search tool from its settings', () => {
		expect(webSearchTool({})).toEqual({ type: 'web_search' });
		expect(
			webSearchTool({ searchContextSize: 'high', allowedDomains: 'openai.com, example.org', country: 'US', city: 'Boston', region: ' ', timezone: 'America/New_York' }),
		).toEqual({
			type: 'web_search',
			search_context_size: 'high',
			filters: { allowed_domains: ['openai.com', 'example.org'] },
			user_location: { type: 'approximate', country: 'US', city: 'Boston', timezone: 'America/New_York' },
		});
		expect(() => webSearchTool({ country: 'USA' })).toThrow('Web Search: Country: must be a two-letter ISO country code such as US, got "USA"');
	});

	it('file search needs vector store IDs and 1 to 50 results', () => {
		expect(fileSearchTool({ vectorStoreIds: 'vs_1,vs_2', maxNumResults: 5 })).toEqual({ type: 'file_search', vector_store_ids: ['vs_1', 'vs_2'], max_num_results: 5 });
		expect(fileSearchTool({ vectorStoreIds: ['vs_1', ' vs_2 '] })).toEqual({ type: 'file_search', vector_store_ids: ['vs_1', 'vs_2'] });
		expect(() => fileSearchTool({ vectorStoreIds: ' ' })).toThrow('File Search: Vector Store Names or IDs: must name at least one vector store, e.g. vs_abc123');
		expect(() => fileSearchTool({ vectorStoreIds: 'vs_1', maxNumResults: 51 })).toThrow('File Search: Max Results: must be a whole number between 1 and 50, got 51');
	});

	it('flattens Chat-style function tools and checks names', () => {
		const chatStyle = { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } };
		expect(responsesFunctionTool(chatStyle, 0)).toEqual({ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: false });
		const flat = { type: 'function', name: 'f', parameters: {}, strict: true };
		expect(responsesFunctionTool(flat, 0)).toBe(flat);
		expect(() => responsesFunctionTool({ type: 'function' }, 2)).toThrow('Tools: function tool 2 needs a "name"');
		expect(() => responsesFunctionTool({ name: 'f' }, 1)).toThrow('Tools: tool 1 needs a "type", e.g. "function"');
	});

	it('collects JSON tools and built-in tools into `tools`, and forces a function', () => {
		const body: IDataObject = {
			tools: [{ type: 'function', name: 'f', parameters: {}, strict: false }],
			web_search: { settings: {} },
			file_search: { settings: { vectorStoreIds: 'vs_1' } },
			code_interpreter: true,
			tool_choice_function: 'f',
		};
		normalizeTools(body);
		expect(body).toEqual({
			tools: [
				{ type: 'function', name: 'f', parameters: {}, strict: false },
				{ type: 'web_search' },
				{ type: 'file_search', vector_store_ids: ['vs_1'] },
				{ type: 'code_interpreter', container: { type: 'auto' } },
			],
			tool_choice: { type: 'function', name: 'f' },
		});
		const none: IDataObject = { code_interpreter: false, tools: [] };
		normalizeTools(none);
		expect(none).toEqual({});
	});
});

describe('normalizeTextFormat', () => {
	it('a schema implies json_schema, is parsed and named', () => {
		const body: IDataObject = { text: { format: { schema: '{"type":"object"}', strict: true } } };
		normalizeTextFormat(body);
		expect(body.text).toEqual({ format: { type: 'json_schema', schema: { type: 'object' }, strict: true, name: 'response' } });
	});

	it('drops schema settings for other formats and rejects a lone schema', () => {
		const body: IDataObject = { text: { format: { type: 'json_object', name: 'x', strict: true } } };
		normalizeTextFormat(body);
		expect(body.text).toEqual({ format: { type: 'json_object' } });
		expect(() => normalizeTextFormat({ text: { format: { type: 'text', schema: '{}' } } })).toThrow('JSON Schema: is only used when Output Format is JSON Schema');
		expect(() => normalizeTextFormat({ text: { format: { type: 'json_schema' } } })).toThrow('JSON Schema: is required when Output Format is JSON Schema');
		expect(() => normalizeTextFormat({ text: { format: { type: 'json_schema', schema: '[1]' } } })).toThrow('JSON Schema: must be a JSON object');
	});
});

describe('simplifyResponseObject', () => {
	it('joins the text parts and lists citations and usage', () => {
		expect(simplifyResponseObject(response())).toEqual({
			id: 'resp_1',
			status: 'completed',
			model: 'gpt-4o-mini',
			output_text: 'Hello world',
			citations: [...MESSAGE.content[0].annotations, ...MESSAGE.content[1].annotations],
			usage: USAGE,
		});
	});

	it('parses JSON output, function call arguments and reasoning summaries', () => {
		const simplified = simplifyResponseObject(
			response({
				text: { format: { type: 'json_schema', name: 'r', schema: {} } },
				output: [
					{ type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'First' }, { type: 'summary_text', text: 'Second' }] },
					{ type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"city":"Paris"}', status: 'completed' },
					{ type: 'function_call', id: 'fc_2', call_id: 'call_2', name: 'g', arguments: 'not json', status: 'completed' },
					{ type: 'message', id: 'm', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: '{"answer":42}', annotations: [] }] },
				],
			}),
		);
		expect(simplified).toMatchObject({
			output_text: '{"answer":42}',
			output_parsed: { answer: 42 },
			function_calls: [
				{ call_id: 'call_1', name: 'f', arguments: { city: 'Paris' } },
				{ call_id: 'call_2', name: 'g', arguments: 'not json' },
			],
			reasoning_summary: 'First\n\nSecond',
		});
	});

	it('keeps incomplete details and errors, and leaves text output unparsed', () => {
		const simplified = simplifyResponseObject(response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: null }));
		expect(simplified).toEqual({ id: 'resp_1', status: 'incomplete', model: 'gpt-4o-mini', output_text: 'Hello world', citations: expect.any(Array), incomplete_details: { reason: 'max_output_tokens' } });
		expect(simplifyResponseObject(response({ output: [], status: 'failed', error: { code: 'server_error', message: 'x' } })).error).toEqual({ code: 'server_error', message: 'x' });
	});
});

describe('assembleResponseStream', () => {
	const final = response({ output: [{ ...MESSAGE, content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] }] });
	const start = { ...final, status: 'in_progress', output: [], usage: null };
	const added = { type: 'response.output_item.added', output_index: 0, item: { ...MESSAGE, status: 'in_progress', content: [] } };
	const deltas = [
		{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: 'Hi' },
		{ type: 'response.output_text.delta', output_index: 0, content_index: 0, delta: ' there' },
	];
	const events = [{ type: 'response.created', response: start }, added, ...deltas, { type: 'response.completed', response: final }];

	it('returns the response of response.completed', () => {
		expect(assembleResponseStream(sse(events))).toEqual(final);
	});

	it('rebuilds the output from item events when response.completed carries none', () => {
		const slim = [...events.slice(0, -1), { type: 'response.completed', response: { ...final, output: [] } }];
		expect(assembleResponseStream(sse(slim)).output).toEqual([{ ...MESSAGE, status: 'in_progress', content: [{ type: 'output_text', text: 'Hi there', annotations: [] }] }]);
		const args = [
			{ type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', id: 'fc', call_id: 'c', name: 'f', arguments: '' } },
			{ type: 'response.function_call_arguments.delta', output_index: 0, delta: '{"a"' },
			{ type: 'response.function_call_arguments.delta', output_index: 0, delta: ':1}' },
			{ type: 'response.completed', response: { ...final, output: [] } },
		];
		expect(assembleResponseStream(sse(args)).output).toEqual([{ type: 'function_call', id: 'fc', call_id: 'c', name: 'f', arguments: '{"a":1}' }]);
	});

	it('accepts a whole JSON response from a server that ignored stream', () => {
		expect(assembleResponseStream(JSON.stringify(final))).toEqual(final);
	});

	function failure(body: string): OpenAiStreamError {
		try {
			assembleResponseStream(body);
		} catch (error) {
			return error as OpenAiStreamError;
		}
		throw new Error('assembleResponseStream did not throw');
	}

	it.each([
		['error event', { type: 'error', code: 'server_error', message: 'Overloaded', param: null }, 'Overloaded', 'server_error'],
		['response.failed', { type: 'response.failed', response: { ...final, status: 'failed', error: { code: 'rate_limit_exceeded', message: 'Slow down' } } }, 'Slow down', 'rate_limit_exceeded'],
		['response.incomplete', { type: 'response.incomplete', response: { ...final, status: 'incomplete', incomplete_details: { reason: 'content_filter' } } }, 'The response is incomplete (reason: content_filter)', 'content_filter'],
	])('fails on %s with OpenAI\'s message', (_name, event, message, code) => {
		const error = failure(sse([events[0], added, event as IDataObject]));
		expect(error).toBeInstanceOf(OpenAiStreamError);
		expect(error.kind).toBe('api_error');
		expect(error.message).toBe(message);
		expect(error.apiError?.code).toBe(code);
	});

	it('fails when the stream ends without response.completed, and on a non-JSON event', () => {
		const cut = failure(sse(events.slice(0, 3)));
		expect(cut.kind).toBe('incomplete');
		expect(cut.message).toBe('The Responses stream ended before "response.completed" (after 3 event(s)), so the answer is incomplete');
		expect(failure('event: x\ndata: {nope\n\n').kind).toBe('malformed');
		expect(failure(JSON.stringify({ error: { message: 'Bad key', code: 'invalid_api_key' } })).message).toBe('Bad key');
	});
});

describe('isMissingResponsesApi', () => {
	it.each([
		[405, 'Method Not Allowed', true],
		[404, 'The server answered with HTTP status 404 and a body that is not an OpenAI error: {"detail":"Not Found"}', true],
		[404, 'Invalid URL (POST /v1/responses)', true],
		[404, 'The model `x` does not exist or you do not have access to it.', false],
		[404, "Response with id 'resp_1' not found.", false],
		[404, "Previous response with id 'resp_1' not found.", false],
		[404, "Conversation with id 'conv_1' not found.", false],
		[400, 'Bad request', false],
		[undefined, 'Network', false],
	])('%s %s → %s', (status, message, expected) => {
		expect(isMissingResponsesApi(status, message)).toBe(expected);
	});
});
