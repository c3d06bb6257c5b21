/**
 * Pure helpers of the Responses API (`/responses`): the request body from the node's fields, the simplified
 * output, and the assembly of a `response.*` event stream into the response object an unstreamed call returns.
 */
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { splitUrls } from '../../fields/content';
import { idFrom } from '../../fields/references';
import { type FileFields, rowFileParts } from '../../transport/attachments';
import { pairedItems, streamError, streamedBody } from '../../fields/output';
import { simplifyName } from '../../transport/parameters';
import { OpenAiStreamError, parseSse } from '../../transport/sse';
import { readCursorPages } from '../../transport/pages';
import { apiKeyOf, sendWithRetries } from '../../transport/send';
import { parseJsonText } from '../../fields/validation';
import { InvalidParameter } from '../../transport/errors';

export const RESPONSE_ROLES = ['user', 'assistant', 'system', 'developer'] as const;

/** One row of the message list the user fills in. */
export interface ResponseMessageRow extends FileFields {
	role?: string;
	content?: string;
	imageUrls?: string;
	fileIds?: string;
	imageDetail?: string;
}

/** Body keys the description routes values to, which the hooks turn into real API fields. */
export const DRAFT_KEYS = {
	inputJson: 'input_json',
	messageRows: 'input_rows',
	webSearch: 'web_search',
	fileSearch: 'file_search',
	codeInterpreter: 'code_interpreter',
	toolChoiceFunction: 'tool_choice_function',
	promptBinaryFields: 'prompt_binary_fields',
	promptFileIds: 'prompt_file_ids',
	promptImageDetail: 'prompt_image_detail',
} as const;

const INPUT_JSON_LABEL = 'Input (JSON)';

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a comma- or newline-separated list of IDs or domains. */
export function splitList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String).map((entry) => entry.trim()).filter(Boolean);
	return String(value ?? '')
		.split(/[\n,]/)
		.map((entry) => entry.trim())
		.filter(Boolean);
}

/**
 * Builds `input` items from the message list: user messages may add image URLs, files from binary fields
 * (as markers that attachBinaryFiles resolves) and file IDs as parts.
 */
export function inputFromRows(rows: ResponseMessageRow[]): IDataObject[] {
	return rows.map((row, position) => {
		const role = row.role ?? 'user';
		const imageUrls = role === 'user' ? splitUrls(row.imageUrls) : [];
		const files = rowFileParts('responses', row, position);
		if (!imageUrls.length && !files.length) return { role, content: row.content ?? '' };
		const detail = row.imageDetail ?? 'auto';
		return {
			role,
			content: [
				...(row.content ? [{ type: 'input_text', text: row.content }] : []),
				...imageUrls.map((url) => ({ type: 'input_image', image_url: url, detail })),
				...files,
			],
		};
	});
}

const PROMPT_FILES_LABEL = 'Options';

/** The prompt's files from Options (Input Type Prompt); the draft keys are removed. */
function takePromptFiles(body: IDataObject, isPrompt: boolean): IDataObject[] {
	const row = {
		binaryFields: body[DRAFT_KEYS.promptBinaryFields] as string | undefined,
		fileIds: body[DRAFT_KEYS.promptFileIds] as string | undefined,
		imageDetail: body[DRAFT_KEYS.promptImageDetail] as string | undefined,
	};
	delete body[DRAFT_KEYS.promptBinaryFields];
	delete body[DRAFT_KEYS.promptFileIds];
	delete body[DRAFT_KEYS.promptImageDetail];
	const parts = rowFileParts('responses', row, 0, PROMPT_FILES_LABEL);
	if (parts.length && !isPrompt) {
		const label = `${PROMPT_FILES_LABEL}: ${row.binaryFields?.trim() ? 'Input Binary Fields' : 'File IDs'}`;
		throw new InvalidParameter(label, 'only applies to Input Type Prompt; with Define Below, each message has its own');
	}
	return parts;
}

/**
 * Reads an input array given as JSON text or from an expression: messages ({role, content}) and items with a
 * `type`, such as `function_call_output` of a tool loop. A plain text from an expression is a prompt.
 */
export function inputFromJson(value: unknown): string | IDataObject[] {
	let input = value;
	if (typeof value === 'string') {
		const text = value.trim();
		input = text.startsWith('[') || text.startsWith('{') ? parseJsonText(INPUT_JSON_LABEL, text) : value;
	}
	if (isObject(input)) input = [input];
	if (typeof input === 'string') return input;
	if (!Array.isArray(input)) throw new InvalidParameter(INPUT_JSON_LABEL, 'must be an array of input items or a text');
	input.forEach((item, index) => {
		if (!isObject(item) || (typeof item.type !== 'string' && typeof item.role !== 'string')) {
			throw new InvalidParameter(INPUT_JSON_LABEL, `item ${index} needs a "role" (a message) or a "type" (e.g. "function_call_output")`);
		}
		if (typeof item.role === 'string' && !(RESPONSE_ROLES as readonly string[]).includes(item.role)) {
			throw new InvalidParameter(INPUT_JSON_LABEL, `item ${index} has role ${JSON.stringify(item.role)}; use one of ${RESPONSE_ROLES.join(', ')}`);
		}
	});
	return input as IDataObject[];
}

/**
 * Sets `input` from whichever input form was routed: prompt text, message rows (routed by index, already
 * resolved, so no expression in them runs again), or JSON.
 */
export function normalizeInput(body: IDataObject): void {
	const fromJson = body[DRAFT_KEYS.inputJson];
	const rows = body[DRAFT_KEYS.messageRows] as Record<string, ResponseMessageRow> | undefined;
	delete body[DRAFT_KEYS.inputJson];
	delete body[DRAFT_KEYS.messageRows];
	const promptFiles = takePromptFiles(body, fromJson === undefined && !rows);
	if (fromJson !== undefined) body.input = inputFromJson(fromJson);
	else if (rows) body.input = inputFromRows(Object.keys(rows).sort((a, b) => Number(a) - Number(b)).map((key) => rows[key]));
	else if (promptFiles.length && typeof body.input === 'string') {
		body.input = [{ role: 'user', content: [...(body.input.trim() ? [{ type: 'input_text', text: body.input }] : []), ...promptFiles] }];
	}
	const input = body.input;
	// Without a prompt, JSON or any message row, the message list was empty.
	if (input === undefined) throw new InvalidParameter('Messages', 'must contain at least one message');
	if (typeof input === 'string' && !input.trim()) throw new InvalidParameter('Prompt', 'must not be empty');
	if (Array.isArray(input) && !input.length) throw new InvalidParameter('Input', 'must contain at least one item');
}

/** Web search settings as the node's fields hold them. */
interface WebSearchSettings {
	searchContextSize?: string;
	allowedDomains?: string;
	country?: string;
	city?: string;
	region?: string;
	timezone?: string;
}

/** The `web_search` tool from its settings; the country must be a two-letter ISO code. */
export function webSearchTool(settings: WebSearchSettings): IDataObject {
	const domains = splitList(settings.allowedDomains);
	const location: IDataObject = {};
	for (const key of ['country', 'city', 'region', 'timezone'] as const) {
		const value = settings[key]?.trim();
		if (value) location[key] = value;
	}
	if (location.country !== undefined && !/^[A-Za-z]{2}$/.test(String(location.country))) {
		throw new InvalidParameter('Web Search: Country', `must be a two-letter ISO country code such as US, got ${JSON.stringify(location.country)}`);
	}
	return {
		type: 'web_search',
		...(settings.searchContextSize ? { search_context_size: settings.searchContextSize } : {}),
		...(domains.length ? { filters: { allowed_domains: domains } } : {}),
		...(Object.keys(location).length ? { user_location: { type: 'approximate', ...location } } : {}),
	};
}

/** The `file_search` tool; OpenAI needs at least one vector store ID. */
export function fileSearchTool(settings: { vectorStoreIds?: string | string[]; maxNumResults?: number }): IDataObject {
	const ids = splitList(settings.vectorStoreIds);
	if (!ids.length) throw new InvalidParameter('File Search: Vector Store Names or IDs', 'must name at least one vector store, e.g. vs_abc123');
	const max = settings.maxNumResults;
	if (max !== undefined && (!Number.isInteger(max) || max < 1 || max > 50)) {
		throw new InvalidParameter('File Search: Max Results', `must be a whole number between 1 and 50, got ${max}`);
	}
	return { type: 'file_search', vector_store_ids: ids, ...(max !== undefined ? { max_num_results: max } : {}) };
}

/** A function tool in the Responses shape; Chat's nested `{function: {…}}` shape is flattened. */
export function responsesFunctionTool(tool: IDataObject, index: number): IDataObject {
	if (typeof tool.type !== 'string') throw new InvalidParameter('Tools', `tool ${index} needs a "type", e.g. "function"`);
	if (tool.type !== 'function') return tool;
	if (isObject(tool.function)) {
		const { name, description, parameters, strict } = tool.function;
		tool = { type: 'function', name, ...(description ? { description } : {}), parameters: parameters ?? {}, strict: strict ?? false } as IDataObject;
	}
	if (typeof tool.name !== 'string' || !tool.name) throw new InvalidParameter('Tools', `function tool ${index} needs a "name"`);
	return tool;
}

/** One settings group of a fixedCollection routed whole (`{settings: {…}}`). */
function settingsOf<T>(value: unknown): T | undefined {
	return isObject(value) ? ((value.settings as T | undefined) ?? ({} as T)) : undefined;
}

/** Builds `tools` from the JSON tools and the built-in tool options, and a forced function choice. */
export function normalizeTools(body: IDataObject): void {
	const tools = Array.isArray(body.tools) ? (body.tools as IDataObject[]).map(responsesFunctionTool) : [];
	const webSearch = settingsOf<WebSearchSettings>(body[DRAFT_KEYS.webSearch]);
	const fileSearch = settingsOf<{ vectorStoreIds?: string | string[]; maxNumResults?: number }>(body[DRAFT_KEYS.fileSearch]);
	if (webSearch) tools.push(webSearchTool(webSearch));
	if (fileSearch) tools.push(fileSearchTool(fileSearch));
	if (body[DRAFT_KEYS.codeInterpreter] === true) tools.push({ type: 'code_interpreter', container: { type: 'auto' } });
	const forced = body[DRAFT_KEYS.toolChoiceFunction];
	for (const key of Object.values(DRAFT_KEYS)) delete body[key];
	if (tools.length) body.tools = tools;
	else delete body.tools;
	if (typeof forced === 'string' && forced) body.tool_choice = { type: 'function', name: forced };
}

/** Completes `text.format`: a JSON schema implies type json_schema, is parsed, and gets a name. */
export function normalizeTextFormat(body: IDataObject): void {
	const format = isObject(body.text) ? (body.text.format as IDataObject | undefined) : undefined;
	if (!format) return;
	const hasSchema = format.schema !== undefined && format.schema !== '';
	if (hasSchema && !format.type) format.type = 'json_schema';
	if (format.type !== 'json_schema') {
		if (hasSchema) throw new InvalidParameter('JSON Schema', 'is only used when Output Format is JSON Schema');
		for (const key of ['schema', 'name', 'description', 'strict']) delete format[key];
		return;
	}
	if (!hasSchema) throw new InvalidParameter('JSON Schema', 'is required when Output Format is JSON Schema');
	if (typeof format.schema === 'string') format.schema = parseJsonText('JSON Schema', format.schema) as IDataObject;
	if (!isObject(format.schema)) throw new InvalidParameter('JSON Schema', 'must be a JSON object');
	if (!format.name) format.name = 'response';
}

/** Drops optional text fields left empty, which OpenAI would reject or misread. */
export function dropEmptyStrings(body: IDataObject, keys: readonly string[]): void {
	for (const key of keys) if (body[key] === '') delete body[key];
}

/** preSend body transform of Response → Create. */
export function buildResponseBody(body: IDataObject): void {
	normalizeInput(body);
	normalizeTools(body);
	normalizeTextFormat(body);
	dropEmptyStrings(body, ['instructions', 'previous_response_id', 'conversation', 'prompt_cache_key', 'safety_identifier']);
	if (body.conversation !== undefined) body.conversation = idFrom(body.conversation, 'Conversation ID', 'conv_abc123');
	if (typeof body.safety_identifier === 'string' && body.safety_identifier.length > 64) {
		throw new InvalidParameter('Safety Identifier', `must be at most 64 characters, got ${body.safety_identifier.length}`);
	}
	if (Array.isArray(body.include) && !body.include.length) delete body.include;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

function recordsIn(value: unknown): IDataObject[] {
	return Array.isArray(value) ? value.filter(isObject) : [];
}

function parseIfJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/** Every output text part of the response's messages, in order. */
function outputTextParts(response: IDataObject): IDataObject[] {
	return recordsIn(response.output)
		.filter((item) => item.type === 'message')
		.flatMap((item) => recordsIn(item.content))
		.filter((part) => part.type === 'output_text');
}

/**
 * The simplified response: id (for chaining), status, model, the joined output text, the parsed object for
 * JSON formats, function calls with parsed arguments, citations, reasoning summary, usage, and why it is incomplete.
 */
export function simplifyResponseObject(response: IDataObject): IDataObject {
	const parts = outputTextParts(response);
	const outputText = parts.map((part) => String(part.text ?? '')).join('');
	const formatType = isObject(response.text) && isObject(response.text.format) ? response.text.format.type : undefined;
	const parsed = formatType === 'json_schema' || formatType === 'json_object' ? parseIfJson(outputText) : undefined;
	const functionCalls = recordsIn(response.output)
		.filter((item) => item.type === 'function_call')
		.map((call) => ({
			call_id: call.call_id,
			name: call.name,
			arguments: parseIfJson(String(call.arguments ?? '')) ?? call.arguments,
		}));
	const citations = parts.flatMap((part) => recordsIn(part.annotations));
	const summary = recordsIn(response.output)
		.filter((item) => item.type === 'reasoning')
		.flatMap((item) => recordsIn(item.summary))
		.map((part) => String(part.text ?? ''))
		.join('\n\n');
	return {
		id: response.id,
		status: response.status,
		model: response.model,
		output_text: outputText,
		...(parsed !== undefined ? { output_parsed: parsed } : {}),
		...(functionCalls.length ? { function_calls: functionCalls } : {}),
		...(citations.length ? { citations } : {}),
		...(summary ? { reasoning_summary: summary } : {}),
		...(response.usage ? { usage: response.usage } : {}),
		...(response.incomplete_details ? { incomplete_details: response.incomplete_details } : {}),
		...(response.error ? { error: response.error } : {}),
	};
}

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

/** What the stream built so far for one output item. */
interface ItemParts {
	item: IDataObject;
	textParts: Map<number, string[]>;
	argumentParts: string[];
	summaryParts: Map<number, string[]>;
	done: boolean;
}

function appendTo(map: Map<number, string[]>, index: unknown, text: unknown): void {
	const key = typeof index === 'number' ? index : 0;
	const list = map.get(key) ?? [];
	list.push(String(text ?? ''));
	map.set(key, list);
}

/** An item rebuilt from its deltas, for servers whose `response.completed` carries no output. */
function itemFromParts(parts: ItemParts): IDataObject {
	if (parts.done) return parts.item;
	const item = { ...parts.item };
	if (item.type === 'message') {
		item.content = [...parts.textParts.entries()]
			.sort(([left], [right]) => left - right)
			.map(([, texts]) => ({ type: 'output_text', text: texts.join(''), annotations: [] }));
	}
	if (item.type === 'function_call') item.arguments = parts.argumentParts.join('');
	if (item.type === 'reasoning') {
		item.summary = [...parts.summaryParts.values()].map((texts) => ({ type: 'summary_text', text: texts.join('') }));
	}
	return item;
}

function streamApiError(message: string, details: IDataObject): OpenAiStreamError {
	return new OpenAiStreamError('api_error', message, {
		message,
		...(typeof details.code === 'string' ? { code: details.code } : {}),
		...(typeof details.type === 'string' ? { type: details.type } : {}),
		...(typeof details.param === 'string' ? { param: details.param } : {}),
	});
}

/** Throws for the events that end a stream without an answer: `error`, `response.failed`, `response.incomplete`. */
function throwIfFailed(type: string, payload: IDataObject): void {
	if (type === 'error') {
		const error = isObject(payload.error) ? payload.error : payload;
		throw streamApiError(String(error.message ?? 'The stream reported an error'), error);
	}
	const response = isObject(payload.response) ? payload.response : {};
	if (type === 'response.failed') {
		const error = isObject(response.error) ? response.error : {};
		throw streamApiError(String(error.message ?? 'The response failed'), error);
	}
	if (type === 'response.incomplete') {
		const reason = isObject(response.incomplete_details) ? response.incomplete_details.reason : undefined;
		throw streamApiError(`The response is incomplete (reason: ${String(reason ?? 'unknown')})`, { code: reason });
	}
}

/** A whole response object, when a compatible server ignored `stream: true`. */
export function parseUnstreamedResponse(body: string): IDataObject | undefined {
	const text = body.trim();
	if (!text.startsWith('{')) return undefined;
	const parsed = parseIfJson(text);
	if (!isObject(parsed)) return undefined;
	if (isObject(parsed.error)) throw streamApiError(String(parsed.error.message ?? 'The server reported an error'), parsed.error);
	return parsed.object === 'response' ? parsed : undefined;
}

function parseEventData(data: string, eventNumber: number): IDataObject {
	const payload = parseIfJson(data);
	if (!isObject(payload)) {
		const preview = data.length > 100 ? `${data.slice(0, 100)}…` : data;
		throw new OpenAiStreamError('malformed', `Event ${eventNumber} of the OpenAI stream is not a JSON object: ${preview}`);
	}
	return payload;
}

/** Records one event's contribution to its output item. */
function addToItem(items: Map<number, ItemParts>, type: string, payload: IDataObject): void {
	const index = typeof payload.output_index === 'number' ? payload.output_index : 0;
	if (type === 'response.output_item.added' || type === 'response.output_item.done') {
		const existing = items.get(index);
		const item = isObject(payload.item) ? payload.item : {};
		if (!existing) items.set(index, { item, textParts: new Map(), argumentParts: [], summaryParts: new Map(), done: false });
		else existing.item = item;
		items.get(index)!.done = type === 'response.output_item.done';
		return;
	}
	const parts = items.get(index);
	if (!parts) return;
	if (type === 'response.output_text.delta') appendTo(parts.textParts, payload.content_index, payload.delta);
	else if (type === 'response.function_call_arguments.delta') parts.argumentParts.push(String(payload.delta ?? ''));
	else if (type === 'response.reasoning_summary_text.delta') appendTo(parts.summaryParts, payload.summary_index, payload.delta);
}

/**
 * Reads a `response.*` event stream and returns the response object of `response.completed`, which is what
 * the unstreamed call returns. Its output is rebuilt from the item events when the server left it empty.
 * Throws OpenAiStreamError for `error`, `response.failed` and `response.incomplete`, and when the stream
 * ends without `response.completed` (a truncated answer is never returned).
 */
export function assembleResponseStream(body: string): IDataObject {
	const items = new Map<number, ItemParts>();
	let eventNumber = 0;
	for (const event of parseSse(body)) {
		const data = event.data.trim();
		if (!data || data === '[DONE]') continue;
		const payload = parseEventData(data, ++eventNumber);
		const type = String(payload.type ?? event.event ?? '');
		throwIfFailed(type, payload);
		if (type === 'response.completed') {
			const response = isObject(payload.response) ? { ...payload.response } : {};
			if (!recordsIn(response.output).length && items.size) {
				response.output = [...items.entries()].sort(([left], [right]) => left - right).map(([, parts]) => itemFromParts(parts));
			}
			return response;
		}
		addToItem(items, type, payload);
	}
	const unstreamed = eventNumber === 0 ? parseUnstreamedResponse(body) : undefined;
	if (unstreamed) return unstreamed;
	throw new OpenAiStreamError(
		'incomplete',
		`The Responses stream ended before "response.completed" (after ${eventNumber} event(s)), so the answer is incomplete`,
	);
}

// ---------------------------------------------------------------------------------------------
// A server without the Responses API
// ---------------------------------------------------------------------------------------------

/**
 * Whether an HTTP failure means the server has no Responses API: 405, or a 404 that is not about a model,
 * a response or a conversation ID (OpenAI's own 404s name them; "Invalid URL (POST /v1/responses)" names none).
 */
export function isMissingResponsesApi(status: number | undefined, message: string): boolean {
	if (status === 405) return true;
	return status === 404 && !/\b(model|response|conversation)\b/i.test(message);
}

export const MISSING_RESPONSES_API_MESSAGE =
	'This server does not offer the Responses API (/responses). Use Chat → Create Completion instead.';

// ---------------------------------------------------------------------------------------------
// n8n hooks
// ---------------------------------------------------------------------------------------------

/** preSend: a streamed call asks for a text body, so nothing JSON-parses the events first. */
export async function prepareResponseStream(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	if ((requestOptions.body as IDataObject).stream !== true) return requestOptions;
	return { ...requestOptions, json: false, encoding: 'text' };
}

/** postReceive: a streamed body becomes the response object an unstreamed call returns. */
export async function assembleResponseEvents(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = await streamedBody(this, response);
	if (body === undefined) return items;
	let caught: unknown;
	try {
		return [{ json: assembleResponseStream(body) }];
	} catch (error) {
		caught = error;
	}
	if (caught instanceof OpenAiStreamError) throw streamError(this, caught, await apiKeyOf(this), 'response.completed');
	throw caught;
}

/** postReceive: with Simplify on, one simplified row per response, paired with its input item. */
export async function simplifyResponses(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	if (!(this.getNodeParameter(simplifyName('response'), true) as boolean)) return items;
	return pairedItems(this, items.map((item) => simplifyResponseObject(item.json)));
}

/** Sends like every operation, and says so plainly when the server has no Responses API. */
export async function sendResponsesRequest(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	let caught: unknown;
	try {
		return await sendWithRetries.call(this, requestData);
	} catch (error) {
		caught = error;
	}
	const status = caught instanceof NodeApiError ? Number(caught.httpCode) : undefined;
	if (!(caught instanceof NodeApiError) || !isMissingResponsesApi(status, caught.message)) throw caught;
	const { method = 'GET', url = '' } = requestData.options;
	const description = `The server answered ${method} ${url} with HTTP status ${status}: ${caught.message}`;
	throw new NodeApiError(this.getNode(), { message: MISSING_RESPONSES_API_MESSAGE, description } as JsonObject, {
		message: MISSING_RESPONSES_API_MESSAGE,
		description,
		httpCode: String(status),
		itemIndex: this.getItemIndex(),
	});
}

/** List Input Items: follows `after` cursors until Return All is done or Limit items are in. */
export async function paginateInputItems(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('responseReturnAll', false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('responseLimit', 50) as number);
	const rows = await readCursorPages(this, requestData, limit, sendResponsesRequest);
	return pairedItems(this, rows.slice(0, limit));
}
