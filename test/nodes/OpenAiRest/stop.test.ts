/**
 * Stopping an execution through n8n's engine (WorkflowExecute's cancel, what the Stop button and
 * `POST /executions/:id/stop` end in): the node gives up its retry wait at once, and n8n-core aborts
 * a request in flight through the execution's cancel signal. Nothing is sent after the stop.
 */
import type { INodeParameters } from 'n8n-workflow';

import { governor } from '../../../nodes/OpenAiRest/transport/governor';
import { type NodeRun, runNode } from '../../support/engine';
import { type OpenAiServer, startOpenAiServer } from '../../support/openai-server';
import { pause, until } from '../../support/timing';

const KEY = 'sk-test-stop-key';
/** How soon after the stop the execution must have ended. */
const STOP_BUDGET_MS = 100;

let server: OpenAiServer;
/** Streams one small write every 200 ms: a long answer still arriving. */
let slowStreamServer: OpenAiServer;

const CHAT: INodeParameters = {
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: { values: [{ role: 'user', content: 'Hello' }] },
};

/** Starts the workflow, stops it once `ready` holds, and measures how long the engine took to end. */
async function stopWhen(
	parameters: INodeParameters,
	ready: () => boolean,
	target = server,
	settleMs = 0,
): Promise<{ result: NodeRun; msAfterStop: number }> {
	const stop = new AbortController();
	const running = runNode(parameters, { credentials: { apiKey: KEY, baseUrl: target.baseUrl() }, stopSignal: stop.signal });
	await until(ready);
	await pause(settleMs);
	const stoppedAt = Date.now();
	stop.abort();
	const result = await running;
	return { result, msAfterStop: Date.now() - stoppedAt };
}

beforeAll(async () => {
	server = await startOpenAiServer({ apiKey: KEY });
	slowStreamServer = await startOpenAiServer({ apiKey: KEY, streamChunkDelayMs: 200 });
	// The first stop in a fresh process loads n8n's error handling code; time only the ones after it.
	server.failNext('/chat/completions', { hangMs: 1000 });
	await stopWhen(CHAT, () => server.requests.length === 1);
});

afterAll(async () => {
	await server.close();
	await slowStreamServer.close();
});

beforeEach(() => {
	// Each test meets the rate-limit governor as a fresh process would.
	governor.clear();
	server.reset();
	slowStreamServer.reset();
});

/**
 * Runs a stop scenario up to three times and returns each attempt's time. Every attempt must end
 * canceled with nothing sent after the stop; the time limit holds for the quickest, since one
 * garbage-collection pause on a shared machine can outlast it. Waiting out a back-off fails all three.
 */
async function timesOf(scenario: () => Promise<number>): Promise<number[]> {
	const times: number[] = [];
	for (let attempt = 0; attempt < 3 && !times.some((ms) => ms < STOP_BUDGET_MS); attempt++) {
		server.reset();
		slowStreamServer.reset();
		times.push(await scenario());
	}
	return times;
}

/** The canceled execution: no output, the error n8n reads as "canceled", and where it was stopped. */
function expectCanceled(result: NodeRun, when: RegExp) {
	expect(result.run.status).toBe('canceled');
	expect(result.items).toEqual([]);
	expect(result.error?.message).toBe('The execution was canceled');
	expect(result.error?.description).toMatch(when);
}

describe('stopping an execution', () => {
	it('ends a rate-limit wait of Retry-After: 30 at once and sends no further request', async () => {
		const times = await timesOf(async () => {
			governor.clear();
			server.failAlways('/chat/completions', { status: 429, headers: { 'retry-after': '30' }, body: { error: { message: 'Rate limit reached.', type: 'requests', param: null, code: 'rate_limit_exceeded' } } });
			// Stopped a moment after the 429 was answered: the governor holds the request for 30 s.
			const { result, msAfterStop } = await stopWhen(CHAT, () => server.requests[0]?.answered === true, server, 50);
			expectCanceled(result, /^Stopped while waiting \d+ ms for the rate limit\. The last attempt failed with: Rate limit reached\./);
			await pause(300);
			expect(server.requests).toHaveLength(1);
			return msAfterStop;
		});

		expect(Math.min(...times)).toBeLessThan(STOP_BUDGET_MS);
	});

	it('ends a retry wait of Retry-After: 30 at once and sends no further request', async () => {
		const times = await timesOf(async () => {
			server.failAlways('/chat/completions', { status: 503, headers: { 'retry-after': '30' } });
			// Stopped a moment after the 503 was answered: the node is waiting out its back-off.
			const { result, msAfterStop } = await stopWhen(CHAT, () => server.requests[0]?.answered === true, server, 50);
			expectCanceled(result, /^Stopped while waiting 30000 ms to retry\. The last attempt failed with: The engine is currently overloaded/);
			await pause(300);
			expect(server.requests).toHaveLength(1);
			return msAfterStop;
		});

		expect(Math.min(...times)).toBeLessThan(STOP_BUDGET_MS);
	});

	it('aborts a request whose answer is slow to come and sends no further request', async () => {
		const times = await timesOf(async () => {
			server.failAlways('/chat/completions', { hangMs: 10_000 });
			const { result, msAfterStop } = await stopWhen(CHAT, () => server.requests.length === 1);
			expectCanceled(result, /^Stopped while the request was in flight\./);
			await until(() => server.requests[0].abortedByClient === true, 1000);
			await pause(300);
			expect(server.requests).toHaveLength(1);
			return msAfterStop;
		});

		expect(Math.min(...times)).toBeLessThan(STOP_BUDGET_MS);
	});

	it('aborts a stream that is still arriving and sends no further request', async () => {
		const streamed = { ...CHAT, chatOptions: { stream: true } };
		const times = await timesOf(async () => {
			const { result, msAfterStop } = await stopWhen(streamed, () => slowStreamServer.requests.length === 1, slowStreamServer);
			expectCanceled(result, /^Stopped while the request was in flight\./);
			await until(() => slowStreamServer.requests[0].abortedByClient === true, 1000);
			await pause(300);
			expect(slowStreamServer.requests).toHaveLength(1);
			return msAfterStop;
		});

		expect(Math.min(...times)).toBeLessThan(STOP_BUDGET_MS);
	});
});
