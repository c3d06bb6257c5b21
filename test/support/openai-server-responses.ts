/**
 * The test server's Responses API (`/responses…`) and embeddings (`/embeddings`), kept apart from the
 * older endpoints in openai-server.ts. Answers follow OpenAI's examples (createResponse-*, getResponse-*,
 * createEmbedding-*) and are deterministic functions of the request, like the rest of the server.
 */
import type { CapturedRequest } from './openai-server';
import { describeInlinePart } from './openai-server-attachments';

type JsonObject = Record<string, unknown>;

export interface JsonAnswer {
	kind: 'json';
	status: number;
	payload: unknown;
}

export interface StreamAnswer {
	kind: 'sse';
	events: string[];
	endsWithDone: boolean;
	/** The event that replaces the end of the stream under a `responsesStreamEnd` fault. */
	endWith?: (kind: ResponsesStreamEnd) => string;
	/** The stream as a slim server sends it (`slimResponsesStream` fault): the answer only in the deltas. */
	slim?: () => string[];
}

/** How a faulted Responses stream ends instead of `response.completed`. */
export type ResponsesStreamEnd = 'failed' | 'error' | 'incomplete';

export type ResponsesAnswer = JsonAnswer | StreamAnswer;

/** The `created_at` of every response (OpenAI's streaming example). */
export const RESPONSE_CREATED_AT = 1741290958;
/** Float values of OpenAI's createEmbedding example; the node must reproduce them bit for bit from base64. */
export const EXAMPLE_EMBEDDING_VALUES = [0.0023064255, -0.009327292, -0.0028842222] as const;
export const EMBEDDING_DIMENSIONS: Record<string, number> = {
	'text-embedding-ada-002': 1536,
	'text-embedding-3-small': 1536,
	'text-embedding-3-large': 3072,
};
export const MAX_EMBEDDING_INPUTS = 2048;
/** Annotations the server adds when a web search or file search tool is on (from OpenAI's examples). */
export const WEB_CITATION_URL = 'https://example.com/news/?utm_source=chatgpt.com';
export const FILE_CITATION = { file_id: 'file-4wDz5b167pAf72nx1h9eiN', filename: 'dragons.pdf' } as const;

const MIN_MAX_OUTPUT_TOKENS = 16;
const DEFAULT_INPUT_ITEMS_LIMIT = 20;
const MAX_INPUT_ITEMS_LIMIT = 100;
const TEXT_DELTA_SIZES = [4, 2, 6, 3];

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(payload: unknown, status = 200): JsonAnswer {
	return { kind: 'json', status, payload };
}

function apiError(status: number, message: string, param: string | null = null, code: string | null = null): JsonAnswer {
	return json({ error: { message, type: 'invalid_request_error', param, code } }, status);
}

function words(text: string): number {
	return text.split(/\s+/).filter(Boolean).length;
}

function pieces(text: string, sizes: readonly number[]): string[] {
	const result: string[] = [];
	for (let start = 0, step = 0; start < text.length; step++) {
		result.push(text.slice(start, start + sizes[step % sizes.length]));
		start += sizes[step % sizes.length];
	}
	return result;
}

function namedEvent(payload: JsonObject): string {
	return `event: ${String(payload.type)}\ndata: ${JSON.stringify(payload)}\n\n`;
}

// ---------------------------------------------------------------------------------------------
// State: stored responses and their input items
// ---------------------------------------------------------------------------------------------

interface StoredResponse {
	response: JsonObject;
	inputItems: JsonObject[];
	/** Background responses finish when first fetched, unless cancelled before. */
	background: boolean;
	finished: JsonObject;
}

export class ResponsesStore {
	readonly responses = new Map<string, StoredResponse>();

	private counter = 0;

	nextId(prefix: string): string {
		return `${prefix}_${String(++this.counter).padStart(6, '0')}`;
	}

	reset(): void {
		this.responses.clear();
		this.counter = 0;
	}
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

export interface ResponsesRoute {
	operation: 'create' | 'get' | 'delete' | 'cancel' | 'inputItems';
	/** Path after the prefix, response ID decoded. */
	path: string;
	responseId?: string;
}

const RESPONSES_PATHS: ReadonlyArray<{ method: string; pattern: RegExp; operation: ResponsesRoute['operation'] }> = [
	{ method: 'POST', pattern: /\/responses$/, operation: 'create' },
	{ method: 'GET', pattern: /\/responses\/([^/]+)\/input_items$/, operation: 'inputItems' },
	{ method: 'POST', pattern: /\/responses\/([^/]+)\/cancel$/, operation: 'cancel' },
	{ method: 'GET', pattern: /\/responses\/([^/]+)$/, operation: 'get' },
	{ method: 'DELETE', pattern: /\/responses\/([^/]+)$/, operation: 'delete' },
];

function decode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/**
 * The Responses operation a request path names: `matched` tells a /responses path (any method) from
 * another path, `route` is set only when the method fits.
 */
export function resolveResponsesRoute(method: string, pathname: string): { matched: boolean; route?: ResponsesRoute } {
	let matched = false;
	for (const entry of RESPONSES_PATHS) {
		const match = entry.pattern.exec(pathname);
		if (!match) continue;
		matched = true;
		if (entry.method !== method) continue;
		const responseId = match[1] === undefined ? undefined : decode(match[1]);
		const start = pathname.lastIndexOf('/responses');
		const path = pathname.slice(start).replace(match[1] ?? '\0', responseId ?? '');
		return { matched, route: { operation: entry.operation, path, responseId } };
	}
	return { matched };
}

/** A compatible server without the Responses API: 404 like vLLM's router, or 405 like some proxies. */
export function noResponsesApi(status: 404 | 405, method: string, pathname: string): JsonAnswer {
	return status === 404
		? json({ detail: 'Not Found' }, 404)
		: json({ error: { message: `Method ${method} not allowed on ${pathname}`, type: 'invalid_request_error', param: null, code: 'method_not_allowed' } }, 405);
}

// ---------------------------------------------------------------------------------------------
// Create
// ---------------------------------------------------------------------------------------------

/** A part's text; inline images and files are described ("[image/png 4x3, 69 bytes]"), so tests see they arrived. */
function partText(part: unknown): string {
	if (isRecord(part) && (part.type === 'input_text' || part.type === 'output_text') && typeof part.text === 'string') return part.text;
	return describeInlinePart(part) ?? '';
}

function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	return Array.isArray(content) ? content.map(partText).filter(Boolean).join(' ') : '';
}

/** The input as the list of items OpenAI stores (a prompt text becomes one user message). */
function inputItemsOf(input: unknown, store: ResponsesStore): JsonObject[] {
	const items = typeof input === 'string' ? [{ role: 'user', content: input }] : (input as unknown[]);
	return items.filter(isRecord).map((item) => {
		if (item.type !== undefined && item.type !== 'message') return { id: store.nextId('fco'), ...item };
		const content = typeof item.content === 'string' ? [{ type: 'input_text', text: item.content }] : item.content;
		return { id: store.nextId('msg'), type: 'message', role: item.role, content, status: 'completed' };
	});
}

/** What the model "answers": the last user text, or the output of the last function call. */
function promptOf(items: JsonObject[]): { text: string; toolOutput?: string } {
	const last = items[items.length - 1];
	if (last?.type === 'function_call_output') return { text: '', toolOutput: String(last.output) };
	const user = [...items].reverse().find((item) => item.role === 'user');
	return { text: user ? contentText(user.content) : '' };
}

function toolOfType(tools: unknown, ...types: string[]): JsonObject | undefined {
	return Array.isArray(tools) ? tools.filter(isRecord).find((tool) => types.includes(String(tool.type))) : undefined;
}

interface Reply {
	output: JsonObject[];
	status: 'completed' | 'incomplete';
	outputTokens: number;
	reasoningTokens: number;
}

function messageItem(id: string, text: string, annotations: JsonObject[], status: string, withLogprobs: boolean): JsonObject {
	const part = { type: 'output_text', text, annotations, ...(withLogprobs ? { logprobs: [] } : {}) };
	return { id, type: 'message', status, role: 'assistant', content: [part] };
}

function citations(body: JsonObject, text: string): JsonObject[] {
	const annotations: JsonObject[] = [];
	if (toolOfType(body.tools, 'web_search', 'web_search_preview')) {
		annotations.push({ type: 'url_citation', start_index: 0, end_index: text.length, url: WEB_CITATION_URL, title: 'Example News' });
	}
	if (toolOfType(body.tools, 'file_search')) annotations.push({ type: 'file_citation', index: text.length, ...FILE_CITATION });
	return annotations;
}

/** The answer text in the requested format: JSON formats wrap the echo in {"answer": …}. */
function answerText(body: JsonObject, prompt: { text: string; toolOutput?: string }): string {
	const text = prompt.toolOutput !== undefined ? `Tool said: ${prompt.toolOutput}` : `Echo: ${prompt.text}`;
	const format = isRecord(body.text) && isRecord(body.text.format) ? body.text.format.type : 'text';
	return format === 'json_schema' || format === 'json_object' ? JSON.stringify({ answer: text }) : text;
}

function buildReply(body: JsonObject, items: JsonObject[], store: ResponsesStore): Reply {
	const prompt = promptOf(items);
	const output: JsonObject[] = [];
	let reasoningTokens = 0;
	const summaryMode = isRecord(body.reasoning) ? body.reasoning.summary : undefined;
	if (typeof summaryMode === 'string') {
		const summary = `Thinking about: ${prompt.text || prompt.toolOutput}`;
		reasoningTokens = words(summary);
		output.push({ id: store.nextId('rs'), type: 'reasoning', summary: [{ type: 'summary_text', text: summary }] });
	}
	if (toolOfType(body.tools, 'web_search', 'web_search_preview')) {
		output.push({ id: store.nextId('ws'), type: 'web_search_call', status: 'completed', action: { type: 'search', query: prompt.text } });
	}
	const fileSearch = toolOfType(body.tools, 'file_search');
	if (fileSearch) output.push({ id: store.nextId('fs'), type: 'file_search_call', status: 'completed', queries: [prompt.text], results: null });
	const functionTool = toolOfType(body.tools, 'function');
	if (functionTool && prompt.text.startsWith('CALL ')) {
		const args = JSON.stringify({ text: prompt.text.slice('CALL '.length) });
		output.push({ id: store.nextId('fc'), type: 'function_call', status: 'completed', arguments: args, call_id: `call_${output.length + 1}`, name: functionTool.name });
		return { output, status: 'completed', outputTokens: words(args) + reasoningTokens, reasoningTokens };
	}
	let text = answerText(body, prompt);
	const limit = typeof body.max_output_tokens === 'number' ? body.max_output_tokens : Infinity;
	const incomplete = words(text) > limit;
	if (incomplete) text = text.split(/\s+/).slice(0, limit).join(' ');
	const withLogprobs = Array.isArray(body.include) && body.include.includes('message.output_text.logprobs');
	output.push(messageItem(store.nextId('msg'), text, citations(body, text), incomplete ? 'incomplete' : 'completed', withLogprobs));
	return { output, status: incomplete ? 'incomplete' : 'completed', outputTokens: words(text) + reasoningTokens, reasoningTokens };
}

function usageOf(items: JsonObject[], instructions: unknown, reply: Reply): JsonObject {
	const inputTokens = items.reduce((sum, item) => sum + words(contentText(item.content) || String(item.output ?? '')), 0) + words(typeof instructions === 'string' ? instructions : '');
	return {
		input_tokens: inputTokens,
		input_tokens_details: { cached_tokens: 0 },
		output_tokens: reply.outputTokens,
		output_tokens_details: { reasoning_tokens: reply.reasoningTokens },
		total_tokens: inputTokens + reply.outputTokens,
	};
}

function responseObject(id: string, body: JsonObject, status: string, output: JsonObject[], usage: JsonObject | null, incomplete: boolean): JsonObject {
	const reasoning = isRecord(body.reasoning) ? body.reasoning : {};
	const text = isRecord(body.text) ? body.text : {};
	return {
		id,
		object: 'response',
		created_at: RESPONSE_CREATED_AT,
		status,
		background: body.background === true,
		completed_at: status === 'completed' ? RESPONSE_CREATED_AT + 1 : null,
		error: null,
		incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
		instructions: body.instructions ?? null,
		max_output_tokens: body.max_output_tokens ?? null,
		max_tool_calls: body.max_tool_calls ?? null,
		model: body.model,
		output,
		parallel_tool_calls: body.parallel_tool_calls ?? true,
		previous_response_id: body.previous_response_id ?? null,
		reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
		service_tier: body.service_tier ?? 'default',
		store: body.store ?? true,
		temperature: body.temperature ?? 1,
		text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
		tool_choice: body.tool_choice ?? 'auto',
		tools: body.tools ?? [],
		top_logprobs: body.top_logprobs ?? 0,
		top_p: body.top_p ?? 1,
		truncation: body.truncation ?? 'disabled',
		usage,
		user: null,
		metadata: body.metadata ?? {},
		...(body.conversation !== undefined ? { conversation: { id: isRecord(body.conversation) ? body.conversation.id : body.conversation } } : {}),
	};
}

/** Checks OpenAI makes on a create request that the spec alone cannot express. */
function createRequestError(body: JsonObject, store: ResponsesStore): JsonAnswer | undefined {
	if (typeof body.model !== 'string') return apiError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
	if (typeof body.input !== 'string' && !Array.isArray(body.input)) return apiError(400, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
	if (typeof body.max_output_tokens === 'number' && body.max_output_tokens < MIN_MAX_OUTPUT_TOKENS) {
		return apiError(400, `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= ${MIN_MAX_OUTPUT_TOKENS}, but got ${body.max_output_tokens} instead.`, 'max_output_tokens', 'integer_below_min_value');
	}
	const fileSearch = toolOfType(body.tools, 'file_search');
	if (fileSearch && !Array.isArray(fileSearch.vector_store_ids)) return apiError(400, "Missing required parameter: 'tools[0].vector_store_ids'.", 'tools[0].vector_store_ids', 'missing_required_parameter');
	const previous = body.previous_response_id;
	if (typeof previous === 'string' && !store.responses.has(previous)) return apiError(404, `Previous response with id '${previous}' not found.`, 'previous_response_id', 'previous_response_not_found');
	if (body.previous_response_id !== undefined && body.conversation !== undefined) {
		return apiError(400, 'Mutually exclusive parameters: Ensure you are only providing one of: \'previous_response_id\' or \'conversation\'.', null, 'mutually_exclusive_parameters');
	}
	return undefined;
}

/** The `response.*` events OpenAI streams for one output item. */
function itemEvents(item: JsonObject, outputIndex: number): JsonObject[] {
	const added = { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress' } };
	const done = { type: 'response.output_item.done', output_index: outputIndex, item };
	const at = { item_id: item.id, output_index: outputIndex };
	if (item.type === 'function_call') {
		const args = String(item.arguments);
		return [
			{ ...added, item: { ...item, arguments: '', status: 'in_progress' } },
			...pieces(args, TEXT_DELTA_SIZES).map((delta) => ({ type: 'response.function_call_arguments.delta', ...at, delta })),
			{ type: 'response.function_call_arguments.done', ...at, arguments: args },
			done,
		];
	}
	if (item.type === 'reasoning') {
		const [summary] = item.summary as JsonObject[];
		const text = String(summary.text);
		const part = { ...at, summary_index: 0 };
		return [
			{ ...added, item: { ...item, summary: [] } },
			{ type: 'response.reasoning_summary_part.added', ...part, part: { type: 'summary_text', text: '' } },
			...pieces(text, TEXT_DELTA_SIZES).map((delta) => ({ type: 'response.reasoning_summary_text.delta', ...part, delta })),
			{ type: 'response.reasoning_summary_text.done', ...part, text },
			{ type: 'response.reasoning_summary_part.done', ...part, part: summary },
			done,
		];
	}
	if (item.type !== 'message') return [added, done];
	const [content] = item.content as JsonObject[];
	const text = String(content.text);
	const part = { ...at, content_index: 0 };
	const annotations = content.annotations as JsonObject[];
	return [
		{ ...added, item: { ...item, content: [] } },
		{ type: 'response.content_part.added', ...part, part: { ...content, text: '', annotations: [] } },
		...pieces(text, TEXT_DELTA_SIZES).map((delta) => ({ type: 'response.output_text.delta', ...part, delta, logprobs: [] })),
		...annotations.map((annotation, index) => ({ type: 'response.output_text.annotation.added', ...part, annotation_index: index, annotation })),
		{ type: 'response.output_text.done', ...part, text, logprobs: [] },
		{ type: 'response.content_part.done', ...part, part: content },
		done,
	];
}

function numbered(events: JsonObject[], from = 0): string[] {
	return events.map((event, index) => namedEvent({ ...event, sequence_number: from + index }));
}

/** The full event stream of a response, ending in `response.completed` or `response.incomplete`. */
function streamOf(final: JsonObject): StreamAnswer {
	const start = { ...final, status: 'in_progress', output: [], usage: null, completed_at: null, incomplete_details: null };
	const body: JsonObject[] = [
		{ type: 'response.created', response: start },
		{ type: 'response.in_progress', response: start },
		...(final.output as JsonObject[]).flatMap(itemEvents),
	];
	const endType = final.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
	const events = numbered([...body, { type: endType, response: final }]);
	const endWith = (kind: ResponsesStreamEnd): string => {
		const sequence_number = 3;
		if (kind === 'error') return namedEvent({ type: 'error', code: 'server_error', message: 'The server had an error while streaming the response.', param: null, sequence_number });
		if (kind === 'incomplete') {
			return namedEvent({ type: 'response.incomplete', sequence_number, response: { ...final, status: 'incomplete', incomplete_details: { reason: 'content_filter' } } });
		}
		const error = { code: 'server_error', message: 'The model failed to generate a response.' };
		return namedEvent({ type: 'response.failed', sequence_number, response: { ...final, status: 'failed', error, output: [] } });
	};
	// No finished items: neither `response.output_item.done` nor an output in `response.completed`.
	const slim = () => numbered([...body.filter((event) => event.type !== 'response.output_item.done'), { type: endType, response: { ...final, output: [] } }]);
	return { kind: 'sse', events, endsWithDone: false, endWith, slim };
}

function createResponse(body: JsonObject, store: ResponsesStore): ResponsesAnswer {
	const problem = createRequestError(body, store);
	if (problem) return problem;
	const id = store.nextId('resp');
	const items = inputItemsOf(body.input, store);
	const reply = buildReply(body, items, store);
	const final = responseObject(id, body, reply.status, reply.output, usageOf(items, body.instructions, reply), reply.status === 'incomplete');
	const background = body.background === true;
	if (body.store !== false) store.responses.set(id, { response: final, inputItems: items, background, finished: final });
	if (background) {
		const queued = responseObject(id, body, 'queued', [], null, false);
		store.responses.get(id)!.response = queued;
		return json(queued);
	}
	return body.stream === true ? streamOf(final) : json(final);
}

// ---------------------------------------------------------------------------------------------
// Get, delete, cancel, input items
// ---------------------------------------------------------------------------------------------

function notFound(id: string): JsonAnswer {
	return apiError(404, `Response with id '${id}' not found.`, null, null);
}

function getResponse(stored: StoredResponse): JsonAnswer {
	if (stored.background && stored.response.status === 'queued') stored.response = stored.finished;
	return json(stored.response);
}

function cancelResponse(stored: StoredResponse): JsonAnswer {
	if (!stored.background) return apiError(400, 'Only responses created with background=true can be cancelled.', null, null);
	if (stored.response.status === 'queued' || stored.response.status === 'in_progress') {
		stored.response = { ...stored.response, status: 'cancelled' };
	}
	return json(stored.response);
}

/** A page of input items, newest first by default, like OpenAI's cursor pagination. */
function inputItemsPage(stored: StoredResponse, query: URLSearchParams): JsonAnswer {
	const limitText = query.get('limit');
	const limit = limitText === null ? DEFAULT_INPUT_ITEMS_LIMIT : Number(limitText);
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_INPUT_ITEMS_LIMIT) {
		return apiError(400, `Invalid 'limit': expected an integer between 1 and ${MAX_INPUT_ITEMS_LIMIT}, but got ${limitText} instead.`, 'limit', 'invalid_value');
	}
	const ordered = query.get('order') === 'asc' ? stored.inputItems : [...stored.inputItems].reverse();
	const after = query.get('after');
	const start = after === null ? 0 : ordered.findIndex((item) => item.id === after) + 1;
	if (after !== null && start === 0) return apiError(400, `Invalid 'after': no input item with id '${after}'.`, 'after', 'invalid_value');
	const data = ordered.slice(start, start + limit);
	return json({
		object: 'list',
		data,
		first_id: data[0]?.id ?? null,
		last_id: data[data.length - 1]?.id ?? null,
		has_more: start + limit < ordered.length,
	});
}

export function handleResponses(route: ResponsesRoute, request: Pick<CapturedRequest, 'body' | 'fullPath'>, store: ResponsesStore): ResponsesAnswer {
	if (route.operation === 'create') {
		return isRecord(request.body) ? createResponse(request.body, store) : apiError(400, 'We could not parse the JSON body of your request.');
	}
	const id = route.responseId ?? '';
	const stored = store.responses.get(id);
	if (!stored) return notFound(id);
	switch (route.operation) {
		case 'get':
			return getResponse(stored);
		case 'delete':
			store.responses.delete(id);
			return json({ id, object: 'response', deleted: true });
		case 'cancel':
			return cancelResponse(stored);
		default:
			return inputItemsPage(stored, new URL(request.fullPath, 'http://127.0.0.1').searchParams);
	}
}

// ---------------------------------------------------------------------------------------------
// Embeddings
// ---------------------------------------------------------------------------------------------

/** The inputs as texts (token arrays count as their tokens joined). */
function embeddingInputs(input: unknown): string[] | undefined {
	if (typeof input === 'string') return [input];
	if (!Array.isArray(input) || input.length === 0) return undefined;
	if (input.every((entry) => typeof entry === 'string')) return input as string[];
	if (input.every((entry) => typeof entry === 'number')) return [input.join(' ')];
	if (input.every((entry) => Array.isArray(entry) && entry.length > 0 && entry.every((token) => typeof token === 'number'))) {
		return (input as number[][]).map((tokens) => tokens.join(' '));
	}
	return undefined;
}

/**
 * A deterministic vector for a text. Values carry 6 significant digits, so each survives float32 exactly
 * and prints the same way from float32 (FLT_DIG); the first input starts and ends with OpenAI's example values.
 */
export function embeddingVector(text: string, dimensions: number, position: number): number[] {
	let state = 17;
	for (const char of text) state = (Math.imul(state, 31) + char.charCodeAt(0)) >>> 0;
	const values = Array.from({ length: dimensions }, (_, index) => {
		state = (Math.imul(state ^ index, 1664525) + 1013904223) >>> 0;
		return Number((((state >>> 8) / 0x1000000 - 0.5) * 0.08).toPrecision(6));
	});
	if (position === 0 && dimensions >= EXAMPLE_EMBEDDING_VALUES.length) {
		[values[0], values[1]] = EXAMPLE_EMBEDDING_VALUES;
		values[dimensions - 1] = EXAMPLE_EMBEDDING_VALUES[2];
	}
	return values;
}

/** Little-endian float32 bytes in base64, as OpenAI sends with `encoding_format: base64`. */
export function float32Base64(values: number[]): string {
	return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

export function handleEmbeddings(body: JsonObject): JsonAnswer {
	if (body.input === undefined) return apiError(400, "Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
	const model = String(body.model);
	const inputs = embeddingInputs(body.input);
	if (!inputs) return apiError(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
	if (inputs.length > MAX_EMBEDDING_INPUTS) return apiError(400, `'$.input' must have at most ${MAX_EMBEDDING_INPUTS} items.`, 'input');
	if (body.dimensions !== undefined && !model.startsWith('text-embedding-3')) {
		return apiError(400, 'This model does not support specifying dimensions.', null, null);
	}
	const format = body.encoding_format ?? 'float';
	if (format !== 'float' && format !== 'base64') {
		return apiError(400, `Invalid value: '${String(format)}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
	}
	const dimensions = typeof body.dimensions === 'number' ? body.dimensions : (EMBEDDING_DIMENSIONS[model] ?? 1536);
	const tokens = inputs.reduce((sum, text) => sum + words(text), 0);
	return json({
		object: 'list',
		data: inputs.map((text, index) => {
			const vector = embeddingVector(text, dimensions, index);
			return { object: 'embedding', index, embedding: format === 'base64' ? float32Base64(vector) : vector };
		}),
		model,
		usage: { prompt_tokens: tokens, total_tokens: tokens },
	});
}
