/**
 * The test server's Conversations API (`/conversations…`). Answers have the shapes of OpenAI's examples
 * (createConversation-*, getConversation-*, listConversationItems-*, …) and the checks OpenAI makes
 * beyond the spec: metadata limits, at most 20 items per call, unknown IDs as 404, cursor paging.
 */
type JsonObject = Record<string, unknown>;

export interface ConversationAnswer {
	kind: 'json';
	status: number;
	payload: unknown;
}

/** The `created_at` of every conversation (OpenAI's example). */
export const CONVERSATION_CREATED_AT = 1741900000;
export const MAX_ITEMS_PER_CALL = 20;
export const MAX_METADATA_KEYS = 16;
const DEFAULT_ITEMS_LIMIT = 20;
const MAX_ITEMS_LIMIT = 100;
const INCLUDE_VALUES = new Set([
	'file_search_call.results',
	'web_search_call.results',
	'web_search_call.action.sources',
	'message.input_image.image_url',
	'computer_call_output.output.image_url',
	'code_interpreter_call.outputs',
	'reasoning.encrypted_content',
	'message.output_text.logprobs',
]);

interface StoredConversation {
	conversation: JsonObject;
	items: JsonObject[];
}

export class ConversationStore {
	readonly conversations = new Map<string, StoredConversation>();

	private counter = 0;

	nextId(prefix: string): string {
		return `${prefix}_${String(++this.counter).padStart(6, '0')}`;
	}

	reset(): void {
		this.conversations.clear();
		this.counter = 0;
	}

	/** Stores a conversation with `count` user messages m0, m1, … (for tests); returns its ID. */
	seed(count: number, metadata: JsonObject = { topic: 'demo' }): string {
		const id = this.nextId('conv');
		const items = Array.from({ length: count }, (_, index) => storedItem({ role: 'user', content: `m${index}` }, (prefix) => this.nextId(prefix)));
		this.conversations.set(id, { conversation: { id, object: 'conversation', created_at: CONVERSATION_CREATED_AT, metadata }, items });
		return id;
	}

	/** Appends items that a response made in a conversation (its input and output), as OpenAI does. */
	append(conversationId: string, items: JsonObject[]): void {
		this.conversations.get(conversationId)?.items.push(...items);
	}
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

export type ConversationOperation = 'create' | 'get' | 'update' | 'delete' | 'listItems' | 'addItems' | 'getItem' | 'deleteItem';

export interface ConversationRoute {
	operation: ConversationOperation;
	/** Path after the prefix, IDs decoded. */
	path: string;
	conversationId?: string;
	itemId?: string;
}

const PATHS: ReadonlyArray<{ method: string; pattern: RegExp; operation: ConversationOperation }> = [
	{ method: 'POST', pattern: /\/conversations$/, operation: 'create' },
	{ method: 'GET', pattern: /\/conversations\/([^/]+)\/items$/, operation: 'listItems' },
	{ method: 'POST', pattern: /\/conversations\/([^/]+)\/items$/, operation: 'addItems' },
	{ method: 'GET', pattern: /\/conversations\/([^/]+)\/items\/([^/]+)$/, operation: 'getItem' },
	{ method: 'DELETE', pattern: /\/conversations\/([^/]+)\/items\/([^/]+)$/, operation: 'deleteItem' },
	{ method: 'GET', pattern: /\/conversations\/([^/]+)$/, operation: 'get' },
	{ method: 'POST', pattern: /\/conversations\/([^/]+)$/, operation: 'update' },
	{ method: 'DELETE', pattern: /\/conversations\/([^/]+)$/, operation: 'delete' },
];

function decode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/**
 * The Conversations operation a path names: `matched` tells a /conversations path (any method) from
 * another path, `route` is set only when the method fits.
 */
export function resolveConversationRoute(method: string, pathname: string): { matched: boolean; route?: ConversationRoute } {
	let matched = false;
	for (const entry of PATHS) {
		const match = entry.pattern.exec(pathname);
		if (!match) continue;
		matched = true;
		if (entry.method !== method) continue;
		const conversationId = match[1] === undefined ? undefined : decode(match[1]);
		const itemId = match[2] === undefined ? undefined : decode(match[2]);
		const path = `/conversations${conversationId === undefined ? '' : `/${conversationId}`}${
			entry.operation === 'listItems' || entry.operation === 'addItems' ? '/items' : ''
		}${itemId === undefined ? '' : `/items/${itemId}`}`;
		return { matched, route: { operation: entry.operation, path, conversationId, itemId } };
	}
	return { matched };
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function json(payload: unknown, status = 200): ConversationAnswer {
	return { kind: 'json', status, payload };
}

function apiError(status: number, message: string, param: string | null = null, code: string | null = null): ConversationAnswer {
	return json({ error: { message, type: 'invalid_request_error', param, code } }, status);
}

function jsonType(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** OpenAI's checks of a metadata map: an object of at most 16 string values, keys up to 64 and values up to 512 characters. */
function metadataError(metadata: unknown): ConversationAnswer | undefined {
	if (metadata === null || metadata === undefined) return undefined;
	if (!isRecord(metadata)) return apiError(400, `Invalid type for 'metadata': expected an object, but got ${jsonType(metadata)} instead.`, 'metadata', 'invalid_type');
	const entries = Object.entries(metadata);
	if (entries.length > MAX_METADATA_KEYS) {
		return apiError(400, `Invalid 'metadata': too many properties. Expected an object with at most ${MAX_METADATA_KEYS} properties, but got an object with ${entries.length} properties instead.`, 'metadata', 'object_above_max_properties');
	}
	for (const [key, value] of entries) {
		if (key.length > 64) return apiError(400, `Invalid 'metadata': key '${key.slice(0, 20)}…' is longer than 64 characters.`, 'metadata', 'invalid_value');
		if (typeof value !== 'string') return apiError(400, `Invalid type for 'metadata.${key}': expected a string, but got ${jsonType(value)} instead.`, `metadata.${key}`, 'invalid_type');
		if (value.length > 512) return apiError(400, `Invalid 'metadata.${key}': string too long. Expected a string with maximum length 512, but got a string with length ${value.length} instead.`, `metadata.${key}`, 'string_above_max_length');
	}
	return undefined;
}

/** OpenAI's checks of an items array: 1 to 20 items, each a message (role) or a typed item. */
function itemsError(items: unknown, required: boolean): ConversationAnswer | undefined {
	if (items === undefined || items === null) return required ? apiError(400, "Missing required parameter: 'items'.", 'items', 'missing_required_parameter') : undefined;
	if (!Array.isArray(items)) return apiError(400, `Invalid type for 'items': expected an array, but got ${jsonType(items)} instead.`, 'items', 'invalid_type');
	if (required && !items.length) return apiError(400, "Invalid 'items': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'items', 'empty_array');
	if (items.length > MAX_ITEMS_PER_CALL) {
		return apiError(400, `Invalid 'items': array too long. Expected an array with maximum length ${MAX_ITEMS_PER_CALL}, but got an array with length ${items.length} instead.`, 'items', 'array_above_max_length');
	}
	const bad = items.findIndex((item) => !isRecord(item) || (typeof item.role !== 'string' && typeof item.type !== 'string'));
	if (bad >= 0) return apiError(400, `Invalid 'items[${bad}]': expected a message with a role or an item with a type.`, `items[${bad}]`, 'invalid_value');
	return undefined;
}

/** An input item as OpenAI stores it: messages get an ID, a status and content parts. */
export function storedItem(item: JsonObject, nextId: (prefix: string) => string): JsonObject {
	if (item.type !== undefined && item.type !== 'message') return { id: nextId('item'), ...item };
	const textType = item.role === 'assistant' ? 'output_text' : 'input_text';
	const content = typeof item.content === 'string' ? [{ type: textType, text: item.content }] : item.content;
	return { type: 'message', id: nextId('msg'), status: 'completed', role: item.role, content };
}

function list(data: JsonObject[], hasMore: boolean): JsonObject {
	return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: hasMore };
}

function includeError(query: URLSearchParams): ConversationAnswer | undefined {
	const values = [...query.getAll('include'), ...query.getAll('include[]')];
	const unknown = values.find((value) => !INCLUDE_VALUES.has(value));
	return unknown === undefined ? undefined : apiError(400, `Invalid value: '${unknown}'. Supported values are: ${[...INCLUDE_VALUES].map((value) => `'${value}'`).join(', ')}.`, 'include', 'invalid_value');
}

/** A page of items: newest first by default, `after` an item ID, like OpenAI's cursor paging. */
function itemsPage(stored: StoredConversation, query: URLSearchParams): ConversationAnswer {
	const limitText = query.get('limit');
	const limit = limitText === null ? DEFAULT_ITEMS_LIMIT : Number(limitText);
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ITEMS_LIMIT) {
		return apiError(400, `Invalid 'limit': expected an integer between 1 and ${MAX_ITEMS_LIMIT}, but got ${limitText} instead.`, 'limit', 'invalid_value');
	}
	const order = query.get('order') ?? 'desc';
	if (order !== 'asc' && order !== 'desc') return apiError(400, `Invalid value: '${order}'. Supported values are: 'asc' and 'desc'.`, 'order', 'invalid_value');
	const ordered = order === 'asc' ? stored.items : [...stored.items].reverse();
	const after = query.get('after');
	const start = after === null ? 0 : ordered.findIndex((item) => item.id === after) + 1;
	if (after !== null && start === 0) return apiError(400, `Invalid 'after': no item with id '${after}' in this conversation.`, 'after', 'invalid_value');
	const data = ordered.slice(start, start + limit);
	return json(list(data, start + limit < ordered.length));
}

// ---------------------------------------------------------------------------------------------
// Handler
// ---------------------------------------------------------------------------------------------

export function conversationNotFound(id: string, param: string | null = null): ConversationAnswer {
	return apiError(404, `Conversation with id '${id}' not found.`, param, null);
}

function create(body: JsonObject, store: ConversationStore): ConversationAnswer {
	const problem = metadataError(body.metadata) ?? itemsError(body.items, false);
	if (problem) return problem;
	const id = store.nextId('conv');
	const conversation = { id, object: 'conversation', created_at: CONVERSATION_CREATED_AT, metadata: body.metadata ?? {} };
	const items = ((body.items as JsonObject[] | null | undefined) ?? []).map((item) => storedItem(item, (prefix) => store.nextId(prefix)));
	store.conversations.set(id, { conversation, items });
	return json(conversation);
}

export function handleConversations(
	route: ConversationRoute,
	request: { body: unknown; fullPath: string },
	store: ConversationStore,
): ConversationAnswer {
	const takesBody = route.operation === 'create' || route.operation === 'update' || route.operation === 'addItems';
	if (takesBody && !isRecord(request.body)) return apiError(400, 'We could not parse the JSON body of your request.');
	const body = (request.body ?? {}) as JsonObject;
	const query = new URL(request.fullPath, 'http://127.0.0.1').searchParams;
	const badInclude = includeError(query);
	if (badInclude) return badInclude;
	if (route.operation === 'create') return create(body, store);
	const id = route.conversationId ?? '';
	const stored = store.conversations.get(id);
	if (!stored) return conversationNotFound(id);
	const item = route.itemId === undefined ? undefined : stored.items.find((entry) => entry.id === route.itemId);
	switch (route.operation) {
		case 'get':
			return json(stored.conversation);
		case 'update': {
			if (body.metadata === undefined) return apiError(400, "Missing required parameter: 'metadata'.", 'metadata', 'missing_required_parameter');
			const problem = metadataError(body.metadata);
			if (problem) return problem;
			stored.conversation = { ...stored.conversation, metadata: body.metadata ?? {} };
			return json(stored.conversation);
		}
		case 'delete':
			store.conversations.delete(id);
			return json({ id, object: 'conversation.deleted', deleted: true });
		case 'listItems':
			return itemsPage(stored, query);
		case 'addItems': {
			const problem = itemsError(body.items, true);
			if (problem) return problem;
			const added = (body.items as JsonObject[]).map((entry) => storedItem(entry, (prefix) => store.nextId(prefix)));
			stored.items.push(...added);
			return json(list(added, false));
		}
		case 'getItem':
			return item ? json(item) : apiError(404, `Item with id '${route.itemId}' not found.`, null, null);
		default:
			if (!item) return apiError(404, `Item with id '${route.itemId}' not found.`, null, null);
			stored.items.splice(stored.items.indexOf(item), 1);
			return json(stored.conversation);
	}
}
