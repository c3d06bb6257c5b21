/**
 * One rate-limit governor per process: every request the node sends takes a ticket from the lane of its
 * key (base URL, organization, hash of the API key) and settles it with what the answer said.
 *
 * - With `x-ratelimit-*` headers the lane mirrors the server's bucket: it counts what it sent since the
 *   freshest answer, refills at the per-minute limit, and releases waiting requests in order, one per
 *   refill, once the budget is spent.
 * - A 429 `rate_limit_exceeded` holds the whole lane for the time the server gave (`retry-after-ms`,
 *   "Please try again in 20ms", `retry-after`); the refused request goes back in line, in its place.
 * - Without headers the lane caps the requests in flight: halved after a 429, one more per window of
 *   successes (AIMD); at one in flight, 429s back off exponentially.
 * - A lane that has never shown a limit lets every request through at once, as if it were not there;
 *   only the very first request on a key goes alone (for at most PROBE_WAIT_MS), to learn whether the
 *   server limits it.
 * - When a request sent alone after a 429 is refused again with no success between, the lane backs off
 *   exponentially on top of what the server asked, so a server that keeps refusing is not hammered.
 */
import { createHash } from 'crypto';
import { sleep as n8nSleep } from 'n8n-workflow';

import { extractOpenAiError } from './errors';

type Headers = Record<string, unknown> | undefined;

/** What one answer told the governor. */
export interface Answer {
	/** HTTP status; undefined when no response arrived or the request was abandoned. */
	status?: number;
	headers?: Headers;
	/** The error body of a failed request. */
	body?: unknown;
}

/** How a settled request went, for the retry loop. */
export type Outcome = 'done' | 'rate-limited' | 'quota';

/** An item's allowance of waiting, over all its attempts. */
export interface WaitBudget {
	/** Milliseconds the item may wait in total; read only when it first has to wait. */
	maxMs: () => number;
	waitedMs: number;
	/** Its place in line, given at its first request; later attempts keep it. */
	order?: number;
}

export interface Ticket {
	readonly seq: number;
	readonly sentAt: number;
}

/** Thrown when an item has waited its Max Wait, or the server asks for a longer wait than it has left. */
export class RateLimitWaitExceeded extends Error {
	constructor(
		readonly waitedMs: number,
		readonly limit: string | undefined,
		readonly serverAskedMs?: number,
	) {
		super('rate limit wait exceeded');
	}
}

/** Thrown when the execution is stopped while the request waits for its turn. */
export class RateLimitWaitCanceled extends Error {
	constructor(readonly waitedMs: number) {
		super('rate limit wait canceled');
	}
}

export interface Clock {
	now: () => number;
	/** Resolves after `ms`, or rejects once `signal` aborts. */
	sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

const defaultClock: Clock = { now: () => Date.now(), sleep: async (ms, signal) => await n8nSleep(ms, signal) };

/** The limit of a lane with no headers: no cap on requests in flight. */
const OPEN = Number.POSITIVE_INFINITY;
/** After this long without a 429, a lane without headers forgets its cap. */
const FORGET_CAP_AFTER_MS = 60_000;
/** How long the others wait for the first answer on a new key before going anyway. */
export const PROBE_WAIT_MS = 3000;
const BACKOFF_START_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** Lanes kept per process; idle ones beyond it are dropped, oldest first. */
export const MAX_LANES = 256;

// ---------------------------------------------------------------------------------------------
// Reading what the server said
// ---------------------------------------------------------------------------------------------

function header(headers: Headers, name: string): string | undefined {
	if (!headers) return undefined;
	let value = headers[name];
	if (value === undefined) {
		const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
		value = key === undefined ? undefined : headers[key];
	}
	if (Array.isArray(value)) value = value[0];
	return value === undefined || value === null ? undefined : String(value).trim();
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, μs: 0.001, ns: 0.000001 };

/** Milliseconds of a Go duration ("1s", "6m0s", "12ms", "17.252s", "1h2m3.5s"); a bare number is seconds. */
export function parseGoDuration(text: string | undefined): number | undefined {
	if (text === undefined || text === '') return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const pattern = /(\d+(?:\.\d+)?)(ms|us|µs|μs|ns|h|m|s)/gy;
	let total = 0;
	let end = 0;
	for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
		total += Number(match[1]) * UNIT_MS[match[2]];
		end = pattern.lastIndex;
	}
	return end === text.length && end > 0 ? total : undefined;
}

export interface Limits {
	limitRequests?: number;
	remainingRequests?: number;
	resetRequestsMs?: number;
	limitTokens?: number;
	remainingTokens?: number;
	resetTokensMs?: number;
}

function count(value: string | undefined): number | undefined {
	const parsed = value === undefined ? Number.NaN : Number(value);
	return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** The `x-ratelimit-*` headers of an answer; empty when it has none. */
export function readLimits(headers: Headers): Limits {
	return {
		limitRequests: count(header(headers, 'x-ratelimit-limit-requests')),
		remainingRequests: count(header(headers, 'x-ratelimit-remaining-requests')),
		resetRequestsMs: parseGoDuration(header(headers, 'x-ratelimit-reset-requests')),
		limitTokens: count(header(headers, 'x-ratelimit-limit-tokens')),
		remainingTokens: count(header(headers, 'x-ratelimit-remaining-tokens')),
		resetTokensMs: parseGoDuration(header(headers, 'x-ratelimit-reset-tokens')),
	};
}

/** The message of an error body, OpenAI's shape or plain text. */
function messageOf(body: unknown): string | undefined {
	const error = extractOpenAiError(body);
	if (error?.message) return String(error.message);
	if (typeof body === 'string') return body;
	return Buffer.isBuffer(body) ? body.toString('utf8') : undefined;
}

/**
 * How long the server asked to wait: `retry-after-ms`, then "Please try again in 1.5s" in the message,
 * then `retry-after` in seconds or as an HTTP date. Zero and negative values (Azure) say nothing.
 */
export function retryHintMs(headers: Headers, body: unknown, now = Date.now()): number | undefined {
	const positive = (value: number | undefined) => (value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined);
	const milliseconds = positive(Number.parseFloat(header(headers, 'retry-after-ms') ?? ''));
	if (milliseconds !== undefined) return milliseconds;
	const inMessage = /try again in ((?:\d+(?:\.\d+)?(?:ms|us|µs|μs|ns|h|m|s))+)/i.exec(messageOf(body) ?? '');
	const fromMessage = positive(parseGoDuration(inMessage?.[1]));
	if (fromMessage !== undefined) return fromMessage;
	const retryAfter = header(headers, 'retry-after');
	if (retryAfter === undefined) return undefined;
	return /^-?\d+(\.\d+)?$/.test(retryAfter) ? positive(Number(retryAfter) * 1000) : positive(Date.parse(retryAfter) - now);
}

/** Whether a 429 is a rate limit (worth waiting for) rather than a spent quota. */
export function isRateLimit(answer: Answer): boolean {
	if (answer.status !== 429) return false;
	const code = extractOpenAiError(answer.body)?.code;
	return code !== 'insufficient_quota';
}

const PER = { min: 'minute', day: 'day' } as Record<string, string>;

/** The limit a 429's message names ("on requests per min (RPM): Limit 3000" => "3,000 requests per minute"). */
export function limitInMessage(message: string | undefined): string | undefined {
	const match = /on (requests|tokens|images) per (min|day)\b[^:]*:\s*Limit (\d+)/i.exec(message ?? '');
	if (!match) return undefined;
	return `${Number(match[3]).toLocaleString('en-US')} ${match[1].toLowerCase()} per ${PER[match[2].toLowerCase()]}`;
}

/** Hash of the key, URL and organization: the lane's name; the key itself is never kept. */
export function laneKey(baseUrl: string, organization: string | undefined, apiKey: string | undefined): string {
	const hash = createHash('sha256').update(apiKey ?? '').digest('hex').slice(0, 32);
	return `${baseUrl.replace(/\/+$/, '')}|${organization ?? ''}|${hash}`;
}

// ---------------------------------------------------------------------------------------------
// A lane: the requests of one key
// ---------------------------------------------------------------------------------------------

interface Waiter {
	order: number;
	budget: WaitBudget;
	/** When its waiting for the limit began; waiting for a new key's first answer does not count. */
	since: number;
	deadline: number;
	forFirstAnswer: boolean;
	resolve: (ticket: Ticket) => void;
	reject: (error: Error) => void;
	signal?: AbortSignal;
	onAbort?: () => void;
}

export class Lane {
	/** 'new': nothing answered yet; 'open': answers without limit headers; 'metered': answers with them. */
	mode: 'new' | 'open' | 'metered' = 'new';
	inFlight = 0;
	/** Cap on requests in flight (AIMD), for servers without headers; below `threshold` it grows one per success. */
	window = OPEN;
	private threshold = OPEN;
	private readonly queue: Waiter[] = [];
	private seq = 0;
	private nextOrder = 0;
	/** Nothing is sent before this time. */
	private holdUntil = 0;
	/** Whether the hold is the server's word (so an item that cannot wait that long fails at once). */
	private serverHold = false;
	// The server's request bucket as the lane sees it.
	private intervalMs = 0;
	private level = 0;
	private levelAt = 0;
	private capacity = 0;
	private anchorSeq = -1;
	// Refusals: the last request sent when the lane last reacted to one, and how many times in a row.
	private refusedAtSeq = -1;
	private refusedInARow = 0;
	private last429At = Number.NEGATIVE_INFINITY;
	private probeAt = 0;
	/** What the server said its limits are, for the error when an item runs out of wait (tokens once they ran out). */
	limitRequests?: number;
	limitTokens?: number;
	lastRefusal?: string;
	private timer?: { at: number; controller: AbortController };
	/** No waiter's deadline comes before this. */
	private earliestDeadline = Number.POSITIVE_INFINITY;

	constructor(private readonly clock: Clock) {}

	/** Waits for the turn of one request. Resolves at once when nothing limits the lane. */
	async acquire(budget: WaitBudget, signal?: AbortSignal): Promise<Ticket> {
		const now = this.clock.now();
		budget.order ??= this.nextOrder++;
		if (this.window !== OPEN && this.mode === 'open' && now - this.last429At > FORGET_CAP_AFTER_MS) this.window = this.threshold = OPEN;
		if (signal?.aborted) throw new RateLimitWaitCanceled(budget.waitedMs);
		if (this.queue.length === 0 && this.ready(now)) return this.grant(now);
		return await new Promise<Ticket>((resolve, reject) => {
			const forFirstAnswer = this.mode === 'new';
			const deadline = forFirstAnswer ? Number.POSITIVE_INFINITY : now + Math.max(0, budget.maxMs() - budget.waitedMs);
			const waiter: Waiter = { order: budget.order!, budget, since: now, deadline, forFirstAnswer, resolve, reject, signal };
			if (this.serverHold && this.holdUntil > waiter.deadline) {
				reject(this.exceeded(budget, now, this.holdUntil - now));
				return;
			}
			if (signal) {
				waiter.onAbort = () => {
					const at = this.clock.now();
					this.drop(waiter, new RateLimitWaitCanceled(budget.waitedMs + at - waiter.since), at);
				};
				signal.addEventListener('abort', waiter.onAbort, { once: true });
			}
			this.enqueue(waiter);
			this.drain(now);
		});
	}

	/** Records what the answer to a ticket said and frees its place; tells the retry loop what it was. */
	settle(ticket: Ticket, answer: Answer): Outcome {
		const now = this.clock.now();
		this.inFlight--;
		const limits = readLimits(answer.headers);
		const wasNew = this.mode === 'new';
		if (limits.limitRequests !== undefined && limits.remainingRequests !== undefined) this.meter(ticket, limits, now);
		else if (this.mode === 'new' && answer.status !== undefined) this.mode = 'open';
		if (limits.remainingTokens === 0 && limits.resetTokensMs) {
			this.limitTokens = limits.limitTokens;
			this.hold(now + limits.resetTokensMs, true, now);
		}
		let outcome: Outcome = 'done';
		if (answer.status === 429) {
			outcome = isRateLimit(answer) ? 'rate-limited' : 'quota';
			if (outcome === 'rate-limited') this.refused(ticket, answer, now);
		} else if (answer.status !== undefined) {
			this.succeeded(ticket);
		}
		if (wasNew && this.mode !== 'new') this.startClocks(now);
		this.drain(now);
		return outcome;
	}

	/** The limit as the server gave it, in words. */
	describeLimit(): string | undefined {
		const fromMessage = limitInMessage(this.lastRefusal);
		if (fromMessage) return fromMessage;
		const parts: string[] = [];
		if (this.limitRequests !== undefined) parts.push(`${this.limitRequests.toLocaleString('en-US')} requests per minute`);
		if (this.limitTokens !== undefined) parts.push(`${this.limitTokens.toLocaleString('en-US')} tokens per minute`);
		return parts.length ? parts.join(' and ') : undefined;
	}

	/** Whether the lane holds nothing: no request waiting or in flight. */
	idle(): boolean {
		return this.queue.length === 0 && this.inFlight === 0;
	}

	private ready(now: number): boolean {
		if (now < this.holdUntil) return false;
		if (this.inFlight >= this.window) return false;
		if (this.mode === 'new') return this.inFlight === 0 || now - this.probeAt >= PROBE_WAIT_MS;
		if (this.mode === 'metered') return this.refill(now) >= 1 + this.reserve();
		return true;
	}

	/** Tokens left unused, so that requests leaving late and arriving together still fit: a tenth of the burst. */
	private reserve(): number {
		return Math.floor(this.capacity / 10);
	}

	private refill(now: number): number {
		if (this.intervalMs > 0) this.level = Math.min(this.capacity, this.level + (now - this.levelAt) / this.intervalMs);
		this.levelAt = now;
		return this.level;
	}

	private grant(now: number): Ticket {
		if (this.mode === 'new' && this.inFlight === 0) this.probeAt = now;
		this.inFlight++;
		if (this.mode === 'metered') this.level -= 1;
		return { seq: ++this.seq, sentAt: now };
	}

	/**
	 * Mirrors the server's bucket. The lane counts its own requests in a local bucket that refills at the
	 * per-minute limit; the freshest answer (what the server had left, refilled since, less what went out
	 * after) can only lower it: it also sees other clients of the key, but it credits refill from when the
	 * request was let go, which may be before the server counted it.
	 */
	private meter(ticket: Ticket, limits: Limits, now: number): void {
		const first = this.mode !== 'metered';
		this.mode = 'metered';
		this.window = OPEN;
		this.limitRequests = limits.limitRequests;
		this.intervalMs = 60_000 / Math.max(1, limits.limitRequests!);
		this.capacity = Math.max(this.capacity, limits.remainingRequests! + 1);
		if (ticket.seq <= this.anchorSeq) return;
		this.anchorSeq = ticket.seq;
		const estimate = Math.min(this.capacity, limits.remainingRequests! + (now - ticket.sentAt) / this.intervalMs) - (this.seq - ticket.seq);
		this.level = first ? estimate : Math.min(this.refill(now), estimate);
		this.levelAt = now;
	}

	private refused(ticket: Ticket, answer: Answer, now: number): void {
		this.lastRefusal = messageOf(answer.body) ?? `HTTP status ${answer.status}`;
		this.last429At = now;
		const hint = retryHintMs(answer.headers, answer.body, now);
		// The refused request took nothing from the server's bucket, which had less than one left: one
		// more fits when the server said, or after a refill when it did not.
		if (this.mode === 'metered') this.level = Math.min(this.refill(now) + 1, hint === undefined ? 0 : 1 + this.reserve() - hint / this.intervalMs);
		else this.mode = 'open';
		// Requests that were already out when the lane last reacted do not make it react again.
		const fresh = ticket.seq > this.refusedAtSeq;
		if (fresh) {
			this.refusedAtSeq = this.seq;
			this.refusedInARow++;
			if (this.mode === 'open') this.cut();
		}
		// Backing off is for a request refused on its own: while earlier ones are still out, they explain it.
		const alone = this.inFlight === 0 && (this.mode === 'metered' || this.window <= 1);
		const backoff = fresh && alone && this.refusedInARow >= 2 ? Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (this.refusedInARow - 2)) : 0;
		if (hint !== undefined && hint >= backoff) this.hold(now + hint, true, now);
		else if (backoff) this.hold(now + backoff, false, now);
	}

	/**
	 * Fewer requests in flight after a 429. The first one on an open lane starts over from one and grows
	 * again as answers come (doubling per round trip up to half of what was in flight); later ones halve.
	 */
	private cut(): void {
		if (this.window === OPEN) {
			this.threshold = Math.max(2, Math.floor((this.inFlight + 1) / 2));
			this.window = 1;
		} else {
			this.window = Math.max(1, Math.floor(this.window / 2));
			this.threshold = Math.max(2, this.window);
		}
	}

	/** Only answers to requests sent after the last cut make the lane bolder. */
	private succeeded(ticket: Ticket): void {
		this.refusedInARow = 0;
		if (this.window === OPEN || ticket.seq <= this.refusedAtSeq) return;
		this.window += this.window < this.threshold ? 1 : 1 / this.window;
	}

	private hold(until: number, fromServer: boolean, now: number): void {
		if (until <= this.holdUntil) return;
		this.holdUntil = until;
		this.serverHold = fromServer;
		if (!fromServer) return;
		// Items that cannot wait that long fail now rather than at their deadline.
		for (const waiter of [...this.queue]) {
			if (waiter.deadline < until) this.drop(waiter, this.exceeded(waiter.budget, now, until - now, waiter.since), now);
		}
	}

	private exceeded(budget: WaitBudget, now: number, serverAskedMs?: number, since?: number): RateLimitWaitExceeded {
		const waited = budget.waitedMs + (since === undefined ? 0 : now - since);
		return new RateLimitWaitExceeded(waited, this.describeLimit(), serverAskedMs);
	}

	/** In line by order: a refused request goes back before those that came after it. */
	private enqueue(waiter: Waiter): void {
		let low = 0;
		let high = this.queue.length;
		while (low < high) {
			const middle = (low + high) >>> 1;
			if (this.queue[middle].order < waiter.order) low = middle + 1;
			else high = middle;
		}
		this.queue.splice(low, 0, waiter);
		this.earliestDeadline = Math.min(this.earliestDeadline, waiter.deadline);
	}

	private drop(waiter: Waiter, error: Error, now: number): void {
		const position = this.queue.indexOf(waiter);
		if (position < 0) return;
		this.queue.splice(position, 1);
		this.release(waiter, now);
		waiter.reject(error);
		if (this.queue.length === 0) this.stopTimer();
	}

	private release(waiter: Waiter, now: number): void {
		if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
		if (!waiter.forFirstAnswer) waiter.budget.waitedMs += now - waiter.since;
	}

	/** Lets waiting requests go, in order, as far as the budget allows; else wakes when it will. One pass is one instant. */
	private drain(now = this.clock.now()): void {
		while (this.queue.length && this.ready(now)) {
			const waiter = this.queue.shift()!;
			this.release(waiter, now);
			waiter.resolve(this.grant(now));
		}
		if (this.earliestDeadline <= now) this.dropExpired(now);
		if (!this.queue.length) {
			this.earliestDeadline = Number.POSITIVE_INFINITY;
			return this.stopTimer();
		}
		let wakeAt = this.earliestDeadline;
		if (now < this.holdUntil) wakeAt = Math.min(wakeAt, this.holdUntil);
		else if (this.mode === 'new') wakeAt = Math.min(wakeAt, this.probeAt + PROBE_WAIT_MS);
		else if (this.mode === 'metered' && this.inFlight < this.window && this.level < 1 + this.reserve()) {
			wakeAt = Math.min(wakeAt, now + (1 + this.reserve() - this.level) * this.intervalMs);
		}
		if (Number.isFinite(wakeAt)) this.wakeAt(wakeAt);
	}

	/** Once the first answer has come, those who waited for it start waiting for the limit. */
	private startClocks(now: number): void {
		for (const waiter of [...this.queue]) {
			if (!waiter.forFirstAnswer) continue;
			waiter.forFirstAnswer = false;
			waiter.since = now;
			waiter.deadline = now + Math.max(0, waiter.budget.maxMs() - waiter.budget.waitedMs);
			if (this.serverHold && this.holdUntil > waiter.deadline) this.drop(waiter, this.exceeded(waiter.budget, now, this.holdUntil - now), now);
			else this.earliestDeadline = Math.min(this.earliestDeadline, waiter.deadline);
		}
	}

	private dropExpired(now: number): void {
		this.earliestDeadline = Number.POSITIVE_INFINITY;
		for (const waiter of [...this.queue]) {
			if (waiter.deadline <= now) this.drop(waiter, this.exceeded(waiter.budget, now, undefined, waiter.since), now);
			else this.earliestDeadline = Math.min(this.earliestDeadline, waiter.deadline);
		}
	}

	private wakeAt(at: number): void {
		if (this.timer && this.timer.at <= at) return;
		this.stopTimer();
		const controller = new AbortController();
		const timer = { at, controller };
		this.timer = timer;
		this.clock.sleep(Math.max(0, Math.ceil(at - this.clock.now())), controller.signal).then(
			() => {
				if (this.timer === timer) this.timer = undefined;
				this.drain();
			},
			() => undefined,
		);
	}

	private stopTimer(): void {
		this.timer?.controller.abort();
		this.timer = undefined;
	}
}

/** The lanes of one process, at most MAX_LANES idle ones kept. */
export class Governor {
	private readonly lanes = new Map<string, Lane>();

	constructor(private readonly clock: Clock = defaultClock) {}

	lane(key: string): Lane {
		let lane = this.lanes.get(key);
		if (lane) {
			this.lanes.delete(key);
		} else {
			lane = new Lane(this.clock);
			this.evict();
		}
		this.lanes.set(key, lane);
		return lane;
	}

	get size(): number {
		return this.lanes.size;
	}

	/** Forgets every lane (tests: each starts from a process that has seen no key). */
	clear(): void {
		this.lanes.clear();
	}

	private evict(): void {
		if (this.lanes.size < MAX_LANES) return;
		for (const [key, lane] of this.lanes) {
			if (lane.idle()) {
				this.lanes.delete(key);
				if (this.lanes.size < MAX_LANES) return;
			}
		}
	}
}

/** The governor every request of this node in this process passes. */
export const governor = new Governor();
