import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from './constants';
import { type Answer, type Lane, RateLimitWaitCanceled, RateLimitWaitExceeded, type Ticket, type WaitBudget } from './governor';
import { laneOf, recordAnswer, waitBudget, waitExceededError } from './rate-limit';
import { reopenedBody } from './multipart';
import { streamedJsonRequest } from './attachments';
import { readOption } from './parameters';
import { errorMessageFor } from './errors';
import {
	type ApiFailure,
	describeHttpFailure,
	describeNetworkFailure,
	hostOf,
	redact,
	retryDelayMs,
} from './errors';

export const DEFAULT_MAX_RETRIES = 2;

/** The parts of a request that error messages may name. */
type RequestTarget = Pick<IHttpRequestOptions, 'body' | 'baseURL'> & { url?: string };

interface HttpErrorLike {
	isAxiosError?: boolean;
	code?: string;
	response?: { status: number; headers?: Record<string, unknown>; data?: unknown };
}

/** The transport error behind an n8n request error, if the failure happened on the wire. */
function transportErrorOf(error: unknown): HttpErrorLike | undefined {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	return candidates.find((candidate): candidate is HttpErrorLike => {
		const value = candidate as HttpErrorLike | undefined;
		return !!value && (value.isAxiosError === true || value.response?.status !== undefined);
	});
}

function modelOf(options: RequestTarget): string | undefined {
	const body = options.body as { model?: unknown } | undefined;
	if (typeof body?.model === 'string') return body.model;
	const match = /\/models\/([^/?]+)/.exec(options.url ?? '');
	return match ? decodeURIComponent(match[1]) : undefined;
}

/**
 * Maps a thrown request error to an API failure; undefined for errors raised by the node's own hooks.
 * `secret` is masked in the texts taken from the response body.
 */
export function failureOf(error: unknown, options: RequestTarget, secret?: string): ApiFailure | undefined {
	const transport = transportErrorOf(error);
	if (!transport) return undefined;
	if (transport.response) {
		const { status, headers, data } = transport.response;
		return describeHttpFailure(status, headers, data, { model: modelOf(options), secret });
	}
	const url = options.baseURL ? `${options.baseURL.replace(/\/+$/, '')}/` : options.url;
	return describeNetworkFailure(transport.code, hostOf(url));
}

function readMaxRetries(context: IExecuteSingleFunctions): number {
	const value = readOption(context, 'maxRetries', DEFAULT_MAX_RETRIES);
	return Number.isInteger(value) && value >= 0 ? value : DEFAULT_MAX_RETRIES;
}

/** The credential, read only when a request failed; undefined when it cannot be read. */
async function credentialsOf(context: IExecuteSingleFunctions): Promise<{ apiKey?: string; baseUrl?: string } | undefined> {
	return (await context.getCredentials(CREDENTIAL_TYPE).catch(() => undefined)) as { apiKey?: string; baseUrl?: string } | undefined;
}

/** The key to mask in error texts; without readable credentials there is none that could leak. */
export async function apiKeyOf(context: IExecuteSingleFunctions): Promise<string | undefined> {
	return (await credentialsOf(context))?.apiKey;
}

/** The most of a streamed error answer that is read: OpenAI's error objects are far smaller. */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * A request that asked for a stream (`encoding: 'stream'`) gets an error answer as a stream too; it is
 * read (up to a limit) and parsed like any other, so the error shows OpenAI's message.
 */
async function readStreamedErrorBody(error: unknown): Promise<void> {
	const response = transportErrorOf(error)?.response;
	const data = response?.data as (AsyncIterable<Buffer> & { destroy?: () => void }) | undefined;
	if (!response || typeof data?.[Symbol.asyncIterator] !== 'function' || Buffer.isBuffer(data)) return;
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of data) {
			chunks.push(Buffer.from(chunk));
			length += chunk.length;
			if (length >= MAX_ERROR_BODY_BYTES) break;
		}
	} catch {
		// what arrived is all there is
	} finally {
		data.destroy?.();
	}
	const text = Buffer.concat(chunks).toString('utf8');
	try {
		response.data = JSON.parse(text);
	} catch {
		response.data = text;
	}
}

/** The error for a stopped execution; n8n reports an execution whose error says "canceled" as canceled. */
export function canceled(context: IExecuteSingleFunctions, what: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was canceled', {
		itemIndex: context.getItemIndex(),
		description: `${what}\nNo further request was sent.`,
	});
}

/**
 * Sends the request n8n built from the routing through the rate-limit governor, retrying server errors
 * and dropped connections with backoff. Declarative nodes get this hook through `routing.operations.pagination`.
 */
export async function sendWithRetries(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const answer = recordAnswer(requestData);
	// A body with files from the binary store leaves as a stream; errors still name the request as built.
	const streamed = streamedJsonRequest(requestData.options);
	const request = streamed ? { ...requestData, options: streamed } : requestData;
	return await retrying(
		this,
		requestData.options,
		async (sent) => {
			if (sent > 0) request.options.body = reopenedBody(request.options.body);
			return await this.makeRoutingRequest(request);
		},
		() => answer,
	);
}

/**
 * Sends a request of a hook (beyond the routed one) with the credential, the same retries and errors.
 * `receive` handles the answer within the attempt (e.g. stores a streamed body), so a stop while it
 * runs is reported as one.
 */
export async function requestWithRetries<T = IN8nHttpFullResponse>(
	context: IExecuteSingleFunctions,
	options: IHttpRequestOptions,
	receive: (response: IN8nHttpFullResponse) => Promise<T> = async (response) => response as T,
): Promise<T> {
	const request = { ...options, returnFullResponse: true };
	let answer: Answer = {};
	return await retrying(
		context,
		request,
		async (sent) => {
			if (sent > 0) request.body = reopenedBody(request.body);
			const response = (await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, request)) as IN8nHttpFullResponse;
			answer = { status: response.statusCode, headers: response.headers };
			return await receive(response);
		},
		() => answer,
	);
}

/** What a failed attempt's answer said, for the governor: the HTTP error's, or the one recorded before a hook failed. */
function answerOf(error: unknown, recorded: Answer): Answer {
	const response = transportErrorOf(error)?.response;
	if (response) return { status: response.status, headers: response.headers, body: response.data };
	return transportErrorOf(error) ? {} : recorded;
}

/**
 * Waits for the governor's go; a stop or a spent Max Wait ends the item with its own error, which
 * quotes the last refusal (read, with the credential to mask, only then).
 */
async function turn(
	context: IExecuteSingleFunctions,
	lane: Lane,
	budget: WaitBudget,
	signal: AbortSignal | undefined,
	lastRefusal: () => Promise<string | undefined>,
): Promise<Ticket> {
	try {
		return await lane.acquire(budget, signal);
	} catch (error) {
		const refusal = await lastRefusal();
		if (error instanceof RateLimitWaitCanceled) {
			const failed = refusal ? ` The last attempt failed with: ${refusal}` : '';
			throw canceled(context, `Stopped while waiting ${error.waitedMs} ms for the rate limit.${failed}`);
		}
		if (error instanceof RateLimitWaitExceeded) throw waitExceededError(context, error, refusal);
		throw new NodeOperationError(context.getNode(), error as Error, { itemIndex: context.getItemIndex() });
	}
}

/**
 * Every attempt waits for the governor's go and reports its answer to it. A rate limit costs no retry,
 * only waiting time (Max Wait for Rate Limits). Stopping the execution ends a wait at once; n8n-core
 * aborts a request in flight itself.
 */
async function retrying<T>(
	context: IExecuteSingleFunctions,
	target: RequestTarget,
	/** Sends once more; `sent` counts the sends before (a body stream must be opened anew). */
	send: (sent: number) => Promise<T>,
	recorded: () => Answer,
): Promise<T> {
	const maxRetries = readMaxRetries(context);
	// Optional call: older n8n versions have no cancel signal.
	const cancelSignal = context.getExecutionCancelSignal?.();
	const lane = await laneOf(context);
	const budget = waitBudget(context);
	let refused: unknown;
	const lastRefusal = async () => {
		if (refused === undefined) return undefined;
		const apiKey = await apiKeyOf(context);
		return failureOf(refused, target, apiKey)?.message;
	};
	let sent = 0;
	for (let attempt = 0; ; ) {
		const ticket = await turn(context, lane, budget, cancelSignal, lastRefusal);
		if (cancelSignal?.aborted) {
			lane.settle(ticket, {});
			throw canceled(context, 'Stopped before the request was sent.');
		}
		let caught: unknown;
		try {
			const result = await send(sent++);
			lane.settle(ticket, recorded());
			return result;
		} catch (error) {
			caught = error;
		}
		// A streamed error body is read first: the governor tells a rate limit from a spent quota by it.
		await readStreamedErrorBody(caught);
		const outcome = lane.settle(ticket, answerOf(caught, recorded()));
		if (cancelSignal?.aborted) throw canceled(context, 'Stopped while the request was in flight.');
		if (outcome === 'rate-limited') {
			refused = caught;
			// With no wait left (Max Wait 0), the first rate limit ends the item.
			if (budget.waitedMs >= budget.maxMs()) {
				throw waitExceededError(context, new RateLimitWaitExceeded(budget.waitedMs, lane.describeLimit()), await lastRefusal());
			}
			continue;
		}
		const credentials = await credentialsOf(context);
		const apiKey = credentials?.apiKey;
		// The credential replaces the node's default base URL as the request leaves.
		const baseURL = credentials?.baseUrl?.trim() || target.baseURL || DEFAULT_BASE_URL;
		const failure = failureOf(caught, { ...target, baseURL }, apiKey);
		if (!failure) throw caught;
		if (failure.retryable && attempt < maxRetries) {
			const delayMs = retryDelayMs(attempt, failure.retryAfterMs);
			attempt++;
			try {
				await sleep(delayMs, cancelSignal);
			} catch {
				throw canceled(context, `Stopped while waiting ${delayMs} ms to retry. The last attempt failed with: ${redact(failure.message, apiKey)}`);
			}
			continue;
		}
		const retried = attempt > 0 ? `\nGave up after ${attempt + 1} attempts.` : '';
		const description = redact(failure.description + retried, apiKey);
		const message = errorMessageFor(context, redact(failure.message, apiKey), description);
		throw new NodeApiError(
			context.getNode(),
			{ message, description, status: failure.status ?? null } as JsonObject,
			{
				message,
				description,
				httpCode: failure.status === undefined ? undefined : String(failure.status),
				itemIndex: context.getItemIndex(),
			},
		);
	}
}
