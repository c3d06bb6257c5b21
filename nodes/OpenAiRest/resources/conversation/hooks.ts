/**
 * The Conversations API (`/conversations…`): IDs taken from earlier outputs, metadata and items checked
 * before sending, all pages of items, Add Items in calls of 20, and compact rows for agents.
 */
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../fields/output';
import { idFrom } from '../../fields/references';
import { parseJsonText } from '../../fields/validation';
import { checkItem } from '../../transport/binary';
import { InvalidParameter, runsAsTool } from '../../transport/errors';
import { simplifyName } from '../../transport/parameters';
import { readCursorPages } from '../../transport/pages';
import { sendWithRetries } from '../../transport/send';

export const RESOURCE = 'conversation';
/** OpenAI adds at most 20 items per call (create and add). */
export const MAX_ITEMS_PER_CALL = 20;
const MAX_METADATA_KEYS = 16;
const ROLES = ['user', 'assistant', 'system', 'developer'];

export const LABELS = {
	conversationId: 'Conversation ID',
	itemId: 'Item ID',
	items: 'Items',
	initialItems: 'Initial Items',
	metadata: 'Metadata',
} as const;

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'an array';
	return value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Metadata as OpenAI takes it: a JSON object of at most 16 strings, keys up to 64 and values up to 512 characters. */
export function metadataFrom(value: unknown, label: string): IDataObject {
	const metadata = typeof value === 'string' ? (value.trim() ? parseJsonText(label, value) : {}) : (value ?? {});
	if (!isRecord(metadata)) throw new InvalidParameter(label, `must be a JSON object of text values, got ${describe(metadata)}`);
	const entries = Object.entries(metadata);
	if (entries.length > MAX_METADATA_KEYS) throw new InvalidParameter(label, `allows at most ${MAX_METADATA_KEYS} keys, got ${entries.length}`);
	for (const [key, entry] of entries) {
		if (key.length > 64) throw new InvalidParameter(label, `key "${key.slice(0, 20)}…" is longer than 64 characters`);
		if (typeof entry !== 'string') throw new InvalidParameter(label, `the value of "${key}" must be text, got ${describe(entry)} (write it in quotes)`);
		if (entry.length > 512) throw new InvalidParameter(label, `the value of "${key}" is ${entry.length} characters; at most 512 are allowed`);
	}
	return metadata;
}

/**
 * One input item: a message ({role, content}), a row of this node's simplified items ({role, text}), or a
 * typed item such as `function_call_output`. Output-only keys (id, status) of listed items are dropped.
 */
function inputItem(item: unknown, index: number, label: string): IDataObject {
	if (!isRecord(item)) throw new InvalidParameter(label, `item ${index} must be an object, got ${describe(item)}`);
	if (item.type !== undefined && item.type !== 'message') return item;
	if (typeof item.role !== 'string' || !ROLES.includes(item.role)) {
		throw new InvalidParameter(label, `item ${index} needs a role, one of ${ROLES.join(', ')}, or a type; got ${JSON.stringify(item.role)}`);
	}
	const content = item.content ?? item.text;
	if (typeof content !== 'string' && !Array.isArray(content)) throw new InvalidParameter(label, `item ${index} needs a content text or list of parts`);
	return { type: 'message', role: item.role, content };
}

/** Items from JSON text, an array or one object from an expression; a plain text is one user message. */
export function itemsFrom(value: unknown, label: string): IDataObject[] {
	let items = value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (!text) return [];
		items = text.startsWith('[') || text.startsWith('{') ? parseJsonText(label, text) : [{ role: 'user', content: value }];
	}
	if (isRecord(items)) items = [items];
	if (!Array.isArray(items)) throw new InvalidParameter(label, `must be a JSON array of items, got ${describe(items)}`);
	return items.map((item, index) => inputItem(item, index, label));
}

/** A conversation's URL path; IDs are taken from earlier outputs as they come. */
export function conversationPath(conversationId: unknown, suffix: '' | '/items' | '/item', itemId?: unknown): string {
	const base = `/conversations/${encodeURIComponent(idFrom(conversationId, LABELS.conversationId, 'conv_abc123'))}`;
	if (suffix !== '/item') return base + suffix;
	return `${base}/items/${encodeURIComponent(idFrom(itemId, LABELS.itemId, 'msg_abc123'))}`;
}

/** A message item as one row: its role and text, and the types of parts that are not text. Other items stay whole. */
export function simplifyItem(item: IDataObject): IDataObject {
	if (item.type !== 'message') return item;
	const parts = Array.isArray(item.content) ? item.content.filter(isRecord) : [];
	const text = parts.filter((part) => typeof part.text === 'string').map((part) => part.text as string).join('\n');
	const other = parts.filter((part) => typeof part.text !== 'string').map((part) => String(part.type));
	return { id: item.id, role: item.role, text, ...(other.length ? { other_parts: other } : {}) };
}

/** A conversation for an agent: its ID and metadata; a deletion: what was deleted. */
export function compactConversation(body: IDataObject): IDataObject {
	if (body.object === 'conversation.deleted') return { id: body.id, deleted: body.deleted };
	return { id: body.id, metadata: body.metadata ?? {} };
}

// ---------------------------------------------------------------------------------------------
// n8n hooks
// ---------------------------------------------------------------------------------------------

/** `include` as the spec's query form (`include=a&include=b`); n8n would send `include[0]=a`. */
export function includeQuery(include: unknown): string {
	const values = Array.isArray(include) ? include.map(String) : [];
	return values.map((value) => `include=${encodeURIComponent(value)}`).join('&');
}

/** preSend: the request goes to the conversation (and item) the fields name, with Include in the query. */
export function toConversation(suffix: '' | '/items' | '/item') {
	return async function setConversationUrl(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const path = await checkItem(this, async () =>
			conversationPath(
				this.getNodeParameter('conversationId'),
				suffix,
				suffix === '/item' ? this.getNodeParameter('conversationItemId') : undefined,
			),
		);
		const { include, ...qs } = (requestOptions.qs ?? {}) as IDataObject;
		const query = includeQuery(include);
		return { ...requestOptions, url: query ? `${path}?${query}` : path, qs };
	};
}

/** preSend of Create and Update: metadata and items as OpenAI takes them; an empty option is left out. */
export async function prepareConversationBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const body = { ...((requestOptions.body as IDataObject | undefined) ?? {}) };
	await checkItem(this, async () => {
		if (body.metadata !== undefined) body.metadata = metadataFrom(body.metadata, LABELS.metadata);
		if (body.items === undefined) return;
		const items = itemsFrom(body.items, LABELS.initialItems);
		if (items.length > MAX_ITEMS_PER_CALL) {
			throw new InvalidParameter(LABELS.initialItems, `allows at most ${MAX_ITEMS_PER_CALL} items, got ${items.length}; add more with Add Items`);
		}
		if (items.length) body.items = items;
		else delete body.items;
	});
	// n8n sends no body for an empty object, and OpenAI wants one: the JSON text goes as it is.
	return { ...requestOptions, body: Object.keys(body).length ? body : '{}' };
}

function simplified(context: IExecuteSingleFunctions): boolean {
	return runsAsTool(context) || (context.getNodeParameter(simplifyName(RESOURCE), true) as boolean);
}

/** postReceive of the operations that answer with a conversation: compact for an agent. */
export async function conversationOutput(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (!runsAsTool(this)) return items;
	return pairedItems(this, items.map((item) => compactConversation(item.json)));
}

/** postReceive of Get Item: one simplified row with Simplify on (always for an agent). */
export async function itemOutput(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	if (!simplified(this)) return items;
	return pairedItems(this, items.map((item) => simplifyItem(item.json)));
}

/** Sends one page or call and returns its body. */
async function sendOnce(
	context: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	options: Partial<IHttpRequestOptions>,
): Promise<IDataObject> {
	const [page] = await sendWithRetries.call(context, { ...requestData, options: { ...requestData.options, ...options } });
	return page?.json ?? {};
}

function itemRows(context: IExecuteSingleFunctions, items: IDataObject[]): INodeExecutionData[] {
	return pairedItems(context, simplified(context) ? items.map(simplifyItem) : items);
}

/** List Items: follows `after` cursors until Return All is done or Limit items are in; one output item per conversation item. */
export async function listConversationItems(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('conversationReturnAll', false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('conversationLimit', 50) as number);
	return itemRows(this, await readCursorPages(this, requestData, limit));
}

/** Add Items: any number of items, sent in calls of 20 in their order; one output item per added item. */
export async function addConversationItems(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const body = requestData.options.body as IDataObject;
	const items = await checkItem(this, async () => {
		const parsed = itemsFrom(body.items, LABELS.items);
		if (!parsed.length) throw new InvalidParameter(LABELS.items, 'must contain at least one item');
		return parsed;
	});
	const added: IDataObject[] = [];
	for (let start = 0; start < items.length; start += MAX_ITEMS_PER_CALL) {
		const page = await sendOnce(this, requestData, { body: { ...body, items: items.slice(start, start + MAX_ITEMS_PER_CALL) } });
		added.push(...(Array.isArray(page.data) ? page.data.filter(isRecord) : []));
	}
	return itemRows(this, added);
}
