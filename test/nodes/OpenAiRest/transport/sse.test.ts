import {
	assembleChatCompletion,
	assembleTextCompletion,
	OpenAiStreamError,
	parseSse,
	readOpenAiStream,
	SseEvent,
	SseParser,
} from '../../../../nodes/OpenAiRest/transport/sse';

/* ----------------------------------------------------------------------------------------------
 * Fixtures (embedded; facts taken from OpenAI's published examples)
 * -------------------------------------------------------------------------------------------- */

/** The chunks of OpenAI's "Streaming" chat example, verbatim; its elided middle ("....") filled with the missing words. */
const OFFICIAL_CHAT_STREAM_CHUNKS = [
	'{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}',
	'{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]}',
	...['!', ' How', ' can', ' I', ' assist', ' you', ' today', '?'].map(
		(word) =>
			`{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{"content":${JSON.stringify(word)}},"logprobs":null,"finish_reason":null}]}`,
	),
	'{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini", "system_fingerprint": "fp_44709d6fcb", "choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}',
];

/** OpenAI's non-streamed "Default" chat example. */
const OFFICIAL_CHAT_RESPONSE = {
	id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
	object: 'chat.completion',
	created: 1741569952,
	model: 'gpt-5.4',
	choices: [
		{
			index: 0,
			message: {
				role: 'assistant',
				content: 'Hello! How can I assist you today?',
				refusal: null,
				annotations: [],
			},
			logprobs: null,
			finish_reason: 'stop',
		},
	],
	usage: {
		prompt_tokens: 19,
		completion_tokens: 10,
		total_tokens: 29,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: {
			reasoning_tokens: 0,
			audio_tokens: 0,
			accepted_prediction_tokens: 0,
			rejected_prediction_tokens: 0,
		},
	},
	service_tier: 'default',
};

/** OpenAI's non-streamed "No streaming" text completion example. */
const OFFICIAL_TEXT_RESPONSE = {
	id: 'cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7',
	object: 'text_completion',
	created: 1589478378,
	model: 'VAR_completion_model_id',
	system_fingerprint: 'fp_44709d6fcb',
	choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
	usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
};

/** The first two token entries of OpenAI's "Logprobs" chat example. */
const OFFICIAL_CONTENT_LOGPROBS = [
	{
		token: 'Hello',
		logprob: -0.31725305,
		bytes: [72, 101, 108, 108, 111],
		top_logprobs: [
			{ token: 'Hello', logprob: -0.31725305, bytes: [72, 101, 108, 108, 111] },
			{ token: 'Hi', logprob: -1.3190403, bytes: [72, 105] },
		],
	},
	{
		token: '!',
		logprob: -0.02380986,
		bytes: [33],
		top_logprobs: [
			{ token: '!', logprob: -0.02380986, bytes: [33] },
			{ token: ' there', logprob: -3.787621, bytes: [32, 116, 104, 101, 114, 101] },
		],
	},
];

/* ----------------------------------------------------------------------------------------------
 * Helpers
 * -------------------------------------------------------------------------------------------- */

type Json = Record<string, unknown>;

function sseBody(payloads: string[], lineEnding = '\n'): string {
	return payloads.map((payload) => `data: ${payload}${lineEnding}${lineEnding}`).join('');
}

function withDone(payloads: Array<string | Json>): string {
	return sseBody([...payloads.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))), '[DONE]']);
}

function chatChunk(choices: Json[], header: Json = {}): Json {
	return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', ...header, choices };
}

function deltaChoice(delta: Json, index = 0, finishReason: string | null = null, logprobs: Json | null = null): Json {
	return { index, delta, logprobs, finish_reason: finishReason };
}

function feed(parser: SseParser, pieces: string[]): SseEvent[] {
	const events = pieces.flatMap((piece) => parser.push(piece));
	return [...events, ...parser.end()];
}

/** Deterministic PRNG (mulberry32) so random splits are reproducible. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
		mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
	};
}

function randomPieces(text: string, random: () => number, maxPieceLength: number): string[] {
	const pieces: string[] = [];
	for (let start = 0; start < text.length; ) {
		const length = 1 + Math.floor(random() * maxPieceLength);
		pieces.push(text.slice(start, start + length));
		start += length;
	}
	return pieces;
}

function captureError(action: () => unknown): OpenAiStreamError {
	try {
		action();
	} catch (error) {
		expect(error).toBeInstanceOf(OpenAiStreamError);
		return error as OpenAiStreamError;
	}
	throw new Error('expected an OpenAiStreamError, but nothing was thrown');
}

/* ----------------------------------------------------------------------------------------------
 * SSE parsing
 * -------------------------------------------------------------------------------------------- */

describe('parseSse', () => {
	it.each<[string, string, SseEvent[]]>([
		['LF line endings', 'data: a\n\ndata: b\n\n', [{ data: 'a' }, { data: 'b' }]],
		['CRLF line endings', 'data: a\r\n\r\ndata: b\r\n\r\n', [{ data: 'a' }, { data: 'b' }]],
		['CR line endings', 'data: a\r\rdata: b\r\r', [{ data: 'a' }, { data: 'b' }]],
		['CRLF inside a multi-line event', 'data: a\r\ndata: b\r\n\r\n', [{ data: 'a\nb' }]],
		['mixed line endings', 'data: a\r\n\ndata: b\r\r\n', [{ data: 'a' }, { data: 'b' }]],
		['comment lines', ': hello\ndata: a\n: in between\n\n', [{ data: 'a' }]],
		['keep-alive comments between events', 'data: a\n\n: keep-alive\n\n: keep-alive\n\ndata: b\n\n', [{ data: 'a' }, { data: 'b' }]],
		['event field', 'event: error\ndata: x\n\ndata: y\n\n', [{ event: 'error', data: 'x' }, { data: 'y' }]],
		['id field, which persists to later events', 'id: 7\ndata: x\n\ndata: y\n\nid\ndata: z\n\n', [
			{ id: '7', data: 'x' },
			{ id: '7', data: 'y' },
			{ data: 'z' },
		]],
		['id containing NUL is ignored', 'id: a\0b\ndata: x\n\n', [{ data: 'x' }]],
		['retry field', 'retry: 3000\ndata: x\n\n', [{ data: 'x' }]],
		['unknown fields', 'foo: bar\ndata: x\n\n', [{ data: 'x' }]],
		['multi-line data joined with LF', 'data: a\ndata:\ndata: b\n\n', [{ data: 'a\n\nb' }]],
		['only one leading space stripped', 'data:  two\n\ndata:none\n\n', [{ data: ' two' }, { data: 'none' }]],
		['colons inside the value kept', 'data: {"a":"b:c"}\n\n', [{ data: '{"a":"b:c"}' }]],
		['field name without colon', 'data\n\n', [{ data: '' }]],
		['event without data is not dispatched', 'event: ping\n\nid: 1\n\n', []],
		['blank lines only', '\n\n\r\n\r', []],
		['BOM at the start is dropped', '\uFEFFdata: a\n\n', [{ data: 'a' }]],
		['BOM later on is data', 'data: \uFEFFa\n\n', [{ data: '\uFEFFa' }]],
		['last event without its blank line but with a line ending', 'data: a\n\ndata: b\n', [{ data: 'a' }, { data: 'b' }]],
		['last event with its last line cut off', 'data: a\n\ndata: b', [{ data: 'a' }]],
		['last event with a complete and a cut-off line', 'data: a\n\ndata: b\ndata: c', [{ data: 'a' }]],
		['empty body', '', []],
	])('%s', (_name, body, expected) => {
		expect(parseSse(body)).toEqual(expected);
	});
});

describe('SseParser with events split across chunks', () => {
	const body =
		'\uFEFF: keep-alive\r\n' +
		'event: message\r\nid: 42\r\ndata: {"first":\r\ndata: "line"}\r\n\r\n' +
		'retry: 10\n: comment\ndata:  spaced\n\n' +
		'data: cr only\r\r' +
		'data: a\r\n\ndata: b\r\r\n' +
		sseBody(OFFICIAL_CHAT_STREAM_CHUNKS, '\r\n') +
		'data: [DONE]\n\n';
	// Pinned by hand, so that no split is compared with the parser's own output.
	const expected: SseEvent[] = [
		{ event: 'message', id: '42', data: '{"first":\n"line"}' },
		{ id: '42', data: ' spaced' },
		{ id: '42', data: 'cr only' },
		{ id: '42', data: 'a' },
		{ id: '42', data: 'b' },
		...OFFICIAL_CHAT_STREAM_CHUNKS.map((data) => ({ id: '42', data })),
		{ id: '42', data: '[DONE]' },
	];

	it('parses the fixture in one piece', () => {
		expect(parseSse(body)).toEqual(expected);
	});

	it('gives the same events when split at every single position', () => {
		// Key order differs between the parser's events and the pinned ones, so compare a canonical form.
		const canonical = (events: SseEvent[]) => JSON.stringify(events.map(({ event, id, data }) => [event, id, data]));
		const expectedJson = canonical(expected);
		const failingSplits: number[] = [];
		for (let split = 0; split <= body.length; split++) {
			const events = feed(new SseParser(), [body.slice(0, split), body.slice(split)]);
			if (canonical(events) !== expectedJson) failingSplits.push(split);
		}
		expect(failingSplits).toEqual([]);
	});

	it('gives the same events for one character at a time', () => {
		expect(feed(new SseParser(), [...body])).toEqual(expected);
	});

	it.each([1, 2, 3, 4, 5])('gives the same events for random-size pieces (seed %i)', (seed) => {
		const random = seededRandom(seed);
		for (let round = 0; round < 50; round++) {
			const pieces = randomPieces(body, random, 1 + Math.floor(random() * 40));
			expect(feed(new SseParser(), pieces)).toEqual(expected);
		}
	});

	it('treats CR at the end of one chunk and LF at the start of the next as one line ending', () => {
		expect(feed(new SseParser(), ['data: a\r', '\n\r', '\ndata: b\r', '\r'])).toEqual([{ data: 'a' }, { data: 'b' }]);
	});

	it('ignores empty chunks, including before a BOM', () => {
		expect(feed(new SseParser(), ['', '\uFEFF', '', 'data: a\n', '', '\n'])).toEqual([{ data: 'a' }]);
	});

	it('starts afresh after end()', () => {
		const parser = new SseParser();
		expect(feed(parser, ['id: 1\ndata: a\n\ndata: cut'])).toEqual([{ id: '1', data: 'a' }]);
		expect(feed(parser, ['\uFEFFdata: b\n\n'])).toEqual([{ data: 'b' }]);
	});
});

describe('SseParser work is linear in the input size', () => {
	/** Many small events plus one very long line spread over thousands of chunks (the worst case for rescanning). */
	function streamOfSize(scale: number): string {
		const smallEvents = 'data: {"delta":"x"}\n\n'.repeat(500 * scale);
		const longLine = `data: ${'y'.repeat(20_000 * scale)}\n\n`;
		return smallEvents + longLine + ': keep-alive\r\n\r\n'.repeat(100 * scale);
	}

	function scannedWhenFedInSmallPieces(body: string): { scanned: number; events: SseEvent[] } {
		const parser = new SseParser();
		const pieces: string[] = [];
		for (let start = 0; start < body.length; start += 7) pieces.push(body.slice(start, start + 7));
		const events = feed(parser, pieces);
		return { scanned: parser.scannedChars, events };
	}

	it('scans each character about once, and 2× / 4× input costs about 2× / 4×', () => {
		const measurements = [1, 2, 4].map((scale) => {
			const body = streamOfSize(scale);
			const { scanned, events } = scannedWhenFedInSmallPieces(body);
			expect(events).toHaveLength(500 * scale + 1);
			expect(events[events.length - 1].data).toBe('y'.repeat(20_000 * scale));
			expect(scanned).toBeLessThanOrEqual(body.length * 1.1);
			return { scale, scanned };
		});
		const [base, ...larger] = measurements;
		for (const { scale, scanned } of larger) {
			expect(scanned / base.scanned).toBeLessThanOrEqual(scale * 1.1);
		}
	});
});

/* ----------------------------------------------------------------------------------------------
 * readOpenAiStream
 * -------------------------------------------------------------------------------------------- */

describe('readOpenAiStream', () => {
	it('returns the JSON chunks in order until [DONE]', () => {
		const chunks = readOpenAiStream(withDone(OFFICIAL_CHAT_STREAM_CHUNKS));
		expect(chunks).toEqual(OFFICIAL_CHAT_STREAM_CHUNKS.map((chunk) => JSON.parse(chunk)));
	});

	it('reads a CRLF body with comments, keep-alives and empty data events', () => {
		const body =
			': keep-alive\r\n\r\ndata:\r\n\r\n' +
			sseBody(OFFICIAL_CHAT_STREAM_CHUNKS.slice(0, 2), '\r\n') +
			'data:   \r\n\r\n: keep-alive\r\n\r\ndata: [DONE]\r\n\r\n';
		expect(readOpenAiStream(body)).toEqual(OFFICIAL_CHAT_STREAM_CHUNKS.slice(0, 2).map((chunk) => JSON.parse(chunk)));
	});

	it('stops at [DONE] and ignores whatever follows it', () => {
		const body = withDone([OFFICIAL_CHAT_STREAM_CHUNKS[0]]) + 'data: {not json\n\ndata: {"error":{"message":"late"}}\n\n';
		expect(readOpenAiStream(body)).toEqual([JSON.parse(OFFICIAL_CHAT_STREAM_CHUNKS[0])]);
	});

	it('accepts a final [DONE] whose blank line was trimmed away', () => {
		expect(readOpenAiStream(sseBody([OFFICIAL_CHAT_STREAM_CHUNKS[0]]) + 'data: [DONE]\n')).toHaveLength(1);
	});

	it.each([
		['no [DONE] at all', sseBody(OFFICIAL_CHAT_STREAM_CHUNKS)],
		['the [DONE] line cut off', sseBody(OFFICIAL_CHAT_STREAM_CHUNKS) + 'data: [DO'],
		['a chunk cut off mid-way', sseBody(OFFICIAL_CHAT_STREAM_CHUNKS.slice(0, 3)) + OFFICIAL_CHAT_STREAM_CHUNKS[3].slice(0, 40)],
		['an empty body', ''],
		['only keep-alives', ': keep-alive\n\n: keep-alive\n\n'],
	])('throws "incomplete" for %s', (_name, body) => {
		const error = captureError(() => readOpenAiStream(body));
		expect(error.kind).toBe('incomplete');
		expect(error.message).toContain('[DONE]');
	});

	it('throws "api_error" carrying a mid-stream error payload', () => {
		const body = withDone([
			OFFICIAL_CHAT_STREAM_CHUNKS[0],
			'{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":"internal_error"}}',
		]);
		const error = captureError(() => readOpenAiStream(body));
		expect(error.kind).toBe('api_error');
		expect(error.apiError).toEqual({
			message: 'The server had an error while processing your request.',
			type: 'server_error',
			code: 'internal_error',
			param: null,
		});
		expect(error.message).toContain('The server had an error while processing your request.');
		expect(error.message).toContain('server_error');
	});

	it('throws "api_error" for an event typed "error"', () => {
		const error = captureError(() => readOpenAiStream('event: error\ndata: {"message":"Overloaded","type":"overloaded_error"}\n\n'));
		expect(error.kind).toBe('api_error');
		expect(error.apiError).toEqual({ message: 'Overloaded', type: 'overloaded_error' });
	});

	it('throws "api_error" for a plain JSON error body that is not a stream', () => {
		const error = captureError(() =>
			readOpenAiStream('{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}'),
		);
		expect(error.kind).toBe('api_error');
		expect(error.apiError?.code).toBe('invalid_api_key');
	});

	it('throws "malformed" naming the event and quoting the start of a non-JSON payload', () => {
		const junk = `{"id": ${'z'.repeat(300)}`;
		const error = captureError(() => readOpenAiStream(withDone([OFFICIAL_CHAT_STREAM_CHUNKS[0], junk])));
		expect(error.kind).toBe('malformed');
		expect(error.message).toContain('Event 2');
		expect(error.message).toContain(junk.slice(0, 100));
		expect(error.message).not.toContain(junk.slice(0, 101));
	});

	it('throws "malformed" for JSON that is not an object', () => {
		const error = captureError(() => readOpenAiStream(withDone(['[1, 2]'])));
		expect(error.kind).toBe('malformed');
		expect(error.message).toContain('Event 1');
	});
});

/* ----------------------------------------------------------------------------------------------
 * Chat assembly
 * -------------------------------------------------------------------------------------------- */

describe('assembleChatCompletion', () => {
	it('assembles the official streaming example like the official non-streamed response', () => {
		const completion = assembleChatCompletion(readOpenAiStream(withDone(OFFICIAL_CHAT_STREAM_CHUNKS)));
		const [officialChoice] = OFFICIAL_CHAT_RESPONSE.choices;
		expect(completion).toEqual({
			id: 'chatcmpl-123',
			object: OFFICIAL_CHAT_RESPONSE.object,
			created: 1694268190,
			model: 'gpt-4o-mini',
			system_fingerprint: 'fp_44709d6fcb',
			choices: [
				{
					index: officialChoice.index,
					message: {
						role: officialChoice.message.role,
						content: officialChoice.message.content,
						refusal: officialChoice.message.refusal,
					},
					logprobs: officialChoice.logprobs,
					finish_reason: officialChoice.finish_reason,
				},
			],
		});
	});

	it('equals the non-streamed response, key order included, when the stream carries the same data', () => {
		const header = {
			id: OFFICIAL_CHAT_RESPONSE.id,
			created: OFFICIAL_CHAT_RESPONSE.created,
			model: OFFICIAL_CHAT_RESPONSE.model,
			service_tier: OFFICIAL_CHAT_RESPONSE.service_tier,
		};
		const words = ['Hello', '!', ' How', ' can', ' I', ' assist', ' you', ' today', '?'];
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: '', refusal: null })], { ...header, usage: null }),
			...words.map((word) => chatChunk([deltaChoice({ content: word })], { ...header, usage: null })),
			chatChunk([deltaChoice({}, 0, 'stop')], { ...header, usage: null }),
			chatChunk([], { ...header, usage: OFFICIAL_CHAT_RESPONSE.usage }),
		];
		const completion = assembleChatCompletion(readOpenAiStream(withDone(chunks)));

		// `annotations` is not part of the streamed delta, so it cannot be rebuilt.
		const { annotations: _annotations, ...officialMessage } = OFFICIAL_CHAT_RESPONSE.choices[0].message;
		const expected = {
			...OFFICIAL_CHAT_RESPONSE,
			choices: [{ ...OFFICIAL_CHAT_RESPONSE.choices[0], message: officialMessage }],
		};
		expect(completion).toEqual(expected);
		expect(JSON.stringify(completion)).toBe(JSON.stringify(expected));
	});

	it('merges interleaved tool calls by index: id, type and name from their first delta, arguments concatenated', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: null, tool_calls: [
				{ index: 0, id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '' } },
			] })]),
			chatChunk([deltaChoice({ tool_calls: [{ index: 0, function: { arguments: '{"location"' } }] })]),
			chatChunk([deltaChoice({ tool_calls: [
				{ index: 1, id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"zone":' } },
			] })]),
			chatChunk([deltaChoice({ tool_calls: [
				{ index: 0, function: { arguments: ': "Boston' } },
				{ index: 1, function: { arguments: ' "EST"}' } },
			] })]),
			chatChunk([deltaChoice({ tool_calls: [
				{ index: 0, id: 'call_ignored', function: { name: 'ignored', arguments: ', MA"}' } },
			] })]),
			chatChunk([deltaChoice({}, 0, 'tool_calls')]),
		];
		const [choice] = assembleChatCompletion(chunks).choices as Json[];
		expect(choice).toEqual({
			index: 0,
			message: {
				role: 'assistant',
				content: null,
				refusal: null,
				tool_calls: [
					{ id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Boston, MA"}' } },
					{ id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"zone": "EST"}' } },
				],
			},
			logprobs: null,
			finish_reason: 'tool_calls',
		});
	});

	it('orders tool calls by index even when a later one starts first, and keeps content that did arrive', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: 'Checking.' })]),
			chatChunk([deltaChoice({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'second', arguments: '{}' } }] })]),
			chatChunk([deltaChoice({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'first', arguments: '{}' } }] })]),
			chatChunk([deltaChoice({}, 0, 'tool_calls')]),
		];
		const message = (assembleChatCompletion(chunks).choices as Json[])[0].message as Json;
		expect(message.content).toBe('Checking.');
		expect((message.tool_calls as Json[]).map((call) => call.id)).toEqual(['a', 'b']);
	});

	it('turns empty content into null when the model answered with tool calls', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: '', tool_calls: [
				{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
			] })]),
		];
		const message = (assembleChatCompletion(chunks).choices as Json[])[0].message as Json;
		expect(message.content).toBeNull();
	});

	it('merges a legacy function_call', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '' } })]),
			chatChunk([deltaChoice({ function_call: { arguments: '{"q":' } })]),
			chatChunk([deltaChoice({ function_call: { arguments: '1}' } }, 0, 'function_call')]),
		];
		const message = (assembleChatCompletion(chunks).choices as Json[])[0].message as Json;
		expect(message).toEqual({
			role: 'assistant',
			content: null,
			refusal: null,
			function_call: { name: 'lookup', arguments: '{"q":1}' },
		});
	});

	it('keeps n=2 interleaved choices apart and sorts them by index', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: '' }, 1)]),
			chatChunk([deltaChoice({ role: 'assistant', content: '' }, 0)]),
			chatChunk([deltaChoice({ content: 'Bon' }, 1), deltaChoice({ content: 'Hel' }, 0)]),
			chatChunk([deltaChoice({ content: 'lo' }, 0)]),
			chatChunk([deltaChoice({ content: 'jour' }, 1, 'stop')]),
			chatChunk([deltaChoice({}, 0, 'length')]),
		];
		const choices = assembleChatCompletion(chunks).choices as Json[];
		expect(choices).toEqual([
			{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, logprobs: null, finish_reason: 'length' },
			{ index: 1, message: { role: 'assistant', content: 'Bonjour', refusal: null }, logprobs: null, finish_reason: 'stop' },
		]);
	});

	it('concatenates logprobs like the official non-streamed logprobs example', () => {
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: '' }, 0, null, { content: [], refusal: null })]),
			...OFFICIAL_CONTENT_LOGPROBS.map((entry) =>
				chatChunk([deltaChoice({ content: entry.token }, 0, null, { content: [entry], refusal: null })]),
			),
			chatChunk([deltaChoice({}, 0, 'stop')]),
		];
		const [choice] = assembleChatCompletion(chunks).choices as Json[];
		expect((choice.message as Json).content).toBe('Hello!');
		expect(choice.logprobs).toEqual({ content: OFFICIAL_CONTENT_LOGPROBS, refusal: null });
	});

	it('concatenates refusal deltas and their logprobs; content stays null', () => {
		const refusalToken = (token: string) => ({ token, logprob: -0.1, bytes: [...Buffer.from(token)], top_logprobs: [] });
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', refusal: '' }, 0, null, { content: null, refusal: [] })]),
			chatChunk([deltaChoice({ refusal: "I'm sorry" }, 0, null, { content: null, refusal: [refusalToken("I'm sorry")] })]),
			chatChunk([deltaChoice({ refusal: ', I cannot help.' }, 0, null, { content: null, refusal: [refusalToken(', I cannot help.')] })]),
			chatChunk([deltaChoice({}, 0, 'stop')]),
		];
		const [choice] = assembleChatCompletion(chunks).choices as Json[];
		expect(choice.message).toEqual({ role: 'assistant', content: null, refusal: "I'm sorry, I cannot help." });
		expect(choice.logprobs).toEqual({
			content: null,
			refusal: [refusalToken("I'm sorry"), refusalToken(', I cannot help.')],
		});
	});

	it('takes usage from the final usage-only chunk with empty choices', () => {
		const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
		const chunks = [
			chatChunk([deltaChoice({ role: 'assistant', content: 'Hi' })], { usage: null }),
			chatChunk([deltaChoice({}, 0, 'stop')], { usage: null }),
			chatChunk([], { usage }),
		];
		const completion = assembleChatCompletion(chunks);
		expect(completion.usage).toEqual(usage);
		expect(completion.choices).toHaveLength(1);
	});

	it('leaves usage out when no chunk carried it, and keeps a null system_fingerprint', () => {
		const completion = assembleChatCompletion([
			chatChunk([deltaChoice({ role: 'assistant', content: 'Hi' }, 0, 'stop')], { system_fingerprint: null }),
		]);
		expect(completion).not.toHaveProperty('usage');
		expect(completion.system_fingerprint).toBeNull();
	});

	it('takes the first non-null header values', () => {
		const completion = assembleChatCompletion([
			chatChunk([], { system_fingerprint: null, service_tier: null }),
			chatChunk([deltaChoice({ content: 'x' }, 0, 'stop')], { system_fingerprint: 'fp_1', service_tier: 'default' }),
		]);
		expect(completion).toMatchObject({ system_fingerprint: 'fp_1', service_tier: 'default' });
	});
});

/* ----------------------------------------------------------------------------------------------
 * Text completion assembly
 * -------------------------------------------------------------------------------------------- */

describe('assembleTextCompletion', () => {
	function textChunk(choices: Json[], extra: Json = {}): Json {
		const { id, created, model, system_fingerprint } = OFFICIAL_TEXT_RESPONSE;
		return { id, object: 'text_completion', created, choices, model, system_fingerprint, ...extra };
	}

	function textChoice(text: string, index = 0, finishReason: string | null = null, logprobs: Json | null = null): Json {
		return { text, index, logprobs, finish_reason: finishReason };
	}

	it('equals the official non-streamed response, key order included, when the stream carries the same data', () => {
		const pieces = ['\n\n', 'This', ' is', ' indeed', ' a', ' test'];
		const chunks = [
			...pieces.map((piece, position) =>
				textChunk([textChoice(piece, 0, position === pieces.length - 1 ? 'length' : null)]),
			),
			textChunk([], { usage: OFFICIAL_TEXT_RESPONSE.usage }),
		];
		const completion = assembleTextCompletion(readOpenAiStream(withDone(chunks)));
		expect(completion).toEqual(OFFICIAL_TEXT_RESPONSE);
		expect(JSON.stringify(completion)).toBe(JSON.stringify(OFFICIAL_TEXT_RESPONSE));
	});

	it('concatenates logprobs arrays and keeps choices apart by index', () => {
		const logprobsFor = (token: string, offset: number) => ({
			tokens: [token],
			token_logprobs: [-0.5],
			top_logprobs: [{ [token]: -0.5 }],
			text_offset: [offset],
		});
		const chunks = [
			textChunk([textChoice('B', 1, null, logprobsFor('B', 0)), textChoice('A', 0, null, logprobsFor('A', 0))]),
			textChunk([textChoice('b', 1, 'stop', logprobsFor('b', 1))]),
			textChunk([textChoice('a', 0, 'length', logprobsFor('a', 1))]),
		];
		expect(assembleTextCompletion(chunks).choices).toEqual([
			{
				text: 'Aa',
				index: 0,
				logprobs: { tokens: ['A', 'a'], token_logprobs: [-0.5, -0.5], top_logprobs: [{ A: -0.5 }, { a: -0.5 }], text_offset: [0, 1] },
				finish_reason: 'length',
			},
			{
				text: 'Bb',
				index: 1,
				logprobs: { tokens: ['B', 'b'], token_logprobs: [-0.5, -0.5], top_logprobs: [{ B: -0.5 }, { b: -0.5 }], text_offset: [0, 1] },
				finish_reason: 'stop',
			},
		]);
	});

	it('gives null logprobs and no usage when the stream had none', () => {
		const completion = assembleTextCompletion([textChunk([textChoice('Hi', 0, 'stop')])]);
		expect((completion.choices as Json[])[0].logprobs).toBeNull();
		expect(completion).not.toHaveProperty('usage');
	});
});
