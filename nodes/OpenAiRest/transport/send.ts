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
import { reopenedBody } from './multipart';
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
function canceled(context: IExecuteSingleFunctions, what: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was canceled', {
		itemIndex: context.getItemIndex(),
		description: `${what}\nNo further request was sent.`,
	});
}

/**
 * Sends the request n8n built from the routing, retrying rate limits, server errors and dropped
 * connections with backoff. Declarative nodes get this hook through `routing.operations.pagination`.
 */
export async function sendWithRetries(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	return await retrying(this, requestData.options, async (attempt) => {
		if (attempt > 0) requestData.options.body = reopenedBody(requestData.options.body);
		return await this.makeRoutingRequest(requestData);
	});
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
	return await retrying(context, request, async (attempt) => {
		if (attempt > 0) request.body = reopenedBody(request.body);
		return await receive((await context.helpers.httpRequestWithAuthentication.call(context, CREDENTIAL_TYPE, request)) as IN8nHttpFullResponse);
	});
}

/** Stopping the execution ends a backoff wait at once; n8n-core aborts a request in flight itself. */
async function retrying<T>(
	context: IExecuteSingleFunctions,
	target: RequestTarget,
	send: (attempt: number) => Promise<T>,
): Promise<T> {
	const maxRetries = readMaxRetries(context);
	// Optional call: older n8n versions have no cancel signal.
	const cancelSignal = context.getExecutionCancelSignal?.();
	for (let attempt = 0; ; attempt++) {
		let caught: unknown;
		try {
			return await send(attempt);
		} catch (error) {
			caught = error;
		}
		if (cancelSignal?.aborted) throw canceled(context, 'Stopped while the request was in flight.');
		await readStreamedErrorBody(caught);
		const credentials = await credentialsOf(context);
		const apiKey = credentials?.apiKey;
		// The credential replaces the node's default base URL as the request leaves.
		const baseURL = credentials?.baseUrl?.trim() || target.baseURL || DEFAULT_BASE_URL;
		const failure = failureOf(caught, { ...target, baseURL }, apiKey);
		if (!failure) throw caught;
		if (failure.retryable && attempt < maxRetries) {
			const delayMs = retryDelayMs(attempt, failure.retryAfterMs);
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
