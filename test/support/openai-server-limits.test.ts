/** The test server's rate limiter: the bucket on a fake clock, then the answers over HTTP. */
import { DEFAULT_API_KEY, type OpenAiServer, startOpenAiServer } from './openai-server';
import { estimatedTokens, goDuration, RateLimiter } from './openai-server-limits';

describe('goDuration', () => {
	it.each([
		[0, '0s'],
		[0.5, '500µs'],
		[12, '12ms'],
		[20.5, '20.5ms'],
		[1000, '1s'],
		[1500, '1.5s'],
		[17_252, '17.252s'],
		[360_000, '6m0s'],
		[3_723_500, '1h2m3.5s'],
	])('%d ms is %s', (ms, text) => {
		expect(goDuration(ms)).toBe(text);
	});
});

describe('RateLimiter on a fake clock', () => {
	let now = 0;
	const clock = () => now;
	const chat = (model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user', content: 'hi' }] });
	const admit = (limiter: RateLimiter, body: object = chat()) => limiter.admit(body, JSON.stringify(body));

	beforeEach(() => (now = 1_000_000));

	it('lets a burst through, refuses the next, and refills at the per-minute rate', () => {
		const limiter = new RateLimiter({ rpm: 600, burst: 3, now: clock });
		expect([admit(limiter), admit(limiter), admit(limiter)].map((verdict) => verdict.allowed)).toEqual([true, true, true]);
		const refused = admit(limiter);
		expect(refused.allowed).toBe(false);
		expect(refused.status).toBe(429);
		// 600 per minute: one request every 100 ms.
		now += 99;
		expect(admit(limiter).allowed).toBe(false);
		now += 1;
		expect(admit(limiter).allowed).toBe(true);
		expect(admit(limiter).allowed).toBe(false);
		now += 10_000;
		expect([admit(limiter), admit(limiter), admit(limiter), admit(limiter)].map((verdict) => verdict.allowed)).toEqual([true, true, true, false]);
		expect(limiter.stats).toEqual({ allowed: 7, refused: 4 });
	});

	it('sends limit, remaining and a Go-style reset on every answer', () => {
		const limiter = new RateLimiter({ rpm: 3000, burst: 50, now: clock });
		expect(admit(limiter).headers).toEqual({
			'x-ratelimit-limit-requests': '3000',
			'x-ratelimit-limit-tokens': '150000000',
			'x-ratelimit-remaining-requests': '49',
			'x-ratelimit-remaining-tokens': '2500000',
			'x-ratelimit-reset-requests': '20ms',
			'x-ratelimit-reset-tokens': '0s',
		});
		for (let sent = 1; sent < 50; sent++) admit(limiter);
		const refused = admit(limiter);
		expect(refused.headers['x-ratelimit-remaining-requests']).toBe('0');
		expect(refused.headers['x-ratelimit-reset-requests']).toBe('1s');
	});

	it("refuses with OpenAI's body and the wait until the next request fits", () => {
		const limiter = new RateLimiter({ rpm: 3000, burst: 1, now: clock, organization: 'org-abc' });
		admit(limiter);
		now += 5;
		const refused = admit(limiter);
		expect(refused.contentType).toBe('application/json');
		expect(JSON.parse(refused.body!)).toEqual({
			error: {
				message:
					'Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3000, Used 3000, Requested 1. ' +
					'Please try again in 15ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
				type: 'requests',
				param: null,
				code: 'rate_limit_exceeded',
			},
		});
		expect(refused.headers['retry-after']).toBeUndefined();
	});

	it('limits tokens per minute when asked, with its own message', () => {
		const limiter = new RateLimiter({ rpm: 1000, burst: 100, tpm: 6000, now: clock });
		const big = { model: 'gpt-4o', messages: [], max_tokens: 60 };
		// 47 characters: 12 prompt tokens and 60 for the answer; the bucket holds one second's worth, 100.
		expect(estimatedTokens(big, JSON.stringify(big))).toBe(72);
		expect(admit(limiter, big).allowed).toBe(true);
		const refused = admit(limiter, big);
		expect(refused.allowed).toBe(false);
		const message = (JSON.parse(refused.body!) as { error: { message: string; type: string } }).error;
		expect(message.type).toBe('tokens');
		expect(message.message).toMatch(
			/^Rate limit reached for gpt-4o in organization org-test on tokens per min \(TPM\): Limit 6000, Used 72, Requested 72\. Please try again in 440ms\./,
		);
		expect(refused.headers['x-ratelimit-limit-tokens']).toBe('6000');
	});

	it.each([
		['seconds', { 'retry-after': '2' }],
		['ms', { 'retry-after-ms': '1500' }],
		['both', { 'retry-after': '2', 'retry-after-ms': '1500' }],
	] as const)('adds retry-after in %s to a refusal', (retryAfter, expected) => {
		const limiter = new RateLimiter({ rpm: 40, burst: 1, now: clock, retryAfter });
		admit(limiter);
		expect(admit(limiter).headers).toMatchObject(expected);
	});

	it('gives retry-after as an HTTP date no earlier than the wait', () => {
		const limiter = new RateLimiter({ rpm: 40, burst: 1, now: clock, retryAfter: 'date' });
		admit(limiter);
		const date = Date.parse(admit(limiter).headers['retry-after']);
		expect(date - now).toBeGreaterThanOrEqual(1500);
		expect(date - now).toBeLessThanOrEqual(3000);
	});

	it('bare mode: no headers and a generic 429', () => {
		const limiter = new RateLimiter({ rpm: 60, burst: 1, now: clock, mode: 'bare' });
		expect(admit(limiter).headers).toEqual({});
		const refused = admit(limiter);
		expect(refused).toEqual({ allowed: false, status: 429, headers: {}, body: 'Too Many Requests', contentType: 'text/plain; charset=utf-8' });
	});
});

describe('the server with a rate limit', () => {
	let server: OpenAiServer;
	const post = () =>
		fetch(`${server.baseUrl()}/chat/completions`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${DEFAULT_API_KEY}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
		});

	beforeAll(async () => {
		server = await startOpenAiServer({ rateLimit: { rpm: 60, burst: 2 } });
	});
	afterAll(async () => await server.close());
	beforeEach(() => server.reset());

	it('answers the burst, then a 429 at once; headers on every answer; reset() refills', async () => {
		// A stopped clock: the wait the 429 names does not depend on how fast the three requests went.
		server.setRateLimit({ rpm: 60, burst: 2, now: () => 1_000_000 });
		const answers = [await post(), await post(), await post()];
		expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
		expect(answers.map((answer) => answer.headers.get('x-ratelimit-remaining-requests'))).toEqual(['1', '0', '0']);
		expect(answers[0].headers.get('x-ratelimit-limit-requests')).toBe('60');
		const refusal = (await answers[2].json()) as { error: { code: string; message: string } };
		expect(refusal.error.code).toBe('rate_limit_exceeded');
		expect(refusal.error.message).toContain('Please try again in 1s.');
		expect(server.rateLimitStats()).toEqual({ allowed: 2, refused: 1 });
		expect(server.requests).toHaveLength(3);

		server.reset();
		expect((await post()).status).toBe(200);
		expect(server.rateLimitStats()).toEqual({ allowed: 1, refused: 0 });
		server.setRateLimit({ rpm: 60, burst: 2 });
	});

	it('keeps its headers on a faulted answer', async () => {
		server.failNext('/chat/completions', { status: 500, headers: { 'x-extra': '1' } });
		const answer = await post();
		expect(answer.status).toBe(500);
		expect(answer.headers.get('x-extra')).toBe('1');
		expect(answer.headers.get('x-ratelimit-remaining-requests')).toBe('1');
	});

	it('can be switched to bare mode and off', async () => {
		server.setRateLimit({ rpm: 60, burst: 1, mode: 'bare' });
		const [first, second] = [await post(), await post()];
		expect([first.status, second.status]).toEqual([200, 429]);
		expect(first.headers.get('x-ratelimit-remaining-requests')).toBeNull();
		expect(await second.text()).toBe('Too Many Requests');
		server.setRateLimit(undefined);
		expect((await Promise.all([post(), post(), post()])).map((answer) => answer.status)).toEqual([200, 200, 200]);
		expect(server.rateLimitStats()).toBeUndefined();
		server.setRateLimit({ rpm: 60, burst: 2 });
	});

	it('counts the requests in flight', async () => {
		server.setRateLimit(undefined);
		server.failAlways('/chat/completions', { hangMs: 100 });
		await Promise.all([post(), post(), post()]);
		expect(server.maxInFlight()).toBe(3);
		expect(server.inFlight()).toBe(0);
		server.setRateLimit({ rpm: 60, burst: 2 });
	});
});
