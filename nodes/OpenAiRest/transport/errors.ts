import type { IExecuteSingleFunctions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** What went wrong with one call to the API, in words a workflow builder can act on. */
export interface ApiFailure {
	/** HTTP status, when a response arrived. */
	status?: number;
	message: string;
	description: string;
	/** Whether sending the same request again may succeed. */
	retryable: boolean;
	/** Delay the server asked for, in milliseconds. */
	retryAfterMs?: number;
}

export interface OpenAiErrorBody {
	message?: string;
	type?: string;
	code?: string | number | null;
	param?: string | null;
}

type Headers = Record<string, unknown> | undefined;

const RETRY_AFTER_CAP_MS = 60_000;
const BODY_EXCERPT_LENGTH = 200;

/** Reads OpenAI's `error` object from a parsed or raw body; undefined when the body is not OpenAI's error shape. */
export function extractOpenAiError(body: unknown): OpenAiErrorBody | undefined {
	let parsed = body;
	if (typeof body === 'string') {
		try {
			parsed = JSON.parse(body);
		} catch {
			return undefined;
		}
	}
	if (Buffer.isBuffer(parsed)) return extractOpenAiError(parsed.toString('utf8'));
	if (!parsed || typeof parsed !== 'object') return undefined;
	const error = (parsed as { error?: unknown }).error;
	if (typeof error === 'string') return { message: error };
	if (error && typeof error === 'object') return error as OpenAiErrorBody;
	return undefined;
}

/** A header's value whatever the case of its name; the first one when repeated. */
function headerValue(headers: Headers, name: string): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = headers[name] ?? (key === undefined ? undefined : headers[key]);
	if (Array.isArray(value)) return String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

/** Server-requested delay from `retry-after-ms` or `retry-after` (seconds or HTTP date); ignored past 60 s. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
	const milliseconds = Number.parseFloat(headerValue(headers, 'retry-after-ms') ?? '');
	let delay = Number.isFinite(milliseconds) ? milliseconds : undefined;
	const retryAfter = headerValue(headers, 'retry-after');
	if (delay === undefined && retryAfter !== undefined) {
		const seconds = Number.parseFloat(retryAfter);
		delay = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - now;
	}
	if (delay === undefined || !Number.isFinite(delay) || delay < 0 || delay > RETRY_AFTER_CAP_MS) {
		return undefined;
	}
	return delay;
}

/** Exponential backoff like OpenAI's SDK: 0.5 s doubling to 8 s, less up to 25 % jitter, unless the server said. */
export function retryDelayMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
	if (retryAfterMs !== undefined) return retryAfterMs;
	const base = Math.min(500 * 2 ** attempt, 8000);
	return Math.round(base * (1 - random() * 0.25));
}

function describeFields(status: number | undefined, error: OpenAiErrorBody | undefined): string {
	const parts: string[] = [];
	if (error?.type) parts.push(`type: ${error.type}`);
	if (error?.code !== undefined && error.code !== null) parts.push(`code: ${error.code}`);
	if (error?.param) parts.push(`param: ${error.param}`);
	if (status !== undefined) parts.push(`HTTP status: ${status}`);
	return parts.join(', ');
}

/** The start of a body, secret masked before cutting so no part of it can remain. */
export function excerpt(body: unknown, secret?: string): string {
	let text: string;
	if (typeof body === 'string') text = body;
	else if (Buffer.isBuffer(body)) text = body.toString('utf8');
	else if (body === undefined || body === null) text = '';
	else text = JSON.stringify(body);
	const compact = redact(text, secret).replace(/\s+/g, ' ').trim();
	return compact.length > BODY_EXCERPT_LENGTH ? `${compact.slice(0, BODY_EXCERPT_LENGTH)}…` : compact;
}

function adviceFor(status: number, error: OpenAiErrorBody | undefined, model?: string): string | undefined {
	const code = error?.code;
	if (status === 401) {
		return 'Check the API key (and organization ID) in the OpenAI REST API credential.';
	}
	if (status === 403) {
		return 'The key is valid but not allowed to do this: check the project, organization or region of the credential.';
	}
	if (status === 404 && (code === 'model_not_found' || /model/i.test(error?.message ?? ''))) {
		return model
			? `The model "${model}" does not exist on this server or your key has no access to it. Pick another model.`
			: 'The model does not exist on this server or your key has no access to it.';
	}
	if (status === 429 && code === 'insufficient_quota') {
		return 'Your OpenAI quota is used up: add credit or raise the limit in your OpenAI billing settings. Retrying will not help.';
	}
	if (status === 429) {
		return 'Rate limit reached: the node waits for the limit, up to Max Wait for Rate Limits (in Options).';
	}
	if (status >= 500) {
		return 'This is a problem on OpenAI\'s side (or the compatible server\'s), not in your workflow. Try again later.';
	}
	return undefined;
}

function isRetryableStatus(status: number, error: OpenAiErrorBody | undefined): boolean {
	if (status === 429) return error?.code !== 'insufficient_quota';
	return status === 408 || status === 409 || status >= 500;
}

/** How long the server asked to wait, in the unit that shows it best. */
function formatDelay(milliseconds: number): string {
	return milliseconds < 1000 ? `${Math.round(milliseconds)} ms` : `${Math.ceil(milliseconds / 1000)} s`;
}

/**
 * Turns an HTTP error response into a failure that names OpenAI's own message, type, code, param
 * and status. `secret` (the API key) is masked in every text taken from the body.
 */
export function describeHttpFailure(
	status: number,
	headers: Headers,
	body: unknown,
	context: { model?: string; secret?: string } = {},
): ApiFailure {
	const error = extractOpenAiError(body);
	const retryAfterMs = parseRetryAfter(headers);
	const details = describeFields(status, error);
	const lines = [details];
	const advice = adviceFor(status, error, context.model);
	if (advice) lines.push(advice);
	if (retryAfterMs !== undefined && status === 429) {
		lines.push(`Retry-After: ${formatDelay(retryAfterMs)}.`);
	}
	let message: string;
	if (error?.message) {
		message = redact(String(error.message), context.secret);
	} else {
		const text = excerpt(body, context.secret);
		message = text
			? `The server answered with HTTP status ${status} and a body that is not an OpenAI error: ${text}`
			: `The server answered with HTTP status ${status} and an empty body`;
	}
	return {
		status,
		message,
		description: redact(lines.join('\n'), context.secret),
		retryable: isRetryableStatus(status, error),
		retryAfterMs,
	};
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNREFUSED: 'refused the connection',
	ECONNRESET: 'closed the connection unexpectedly',
	EPIPE: 'closed the connection unexpectedly',
	ENOTFOUND: 'could not be found (DNS lookup failed)',
	EAI_AGAIN: 'could not be found (DNS lookup failed)',
	ETIMEDOUT: 'did not answer in time',
	ECONNABORTED: 'did not answer in time',
	ESOCKETTIMEDOUT: 'did not answer in time',
	EHOSTUNREACH: 'is unreachable',
	ENETUNREACH: 'is unreachable',
	ERR_CANCELED: 'was not reached because the execution was cancelled',
};

/** Describes a failure where no HTTP response arrived, naming the host and never the request's headers. */
export function describeNetworkFailure(code: string | undefined, host: string | undefined): ApiFailure {
	const where = host ? `The server ${host}` : 'The server';
	const what = (code && NETWORK_WORDS[code]) ?? 'could not be reached';
	const isTimeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT';
	return {
		message: `${where} ${what}`,
		description: [
			`Network error${code ? ` (${code})` : ''}: no response was received.`,
			isTimeout
				? 'Raise the Timeout under Request Options, or lower Max Tokens.'
				: 'Check the Base URL in the credential, your network and any proxy.',
		].join('\n'),
		retryable: code !== 'ERR_CANCELED' && code !== 'ENOTFOUND',
	};
}

/** Host of a URL, or undefined when it cannot be parsed. */
export function hostOf(url: string | undefined): string | undefined {
	if (!url) return undefined;
	try {
		return new URL(url).host;
	} catch {
		return undefined;
	}
}

/** Replaces every occurrence of a secret in a text with a mask. */
export function redact(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('[redacted]');
}

/**
 * Whether n8n runs the node as an AI Agent tool. n8n derives a tool variant of every `usableAsTool`
 * node whose type name ends in "Tool" (here `n8n-nodes-openai-rest.openAiRestTool`).
 */
export function runsAsTool(context: { getNode(): INode }): boolean {
	return context.getNode().type.endsWith('Tool');
}

/**
 * An agent sees only an error's message, never its description; as a tool the message therefore
 * carries the description's details and advice too.
 */
export function errorMessageFor(context: { getNode(): INode }, message: string, description: string): string {
	return runsAsTool(context) && description ? `${message}\n${description}` : message;
}

/** A parameter value the API would reject, found before sending. */
export class InvalidParameter extends Error {
	constructor(
		readonly label: string,
		readonly problem: string,
	) {
		super(`${label}: ${problem}`);
	}
}

/** Wraps an InvalidParameter into the error n8n shows, naming the parameter and the item. */
export function invalidParameterError(context: IExecuteSingleFunctions, error: InvalidParameter) {
	const itemIndex = context.getItemIndex();
	const description = `Parameter "${error.label}" ${error.problem}. Nothing was sent to the API.`;
	const cause = `Invalid "${error.label}" in item ${itemIndex}: ${error.problem}`;
	const message = errorMessageFor(context, cause, 'Nothing was sent to the API.');
	return new NodeOperationError(context.getNode(), message, { itemIndex, description });
}
