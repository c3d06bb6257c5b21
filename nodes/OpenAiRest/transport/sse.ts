/**
 * Streaming support for chat and text completions.
 *
 * With `stream: true` OpenAI answers with server-sent events; n8n buffers that body into one string.
 * These pure functions parse it and rebuild the object a non-streamed request would have returned,
 * so everything downstream (simplify, expressions) works the same either way.
 *
 * All work is linear in the body size: the SSE parser examines each character once and every
 * text that arrives in pieces is collected in an array and joined once.
 */

export interface SseEvent {
	event?: string;
	data: string;
	id?: string;
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BYTE_ORDER_MARK = '\uFEFF';

/** Incremental SSE parser (WHATWG event-stream rules): feed arbitrary string chunks, get complete events. */
export class SseParser {
	/** Pieces of the current line that began in earlier chunks; joined once when the line ends. */
	private lineParts: string[] = [];

	private dataLines: string[] = [];

	private eventType = '';

	private lastEventId = '';

	private atStreamStart = true;

	/** A line just ended with CR, so an LF right after it belongs to the same line ending (CRLF). */
	private lineEndedWithCarriageReturn = false;

	private scanned = 0;

	/** Characters examined since construction: one per character received, i.e. parsing is linear. */
	get scannedChars(): number {
		return this.scanned;
	}

	push(chunk: string): SseEvent[] {
		const events: SseEvent[] = [];
		let position = 0;
		if (this.atStreamStart && chunk.length > 0) {
			this.atStreamStart = false;
			if (chunk.startsWith(BYTE_ORDER_MARK)) {
				this.scanned++;
				position = 1;
			}
		}
		let lineStart = position;
		for (; position < chunk.length; position++) {
			this.scanned++;
			const code = chunk.charCodeAt(position);
			const isSecondHalfOfCrLf = code === LINE_FEED && this.lineEndedWithCarriageReturn;
			this.lineEndedWithCarriageReturn = false;
			if (isSecondHalfOfCrLf) {
				lineStart = position + 1;
				continue;
			}
			if (code !== LINE_FEED && code !== CARRIAGE_RETURN) continue;

			this.lineEndedWithCarriageReturn = code === CARRIAGE_RETURN;
			const event = this.processLine(this.takeLine(chunk.slice(lineStart, position)));
			if (event) events.push(event);
			lineStart = position + 1;
		}
		if (lineStart < chunk.length) this.lineParts.push(chunk.slice(lineStart));
		return events;
	}

	/**
	 * Ends the stream. Deliberately more lenient than WHATWG (which drops any event lacking its blank line):
	 * a pending event whose last line did end is flushed, so a body trimmed of its final blank line still
	 * yields `[DONE]`. A pending event whose last line was cut off mid-way is discarded.
	 */
	end(): SseEvent[] {
		const lastLineWasCut = this.lineParts.length > 0;
		const event = lastLineWasCut ? undefined : this.dispatch();
		this.reset();
		return event ? [event] : [];
	}

	private takeLine(lastPart: string): string {
		if (this.lineParts.length === 0) return lastPart;
		this.lineParts.push(lastPart);
		const line = this.lineParts.join('');
		this.lineParts = [];
		return line;
	}

	private processLine(line: string): SseEvent | undefined {
		if (line === '') return this.dispatch();
		if (line.startsWith(':')) return undefined; // comment, e.g. `: keep-alive`

		const colon = line.indexOf(':');
		if (colon === -1) {
			this.applyField(line, '');
			return undefined;
		}
		const value = line.slice(colon + 1);
		this.applyField(line.slice(0, colon), value.startsWith(' ') ? value.slice(1) : value);
		return undefined;
	}

	private applyField(field: string, value: string): void {
		if (field === 'data') this.dataLines.push(value);
		else if (field === 'event') this.eventType = value;
		else if (field === 'id' && !value.includes('\0')) this.lastEventId = value;
		// `retry` only tunes reconnection, which a buffered body never does; unknown fields are ignored.
	}

	private dispatch(): SseEvent | undefined {
		const { dataLines, eventType } = this;
		this.dataLines = [];
		this.eventType = '';
		if (dataLines.length === 0) return undefined;

		const event: SseEvent = { data: dataLines.join('\n') };
		if (eventType !== '') event.event = eventType;
		if (this.lastEventId !== '') event.id = this.lastEventId;
		return event;
	}

	private reset(): void {
		this.lineParts = [];
		this.dataLines = [];
		this.eventType = '';
		this.lastEventId = '';
		this.atStreamStart = true;
		this.lineEndedWithCarriageReturn = false;
	}
}

export function parseSse(body: string): SseEvent[] {
	const parser = new SseParser();
	const events = parser.push(body);
	for (const event of parser.end()) events.push(event);
	return events;
}

export type OpenAiStreamErrorKind = 'api_error' | 'incomplete' | 'malformed';

export interface OpenAiApiErrorDetails {
	message?: string;
	type?: string;
	code?: string | null;
	param?: string | null;
}

export class OpenAiStreamError extends Error {
	readonly kind: OpenAiStreamErrorKind;

	readonly apiError?: OpenAiApiErrorDetails;

	constructor(kind: OpenAiStreamErrorKind, message: string, apiError?: OpenAiApiErrorDetails) {
		super(message);
		this.name = 'OpenAiStreamError';
		this.kind = kind;
		if (apiError) this.apiError = apiError;
	}
}

const DONE_SENTINEL = '[DONE]';
const PREVIEW_LENGTH = 100;

/**
 * Parses OpenAI's SSE body until `data: [DONE]` and returns the JSON chunks in order.
 * Throws OpenAiStreamError: 'api_error' for an error payload, 'incomplete' when `[DONE]` never came
 * (a truncated answer is never returned), 'malformed' when a payload is not a JSON object.
 */
export function readOpenAiStream(body: string): Record<string, unknown>[] {
	const chunks: Record<string, unknown>[] = [];
	let eventNumber = 0;
	for (const event of parseSse(body)) {
		const data = event.data.trim();
		if (data === '') continue;
		eventNumber++;
		if (data === DONE_SENTINEL) return chunks;

		const payload = parsePayload(data, eventNumber);
		const apiError = findApiError(payload, event.event);
		if (apiError) throw new OpenAiStreamError('api_error', describeApiError(apiError), apiError);
		chunks.push(payload);
	}
	if (eventNumber === 0) throwIfPlainJsonError(body);
	throw new OpenAiStreamError(
		'incomplete',
		`The OpenAI stream ended before "data: ${DONE_SENTINEL}" (after ${chunks.length} chunk(s)), so the answer is incomplete`,
	);
}

function parsePayload(data: string, eventNumber: number): Record<string, unknown> {
	let payload: unknown;
	try {
		payload = JSON.parse(data);
	} catch {
		throw malformed(eventNumber, 'is not valid JSON', data);
	}
	if (!isRecord(payload)) throw malformed(eventNumber, 'is not a JSON object', data);
	return payload;
}

function malformed(eventNumber: number, problem: string, data: string): OpenAiStreamError {
	const preview = data.length > PREVIEW_LENGTH ? `${data.slice(0, PREVIEW_LENGTH)}…` : data;
	return new OpenAiStreamError(
		'malformed',
		`Event ${eventNumber} of the OpenAI stream ${problem}: ${preview}`,
	);
}

/** An `error` object in the payload, or the payload itself when the event is typed `error`. */
function findApiError(
	payload: Record<string, unknown>,
	eventType: string | undefined,
): OpenAiApiErrorDetails | undefined {
	if (isRecord(payload.error)) return toApiErrorDetails(payload.error);
	if (eventType === 'error') return toApiErrorDetails(payload);
	return undefined;
}

function toApiErrorDetails(error: Record<string, unknown>): OpenAiApiErrorDetails {
	const details: OpenAiApiErrorDetails = {};
	if (typeof error.message === 'string') details.message = error.message;
	if (typeof error.type === 'string') details.type = error.type;
	const code = toNullableString(error.code);
	if (code !== undefined) details.code = code;
	const param = toNullableString(error.param);
	if (param !== undefined) details.param = param;
	return details;
}

function toNullableString(value: unknown): string | null | undefined {
	if (value === null || typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	return undefined;
}

function describeApiError(error: OpenAiApiErrorDetails): string {
	const labels = [error.type, error.code].filter((label) => typeof label === 'string' && label !== '');
	const suffix = labels.length > 0 ? ` (${labels.join(', ')})` : '';
	return `OpenAI reported an error during streaming: ${error.message ?? 'no message given'}${suffix}`;
}

/** A complete JSON completion from a compatible server that ignored `stream: true`, else undefined. */
export function parseUnstreamedCompletion(body: string): Record<string, unknown> | undefined {
	const text = body.trim();
	if (!text.startsWith('{')) return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return undefined;
	}
	return isRecord(parsed) && Array.isArray(parsed.choices) ? parsed : undefined;
}

/** A body without any event may be a plain JSON error (the server refused to stream at all). */
function throwIfPlainJsonError(body: string): void {
	const trimmed = body.trim();
	if (!trimmed.startsWith('{')) return;
	let payload: unknown;
	try {
		payload = JSON.parse(trimmed);
	} catch {
		return;
	}
	if (isRecord(payload) && isRecord(payload.error)) {
		const apiError = toApiErrorDetails(payload.error);
		throw new OpenAiStreamError('api_error', describeApiError(apiError), apiError);
	}
}

/* ----------------------------------------------------------------------------------------------
 * Assembly
 * -------------------------------------------------------------------------------------------- */

type LogprobLists = Record<string, unknown[] | null>;

const CHAT_LOGPROB_FIELDS = ['content', 'refusal'] as const;
const TEXT_LOGPROB_FIELDS = ['tokens', 'token_logprobs', 'top_logprobs', 'text_offset'] as const;

interface ToolCallParts {
	id?: unknown;
	type?: unknown;
	name?: unknown;
	argumentParts: string[];
}

interface ChatChoiceParts {
	role?: unknown;
	contentParts: string[];
	receivedContent: boolean;
	refusalParts: string[];
	toolCalls: Map<number, ToolCallParts>;
	functionCall?: ToolCallParts;
	logprobs?: LogprobLists;
	finishReason: unknown;
}

interface TextChoiceParts {
	textParts: string[];
	logprobs?: LogprobLists;
	finishReason: unknown;
}

/** Assembles `chat.completion.chunk` objects into one `chat.completion`, shaped like a non-streamed response. */
export function assembleChatCompletion(chunks: Record<string, unknown>[]): Record<string, unknown> {
	const choices = new Map<number, ChatChoiceParts>();
	for (const chunk of chunks) {
		for (const choice of recordsIn(chunk.choices)) {
			const index = typeof choice.index === 'number' ? choice.index : 0;
			let parts = choices.get(index);
			if (!parts) {
				parts = newChatChoiceParts();
				choices.set(index, parts);
			}
			addChatChoiceDelta(parts, choice);
		}
	}
	return withoutUndefined({
		id: firstValue(chunks, 'id'),
		object: 'chat.completion',
		created: firstValue(chunks, 'created'),
		model: firstValue(chunks, 'model'),
		choices: sortedByIndex(choices).map(([index, parts]) => buildChatChoice(index, parts)),
		usage: lastUsage(chunks),
		service_tier: firstValue(chunks, 'service_tier'),
		system_fingerprint: firstValue(chunks, 'system_fingerprint'),
	});
}

/** Assembles streamed `text_completion` chunks into one `text_completion`, shaped like a non-streamed response. */
export function assembleTextCompletion(chunks: Record<string, unknown>[]): Record<string, unknown> {
	const choices = new Map<number, TextChoiceParts>();
	for (const chunk of chunks) {
		for (const choice of recordsIn(chunk.choices)) {
			const index = typeof choice.index === 'number' ? choice.index : 0;
			let parts = choices.get(index);
			if (!parts) {
				parts = { textParts: [], finishReason: null };
				choices.set(index, parts);
			}
			if (typeof choice.text === 'string') parts.textParts.push(choice.text);
			if (isRecord(choice.logprobs)) {
				parts.logprobs ??= emptyLogprobLists(TEXT_LOGPROB_FIELDS);
				appendLogprobs(parts.logprobs, choice.logprobs);
			}
			if (choice.finish_reason != null) parts.finishReason = choice.finish_reason;
		}
	}
	return withoutUndefined({
		id: firstValue(chunks, 'id'),
		object: 'text_completion',
		created: firstValue(chunks, 'created'),
		model: firstValue(chunks, 'model'),
		system_fingerprint: firstValue(chunks, 'system_fingerprint'),
		choices: sortedByIndex(choices).map(([index, parts]) => ({
			text: parts.textParts.join(''),
			index,
			logprobs: parts.logprobs ?? null,
			finish_reason: parts.finishReason,
		})),
		usage: lastUsage(chunks),
	});
}

function newChatChoiceParts(): ChatChoiceParts {
	return {
		contentParts: [],
		receivedContent: false,
		refusalParts: [],
		toolCalls: new Map(),
		finishReason: null,
	};
}

function addChatChoiceDelta(parts: ChatChoiceParts, choice: Record<string, unknown>): void {
	const delta = isRecord(choice.delta) ? choice.delta : {};
	if (parts.role === undefined && typeof delta.role === 'string') parts.role = delta.role;
	if (typeof delta.content === 'string') {
		parts.receivedContent = true;
		parts.contentParts.push(delta.content);
	}
	if (typeof delta.refusal === 'string') parts.refusalParts.push(delta.refusal);

	recordsIn(delta.tool_calls).forEach((toolCallDelta, position) => {
		const index = typeof toolCallDelta.index === 'number' ? toolCallDelta.index : position;
		let toolCall = parts.toolCalls.get(index);
		if (!toolCall) {
			toolCall = { argumentParts: [] };
			parts.toolCalls.set(index, toolCall);
		}
		toolCall.id ??= toolCallDelta.id;
		toolCall.type ??= toolCallDelta.type;
		addFunctionDelta(toolCall, toolCallDelta.function);
	});
	if (isRecord(delta.function_call)) {
		parts.functionCall ??= { argumentParts: [] };
		addFunctionDelta(parts.functionCall, delta.function_call);
	}

	if (isRecord(choice.logprobs)) {
		parts.logprobs ??= emptyLogprobLists(CHAT_LOGPROB_FIELDS);
		appendLogprobs(parts.logprobs, choice.logprobs);
	}
	if (choice.finish_reason != null) parts.finishReason = choice.finish_reason;
}

function addFunctionDelta(target: ToolCallParts, functionDelta: unknown): void {
	if (!isRecord(functionDelta)) return;
	target.name ??= functionDelta.name;
	if (typeof functionDelta.arguments === 'string') target.argumentParts.push(functionDelta.arguments);
}

function buildChatChoice(index: number, parts: ChatChoiceParts): Record<string, unknown> {
	const refusal = parts.refusalParts.join('');
	const message: Record<string, unknown> = {
		role: parts.role ?? 'assistant',
		content: null,
		refusal: refusal === '' ? null : refusal,
	};
	if (parts.toolCalls.size > 0) {
		message.tool_calls = sortedByIndex(parts.toolCalls).map(([, toolCall]) =>
			withoutUndefined({
				id: toolCall.id,
				type: toolCall.type ?? 'function',
				function: buildFunction(toolCall),
			}),
		);
	}
	if (parts.functionCall) message.function_call = buildFunction(parts.functionCall);
	message.content = assembleContent(parts, message);
	return { index, message, logprobs: parts.logprobs ?? null, finish_reason: parts.finishReason };
}

function buildFunction(parts: ToolCallParts): Record<string, unknown> {
	return withoutUndefined({ name: parts.name, arguments: parts.argumentParts.join('') });
}

/**
 * Like a non-streamed message, content is null when none arrived, or when it is empty and the model
 * answered with tool calls, a function call or a refusal instead.
 */
function assembleContent(parts: ChatChoiceParts, message: Record<string, unknown>): string | null {
	if (!parts.receivedContent) return null;
	const content = parts.contentParts.join('');
	const answeredOtherwise =
		message.tool_calls !== undefined || message.function_call !== undefined || message.refusal !== null;
	return content === '' && answeredOtherwise ? null : content;
}

function emptyLogprobLists(fields: readonly string[]): LogprobLists {
	const lists: LogprobLists = {};
	for (const field of fields) lists[field] = null;
	return lists;
}

/** Appends each list of the chunk's logprobs to the matching accumulated list (a field never sent stays null). */
function appendLogprobs(target: LogprobLists, source: Record<string, unknown>): void {
	for (const field of Object.keys(target)) {
		const items = source[field];
		if (!Array.isArray(items)) continue;
		const list = (target[field] ??= []);
		for (const item of items) list.push(item);
	}
}

/** The usage object of the last chunk that carries one (OpenAI sends it in the final chunk only). */
function lastUsage(chunks: Record<string, unknown>[]): unknown {
	for (let position = chunks.length - 1; position >= 0; position--) {
		if (isRecord(chunks[position].usage)) return chunks[position].usage;
	}
	return undefined;
}

/** The first non-null value of `key` across chunks; null if only nulls were sent; undefined if never sent. */
function firstValue(chunks: Record<string, unknown>[], key: string): unknown {
	let found: unknown;
	for (const chunk of chunks) {
		const value = chunk[key];
		if (value === undefined) continue;
		if (value !== null) return value;
		found = null;
	}
	return found;
}

function sortedByIndex<T>(entries: Map<number, T>): Array<[number, T]> {
	return [...entries.entries()].sort(([left], [right]) => left - right);
}

function recordsIn(value: unknown): Record<string, unknown>[] {
	return Array.isArray(value) ? value.filter(isRecord) : [];
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
	const result: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(record)) {
		if (value !== undefined) result[key] = value;
	}
	return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
