import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { DEFAULT_MODELS, startOpenAiServer, type OpenAiServer } from './openai-server';
import { makePng, PNG_SIGNATURE, TEST_PNG } from './png';

// Response bodies are loosely typed here: the assertions spell out the shapes.
type Loose = any;

const API_KEY = 'sk-test-key';
const AUTH = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };

let server: OpenAiServer;

beforeAll(async () => {
	server = await startOpenAiServer();
});

afterEach(() => server.reset());

afterAll(async () => {
	await server.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers: plain HTTP, SSE parsing and stream reassembly
// ---------------------------------------------------------------------------------------------

function post(path: string, body: unknown, prefix = '/v1', headers: Record<string, string> = AUTH): Promise<Response> {
	return fetch(server.baseUrl(prefix) + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

async function postJson(path: string, body: unknown, prefix = '/v1'): Promise<{ status: number; headers: Headers; json: Loose }> {
	const response = await post(path, body, prefix);
	return { status: response.status, headers: response.headers, json: await response.json() };
}

async function getJson(path: string, headers: Record<string, string> = AUTH): Promise<{ status: number; json: Loose }> {
	const response = await fetch(server.baseUrl() + path, { headers });
	return { status: response.status, json: await response.json() };
}

/** Reads a body as the client receives it: the list of network chunks plus the decoded text. */
async function readChunks(response: Response): Promise<{ chunks: string[]; text: string }> {
	const reader = response.body!.getReader();
	const decoder = new TextDecoder();
	const chunks: string[] = [];
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(decoder.decode(value, { stream: true }));
	}
	return { chunks, text: chunks.join('') };
}

interface SseEvent {
	event?: string;
	data: string;
}

/** Minimal SSE parser: blank-line separated blocks, `:` comments, `event:` and `data:` fields. */
function parseSse(text: string): { events: SseEvent[]; comments: string[] } {
	const events: SseEvent[] = [];
	const comments: string[] = [];
	for (const block of text.split('\n\n').filter((candidate) => candidate.length > 0)) {
		const event: SseEvent = { data: '' };
		for (const line of block.split('\n')) {
			if (line.startsWith(':')) comments.push(line.slice(1).trim());
			else if (line.startsWith('event: ')) event.event = line.slice('event: '.length);
			else if (line.startsWith('data: ')) event.data += line.slice('data: '.length);
		}
		if (event.data !== '') events.push(event);
	}
	return { events, comments };
}

async function streamPayloads(response: Response): Promise<{ payloads: Loose[]; endedWithDone: boolean; comments: string[]; chunks: string[] }> {
	const { chunks, text } = await readChunks(response);
	const { events, comments } = parseSse(text);
	const endedWithDone = events.at(-1)?.data === '[DONE]';
	const payloads = events.filter((event) => event.data !== '[DONE]').map((event) => JSON.parse(event.data));
	return { payloads, endedWithDone, comments, chunks };
}

/** Rebuilds chat choices from chunks the way SDKs do. */
function assembleChat(payloads: Loose[]): { choices: Loose[]; usage: Loose } {
	const choices: Loose[] = [];
	let usage: Loose;
	for (const chunk of payloads) {
		if (chunk.usage) usage = chunk.usage;
		for (const part of chunk.choices) {
			const choice = (choices[part.index] ??= { index: part.index, message: { content: null }, logprobs: null, finish_reason: null });
			const { delta } = part;
			if (delta.role) choice.message.role = delta.role;
			if (typeof delta.content === 'string') choice.message.content = (choice.message.content ?? '') + delta.content;
			if ('refusal' in delta) choice.message.refusal = delta.refusal;
			for (const call of delta.tool_calls ?? []) {
				const calls = (choice.message.tool_calls ??= []);
				const target = (calls[call.index] ??= { function: { name: '', arguments: '' } });
				if (call.id) target.id = call.id;
				if (call.type) target.type = call.type;
				target.function.name += call.function?.name ?? '';
				target.function.arguments += call.function?.arguments ?? '';
			}
			if (part.logprobs?.content) (choice.logprobs ??= { content: [], refusal: null }).content.push(...part.logprobs.content);
			if (part.finish_reason) choice.finish_reason = part.finish_reason;
		}
	}
	return { choices, usage };
}

/** Rebuilds legacy completion choices from chunks. */
function assembleCompletion(payloads: Loose[]): { choices: Loose[]; usage: Loose } {
	const choices: Loose[] = [];
	let usage: Loose;
	for (const chunk of payloads) {
		if (chunk.usage) usage = chunk.usage;
		for (const part of chunk.choices) {
			const choice = (choices[part.index] ??= { text: '', index: part.index, logprobs: null, finish_reason: null });
			choice.text += part.text;
			if (part.logprobs) {
				choice.logprobs ??= { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
				for (const key of ['tokens', 'token_logprobs', 'top_logprobs', 'text_offset']) choice.logprobs[key].push(...part.logprobs[key]);
			}
			if (part.finish_reason) choice.finish_reason = part.finish_reason;
		}
	}
	return { choices, usage };
}

/** The parts of a chat choice a stream must reproduce. */
function chatEssentials(choice: Loose) {
	const { role, content, refusal, tool_calls: toolCalls } = choice.message;
	return { index: choice.index, role, content, refusal, toolCalls, logprobs: choice.logprobs, finishReason: choice.finish_reason };
}

const userMessage = (content: unknown) => ({ role: 'user', content });

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

describe('routing', () => {
	it.each(['/v1', '/openai/v1', '/v3/openai', ''])('routes chat under the prefix %p', async (prefix) => {
		const { status, json } = await postJson('/chat/completions', { model: 'gpt-4o', messages: [userMessage('hi')] }, prefix);
		expect(status).toBe(200);
		expect(json.object).toBe('chat.completion');
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/chat/completions');
		expect(server.requests[0].fullPath).toBe(`${prefix}/chat/completions`);
	});

	it('tolerates double slashes and keeps the raw path with query in fullPath', async () => {
		for (const fullPath of ['/v1//models?limit=5', '//v1/models', '/v1/models/']) {
			const response = await fetch(server.url + fullPath, { headers: AUTH });
			expect(response.status).toBe(200);
			expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/models', fullPath });
		}
	});

	it('tells /completions apart from /chat/completions', async () => {
		const { json } = await postJson('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'x' });
		expect(json.object).toBe('text_completion');
		expect(server.requests[0].path).toBe('/completions');
	});

	it('answers an unknown path or a wrong method with OpenAI\'s "Invalid URL" 404', async () => {
		const unknown = await postJson('/engines/davinci/completionz', {});
		expect(unknown.status).toBe(404);
		expect(unknown.json).toEqual({
			error: { message: 'Invalid URL (POST /v1/engines/davinci/completionz)', type: 'invalid_request_error', param: null, code: null },
		});
		const wrongMethod = await getJson('/chat/completions');
		expect(wrongMethod.status).toBe(404);
		expect(wrongMethod.json.error.message).toBe('Invalid URL (GET /v1/chat/completions)');
	});

	it('captures method, headers, raw body and parsed body', async () => {
		const body = { model: 'gpt-4o', messages: [userMessage('capture me')] };
		await post('/chat/completions', body, '/v1', { ...AUTH, 'OpenAI-Organization': 'org-123' });
		const [captured] = server.requests;
		expect(captured.method).toBe('POST');
		expect(captured.headers['openai-organization']).toBe('org-123');
		expect(captured.rawBody).toBe(JSON.stringify(body));
		expect(captured.body).toEqual(body);
	});

	it('sets JSON content type and an x-request-id on every JSON response', async () => {
		const ok = await post('/chat/completions', { model: 'gpt-4o', messages: [] });
		const error = await post('/chat/completions', { model: 'nope', messages: [] });
		for (const response of [ok, error]) {
			expect(response.headers.get('content-type')).toBe('application/json');
			expect(response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
		}
		expect(ok.headers.get('x-request-id')).not.toBe(error.headers.get('x-request-id'));
	});
});

// ---------------------------------------------------------------------------------------------
// Authentication
// ---------------------------------------------------------------------------------------------

describe('authentication', () => {
	it('rejects a wrong key with OpenAI\'s exact body, masking the key', async () => {
		const response = await post('/chat/completions', { model: 'gpt-4o', messages: [] }, '/v1', {
			Authorization: 'Bearer sk-wrong-key',
			'Content-Type': 'application/json',
		});
		const text = await response.text();
		expect(response.status).toBe(401);
		expect(JSON.parse(text)).toEqual({
			error: {
				message:
					'Incorrect API key provided: sk-wro***key. You can find your API key at https://platform.openai.com/account/api-keys.',
				type: 'invalid_request_error',
				param: null,
				code: 'invalid_api_key',
			},
		});
		expect(text).not.toContain('sk-wrong-key');
	});

	it('never echoes a long or a short wrong key', async () => {
		for (const [key, masked] of [
			['sk-proj-abcdefghijkl', 'sk-pro***jkl'],
			['short', '***'],
		]) {
			const response = await fetch(server.baseUrl() + '/models', { headers: { Authorization: `Bearer ${key}` } });
			const text = await response.text();
			expect(response.status).toBe(401);
			expect(text).not.toContain(key);
			expect(JSON.parse(text).error.message).toContain(`Incorrect API key provided: ${masked}.`);
		}
	});

	it('rejects a missing Authorization header and still captures the request', async () => {
		const { status, json } = await getJson('/models', {});
		expect(status).toBe(401);
		expect(json.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
		expect(json.error.message).toMatch(/^You didn't provide an API key/);
		expect(server.requests.map((request) => request.path)).toEqual(['/models']);
	});

	it('accepts a custom key and serves /files without any key', async () => {
		const custom = await startOpenAiServer({ apiKey: 'sk-custom-0123456789' });
		try {
			const accepted = await fetch(custom.baseUrl() + '/models', { headers: { Authorization: 'Bearer sk-custom-0123456789' } });
			const rejected = await fetch(custom.baseUrl() + '/models', { headers: AUTH });
			const file = await fetch(custom.url + '/files/img-1.png');
			expect([accepted.status, rejected.status, file.status]).toEqual([200, 401, 200]);
		} finally {
			await custom.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

describe('models', () => {
	it('lists the default models, unsorted, as an OpenAI list', async () => {
		const { status, json } = await getJson('/models');
		expect(status).toBe(200);
		expect(json.object).toBe('list');
		expect(json.data).toEqual(DEFAULT_MODELS);
		const ids: string[] = json.data.map((model: Loose) => model.id);
		expect(ids).not.toEqual([...ids].sort());
		expect(ids).toEqual(
			expect.arrayContaining([
				'gpt-4o',
				'gpt-3.5-turbo-instruct',
				'text-davinci-edit-001',
				'dall-e-3',
				'gpt-image-1',
				'omni-moderation-latest',
				'ft:gpt-4o-mini-2024-07-18:acme::abc123',
			]),
		);
		for (const model of json.data) expect(Object.keys(model).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
	});

	it('retrieves a model whose id has colons, raw or URL-encoded', async () => {
		const id = 'ft:gpt-4o-mini-2024-07-18:acme::abc123';
		for (const path of [`/models/${id}`, `/models/${encodeURIComponent(id)}`]) {
			const { status, json } = await getJson(path);
			expect(status).toBe(200);
			expect(json).toEqual(DEFAULT_MODELS.find((model) => model.id === id));
		}
		expect(server.requests.map((request) => request.path)).toEqual([`/models/${id}`, `/models/${id}`]);
	});

	it('answers an unknown model with model_not_found', async () => {
		const { status, json } = await getJson('/models/gpt-9');
		expect(status).toBe(404);
		expect(json).toEqual({
			error: {
				message: 'The model `gpt-9` does not exist or you do not have access to it.',
				type: 'invalid_request_error',
				param: null,
				code: 'model_not_found',
			},
		});
	});

	it('serves and checks against the mutable list, and reset() restores it', async () => {
		server.models.splice(0, server.models.length, { id: 'only-model', object: 'model', created: 1, owned_by: 'me' });
		expect((await getJson('/models')).json.data.map((model: Loose) => model.id)).toEqual(['only-model']);
		expect((await postJson('/chat/completions', { model: 'gpt-4o', messages: [] })).status).toBe(404);
		expect((await postJson('/chat/completions', { model: 'only-model', messages: [] })).status).toBe(200);
		server.reset();
		expect(server.models).toEqual(DEFAULT_MODELS);
		expect(server.requests).toEqual([]);
	});
});

// ---------------------------------------------------------------------------------------------
// Chat completions
// ---------------------------------------------------------------------------------------------

describe('chat completions', () => {
	it('echoes the last user message with the latest response shape', async () => {
		const { status, json } = await postJson('/chat/completions', {
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'system', content: 'You are terse.' },
				userMessage('first question'),
				{ role: 'assistant', content: 'first answer' },
				userMessage('hello big world'),
			],
		});
		expect(status).toBe(200);
		expect(json).toEqual({
			id: expect.stringMatching(/^chatcmpl-/),
			object: 'chat.completion',
			created: expect.any(Number),
			model: 'gpt-4o-mini',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: 'Echo: hello big world', refusal: null, annotations: [] },
					logprobs: null,
					finish_reason: 'stop',
				},
			],
			usage: {
				prompt_tokens: 3 + 2 + 2 + 3,
				completion_tokens: 4,
				total_tokens: 14,
				prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
				completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
			},
			system_fingerprint: expect.stringMatching(/^fp_/),
		});
	});

	it('joins the text parts of an array content and ignores images', async () => {
		const { json } = await postJson('/chat/completions', {
			model: 'gpt-4o',
			messages: [
				userMessage([
					{ type: 'text', text: 'What is' },
					{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
					{ type: 'text', text: 'in this image?' },
				]),
			],
		});
		expect(json.choices[0].message.content).toBe('Echo: What is in this image?');
		expect(json.usage.prompt_tokens).toBe(5);
	});

	it('returns n numbered choices and counts all of them in usage', async () => {
		const { json } = await postJson('/chat/completions', { model: 'gpt-4o', messages: [userMessage('hi')], n: 3 });
		expect(json.choices.map((choice: Loose) => [choice.index, choice.message.content])).toEqual([
			[0, 'Echo: hi #0'],
			[1, 'Echo: hi #1'],
			[2, 'Echo: hi #2'],
		]);
		expect(json.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 9, total_tokens: 10 });
	});

	it('calls the first tool when the user text starts with CALL', async () => {
		const tools = [
			{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } },
			{ type: 'function', function: { name: 'other' } },
		];
		const { json } = await postJson('/chat/completions', { model: 'gpt-4o', tools, messages: [userMessage('CALL weather in Paris')] });
		expect(json.choices[0]).toEqual({
			index: 0,
			message: {
				role: 'assistant',
				content: null,
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"text":"weather in Paris"}' } }],
				refusal: null,
				annotations: [],
			},
			logprobs: null,
			finish_reason: 'tool_calls',
		});
	});

	it('does not call a tool without tools or without the CALL prefix', async () => {
		const withoutTools = await postJson('/chat/completions', { model: 'gpt-4o', messages: [userMessage('CALL x')] });
		const withoutPrefix = await postJson('/chat/completions', {
			model: 'gpt-4o',
			tools: [{ type: 'function', function: { name: 'f' } }],
			messages: [userMessage('please CALL x')],
		});
		expect(withoutTools.json.choices[0].message.content).toBe('Echo: CALL x');
		expect(withoutPrefix.json.choices[0].finish_reason).toBe('stop');
	});

	it('returns per-token logprobs with top_logprobs', async () => {
		const { json } = await postJson('/chat/completions', { model: 'gpt-4o', messages: [userMessage('hello there')], logprobs: true, top_logprobs: 3 });
		const { logprobs, message } = json.choices[0];
		expect(logprobs.refusal).toBeNull();
		expect(logprobs.content.map((entry: Loose) => entry.token)).toEqual(['Echo:', ' hello', ' there']);
		expect(logprobs.content.map((entry: Loose) => entry.token).join('')).toBe(message.content);
		for (const entry of logprobs.content) {
			expect(entry.logprob).toBeLessThan(0);
			expect(entry.bytes).toEqual([...Buffer.from(entry.token)]);
			expect(entry.top_logprobs).toHaveLength(3);
			expect(entry.top_logprobs[0]).toEqual({ token: entry.token, logprob: entry.logprob, bytes: entry.bytes });
		}
	});

	it('echoes service_tier only when requested', async () => {
		const requested = await postJson('/chat/completions', { model: 'gpt-4o', messages: [], service_tier: 'flex' });
		const omitted = await postJson('/chat/completions', { model: 'gpt-4o', messages: [] });
		expect(requested.json.service_tier).toBe('flex');
		expect(omitted.json).not.toHaveProperty('service_tier');
	});

	it('validates like OpenAI: unknown model, missing model, missing messages, bad n', async () => {
		const unknown = await postJson('/chat/completions', { model: 'gpt-5-imaginary', messages: [] });
		expect(unknown.status).toBe(404);
		expect(unknown.json.error).toMatchObject({ code: 'model_not_found', message: 'The model `gpt-5-imaginary` does not exist or you do not have access to it.' });

		const noModel = await postJson('/chat/completions', { messages: [] });
		expect(noModel.status).toBe(400);
		expect(noModel.json.error.message).toBe('you must provide a model parameter');

		const noMessages = await postJson('/chat/completions', { model: 'gpt-4o' });
		expect(noMessages.json.error).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });

		const badN = await postJson('/chat/completions', { model: 'gpt-4o', messages: [], n: 0 });
		expect(badN.status).toBe(400);
		expect(badN.json.error.param).toBe('n');
	});

	it('answers malformed JSON with a 400 parse error', async () => {
		const { status, json } = await postJson('/chat/completions', '{"model": "gpt-4o", ');
		expect(status).toBe(400);
		expect(json.error).toMatchObject({ type: 'invalid_request_error', param: null, code: null });
		expect(json.error.message).toMatch(/^We could not parse the JSON body of your request/);
		expect(server.requests[0].body).toBeUndefined();
		expect(server.requests[0].rawBody).toBe('{"model": "gpt-4o", ');
	});
});

// ---------------------------------------------------------------------------------------------
// Chat streaming
// ---------------------------------------------------------------------------------------------

describe('chat streaming', () => {
	async function streamedAndPlain(request: Record<string, unknown>) {
		const plain = (await postJson('/chat/completions', request)).json;
		const response = await post('/chat/completions', { ...request, stream: true });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		return { plain, response, stream: await streamPayloads(response) };
	}

	it('streams OpenAI chunks that reassemble into the non-streamed response (n=2, usage)', async () => {
		const request = { model: 'gpt-4o', messages: [userMessage('stream this sentence please')], n: 2, stream_options: { include_usage: true } };
		const { plain, stream } = await streamedAndPlain(request);
		const assembled = assembleChat(stream.payloads);

		expect(assembled.choices.map(chatEssentials)).toEqual(plain.choices.map(chatEssentials));
		expect(assembled.usage).toEqual(plain.usage);
		expect(stream.endedWithDone).toBe(true);

		const [first, ...rest] = stream.payloads;
		expect(first).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4o', usage: null });
		expect(first.id).toMatch(/^chatcmpl-/);
		expect(first.choices).toEqual([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
		expect(stream.payloads.every((chunk) => chunk.id === first.id)).toBe(true);

		const usageChunk = rest.at(-1);
		expect(usageChunk.choices).toEqual([]);
		expect(rest.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);

		const finishChunks = stream.payloads.filter((chunk) => chunk.choices[0]?.finish_reason);
		expect(finishChunks.map((chunk) => chunk.choices[0])).toEqual([
			{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
			{ index: 1, delta: {}, logprobs: null, finish_reason: 'stop' },
		]);
		const contentDeltas = stream.payloads.filter((chunk) => chunk.choices[0]?.delta.content);
		expect(contentDeltas.length).toBeGreaterThan(4);
	});

	it('omits usage entirely without include_usage', async () => {
		const { stream } = await streamedAndPlain({ model: 'gpt-4o', messages: [userMessage('hi')] });
		expect(stream.payloads.some((chunk) => 'usage' in chunk)).toBe(false);
		expect(stream.payloads.every((chunk) => chunk.choices.length === 1)).toBe(true);
	});

	it('streams tool calls in OpenAI fragments that reassemble exactly', async () => {
		const request = {
			model: 'gpt-4o',
			tools: [{ type: 'function', function: { name: 'search_docs' } }],
			messages: [userMessage('CALL find the refund policy')],
			stream_options: { include_usage: true },
		};
		const { plain, stream } = await streamedAndPlain(request);
		const assembled = assembleChat(stream.payloads);
		expect(assembled.choices.map(chatEssentials)).toEqual(plain.choices.map(chatEssentials));
		expect(assembled.usage).toEqual(plain.usage);

		const toolDeltas = stream.payloads.flatMap((chunk) => chunk.choices.flatMap((choice: Loose) => choice.delta.tool_calls ?? []));
		expect(toolDeltas[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'search_docs', arguments: '' } });
		expect(toolDeltas.length).toBeGreaterThan(2);
		for (const fragment of toolDeltas.slice(1)) expect(Object.keys(fragment).sort()).toEqual(['function', 'index']);
		expect(stream.payloads.find((chunk) => chunk.choices[0]?.finish_reason).choices[0].finish_reason).toBe('tool_calls');
	});

	it('streams logprobs per delta that reassemble into the non-streamed logprobs', async () => {
		const { plain, stream } = await streamedAndPlain({ model: 'gpt-4o', messages: [userMessage('one two three')], logprobs: true, top_logprobs: 2 });
		const assembled = assembleChat(stream.payloads);
		expect(assembled.choices.map(chatEssentials)).toEqual(plain.choices.map(chatEssentials));
		expect(assembled.choices[0].logprobs.content).toHaveLength(4);
	});

	it('echoes service_tier in chunks', async () => {
		const { stream } = await streamedAndPlain({ model: 'gpt-4o', messages: [userMessage('hi')], service_tier: 'default' });
		expect(stream.payloads.every((chunk) => chunk.service_tier === 'default')).toBe(true);
	});

	it('splits the byte stream across many writes, mid-event, with a keep-alive comment', async () => {
		const { stream } = await streamedAndPlain({ model: 'gpt-4o', messages: [userMessage('split me')] });
		expect(stream.chunks.length).toBeGreaterThan(1);
		expect(stream.chunks.some((chunk) => !chunk.endsWith('\n\n'))).toBe(true);
		expect(stream.comments).toContain('keep-alive');
	});

	it('ends every line with CRLF when asked to, with the same events', async () => {
		const crlfServer = await startOpenAiServer({ sseLineEnding: '\r\n' });
		try {
			const request = { model: 'gpt-4o', messages: [userMessage('two words')], stream: true };
			const response = await fetch(`${crlfServer.baseUrl()}/chat/completions`, { method: 'POST', headers: AUTH, body: JSON.stringify(request) });
			const { text } = await readChunks(response);
			expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
			expect(text.startsWith('data: {')).toBe(true);
			expect(text.endsWith('data: [DONE]\r\n\r\n')).toBe(true);
			const { events, comments } = parseSse(text.replace(/\r\n/g, '\n'));
			expect(events.at(-1)?.data).toBe('[DONE]');
			const deltas = events.slice(0, -1).map((event) => JSON.parse(event.data).choices[0].delta);
			expect(deltas[0]).toEqual({ role: 'assistant', content: '', refusal: null });
			expect(deltas.at(-1)).toEqual({});
			expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Echo: two words');
			expect(comments).toEqual(['keep-alive']);
		} finally {
			await crlfServer.close();
		}
	});
});

describe('client aborts', () => {
	it('marks a request whose client went away before the answer', async () => {
		server.failNext('/chat/completions', { hangMs: 5000 });
		const controller = new AbortController();
		const pending = fetch(`${server.baseUrl()}/chat/completions`, {
			method: 'POST',
			headers: AUTH,
			body: JSON.stringify({ model: 'gpt-4o', messages: [userMessage('hi')] }),
			signal: controller.signal,
		}).catch((error: Error) => error.name);
		while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
		controller.abort();
		expect(await pending).toBe('AbortError');
		for (let waited = 0; !server.requests[0].abortedByClient && waited < 2000; waited += 10) {
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		expect(server.requests[0].abortedByClient).toBe(true);
	});

	it('leaves an answered request unmarked', async () => {
		expect((await postJson('/chat/completions', { model: 'gpt-4o', messages: [userMessage('hi')] })).status).toBe(200);
		expect(server.requests[0].abortedByClient).toBeUndefined();
	});
});

// ---------------------------------------------------------------------------------------------
// Legacy completions
// ---------------------------------------------------------------------------------------------

describe('completions', () => {
	it('echoes a string prompt in the text_completion shape', async () => {
		const { json } = await postJson('/completions', { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' });
		expect(json).toEqual({
			id: expect.stringMatching(/^cmpl-/),
			object: 'text_completion',
			created: expect.any(Number),
			model: 'gpt-3.5-turbo-instruct',
			system_fingerprint: expect.any(String),
			choices: [{ text: ' Echo: Say this is a test', index: 0, logprobs: null, finish_reason: 'stop' }],
			usage: { prompt_tokens: 5, completion_tokens: 6, total_tokens: 11 },
		});
	});

	it('gives one choice per prompt and per n, indexed sequentially', async () => {
		const { json } = await postJson('/completions', { model: 'davinci-002', prompt: ['alpha', 'beta'], n: 2 });
		expect(json.choices.map((choice: Loose) => [choice.index, choice.text])).toEqual([
			[0, ' Echo: alpha'],
			[1, ' Echo: alpha'],
			[2, ' Echo: beta'],
			[3, ' Echo: beta'],
		]);
		expect(json.usage).toEqual({ prompt_tokens: 2, completion_tokens: 8, total_tokens: 10 });
	});

	it('accepts a token array and an array of token arrays', async () => {
		const single = await postJson('/completions', { model: 'davinci-002', prompt: [1, 22, 333] });
		expect(single.json.choices.map((choice: Loose) => choice.text)).toEqual([' Echo: 1,22,333']);
		expect(single.json.usage.prompt_tokens).toBe(3);

		const batch = await postJson('/completions', { model: 'davinci-002', prompt: [[7, 8], [9]] });
		expect(batch.json.choices.map((choice: Loose) => choice.text)).toEqual([' Echo: 7,8', ' Echo: 9']);
	});

	it('prepends the prompt when echo is true', async () => {
		const { json } = await postJson('/completions', { model: 'davinci-002', prompt: 'Hi', echo: true });
		expect(json.choices[0].text).toBe('Hi Echo: Hi');
	});

	it('returns legacy logprobs when logprobs is a number', async () => {
		const prompt = 'count words';
		const { json } = await postJson('/completions', { model: 'davinci-002', prompt, logprobs: 2 });
		const { text, logprobs } = json.choices[0];
		expect(logprobs.tokens.join('')).toBe(text);
		expect(logprobs.token_logprobs).toHaveLength(logprobs.tokens.length);
		expect(logprobs.text_offset[0]).toBe(prompt.length);
		expect(logprobs.text_offset[1]).toBe(prompt.length + logprobs.tokens[0].length);
		logprobs.top_logprobs.forEach((top: Record<string, number>, position: number) => {
			expect(Object.keys(top)).toHaveLength(2);
			expect(top[logprobs.tokens[position]]).toBe(logprobs.token_logprobs[position]);
		});
	});

	it('rejects a prompt of mixed types', async () => {
		const { status, json } = await postJson('/completions', { model: 'davinci-002', prompt: ['a', 1] });
		expect(status).toBe(400);
		expect(json.error.param).toBe('prompt');
	});

	it('streams chunks that reassemble into the non-streamed response', async () => {
		const request = { model: 'davinci-002', prompt: ['first prompt', 'second one'], n: 2, logprobs: 1, stream_options: { include_usage: true } };
		const plain = (await postJson('/completions', request)).json;
		const stream = await streamPayloads(await post('/completions', { ...request, stream: true }));
		expect(stream.endedWithDone).toBe(true);
		expect(stream.payloads[0]).toMatchObject({ object: 'text_completion', model: 'davinci-002', usage: null });
		const assembled = assembleCompletion(stream.payloads);
		expect(assembled.choices).toEqual(plain.choices);
		expect(assembled.usage).toEqual(plain.usage);
	});

	it('streams plain text in small pieces without logprobs', async () => {
		const request = { model: 'davinci-002', prompt: 'a fairly long prompt to cut' };
		const plain = (await postJson('/completions', request)).json;
		const stream = await streamPayloads(await post('/completions', { ...request, stream: true }));
		expect(stream.payloads.length).toBeGreaterThan(5);
		expect(assembleCompletion(stream.payloads).choices).toEqual(plain.choices);
	});
});

// ---------------------------------------------------------------------------------------------
// Edits
// ---------------------------------------------------------------------------------------------

describe('edits', () => {
	it('returns n edit choices with usage', async () => {
		const { status, json } = await postJson('/edits', {
			model: 'text-davinci-edit-001',
			input: 'What day of the wek is it?',
			instruction: 'Fix the spelling mistakes',
			n: 2,
		});
		expect(status).toBe(200);
		const text = 'Edited: What day of the wek is it? (Fix the spelling mistakes)';
		expect(json).toEqual({
			object: 'edit',
			created: expect.any(Number),
			choices: [
				{ text, index: 0 },
				{ text, index: 1 },
			],
			usage: { prompt_tokens: 7 + 4, completion_tokens: 12 * 2, total_tokens: 35 },
		});
	});

	it('treats a missing input as empty and requires an instruction', async () => {
		const noInput = await postJson('/edits', { model: 'code-davinci-edit-001', instruction: 'Write a haiku' });
		expect(noInput.json.choices[0].text).toBe('Edited:  (Write a haiku)');
		const noInstruction = await postJson('/edits', { model: 'code-davinci-edit-001', input: 'x' });
		expect(noInstruction.status).toBe(400);
		expect(noInstruction.json.error.param).toBe('instruction');
	});
});

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

describe('images', () => {
	it('defaults to dall-e-2 URLs that download a real PNG without auth', async () => {
		const { json } = await postJson('/images/generations', { prompt: 'a red square', n: 2 });
		expect(json).toEqual({
			created: expect.any(Number),
			data: [{ url: expect.stringMatching(/\/files\/img-\d+\.png$/) }, { url: expect.stringMatching(/\/files\/img-\d+\.png$/) }],
		});
		expect(json.data[0].url).not.toBe(json.data[1].url);
		expect(json.data[0].url.startsWith(`${server.url}/files/`)).toBe(true);
		const download = await fetch(json.data[0].url);
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toBe('image/png');
		expect(Buffer.from(await download.arrayBuffer())).toEqual(TEST_PNG);
	});

	it('returns base64 when asked and a revised prompt for dall-e-3', async () => {
		const { json } = await postJson('/images/generations', { model: 'dall-e-3', prompt: 'a lighthouse', response_format: 'b64_json' });
		expect(json.data).toEqual([{ b64_json: TEST_PNG.toString('base64'), revised_prompt: 'Revised: a lighthouse' }]);
	});

	it('always returns base64 plus settings and usage for gpt-image models', async () => {
		const { json } = await postJson('/images/generations', {
			model: 'gpt-image-1',
			prompt: 'a small red square',
			size: '1024x1536',
			quality: 'low',
			background: 'transparent',
			response_format: 'url',
		});
		expect(json).toEqual({
			created: expect.any(Number),
			data: [{ b64_json: TEST_PNG.toString('base64') }],
			size: '1024x1536',
			quality: 'low',
			background: 'transparent',
			output_format: 'png',
			usage: {
				total_tokens: expect.any(Number),
				input_tokens: 4,
				output_tokens: expect.any(Number),
				input_tokens_details: { text_tokens: 4, image_tokens: 0 },
			},
		});
		expect(json.usage.total_tokens).toBe(json.usage.input_tokens + json.usage.output_tokens);
		expect(json.usage.output_tokens).toBeGreaterThan(0);
	});

	it('streams gpt-image partial and completed events', async () => {
		const response = await post('/images/generations', { model: 'gpt-image-1', prompt: 'a cat', stream: true, partial_images: 2 });
		expect(response.headers.get('content-type')).toBe('text/event-stream');
		const { events } = parseSse((await readChunks(response)).text);
		expect(events.map((event) => event.event)).toEqual([
			'image_generation.partial_image',
			'image_generation.partial_image',
			'image_generation.completed',
		]);
		const payloads = events.map((event) => JSON.parse(event.data));
		expect(payloads.map((payload) => payload.type)).toEqual(events.map((event) => event.event));
		expect(payloads[1].partial_image_index).toBe(1);
		expect(payloads[2]).toMatchObject({ b64_json: TEST_PNG.toString('base64'), output_format: 'png', usage: expect.any(Object) });
	});

	it('requires a prompt', async () => {
		const { status, json } = await postJson('/images/generations', { model: 'dall-e-2' });
		expect(status).toBe(400);
		expect(json.error.param).toBe('prompt');
	});
});

// ---------------------------------------------------------------------------------------------
// Moderations
// ---------------------------------------------------------------------------------------------

describe('moderations', () => {
	const OMNI_CATEGORIES = [
		'harassment',
		'harassment/threatening',
		'sexual',
		'hate',
		'hate/threatening',
		'illicit',
		'illicit/violent',
		'self-harm/intent',
		'self-harm/instructions',
		'self-harm',
		'sexual/minors',
		'violence',
		'violence/graphic',
	];

	it('classifies one string with the omni model by default', async () => {
		const { json } = await postJson('/moderations', { input: 'What a lovely day' });
		expect(json.id).toMatch(/^modr-/);
		expect(json.model).toBe('omni-moderation-latest');
		expect(json.results).toHaveLength(1);
		const [result] = json.results;
		expect(result.flagged).toBe(false);
		expect(Object.keys(result.categories).sort()).toEqual([...OMNI_CATEGORIES].sort());
		expect(Object.keys(result.category_scores).sort()).toEqual([...OMNI_CATEGORIES].sort());
		expect(Object.values(result.categories).every((value) => value === false)).toBe(true);
		expect(result.category_applied_input_types.violence).toEqual(['text']);
	});

	it('returns one result per string and flags the word kill', async () => {
		const { json } = await postJson('/moderations', { input: ['I will KILL you', 'skills are great'] });
		expect(json.results.map((result: Loose) => result.flagged)).toEqual([true, false]);
		const [threat] = json.results;
		expect(threat.categories).toMatchObject({ violence: true, harassment: true, 'harassment/threatening': true, sexual: false });
		expect(threat.category_scores.violence).toBeGreaterThan(0.5);
	});

	it('returns ONE result for a multi-modal parts array with image input types', async () => {
		const { json } = await postJson('/moderations', {
			model: 'omni-moderation-latest',
			input: [
				{ type: 'text', text: 'kill' },
				{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
			],
		});
		expect(json.results).toHaveLength(1);
		const applied = json.results[0].category_applied_input_types;
		expect(applied.violence).toEqual(['text', 'image']);
		expect(applied.harassment).toEqual(['text']);
	});

	it('leaves out omni-only fields for text-moderation models', async () => {
		const { json } = await postJson('/moderations', { model: 'text-moderation-stable', input: 'fine' });
		expect(json.model).toBe('text-moderation-stable');
		const [result] = json.results;
		expect(result.categories).not.toHaveProperty('illicit');
		expect(result).not.toHaveProperty('category_applied_input_types');
	});

	it('requires input and a known model', async () => {
		expect((await postJson('/moderations', {})).json.error.param).toBe('input');
		expect((await postJson('/moderations', { model: 'text-moderation-999', input: 'x' })).status).toBe(404);
	});
});

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

describe('faults', () => {
	const chatRequest = { model: 'gpt-4o', messages: [userMessage('hi')] };

	it('responds with the fault status, JSON body and headers, then recovers', async () => {
		const rateLimit = { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
		server.failNext('/chat/completions', { status: 429, body: rateLimit, headers: { 'retry-after': '1' } });
		const faulted = await post('/chat/completions', chatRequest);
		expect(faulted.status).toBe(429);
		expect(faulted.headers.get('retry-after')).toBe('1');
		expect(faulted.headers.get('content-type')).toBe('application/json');
		expect(await faulted.json()).toEqual(rateLimit);

		expect((await postJson('/chat/completions', chatRequest)).status).toBe(200);
		expect(server.requests).toHaveLength(2);
	});

	it('sends an OpenAI-style default body for a bare status', async () => {
		server.failNext('/models', { status: 500 });
		const { status, json } = await getJson('/models');
		expect(status).toBe(500);
		expect(json.error).toMatchObject({ type: 'server_error', param: null, code: null });
	});

	it('sends a string body as HTML', async () => {
		const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
		server.failNext('/models', { status: 502, body: html });
		const response = await fetch(server.baseUrl() + '/models', { headers: AUTH });
		expect(response.status).toBe(502);
		expect(response.headers.get('content-type')).toMatch(/^text\/html/);
		expect(await response.text()).toBe(html);
	});

	it('resets the connection so fetch rejects', async () => {
		server.failNext('/chat/completions', { reset: true });
		await expect(post('/chat/completions', chatRequest)).rejects.toThrow();
		expect(server.requests).toHaveLength(1);
	});

	it('hangs long enough for a client timeout', async () => {
		server.failNext('/models', { hangMs: 2000 });
		const started = Date.now();
		await expect(fetch(server.baseUrl() + '/models', { headers: AUTH, signal: AbortSignal.timeout(150) })).rejects.toThrow();
		expect(Date.now() - started).toBeLessThan(1500);
	});

	it('serves the normal response after a short hang', async () => {
		server.failNext('/models', { hangMs: 60 });
		const started = Date.now();
		expect((await getJson('/models')).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(55);
	});

	it('cuts a stream after N chunks without [DONE]', async () => {
		server.failNext('/chat/completions', { cutStreamAfterChunks: 2 });
		const stream = await streamPayloads(await post('/chat/completions', { ...chatRequest, stream: true }));
		expect(stream.payloads).toHaveLength(2);
		expect(stream.endedWithDone).toBe(false);
		expect(stream.payloads[0].choices[0].delta.role).toBe('assistant');
	});

	it('sends an in-stream error after the first chunk', async () => {
		const streamError = { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null };
		server.failNext('/chat/completions', { streamError });
		const stream = await streamPayloads(await post('/chat/completions', { ...chatRequest, stream: true }));
		expect(stream.payloads).toHaveLength(2);
		expect(stream.payloads[0].object).toBe('chat.completion.chunk');
		expect(stream.payloads[1]).toEqual({ error: streamError });
		expect(stream.endedWithDone).toBe(false);
	});

	it('consumes failNext once, or `times` times, in FIFO order', async () => {
		server.failNext('/models', { status: 503 }, 2);
		server.failNext('/models', { status: 429 });
		const statuses = [];
		for (let attempt = 0; attempt < 4; attempt++) statuses.push((await fetch(server.baseUrl() + '/models', { headers: AUTH })).status);
		expect(statuses).toEqual([503, 503, 429, 200]);
	});

	it('matches by RegExp or predicate and leaves other paths alone', async () => {
		server.failNext(/^\/models\//, { status: 418 });
		server.failNext((request) => (request.body as Loose)?.model === 'gpt-4.1', { status: 400 });
		expect((await getJson('/models')).status).toBe(200);
		expect((await getJson('/models/gpt-4o')).status).toBe(418);
		expect((await postJson('/chat/completions', chatRequest)).status).toBe(200);
		expect((await postJson('/chat/completions', { ...chatRequest, model: 'gpt-4.1' })).status).toBe(400);
	});

	it('applies failAlways until reset()', async () => {
		server.failAlways('/models', { status: 500 });
		expect((await getJson('/models')).status).toBe(500);
		expect((await getJson('/models')).status).toBe(500);
		server.reset();
		expect((await getJson('/models')).status).toBe(200);
	});

	it('checks auth before faults, so an unauthorised request does not consume one', async () => {
		server.failNext('/models', { status: 500 });
		expect((await getJson('/models', { Authorization: 'Bearer sk-wrong-key' })).status).toBe(401);
		expect((await getJson('/models')).status).toBe(500);
	});

	it('rejects a non-positive times', () => {
		expect(() => server.failNext('/models', { status: 500 }, 0)).toThrow(RangeError);
	});
});

// ---------------------------------------------------------------------------------------------
// PNG
// ---------------------------------------------------------------------------------------------

interface PngChunk {
	type: string;
	data: Buffer;
	storedCrc: number;
	typeAndData: Buffer;
}

function readPngChunks(png: Buffer): PngChunk[] {
	const chunks: PngChunk[] = [];
	for (let offset = PNG_SIGNATURE.length; offset < png.length; ) {
		const length = png.readUInt32BE(offset);
		const typeAndData = png.subarray(offset + 4, offset + 8 + length);
		chunks.push({
			type: typeAndData.subarray(0, 4).toString('ascii'),
			data: typeAndData.subarray(4),
			storedCrc: png.readUInt32BE(offset + 8 + length),
			typeAndData,
		});
		offset += 12 + length;
	}
	return chunks;
}

describe('makePng', () => {
	it('writes signature, IHDR, IDAT, IEND with correct CRCs', () => {
		const png = makePng(5, 2, [10, 20, 30]);
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
		const chunks = readPngChunks(png);
		expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
		for (const chunk of chunks) expect(chunk.storedCrc).toBe(zlibCrc32(chunk.typeAndData));

		const header = chunks[0].data;
		expect([header.readUInt32BE(0), header.readUInt32BE(4)]).toEqual([5, 2]);
		expect([...header.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
	});

	it('encodes every pixel in the requested colour', () => {
		const pixels = inflateSync(readPngChunks(makePng(3, 2, [1, 2, 3]))[1].data);
		const row = [0, 1, 2, 3, 1, 2, 3, 1, 2, 3];
		expect([...pixels]).toEqual([...row, ...row]);
	});

	it('exports a 4x3 red TEST_PNG', () => {
		const header = readPngChunks(TEST_PNG)[0].data;
		expect([header.readUInt32BE(0), header.readUInt32BE(4)]).toEqual([4, 3]);
		expect([...inflateSync(readPngChunks(TEST_PNG)[1].data).subarray(1, 4)]).toEqual([255, 0, 0]);
	});

	it('rejects impossible sizes and colours', () => {
		expect(() => makePng(0, 1, [0, 0, 0])).toThrow(RangeError);
		expect(() => makePng(1, 1, [0, 256, 0])).toThrow(RangeError);
	});
});
