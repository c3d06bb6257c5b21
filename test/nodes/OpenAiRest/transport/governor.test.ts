/** The rate-limit governor on a fake clock: parsing what servers say, and how a lane lets requests go. */
import {
	type Answer,
	type Clock,
	Governor,
	isRateLimit,
	type Lane,
	laneKey,
	limitInMessage,
	MAX_LANES,
	parseGoDuration,
	PROBE_WAIT_MS,
	RateLimitWaitCanceled,
	RateLimitWaitExceeded,
	readLimits,
	retryHintMs,
	type Ticket,
	type WaitBudget,
} from '../../../../nodes/OpenAiRest/transport/governor';

/** A clock whose time moves only when the test says; sleeps end when it passes their time. */
class FakeClock implements Clock {
	time = 1_000_000;
	private sleepers: Array<{ at: number; resolve: () => void }> = [];

	now = () => this.time;

	sleep = async (ms: number, signal: AbortSignal) =>
		await new Promise<void>((resolve, reject) => {
			const sleeper = { at: this.time + ms, resolve };
			this.sleepers.push(sleeper);
			signal.addEventListener('abort', () => {
				this.sleepers = this.sleepers.filter((other) => other !== sleeper);
				reject(new Error('aborted'));
			});
		});

	pending(): number {
		return this.sleepers.length;
	}

	/** Moves time on by `ms`, waking sleepers in time order and letting their work run. */
	async advance(ms: number): Promise<void> {
		const end = this.time + ms;
		for (;;) {
			await flush();
			const next = this.sleepers.filter((sleeper) => sleeper.at <= end).sort((a, b) => a.at - b.at)[0];
			if (!next) break;
			this.time = Math.max(this.time, next.at);
			this.sleepers = this.sleepers.filter((sleeper) => sleeper !== next);
			next.resolve();
		}
		this.time = end;
		await flush();
	}
}

const flush = async () => {
	for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
};

const budget = (maxMs = 600_000): WaitBudget => ({ maxMs: () => maxMs, waitedMs: 0 });

const limitHeaders = (limit: number, remaining: number, reset = '1s') => ({
	'x-ratelimit-limit-requests': String(limit),
	'x-ratelimit-remaining-requests': String(remaining),
	'x-ratelimit-reset-requests': reset,
	'x-ratelimit-limit-tokens': '150000',
	'x-ratelimit-remaining-tokens': '149000',
	'x-ratelimit-reset-tokens': '6m0s',
});

const rateLimited = (message = 'Rate limit reached. Please try again in 20ms.', headers: Record<string, string> = {}): Answer => ({
	status: 429,
	headers,
	body: { error: { message, type: 'requests', code: 'rate_limit_exceeded' } },
});

/** Starts `count` acquires and records which resolved, in order. */
function acquireAll(lane: Lane, count: number, budgets = Array.from({ length: count }, () => budget()), signal?: AbortSignal) {
	const granted: Array<{ index: number; ticket: Ticket }> = [];
	const failed: Array<{ index: number; error: Error }> = [];
	budgets.forEach((item, index) => {
		lane.acquire(item, signal).then(
			(ticket) => granted.push({ index, ticket }),
			(error: Error) => failed.push({ index, error }),
		);
	});
	return { granted, failed, budgets };
}

describe('reading the server', () => {
	it.each([
		['1s', 1000],
		['6m0s', 360_000],
		['12ms', 12],
		['17.252s', 17_252],
		['1h2m3.5s', 3_723_500],
		['500us', 0.5],
		['250µs', 0.25],
		['2', 2000],
		['0s', 0],
	])('parses the Go duration %s', (text, ms) => {
		expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
	});

	it.each(['', 'soon', '1x', '1s later', '-1s'])('rejects %p', (text) => {
		expect(parseGoDuration(text)).toBeUndefined();
	});

	it('reads the x-ratelimit headers, whatever their case', () => {
		expect(readLimits({ 'X-RateLimit-Limit-Requests': '3000', 'x-ratelimit-remaining-requests': ['12'], 'x-ratelimit-reset-requests': '17.252s' })).toEqual({
			limitRequests: 3000,
			remainingRequests: 12,
			resetRequestsMs: 17_252,
			limitTokens: undefined,
			remainingTokens: undefined,
			resetTokensMs: undefined,
		});
		expect(readLimits(undefined)).toEqual({});
	});

	it('takes retry-after-ms, then the message, then retry-after in seconds or as a date', () => {
		const now = Date.parse('2026-01-01T00:00:00Z');
		const body = { error: { message: 'Rate limit reached ... Please try again in 1.5s. Visit ...' } };
		expect(retryHintMs({ 'retry-after-ms': '120', 'retry-after': '9' }, body, now)).toBe(120);
		expect(retryHintMs({ 'retry-after': '9' }, body, now)).toBe(1500);
		expect(retryHintMs({ 'retry-after': '9' }, { error: { message: 'Please try again in 120ms.' } }, now)).toBe(120);
		expect(retryHintMs({ 'retry-after': '9' }, { error: { message: 'Please try again in 6m0s.' } }, now)).toBe(360_000);
		expect(retryHintMs({ 'retry-after': '9' }, 'Too Many Requests', now)).toBe(9000);
		expect(retryHintMs({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }, undefined, now)).toBe(5000);
		expect(retryHintMs({}, JSON.stringify(body), now)).toBe(1500);
	});

	it("ignores Azure's 0 and -1 and anything unreadable", () => {
		expect(retryHintMs({ 'retry-after': '0' }, undefined)).toBeUndefined();
		expect(retryHintMs({ 'retry-after': '-1', 'retry-after-ms': '-1' }, undefined)).toBeUndefined();
		expect(retryHintMs({ 'retry-after': 'later' }, 'Please try again later')).toBeUndefined();
	});

	it('tells a rate limit from a spent quota', () => {
		expect(isRateLimit(rateLimited())).toBe(true);
		expect(isRateLimit({ status: 429, body: 'Too Many Requests' })).toBe(true);
		expect(isRateLimit({ status: 429, body: { error: { message: 'You exceeded your current quota', code: 'insufficient_quota' } } })).toBe(false);
		expect(isRateLimit({ status: 503 })).toBe(false);
	});

	it("names the limit of OpenAI's 429 message", () => {
		expect(limitInMessage('Rate limit reached for gpt-4o in organization org-1 on requests per min (RPM): Limit 3000, Used 3000, Requested 1.')).toBe(
			'3,000 requests per minute',
		);
		expect(limitInMessage('... on tokens per day (TPD): Limit 2000000, Used ...')).toBe('2,000,000 tokens per day');
		expect(limitInMessage('Too Many Requests')).toBeUndefined();
	});

	it('keys lanes by URL, organization and a hash of the key, never the key itself', () => {
		const key = laneKey('https://api.openai.com/v1/', 'org-1', 'sk-secret-123456');
		expect(key).not.toContain('sk-secret');
		expect(key).toBe(laneKey('https://api.openai.com/v1', 'org-1', 'sk-secret-123456'));
		expect(key).not.toBe(laneKey('https://api.openai.com/v1', 'org-2', 'sk-secret-123456'));
		expect(key).not.toBe(laneKey('https://api.openai.com/v1', 'org-1', 'sk-other-123456'));
	});
});

describe('a lane', () => {
	let clock: FakeClock;
	let governor: Governor;
	let lane: Lane;

	beforeEach(() => {
		clock = new FakeClock();
		governor = new Governor(clock);
		lane = governor.lane('k');
	});

	/** Answers the first request without headers: the lane is open from then on. */
	async function open(): Promise<void> {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: {} });
	}

	it('sends the first request on a new key alone, then all at once when the answer shows no limit', async () => {
		const first = await lane.acquire(budget());
		const rest = acquireAll(lane, 5);
		await flush();
		expect(rest.granted).toHaveLength(0);
		expect(lane.settle(first, { status: 200, headers: { 'content-type': 'application/json' } })).toBe('done');
		await flush();
		expect(rest.granted.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4]);
		expect(lane.inFlight).toBe(5);
		expect(lane.mode).toBe('open');
		expect(clock.pending()).toBe(0);
	});

	it('lets the others go when the first answer takes longer than PROBE_WAIT_MS', async () => {
		await lane.acquire(budget());
		const rest = acquireAll(lane, 3);
		await clock.advance(PROBE_WAIT_MS - 1);
		expect(rest.granted).toHaveLength(0);
		await clock.advance(1);
		expect(rest.granted).toHaveLength(3);
	});

	it('backs off on top of a short server hint when requests sent after a 429 are refused again', async () => {
		await open();
		const gaps: number[] = [];
		for (let round = 0; round < 4; round++) {
			const asked = clock.time;
			const ticket = lane.acquire(budget());
			ticket.then(() => gaps.push(clock.time - asked));
			await clock.advance(5000);
			lane.settle(await ticket, rateLimited('Slow down', { 'retry-after-ms': '1' }));
		}
		// The server's 1 ms at first; then 100, 200 ms: it keeps refusing.
		expect(gaps).toEqual([0, 1, 100, 200]);
	});

	it('on an open lane, grants every request at once and keeps no timer', async () => {
		await open();
		const all = acquireAll(lane, 1000);
		await flush();
		expect(all.granted).toHaveLength(1000);
		expect(lane.inFlight).toBe(1000);
		expect(clock.pending()).toBe(0);
		for (const { ticket } of all.granted) lane.settle(ticket, { status: 200 });
		expect(lane.idle()).toBe(true);
	});

	it('with headers, spends the remaining budget, then releases in order one per refill', async () => {
		// 600 per minute: one request per 100 ms; 3 left.
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(600, 3) });
		const all = acquireAll(lane, 6);
		await flush();
		expect(all.granted.map((entry) => entry.index)).toEqual([0, 1, 2]);
		await clock.advance(99);
		expect(all.granted).toHaveLength(3);
		await clock.advance(1);
		expect(all.granted.map((entry) => entry.index)).toEqual([0, 1, 2, 3]);
		await clock.advance(200);
		expect(all.granted.map((entry) => entry.index)).toEqual([0, 1, 2, 3, 4, 5]);
		expect(all.budgets.map((item) => item.waitedMs)).toEqual([0, 0, 0, 100, 200, 300]);
		expect(clock.pending()).toBe(0);
	});

	it('counts what it sent after the freshest answer, and ignores older answers', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(600, 5) });
		const all = acquireAll(lane, 5);
		await flush();
		expect(all.granted).toHaveLength(5);
		const [a, b] = all.granted.map((entry) => entry.ticket);
		// The server, having counted a and b, says 1 is left: 3 more went out after b, so none is.
		lane.settle(b, { status: 200, headers: limitHeaders(600, 1) });
		// An older answer saying more is left changes nothing.
		lane.settle(a, { status: 200, headers: limitHeaders(600, 4) });
		const later = acquireAll(lane, 1);
		await clock.advance(250);
		expect(later.granted).toHaveLength(0);
		await clock.advance(50);
		expect(later.granted).toHaveLength(1);
	});

	it('keeps a tenth of a large burst unused, for requests that leave late and arrive together', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(6000, 49) });
		const all = acquireAll(lane, 50);
		await flush();
		expect(all.granted).toHaveLength(44);
		await clock.advance(10);
		expect(all.granted).toHaveLength(45);
	});

	it('holds every request on a 429 for the time the server gave, and puts the refused one back in its place', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(600, 100) });
		const all = acquireAll(lane, 3);
		await flush();
		const [refused, ...others] = all.granted;
		expect(lane.settle(refused.ticket, rateLimited('Rate limit reached. Please try again in 1.5s.'))).toBe('rate-limited');
		for (const { ticket } of others) lane.settle(ticket, { status: 200, headers: limitHeaders(600, 100) });
		const later = acquireAll(lane, 2);
		const again = acquireAll(lane, 1, [all.budgets[0]]);
		await clock.advance(1499);
		expect(later.granted.length + again.granted.length).toBe(0);
		await clock.advance(1);
		// One request fits when the server said: the refused one, first in line; the others one refill apart.
		expect(again.granted).toHaveLength(1);
		expect(later.granted).toHaveLength(0);
		expect(all.budgets[0].waitedMs).toBe(1500);
		await clock.advance(200);
		expect(later.granted.map((entry) => entry.index)).toEqual([0, 1]);
	});

	it('fails a spent quota at once and holds nothing', async () => {
		await open();
		const ticket = await lane.acquire(budget());
		expect(lane.settle(ticket, { status: 429, body: { error: { message: 'quota', code: 'insufficient_quota' } } })).toBe('quota');
		const next = acquireAll(lane, 1);
		await flush();
		expect(next.granted).toHaveLength(1);
	});

	it('without headers, starts over from one request in flight after a 429, doubles per round trip, then halves and adds one', async () => {
		await open();
		const all = acquireAll(lane, 8);
		await flush();
		const tickets = all.granted.map((entry) => entry.ticket);
		lane.settle(tickets[0], rateLimited('Too many'));
		expect(lane.window).toBe(1);
		// Requests sent before the cut neither cut again nor count as successes.
		lane.settle(tickets[1], rateLimited('Too many'));
		for (const ticket of tickets.slice(2)) lane.settle(ticket, { status: 200 });
		expect(lane.window).toBe(1);
		// Slow start up to 4 (half of what was in flight), then one per window of answers.
		const grown: number[] = [];
		for (let round = 0; round < 4; round++) {
			const batch = acquireAll(lane, Math.floor(lane.window));
			await flush();
			for (const { ticket } of batch.granted) lane.settle(ticket, { status: 200 });
			grown.push(lane.window);
		}
		expect(grown.map((window) => Number(window.toFixed(2)))).toEqual([2, 4, 4.92, 5.69]);
		const more = acquireAll(lane, 10);
		await flush();
		expect(more.granted).toHaveLength(6);
		lane.settle(more.granted[0].ticket, rateLimited('Too many'));
		expect(lane.window).toBe(2);
	});

	it('at one request in flight, backs off exponentially while 429s go on, and forgets the cap after a quiet minute', async () => {
		await open();
		const delays: number[] = [];
		for (let round = 0; round < 5; round++) {
			const asked = clock.time;
			const ticket = lane.acquire(budget());
			ticket.then(() => delays.push(clock.time - asked));
			await clock.advance(10_000);
			lane.settle(await ticket, { status: 429, body: 'Too Many Requests' });
		}
		// The first 429 cuts the lane to one request in flight; each one after it doubles the pause.
		expect(delays).toEqual([0, 0, 100, 200, 400]);
		expect(lane.window).toBe(1);
		const ticket = lane.acquire(budget());
		await clock.advance(10_000);
		lane.settle(await ticket, { status: 200 });
		await clock.advance(61_000);
		await lane.acquire(budget());
		expect(lane.window).toBe(Number.POSITIVE_INFINITY);
	});

	it('fails an item whose Max Wait runs out, naming the limit the server gave', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(60, 0) });
		const all = acquireAll(lane, 3, [budget(5000), budget(5000), budget(1500)]);
		await clock.advance(1000);
		expect(all.granted.map((entry) => entry.index)).toEqual([0]);
		await clock.advance(500);
		expect(all.failed.map((entry) => entry.index)).toEqual([2]);
		const error = all.failed[0].error as RateLimitWaitExceeded;
		expect(error).toBeInstanceOf(RateLimitWaitExceeded);
		expect(error.waitedMs).toBe(1500);
		expect(error.limit).toBe('60 requests per minute');
		await clock.advance(500);
		expect(all.granted.map((entry) => entry.index)).toEqual([0, 1]);
	});

	it('fails at once an item that cannot wait as long as the server asks', async () => {
		const probe = await lane.acquire(budget());
		const waiting = acquireAll(lane, 1, [budget(10_000)]);
		await flush();
		lane.settle(probe, rateLimited('Rate limit reached for gpt-4o in organization o on requests per day (RPD): Limit 200, Used 200. Please try again in 7m12s.'));
		await flush();
		const error = waiting.failed[0]?.error as RateLimitWaitExceeded;
		expect(error).toBeInstanceOf(RateLimitWaitExceeded);
		expect(error.serverAskedMs).toBe(432_000);
		expect(error.limit).toBe('200 requests per day');
		await expect(lane.acquire(budget(10_000))).rejects.toBeInstanceOf(RateLimitWaitExceeded);
		expect(clock.pending()).toBe(0);
	});

	it('with Max Wait 0, fails the first wait at once', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(60, 0) });
		await expect(lane.acquire(budget(0))).rejects.toBeInstanceOf(RateLimitWaitExceeded);
	});

	it('counts no wait for what happens in one instant, even on a clock that moves at every read', async () => {
		const ticking = new FakeClock();
		ticking.now = () => ticking.time++;
		const slow = new Governor(ticking).lane('k');
		const probe = await slow.acquire(budget());
		const released = acquireAll(slow, 3, [budget(0), budget(0), budget(0)]);
		await flush();
		slow.settle(probe, { status: 200, headers: {} });
		await flush();
		expect(released.granted.map((entry) => entry.index)).toEqual([0, 1, 2]);
		expect(released.budgets.map((item) => item.waitedMs)).toEqual([0, 0, 0]);
		for (const { ticket } of released.granted) slow.settle(ticket, { status: 200 });

		slow.settle(await slow.acquire(budget()), rateLimited());
		await expect(slow.acquire(budget(0))).rejects.toMatchObject({ waitedMs: 0 });
	});

	it('ends every wait at once when the execution stops, and keeps no timer', async () => {
		lane.settle(await lane.acquire(budget()), { status: 200, headers: limitHeaders(60, 0) });
		const stop = new AbortController();
		const all = acquireAll(lane, 3, undefined, stop.signal);
		await clock.advance(10);
		expect(clock.pending()).toBe(1);
		stop.abort();
		await flush();
		expect(all.failed.map((entry) => entry.error)).toEqual([0, 1, 2].map(() => expect.any(RateLimitWaitCanceled)));
		expect(all.granted).toHaveLength(0);
		expect(clock.pending()).toBe(0);
		await expect(lane.acquire(budget(), stop.signal)).rejects.toBeInstanceOf(RateLimitWaitCanceled);
	});

	it('holds the lane until the token budget resets when it reaches 0', async () => {
		const headers = { ...limitHeaders(600, 100), 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '2s' };
		lane.settle(await lane.acquire(budget()), { status: 200, headers });
		const next = acquireAll(lane, 1);
		await clock.advance(1999);
		expect(next.granted).toHaveLength(0);
		await clock.advance(1);
		expect(next.granted).toHaveLength(1);
		expect(lane.describeLimit()).toBe('600 requests per minute and 150,000 tokens per minute');
	});
});

describe('the governor', () => {
	it('forgets every lane on clear()', () => {
		const governor = new Governor(new FakeClock());
		const lane = governor.lane('a');
		governor.clear();
		expect(governor.size).toBe(0);
		expect(governor.lane('a')).not.toBe(lane);
	});

	it('gives one lane per key and keeps at most MAX_LANES idle ones', async () => {
		const governor = new Governor(new FakeClock());
		const first = governor.lane('a');
		expect(governor.lane('a')).toBe(first);
		const busy = governor.lane('busy');
		await busy.acquire(budget());
		for (let index = 0; index < MAX_LANES * 2; index++) governor.lane(`key-${index}`);
		expect(governor.size).toBeLessThanOrEqual(MAX_LANES);
		expect(governor.lane('busy')).toBe(busy);
		expect(governor.lane('a')).not.toBe(first);
	});
});
