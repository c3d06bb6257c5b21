/**
 * The test server's Vector Stores API (`/vector_stores…`): stores, their files, file batches, the
 * parsed content of a file and search. Objects follow OpenAI's examples (createVectorStore-*,
 * searchVectorStore-*, …) with the fields the spec requires. Files must have been uploaded to the
 * server's Files API first; their text is what Get File Content and Search read.
 *
 * Batches are processed by polling: each GET of a batch counts, and after `batchPollsToComplete`
 * of them its files are completed (an empty file fails with `invalid_file`).
 */
import type { CapturedRequest } from './openai-server';
import { FIXED_CREATED, openAiErrorBody } from './openai-server';
import type { FileStore } from './openai-server-binary';

type JsonObject = Record<string, unknown>;

export type StoreOutcome =
	| { kind: 'json'; status: number; payload: unknown }
	| { kind: 'binary'; contentType: string; data: Buffer };

export interface VectorStoreRecord {
	object: JsonObject;
	/** The store's files by file ID, in the order they were added. */
	files: Map<string, JsonObject>;
}

export interface FileBatchRecord {
	object: JsonObject;
	fileIds: string[];
	polls: number;
}

export interface VectorStoreState {
	stores: Map<string, VectorStoreRecord>;
	batches: Map<string, FileBatchRecord>;
	/** Page size cap of the list endpoints, to exercise paging with few objects. */
	maxPerPage: number;
	/** GETs of a file batch before it is processed. */
	batchPollsToComplete: number;
	nextNumber: number;
}

export const DEFAULT_BATCH_POLLS = 2;
const MAX_PAGE = 100;
const DAY_SECONDS = 86400;
const MAX_ATTRIBUTES = 16;
const DEFAULT_CHUNKING = { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } };

export function createVectorStoreState(): VectorStoreState {
	return { stores: new Map(), batches: new Map(), maxPerPage: MAX_PAGE, batchPollsToComplete: DEFAULT_BATCH_POLLS, nextNumber: 0 };
}

export function resetVectorStoreState(state: VectorStoreState): void {
	state.stores.clear();
	state.batches.clear();
	state.maxPerPage = MAX_PAGE;
	state.batchPollsToComplete = DEFAULT_BATCH_POLLS;
	state.nextNumber = 0;
}

/** Puts an uploaded text file on the server, as POST /files would. */
export function seedTextFile(files: FileStore, id: string, filename: string, text: string): void {
	const data = Buffer.from(text, 'utf8');
	files.files.set(id, {
		object: { id, object: 'file', bytes: data.length, created_at: FIXED_CREATED, expires_at: null, filename, purpose: 'assistants', status: 'processed', status_details: null },
		data,
	});
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with the videos
// ---------------------------------------------------------------------------------------------

export function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function json(payload: unknown, status = 200): StoreOutcome {
	return { kind: 'json', status, payload };
}

export function apiError(status: number, message: string, param: string | null = null, code: string | null = null): StoreOutcome {
	return json(openAiErrorBody(message, 'invalid_request_error', param, code), status);
}

export function missing(name: string): StoreOutcome {
	return apiError(400, `Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
}

export function queryOf(request: Pick<CapturedRequest, 'fullPath'>): URLSearchParams {
	return new URLSearchParams(request.fullPath.split('?')[1] ?? '');
}

/**
 * A cursor page of a list endpoint: order (default desc), after/before and limit (default 20, at most
 * 100, capped by `maxPerPage`), with first_id, last_id and has_more.
 */
export function listPage(objects: JsonObject[], query: URLSearchParams, maxPerPage: number, defaultLimit = 20): StoreOutcome {
	const rawLimit = query.get('limit');
	const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
		return apiError(400, `Invalid 'limit': integer below minimum value. Expected a value between 1 and ${MAX_PAGE}, but got ${String(rawLimit)} instead.`, 'limit', 'integer_out_of_range');
	}
	const order = query.get('order') ?? 'desc';
	if (order !== 'asc' && order !== 'desc') return apiError(400, `Invalid 'order': '${order}' is not one of ['asc', 'desc'].`, 'order', 'invalid_value');
	let list = order === 'desc' ? [...objects].reverse() : [...objects];
	const after = query.get('after');
	const before = query.get('before');
	if (after) list = list.slice(list.findIndex((object) => object.id === after) + 1);
	if (before) list = list.slice(0, Math.max(0, list.findIndex((object) => object.id === before)));
	const size = Math.min(limit, maxPerPage);
	const data = list.slice(0, size);
	return json({ object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: list.length > size });
}

function nextId(state: VectorStoreState, prefix: string): string {
	return `${prefix}_${String(++state.nextNumber).padStart(6, '0')}`;
}

function now(state: VectorStoreState): number {
	return FIXED_CREATED + state.nextNumber;
}

// ---------------------------------------------------------------------------------------------
// Validation of request bodies (the spec check covers the rest)
// ---------------------------------------------------------------------------------------------

function attributesError(attributes: unknown): StoreOutcome | undefined {
	if (attributes === undefined || attributes === null) return undefined;
	if (!isRecord(attributes)) return apiError(400, "Invalid type for 'attributes': expected an object.", 'attributes', 'invalid_type');
	const entries = Object.entries(attributes);
	if (entries.length > MAX_ATTRIBUTES) return apiError(400, `Invalid 'attributes': too many properties. Expected at most ${MAX_ATTRIBUTES}, but got ${entries.length}.`, 'attributes', 'object_above_max_length');
	for (const [key, value] of entries) {
		if (key.length > 64) return apiError(400, `Invalid 'attributes': key '${key.slice(0, 20)}…' is longer than 64 characters.`, 'attributes', 'invalid_value');
		if (!['string', 'number', 'boolean'].includes(typeof value)) {
			return apiError(400, `Invalid type for 'attributes.${key}': expected a string, number or boolean.`, `attributes.${key}`, 'invalid_type');
		}
		if (typeof value === 'string' && value.length > 512) return apiError(400, `Invalid 'attributes.${key}': string too long.`, `attributes.${key}`, 'string_above_max_length');
	}
	return undefined;
}

function chunkingError(chunking: unknown): StoreOutcome | undefined {
	if (chunking === undefined) return undefined;
	if (!isRecord(chunking) || (chunking.type !== 'auto' && chunking.type !== 'static')) {
		return apiError(400, "Invalid 'chunking_strategy': type must be 'auto' or 'static'.", 'chunking_strategy.type', 'invalid_value');
	}
	if (chunking.type === 'auto') return undefined;
	const settings = isRecord(chunking.static) ? chunking.static : {};
	const size = Number(settings.max_chunk_size_tokens);
	const overlap = Number(settings.chunk_overlap_tokens);
	if (!Number.isInteger(size) || size < 100 || size > 4096) return apiError(400, "Invalid 'chunking_strategy.static.max_chunk_size_tokens': expected 100 to 4096.", 'chunking_strategy.static.max_chunk_size_tokens', 'invalid_value');
	if (!Number.isInteger(overlap) || overlap < 0 || overlap > size / 2) {
		return apiError(400, "Invalid 'chunking_strategy.static.chunk_overlap_tokens': must not exceed half of max_chunk_size_tokens.", 'chunking_strategy.static.chunk_overlap_tokens', 'invalid_value');
	}
	return undefined;
}

function expiryError(expiry: unknown): StoreOutcome | undefined {
	if (expiry === undefined || expiry === null) return undefined;
	if (!isRecord(expiry) || expiry.anchor !== 'last_active_at') return apiError(400, "Invalid 'expires_after.anchor': expected 'last_active_at'.", 'expires_after.anchor', 'invalid_value');
	const days = Number(expiry.days);
	if (!Number.isInteger(days) || days < 1 || days > 365) return apiError(400, "Invalid 'expires_after.days': expected an integer from 1 to 365.", 'expires_after.days', 'invalid_value');
	return undefined;
}

function bodyOf(request: CapturedRequest): JsonObject | StoreOutcome {
	if (request.rawBody.trim() === '') return {};
	if (!isRecord(request.body)) return apiError(400, 'We could not parse the JSON body of your request.');
	return request.body;
}

// ---------------------------------------------------------------------------------------------
// Stores
// ---------------------------------------------------------------------------------------------

function noStore(id: string): StoreOutcome {
	return apiError(404, `No vector store found with id '${id}'.`, null, 'not_found');
}

/** Recounts a store's files into `file_counts`, `usage_bytes` and `status`. */
function refreshStore(record: VectorStoreRecord): JsonObject {
	const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
	let bytes = 0;
	for (const file of record.files.values()) {
		counts[file.status as keyof typeof counts] += 1;
		counts.total += 1;
		bytes += Number(file.usage_bytes ?? 0);
	}
	record.object.file_counts = counts;
	record.object.usage_bytes = bytes;
	if (record.object.status !== 'expired') record.object.status = counts.in_progress ? 'in_progress' : 'completed';
	return record.object;
}

function applyExpiry(object: JsonObject, expiry: unknown): void {
	if (isRecord(expiry)) {
		object.expires_after = expiry;
		object.expires_at = Number(object.last_active_at) + Number(expiry.days) * DAY_SECONDS;
	} else if (expiry === null) {
		delete object.expires_after;
		object.expires_at = null;
	}
}

interface FileSettings {
	attributes?: unknown;
	chunking_strategy?: unknown;
}

/** A vector store file object for an uploaded file; empty files fail as OpenAI's do. */
function storeFile(state: VectorStoreState, files: FileStore, storeId: string, fileId: string, settings: FileSettings, status: string): JsonObject | StoreOutcome {
	const uploaded = files.files.get(fileId);
	if (!uploaded) return apiError(404, `No file found with id '${fileId}'.`, 'file_id', 'not_found');
	const chunking = isRecord(settings.chunking_strategy) && settings.chunking_strategy.type === 'static' ? settings.chunking_strategy : DEFAULT_CHUNKING;
	const empty = uploaded.data.length === 0;
	return {
		id: fileId,
		object: 'vector_store.file',
		usage_bytes: status === 'completed' && !empty ? uploaded.data.length : 0,
		created_at: now(state),
		vector_store_id: storeId,
		status: status === 'completed' && empty ? 'failed' : status,
		last_error: status === 'completed' && empty ? { code: 'invalid_file', message: 'The file is empty.' } : null,
		chunking_strategy: chunking,
		attributes: isRecord(settings.attributes) ? settings.attributes : {},
	};
}

function createStore(request: CapturedRequest, state: VectorStoreState, files: FileStore): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	const fileIds = body.file_ids ?? [];
	if (!Array.isArray(fileIds) || fileIds.some((id) => typeof id !== 'string')) return apiError(400, "Invalid type for 'file_ids': expected an array of strings.", 'file_ids', 'invalid_type');
	const problem = expiryError(body.expires_after) ?? chunkingError(body.chunking_strategy);
	if (problem) return problem;
	const id = nextId(state, 'vs');
	const created = now(state);
	const object: JsonObject = {
		id,
		object: 'vector_store',
		created_at: created,
		name: typeof body.name === 'string' ? body.name : '',
		description: typeof body.description === 'string' ? body.description : null,
		usage_bytes: 0,
		file_counts: {},
		status: 'completed',
		expires_at: null,
		last_active_at: created,
		metadata: isRecord(body.metadata) ? body.metadata : {},
	};
	applyExpiry(object, body.expires_after);
	const record: VectorStoreRecord = { object, files: new Map() };
	for (const fileId of fileIds as string[]) {
		const file = storeFile(state, files, id, fileId, { chunking_strategy: body.chunking_strategy }, 'completed');
		if ('kind' in file) return file as StoreOutcome;
		record.files.set(fileId, file);
	}
	state.stores.set(id, record);
	return json(refreshStore(record));
}

function modifyStore(request: CapturedRequest, record: VectorStoreRecord): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	const problem = expiryError(body.expires_after);
	if (problem) return problem;
	if (typeof body.name === 'string' || body.name === null) record.object.name = body.name ?? '';
	if (isRecord(body.metadata)) record.object.metadata = body.metadata;
	applyExpiry(record.object, body.expires_after);
	return json(refreshStore(record));
}

// ---------------------------------------------------------------------------------------------
// Files and batches
// ---------------------------------------------------------------------------------------------

function noStoreFile(storeId: string, fileId: string): StoreOutcome {
	return apiError(404, `No file found with id '${fileId}' in vector store '${storeId}'.`, null, 'not_found');
}

function addFile(request: CapturedRequest, state: VectorStoreState, files: FileStore, record: VectorStoreRecord): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	if (typeof body.file_id !== 'string' || !body.file_id) return missing('file_id');
	const problem = attributesError(body.attributes) ?? chunkingError(body.chunking_strategy);
	if (problem) return problem;
	const file = storeFile(state, files, String(record.object.id), body.file_id, body, 'completed');
	if ('kind' in file) return file as StoreOutcome;
	record.files.set(body.file_id, file);
	refreshStore(record);
	return json(file);
}

function listFiles(request: CapturedRequest, state: VectorStoreState, objects: JsonObject[]): StoreOutcome {
	const query = queryOf(request);
	const filter = query.get('filter');
	if (filter && !['in_progress', 'completed', 'failed', 'cancelled'].includes(filter)) return apiError(400, `Invalid 'filter': '${filter}'.`, 'filter', 'invalid_value');
	return listPage(filter ? objects.filter((file) => file.status === filter) : objects, query, state.maxPerPage);
}

function updateAttributes(request: CapturedRequest, file: JsonObject): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	if (!('attributes' in body)) return missing('attributes');
	const problem = attributesError(body.attributes);
	if (problem) return problem;
	file.attributes = body.attributes ?? {};
	return json(file);
}

function fileContent(files: FileStore, file: JsonObject): StoreOutcome {
	const uploaded = files.files.get(String(file.id));
	const text = uploaded?.data.toString('utf8') ?? '';
	return json({
		object: 'vector_store.file_content.page',
		file_id: file.id,
		filename: uploaded?.object.filename ?? null,
		attributes: file.attributes ?? {},
		data: chunksOf(text).map((chunk) => ({ type: 'text', text: chunk })),
		has_more: false,
		next_page: null,
	});
}

function batchFiles(body: JsonObject): Array<{ fileId: string; settings: FileSettings }> | StoreOutcome {
	const hasIds = body.file_ids !== undefined;
	const hasFiles = body.files !== undefined;
	if (hasIds === hasFiles) return apiError(400, "Provide exactly one of 'file_ids' or 'files'.", hasIds ? 'files' : 'file_ids', hasIds ? 'invalid_value' : 'missing_required_parameter');
	const list = (hasIds ? body.file_ids : body.files) as unknown;
	if (!Array.isArray(list) || list.length < 1 || list.length > 2000) return apiError(400, `Invalid '${hasIds ? 'file_ids' : 'files'}': expected 1 to 2000 entries.`, hasIds ? 'file_ids' : 'files', 'invalid_value');
	if (hasIds) {
		if (list.some((id) => typeof id !== 'string')) return apiError(400, "Invalid type for 'file_ids': expected an array of strings.", 'file_ids', 'invalid_type');
		const settings = { attributes: body.attributes, chunking_strategy: body.chunking_strategy };
		return (list as string[]).map((fileId) => ({ fileId, settings }));
	}
	if (list.some((entry) => !isRecord(entry) || typeof entry.file_id !== 'string')) return apiError(400, "Invalid 'files': each entry needs a file_id.", 'files', 'invalid_value');
	return (list as JsonObject[]).map((entry) => ({ fileId: String(entry.file_id), settings: entry }));
}

function createBatch(request: CapturedRequest, state: VectorStoreState, files: FileStore, record: VectorStoreRecord): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	const entries = batchFiles(body);
	if ('kind' in entries) return entries as StoreOutcome;
	const storeId = String(record.object.id);
	const added: JsonObject[] = [];
	for (const { fileId, settings } of entries) {
		const problem = attributesError(settings.attributes) ?? chunkingError(settings.chunking_strategy);
		if (problem) return problem;
		const file = storeFile(state, files, storeId, fileId, settings, 'in_progress');
		if ('kind' in file) return file as StoreOutcome;
		added.push(file);
	}
	for (const file of added) record.files.set(String(file.id), file);
	const id = nextId(state, 'vsfb');
	const batch: FileBatchRecord = {
		object: { id, object: 'vector_store.files_batch', created_at: now(state), vector_store_id: storeId, status: 'in_progress', file_counts: {} },
		fileIds: added.map((file) => String(file.id)),
		polls: 0,
	};
	state.batches.set(id, batch);
	refreshStore(record);
	return json(refreshBatch(batch, record));
}

function refreshBatch(batch: FileBatchRecord, record: VectorStoreRecord): JsonObject {
	const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
	for (const id of batch.fileIds) {
		const status = String(record.files.get(id)?.status ?? 'cancelled') as keyof typeof counts;
		counts[status] += 1;
		counts.total += 1;
	}
	batch.object.file_counts = counts;
	if (batch.object.status === 'in_progress' && counts.in_progress === 0) batch.object.status = 'completed';
	return batch.object;
}

/** A GET of a batch: one poll; the last one processes its files. */
function pollBatch(state: VectorStoreState, files: FileStore, batch: FileBatchRecord, record: VectorStoreRecord): StoreOutcome {
	batch.polls += 1;
	if (batch.object.status === 'in_progress' && batch.polls >= state.batchPollsToComplete) {
		for (const id of batch.fileIds) {
			const file = record.files.get(id);
			if (!file || file.status !== 'in_progress') continue;
			const size = files.files.get(id)?.data.length ?? 0;
			Object.assign(file, size
				? { status: 'completed', usage_bytes: size }
				: { status: 'failed', last_error: { code: 'invalid_file', message: 'The file is empty.' } });
		}
		refreshStore(record);
	}
	return json(refreshBatch(batch, record));
}

function cancelBatch(batch: FileBatchRecord, record: VectorStoreRecord): StoreOutcome {
	if (batch.object.status !== 'in_progress') return apiError(400, `Cannot cancel a batch with status '${String(batch.object.status)}'.`, null, 'invalid_state');
	for (const id of batch.fileIds) {
		const file = record.files.get(id);
		if (file?.status === 'in_progress') file.status = 'cancelled';
	}
	batch.object.status = 'cancelled';
	refreshStore(record);
	return json(refreshBatch(batch, record));
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/** Paragraphs of a text, as the chunks search returns. */
export function chunksOf(text: string): string[] {
	return text.split(/\n\s*\n/).map((chunk) => chunk.trim()).filter(Boolean);
}

function wordsOf(text: string): string[] {
	return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The share of the query's distinct words found in a chunk, 0 to 1. */
export function scoreOf(queryWords: string[], chunk: string): number {
	const distinct = [...new Set(queryWords)];
	if (!distinct.length) return 0;
	const present = new Set(wordsOf(chunk));
	return Number((distinct.filter((word) => present.has(word)).length / distinct.length).toFixed(4));
}

type AttributeValue = string | number | boolean;

function compare(type: string, actual: AttributeValue | undefined, expected: unknown): boolean {
	if (type === 'in' || type === 'nin') {
		const found = Array.isArray(expected) && actual !== undefined && expected.includes(actual);
		return type === 'in' ? found : !found;
	}
	if (actual === undefined) return type === 'ne';
	switch (type) {
		case 'eq':
			return actual === expected;
		case 'ne':
			return actual !== expected;
		case 'gt':
			return actual > (expected as AttributeValue);
		case 'gte':
			return actual >= (expected as AttributeValue);
		case 'lt':
			return actual < (expected as AttributeValue);
		default:
			return actual <= (expected as AttributeValue);
	}
}

/** Whether a file's attributes pass a comparison or compound filter. */
export function passesFilter(filter: unknown, attributes: Record<string, AttributeValue>): boolean {
	if (!isRecord(filter)) return true;
	if (filter.type === 'and' || filter.type === 'or') {
		const results = ((filter.filters as unknown[]) ?? []).map((inner) => passesFilter(inner, attributes));
		return filter.type === 'and' ? results.every(Boolean) : results.some(Boolean);
	}
	return compare(String(filter.type ?? 'eq'), attributes[String(filter.key)], filter.value);
}

const COMPARISONS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin'];

function filterError(filter: unknown): StoreOutcome | undefined {
	if (filter === undefined) return undefined;
	if (!isRecord(filter)) return apiError(400, "Invalid type for 'filters': expected an object.", 'filters', 'invalid_type');
	if (filter.type === 'and' || filter.type === 'or') {
		if (!Array.isArray(filter.filters)) return apiError(400, "Invalid 'filters.filters': expected an array.", 'filters.filters', 'invalid_type');
		return filter.filters.map(filterError).find(Boolean);
	}
	if (!COMPARISONS.includes(String(filter.type ?? 'eq'))) return apiError(400, `Invalid 'filters.type': '${String(filter.type)}'.`, 'filters.type', 'invalid_value');
	if (typeof filter.key !== 'string' || filter.value === undefined) return apiError(400, "Invalid 'filters': a comparison needs a key and a value.", 'filters', 'invalid_value');
	return undefined;
}

function search(request: CapturedRequest, files: FileStore, record: VectorStoreRecord): StoreOutcome {
	const body = bodyOf(request);
	if ('kind' in body) return body as StoreOutcome;
	const queries = typeof body.query === 'string' ? [body.query] : Array.isArray(body.query) ? body.query.map(String) : undefined;
	if (!queries || !queries.join('').trim()) return missing('query');
	const max = body.max_num_results === undefined ? 10 : Number(body.max_num_results);
	if (!Number.isInteger(max) || max < 1 || max > 50) return apiError(400, "Invalid 'max_num_results': expected 1 to 50.", 'max_num_results', 'invalid_value');
	const problem = filterError(body.filters);
	if (problem) return problem;
	const ranking = isRecord(body.ranking_options) ? body.ranking_options : {};
	if (ranking.ranker !== undefined && !['none', 'auto', 'default-2024-11-15'].includes(String(ranking.ranker))) {
		return apiError(400, `Invalid 'ranking_options.ranker': '${String(ranking.ranker)}'.`, 'ranking_options.ranker', 'invalid_value');
	}
	const threshold = Number(ranking.score_threshold ?? 0);
	const searched = body.rewrite_query === true ? queries.map((query) => wordsOf(query).join(' ')) : queries;
	const queryWords = searched.flatMap(wordsOf);
	const hits: JsonObject[] = [];
	for (const file of record.files.values()) {
		const attributes = (file.attributes ?? {}) as Record<string, AttributeValue>;
		if (file.status !== 'completed' || !passesFilter(body.filters, attributes)) continue;
		const uploaded = files.files.get(String(file.id));
		for (const chunk of chunksOf(uploaded?.data.toString('utf8') ?? '')) {
			const score = scoreOf(queryWords, chunk);
			if (score > 0 && score >= threshold) {
				hits.push({ file_id: file.id, filename: uploaded?.object.filename ?? '', score, attributes, content: [{ type: 'text', text: chunk }] });
			}
		}
	}
	// Stable: equal scores keep the files' order.
	hits.sort((a, b) => Number(b.score) - Number(a.score));
	return json({ object: 'vector_store.search_results.page', search_query: searched, data: hits.slice(0, max), has_more: false, next_page: null });
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export type VectorStoreOperation =
	| 'list'
	| 'create'
	| 'get'
	| 'modify'
	| 'delete'
	| 'search'
	| 'fileList'
	| 'fileAdd'
	| 'fileGet'
	| 'fileUpdate'
	| 'fileDelete'
	| 'fileContent'
	| 'batchCreate'
	| 'batchGet'
	| 'batchCancel'
	| 'batchFiles';

export interface VectorStoreRoute {
	kind: 'vectorStore';
	operation: VectorStoreOperation;
	/** Path after the prefix, e.g. '/vector_stores/vs_000001/files'. */
	path: string;
	storeId?: string;
	fileId?: string;
	batchId?: string;
}

const ID = '([^/]+)';
const ROUTES: ReadonlyArray<{ operation: VectorStoreOperation; method: string; pattern: RegExp; ids: Array<'storeId' | 'fileId' | 'batchId'> }> = [
	{ operation: 'list', method: 'GET', pattern: /\/vector_stores$/, ids: [] },
	{ operation: 'create', method: 'POST', pattern: /\/vector_stores$/, ids: [] },
	{ operation: 'get', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}$`), ids: ['storeId'] },
	{ operation: 'modify', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}$`), ids: ['storeId'] },
	{ operation: 'delete', method: 'DELETE', pattern: new RegExp(`/vector_stores/${ID}$`), ids: ['storeId'] },
	{ operation: 'search', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}/search$`), ids: ['storeId'] },
	{ operation: 'fileList', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}/files$`), ids: ['storeId'] },
	{ operation: 'fileAdd', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}/files$`), ids: ['storeId'] },
	{ operation: 'fileContent', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}/files/${ID}/content$`), ids: ['storeId', 'fileId'] },
	{ operation: 'fileGet', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}/files/${ID}$`), ids: ['storeId', 'fileId'] },
	{ operation: 'fileUpdate', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}/files/${ID}$`), ids: ['storeId', 'fileId'] },
	{ operation: 'fileDelete', method: 'DELETE', pattern: new RegExp(`/vector_stores/${ID}/files/${ID}$`), ids: ['storeId', 'fileId'] },
	{ operation: 'batchCreate', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}/file_batches$`), ids: ['storeId'] },
	{ operation: 'batchGet', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}/file_batches/${ID}$`), ids: ['storeId', 'batchId'] },
	{ operation: 'batchCancel', method: 'POST', pattern: new RegExp(`/vector_stores/${ID}/file_batches/${ID}/cancel$`), ids: ['storeId', 'batchId'] },
	{ operation: 'batchFiles', method: 'GET', pattern: new RegExp(`/vector_stores/${ID}/file_batches/${ID}/files$`), ids: ['storeId', 'batchId'] },
];

function decode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/** The vector store endpoint of a request; undefined for other paths and for a method a path has not. */
export function matchVectorStoreRoute(method: string, pathname: string): VectorStoreRoute | undefined {
	for (const route of ROUTES) {
		const match = route.pattern.exec(pathname);
		if (!match || route.method !== method) continue;
		const ids = Object.fromEntries(route.ids.map((name, index) => [name, decode(match[index + 1])]));
		return { kind: 'vectorStore', operation: route.operation, path: match[0], ...ids };
	}
	return undefined;
}

/** Creates a store straight in the state, as POST /vector_stores with this body would (for synchronous set-ups). */
export function seedVectorStore(state: VectorStoreState, files: FileStore, body: JsonObject): JsonObject {
	const outcome = createStore({ rawBody: JSON.stringify(body), body } as CapturedRequest, state, files);
	if (outcome.kind !== 'json' || outcome.status !== 200) throw new Error(`seeding a vector store failed: ${JSON.stringify(outcome)}`);
	return outcome.payload as JsonObject;
}

export function dispatchVectorStore(route: VectorStoreRoute, request: CapturedRequest, state: VectorStoreState, files: FileStore): StoreOutcome {
	if (route.operation === 'list') return listPage([...state.stores.values()].map(refreshStore), queryOf(request), state.maxPerPage);
	if (route.operation === 'create') return createStore(request, state, files);
	const record = state.stores.get(route.storeId!);
	if (!record) return noStore(route.storeId!);
	const storeId = route.storeId!;
	switch (route.operation) {
		case 'get':
			return json(refreshStore(record));
		case 'modify':
			return modifyStore(request, record);
		case 'delete':
			state.stores.delete(storeId);
			return json({ id: storeId, object: 'vector_store.deleted', deleted: true });
		case 'search':
			return search(request, files, record);
		case 'fileList':
			return listFiles(request, state, [...record.files.values()]);
		case 'fileAdd':
			return addFile(request, state, files, record);
		case 'batchCreate':
			return createBatch(request, state, files, record);
		default:
			break;
	}
	if (route.batchId !== undefined) {
		const batch = state.batches.get(route.batchId);
		if (!batch || batch.object.vector_store_id !== storeId) return apiError(404, `No file batch found with id '${route.batchId}'.`, null, 'not_found');
		if (route.operation === 'batchGet') return pollBatch(state, files, batch, record);
		if (route.operation === 'batchCancel') return cancelBatch(batch, record);
		const inBatch = batch.fileIds.map((id) => record.files.get(id)).filter((file): file is JsonObject => !!file);
		return listFiles(request, state, inBatch);
	}
	const file = record.files.get(route.fileId!);
	if (!file) return noStoreFile(storeId, route.fileId!);
	switch (route.operation) {
		case 'fileGet':
			return json(file);
		case 'fileUpdate':
			return updateAttributes(request, file);
		case 'fileDelete':
			record.files.delete(route.fileId!);
			refreshStore(record);
			return json({ id: route.fileId, object: 'vector_store.file.deleted', deleted: true });
		default:
			return fileContent(files, file);
	}
}
