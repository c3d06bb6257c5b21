/**
 * The test server's rate limiter, shaped like OpenAI's: a token bucket per dimension (requests and
 * tokens) that refills at the per-minute rate and holds at most a burst. Every answer carries
 * `x-ratelimit-*` headers with Go-style reset durations; a request over the limit gets OpenAI's 429
 * body ("... Please try again in 20ms."), optionally with `retry-after` / `retry-after-ms`. In bare
 * mode the server sends no rate-limit headers and a generic 429, like many compatible servers.
 */
import { openAiErrorBody } from './openai-server';

export interface RateLimitOptions {
	/** Requests per minute: the rate at which the request bucket refills. */
	rpm: number;
	/** Requests the bucket holds when full, i.e. the largest burst. Default: one second's worth (at least 1). */
	burst?: number;
	/** Tokens per minute; the token bucket holds one second's worth. Default: no token limit (headers show a large one). */
	tpm?: number;
	/** 'openai' (default): headers on every answer and OpenAI's 429 body. 'bare': no headers, a generic 429. */
	mode?: 'openai' | 'bare';
	/** Also send, on a 429: `retry-after` in whole seconds (rounded up), `retry-after-ms`, both, or an HTTP date. */
	retryAfter?: 'seconds' | 'ms' | 'both' | 'date';
	/** Organization named in the 429 message. Default 'org-test'. */
	organization?: string;
	/** Clock in ms (tests). Default Date.now. */
	now?: () => number;
}

export interface RateLimitVerdict {
	allowed: boolean;
	/** Headers to send with the answer, whatever it is. */
	headers: Record<string, string>;
	/** For a refused request: status 429, its body and content type. */
	status?: number;
	body?: string;
	contentType?: string;
}

export interface RateLimitStats {
	allowed: number;
	refused: number;
}

/** Token limit shown when none is set. */
const UNLIMITED_TPM = 150_000_000;

/** Formats milliseconds the way Go's time.Duration does: "20ms", "1.5s", "6m0s", "1h2m3s", "0s". */
export function goDuration(milliseconds: number): string {
	const ms = Math.max(0, milliseconds);
	if (ms === 0) return '0s';
	if (ms < 1) return `${trim(ms * 1000)}µs`;
	if (ms < 1000) return `${trim(ms)}ms`;
	const hours = Math.floor(ms / 3_600_000);
	const minutes = Math.floor((ms % 3_600_000) / 60_000);
	const seconds = trim((ms % 60_000) / 1000);
	if (hours) return `${hours}h${minutes}m${seconds}s`;
	if (minutes) return `${minutes}m${seconds}s`;
	return `${seconds}s`;
}

/** Up to three decimals, trailing zeros dropped, as Go prints them. */
function trim(value: number): string {
	return String(Math.round(value * 1000) / 1000);
}

/** Token cost of a request as OpenAI estimates it before running it: prompt characters / 4 plus the output cap. */
export function estimatedTokens(body: unknown, rawBody: string): number {
	const record = (body ?? {}) as Record<string, unknown>;
	const cap = Number(record.max_completion_tokens ?? record.max_tokens ?? record.max_output_tokens ?? 16);
	return Math.ceil(rawBody.length / 4) + (Number.isFinite(cap) ? cap : 16);
}

class Bucket {
	private level: number;
	private updatedAt: number;

	constructor(
		readonly perMinute: number,
		readonly capacity: number,
		private readonly now: () => number,
	) {
		this.level = capacity;
		this.updatedAt = now();
	}

	private refill(): void {
		const at = this.now();
		this.level = Math.min(this.capacity, this.level + ((at - this.updatedAt) * this.perMinute) / 60_000);
		this.updatedAt = at;
	}

	/** Takes `cost` if the bucket has it; otherwise the ms until it will. */
	take(cost: number): { ok: true } | { ok: false; waitMs: number } {
		this.refill();
		if (this.level >= cost) {
			this.level -= cost;
			return { ok: true };
		}
		return { ok: false, waitMs: Math.ceil(((cost - this.level) * 60_000) / this.perMinute) };
	}

	remaining(): number {
		this.refill();
		return Math.floor(this.level);
	}

	/** Ms until the bucket is full again. */
	resetMs(): number {
		this.refill();
		return Math.ceil(((this.capacity - this.level) * 60_000) / this.perMinute);
	}
}

export class RateLimiter {
	private readonly requests: Bucket;
	private readonly tokens: Bucket;
	private readonly limitTokens: boolean;
	readonly stats: RateLimitStats = { allowed: 0, refused: 0 };

	constructor(readonly options: RateLimitOptions) {
		if (!(options.rpm > 0)) throw new RangeError(`rpm must be positive, got ${options.rpm}`);
		const now = options.now ?? Date.now;
		const burst = options.burst ?? Math.max(1, Math.floor(options.rpm / 60));
		this.requests = new Bucket(options.rpm, burst, now);
		this.limitTokens = options.tpm !== undefined;
		const tpm = options.tpm ?? UNLIMITED_TPM;
		this.tokens = new Bucket(tpm, Math.max(1, tpm / 60), now);
	}

	/** Counts one request against the limits. */
	admit(body: unknown, rawBody: string): RateLimitVerdict {
		const cost = estimatedTokens(body, rawBody);
		const request = this.requests.take(1);
		const token = request.ok && this.limitTokens ? this.tokens.take(cost) : { ok: true as const };
		if (request.ok && token.ok) {
			this.stats.allowed++;
			return { allowed: true, headers: this.headers() };
		}
		this.stats.refused++;
		const model = typeof (body as { model?: unknown })?.model === 'string' ? (body as { model: string }).model : undefined;
		const byRequests = !request.ok;
		const waitMs = !request.ok ? request.waitMs : (token as { waitMs: number }).waitMs;
		return this.refusal(byRequests, waitMs, cost, model);
	}

	private headers(): Record<string, string> {
		if (this.options.mode === 'bare') return {};
		return {
			'x-ratelimit-limit-requests': String(this.requests.perMinute),
			'x-ratelimit-limit-tokens': String(this.tokens.perMinute),
			'x-ratelimit-remaining-requests': String(this.requests.remaining()),
			'x-ratelimit-remaining-tokens': String(this.tokens.remaining()),
			'x-ratelimit-reset-requests': goDuration(this.requests.resetMs()),
			'x-ratelimit-reset-tokens': goDuration(this.tokens.resetMs()),
		};
	}

	private refusal(byRequests: boolean, waitMs: number, cost: number, model?: string): RateLimitVerdict {
		if (this.options.mode === 'bare') {
			return { allowed: false, status: 429, headers: this.retryHeaders(waitMs), body: 'Too Many Requests', contentType: 'text/plain; charset=utf-8' };
		}
		const organization = this.options.organization ?? 'org-test';
		const what = byRequests
			? `requests per min (RPM): Limit ${this.requests.perMinute}, Used ${this.requests.perMinute}, Requested 1`
			: `tokens per min (TPM): Limit ${this.tokens.perMinute}, Used ${this.tokens.capacity - this.tokens.remaining()}, Requested ${cost}`;
		const message =
			`Rate limit reached for ${model ?? 'default'} in organization ${organization} on ${what}. ` +
			`Please try again in ${goDuration(waitMs)}. Visit https://platform.openai.com/account/rate-limits to learn more.`;
		return {
			allowed: false,
			status: 429,
			headers: { ...this.headers(), ...this.retryHeaders(waitMs) },
			body: JSON.stringify(openAiErrorBody(message, byRequests ? 'requests' : 'tokens', null, 'rate_limit_exceeded')),
			contentType: 'application/json',
		};
	}

	private retryHeaders(waitMs: number): Record<string, string> {
		const style = this.options.retryAfter;
		if (!style) return {};
		const headers: Record<string, string> = {};
		if (style === 'seconds' || style === 'both') headers['retry-after'] = String(Math.ceil(waitMs / 1000));
		if (style === 'ms' || style === 'both') headers['retry-after-ms'] = String(waitMs);
		if (style === 'date') headers['retry-after'] = new Date((this.options.now ?? Date.now)() + Math.ceil(waitMs / 1000) * 1000 + 1000).toUTCString();
		return headers;
	}
}
