/**
 * API and network faults through n8n's real engine: clear NodeApiErrors, retries, Continue On
 * Fail pairing, n8n's Retry On Fail, the model dropdown, and the API key kept out of everything.
 */
import { createServer } from 'node:net';

import { DirectoryLoader } from 'n8n-core';
import type { IDataObject, INodeExecutionData, INodeParameters, INodeProperties } from 'n8n-workflow';
import { LoggerProxy } from 'n8n-workflow';

import { governor } from '../../../nodes/OpenAiRest/transport/governor';
import { loadOptions, type NodeRun, nodeType, runNode } from '../../support/engine';
import { type Fault, type OpenAiServer, startOpenAiServer } from '../../support/openai-server';

const KEY = 'canary-SECRET-key-0123456789abcdef';
/** Parts of the key that must not survive either, e.g. from an excerpt cut in the middle of it. */
const KEY_PARTS = [KEY, 'canary-SECRET', 'SECRET-key', '0123456789abcdef'];
const QUESTIONS = ['first', 'second', 'third'];

let server: OpenAiServer;
/** A server that knows another key, so every call with KEY gets OpenAI's real 401. */
let otherKeyServer: OpenAiServer;
let closedPortUrl: string;

/** A URL on which nothing listens: the port was bound, then released. */
async function closedPort(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return `http://127.0.0.1:${port}/v1`;
}

beforeAll(async () => {
	// n8n adds the Request Options collection (timeout, batching, proxy) to declarative nodes when it loads them.
	if (!nodeType.description.properties.some((property) => property.name === 'requestOptions')) {
		DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
	}
	server = await startOpenAiServer({ apiKey: KEY });
	otherKeyServer = await startOpenAiServer({ apiKey: 'sk-another-key-000000' });
	closedPortUrl = await closedPort();
});

afterAll(async () => {
	await server.close();
	await otherKeyServer.close();
});

// ---------------------------------------------------------------------------------------------
// Everything written anywhere during a test, to prove the key never shows up in logs
// ---------------------------------------------------------------------------------------------

const logged: string[] = [];

function captureLogs() {
	const record = (...parts: unknown[]) => {
		logged.push(parts.map((part) => (typeof part === 'string' ? part : safeStringify(part))).join(' '));
	};
	const writer = (chunk: unknown) => {
		record(String(chunk));
		return true;
	};
	jest.spyOn(process.stdout, 'write').mockImplementation(writer);
	jest.spyOn(process.stderr, 'write').mockImplementation(writer);
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		jest.spyOn(console, method).mockImplementation(record);
	}
	const logger = { error: record, warn: record, info: record, debug: record };
	LoggerProxy.init(logger as unknown as Parameters<typeof LoggerProxy.init>[0]);
}

function safeStringify(value: unknown): string {
	const seen = new WeakSet();
	return JSON.stringify(value, (_key, entry: unknown) => {
		if (entry && typeof entry === 'object') {
			if (seen.has(entry)) return '[circular]';
			seen.add(entry);
		}
		if (entry instanceof Error) return { ...entry, message: entry.message, stack: entry.stack };
		return entry;
	});
}

beforeEach(() => {
	// Each test meets the rate-limit governor as a fresh process would.
	governor.clear();
	server.reset();
	otherKeyServer.reset();
	logged.length = 0;
	captureLogs();
});

afterEach(() => jest.restoreAllMocks());

/** Every place the key could leak to: items, the error and its JSON, the whole run, the logs. */
function expectNoSecret(result: NodeRun) {
	const error = result.error;
	const places = [
		safeStringify(result.items),
		result.items.map((item) => `${item.error?.message} ${item.error?.stack} ${safeStringify(item.error)}`).join('\n'),
		`${error?.message} ${error?.description} ${error?.stack} ${safeStringify(error)} ${safeStringify(error?.context)}`,
		safeStringify(result.run),
		logged.join('\n'),
	];
	for (const place of places) {
		for (const part of KEY_PARTS) expect(place).not.toContain(part);
	}
}

// ---------------------------------------------------------------------------------------------
// Parameters and helpers
// ---------------------------------------------------------------------------------------------

function chat(options: IDataObject = {}, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'chat',
		operation: 'create',
		chatModel: 'gpt-4o-mini',
		messages: { values: [{ role: 'user', content: '={{ $json.q }}' }] },
		chatOptions: options,
		...extra,
	} as INodeParameters;
}

function credentials(baseUrl = server.baseUrl()) {
	return { apiKey: KEY, baseUrl };
}

function input(count = 1): IDataObject[] {
	return QUESTIONS.slice(0, count).map((q) => ({ q }));
}

/** Matches the chat request of one question only. */
function asking(question: string) {
	return (request: { path: string; body: unknown }) => {
		const messages = (request.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages;
		return request.path === '/chat/completions' && messages?.[0]?.content === question;
	};
}

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
	return { error: { message, type, param, code } };
}

function errorSummary(item: INodeExecutionData) {
	const error = item.error as (Error & { description?: string; httpCode?: string | null }) | undefined;
	return { json: item.json, pairedItem: item.pairedItem, description: error?.description };
}

const FAST = { 'retry-after-ms': '1' };

/** Milliseconds between consecutive requests, as the server received them (the default backoff is 0.5 s and up). */
const gapsBetween = (requests: Array<{ receivedAt: number }>) => requests.slice(1).map((request, index) => request.receivedAt - requests[index].receivedAt);
const SERVER_SIDE =
	"This is a problem on OpenAI's side (or the compatible server's), not in your workflow. Try again later.";
const RATE_LIMIT_MESSAGE =
	'Rate limit reached for requests in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.';
/** A proxy's error page that echoes the request headers, key included. */
const PROXY_PAGE = `<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<pre>Authorization: Bearer ${KEY}</pre>\n</body>\n</html>`;
/** The same echo placed so that the key starts at character 190 of the 200 the error message quotes. */
const LONG_PROXY_PAGE = `<html><body><p>${'.'.repeat(144)}</p><pre>Authorization: Bearer ${KEY}</pre></body></html>`;
const NOT_OPENAI = 'The server answered with HTTP status 502 and a body that is not an OpenAI error: ';

// ---------------------------------------------------------------------------------------------
// The fault matrix: one row per fault, each run with Continue On Fail off and on
// ---------------------------------------------------------------------------------------------

interface Row {
	name: string;
	/** Registers the fault for the request of the given question. */
	fault?: (question: string) => void;
	/** Node parameters, given the question whose request fails. */
	parameters?: (question: string) => INodeParameters;
	baseUrl?: () => string;
	/** Where the requests go; the main server by default. */
	requests?: () => unknown[];
	/** The fault hits every item, not only the second one. */
	everyItem?: boolean;
	message: string | (() => string);
	description: string;
	httpCode: string | null;
	/** Requests the failing item makes, retries included. */
	attempts: number;
	errorName?: string;
}

const failNext = (fault: Fault, times = 1) => (question: string) => server.failNext(asking(question), fault, times);
const failAlways = (fault: Fault) => (question: string) => server.failAlways(asking(question), fault);
const host = () => new URL(server.url).host;

const ROWS: Row[] = [
	{
		name: '400 naming a parameter',
		fault: failNext({
			status: 400,
			body: openAiError("Invalid value for 'temperature'.", 'invalid_request_error', 'invalid_value', 'temperature'),
		}),
		message: "Invalid value for 'temperature'.",
		description: 'type: invalid_request_error, code: invalid_value, param: temperature, HTTP status: 400',
		httpCode: '400',
		attempts: 1,
	},
	{
		name: '401 from a wrong key',
		baseUrl: () => otherKeyServer.baseUrl(),
		requests: () => otherKeyServer.requests,
		everyItem: true,
		message:
			'Incorrect API key provided: canary***def. You can find your API key at https://platform.openai.com/account/api-keys.',
		description:
			'type: invalid_request_error, code: invalid_api_key, HTTP status: 401\n' +
			'Check the API key (and organization ID) in the OpenAI REST API credential.',
		httpCode: '401',
		// n8n-core itself sends a request that got a 401 once more, after refreshing the credential.
		attempts: 2,
	},
	{
		name: '403',
		fault: failNext({ status: 403 }),
		message: 'You are not allowed to access this resource.',
		description:
			'type: invalid_request_error, code: forbidden, HTTP status: 403\n' +
			'The key is valid but not allowed to do this: check the project, organization or region of the credential.',
		httpCode: '403',
		attempts: 1,
	},
	{
		name: '404 for an unknown model',
		parameters: (question) => chat({}, { chatModel: `={{ $json.q === '${question}' ? 'gpt-nope' : 'gpt-4o-mini' }}` }),
		message: 'The model `gpt-nope` does not exist or you do not have access to it.',
		description:
			'type: invalid_request_error, code: model_not_found, HTTP status: 404\n' +
			'The model "gpt-nope" does not exist on this server or your key has no access to it. Pick another model.',
		httpCode: '404',
		attempts: 1,
	},
	{
		name: '429 rate limit with Max Wait for Rate Limits 0',
		parameters: () => chat({ maxRateLimitWait: 0 }),
		fault: failAlways({ status: 429, headers: FAST }),
		message: "Rate limit: reached the server's limit of 3 requests per minute, and Max Wait for Rate Limits allows no wait",
		description:
			'The server allows 3 requests per minute.\n' +
			'This item waited 0 ms in total.\n' +
			`The server's last refusal: ${RATE_LIMIT_MESSAGE}\n` +
			'To finish such runs: raise Max Wait for Rate Limits (in Options), send fewer items per run, move the API key to a higher ' +
			'usage tier (https://platform.openai.com/settings/organization/limits), or send large jobs through the Batch API.',
		httpCode: '429',
		attempts: 1,
	},
	{
		name: '429 quota with Retry-After, never retried',
		fault: failAlways({
			status: 429,
			headers: { 'retry-after': '30' },
			body: openAiError(
				'You exceeded your current quota, please check your plan and billing details.',
				'insufficient_quota',
				'insufficient_quota',
			),
		}),
		message: 'You exceeded your current quota, please check your plan and billing details.',
		description:
			'type: insufficient_quota, code: insufficient_quota, HTTP status: 429\n' +
			'Your OpenAI quota is used up: add credit or raise the limit in your OpenAI billing settings. Retrying will not help.\n' +
			'Retry-After: 30 s.',
		httpCode: '429',
		attempts: 1,
	},
	{
		name: '500, retried',
		fault: failAlways({ status: 500, headers: FAST }),
		message: 'The server had an error while processing your request. Sorry about that!',
		description: `type: server_error, HTTP status: 500\n${SERVER_SIDE}\nGave up after 3 attempts.`,
		httpCode: '500',
		attempts: 3,
	},
	{
		name: '503, retried',
		fault: failAlways({ status: 503, headers: FAST }),
		message: 'The engine is currently overloaded, please try again later.',
		description: `type: server_error, HTTP status: 503\n${SERVER_SIDE}\nGave up after 3 attempts.`,
		httpCode: '503',
		attempts: 3,
	},
	{
		name: '4xx with a malformed JSON body',
		fault: failNext({ status: 400, body: '{"error": {"message": "Bad', contentType: 'application/json' }),
		message: 'The server answered with HTTP status 400 and a body that is not an OpenAI error: {"error": {"message": "Bad',
		description: 'HTTP status: 400',
		httpCode: '400',
		attempts: 1,
	},
	{
		name: 'HTML error page from a proxy that echoes the key',
		fault: failAlways({ status: 502, headers: FAST, body: PROXY_PAGE }),
		message: `${NOT_OPENAI}<html> <head><title>502 Bad Gateway</title></head> <body> <pre>Authorization: Bearer [redacted]</pre> </body> </html>`,
		description: `HTTP status: 502\n${SERVER_SIDE}\nGave up after 3 attempts.`,
		httpCode: '502',
		attempts: 3,
	},
	{
		name: 'long HTML page whose echoed key straddles the quoted excerpt',
		fault: failNext({ status: 502, headers: FAST, body: LONG_PROXY_PAGE }, 3),
		message: `${NOT_OPENAI}<html><body><p>${'.'.repeat(144)}</p><pre>Authorization: Bearer [redacted]…`,
		description: `HTTP status: 502\n${SERVER_SIDE}\nGave up after 3 attempts.`,
		httpCode: '502',
		attempts: 3,
	},
	{
		name: 'JSON error whose message echoes the key',
		fault: failNext({
			status: 400,
			body: openAiError(`Header "Authorization: Bearer ${KEY}" is not allowed.`, 'invalid_request_error', null),
		}),
		message: 'Header "Authorization: Bearer [redacted]" is not allowed.',
		description: 'type: invalid_request_error, HTTP status: 400',
		httpCode: '400',
		attempts: 1,
	},
	{
		name: 'connection refused',
		parameters: () => chat({ maxRetries: 0 }),
		baseUrl: () => closedPortUrl,
		requests: () => [],
		everyItem: true,
		message: () => `The server ${new URL(closedPortUrl).host} refused the connection`,
		description:
			'Network error (ECONNREFUSED): no response was received.\nCheck the Base URL in the credential, your network and any proxy.',
		httpCode: null,
		attempts: 0,
	},
	{
		name: 'connection reset',
		parameters: () => chat({ maxRetries: 0 }),
		fault: failNext({ reset: true }),
		message: () => `The server ${host()} closed the connection unexpectedly`,
		description:
			'Network error (ECONNRESET): no response was received.\nCheck the Base URL in the credential, your network and any proxy.',
		httpCode: null,
		attempts: 1,
	},
	{
		name: 'timeout',
		// Far above a healthy answer's time on a loaded 2-core machine, where 200 ms timed out healthy items too.
		parameters: () => chat({ maxRetries: 0 }, { requestOptions: { timeout: 2000 } }),
		fault: failNext({ hangMs: 6000 }),
		message: () => `The server ${host()} did not answer in time`,
		description:
			'Network error (ECONNABORTED): no response was received.\nRaise the Timeout under Request Options, or lower Max Tokens.',
		httpCode: null,
		attempts: 1,
	},
	{
		name: 'stream cut mid-way',
		parameters: () => chat({ stream: true }),
		fault: failNext({ cutStreamAfterChunks: 2 }),
		message: 'The OpenAI stream ended before "data: [DONE]" (after 2 chunk(s)), so the answer is incomplete',
		description:
			'The stream ended before OpenAI sent [DONE], so the answer would be truncated. Nothing was returned for this item.',
		httpCode: 'none',
		attempts: 1,
		errorName: 'NodeOperationError',
	},
	{
		name: 'error event in a stream',
		parameters: () => chat({ stream: true }),
		fault: failNext({ streamError: { message: 'The server is overloaded.', type: 'server_error', code: 'overloaded' } }),
		message: 'The server is overloaded.',
		description: 'The API reported an error in the middle of the stream (type: server_error, code: overloaded).',
		httpCode: null,
		attempts: 1,
	},
];

function messageOf(row: Row): string {
	return typeof row.message === 'function' ? row.message() : row.message;
}

describe.each(ROWS)('fault: $name', (row) => {
	const parametersFor = (question: string) => (row.parameters ? row.parameters(question) : chat());
	const baseUrl = () => (row.baseUrl ? row.baseUrl() : server.baseUrl());
	const requests = () => (row.requests ? row.requests() : server.requests) as Array<{ path: string; body: unknown }>;

	it('stops the workflow with a clear error, Continue On Fail off', async () => {
		row.fault?.('first');
		const result = await runNode(parametersFor('first'), { credentials: credentials(baseUrl()), input: input(1) });
		expect(result.items).toEqual([]);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe(messageOf(row));
		expect(result.error?.description).toBe(row.description);
		expect(result.error?.httpCode ?? null).toBe(row.httpCode);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(requests()).toHaveLength(row.attempts);
		expectNoSecret(result);
	});

	it('pairs an error item with its input and keeps the other items, Continue On Fail on', async () => {
		row.fault?.('second');
		const result = await runNode(parametersFor('second'), {
			credentials: credentials(baseUrl()),
			input: input(3),
			continueOnFail: true,
		});
		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(3);
		const failing = row.everyItem ? [0, 1, 2] : [1];
		result.items.forEach((item, index) => {
			if (failing.includes(index)) {
				expect(errorSummary(item)).toEqual({
					json: { error: messageOf(row) },
					pairedItem: { item: index },
					description: row.description,
				});
				expect(item.error?.name).toBe(row.errorName ?? 'NodeApiError');
			} else {
				expect(item.json.content).toBe(`Echo: ${QUESTIONS[index]}`);
				expect(item.pairedItem).toEqual({ item: index });
				expect(item.error).toBeUndefined();
			}
		});
		const answered = 3 - failing.length;
		expect(requests()).toHaveLength(answered + failing.length * row.attempts);
		expect(requests().filter(asking('second'))).toHaveLength(row.attempts);
		expectNoSecret(result);
	});
});

describe('fault: 200 with a body that is not JSON', () => {
	it('says the 200 body is not JSON, with no word of streams', async () => {
		server.failNext('/chat/completions', { status: 200, body: '{"id": "chatcmpl-1", "choices": [', contentType: 'application/json' });
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.error?.message).toMatch(/not (valid )?JSON/);
		expect(result.error?.message).not.toMatch(/stream/);
	});
});

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

describe('retries', () => {
	it('retries a 429 rate limit and succeeds, honouring retry-after-ms instead of the 0.5 s backoff', async () => {
		server.failNext('/chat/completions', { status: 429, headers: FAST }, 2);
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.content)).toEqual(['Echo: first']);
		expect(server.requests).toHaveLength(3);
		expect(server.requests.map((request) => request.rawBody)).toEqual(Array(3).fill(server.requests[0].rawBody));
		for (const gap of gapsBetween(server.requests)) expect(gap).toBeLessThan(500);
	});

	it('waits at least what retry-after-ms asks between attempts', async () => {
		server.failNext('/chat/completions', { status: 503, headers: { 'retry-after-ms': '40' } }, 2);
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
		for (const gap of gapsBetween(server.requests)) {
			expect(gap).toBeGreaterThanOrEqual(39);
			expect(gap).toBeLessThan(500);
		}
	});

	it.each([
		[0, 1],
		[1, 2],
		[5, 6],
	])('with Max Retries %i makes %i attempts', async (maxRetries, attempts) => {
		server.failAlways('/chat/completions', { status: 500, headers: FAST });
		const result = await runNode(chat({ maxRetries }), { credentials: credentials(), input: input(1) });
		expect(result.error?.httpCode).toBe('500');
		expect(server.requests).toHaveLength(attempts);
		const gaveUp = attempts > 1 ? `\nGave up after ${attempts} attempts.` : '';
		expect(result.error?.description).toBe(`type: server_error, HTTP status: 500\n${SERVER_SIDE}${gaveUp}`);
	});

	it('never retries a quota error, even with Max Retries 5', async () => {
		server.failAlways('/chat/completions', {
			status: 429,
			headers: FAST,
			body: openAiError('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'),
		});
		const result = await runNode(chat({ maxRetries: 5 }), { credentials: credentials(), input: input(1) });
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('You exceeded your current quota.');
		expect(result.error?.description).toBe(
			'type: insufficient_quota, code: insufficient_quota, HTTP status: 429\n' +
				'Your OpenAI quota is used up: add credit or raise the limit in your OpenAI billing settings. Retrying will not help.\n' +
				'Retry-After: 1 ms.',
		);
		expect(server.requests).toHaveLength(1);
	});

	it('does not retry a 400', async () => {
		server.failAlways('/chat/completions', { status: 400, headers: FAST });
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.items).toEqual([]);
		expect(result.error?.httpCode).toBe('400');
		expect(result.error?.description).toMatch(/^type: invalid_request_error.*HTTP status: 400$/);
		expect(result.error?.description).not.toContain('Gave up');
		expect(server.requests).toHaveLength(1);
	});
});

describe("n8n's Retry On Fail around the node's own retries", () => {
	it('multiplies: 3 tries × (1 + 2 retries) = 9 requests when every call fails with a 503', async () => {
		server.failAlways('/chat/completions', { status: 503, headers: FAST });
		const result = await runNode(chat(), {
			credentials: credentials(),
			input: input(1),
			retryOnFail: { maxTries: 3, waitBetweenTries: 1 },
		});
		expect(server.requests).toHaveLength(9);
		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe('The engine is currently overloaded, please try again later.');
		expect(result.error?.httpCode).toBe('503');
		expect(result.error?.description).toBe(`type: server_error, HTTP status: 503\n${SERVER_SIDE}\nGave up after 3 attempts.`);
	});

	it('a later try of n8n succeeds where the node gave up: 3 failures, then 1 failure and success', async () => {
		server.failNext('/chat/completions', { status: 503, headers: FAST }, 4);
		const result = await runNode(chat(), {
			credentials: credentials(),
			input: input(1),
			retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.content)).toEqual(['Echo: first']);
		expect(server.requests).toHaveLength(5);
	});

	it('with Continue On Fail, n8n never retries a declarative node, even when the first item failed', async () => {
		server.failAlways(asking('first'), { status: 503, headers: FAST });
		const result = await runNode(chat(), {
			credentials: credentials(),
			input: input(3),
			continueOnFail: true,
			retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
		});
		expect(result.items.map((item) => item.json.error ?? item.json.content)).toEqual([
			'The engine is currently overloaded, please try again later.',
			'Echo: second',
			'Echo: third',
		]);
		// n8n looks for `json.error` on the first item before it is set, so the node runs once.
		expect(server.requests.filter(asking('first'))).toHaveLength(3);
		expect(server.requests).toHaveLength(5);
	});

	it('with Continue On Fail, a failing later item does not make n8n retry', async () => {
		server.failAlways(asking('second'), { status: 503, headers: FAST });
		const result = await runNode(chat(), {
			credentials: credentials(),
			input: input(3),
			continueOnFail: true,
			retryOnFail: { maxTries: 2, waitBetweenTries: 1 },
		});
		expect(result.error).toBeUndefined();
		expect(result.items.map(errorSummary)).toEqual([
			{ json: expect.objectContaining({ content: 'Echo: first' }), pairedItem: { item: 0 }, description: undefined },
			{
				json: { error: 'The engine is currently overloaded, please try again later.' },
				pairedItem: { item: 1 },
				description: `type: server_error, HTTP status: 503\n${SERVER_SIDE}\nGave up after 3 attempts.`,
			},
			{ json: expect.objectContaining({ content: 'Echo: third' }), pairedItem: { item: 2 }, description: undefined },
		]);
		expect(server.requests.filter(asking('second'))).toHaveLength(3);
		expect(server.requests).toHaveLength(5);
	});
});

// ---------------------------------------------------------------------------------------------
// The model dropdown
// ---------------------------------------------------------------------------------------------

describe('model dropdown errors', () => {
	const modelProperty = () =>
		nodeType.description.properties.find(
			(property) => property.name === 'chatModel',
		) as INodeProperties;

	async function dropdownError(baseUrl: string, options: IDataObject = {}): Promise<Error & { description?: string }> {
		const parameters = chat(options);
		const error = await loadOptions(modelProperty(), parameters, credentials(baseUrl)).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(Error);
		return error as Error & { description?: string };
	}

	it('says the key is wrong, masked by OpenAI, pointing at the credential', async () => {
		const error = await dropdownError(otherKeyServer.baseUrl());
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe(
			'Incorrect API key provided: canary***def. You can find your API key at https://platform.openai.com/account/api-keys.',
		);
		expect(error.description).toBe(
			'type: invalid_request_error, code: invalid_api_key, HTTP status: 401\n' +
				'Check the API key (and organization ID) in the OpenAI REST API credential.',
		);
		// n8n-core sends a request that got a 401 once more; the node does not retry it.
		expect(otherKeyServer.requests.map(({ method, path }) => ({ method, path }))).toEqual([
			{ method: 'GET', path: '/models' },
			{ method: 'GET', path: '/models' },
		]);
		for (const part of KEY_PARTS) expect(`${safeStringify(error)} ${error.stack}`).not.toContain(part);
	});

	it('names the host when nothing answers', async () => {
		// Max Retries 0 only to skip the real backoff; the dropdown reads the node's options like a run does.
		const error = await dropdownError(closedPortUrl, { maxRetries: 0 });
		expect(error.message).toBe(`The server ${new URL(closedPortUrl).host} refused the connection`);
	});

	it('retries a rate-limited model list', async () => {
		server.failNext('/models', { status: 429, headers: FAST });
		const options = await loadOptions(modelProperty(), chat(), credentials());
		expect(options.length).toBeGreaterThan(0);
		expect(server.requests.map(({ path }) => path)).toEqual(['/models', '/models']);
	});
});

describe('secrets', () => {
	it('the log capture sees what n8n logs, with the echoed key masked', async () => {
		server.failNext('/chat/completions', { status: 400, body: openAiError(`Bad header: Bearer ${KEY}`, 'invalid_request_error', null) });
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.error?.message).toBe('Bad header: Bearer [redacted]');
		expect(logged.join('\n')).toContain('Bad header: Bearer [redacted]');
		expectNoSecret(result);
	});

	it('the key is sent only in the Authorization header', async () => {
		const result = await runNode(chat(), { credentials: credentials(), input: input(1) });
		expect(result.error).toBeUndefined();
		expect(server.requests.map((request) => request.headers.authorization)).toEqual([`Bearer ${KEY}`]);
		expect(server.requests[0].rawBody).not.toContain(KEY);
		expectNoSecret(result);
	});
});

// ---------------------------------------------------------------------------------------------
// The new operations: Response (Create, streamed Create, Get, Delete, Cancel, List Input Items) and Embedding
// ---------------------------------------------------------------------------------------------

interface Operation {
	name: string;
	parameters: INodeParameters;
	/** Stores a response per question before the run (for the by-ID operations), by its ID. */
	stored?: 'plain' | 'background';
	/** The successful item of a question. */
	expectAnswer: (item: INodeExecutionData, question: string) => void;
}

/** Stores one response per question, returning the input items that name them. */
async function storeResponses(background: boolean): Promise<IDataObject[]> {
	const stored: IDataObject[] = [];
	for (const q of QUESTIONS) {
		const reply = await fetch(`${server.baseUrl()}/responses`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-4o-mini', input: q, background }),
		});
		stored.push({ q, id: ((await reply.json()) as IDataObject).id });
	}
	server.requests.length = 0;
	return stored;
}

const byStoredId = (operation: string): INodeParameters => ({ resource: 'response', operation, responseId: '={{ $json.id }}' });

const OPERATIONS: Operation[] = [
	{
		name: 'response create',
		parameters: { resource: 'response', operation: 'create', responseModel: 'gpt-4o-mini', responsePrompt: '={{ $json.q }}' },
		expectAnswer: (item, q) => expect(item.json.output_text).toBe(`Echo: ${q}`),
	},
	{
		name: 'response create, streamed',
		parameters: {
			resource: 'response',
			operation: 'create',
			responseModel: 'gpt-4o-mini',
			responsePrompt: '={{ $json.q }}',
			responseOptions: { stream: true },
		},
		expectAnswer: (item, q) => expect(item.json.output_text).toBe(`Echo: ${q}`),
	},
	{
		name: 'response get',
		parameters: byStoredId('get'),
		stored: 'plain',
		expectAnswer: (item, q) => expect(item.json.output_text).toBe(`Echo: ${q}`),
	},
	{
		name: 'response delete',
		parameters: byStoredId('delete'),
		stored: 'plain',
		expectAnswer: (item) => expect(item.json.deleted).toBe(true),
	},
	{
		name: 'response cancel',
		parameters: byStoredId('cancel'),
		stored: 'background',
		expectAnswer: (item) => expect(item.json.status).toBe('cancelled'),
	},
	{
		name: 'response list input items',
		parameters: byStoredId('listInputItems'),
		stored: 'plain',
		expectAnswer: (item, q) => expect((item.json.content as IDataObject[])[0].text).toBe(q),
	},
	{
		name: 'embedding create',
		parameters: { resource: 'embedding', operation: 'create', embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.q }}' },
		expectAnswer: (item) => expect(item.json.embedding).toHaveLength(1536),
	},
];

/** Whether a request is the one of a question: by its input, or by the stored response's ID in the path. */
function requestOf(question: string, stored: IDataObject[]) {
	const id = stored.find((entry) => entry.q === question)?.id as string | undefined;
	return (request: { path: string; body: unknown }) =>
		id ? request.path.includes(`/${id}`) : (request.body as IDataObject | undefined)?.input === question;
}

const NEW_OPERATION_FAULTS: Array<{ name: string; fault: Fault; times: number; message: string; description: string; httpCode: string; attempts: number }> = [
	{
		name: 'server errors until the node gives up',
		fault: { status: 500, headers: FAST },
		times: 3,
		message: 'The server had an error while processing your request. Sorry about that!',
		description: `type: server_error, HTTP status: 500\n${SERVER_SIDE}\nGave up after 3 attempts.`,
		httpCode: '500',
		attempts: 3,
	},
	{
		name: 'quota exhausted, not retried',
		fault: {
			status: 429,
			body: openAiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'),
		},
		times: 1,
		message: 'You exceeded your current quota, please check your plan and billing details.',
		description:
			'type: insufficient_quota, code: insufficient_quota, HTTP status: 429\nYour OpenAI quota is used up: add credit or raise the limit in your OpenAI billing settings. Retrying will not help.',
		httpCode: '429',
		attempts: 1,
	},
	{
		name: 'an error message that echoes the key',
		fault: { status: 400, body: openAiError(`Header "Authorization: Bearer ${KEY}" is not allowed.`, 'invalid_request_error', null) },
		times: 1,
		message: 'Header "Authorization: Bearer [redacted]" is not allowed.',
		description: 'type: invalid_request_error, HTTP status: 400',
		httpCode: '400',
		attempts: 1,
	},
];

describe.each(OPERATIONS)('fault matrix: $name', (operation) => {
	const inputFor = async (count: number) =>
		operation.stored ? (await storeResponses(operation.stored === 'background')).slice(0, count) : input(count);

	it.each(NEW_OPERATION_FAULTS)('$name: stops with a clear error, Continue On Fail off', async (fault) => {
		const items = await inputFor(1);
		server.failNext(requestOf('first', items), fault.fault, fault.times);
		const result = await runNode(operation.parameters, { credentials: credentials(), input: items });
		expect(result.items).toEqual([]);
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe(fault.message);
		expect(result.error?.description).toBe(fault.description);
		expect(result.error?.httpCode).toBe(fault.httpCode);
		expect(result.error?.context?.itemIndex).toBe(0);
		expect(server.requests).toHaveLength(fault.attempts);
		expectNoSecret(result);
	});

	it.each(NEW_OPERATION_FAULTS)('$name: pairs an error item and keeps the others in order, Continue On Fail on', async (fault) => {
		const items = await inputFor(3);
		server.failNext(requestOf('second', items), fault.fault, fault.times);
		const result = await runNode(operation.parameters, { credentials: credentials(), input: items, continueOnFail: true });
		expect(result.error).toBeUndefined();
		const rows = result.items.filter((item) => item.pairedItem !== undefined);
		expect(rows.map((item) => (item.pairedItem as { item: number }).item)).toEqual(
			[...rows.map((item) => (item.pairedItem as { item: number }).item)].sort((a, b) => a - b),
		);
		const failed = rows.filter((item) => item.error);
		expect(failed.map(errorSummary)).toEqual([{ json: { error: fault.message }, pairedItem: { item: 1 }, description: fault.description }]);
		for (const [index, q] of QUESTIONS.entries()) {
			if (index === 1) continue;
			const answers = rows.filter((item) => (item.pairedItem as { item: number }).item === index);
			expect(answers.length).toBeGreaterThan(0);
			operation.expectAnswer(answers[0], q);
		}
		expectNoSecret(result);
	});

	it('a wrong key gets OpenAI\'s masked 401, pointing at the credential', async () => {
		const items = operation.stored ? [{ q: 'first', id: 'resp_000001' }] : input(1);
		const result = await runNode(operation.parameters, { credentials: credentials(otherKeyServer.baseUrl()), input: items });
		expect(result.error?.message).toBe(
			'Incorrect API key provided: canary***def. You can find your API key at https://platform.openai.com/account/api-keys.',
		);
		expect(result.error?.description).toContain('Check the API key (and organization ID) in the OpenAI REST API credential.');
		expectNoSecret(result);
	});
});
