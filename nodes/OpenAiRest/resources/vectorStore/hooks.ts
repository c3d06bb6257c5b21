import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { pairedItems } from '../../fields/output';
import { parseJsonText, transformBody } from '../../fields/validation';
import { InvalidParameter, runsAsTool } from '../../transport/errors';
import { isSimplified, readOption } from '../../transport/parameters';
import { pollUntilDone } from '../../transport/polling';
import { requestWithRetries, sendWithRetries } from '../../transport/send';

const MAX_KEYS = 16;
const MAX_STORE_FILES = 500;
const MAX_BATCH_FILES = 2000;
const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin'];
export const DEFAULT_MAX_WAIT_SECONDS = 600;

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object parameter, typed in or from an expression; `{}` and empty count as not set. */
function jsonObject(label: string, value: unknown): IDataObject | undefined {
	const parsed = typeof value === 'string' ? (value.trim() ? parseJsonText(label, value) : undefined) : value;
	if (parsed === undefined || parsed === null) return undefined;
	if (!isObject(parsed)) throw new InvalidParameter(label, `must be a JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
	return parsed;
}

function checkKeys(label: string, value: IDataObject): void {
	const keys = Object.keys(value);
	if (keys.length > MAX_KEYS) throw new InvalidParameter(label, `allows at most ${MAX_KEYS} keys, got ${keys.length}`);
	const long = keys.find((key) => key.length > 64);
	if (long) throw new InvalidParameter(label, `key "${long.slice(0, 20)}…" is longer than 64 characters`);
}

/** File attributes: up to 16 keys, each a string of at most 512 characters, a number or a boolean. */
export function checkAttributes(label: string, value: unknown): IDataObject | undefined {
	const attributes = jsonObject(label, value);
	if (!attributes) return undefined;
	checkKeys(label, attributes);
	for (const [key, entry] of Object.entries(attributes)) {
		if (!['string', 'number', 'boolean'].includes(typeof entry)) {
			throw new InvalidParameter(label, `the value of "${key}" must be a string, number or boolean, got ${JSON.stringify(entry)}`);
		}
		if (typeof entry === 'string' && entry.length > 512) throw new InvalidParameter(label, `the value of "${key}" is longer than 512 characters`);
	}
	return attributes;
}

/** Metadata: up to 16 keys with string values. */
function checkMetadata(value: unknown): IDataObject | undefined {
	const metadata = jsonObject('Metadata', value);
	if (!metadata) return undefined;
	checkKeys('Metadata', metadata);
	const bad = Object.entries(metadata).find(([, entry]) => typeof entry !== 'string' || entry.length > 512);
	if (bad) throw new InvalidParameter('Metadata', `the value of "${bad[0]}" must be a string of at most 512 characters`);
	return metadata;
}

/** A search filter: a comparison ({type, key, value}) or a compound ({type: and|or, filters}). */
export function checkFilter(value: unknown, path = 'Filters'): void {
	if (!isObject(value)) throw new InvalidParameter('Filters', `${path} must be a JSON object`);
	const type = value.type ?? 'eq';
	if (type === 'and' || type === 'or') {
		if (!Array.isArray(value.filters) || !value.filters.length) throw new InvalidParameter('Filters', `${path} of type "${type}" needs a non-empty "filters" array`);
		value.filters.forEach((inner, index) => checkFilter(inner, `${path}.filters[${index}]`));
		return;
	}
	if (!COMPARISONS.includes(String(type))) {
		throw new InvalidParameter('Filters', `${path} has type "${String(type)}"; use one of ${[...COMPARISONS, 'and', 'or'].join(', ')}`);
	}
	if (typeof value.key !== 'string' || !value.key) throw new InvalidParameter('Filters', `${path} needs a "key"`);
	if (value.value === undefined || value.value === null) throw new InvalidParameter('Filters', `${path} needs a "value"`);
	const list = type === 'in' || type === 'nin';
	if (list !== Array.isArray(value.value)) {
		throw new InvalidParameter('Filters', `${path}: "${String(type)}" compares with ${list ? 'an array' : 'a string, number or boolean'}`);
	}
}

/** File IDs from a comma- or newline-separated text or an array. */
export function fileIdList(label: string, value: unknown, max: number): string[] | undefined {
	const ids = (Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,\n]/)).map((id) => id.trim()).filter(Boolean);
	if (!ids.length) return undefined;
	if (ids.length > max) throw new InvalidParameter(label, `allows at most ${max} files, got ${ids.length}`);
	return ids;
}

/** The chunk settings as the API's static strategy; a missing overlap is the default, cut to half the size. */
function chunkingStrategy(value: unknown): IDataObject | undefined {
	const settings = isObject(value) && isObject(value.static) ? value.static : undefined;
	if (!settings) return undefined;
	const size = (settings.max_chunk_size_tokens as number | undefined) ?? 800;
	const overlap = (settings.chunk_overlap_tokens as number | undefined) ?? Math.min(400, Math.floor(size / 2));
	if (overlap > size / 2) {
		throw new InvalidParameter('Chunk Overlap (Tokens)', `must be at most half of Chunk Size (${size}), got ${overlap}`);
	}
	return { type: 'static', static: { max_chunk_size_tokens: size, chunk_overlap_tokens: overlap } };
}

/** Puts a value under a key, or removes the key when there is none. */
function setOrDrop(body: IDataObject, key: string, value: unknown): void {
	if (value === undefined) delete body[key];
	else body[key] = value as IDataObject;
}

/**
 * The request body from the routed parameters: lists split, JSON parsed and checked, the expiry and
 * the chunk sizes in the API's shapes. Pure apart from the operation it reads.
 */
export function shapeVectorStoreBody(body: IDataObject, operation: string): void {
	if (body.name === '' && operation === 'create') delete body.name;
	if (body.description === '') delete body.description;
	if ('file_ids' in body) {
		const addFiles = operation === 'addFiles';
		const ids = fileIdList(addFiles ? 'File IDs' : 'Options: File IDs', body.file_ids, addFiles ? MAX_BATCH_FILES : MAX_STORE_FILES);
		if (addFiles && !ids) throw new InvalidParameter('File IDs', 'must name at least one file, e.g. file-abc123');
		setOrDrop(body, 'file_ids', ids);
	}
	if (typeof body.expires_after === 'number') body.expires_after = { anchor: 'last_active_at', days: body.expires_after };
	if ('chunking_strategy' in body) setOrDrop(body, 'chunking_strategy', chunkingStrategy(body.chunking_strategy));
	if ('metadata' in body) setOrDrop(body, 'metadata', checkMetadata(body.metadata));
	if ('attributes' in body) {
		const attributes = checkAttributes('Attributes', body.attributes);
		// Update File Attributes replaces them: an empty object clears them.
		setOrDrop(body, 'attributes', operation === 'updateFile' ? (attributes ?? {}) : attributes);
	}
	if ('query' in body && !String(body.query ?? '').trim()) throw new InvalidParameter('Query', 'must not be empty');
	if ('filters' in body) {
		const filters = jsonObject('Filters', body.filters);
		if (filters && Object.keys(filters).length) checkFilter(filters);
		setOrDrop(body, 'filters', filters && Object.keys(filters).length ? filters : undefined);
	}
}

const shapeBody = transformBody((body, context) => {
	const operation = context.getNodeParameter('operation', '') as string;
	if (operation === 'addFile') {
		const fileId = String(context.getNodeParameter('vectorStoreFileId', '') ?? '').trim();
		if (!fileId) throw new InvalidParameter('File ID', 'must not be empty, e.g. file-abc123');
		body.file_id = fileId;
	}
	shapeVectorStoreBody(body, operation);
});

/**
 * preSend of the operations with a body; Add File also gets its file ID here (the others send it in the URL).
 * n8n sends no body for an empty object, but these endpoints require one, so nothing to send is sent as `{}`.
 */
export async function prepareVectorStoreBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const shaped = await shapeBody.call(this, { ...requestOptions, body: requestOptions.body ?? {} });
	return isObject(shaped.body) && !Object.keys(shaped.body).length ? { ...shaped, body: '{}' } : shaped;
}

function describeBatch(batch: IDataObject): string {
	const counts = (batch.file_counts ?? {}) as IDataObject;
	return `${String(batch.status)} (${Number(counts.completed ?? 0)} of ${Number(counts.total ?? 0)} files processed)`;
}

/** A batch or store as an agent needs it: ID, status and counts. */
function compactBatch(batch: IDataObject): IDataObject {
	return { id: batch.id, vector_store_id: batch.vector_store_id, status: batch.status, file_counts: batch.file_counts };
}

/**
 * Pagination of Add Files: creates the file batch, then polls it with growing pauses until it is no
 * longer in progress, at most Max Wait. The output is the batch with its final file counts.
 */
export async function addFileBatch(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const [created] = await sendWithRetries.call(this, requestData);
	const batch = (created?.json ?? {}) as IDataObject;
	const url = `/vector_stores/${encodeURIComponent(String(batch.vector_store_id))}/file_batches/${encodeURIComponent(String(batch.id))}`;
	const maxWait = readOption(this, 'maxWait', DEFAULT_MAX_WAIT_SECONDS);
	const latest = await pollUntilDone(this, batch, {
			poll: async () => (await requestWithRetries(this, { method: 'GET', url, json: true })).body as IDataObject,
			isDone: (state) => state.status !== 'in_progress',
			maxWaitMs: maxWait * 1000,
			what: `File batch ${String(batch.id)}`,
			describe: describeBatch,
			maxWaitLabel: 'Options: Max Wait (Seconds)',
		});
	return pairedItems(this, [runsAsTool(this) ? compactBatch(latest) : latest]);
}

/** A vector store as an agent sees it in a list. */
export function compactStore(store: IDataObject): IDataObject {
	return { id: store.id, name: store.name, status: store.status, file_counts: store.file_counts };
}

/** A vector store file as an agent sees it in a list. */
export function compactStoreFile(file: IDataObject): IDataObject {
	return { id: file.id, status: file.status, ...(file.attributes ? { attributes: file.attributes } : {}), ...(file.last_error ? { last_error: file.last_error } : {}) };
}

type TextPart = { type?: string; text?: string };

/** The text of content parts: the text parts, separated by blank lines. */
export function partsText(parts: unknown): string {
	return (Array.isArray(parts) ? (parts as TextPart[]) : [])
		.filter((part) => typeof part?.text === 'string')
		.map((part) => part.text)
		.join('\n\n');
}

/** One row per search hit: score, file, attributes and the text of its chunks. */
export function searchHits(body: IDataObject): IDataObject[] {
	const hits = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	return hits.map((hit) => ({
		score: hit.score,
		file_id: hit.file_id,
		filename: hit.filename,
		text: partsText(hit.content),
		...(isObject(hit.attributes) && Object.keys(hit.attributes).length ? { attributes: hit.attributes } : {}),
	}));
}

/** postReceive of Search: one item per hit, or the raw page without Simplify; an agent gets text and scores. */
export async function simplifySearch(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = response.body as IDataObject;
	if (runsAsTool(this)) {
		const hits = searchHits(body).map(({ score, filename, text }) => ({ score, filename, text }));
		return pairedItems(this, hits.length ? hits : [{ hits: 0, message: 'Nothing in the vector store matches the query' }]);
	}
	if (!isSimplified(this)) return items;
	return pairedItems(this, searchHits(body));
}

/** The parsed text of a vector store file, from the spec's `data` or the older example's `content`. */
export function fileContentRow(body: IDataObject): IDataObject {
	return {
		...(body.file_id !== undefined ? { file_id: body.file_id } : {}),
		...(body.filename !== undefined ? { filename: body.filename } : {}),
		...(isObject(body.attributes) && Object.keys(body.attributes).length ? { attributes: body.attributes } : {}),
		text: partsText(body.data ?? body.content),
	};
}

/** postReceive of Get File Content: the file's text in one field, or the raw page without Simplify. */
export async function simplifyFileContent(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	if (!isSimplified(this) && !runsAsTool(this)) return items;
	return pairedItems(this, [fileContentRow(response.body as IDataObject)]);
}
