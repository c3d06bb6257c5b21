/**
 * Streaming through n8n's engine: the test server sends real chunked SSE (small writes, split events,
 * a keep-alive comment, a pause between writes) and the node must return exactly what the same call
 * returns unstreamed.
 *
 * Fields that legitimately differ between the two calls, and are therefore dropped before comparing raw output:
 * - `id`: every call is a new completion with its own id (the server counts them up).
 * - `message.annotations`: OpenAI's non-streamed message carries `annotations: []`, but no delta carries it,
 *   so the assembled message cannot rebuild it (see transport/sse.ts). Simplified output drops empty arrays anyway.
 * `object` is NOT among them: the node assembles `chat.completion` / `text_completion`, as the unstreamed call returns.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { governor } from '../../../nodes/OpenAiRest/transport/governor';
import { runNode, type RunOptions } from '../../support/engine';
import { type CapturedRequest, type OpenAiServer, startOpenAiServer } from '../../support/openai-server';
import { chatUsage } from '../../support/usage';

const API_KEY = 'sk-test-key';
const STREAM_DELAY_MS = 2;

/** The server in use: OpenAI's LF line endings, or CRLF like some compatible servers send. */
let server: OpenAiServer;
const servers: Record<'LF' | 'CRLF', OpenAiServer> = {} as Record<'LF' | 'CRLF', OpenAiServer>;

beforeAll(async () => {
	servers.LF = await startOpenAiServer({ streamChunkDelayMs: STREAM_DELAY_MS });
	servers.CRLF = await startOpenAiServer({ streamChunkDelayMs: STREAM_DELAY_MS, sseLineEnding: '\r\n' });
	server = servers.LF;
});

afterAll(async () => {
	await Promise.all(Object.values(servers).map((each) => each.close()));
});

beforeEach(() => {
	// Each test meets the rate-limit governor as a fresh process would.
	governor.clear();
	server.reset();
});

const TOOLS = [
	{
		type: 'function',
		function: {
			name: 'lookup',
			description: 'Looks a text up',
			parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
		},
	},
];

function chatParameters(content: string, options: IDataObject, simplify = true): INodeParameters {
	return {
		resource: 'chat',
		operation: 'create',
		chatModel: 'gpt-4o-mini',
		chatSimplify: simplify,
		messages: { values: [{ role: 'user', content }] },
		chatOptions: options,
	} as INodeParameters;
}

function textParameters(options: IDataObject, simplify = true): INodeParameters {
	return {
		resource: 'text',
		operation: 'create',
		textModel: 'gpt-3.5-turbo-instruct',
		textPrompt: 'Say this',
		textSimplify: simplify,
		textOptions: options,
	} as INodeParameters;
}

function run(parameters: INodeParameters, extra: Partial<RunOptions> = {}) {
	return runNode(parameters, { credentials: { apiKey: API_KEY, baseUrl: server.baseUrl() }, ...extra });
}

/** Raw output without the fields that differ between two calls (see the file header). */
function comparable(items: INodeExecutionData[]): unknown[] {
	return items.map(({ json, pairedItem }) => {
		const { id: _id, ...rest } = json;
		const choices = (rest.choices as IDataObject[] | undefined)?.map((choice) => {
			if (!choice.message) return choice;
			const { annotations: _annotations, ...message } = choice.message as IDataObject;
			return { ...choice, message };
		});
		return { json: choices ? { ...rest, choices } : rest, pairedItem };
	});
}

/** Runs the same parameters unstreamed and streamed; returns both outputs and the two requests. */
async function runBoth(build: (options: IDataObject, simplify: boolean) => INodeParameters, options: IDataObject, simplify: boolean, input?: IDataObject[]) {
	const plain = await run(build(options, simplify), { input });
	const streamed = await run(build({ ...options, stream: true }, simplify), { input });
	expect(plain.error).toBeUndefined();
	expect(streamed.error).toBeUndefined();
	return { plain: plain.items, streamed: streamed.items };
}

function bodiesOf(requests: CapturedRequest[]) {
	return requests.map((request) => ({ method: request.method, path: request.fullPath, body: request.body }));
}

function contentOf(request: CapturedRequest): unknown {
	return (request.body as { messages?: Array<{ content?: unknown }> }).messages?.[0]?.content;
}

describe.each(['LF', 'CRLF'] as const)('streams with %s line endings', (lineEnding) => {
	beforeAll(() => {
		server = servers[lineEnding];
	});

	afterAll(() => {
		server = servers.LF;
	});

	describe('streamed chat completions', () => {
		it('sends stream and stream_options and returns the plain answer like an unstreamed call', async () => {
			const { plain, streamed } = await runBoth((options, simplify) => chatParameters('Hi there', options, simplify), {}, true);

			const expected = [
				{
					json: {
						role: 'assistant',
						content: 'Echo: Hi there',
						finish_reason: 'stop',
						usage: chatUsage(2, 3),
					},
					pairedItem: { item: 0 },
				},
			];
			expect(plain).toEqual(expected);
			expect(streamed).toEqual(expected);
			expect(bodiesOf(server.requests)).toEqual([
				{
					method: 'POST',
					path: '/v1/chat/completions',
					body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi there' }] },
				},
				{
					method: 'POST',
					path: '/v1/chat/completions',
					body: {
						model: 'gpt-4o-mini',
						stream: true,
						messages: [{ role: 'user', content: 'Hi there' }],
						stream_options: { include_usage: true },
					},
				},
			]);
			expect(server.requests[1].headers.authorization).toBe(`Bearer ${API_KEY}`);
			expect(server.requests[1].headers['content-type']).toBe('application/json');
		});

		it('returns the same raw body, apart from id and annotations', async () => {
			const { plain, streamed } = await runBoth((options, simplify) => chatParameters('Hi there', options, simplify), {}, false);

			expect(streamed[0].json.object).toBe('chat.completion');
			expect(streamed[0].json.id).toMatch(/^chatcmpl-/);
			expect(streamed[0].json.id).not.toBe(plain[0].json.id);
			expect(comparable(streamed)).toEqual(comparable(plain));
			expect(comparable(streamed)).toEqual([
				{
					json: {
						object: 'chat.completion',
						created: 1741569952,
						model: 'gpt-4o-mini',
						choices: [
							{
								index: 0,
								message: { role: 'assistant', content: 'Echo: Hi there', refusal: null },
								logprobs: null,
								finish_reason: 'stop',
							},
						],
						usage: chatUsage(2, 3),
						system_fingerprint: 'fp_7c3a9e1b42',
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		it.each([true, false])('assembles n=2 choices per input item, simplify %s', async (simplify) => {
			const input = [{ q: 'first' }, { q: 'second' }];
			const build = (options: IDataObject, simple: boolean) => chatParameters('={{ $json.q }}', options, simple);
			const { plain, streamed } = await runBoth(build, { n: 2 }, simplify, input);

			expect(comparable(streamed)).toEqual(comparable(plain));
			if (simplify) {
				expect(streamed.map((item) => [item.json.content, item.json.index, item.pairedItem])).toEqual([
					['Echo: first #0', 0, { item: 0 }],
					['Echo: first #1', 1, { item: 0 }],
					['Echo: second #0', 0, { item: 1 }],
					['Echo: second #1', 1, { item: 1 }],
				]);
			} else {
				expect(streamed.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
				const messages = streamed.map((item) => (item.json.choices as IDataObject[]).map((choice) => choice.message));
				expect(messages).toEqual([
					[
						{ role: 'assistant', content: 'Echo: first #0', refusal: null },
						{ role: 'assistant', content: 'Echo: first #1', refusal: null },
					],
					[
						{ role: 'assistant', content: 'Echo: second #0', refusal: null },
						{ role: 'assistant', content: 'Echo: second #1', refusal: null },
					],
				]);
			}
		});

		it.each([true, false])('merges streamed tool call fragments by index, simplify %s', async (simplify) => {
			const build = (options: IDataObject, simple: boolean) => chatParameters('CALL the weather in Paris', options, simple);
			const { plain, streamed } = await runBoth(build, { tools: JSON.stringify(TOOLS) }, simplify);

			expect(comparable(streamed)).toEqual(comparable(plain));
			const toolCalls = [
				{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"text":"the weather in Paris"}' } },
			];
			if (simplify) {
				expect(streamed).toEqual([
					{
						json: {
							role: 'assistant',
							tool_calls: toolCalls,
							finish_reason: 'tool_calls',
							usage: chatUsage(5, 4),
						},
						pairedItem: { item: 0 },
					},
				]);
			} else {
				expect((streamed[0].json.choices as IDataObject[])[0]).toEqual({
					index: 0,
					message: { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null },
					logprobs: null,
					finish_reason: 'tool_calls',
				});
			}
			expect((server.requests[1].body as IDataObject).tools).toEqual(TOOLS);
		});

		it.each([true, false])('joins per-token logprobs into one list, simplify %s', async (simplify) => {
			const build = (options: IDataObject, simple: boolean) => chatParameters('Hi there', options, simple);
			const { plain, streamed } = await runBoth(build, { logprobs: true, topLogprobs: 2 }, simplify);

			expect(comparable(streamed)).toEqual(comparable(plain));
			const logprobs = (simplify ? streamed[0].json.logprobs : (streamed[0].json.choices as IDataObject[])[0].logprobs) as {
				content: Array<{ token: string; top_logprobs: unknown[] }>;
				refusal: null;
			};
			expect(logprobs.refusal).toBeNull();
			expect(logprobs.content.map((entry) => entry.token)).toEqual(['Echo:', ' Hi', ' there']);
			expect(logprobs.content.map((entry) => entry.top_logprobs.length)).toEqual([2, 2, 2]);
			expect((server.requests[1].body as IDataObject).top_logprobs).toBe(2);
		});

		it('leaves out stream_options and usage when Include Usage is off', async () => {
			const result = await run(chatParameters('Hi there', { stream: true, includeUsage: false }));

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{ json: { role: 'assistant', content: 'Echo: Hi there', finish_reason: 'stop' }, pairedItem: { item: 0 } },
			]);
			expect(server.requests[0].body).toEqual({
				model: 'gpt-4o-mini',
				stream: true,
				messages: [{ role: 'user', content: 'Hi there' }],
			});
		});
	});

	describe('streamed text completions', () => {
		it.each([true, false])('assembles n=2 choices with logprobs like an unstreamed call, simplify %s', async (simplify) => {
			const { plain, streamed } = await runBoth(textParameters, { n: 2, logprobs: 2 }, simplify);

			expect(comparable(streamed)).toEqual(comparable(plain));
			const usage = { prompt_tokens: 2, completion_tokens: 6, total_tokens: 8 };
			const rows = simplify ? streamed.map((item) => item.json) : (streamed[0].json.choices as IDataObject[]);
			expect(rows.map((row) => [row.text, row.index, row.finish_reason])).toEqual([
				[' Echo: Say this', 0, 'stop'],
				[' Echo: Say this', 1, 'stop'],
			]);
			const logprobs = rows[0].logprobs as { tokens: string[]; text_offset: number[]; top_logprobs: IDataObject[] };
			expect(logprobs.tokens).toEqual([' Echo:', ' Say', ' this']);
			expect(logprobs.text_offset).toEqual([8, 14, 18]);
			expect(logprobs.top_logprobs.map((entry) => Object.keys(entry).length)).toEqual([2, 2, 2]);
			if (simplify) expect(streamed.map((item) => item.json.usage)).toEqual([usage, usage]);
			else expect(streamed[0].json).toMatchObject({ object: 'text_completion', usage });
			expect(server.requests[1].body).toEqual({
				model: 'gpt-3.5-turbo-instruct',
				prompt: 'Say this',
				n: 2,
				logprobs: 2,
				stream: true,
				stream_options: { include_usage: true },
			});
		});
	});
});

describe('broken streams', () => {
	const input = [{ q: 'one' }, { q: 'two' }, { q: 'three' }, { q: 'four' }];
	const STREAM_ERROR = {
		message: 'The server had an error while processing your request.',
		type: 'server_error',
		param: null,
		code: 'internal_error',
	};

	function breakStreams() {
		server.failNext((request) => contentOf(request) === 'two', { streamError: STREAM_ERROR });
		server.failNext((request) => contentOf(request) === 'three', { cutStreamAfterChunks: 3 });
	}

	const echo = (text: string, item: number) => ({
		json: {
			role: 'assistant',
			content: `Echo: ${text}`,
			finish_reason: 'stop',
			usage: chatUsage(1, 2),
		},
		pairedItem: { item },
	});

	it('keeps every item in order with Continue On Fail: answers, the API message, and no truncated answer', async () => {
		breakStreams();
		const result = await run(chatParameters('={{ $json.q }}', { stream: true }), { input, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(result.items[0]).toEqual(echo('one', 0));
		expect(result.items[3]).toEqual(echo('four', 3));
		expect(result.items[1].json).toEqual({ error: STREAM_ERROR.message });
		expect(result.items[1].error).toMatchObject({
			name: 'NodeApiError',
			message: STREAM_ERROR.message,
			description: 'The API reported an error in the middle of the stream (type: server_error, code: internal_error).',
			context: { itemIndex: 1 },
		});
		const cut = 'The OpenAI stream ended before "data: [DONE]" (after 3 chunk(s)), so the answer is incomplete';
		expect(result.items[2].json).toEqual({ error: cut });
		expect(result.items[2].error).toMatchObject({
			name: 'NodeOperationError',
			message: cut,
			description:
				'The stream ended before OpenAI sent [DONE], so the answer would be truncated. Nothing was returned for this item.',
			context: { itemIndex: 2 },
		});
		// Items are sent concurrently, so the arrival order is not defined; each was sent once.
		expect(server.requests.map(contentOf).sort()).toEqual(['four', 'one', 'three', 'two']);
	});

	it('fails the node with the API message when an error arrives mid-stream', async () => {
		server.failNext((request) => contentOf(request) === 'two', { streamError: STREAM_ERROR });
		const result = await run(chatParameters('={{ $json.q }}', { stream: true }), { input });

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(STREAM_ERROR.message);
		expect(result.error?.description).toBe(
			'The API reported an error in the middle of the stream (type: server_error, code: internal_error).',
		);
		expect(result.error?.context?.itemIndex).toBe(1);
	});

	it('fails the node instead of returning a cut stream', async () => {
		server.failNext((request) => contentOf(request) === 'one', { cutStreamAfterChunks: 5 });
		const result = await run(chatParameters('={{ $json.q }}', { stream: true }), { input });

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(
			'The OpenAI stream ended before "data: [DONE]" (after 5 chunk(s)), so the answer is incomplete',
		);
		expect(result.error?.context?.itemIndex).toBe(0);
	});

	it('reports an HTTP error that arrives instead of a stream with the API message', async () => {
		server.failNext('/chat/completions', {
			status: 400,
			body: { error: { message: 'Bad thing', type: 'invalid_request_error', param: 'messages', code: null } },
		});
		const result = await run(chatParameters('Hi', { stream: true }));

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('Bad thing');
		expect(result.error?.httpCode).toBe('400');
	});

	it('retries a rate-limited streamed call and then assembles the stream', async () => {
		server.failNext('/chat/completions', { status: 429, headers: { 'retry-after-ms': '1' } });
		const result = await run(chatParameters('Hi', { stream: true }));

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([echo('Hi', 0)]);
		expect(server.requests.map((request) => (request.body as IDataObject).stream)).toEqual([true, true]);
	});

	it('accepts a plain JSON completion from a compatible server that ignores stream', async () => {
		const completion = {
			id: 'chatcmpl-plain',
			object: 'chat.completion',
			created: 1,
			model: 'gpt-4o-mini',
			choices: [{ index: 0, message: { role: 'assistant', content: 'Not streamed' }, finish_reason: 'stop' }],
		};
		server.failNext('/chat/completions', { status: 200, body: completion });
		const plain = await run(chatParameters('Hi', { stream: true }));
		server.failNext('/chat/completions', { status: 200, body: completion });
		const raw = await run(chatParameters('Hi', { stream: true }, false));

		expect(plain.items).toEqual([
			{ json: { role: 'assistant', content: 'Not streamed', finish_reason: 'stop' }, pairedItem: { item: 0 } },
		]);
		expect(raw.items).toEqual([{ json: completion, pairedItem: { item: 0 } }]);
	});

	it('reports a plain JSON error sent with status 200 instead of a stream', async () => {
		server.failNext('/chat/completions', {
			status: 200,
			body: { error: { message: 'Streaming is not supported', type: 'invalid_request_error', param: 'stream', code: null } },
		});
		const result = await run(chatParameters('Hi', { stream: true }));

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('Streaming is not supported');
		expect(result.error?.description).toBe(
			'The API reported an error in the middle of the stream (type: invalid_request_error, param: stream).',
		);
	});

	it('reports a cut text completion stream too', async () => {
		server.failNext('/completions', { cutStreamAfterChunks: 2 });
		const result = await run(textParameters({ stream: true }), { input: [{}, {}], continueOnFail: true });

		expect(result.items).toEqual([
			{
				json: { error: 'The OpenAI stream ended before "data: [DONE]" (after 2 chunk(s)), so the answer is incomplete' },
				error: expect.objectContaining({ context: { itemIndex: 0 } }),
				pairedItem: { item: 0 },
			},
			{
				json: {
					text: ' Echo: Say this',
					finish_reason: 'stop',
					usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
				},
				pairedItem: { item: 1 },
			},
		]);
	});
});

describe('streamed responses from a server that leaves the output out of response.completed', () => {
	const LOOKUP = { type: 'function', name: 'lookup', description: 'Looks a text up', parameters: { type: 'object', properties: { text: { type: 'string' } } }, strict: false };

	function responseParameters(options: IDataObject): INodeParameters {
		return {
			resource: 'response',
			operation: 'create',
			responseModel: 'gpt-4o-mini',
			responsePrompt: '={{ $json.q }}',
			responseSimplify: true,
			responseOptions: { tools: JSON.stringify([LOOKUP]), reasoningSummary: 'detailed', ...options },
		} as INodeParameters;
	}

	it('builds the text, the function call and the reasoning summary from every delta, as the unstreamed call returns them', async () => {
		const input = [{ q: 'Tell me how a lighthouse keeps ships safe at night' }, { q: 'CALL the tide tables for Brest' }];
		const plain = await run(responseParameters({}), { input });
		server.reset();
		server.failAlways('/responses', { slimResponsesStream: true });
		const streamed = await run(responseParameters({ stream: true }), { input });

		expect(plain.error).toBeUndefined();
		expect(streamed.error).toBeUndefined();
		expect(server.requests.map((request) => (request.body as IDataObject).stream)).toEqual([true, true]);
		expect(streamed.items[0].json).toMatchObject({
			output_text: 'Echo: Tell me how a lighthouse keeps ships safe at night',
			reasoning_summary: 'Thinking about: Tell me how a lighthouse keeps ships safe at night',
		});
		expect(streamed.items[1].json.function_calls).toEqual([{ call_id: 'call_2', name: 'lookup', arguments: { text: 'the tide tables for Brest' } }]);
		expect(streamed.items).toEqual(plain.items);
	});
});
