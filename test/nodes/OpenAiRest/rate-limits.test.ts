/**
 * Bulk runs against a rate-limited server, through n8n's engine: the governor keeps every item, in
 * order, with few 429s, whether the server sends OpenAI's headers, retry-after or nothing; executions
 * sharing a key share the limit; a spent quota fails at once; Stop ends a wait at once; Max Wait gives
 * its error; and without a limit the requests go out as before.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { governor } from '../../../nodes/OpenAiRest/transport/governor';
import { runNode } from '../../support/engine';
import { type OpenAiServer, startOpenAiServer } from '../../support/openai-server';
import type { RateLimitOptions } from '../../support/openai-server-limits';
import { pause, until } from '../../support/timing';

const KEY = 'canary-rate-limit-SECRET-0123456789';
const ITEMS = 300;
/** 100 per second, 20 at once, 50 ms per answer: the ideal run of 300 items takes 2.85 s. */
const LIMIT = { rpm: 6000, burst: 20 };

let server: OpenAiServer;

const chat = (options: IDataObject = {}): INodeParameters => ({
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: { values: [{ role: 'user', content: '={{ $json.question }}' }] },
	chatOptions: options as INodeParameters,
});

const questions = (count: number, prefix = 'question') => Array.from({ length: count }, (_, index) => ({ question: `${prefix} ${index}` }));
const credentials = () => ({ apiKey: KEY, baseUrl: server.baseUrl() });

beforeAll(async () => {
	server = await startOpenAiServer({ apiKey: KEY, responseDelayMs: 50 });
});
afterAll(async () => await server.close());
beforeEach(() => {
	// Each test meets the server as a fresh n8n process would.
	governor.clear();
	server.setRateLimit(undefined);
	server.reset();
});

/** Every item answered, in input order and paired with its input. */
function expectAllInOrder(items: Array<{ json: IDataObject; pairedItem?: unknown; error?: unknown }>, count: number, prefix = 'question') {
	expect(items).toHaveLength(count);
	const wrong = items.flatMap((item, index) =>
		item.json.content === `Echo: ${prefix} ${index}` && (item.pairedItem as { item: number }).item === index && !item.error ? [] : [{ index, json: item.json }],
	);
	expect(wrong).toEqual([]);
}

describe(`${ITEMS} items against ${LIMIT.rpm} requests per minute, a burst of ${LIMIT.burst}`, () => {
	// With headers, 429s come from requests that leave late and arrive together on a loaded machine; quiet runs
	// see 0 to 5. The 3 % target of issue 17 is measured on 2,000 items by `npm run bench`.
	it.each<[string, Partial<RateLimitOptions>, number]>([
		["OpenAI's x-ratelimit headers and 429", {}, 0.1],
		['headers and retry-after-ms', { retryAfter: 'ms' }, 0.1],
		['headers and retry-after in seconds', { retryAfter: 'seconds' }, 0.1],
		['bare: no headers, a generic 429', { mode: 'bare' }, 1.5],
		['bare with retry-after as an HTTP date', { mode: 'bare', retryAfter: 'date' }, 1.5],
	])('%s: no item lost, all in order, few 429s', async (_name, mode, most429s) => {
		server.setRateLimit({ ...LIMIT, ...mode });
		const started = Date.now();
		const { items, error } = await runNode(chat(), { credentials: credentials(), input: questions(ITEMS), continueOnFail: true });
		const elapsed = Date.now() - started;
		expect(error).toBeUndefined();
		expectAllInOrder(items, ITEMS);
		const stats = server.rateLimitStats()!;
		process.stdout.write(`rate limits, ${_name}: ${ITEMS} items in ${elapsed} ms, ${stats.refused} answers 429\n`);
		expect(stats.allowed).toBe(ITEMS);
		expect(stats.refused).toBeLessThanOrEqual(most429s * ITEMS);
	}, 120_000);

	it('bare: a second run within a minute starts from what the first learned, with few 429s', async () => {
		server.setRateLimit({ ...LIMIT, mode: 'bare' });
		await runNode(chat(), { credentials: credentials(), input: questions(ITEMS), continueOnFail: true });
		await pause(LIMIT.burst * 10); // the bucket refills
		server.reset();
		const { items } = await runNode(chat(), { credentials: credentials(), input: questions(ITEMS), continueOnFail: true });
		expectAllInOrder(items, ITEMS);
		expect(server.rateLimitStats()!.refused).toBeLessThanOrEqual(0.1 * ITEMS);
	}, 120_000);
});

it('two executions sharing one key at the same time: neither loses an item, and they share the limit', async () => {
	server.setRateLimit(LIMIT);
	const [first, second] = await Promise.all([
		runNode(chat(), { credentials: credentials(), input: questions(150, 'first'), continueOnFail: true }),
		runNode(chat(), { credentials: credentials(), input: questions(150, 'second'), continueOnFail: true }),
	]);
	expectAllInOrder(first.items, 150, 'first');
	expectAllInOrder(second.items, 150, 'second');
	expect(server.rateLimitStats()!.refused).toBeLessThanOrEqual(0.05 * 300);
}, 120_000);

it('a spent quota fails at once, with no retry and no wait', async () => {
	server.failAlways('/chat/completions', {
		status: 429,
		headers: { 'retry-after': '20' },
		body: { error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' } },
	});
	const started = Date.now();
	const { items, error } = await runNode(chat({ maxRetries: 5 }), { credentials: credentials(), input: questions(3), continueOnFail: true });
	expect(Date.now() - started).toBeLessThan(2000);
	expect(error).toBeUndefined();
	expect(items.map((item) => item.json.error)).toEqual(Array(3).fill('You exceeded your current quota, please check your plan and billing details.'));
	expect(server.requests).toHaveLength(3);
});

it('a stop during a rate-limit wait ends the execution at once and sends nothing more', async () => {
	// One request per 10 s: after the first answer, the others wait.
	server.setRateLimit({ rpm: 6, burst: 1 });
	const stop = new AbortController();
	const running = runNode(chat(), { credentials: credentials(), input: questions(5), stopSignal: stop.signal });
	await until(() => server.requests.length === 1 && server.requests[0].answered === true);
	await pause(100);
	const stoppedAt = Date.now();
	stop.abort();
	const result = await running;
	// Waiting out the limit would take 10 s per item; a loaded machine takes a few hundred ms to wind up.
	expect(Date.now() - stoppedAt).toBeLessThan(1000);
	expect(result.run.status).toBe('canceled');
	expect(result.error?.message).toBe('The execution was canceled');
	expect(result.error?.description).toMatch(/^Stopped while waiting \d+ ms for the rate limit\./);
	expect(server.requests).toHaveLength(1);
	await pause(1500);
	expect(server.requests).toHaveLength(1);
});

it('Max Wait for Rate Limits: an item that waited as long as it may fails, naming the limit, the wait and what to do', async () => {
	// One request per 2 s: item 1 waits about 2 s, items 2 and 3 would wait 4 and 6 s.
	server.setRateLimit({ rpm: 30, burst: 1 });
	const { items, error } = await runNode(chat({ maxRateLimitWait: 3 }), { credentials: credentials(), input: questions(4), continueOnFail: true });
	expect(error).toBeUndefined();
	expect(items.map((item) => item.json.content ?? 'failed')).toEqual(['Echo: question 0', 'Echo: question 1', 'failed', 'failed']);
	for (const failed of items.slice(2)) {
		expect(failed.json.error).toBe("Rate limit: waited 3 s for the server's limit of 30 requests per minute, as long as Max Wait for Rate Limits allows");
		expect(failed.error?.description).toBe(
			'The server allows 30 requests per minute.\nThis item waited 3 s in total.\n' +
				'To finish such runs: raise Max Wait for Rate Limits (in Options), send fewer items per run, move the API key to a higher ' +
				'usage tier (https://platform.openai.com/settings/organization/limits), or send large jobs through the Batch API.',
		);
		expect((failed.error as { httpCode?: string }).httpCode).toBe('429');
		expect(failed.pairedItem).toEqual({ item: items.indexOf(failed) });
	}
	expect(String(JSON.stringify(items))).not.toContain(KEY);
});

describe('without a limit', () => {
	it('sends every request at once, as before, once the key has answered without a limit', async () => {
		server.failAlways('/chat/completions', { hangMs: 200 });
		await runNode(chat(), { credentials: credentials(), input: questions(1) });
		server.reset();
		server.failAlways('/chat/completions', { hangMs: 200 });
		const { items } = await runNode(chat(), { credentials: credentials(), input: questions(100) });
		expectAllInOrder(items, 100);
		expect(server.maxInFlight()).toBe(100);
	});

	it('on a key the process has not seen, sends the first request alone, then all others at once', async () => {
		server.failAlways('/chat/completions', { hangMs: 200 });
		const { items } = await runNode(chat(), { credentials: credentials(), input: questions(100) });
		expectAllInOrder(items, 100);
		expect(server.maxInFlight()).toBe(99);
	});
});
