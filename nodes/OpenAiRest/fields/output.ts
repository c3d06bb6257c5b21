import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { excerpt, redact } from '../transport/errors';
import {
	assembleChatCompletion,
	assembleTextCompletion,
	OpenAiStreamError,
	parseUnstreamedCompletion,
	readOpenAiStream,
} from '../transport/sse';
import { isSimplified, readOption } from '../transport/parameters';
import { compactForAgent } from './tool';
import { errorMessageFor, runsAsTool } from '../transport/errors';
import { apiKeyOf } from '../transport/send';

type Body = IDataObject & { choices?: IDataObject[]; usage?: IDataObject; data?: IDataObject[] };

/** Output items paired with the input item they answer. */
export function pairedItems(context: IExecuteSingleFunctions, rows: IDataObject[]): INodeExecutionData[] {
	const item = context.getItemIndex();
	return rows.map((json) => ({ json, pairedItem: { item } }));
}

/** Keys of a value that carry information (drops null, and empty arrays OpenAI adds by default). */
function withoutEmpty(value: IDataObject): IDataObject {
	const result: IDataObject = {};
	for (const [key, entry] of Object.entries(value)) {
		if (entry === null || entry === undefined) continue;
		if (Array.isArray(entry) && entry.length === 0) continue;
		result[key] = entry;
	}
	return result;
}

/** One row per choice: the assistant message plus finish reason, logprobs when asked, and usage. */
export function simplifyChatBody(body: Body): IDataObject[] {
	const choices = body.choices ?? [];
	return choices.map((choice) => ({
		...withoutEmpty((choice.message as IDataObject) ?? {}),
		finish_reason: choice.finish_reason ?? null,
		...(choices.length > 1 ? { index: choice.index } : {}),
		...(choice.logprobs ? { logprobs: choice.logprobs } : {}),
		...(body.usage ? { usage: body.usage } : {}),
	}));
}

/** One row per choice of a text completion or an edit: the text, finish reason and usage. */
export function simplifyTextBody(body: Body): IDataObject[] {
	const choices = body.choices ?? [];
	return choices.map((choice) => ({
		text: choice.text,
		...(choice.finish_reason !== undefined ? { finish_reason: choice.finish_reason } : {}),
		...(choices.length > 1 ? { index: choice.index } : {}),
		...(choice.logprobs ? { logprobs: choice.logprobs } : {}),
		...(body.usage ? { usage: body.usage } : {}),
	}));
}

/** One row per moderation result, with the model that classified it. */
export function simplifyModerationBody(body: Body): IDataObject[] {
	const results = (body.results as IDataObject[] | undefined) ?? [];
	return results.map((result) => ({ ...result, model: body.model }));
}

/** One row per model of a model list. */
export function simplifyModelListBody(body: Body): IDataObject[] {
	return body.data ?? [];
}

const SIMPLIFIERS: Record<string, (body: Body) => IDataObject[]> = {
	chat: simplifyChatBody,
	text: simplifyTextBody,
	edit: simplifyTextBody,
	moderation: simplifyModerationBody,
	model: simplifyModelListBody,
};

/**
 * postReceive: with Simplify on, reshapes the response into the simplified rows of its resource;
 * run as an AI Agent tool, into compact rows that keep the agent's context small.
 */
export async function simplifyResponse(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	if (!isSimplified(this)) return items;
	const resource = this.getNodeParameter('resource') as string;
	const simplify = SIMPLIFIERS[resource];
	const asTool = runsAsTool(this);
	return items.flatMap((item) => {
		const rows = simplify(item.json as Body);
		return pairedItems(this, asTool ? compactForAgent(resource, rows) : rows);
	});
}

/** preSend: a streamed call asks for a text body (so nothing JSON-parses it first) and for usage. */
export async function prepareStreamRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = requestOptions.body as IDataObject;
	if (body.stream !== true) return requestOptions;
	if (readOption(this, 'includeUsage', true)) {
		body.stream_options = { include_usage: true };
	}
	return { ...requestOptions, json: false, encoding: 'text' };
}

/** A successful status whose body is not JSON: usually a Base URL that points at a web page. */
export function notJsonError(context: IExecuteSingleFunctions, status: number, body: string, apiKey?: string) {
	const description = 'Check the Base URL in the credential: it should point at an OpenAI-compatible API.';
	const cause = `The server answered with HTTP status ${status} and a body that is not valid JSON: ${excerpt(body, apiKey)}`;
	const message = errorMessageFor(context, cause, description);
	return new NodeApiError(context.getNode(), { message } as JsonObject, {
		message,
		description,
		httpCode: String(status),
		itemIndex: context.getItemIndex(),
	});
}

/** The node error for a failed stream; `endMarker` names what a complete stream ends with. */
export function streamError(
	context: IExecuteSingleFunctions,
	error: OpenAiStreamError,
	apiKey?: string,
	endMarker = '[DONE]',
) {
	const itemIndex = context.getItemIndex();
	if (error.kind === 'api_error') {
		const apiError = error.apiError ?? {};
		const fields = [
			apiError.type && `type: ${apiError.type}`,
			apiError.code && `code: ${apiError.code}`,
			apiError.param && `param: ${apiError.param}`,
		].filter(Boolean);
		const description = `The API reported an error in the middle of the stream${fields.length ? ` (${fields.join(', ')})` : ''}.`;
		const message = errorMessageFor(context, redact(apiError.message ?? 'The stream reported an error', apiKey), description);
		return new NodeApiError(context.getNode(), { message } as JsonObject, { message, description, itemIndex });
	}
	const description =
		error.kind === 'incomplete'
			? `The stream ended before OpenAI sent ${endMarker}, so the answer would be truncated. Nothing was returned for this item.`
			: 'The stream contained an event that is not JSON.';
	return new NodeOperationError(context.getNode(), errorMessageFor(context, error.message, description), {
		itemIndex,
		description,
	});
}

/**
 * Whether a text body is an event stream (or JSON a stream-refusing server sent instead); anything else,
 * such as a web page, is not an API answer. Decided from the response, so Stream is not read again.
 */
export function looksLikeStream(headers: IN8nHttpFullResponse['headers'], body: string): boolean {
	if (String(headers?.['content-type'] ?? '').includes('text/event-stream')) return true;
	const text = body.trimStart();
	if (/^(data:|event:|id:|retry:|:)/.test(text)) return true;
	// Only a streamed call leaves valid JSON unparsed: its body is read as text.
	return text.startsWith('{') && isJson(text);
}

function isJson(text: string): boolean {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
}

/**
 * The text body of a streamed call, or undefined when n8n already parsed the body as JSON. A text body
 * that is not an event stream (such as a web page) fails the item.
 */
export async function streamedBody(context: IExecuteSingleFunctions, response: IN8nHttpFullResponse): Promise<string | undefined> {
	if (typeof response.body !== 'string') return undefined;
	if (!looksLikeStream(response.headers, response.body)) {
		throw notJsonError(context, response.statusCode, response.body, await apiKeyOf(context));
	}
	return response.body;
}

/** postReceive: assembles a streamed body into the same JSON as an unstreamed response. */
export async function assembleStreamedResponse(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = await streamedBody(this, response);
	if (body === undefined) return items;
	const unstreamed = parseUnstreamedCompletion(body);
	if (unstreamed) return [{ json: unstreamed as IDataObject }];
	let chunks: Array<Record<string, unknown>> = [];
	let caught: unknown;
	try {
		chunks = readOpenAiStream(body);
	} catch (error) {
		caught = error;
	}
	// The key is read only on failure, to keep credential look-ups off the per-item success path.
	if (caught instanceof OpenAiStreamError) throw streamError(this, caught, await apiKeyOf(this));
	if (caught !== undefined) throw caught;
	const isChat = this.getNodeParameter('resource') === 'chat';
	const assembled = isChat ? assembleChatCompletion(chunks) : assembleTextCompletion(chunks);
	return [{ json: assembled as IDataObject }];
}
