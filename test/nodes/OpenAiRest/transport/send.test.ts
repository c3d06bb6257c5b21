import type { DeclarativeRestApiSettings, IExecutePaginationFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { governor } from '../../../../nodes/OpenAiRest/transport/governor';
import { DEFAULT_MAX_RETRIES, failureOf, sendWithRetries } from '../../../../nodes/OpenAiRest/transport/send';

// Backoff waits are recorded instead of slept, so the schedule can be asserted exactly. Like n8n's
// sleep, a wait rejects when its signal is aborted (at once, or by `stopDuringWait` below).
const sleeps: number[] = [];
const sleepSignals: Array<AbortSignal | undefined> = [];
let stopDuringWait: AbortController | undefined;
jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: async (ms: number, signal?: AbortSignal) => {
		sleeps.push(ms);
		sleepSignals.push(signal);
		stopDuringWait?.abort();
		if (signal?.aborted) throw new Error('This operation was aborted');
	},
}));

const KEY = 'canary-SECRET-key-0123456789abcdef';
const NODE: INode = {
	id: 'n1',
	name: 'OpenAI',
	type: 'n8n-nodes-openai-rest.openAiRest',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const OK: INodeExecutionData[] = [{ json: { ok: true } }];

/** An error shaped like the one n8n's request helper throws for an HTTP response. */
function httpError(status: number, data: unknown, headers: Record<string, string> = {}) {
	return Object.assign(new Error(`Request failed with status code ${status}`), {
		isAxiosError: true,
		response: { status, headers, data },
	});
}

/** An error shaped like a failed connection (no response). */
function networkError(code: string) {
	return Object.assign(new Error(code), { isAxiosError: true, code });
}

function openAiError(message: string, type: string, code: string | null) {
	return { error: { message, type, param: null, code } };
}

const RATE_LIMIT = openAiError('Rate limit reached.', 'requests', 'rate_limit_exceeded');
const SERVER_ERROR = openAiError('Oops.', 'server_error', null);

interface FakeContext {
	context: IExecutePaginationFunctions;
	calls: number;
}

/** A pagination context whose request fails with the given outcomes, then succeeds. */
function fakeContext(
	outcomes: unknown[],
	options: { maxRetries?: unknown; itemIndex?: number; cancelSignal?: AbortSignal; onCall?: () => void } = {},
): FakeContext {
	const state: FakeContext = { context: undefined as unknown as IExecutePaginationFunctions, calls: 0 };
	state.context = {
		makeRoutingRequest: async () => {
			options.onCall?.();
			const outcome = outcomes[state.calls++];
			if (outcome === undefined) return OK;
			throw outcome;
		},
		getNodeParameter: (name: string, fallback: unknown) => {
			if (name === 'resource') return 'chat';
			return name === 'chatOptions.maxRetries' && 'maxRetries' in options ? options.maxRetries : fallback;
		},
		getCredentials: async () => ({ apiKey: KEY, baseUrl: 'https://api.example.com/v1' }),
		getNode: () => NODE,
		getItemIndex: () => options.itemIndex ?? 0,
		getExecutionCancelSignal: () => options.cancelSignal,
	} as unknown as IExecutePaginationFunctions;
	return state;
}

function requestData(body: object = { model: 'gpt-4o-mini' }, url = '/chat/completions') {
	return {
		options: { method: 'POST', url, baseURL: 'https://api.example.com/v1', body },
		postReceive: [],
	} as unknown as DeclarativeRestApiSettings.ResultOptions;
}

async function failureFrom(state: FakeContext, data = requestData()): Promise<NodeApiError> {
	const error = await sendWithRetries.call(state.context, data).catch((caught: unknown) => caught);
	expect(error).toBeInstanceOf(NodeApiError);
	return error as NodeApiError;
}

beforeEach(() => {
	// Each test meets the rate-limit governor as a fresh process would.
	governor.clear();
	sleeps.length = 0;
	sleepSignals.length = 0;
	stopDuringWait = undefined;
	jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => jest.restoreAllMocks());

describe('sendWithRetries', () => {
	it('returns the first successful response without waiting', async () => {
		const state = fakeContext([]);
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(state.calls).toBe(1);
		expect(sleeps).toEqual([]);
	});

	it('retries a 5xx twice by default with exponential backoff, then succeeds', async () => {
		expect(DEFAULT_MAX_RETRIES).toBe(2);
		const state = fakeContext([httpError(500, SERVER_ERROR), httpError(503, SERVER_ERROR)]);
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(state.calls).toBe(3);
		expect(sleeps).toEqual([500, 1000]);
	});

	it('gives up after 1 + maxRetries attempts and says so', async () => {
		const state = fakeContext(Array(10).fill(httpError(503, SERVER_ERROR)), { maxRetries: 4 });
		const error = await failureFrom(state);
		expect(state.calls).toBe(5);
		expect(sleeps).toEqual([500, 1000, 2000, 4000]);
		expect(error.message).toBe('Oops.');
		expect(error.description).toBe(
			'type: server_error, HTTP status: 503\n' +
				"This is a problem on OpenAI's side (or the compatible server's), not in your workflow. Try again later.\n" +
				'Gave up after 5 attempts.',
		);
		expect(error.httpCode).toBe('503');
	});

	it('waits as long as Retry-After or retry-after-ms asks', async () => {
		const state = fakeContext([
			httpError(503, SERVER_ERROR, { 'retry-after': '3' }),
			httpError(503, SERVER_ERROR, { 'retry-after-ms': '7' }),
		]);
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(sleeps).toEqual([3000, 7]);
	});

	it('spends no retry on a rate limit: the governor holds the request and sends it again', async () => {
		// A 429 without a wait named: the lane lets the request go again at once, alone.
		const state = fakeContext([httpError(429, RATE_LIMIT), httpError(500, SERVER_ERROR)], { maxRetries: 1 });
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(state.calls).toBe(3);
		expect(sleeps).toEqual([500]);
	});

	it('never retries a used-up quota, nor a 4xx', async () => {
		const quota = openAiError('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota');
		for (const outcome of [httpError(429, quota, { 'retry-after': '1' }), httpError(400, SERVER_ERROR)]) {
			const state = fakeContext([outcome, outcome, outcome]);
			await failureFrom(state);
			expect(state.calls).toBe(1);
		}
		expect(sleeps).toEqual([]);
	});

	it('retries dropped connections and timeouts, not DNS failures', async () => {
		const reset = fakeContext([networkError('ECONNRESET'), networkError('ECONNABORTED')]);
		await expect(sendWithRetries.call(reset.context, requestData())).resolves.toEqual(OK);
		expect(reset.calls).toBe(3);
		const dns = fakeContext([networkError('ENOTFOUND')]);
		const error = await failureFrom(dns);
		expect(dns.calls).toBe(1);
		expect(error.message).toBe('The server api.example.com could not be found (DNS lookup failed)');
		expect(error.httpCode).toBeNull();
	});

	it('reads Max Retries, falling back to the default for invalid values', async () => {
		for (const [maxRetries, calls] of [[0, 1], [1, 2], [-1, 3], [1.5, 3], ['x', 3]] as const) {
			const state = fakeContext(Array(5).fill(httpError(500, SERVER_ERROR)), { maxRetries });
			await failureFrom(state);
			expect(state.calls).toBe(calls);
		}
	});

	it('rethrows errors of the node\'s own hooks untouched and unretried', async () => {
		const own = new NodeOperationError(NODE, 'stream ended early');
		const state = fakeContext([own]);
		await expect(sendWithRetries.call(state.context, requestData())).rejects.toBe(own);
		expect(state.calls).toBe(1);
	});

	it('names the model of a 404 and the item it belongs to', async () => {
		const notFound = openAiError('The model `gpt-9` does not exist.', 'invalid_request_error', 'model_not_found');
		const state = fakeContext([httpError(404, notFound)], { itemIndex: 3 });
		const error = await failureFrom(state, requestData({ model: 'gpt-9' }));
		expect(error.description).toBe(
			'type: invalid_request_error, code: model_not_found, HTTP status: 404\n' +
				'The model "gpt-9" does not exist on this server or your key has no access to it. Pick another model.',
		);
		expect(error.context.itemIndex).toBe(3);
	});

	it('masks the API key a proxy echoes back, in every part of the error', async () => {
		const page = `<html><body><pre>GET /v1/chat/completions\nAuthorization: Bearer ${KEY}</pre></body></html>`;
		const state = fakeContext([httpError(407, page)]);
		const error = await failureFrom(state);
		expect(error.message).toBe(
			'The server answered with HTTP status 407 and a body that is not an OpenAI error: ' +
				'<html><body><pre>GET /v1/chat/completions Authorization: Bearer [redacted]</pre></body></html>',
		);
		expect(JSON.stringify(error)).not.toContain(KEY);
		expect(`${error.stack} ${error.description}`).not.toContain(KEY);
	});
});

describe('sendWithRetries when the execution is stopped', () => {
	async function canceledFrom(state: FakeContext): Promise<NodeOperationError> {
		const error = await sendWithRetries.call(state.context, requestData()).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}

	it("gives every backoff wait the execution's cancel signal", async () => {
		const cancelSignal = new AbortController().signal;
		const state = fakeContext([httpError(500, SERVER_ERROR), httpError(500, SERVER_ERROR)], { cancelSignal });
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(sleepSignals).toEqual([cancelSignal, cancelSignal]);
	});

	it('ends a backoff wait with a canceled error and sends nothing more', async () => {
		stopDuringWait = new AbortController();
		const state = fakeContext(Array(3).fill(httpError(503, SERVER_ERROR, { 'retry-after': '30' })), {
			cancelSignal: stopDuringWait.signal,
			itemIndex: 2,
		});
		const error = await canceledFrom(state);
		expect(error.message).toBe('The execution was canceled');
		expect(error.description).toBe(
			'Stopped while waiting 30000 ms to retry. The last attempt failed with: Oops.\nNo further request was sent.',
		);
		expect(error.context.itemIndex).toBe(2);
		expect(state.calls).toBe(1);
		expect(sleeps).toEqual([30000]);
	});

	it('reports a request aborted by the stop as canceled, neither retried nor looked up as an API error', async () => {
		const stop = new AbortController();
		const state = fakeContext([networkError('ERR_CANCELED')], { cancelSignal: stop.signal, onCall: () => stop.abort() });
		const getCredentials = jest.spyOn(state.context, 'getCredentials');
		const error = await canceledFrom(state);
		expect(error.message).toBe('The execution was canceled');
		expect(error.description).toBe('Stopped while the request was in flight.\nNo further request was sent.');
		expect(state.calls).toBe(1);
		expect(sleeps).toEqual([]);
		// Once before sending, for the rate-limit lane of the credential; not again for the error.
		expect(getCredentials).toHaveBeenCalledTimes(1);
	});

	it('works without a cancel signal (n8n versions before it existed)', async () => {
		const state = fakeContext([httpError(500, SERVER_ERROR)]);
		delete (state.context as Partial<IExecutePaginationFunctions>).getExecutionCancelSignal;
		await expect(sendWithRetries.call(state.context, requestData())).resolves.toEqual(OK);
		expect(sleepSignals).toEqual([undefined]);
	});
});

describe('failureOf', () => {
	const target = { baseURL: 'https://api.example.com/v1/', url: '/chat/completions', body: { model: 'gpt-4o' } };

	it('finds the HTTP error behind an n8n wrapper through its cause', () => {
		const wrapped = Object.assign(new Error('wrapped'), { cause: httpError(500, SERVER_ERROR) });
		expect(failureOf(wrapped, target)?.status).toBe(500);
	});

	it('takes the model from the URL of a model lookup', () => {
		const notFound = openAiError('No such model', 'invalid_request_error', 'model_not_found');
		const failure = failureOf(httpError(404, notFound), { url: '/models/ft%3Agpt-4o%3Aacme' });
		expect(failure?.description).toContain('The model "ft:gpt-4o:acme" does not exist');
	});

	it('names the host for network errors and ignores plain errors', () => {
		expect(failureOf(networkError('ECONNREFUSED'), target)?.message).toBe(
			'The server api.example.com refused the connection',
		);
		expect(failureOf(new Error('plain'), target)).toBeUndefined();
	});
});
