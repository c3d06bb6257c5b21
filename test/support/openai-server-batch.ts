/**
 * The test server's Batch API: POST/GET /batches, GET /batches/{id}, POST /batches/{id}/cancel.
 *
 * A batch moves one state per poll of GET /batches/{id} (after `plan.pollsPerState` polls):
 * validating → in_progress → finalizing → completed, or failed (bad input), expired (the lines after
 * `plan.answeredLines` go to the error file as `batch_expired`) or, after cancel, cancelling → cancelled
 * (only the first `plan.answeredLines` lines are answered; the rest have no line at all). Each input line
 * is answered by the server's own endpoint handler; the output file lists the lines in reverse order,
 * as OpenAI does not keep the input order either.
 */
import type { FileStore } from './openai-server-binary';
import { FIXED_CREATED, openAiErrorBody } from './openai-server';

export type BatchStatus = 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';

export const BATCH_ENDPOINTS = [
	'/v1/responses',
	'/v1/chat/completions',
	'/v1/embeddings',
	'/v1/completions',
	'/v1/moderations',
	'/v1/images/generations',
	'/v1/images/edits',
	'/v1/videos',
];

export interface BatchPlan {
	/** How a batch that passes validation ends unless cancelled. */
	outcome: 'completed' | 'expired';
	/** Polls a batch spends in each of validating, in_progress and finalizing. */
	pollsPerState: number;
	/** Lines answered before an expiry or a cancel. */
	answeredLines: number;
	/** Keeps every batch in_progress (for waits that must be stopped). */
	hold: boolean;
}

export interface BatchRecord {
	object: Record<string, unknown> & { id: string; status: BatchStatus };
	polls: number;
}

export interface BatchStore {
	batches: Map<string, BatchRecord>;
	nextNumber: number;
	plan: BatchPlan;
	/** The API's limits of an input file, small in tests. */
	limits: { requests: number; bytes: number; embeddingInputs: number };
	/** Page size cap of GET /batches. */
	maxBatchesPerPage: number;
}

export const DEFAULT_BATCH_PLAN: Readonly<BatchPlan> = Object.freeze({ outcome: 'completed', pollsPerState: 1, answeredLines: Infinity, hold: false });
export const DEFAULT_BATCH_LIMITS = Object.freeze({ requests: 50_000, bytes: 200 * 1024 * 1024, embeddingInputs: 50_000 });

export function createBatchStore(): BatchStore {
	return { batches: new Map(), nextNumber: 0, plan: { ...DEFAULT_BATCH_PLAN }, limits: { ...DEFAULT_BATCH_LIMITS }, maxBatchesPerPage: 100 };
}

export function resetBatchStore(store: BatchStore): void {
	store.batches.clear();
	store.nextNumber = 0;
	store.plan = { ...DEFAULT_BATCH_PLAN };
	store.limits = { ...DEFAULT_BATCH_LIMITS };
	store.maxBatchesPerPage = 100;
}

export type BatchRoute =
	| { operation: 'create' | 'list'; path: string }
	| { operation: 'get' | 'cancel'; path: string; batchId: string };

/** The batch route of a request; undefined for every other path. */
export function matchBatchRoute(method: string, pathname: string): BatchRoute | undefined {
	const list = /\/batches$/.exec(pathname);
	if (list) {
		if (method === 'POST') return { operation: 'create', path: list[0] };
		if (method === 'GET') return { operation: 'list', path: list[0] };
		return undefined;
	}
	const one = /\/batches\/([^/]+)(\/cancel)?$/.exec(pathname);
	if (!one) return undefined;
	const batchId = decodeURIComponent(one[1]);
	if (one[2] && method === 'POST') return { operation: 'cancel', path: one[0], batchId };
	if (!one[2] && method === 'GET') return { operation: 'get', path: one[0], batchId };
	return undefined;
}

/** The answer of the server's own endpoint to one request line. */
export type LineAnswer = (url: string, body: unknown) => { status: number; payload: unknown };

export interface BatchContext {
	store: BatchStore;
	files: FileStore;
	answer: LineAnswer;
	requestId: () => string;
}

export type BatchOutcome = { status: number; payload: unknown };

function apiError(status: number, message: string, param: string | null = null, code: string | null = null): BatchOutcome {
	return { status, payload: openAiErrorBody(message, 'invalid_request_error', param, code) };
}

const now = () => Math.floor(Date.now() / 1000);

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function storeFile(files: FileStore, fileName: string, purpose: string, data: Buffer): string {
	const number = ++files.nextNumber;
	const id = `file-${String(number).padStart(6, '0')}`;
	const object = {
		id,
		object: 'file',
		bytes: data.length,
		created_at: FIXED_CREATED + number,
		expires_at: null,
		filename: fileName,
		purpose,
		status: 'processed',
		status_details: null,
	};
	files.files.set(id, { object, data });
	return id;
}

function handleCreate(body: unknown, context: BatchContext): BatchOutcome {
	if (!isObject(body)) return apiError(400, 'Invalid type for request body: expected an object.');
	for (const key of ['input_file_id', 'endpoint', 'completion_window']) {
		if (body[key] === undefined) return apiError(400, `Missing required parameter: '${key}'.`, key, 'missing_required_parameter');
	}
	if (!BATCH_ENDPOINTS.includes(String(body.endpoint))) {
		return apiError(400, `Invalid value: '${String(body.endpoint)}'. Supported values are: ${BATCH_ENDPOINTS.map((e) => `'${e}'`).join(', ')}.`, 'endpoint', 'invalid_value');
	}
	if (body.completion_window !== '24h') return apiError(400, `Invalid value: '${String(body.completion_window)}'. Supported values are: '24h'.`, 'completion_window', 'invalid_value');
	const file = context.files.files.get(String(body.input_file_id));
	if (!file) return apiError(404, `No such File object: ${String(body.input_file_id)}`, 'input_file_id');
	if (file.object.purpose !== 'batch') {
		return apiError(400, `The file ${String(body.input_file_id)} was uploaded with purpose '${String(file.object.purpose)}'; a batch needs purpose 'batch'.`, 'input_file_id', 'invalid_file_purpose');
	}
	if (body.metadata !== undefined && (!isObject(body.metadata) || Object.keys(body.metadata).length > 16)) {
		return apiError(400, 'Invalid metadata: up to 16 string key-value pairs.', 'metadata');
	}
	const expiry = body.output_expires_after;
	if (expiry !== undefined && (!isObject(expiry) || expiry.anchor !== 'created_at' || !Number.isInteger(expiry.seconds) || (expiry.seconds as number) < 3600 || (expiry.seconds as number) > 2592000)) {
		return apiError(400, 'Invalid output_expires_after: anchor created_at and seconds from 3600 to 2592000.', 'output_expires_after');
	}
	const number = ++context.store.nextNumber;
	const id = `batch_${String(number).padStart(6, '0')}`;
	const object: BatchRecord['object'] = {
		id,
		object: 'batch',
		endpoint: String(body.endpoint),
		model: null,
		errors: null,
		input_file_id: String(body.input_file_id),
		completion_window: '24h',
		status: 'validating',
		output_file_id: null,
		error_file_id: null,
		created_at: now(),
		in_progress_at: null,
		expires_at: now() + 86400,
		finalizing_at: null,
		completed_at: null,
		failed_at: null,
		expired_at: null,
		cancelling_at: null,
		cancelled_at: null,
		request_counts: { total: 0, completed: 0, failed: 0 },
		metadata: (body.metadata as Record<string, unknown> | undefined) ?? null,
		...(expiry ? { output_expires_after: expiry } : {}),
	};
	context.store.batches.set(id, { object, polls: 0 });
	return { status: 200, payload: object };
}

interface InputLine {
	custom_id: string;
	url: string;
	body: unknown;
}

type LineCheck = { lines: InputLine[] } | { errors: Array<{ code: string; message: string; param: string | null; line: number | null }> };

/** The checks OpenAI runs while a batch is validating. */
export function checkInputFile(data: Buffer, endpoint: string, limits: BatchStore['limits']): LineCheck {
	const fail = (code: string, message: string, line: number | null = null, param: string | null = null): LineCheck => ({ errors: [{ code, message, param, line }] });
	if (data.length > limits.bytes) return fail('file_too_large', `The input file is larger than ${limits.bytes} bytes.`);
	const texts = data.toString('utf8').split('\n').filter((line) => line.trim() !== '');
	if (texts.length === 0) return fail('empty_file', 'The input file is empty.');
	if (texts.length > limits.requests) return fail('too_many_requests', `The input file has ${texts.length} requests; the limit is ${limits.requests}.`);
	const lines: InputLine[] = [];
	const seen = new Set<string>();
	let embeddingInputs = 0;
	for (const [index, text] of texts.entries()) {
		const lineNumber = index + 1;
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return fail('invalid_json_line', 'This line is not parseable as valid JSON.', lineNumber);
		}
		if (!isObject(parsed)) return fail('invalid_json_line', 'This line is not a JSON object.', lineNumber);
		if (typeof parsed.custom_id !== 'string' || parsed.custom_id === '') return fail('missing_required_parameter', 'Missing custom_id.', lineNumber, 'custom_id');
		if (seen.has(parsed.custom_id)) return fail('duplicate_custom_id', `The custom_id ${parsed.custom_id} is used more than once.`, lineNumber, 'custom_id');
		seen.add(parsed.custom_id);
		if (parsed.method !== 'POST') return fail('invalid_method', 'The method must be POST.', lineNumber, 'method');
		if (parsed.url !== endpoint) return fail('mismatched_endpoint', `The url ${String(parsed.url)} does not match the batch endpoint ${endpoint}.`, lineNumber, 'url');
		if (!isObject(parsed.body)) return fail('invalid_request', 'The body must be a JSON object.', lineNumber, 'body');
		if (endpoint === '/v1/embeddings') embeddingInputs += Array.isArray(parsed.body.input) ? parsed.body.input.length : 1;
		lines.push({ custom_id: parsed.custom_id, url: parsed.url, body: parsed.body });
	}
	if (embeddingInputs > limits.embeddingInputs) return fail('too_many_embedding_inputs', `The batch has ${embeddingInputs} embedding inputs; the limit is ${limits.embeddingInputs}.`);
	return { lines };
}

function jsonl(rows: unknown[]): Buffer {
	return Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''), 'utf8');
}

/** Answers the lines and writes the output and error files; `answered` lines run, the rest get `missing`. */
function finish(record: BatchRecord, context: BatchContext, lines: InputLine[], answered: number, missing: 'batch_expired' | null): void {
	const batch = record.object;
	const output: unknown[] = [];
	const errors: unknown[] = [];
	let completed = 0;
	let failed = 0;
	for (const [index, line] of lines.entries()) {
		const id = `batch_req_${batch.id.slice(6)}_${String(index).padStart(6, '0')}`;
		if (index >= answered) {
			if (missing) {
				errors.push({ id, custom_id: line.custom_id, response: null, error: { code: missing, message: 'This request could not be executed before the completion window expired.' } });
				failed++;
			}
			continue;
		}
		const { status, payload } = context.answer(line.url, line.body);
		const row = { id, custom_id: line.custom_id, response: { status_code: status, request_id: context.requestId(), body: payload }, error: null };
		if (status >= 200 && status < 300) {
			output.push(row);
			completed++;
		} else {
			errors.push(row);
			failed++;
		}
	}
	batch.request_counts = { total: lines.length, completed, failed };
	// OpenAI gives no order guarantee; reversed, so clients must restore it.
	if (output.length) batch.output_file_id = storeFile(context.files, `${batch.id}_output.jsonl`, 'batch_output', jsonl(output.reverse()));
	if (errors.length) batch.error_file_id = storeFile(context.files, `${batch.id}_error.jsonl`, 'batch_output', jsonl(errors.reverse()));
}

/** One poll: the batch moves on once it has spent `pollsPerState` polls in its state. */
function advance(record: BatchRecord, context: BatchContext): void {
	const batch = record.object;
	const { plan } = context.store;
	if (['completed', 'failed', 'expired', 'cancelled'].includes(batch.status)) return;
	if (batch.status !== 'cancelling' && ++record.polls < plan.pollsPerState) return;
	record.polls = 0;
	const file = context.files.files.get(String(batch.input_file_id));
	const checked = checkInputFile(file?.data ?? Buffer.alloc(0), String(batch.endpoint), context.store.limits);
	const time = now();
	if (batch.status === 'validating') {
		if ('errors' in checked) {
			Object.assign(batch, { status: 'failed', failed_at: time, errors: { object: 'list', data: checked.errors } });
			return;
		}
		const model = (checked.lines[0].body as Record<string, unknown>).model;
		Object.assign(batch, { status: 'in_progress', in_progress_at: time, model: typeof model === 'string' ? model : null });
		batch.request_counts = { total: checked.lines.length, completed: 0, failed: 0 };
		return;
	}
	const lines = 'lines' in checked ? checked.lines : [];
	if (batch.status === 'cancelling') {
		finish(record, context, lines, Math.min(plan.answeredLines, lines.length), null);
		Object.assign(batch, { status: 'cancelled', cancelled_at: time });
		return;
	}
	if (plan.hold) return;
	if (batch.status === 'in_progress' && plan.outcome === 'expired') {
		finish(record, context, lines, Math.min(plan.answeredLines, lines.length), 'batch_expired');
		Object.assign(batch, { status: 'expired', expired_at: time });
		return;
	}
	if (batch.status === 'in_progress') {
		Object.assign(batch, { status: 'finalizing', finalizing_at: time });
		return;
	}
	finish(record, context, lines, lines.length, null);
	Object.assign(batch, { status: 'completed', completed_at: time });
}

function handleList(query: URLSearchParams, store: BatchStore): BatchOutcome {
	const limit = Math.min(Number(query.get('limit') ?? 20), store.maxBatchesPerPage);
	if (!Number.isInteger(limit) || limit < 1 || limit > 100) return apiError(400, `Invalid 'limit': ${String(query.get('limit'))}`, 'limit');
	let batches = [...store.batches.values()].map((record) => record.object).reverse();
	const after = query.get('after');
	if (after) batches = batches.slice(batches.findIndex((batch) => batch.id === after) + 1);
	const data = batches.slice(0, limit);
	return { status: 200, payload: { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: batches.length > limit } };
}

export function dispatchBatch(route: BatchRoute, fullPath: string, body: unknown, context: BatchContext): BatchOutcome {
	if (route.operation === 'create') return handleCreate(body, context);
	if (!('batchId' in route)) return handleList(new URLSearchParams(fullPath.split('?')[1] ?? ''), context.store);
	const record = context.store.batches.get(route.batchId);
	if (!record) return apiError(404, `No batch found with id '${route.batchId}'.`, null, 'not_found');
	if (route.operation === 'get') {
		advance(record, context);
		return { status: 200, payload: record.object };
	}
	if (!['validating', 'in_progress', 'finalizing'].includes(record.object.status)) {
		return apiError(409, `Cannot cancel a batch with status '${record.object.status}'.`, null, 'batch_not_cancellable');
	}
	Object.assign(record.object, { status: 'cancelling', cancelling_at: now() });
	return { status: 200, payload: record.object };
}
