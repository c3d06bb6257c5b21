/**
 * A real HTTP server on 127.0.0.1 that speaks OpenAI's wire format, for tests.
 *
 * Responses are deterministic functions of the request (chat replies echo the last user message,
 * completions echo the prompt, ...) so tests can assert exact values. Streams are sent as real
 * server-sent events, deliberately cut into small writes that split events at awkward places.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PNG } from './png';
import {
	handleEmbeddings,
	handleResponses,
	noResponsesApi,
	resolveResponsesRoute,
	type ResponsesRoute,
	type ResponsesStreamEnd,
	ResponsesStore,
} from './openai-server-responses';
import { describeInlinePart } from './openai-server-attachments';
import { formObject, type FormObject, parseMultipart, type ParsedPart, spoolMultipart } from './multipart';
import { createFileStore, dispatchBinary, type FileStore, matchBinaryRoute, resetFileStore } from './openai-server-binary';
import { type BatchStore, createBatchStore, dispatchBatch, matchBatchRoute, resetBatchStore } from './openai-server-batch';
import { RateLimiter, type RateLimitOptions, type RateLimitStats } from './openai-server-limits';
import {
	type ConversationRoute,
	ConversationStore,
	conversationNotFound,
	handleConversations,
	resolveConversationRoute,
	storedItem,
} from './openai-server-conversations';
import {
	createVectorStoreState,
	dispatchVectorStore,
	matchVectorStoreRoute,
	resetVectorStoreState,
	type VectorStoreState,
} from './openai-server-vector-stores';
import { createVideoState, dispatchVideo, matchVideoRoute, resetVideoState, type VideoState } from './openai-server-videos';

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export interface CapturedRequest {
	method: string;
	/** Path after the base prefix, e.g. '/chat/completions', '/models/gpt-4o' (model id URL-decoded). */
	path: string;
	/** Raw URL path including prefix and query. */
	fullPath: string;
	headers: Record<string, string | string[] | undefined>;
	rawBody: string;
	/** JSON.parse(rawBody), or undefined when empty or malformed. */
	body: unknown;
	/** The body's bytes as received. */
	rawBytes: Buffer;
	/** Multipart bodies: the parts, and the fields as OpenAI reads them (`name[]` as arrays, files as hashes). */
	parts?: ParsedPart[];
	form?: FormObject;
	/** Why a multipart body could not be parsed. */
	formError?: string;
	/** Set once the whole response has been handed to the client. */
	answered?: boolean;
	/** Set when the client closed the connection before the response was complete (e.g. a cancelled execution). */
	abortedByClient?: boolean;
	/** A body the server stopped reading (holdRequestBody): how many bytes it read. */
	heldAfterBytes?: number;
	/** When the request arrived (performance.now(), ms): gaps between attempts are read from it. */
	receivedAt: number;
}

export interface Fault {
	/** Respond with this status (default 500 when only `body` is set). */
	status?: number;
	/** Extra response headers; also applied when the fault otherwise lets the request through. */
	headers?: Record<string, string>;
	/** Object => JSON; string => sent as-is (e.g. HTML). Default: an OpenAI-style error for `status`. */
	body?: string | object;
	/** Default application/json for objects, text/html for strings. */
	contentType?: string;
	/** Destroy the socket without responding (ECONNRESET). */
	reset?: boolean;
	/** Wait this long before doing anything (for client timeouts). */
	hangMs?: number;
	/** Stream requests only: send N SSE chunks then end the response WITHOUT [DONE]. */
	cutStreamAfterChunks?: number;
	/** Stream requests only: after 1 chunk send `data: {"error": {...}}` then end. */
	streamError?: object;
	/** Responses streams only: after 3 events end with `response.failed`, an `error` event or `response.incomplete`. */
	responsesStreamEnd?: ResponsesStreamEnd;
	/**
	 * Responses streams only: send them as some compatible servers do, with `response.completed` carrying no
	 * output and no `response.output_item.done`, so the answer is only in the deltas.
	 */
	slimResponsesStream?: boolean;
	/** File answers only: announce the whole length, send this many bytes, then drop the connection. */
	cutBodyAfterBytes?: number;
	/** File answers only: send this many bytes, then send nothing more until the client leaves. */
	stallBodyAfterBytes?: number;
}

export type RequestMatcher = string | RegExp | ((request: CapturedRequest) => boolean);

export interface OpenAiModel {
	id: string;
	object: 'model';
	created: number;
	owned_by: string;
}

export interface OpenAiServer {
	/** 'http://127.0.0.1:PORT' */
	url: string;
	/** url + prefix, default prefix '/v1'. */
	baseUrl(prefix?: string): string;
	/** Every request received, in order (faulted and unauthorised ones included). */
	requests: CapturedRequest[];
	/** Mutable; GET /models serves it and model checks use it. */
	models: OpenAiModel[];
	/** One-shot faults consumed in FIFO order by matching requests. */
	failNext(match: RequestMatcher, fault: Fault, times?: number): void;
	/** Fault applied to every matching request until reset(). */
	failAlways(match: RequestMatcher, fault: Fault): void;
	/** Files uploaded through POST /files, and the page size cap of GET /files. */
	files: FileStore;
	/** Batches of the Batch API, how they end, and the limits of their input files. */
	batches: BatchStore;
	/** Requests being answered now, and the most at once since the last reset(). */
	inFlight(): number;
	maxInFlight(): number;
	/** Turns OpenAI's rate limiter on (fresh, full buckets) or off (undefined). reset() refills it. */
	setRateLimit(options: RateLimitOptions | undefined): void;
	/** Requests the limiter let through and refused since it was set or reset. */
	rateLimitStats(): RateLimitStats | undefined;
	/** Conversations and their items (POST /conversations, and responses created in one). */
	conversations: ConversationStore;
	/** Vector stores, their files and batches (openai-server-vector-stores.ts), with paging and polling knobs. */
	vectorStores: VectorStoreState;
	/** Video jobs (openai-server-videos.ts), with paging and polling knobs. */
	videos: VideoState;
	/**
	 * The next request whose path matches is read only up to `afterBytes` of its body, then never read or
	 * answered (an upload in flight); it is recorded at once, `heldAfterBytes` saying how much was read.
	 */
	holdRequestBody(match: RegExp, afterBytes: number): void;
	/** Clears requests and faults, restores the default models and id counters. */
	reset(): void;
	close(): Promise<void>;
}

export interface OpenAiServerOptions {
	/** Default 'sk-test-key'. */
	apiKey?: string;
	/** Pause between two writes of a stream. Default 5. */
	streamChunkDelayMs?: number;
	/** Line ending of server-sent events: '\n' (default, like OpenAI) or '\r\n' (some compatible servers). */
	sseLineEnding?: '\n' | '\r\n';
	/** Latency of every answer, before its first byte (benchmarks). Default 0. */
	responseDelayMs?: number;
	/** Acts as a compatible server without the Responses API: every /responses path answers 404 or 405. */
	withoutResponsesApi?: 404 | 405;
	/** OpenAI's rate limiter (see openai-server-limits.ts); refused requests are answered at once. */
	rateLimit?: RateLimitOptions;
	/** Multipart bodies above this size, or of unknown size, are parsed as they arrive, their files written to disk. Default 16 MiB. */
	spoolAboveBytes?: number;
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

export const DEFAULT_API_KEY = 'sk-test-key';
export const DEFAULT_STREAM_CHUNK_DELAY_MS = 5;
/** The `created` timestamp of every generated object. */
export const FIXED_CREATED = 1741569952;
export const SYSTEM_FINGERPRINT = 'fp_7c3a9e1b42';

/** A realistic, deliberately unsorted model list. */
export const DEFAULT_MODELS: ReadonlyArray<Readonly<OpenAiModel>> = Object.freeze(
	(
		[
			['gpt-4o-mini', 1721172741, 'system'],
			['dall-e-3', 1698785189, 'system'],
			['gpt-3.5-turbo', 1677610602, 'openai'],
			['text-embedding-3-small', 1705948997, 'system'],
			['ft:gpt-4o-mini-2024-07-18:acme::abc123', 1727374921, 'acme'],
			['o1', 1734375816, 'system'],
			['davinci-002', 1692634301, 'system'],
			['whisper-1', 1677532384, 'openai-internal'],
			['gpt-4o', 1715367049, 'system'],
			['text-moderation-latest', 1677858242, 'openai'],
			['babbage-002', 1692634615, 'system'],
			['gpt-image-1', 1745517030, 'system'],
			['text-davinci-edit-001', 1649809179, 'openai'],
			['chatgpt-4o-latest', 1723515131, 'system'],
			['o3-mini', 1737146383, 'system'],
			['tts-1', 1681940951, 'openai-internal'],
			['gpt-3.5-turbo-instruct', 1692901427, 'system'],
			['omni-moderation-latest', 1731689265, 'system'],
			['code-davinci-edit-001', 1649880484, 'openai'],
			['dall-e-2', 1698798177, 'system'],
			['gpt-4.1', 1744316542, 'system'],
			['text-moderation-stable', 1677858242, 'openai'],
			['ft:davinci-002:acme::xyz789', 1700159237, 'acme'],
			['gpt-4o-mini-tts', 1742403959, 'system'],
			['gpt-4o-transcribe', 1742068463, 'system'],
			['gpt-4o-transcribe-diarize', 1750798887, 'system'],
			['tts-1-hd', 1699046015, 'system'],
		] as const
	).map(([id, created, ownedBy]) => Object.freeze({ id, object: 'model' as const, created, owned_by: ownedBy })),
);

const MIN_STREAM_WRITE_BYTES = 7;
const MAX_STREAM_WRITE_BYTES = 40;
const KEEP_ALIVE_COMMENT = ': keep-alive\n\n';
const DONE_EVENT = 'data: [DONE]\n\n';
const MAX_CHOICES = 128;

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

type JsonObject = Record<string, unknown>;

function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countWords(text: string): number {
	return text.split(/\s+/).filter(Boolean).length;
}

/** Whitespace-led tokens that concatenate back to `text` ('Echo: hi' => ['Echo:', ' hi']). */
function splitIntoTokens(text: string): string[] {
	return text.match(/\s*\S+|\s+/g) ?? [];
}

/** Cuts `text` into consecutive pieces whose lengths cycle through `sizes`. */
function splitIntoPieces(text: string, sizes: readonly number[]): string[] {
	const pieces: string[] = [];
	for (let start = 0, step = 0; start < text.length; step++) {
		const size = sizes[step % sizes.length];
		pieces.push(text.slice(start, start + size));
		start += size;
	}
	return pieces;
}

function utf8Bytes(text: string): number[] {
	return Array.from(Buffer.from(text, 'utf8'));
}

/** A deterministic, plausible log-probability for a token. */
function pseudoLogprob(token: string): number {
	let hash = 7;
	for (const char of token) hash = (hash * 31 + char.charCodeAt(0)) % 9973;
	return -Number(((hash % 997) / 1000 + 0.0001).toFixed(6));
}

/** Deterministic alternative tokens for top-logprobs lists. */
const ALTERNATIVE_TOKENS = [' the', '!', ' and', '.', ' a', ' to', ',', ' of', ' is', ' in', '?', ' it', ' you', ' I', ' that', ' for', ' on', ' with', ' as', ' at'];

function alternativesFor(token: string, count: number): string[] {
	return ALTERNATIVE_TOKENS.filter((alternative) => alternative !== token).slice(0, count);
}

/** Masks a key like OpenAI does: first 6 + *** + last 3; short keys are masked entirely. */
export function maskApiKey(key: string): string {
	return key.length >= 12 ? `${key.slice(0, 6)}***${key.slice(-3)}` : '***';
}

/** An integer request parameter in [min, max], or an error message. */
function readIntegerParameter(body: JsonObject, name: string, fallback: number, min: number, max: number): number | OutcomeJson {
	const value = body[name];
	if (value === undefined || value === null) return fallback;
	if (typeof value !== 'number' || !Number.isInteger(value)) {
		return errorOutcome(400, `Invalid type for '${name}': expected an integer, but got ${typeof value} instead.`, name, 'invalid_type');
	}
	if (value < min) return errorOutcome(400, `${value} is less than the minimum of ${min} - '${name}'`, name);
	if (value > max) return errorOutcome(400, `${value} is greater than the maximum of ${max} - '${name}'`, name);
	return value;
}

// ---------------------------------------------------------------------------------------------
// Outcomes: what a handler wants sent, independent of the transport
// ---------------------------------------------------------------------------------------------

interface OutcomeJson {
	kind: 'json';
	status: number;
	payload: unknown;
}
interface OutcomeStream {
	kind: 'sse';
	/** Complete SSE events, each ending with a blank line. */
	events: string[];
	/** Whether to finish with `data: [DONE]` (chat and completions do, image streams do not). */
	endsWithDone: boolean;
	/** Responses streams: the event that ends the stream under a `responsesStreamEnd` fault. */
	endWith?: (kind: ResponsesStreamEnd) => string;
	/** Responses streams: the events under a `slimResponsesStream` fault. */
	slim?: () => string[];
}
interface OutcomeBinary {
	kind: 'binary';
	contentType: string;
	data: Buffer;
	/** The bytes are in this file instead (large uploads). */
	path?: string;
}
type Outcome = OutcomeJson | OutcomeStream | OutcomeBinary;

function jsonOutcome(payload: unknown, status = 200): OutcomeJson {
	return { kind: 'json', status, payload };
}

export function openAiErrorBody(message: string, type = 'invalid_request_error', param: string | null = null, code: string | null = null) {
	return { error: { message, type, param, code } };
}

function errorOutcome(status: number, message: string, param: string | null = null, code: string | null = null, type = 'invalid_request_error'): OutcomeJson {
	return jsonOutcome(openAiErrorBody(message, type, param, code), status);
}

function missingParameter(name: string): OutcomeJson {
	return errorOutcome(400, `Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
}

function modelNotFound(model: string): OutcomeJson {
	return errorOutcome(404, `The model \`${model}\` does not exist or you do not have access to it.`, null, 'model_not_found');
}

function dataEvent(payload: unknown): string {
	return `data: ${JSON.stringify(payload)}\n\n`;
}

function namedEvent(name: string, payload: unknown): string {
	return `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`;
}

const MALFORMED_JSON_MESSAGE =
	"We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
	'The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, ' +
	'please contact us through our help center at help.openai.com.)';

const MISSING_KEY_MESSAGE =
	"You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
	'(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you\'re accessing the API ' +
	'from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.';

/** The body OpenAI sends for a status when a fault gives no body of its own. */
function defaultFaultBody(status: number) {
	switch (status) {
		case 400:
			return openAiErrorBody('Bad request.');
		case 403:
			return openAiErrorBody('You are not allowed to access this resource.', 'invalid_request_error', null, 'forbidden');
		case 404:
			return openAiErrorBody('Not found.');
		case 429:
			return openAiErrorBody(
				'Rate limit reached for requests in organization org-test on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
				'requests',
				null,
				'rate_limit_exceeded',
			);
		case 500:
			return openAiErrorBody('The server had an error while processing your request. Sorry about that!', 'server_error');
		case 502:
			return openAiErrorBody('Bad gateway.', 'server_error', null, 'bad_gateway');
		case 503:
			return openAiErrorBody('The engine is currently overloaded, please try again later.', 'server_error');
		default:
			return openAiErrorBody(`HTTP ${status}`, status >= 500 ? 'server_error' : 'invalid_request_error');
	}
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

type Endpoint = 'chat' | 'completions' | 'edits' | 'images' | 'modelList' | 'modelGet' | 'moderations' | 'file' | 'embeddings' | 'responses' | 'conversations';

interface Route {
	endpoint: Endpoint | null;
	/** Path after the prefix (or the whole normalised path for unknown routes). */
	path: string;
	/** URL-decoded last segment for /models/{id} and /files/{name}. */
	param?: string;
	/** The Responses API operation of a /responses path. */
	responses?: ResponsesRoute;
	/** The Conversations API operation of a /conversations path. */
	conversations?: ConversationRoute;
}

/** Matched against the end of the path, so any prefix works. Order matters (chat before completions). */
const ROUTES: ReadonlyArray<{ endpoint: Endpoint; method: 'GET' | 'POST'; suffix: RegExp }> = [
	{ endpoint: 'chat', method: 'POST', suffix: /\/chat\/completions$/ },
	{ endpoint: 'completions', method: 'POST', suffix: /\/completions$/ },
	{ endpoint: 'edits', method: 'POST', suffix: /\/edits$/ },
	{ endpoint: 'images', method: 'POST', suffix: /\/images\/generations$/ },
	{ endpoint: 'moderations', method: 'POST', suffix: /\/moderations$/ },
	{ endpoint: 'modelList', method: 'GET', suffix: /\/models$/ },
	{ endpoint: 'modelGet', method: 'GET', suffix: /\/models\/([^/]+)$/ },
	{ endpoint: 'file', method: 'GET', suffix: /\/files\/([^/]+)$/ },
	{ endpoint: 'embeddings', method: 'POST', suffix: /\/embeddings$/ },
];

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/** Collapses repeated slashes and drops a trailing one. */
function normalisePathname(pathname: string): string {
	const collapsed = pathname.replace(/\/{2,}/g, '/');
	return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/** The path part of a raw request URL, without parsing it (a leading '//' is not a host here). */
function rawPathname(rawUrl: string): string {
	return rawUrl.split(/[?#]/)[0] || '/';
}

export function resolveRoute(method: string, rawUrl: string): Route {
	const pathname = normalisePathname(rawPathname(rawUrl));
	const conversations = resolveConversationRoute(method, pathname);
	if (conversations.matched) {
		// The query stays on the path, so the conformance check validates limit, order, after and include.
		const query = rawUrl.includes('?') ? `?${rawUrl.split('?')[1]}` : '';
		return conversations.route
			? { endpoint: 'conversations', path: conversations.route.path + query, conversations: conversations.route }
			: { endpoint: null, path: pathname };
	}
	const responses = resolveResponsesRoute(method, pathname);
	if (responses.matched) {
		// A page request keeps its query on the path, so the conformance check validates limit, order and after.
		const query = responses.route?.operation === 'inputItems' && rawUrl.includes('?') ? `?${rawUrl.split('?')[1]}` : '';
		return responses.route
			? { endpoint: 'responses', path: responses.route.path + query, responses: responses.route }
			: { endpoint: null, path: pathname };
	}
	for (const route of ROUTES) {
		const match = route.suffix.exec(pathname);
		if (!match) continue;
		if (match[1] === undefined) return { endpoint: method === route.method ? route.endpoint : null, path: match[0] };
		const param = safeDecode(match[1]);
		const path = match[0].slice(0, match[0].length - match[1].length) + param;
		return { endpoint: method === route.method ? route.endpoint : null, path, param };
	}
	return { endpoint: null, path: pathname };
}

// ---------------------------------------------------------------------------------------------
// Chat completions
// ---------------------------------------------------------------------------------------------

interface ChatToolCall {
	id: string;
	type: 'function';
	function: { name: string; arguments: string };
}

interface ChatTopLogprob {
	token: string;
	logprob: number;
	bytes: number[];
}

interface ChatLogprobEntry extends ChatTopLogprob {
	top_logprobs: ChatTopLogprob[];
}

interface ChatReply {
	content: string | null;
	toolCall: ChatToolCall | null;
	finishReason: 'stop' | 'tool_calls';
	logprobs: ChatLogprobEntry[] | null;
}

interface TokenUsage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
}

const CHAT_CONTENT_PIECE_SIZES = [3, 5, 2, 4, 6];
const TOOL_ARGUMENT_PIECE_SIZES = [4, 7, 3, 6];

/**
 * Text of a message's content: a string, or the text parts of a parts array joined with a space. Inline
 * images and files are described ("[image/png 4x3, 69 bytes]"), so tests see they arrived.
 */
function messageText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.map((part) => (isRecord(part) && part.type === 'text' && typeof part.text === 'string' ? part.text : describeInlinePart(part)))
		.filter((text): text is string => !!text)
		.join(' ');
}

function lastUserText(messages: unknown[]): string {
	const lastUser = [...messages].reverse().find((message) => isRecord(message) && message.role === 'user');
	return isRecord(lastUser) ? messageText(lastUser.content) : '';
}

function firstToolName(tools: unknown): string | null {
	if (!Array.isArray(tools) || tools.length === 0) return null;
	const [firstTool] = tools;
	if (!isRecord(firstTool) || !isRecord(firstTool.function) || typeof firstTool.function.name !== 'string') return null;
	return firstTool.function.name;
}

function chatLogprobEntries(content: string, topCount: number): ChatLogprobEntry[] {
	return splitIntoTokens(content).map((token) => {
		const logprob = pseudoLogprob(token);
		const alternatives = alternativesFor(token, Math.max(0, topCount - 1)).map((alternative, rank) => ({
			token: alternative,
			logprob: Number((logprob - 1.5 - rank).toFixed(6)),
			bytes: utf8Bytes(alternative),
		}));
		const ownEntry = { token, logprob, bytes: utf8Bytes(token) };
		return { ...ownEntry, top_logprobs: topCount > 0 ? [ownEntry, ...alternatives] : [] };
	});
}

function buildChatReplies(body: JsonObject, messages: unknown[], choiceCount: number): ChatReply[] {
	const userText = lastUserText(messages);
	const toolName = firstToolName(body.tools);
	const topCount = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
	return Array.from({ length: choiceCount }, (_, index): ChatReply => {
		if (toolName !== null && userText.startsWith('CALL ')) {
			const toolCall: ChatToolCall = {
				id: 'call_1',
				type: 'function',
				function: { name: toolName, arguments: JSON.stringify({ text: userText.slice('CALL '.length) }) },
			};
			return { content: null, toolCall, finishReason: 'tool_calls', logprobs: null };
		}
		const content = `Echo: ${userText}${choiceCount > 1 ? ` #${index}` : ''}`;
		const logprobs = body.logprobs === true ? chatLogprobEntries(content, topCount) : null;
		return { content, toolCall: null, finishReason: 'stop', logprobs };
	});
}

function chatUsage(messages: unknown[], replies: ChatReply[]) {
	const promptTokens = messages.reduce<number>((sum, message) => sum + (isRecord(message) ? countWords(messageText(message.content)) : 0), 0);
	const completionTokens = replies.reduce((sum, reply) => sum + countWords(reply.content ?? reply.toolCall?.function.arguments ?? ''), 0);
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
	};
}

function chatLogprobsObject(entries: ChatLogprobEntry[] | null) {
	return entries === null ? null : { content: entries, refusal: null };
}

function chatCompletionObject(id: string, body: JsonObject, replies: ChatReply[], usage: TokenUsage) {
	return {
		id,
		object: 'chat.completion',
		created: FIXED_CREATED,
		model: body.model,
		choices: replies.map((reply, index) => ({
			index,
			message: {
				role: 'assistant',
				content: reply.content,
				...(reply.toolCall ? { tool_calls: [reply.toolCall] } : {}),
				refusal: null,
				annotations: [],
			},
			logprobs: chatLogprobsObject(reply.logprobs),
			finish_reason: reply.finishReason,
		})),
		usage,
		...(body.service_tier !== undefined ? { service_tier: body.service_tier } : {}),
		system_fingerprint: SYSTEM_FINGERPRINT,
	};
}

interface ChoiceDelta {
	delta: JsonObject;
	logprobs: unknown;
	finishReason: string | null;
}

/** The deltas OpenAI streams for one choice: role, content or tool-call fragments, finish. */
function chatChoiceDeltas(reply: ChatReply): ChoiceDelta[] {
	const finish: ChoiceDelta = { delta: {}, logprobs: null, finishReason: reply.finishReason };
	if (reply.toolCall) {
		const { id, type, function: fn } = reply.toolCall;
		const opening: ChoiceDelta = {
			delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id, type, function: { name: fn.name, arguments: '' } }], refusal: null },
			logprobs: null,
			finishReason: null,
		};
		const fragments = splitIntoPieces(fn.arguments, TOOL_ARGUMENT_PIECE_SIZES).map(
			(fragment): ChoiceDelta => ({ delta: { tool_calls: [{ index: 0, function: { arguments: fragment } }] }, logprobs: null, finishReason: null }),
		);
		return [opening, ...fragments, finish];
	}
	const opening: ChoiceDelta = { delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finishReason: null };
	const content = reply.content ?? '';
	const contentDeltas: ChoiceDelta[] = reply.logprobs
		? reply.logprobs.map((entry) => ({ delta: { content: entry.token }, logprobs: chatLogprobsObject([entry]), finishReason: null }))
		: splitIntoPieces(content, CHAT_CONTENT_PIECE_SIZES).map((piece) => ({ delta: { content: piece }, logprobs: null, finishReason: null }));
	return [opening, ...contentDeltas, finish];
}

/** Round-robin over choices, like OpenAI interleaves n > 1 streams. */
function interleave<T>(sequences: T[][]): Array<{ choiceIndex: number; item: T }> {
	const longest = Math.max(0, ...sequences.map((sequence) => sequence.length));
	const result: Array<{ choiceIndex: number; item: T }> = [];
	for (let step = 0; step < longest; step++) {
		sequences.forEach((sequence, choiceIndex) => {
			if (step < sequence.length) result.push({ choiceIndex, item: sequence[step] });
		});
	}
	return result;
}

function includesUsage(body: JsonObject): boolean {
	return isRecord(body.stream_options) && body.stream_options.include_usage === true;
}

function chatStreamEvents(id: string, body: JsonObject, replies: ChatReply[], usage: TokenUsage): string[] {
	const withUsage = includesUsage(body);
	const envelope = {
		id,
		object: 'chat.completion.chunk',
		created: FIXED_CREATED,
		model: body.model,
		...(body.service_tier !== undefined ? { service_tier: body.service_tier } : {}),
		system_fingerprint: SYSTEM_FINGERPRINT,
	};
	const chunks: unknown[] = interleave(replies.map(chatChoiceDeltas)).map(({ choiceIndex, item }) => ({
		...envelope,
		choices: [{ index: choiceIndex, delta: item.delta, logprobs: item.logprobs, finish_reason: item.finishReason }],
		...(withUsage ? { usage: null } : {}),
	}));
	if (withUsage) chunks.push({ ...envelope, choices: [], usage });
	return chunks.map(dataEvent);
}

function handleChat(body: JsonObject, context: HandlerContext): Outcome {
	if (!Array.isArray(body.messages)) return missingParameter('messages');
	const choiceCount = readIntegerParameter(body, 'n', 1, 1, MAX_CHOICES);
	if (typeof choiceCount !== 'number') return choiceCount;
	const replies = buildChatReplies(body, body.messages, choiceCount);
	const usage = chatUsage(body.messages, replies);
	const id = context.nextId('chatcmpl');
	if (body.stream === true) return { kind: 'sse', events: chatStreamEvents(id, body, replies, usage), endsWithDone: true };
	return jsonOutcome(chatCompletionObject(id, body, replies, usage));
}

// ---------------------------------------------------------------------------------------------
// Legacy completions
// ---------------------------------------------------------------------------------------------

interface PromptText {
	text: string;
	tokenCount: number;
}

interface CompletionLogprobs {
	tokens: string[];
	token_logprobs: number[];
	top_logprobs: Array<Record<string, number>>;
	text_offset: number[];
}

interface CompletionChoice {
	text: string;
	index: number;
	logprobs: CompletionLogprobs | null;
	finish_reason: 'stop';
}

const COMPLETION_PIECE_SIZES = [4, 2, 5, 3];
const DEFAULT_PROMPT = '<|endoftext|>';

const isTokenArray = (value: unknown): value is number[] => Array.isArray(value) && value.every((item) => typeof item === 'number');

/** One entry per prompt: a string, each of a string array, a token array, each of an array of token arrays. */
function normalisePrompts(prompt: unknown): PromptText[] | null {
	const fromString = (text: string): PromptText => ({ text, tokenCount: countWords(text) });
	const fromTokens = (tokens: number[]): PromptText => ({ text: tokens.join(','), tokenCount: tokens.length });
	if (prompt === undefined || prompt === null) return [fromString(DEFAULT_PROMPT)];
	if (typeof prompt === 'string') return [fromString(prompt)];
	if (!Array.isArray(prompt)) return null;
	if (prompt.length === 0) return [fromString('')];
	if (isTokenArray(prompt)) return [fromTokens(prompt)];
	if (prompt.every((item) => typeof item === 'string')) return (prompt as string[]).map(fromString);
	if (prompt.every(isTokenArray)) return (prompt as number[][]).map(fromTokens);
	return null;
}

function completionLogprobs(text: string, firstOffset: number, topCount: number): CompletionLogprobs {
	const tokens = splitIntoTokens(text);
	const offsets: number[] = [];
	tokens.reduce((offset, token) => {
		offsets.push(offset);
		return offset + token.length;
	}, firstOffset);
	return {
		tokens,
		token_logprobs: tokens.map(pseudoLogprob),
		top_logprobs: tokens.map((token) => {
			const logprob = pseudoLogprob(token);
			const alternatives = alternativesFor(token, Math.max(0, topCount - 1)).map((alternative, rank) => [alternative, Number((logprob - 1.5 - rank).toFixed(6))]);
			return topCount > 0 ? Object.fromEntries([[token, logprob], ...alternatives]) : {};
		}),
		text_offset: offsets,
	};
}

function buildCompletionChoices(body: JsonObject, prompts: PromptText[], choiceCount: number): CompletionChoice[] {
	const echo = body.echo === true;
	const logprobCount = typeof body.logprobs === 'number' ? body.logprobs : null;
	return prompts.flatMap((prompt, promptIndex) =>
		Array.from({ length: choiceCount }, (_, choiceIndex): CompletionChoice => {
			const text = `${echo ? prompt.text : ''} Echo: ${prompt.text}`;
			return {
				text,
				index: promptIndex * choiceCount + choiceIndex,
				logprobs: logprobCount === null ? null : completionLogprobs(text, echo ? 0 : prompt.text.length, logprobCount),
				finish_reason: 'stop',
			};
		}),
	);
}

function completionUsage(prompts: PromptText[], choiceCount: number): TokenUsage {
	const promptTokens = prompts.reduce((sum, prompt) => sum + prompt.tokenCount, 0);
	const completionTokens = prompts.reduce((sum, prompt) => sum + countWords(` Echo: ${prompt.text}`) * choiceCount, 0);
	return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

/** Streamed pieces of one completion choice: text fragments (one token each when logprobs are on), then the finish. */
function completionChoicePieces(choice: CompletionChoice): Array<Omit<CompletionChoice, 'finish_reason'> & { finish_reason: 'stop' | null }> {
	const { index, logprobs } = choice;
	const pieces = logprobs
		? logprobs.tokens.map((token, position) => ({
				text: token,
				index,
				logprobs: {
					tokens: [token],
					token_logprobs: [logprobs.token_logprobs[position]],
					top_logprobs: [logprobs.top_logprobs[position]],
					text_offset: [logprobs.text_offset[position]],
				},
				finish_reason: null,
			}))
		: splitIntoPieces(choice.text, COMPLETION_PIECE_SIZES).map((text) => ({ text, index, logprobs: null, finish_reason: null }));
	return [...pieces, { text: '', index, logprobs: null, finish_reason: 'stop' }];
}

function completionStreamEvents(id: string, body: JsonObject, choices: CompletionChoice[], usage: TokenUsage): string[] {
	const withUsage = includesUsage(body);
	const envelope = { id, object: 'text_completion', created: FIXED_CREATED, model: body.model, system_fingerprint: SYSTEM_FINGERPRINT };
	const chunks: unknown[] = interleave(choices.map(completionChoicePieces)).map(({ item }) => ({
		...envelope,
		choices: [item],
		...(withUsage ? { usage: null } : {}),
	}));
	if (withUsage) chunks.push({ ...envelope, choices: [], usage });
	return chunks.map(dataEvent);
}

function handleCompletions(body: JsonObject, context: HandlerContext): Outcome {
	const prompts = normalisePrompts(body.prompt);
	if (prompts === null) return errorOutcome(400, "'$.prompt' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'prompt');
	const choiceCount = readIntegerParameter(body, 'n', 1, 1, MAX_CHOICES);
	if (typeof choiceCount !== 'number') return choiceCount;
	if (body.logprobs !== undefined && body.logprobs !== null) {
		const logprobCount = readIntegerParameter(body, 'logprobs', 0, 0, 5);
		if (typeof logprobCount !== 'number') return logprobCount;
	}
	const choices = buildCompletionChoices(body, prompts, choiceCount);
	const usage = completionUsage(prompts, choiceCount);
	const id = context.nextId('cmpl');
	if (body.stream === true) return { kind: 'sse', events: completionStreamEvents(id, body, choices, usage), endsWithDone: true };
	return jsonOutcome({ id, object: 'text_completion', created: FIXED_CREATED, model: body.model, system_fingerprint: SYSTEM_FINGERPRINT, choices, usage });
}

// ---------------------------------------------------------------------------------------------
// Edits (deprecated endpoint, still part of the node)
// ---------------------------------------------------------------------------------------------

function handleEdits(body: JsonObject): Outcome {
	if (typeof body.instruction !== 'string') return missingParameter('instruction');
	const choiceCount = readIntegerParameter(body, 'n', 1, 1, 20);
	if (typeof choiceCount !== 'number') return choiceCount;
	const input = typeof body.input === 'string' ? body.input : '';
	const text = `Edited: ${input} (${body.instruction})`;
	const promptTokens = countWords(input) + countWords(body.instruction);
	const completionTokens = countWords(text) * choiceCount;
	return jsonOutcome({
		object: 'edit',
		created: FIXED_CREATED,
		choices: Array.from({ length: choiceCount }, (_, index) => ({ text, index })),
		usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
	});
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

const DEFAULT_IMAGE_MODEL = 'dall-e-2';
/** Output tokens per 1024x1024 image for GPT image models, by quality. */
const IMAGE_TOKENS_PER_MEGAPIXEL: Record<string, number> = { low: 272, medium: 1056, high: 4160 };
const MAX_PARTIAL_IMAGES = 3;

interface GptImageSettings {
	size: string;
	quality: string;
	background: string;
	output_format: string;
}

function gptImageSettings(body: JsonObject): GptImageSettings {
	const pick = (value: unknown, allowed: readonly string[], fallback: string) => (typeof value === 'string' && allowed.includes(value) ? value : fallback);
	return {
		size: pick(body.size, ['1024x1024', '1024x1536', '1536x1024'], '1024x1024'),
		quality: pick(body.quality, ['low', 'medium', 'high'], 'high'),
		background: pick(body.background, ['transparent', 'opaque'], 'opaque'),
		output_format: pick(body.output_format, ['png', 'webp', 'jpeg'], 'png'),
	};
}

function gptImageUsage(prompt: string, settings: GptImageSettings, imageCount: number) {
	const [width, height] = settings.size.split('x').map(Number);
	const perImage = Math.round((IMAGE_TOKENS_PER_MEGAPIXEL[settings.quality] * width * height) / (1024 * 1024));
	const textTokens = countWords(prompt);
	const outputTokens = perImage * imageCount;
	return {
		total_tokens: textTokens + outputTokens,
		input_tokens: textTokens,
		output_tokens: outputTokens,
		input_tokens_details: { text_tokens: textTokens, image_tokens: 0 },
	};
}

function gptImageStreamEvents(body: JsonObject, prompt: string, settings: GptImageSettings, imageCount: number): string[] {
	const partialCount = typeof body.partial_images === 'number' ? Math.min(Math.max(0, Math.trunc(body.partial_images)), MAX_PARTIAL_IMAGES) : 0;
	const b64Json = TEST_PNG.toString('base64');
	const common = { b64_json: b64Json, created_at: FIXED_CREATED, ...settings };
	return Array.from({ length: imageCount }).flatMap(() => [
		...Array.from({ length: partialCount }, (_, partialIndex) =>
			namedEvent('image_generation.partial_image', { type: 'image_generation.partial_image', ...common, partial_image_index: partialIndex }),
		),
		namedEvent('image_generation.completed', { type: 'image_generation.completed', ...common, usage: gptImageUsage(prompt, settings, 1) }),
	]);
}

function handleImages(body: JsonObject, context: HandlerContext): Outcome {
	if (typeof body.prompt !== 'string') return missingParameter('prompt');
	const prompt = body.prompt;
	const model = typeof body.model === 'string' ? body.model : DEFAULT_IMAGE_MODEL;
	const imageCount = readIntegerParameter(body, 'n', 1, 1, 10);
	if (typeof imageCount !== 'number') return imageCount;

	if (model.startsWith('gpt-image')) {
		const settings = gptImageSettings(body);
		if (body.stream === true) return { kind: 'sse', events: gptImageStreamEvents(body, prompt, settings, imageCount), endsWithDone: false };
		return jsonOutcome({
			created: FIXED_CREATED,
			data: Array.from({ length: imageCount }, () => ({ b64_json: TEST_PNG.toString('base64') })),
			...settings,
			usage: gptImageUsage(prompt, settings, imageCount),
		});
	}

	const responseFormat = body.response_format ?? 'url';
	if (responseFormat !== 'url' && responseFormat !== 'b64_json') {
		return errorOutcome(400, `'${String(responseFormat)}' is not one of ['url', 'b64_json'] - 'response_format'`, 'response_format');
	}
	const revision = model === 'dall-e-3' ? { revised_prompt: `Revised: ${prompt}` } : {};
	const data = Array.from({ length: imageCount }, () =>
		responseFormat === 'url'
			? { url: `${context.serverUrl}/files/${context.nextId('img')}.png`, ...revision }
			: { b64_json: TEST_PNG.toString('base64'), ...revision },
	);
	return jsonOutcome({ created: FIXED_CREATED, data });
}

// ---------------------------------------------------------------------------------------------
// Models and files
// ---------------------------------------------------------------------------------------------

function handleModelGet(modelId: string, models: OpenAiModel[]): Outcome {
	const model = models.find((candidate) => candidate.id === modelId);
	return model ? jsonOutcome(model) : modelNotFound(modelId);
}

function handleFile(name: string): Outcome {
	if (!name.endsWith('.png')) return errorOutcome(404, `No such File object: ${name}`, 'id');
	return { kind: 'binary', contentType: 'image/png', data: TEST_PNG };
}

// ---------------------------------------------------------------------------------------------
// Moderations
// ---------------------------------------------------------------------------------------------

const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';
const TEXT_MODERATION_CATEGORIES = [
	'harassment',
	'harassment/threatening',
	'sexual',
	'hate',
	'hate/threatening',
	'self-harm/intent',
	'self-harm/instructions',
	'self-harm',
	'sexual/minors',
	'violence',
	'violence/graphic',
] as const;
const OMNI_ONLY_CATEGORIES = ['illicit', 'illicit/violent'] as const;
/** Categories the omni model also applies to images. */
const IMAGE_CATEGORIES = new Set(['sexual', 'self-harm/intent', 'self-harm/instructions', 'self-harm', 'violence', 'violence/graphic']);
/** Categories a threatening text ("kill") triggers. */
const THREAT_CATEGORIES = new Set(['harassment', 'harassment/threatening', 'violence']);
const THREAT_PATTERN = /\bkill\b/i;

interface ModerationInput {
	text: string;
	hasText: boolean;
	hasImage: boolean;
}

/** One entry per result: each string, or ONE for a multi-modal parts array. */
function normaliseModerationInput(input: unknown): ModerationInput[] | null {
	const fromText = (text: string): ModerationInput => ({ text, hasText: true, hasImage: false });
	if (typeof input === 'string') return [fromText(input)];
	if (!Array.isArray(input) || input.length === 0) return null;
	if (input.every((item) => typeof item === 'string')) return (input as string[]).map(fromText);
	if (!input.every(isRecord)) return null;
	const textParts = input.filter((part) => part.type === 'text' && typeof part.text === 'string').map((part) => part.text as string);
	const hasImage = input.some((part) => part.type === 'image_url');
	return [{ text: textParts.join(' '), hasText: textParts.length > 0, hasImage }];
}

function moderationResult(input: ModerationInput, omni: boolean) {
	const categoryNames: string[] = omni
		? [...TEXT_MODERATION_CATEGORIES.slice(0, 5), ...OMNI_ONLY_CATEGORIES, ...TEXT_MODERATION_CATEGORIES.slice(5)]
		: [...TEXT_MODERATION_CATEGORIES];
	const threatening = THREAT_PATTERN.test(input.text);
	const isFlagged = (category: string) => threatening && THREAT_CATEGORIES.has(category);
	const score = (category: string, position: number) => (isFlagged(category) ? 0.9 + position / 1000 : Number(((position + 1) * 1.7e-5).toFixed(8)));
	const appliedTypes = (category: string) => [
		...(input.hasText ? ['text'] : []),
		...(input.hasImage && IMAGE_CATEGORIES.has(category) ? ['image'] : []),
	];
	return {
		flagged: threatening,
		categories: Object.fromEntries(categoryNames.map((category) => [category, isFlagged(category)])),
		category_scores: Object.fromEntries(categoryNames.map((category, position) => [category, score(category, position)])),
		...(omni ? { category_applied_input_types: Object.fromEntries(categoryNames.map((category) => [category, appliedTypes(category)])) } : {}),
	};
}

function handleModerations(body: JsonObject, context: HandlerContext): Outcome {
	if (body.input === undefined) return missingParameter('input');
	const inputs = normaliseModerationInput(body.input);
	if (inputs === null) return errorOutcome(400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'input');
	const model = typeof body.model === 'string' ? body.model : DEFAULT_MODERATION_MODEL;
	const omni = model.startsWith('omni-');
	return jsonOutcome({ id: context.nextId('modr'), model, results: inputs.map((input) => moderationResult(input, omni)) });
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------

interface HandlerContext {
	models: OpenAiModel[];
	serverUrl: string;
	nextId(prefix: string): string;
	responsesStore: ResponsesStore;
	conversations: ConversationStore;
}

/** Endpoints where `model` must be given (images and moderations have defaults). */
const MODEL_REQUIRED: ReadonlySet<Endpoint> = new Set<Endpoint>(['chat', 'completions', 'edits']);

function parseJson(rawBody: string): { ok: true; value: unknown } | { ok: false } {
	if (rawBody.trim() === '') return { ok: true, value: undefined };
	try {
		return { ok: true, value: JSON.parse(rawBody) };
	} catch {
		return { ok: false };
	}
}

function dispatchPost(endpoint: Endpoint, rawBody: string, context: HandlerContext): Outcome {
	const parsed = parseJson(rawBody);
	if (!parsed.ok) return errorOutcome(400, MALFORMED_JSON_MESSAGE);
	const body = parsed.value ?? {};
	if (!isRecord(body)) return errorOutcome(400, `Invalid type for request body: expected an object, but got ${Array.isArray(body) ? 'an array' : typeof body} instead.`, null, 'invalid_type');
	if (body.model === undefined && MODEL_REQUIRED.has(endpoint)) return errorOutcome(400, 'you must provide a model parameter');
	if (body.model !== undefined && typeof body.model !== 'string') {
		return errorOutcome(400, `Invalid type for 'model': expected a string, but got ${typeof body.model} instead.`, 'model', 'invalid_type');
	}
	if (typeof body.model === 'string' && !context.models.some((model) => model.id === body.model)) return modelNotFound(body.model);

	switch (endpoint) {
		case 'chat':
			return handleChat(body, context);
		case 'completions':
			return handleCompletions(body, context);
		case 'edits':
			return handleEdits(body);
		case 'images':
			return handleImages(body, context);
		case 'embeddings':
			return handleEmbeddings(body);
		default:
			return handleModerations(body, context);
	}
}

/** The Responses API: the model check of other POSTs, then the handlers in openai-server-responses.ts. */
function dispatchResponses(route: ResponsesRoute, fullPath: string, rawBody: string, context: HandlerContext): Outcome {
	const parsed = parseJson(rawBody);
	if (!parsed.ok) return errorOutcome(400, MALFORMED_JSON_MESSAGE);
	const body = parsed.value;
	const model = isRecord(body) ? body.model : undefined;
	if (route.operation === 'create' && typeof model === 'string' && !context.models.some((entry) => entry.id === model)) return modelNotFound(model);
	const conversation = route.operation === 'create' && isRecord(body) ? conversationIdOf(body.conversation) : undefined;
	if (conversation !== undefined && !context.conversations.conversations.has(conversation)) return conversationNotFound(conversation, 'conversation');
	const answer = handleResponses(route, { body, fullPath }, context.responsesStore);
	if (conversation !== undefined) addToConversation(conversation, body as JsonObject, answer, context.conversations);
	return answer;
}

/** The conversation a create request names: an ID, or an object with one. */
function conversationIdOf(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	return isRecord(value) && typeof value.id === 'string' ? value.id : undefined;
}

/** A response made in a conversation adds its input and output items to it, as OpenAI does. */
function addToConversation(id: string, body: JsonObject, answer: Outcome, store: ConversationStore): void {
	let response: unknown;
	if (answer.kind === 'json' && answer.status === 200) response = answer.payload;
	if (answer.kind === 'sse') {
		const last = answer.events[answer.events.length - 1] ?? '';
		response = (JSON.parse(last.slice(last.indexOf('data: ') + 'data: '.length)) as JsonObject).response;
	}
	if (!isRecord(response) || !Array.isArray(response.output)) return;
	const input = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
	const nextId = (prefix: string) => store.nextId(prefix);
	store.append(id, [...input.filter(isRecord).map((item) => storedItem(item, nextId)), ...(response.output as JsonObject[])]);
}

function dispatch(method: string, fullPath: string, route: Route, rawBody: string, context: HandlerContext): Outcome {
	switch (route.endpoint) {
		case null:
			return errorOutcome(404, `Invalid URL (${method} ${rawPathname(fullPath)})`);
		case 'modelList':
			return jsonOutcome({ object: 'list', data: context.models });
		case 'modelGet':
			return handleModelGet(route.param ?? '', context.models);
		case 'file':
			return handleFile(route.param ?? '');
		case 'responses':
			return dispatchResponses(route.responses!, fullPath, rawBody, context);
		case 'conversations': {
			const parsed = parseJson(rawBody);
			if (!parsed.ok) return errorOutcome(400, MALFORMED_JSON_MESSAGE);
			return handleConversations(route.conversations!, { body: parsed.value, fullPath }, context.conversations);
		}
		default:
			return dispatchPost(route.endpoint, rawBody, context);
	}
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

interface RegisteredFault {
	match: RequestMatcher;
	fault: Fault;
	/** Remaining uses; Infinity for failAlways. */
	remaining: number;
}

function matches(matcher: RequestMatcher, request: CapturedRequest): boolean {
	if (typeof matcher === 'string') return matcher === request.path;
	if (matcher instanceof RegExp) {
		matcher.lastIndex = 0;
		return matcher.test(request.path);
	}
	return matcher(request);
}

/** Takes the first matching one-shot fault (consuming one use), else the first matching permanent one. */
function takeFault(oneShot: RegisteredFault[], permanent: RegisteredFault[], request: CapturedRequest): Fault | undefined {
	const position = oneShot.findIndex((entry) => matches(entry.match, request));
	if (position >= 0) {
		const entry = oneShot[position];
		entry.remaining -= 1;
		if (entry.remaining <= 0) oneShot.splice(position, 1);
		return entry.fault;
	}
	return permanent.find((entry) => matches(entry.match, request))?.fault;
}

function faultResponseBody(fault: Fault): { text: string; contentType: string } {
	const status = fault.status ?? 500;
	const body = fault.body ?? defaultFaultBody(status);
	if (typeof body === 'string') return { text: body, contentType: fault.contentType ?? 'text/html; charset=utf-8' };
	return { text: JSON.stringify(body), contentType: fault.contentType ?? 'application/json' };
}

/** Stream faults: which events to send and whether to finish with [DONE]. */
function applyStreamFault(outcome: OutcomeStream, fault: Fault | undefined): { events: string[]; endsWithDone: boolean } {
	if (fault?.streamError) return { events: [...outcome.events.slice(0, 1), dataEvent({ error: fault.streamError })], endsWithDone: false };
	if (fault?.responsesStreamEnd && outcome.endWith) return { events: [...outcome.events.slice(0, 3), outcome.endWith(fault.responsesStreamEnd)], endsWithDone: false };
	if (fault?.slimResponsesStream && outcome.slim) return { events: outcome.slim(), endsWithDone: false };
	if (fault?.cutStreamAfterChunks !== undefined) return { events: outcome.events.slice(0, Math.max(0, fault.cutStreamAfterChunks)), endsWithDone: false };
	return { events: outcome.events, endsWithDone: outcome.endsWithDone };
}

// ---------------------------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------------------------

export function readBody(request: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks)));
		request.on('error', reject);
	});
}

/** Parts and fields of a multipart body; undefined for other bodies. */
function readMultipart(rawBytes: Buffer, contentType: string | undefined): Pick<CapturedRequest, 'parts' | 'form' | 'formError'> | undefined {
	if (!/^multipart\/form-data/i.test(contentType ?? '')) return undefined;
	try {
		const parts = parseMultipart(rawBytes, contentType);
		return { parts, form: formObject(parts) };
	} catch (error) {
		return { formError: (error as Error).message };
	}
}

/** Deterministic write sizes in [MIN, MAX] so events straddle writes at varying places. */
function createWriteSizer(seed: number): () => number {
	let state = (seed * 2654435761) >>> 0 || 1;
	const span = MAX_STREAM_WRITE_BYTES - MIN_STREAM_WRITE_BYTES + 1;
	return () => {
		state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
		return MIN_STREAM_WRITE_BYTES + ((state >>> 16) % span);
	};
}

/**
 * The full SSE byte stream: events, a keep-alive comment after the first one, then [DONE] when due.
 * Events hold JSON, which never contains a raw line feed, so every '\n' is a line ending.
 */
function sseBytes(events: string[], endsWithDone: boolean, lineEnding: '\n' | '\r\n'): Buffer {
	const withComment = [...events.slice(0, 1), KEEP_ALIVE_COMMENT, ...events.slice(1)];
	const text = withComment.join('') + (endsWithDone ? DONE_EVENT : '');
	return Buffer.from(lineEnding === '\n' ? text : text.replace(/\n/g, lineEnding), 'utf8');
}

interface Exchange {
	request: IncomingMessage;
	response: ServerResponse;
	requestId: string;
	extraHeaders: Record<string, string>;
	clientGone(): boolean;
}

function baseHeaders(exchange: Exchange, contentType: string): Record<string, string> {
	return {
		'Content-Type': contentType,
		'x-request-id': exchange.requestId,
		'openai-version': '2020-10-01',
		'openai-processing-ms': '12',
		...exchange.extraHeaders,
	};
}

function sendText(exchange: Exchange, status: number, contentType: string, body: string | Buffer): void {
	if (exchange.clientGone()) return;
	const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
	exchange.response.writeHead(status, { ...baseHeaders(exchange, contentType), 'Content-Length': String(data.length) });
	exchange.response.end(data);
}

/** Waits until a response can take more, or is gone. */
function drained(response: ServerResponse): Promise<void> {
	return new Promise((resolve) => {
		const done = () => {
			response.off('drain', done).off('close', done);
			resolve();
		};
		response.on('drain', done).on('close', done);
	});
}

function resetConnection(exchange: Exchange): void {
	const socket = exchange.request.socket;
	if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
	else socket.destroy();
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

function cloneDefaultModels(): OpenAiModel[] {
	return DEFAULT_MODELS.map((model) => ({ ...model }));
}

function bearerToken(authorization: string | undefined): string | null {
	const match = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
	return match ? match[1].trim() : null;
}

function authError(authorization: string | undefined, apiKey: string): OutcomeJson | null {
	const token = bearerToken(authorization);
	if (token === apiKey) return null;
	if (token === null) return errorOutcome(401, MISSING_KEY_MESSAGE);
	return errorOutcome(
		401,
		`Incorrect API key provided: ${maskApiKey(token)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
		null,
		'invalid_api_key',
	);
}

/** Every request any server of this test file received, kept across reset(), for the conformance check. */
export const requestsToAllServers: CapturedRequest[] = [];

export async function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
	const apiKey = options.apiKey ?? DEFAULT_API_KEY;
	const streamDelayMs = options.streamChunkDelayMs ?? DEFAULT_STREAM_CHUNK_DELAY_MS;
	const sseLineEnding = options.sseLineEnding ?? '\n';
	const requests: CapturedRequest[] = [];
	const models = cloneDefaultModels();
	const oneShotFaults: RegisteredFault[] = [];
	const permanentFaults: RegisteredFault[] = [];
	const pendingTimers = new Map<NodeJS.Timeout, () => void>();
	const heldBodies: Array<{ match: RegExp; afterBytes: number }> = [];
	const spoolAboveBytes = options.spoolAboveBytes ?? 16 * 1024 * 1024;
	let spoolDirectory: string | undefined;

	/** A large multipart body parsed as it arrives, its files written under a folder of this server's. */
	async function spoolRequest(request: IncomingMessage, contentType: string | undefined) {
		spoolDirectory ??= mkdtempSync(join(tmpdir(), 'openai-server-uploads-'));
		try {
			const { parts } = await spoolMultipart(request, contentType, mkdtempSync(join(spoolDirectory, 'request-')));
			return { parts, form: formObject(parts) };
		} catch (error) {
			// Read the rest, so the answer can still be sent.
			for await (const _chunk of request) void _chunk;
			return { formError: (error as Error).message };
		}
	}
	let idCounter = 0;
	let streamCounter = 0;
	let serverUrl = '';
	const responsesStore = new ResponsesStore();
	const conversations = new ConversationStore();
	const files = createFileStore();
	const batches = createBatchStore();
	const vectorStores = createVectorStoreState();
	const videos = createVideoState();
	let rateLimit = options.rateLimit;
	let limiter = rateLimit && new RateLimiter(rateLimit);
	let inFlight = 0;
	let maxInFlight = 0;

	/** A timer that close() can cut short. */
	const sleep = (ms: number) =>
		new Promise<void>((resolve) => {
			const timer = setTimeout(() => {
				pendingTimers.delete(timer);
				resolve();
			}, ms);
			pendingTimers.set(timer, resolve);
		});

	const context: HandlerContext = {
		models,
		get serverUrl() {
			return serverUrl;
		},
		nextId: (prefix) => `${prefix}-${String(++idCounter).padStart(6, '0')}`,
		responsesStore,
		conversations,
	};

	/** A request line of a batch, answered by the same handler as the synchronous request. */
	function answerLine(url: string, body: unknown): { status: number; payload: unknown } {
		const path = url.replace(/^\/v1/, '');
		const outcome = dispatch('POST', path, resolveRoute('POST', path), JSON.stringify(body), context);
		if (outcome.kind === 'json') return { status: outcome.status, payload: outcome.payload };
		if (outcome.kind === 'sse') return { status: 400, payload: openAiErrorBody('Streaming is not supported in a batch.', 'invalid_request_error', 'stream') };
		return { status: 400, payload: openAiErrorBody(`The Batch API does not serve ${url} here.`) };
	}

	async function writeStream(exchange: Exchange, outcome: OutcomeStream, fault: Fault | undefined): Promise<void> {
		const { events, endsWithDone } = applyStreamFault(outcome, fault);
		const bytes = sseBytes(events, endsWithDone, sseLineEnding);
		const nextWriteSize = createWriteSizer(++streamCounter);
		exchange.response.writeHead(200, { ...baseHeaders(exchange, 'text/event-stream'), 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
		for (let offset = 0; offset < bytes.length; ) {
			if (exchange.clientGone()) return;
			const size = nextWriteSize();
			exchange.response.write(bytes.subarray(offset, offset + size));
			offset += size;
			if (streamDelayMs > 0) await sleep(streamDelayMs);
			else await new Promise((resolve) => setImmediate(resolve));
		}
		if (!exchange.clientGone()) exchange.response.end();
	}

	/** A file answer, read from disk when it lives there; faults may cut it off or stall it part-way. */
	async function sendFile(exchange: Exchange, outcome: OutcomeBinary, fault: Fault | undefined): Promise<void> {
		const stop = fault?.cutBodyAfterBytes ?? fault?.stallBodyAfterBytes;
		if (!outcome.path && stop === undefined) return sendText(exchange, 200, outcome.contentType, outcome.data);
		if (exchange.clientGone()) return;
		const length = outcome.path ? statSync(outcome.path).size : outcome.data.length;
		const { response } = exchange;
		response.writeHead(200, { ...baseHeaders(exchange, outcome.contentType), 'Content-Length': String(length) });
		const end = Math.min(stop ?? length, length);
		if (end > 0) {
			const body = outcome.path ? createReadStream(outcome.path, { end: end - 1 }) : [outcome.data.subarray(0, end)];
			for await (const chunk of body) {
				if (exchange.clientGone()) return;
				if (!response.write(chunk)) await drained(response);
			}
		}
		if (fault?.cutBodyAfterBytes !== undefined) {
			// The connection closes as if the server went away mid-body.
			await new Promise<void>((resolve) => response.write('', () => resolve()));
			exchange.request.socket.destroy();
			return;
		}
		if (fault?.stallBodyAfterBytes !== undefined) {
			while (!exchange.clientGone()) await sleep(10);
			return;
		}
		response.end();
	}

	async function send(exchange: Exchange, outcome: Outcome, fault: Fault | undefined): Promise<void> {
		if (outcome.kind === 'sse') return writeStream(exchange, outcome, fault);
		if (outcome.kind === 'binary') return sendFile(exchange, outcome, fault);
		sendText(exchange, outcome.status, 'application/json', JSON.stringify(outcome.payload));
	}

	/** Reads a body up to `afterBytes` and records the request; the client decides when it ends. */
	async function holdBody(request: IncomingMessage, response: ServerResponse, afterBytes: number): Promise<void> {
		let read = 0;
		const captured: CapturedRequest = {
			receivedAt: performance.now(),
			method: request.method ?? 'POST',
			path: normalisePathname(rawPathname(request.url ?? '/')),
			fullPath: request.url ?? '/',
			headers: { ...request.headers },
			rawBody: '',
			body: undefined,
			rawBytes: Buffer.alloc(0),
			heldAfterBytes: 0,
		};
		requests.push(captured);
		response.once('close', () => (captured.abortedByClient = true));
		const onData = (chunk: Buffer) => {
			read += chunk.length;
			captured.heldAfterBytes = read;
			if (read < afterBytes) return;
			request.off('data', onData);
			request.pause();
		};
		request.on('data', onData);
		// A paused socket does not see the client leave; close() ends the wait.
		while (!response.destroyed && !request.socket.destroyed) await sleep(10);
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const receivedAt = performance.now();
		let responseClosed = false;
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		response.on('close', () => {
			responseClosed = true;
			inFlight--;
		});
		const method = request.method ?? 'GET';
		const fullPath = request.url ?? '/';
		const held = heldBodies.findIndex((entry) => entry.match.test(fullPath));
		if (held >= 0) return holdBody(request, response, heldBodies.splice(held, 1)[0].afterBytes);
		const contentType = request.headers['content-type'];
		// A body of unknown length (chunked) may be as large as any.
		const spool = /^multipart\/form-data/i.test(contentType ?? '') && !(Number(request.headers['content-length']) <= spoolAboveBytes);
		const rawBytes = spool ? Buffer.alloc(0) : await readBody(request);
		const rawBody = rawBytes.toString('utf8');
		const route = resolveRoute(method, fullPath);
		const pathname = normalisePathname(rawPathname(fullPath));
		const batchRoute = matchBatchRoute(method, pathname);
		// Vector store paths end like Files API paths (/vector_stores/{id}/files), so they are matched first.
		const storeRoute = matchVectorStoreRoute(method, pathname) ?? matchVideoRoute(method, pathname);
		const binaryRoute = storeRoute ? undefined : matchBinaryRoute(method, pathname);
		const multipart = spool ? await spoolRequest(request, contentType) : readMultipart(rawBytes, contentType);
		const parsed = multipart ? { ok: false as const } : parseJson(rawBody);
		const captured: CapturedRequest = {
			receivedAt,
			method,
			path: storeRoute?.path ?? binaryRoute?.path ?? batchRoute?.path ?? route.path,
			fullPath,
			headers: { ...request.headers },
			rawBody,
			body: parsed.ok ? parsed.value : undefined,
			rawBytes,
			...multipart,
		};
		requests.push(captured);
		requestsToAllServers.push(captured);
		const markAborted = () => {
			if (!response.writableFinished) captured.abortedByClient = true;
		};
		if (responseClosed) markAborted();
		else response.once('close', markAborted);
		response.once('finish', () => (captured.answered = true));

		const exchange: Exchange = {
			request,
			response,
			requestId: `req_${randomBytes(16).toString('hex')}`,
			extraHeaders: {},
			clientGone: () => responseClosed || response.destroyed || request.socket.destroyed,
		};

		if (storeRoute || binaryRoute || route.endpoint !== 'file') {
			const unauthorised = authError(request.headers.authorization, apiKey);
			if (unauthorised) return send(exchange, unauthorised, undefined);
		}

		if (options.withoutResponsesApi && route.responses) {
			return send(exchange, noResponsesApi(options.withoutResponsesApi, method, rawPathname(fullPath)), undefined);
		}

		if (limiter && (binaryRoute || route.endpoint !== 'file')) {
			const verdict = limiter.admit(captured.body, rawBody);
			exchange.extraHeaders = verdict.headers;
			if (!verdict.allowed) return sendText(exchange, verdict.status!, verdict.contentType!, verdict.body!);
		}

		const fault = takeFault(oneShotFaults, permanentFaults, captured);
		if (fault) {
			exchange.extraHeaders = { ...exchange.extraHeaders, ...fault.headers };
			if (fault.hangMs) await sleep(fault.hangMs);
			if (exchange.clientGone()) return;
			if (fault.reset) return resetConnection(exchange);
			if (fault.status !== undefined || fault.body !== undefined) {
				const { text, contentType } = faultResponseBody(fault);
				return sendText(exchange, fault.status ?? 500, contentType, text);
			}
		}
		if (options.responseDelayMs) await sleep(options.responseDelayMs);
		if (batchRoute) {
			const answer = dispatchBatch(batchRoute, fullPath, parsed.ok ? parsed.value : undefined, { store: batches, files, answer: answerLine, requestId: () => `req_${randomBytes(16).toString('hex')}` });
			return send(exchange, jsonOutcome(answer.payload, answer.status), fault);
		}
		let outcome: Outcome;
		if (storeRoute?.kind === 'vectorStore') outcome = dispatchVectorStore(storeRoute, captured, vectorStores, files);
		else if (storeRoute) outcome = dispatchVideo(storeRoute, captured, videos);
		else if (binaryRoute) outcome = dispatchBinary(binaryRoute, captured, { ...context, serverUrl, store: files });
		else outcome = dispatch(method, fullPath, route, rawBody, context);
		return send(exchange, outcome, fault);
	}

	// No request timeouts: on a loaded machine, thousands of queued connections wait longer than Node's defaults.
	const server: Server = createServer({ headersTimeout: 0, requestTimeout: 0 }, (request, response) => {
		handle(request, response).catch((error: Error) => {
			if (response.headersSent) response.destroy();
			else response.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify(openAiErrorBody(`Test server failure: ${error.message}`, 'server_error')));
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		// A deep accept queue: load tests open thousands of connections at once.
		server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	serverUrl = `http://127.0.0.1:${port}`;

	const register = (match: RequestMatcher, fault: Fault, remaining: number): RegisteredFault => ({ match, fault, remaining });

	return {
		url: serverUrl,
		baseUrl: (prefix = '/v1') => serverUrl + prefix,
		requests,
		models,
		files,
		batches,
		conversations,
		vectorStores,
		videos,
		failNext(match, fault, times = 1) {
			if (!Number.isInteger(times) || times < 1) throw new RangeError(`failNext times must be a positive integer, got ${times}`);
			oneShotFaults.push(register(match, fault, times));
		},
		failAlways(match, fault) {
			permanentFaults.push(register(match, fault, Infinity));
		},
		inFlight: () => inFlight,
		maxInFlight: () => maxInFlight,
		setRateLimit(next) {
			rateLimit = next;
			limiter = next && new RateLimiter(next);
		},
		rateLimitStats: () => limiter && { ...limiter.stats },
		holdRequestBody(match, afterBytes) {
			heldBodies.push({ match, afterBytes });
		},
		reset() {
			maxInFlight = inFlight;
			limiter = rateLimit && new RateLimiter(rateLimit);
			requests.length = 0;
			oneShotFaults.length = 0;
			permanentFaults.length = 0;
			heldBodies.length = 0;
			models.splice(0, models.length, ...cloneDefaultModels());
			idCounter = 0;
			streamCounter = 0;
			responsesStore.reset();
			conversations.reset();
			resetFileStore(files);
			resetBatchStore(batches);
			resetVectorStoreState(vectorStores);
			resetVideoState(videos);
		},
		close() {
			for (const [timer, resolve] of pendingTimers) {
				clearTimeout(timer);
				resolve();
			}
			pendingTimers.clear();
			if (spoolDirectory) rmSync(spoolDirectory, { recursive: true, force: true });
			return new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			});
		},
	};
}
