import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
	PostReceiveAction,
	PreSendAction,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import { describeHttpFailure } from '../../transport/errors';
import { fileField, multipartRequest, textFields } from '../../transport/multipart';
import { requestWithRetries, sendWithRetries } from '../../transport/send';
import { parseJsonText } from '../../fields/validation';
import { InvalidParameter, invalidParameterError } from '../../transport/errors';
import { asResource } from './context';
import {
	gatheringOf,
	joinGathering,
	leaveGathering,
	newGathering,
	recordFailure,
	recordLine,
	type BatchLine,
	type Spacing,
	whenSettled,
} from './gather';
import { BATCH_LIMITS, splitIntoFiles } from './lines';
import { type Outcome, outcomesInOrder, parseJsonLines, type ResultLine, submittedLines } from './results';
import { responseLines } from '../../transport/download';
import { inlineStoredFiles } from '../../transport/attachments';
import { rememberSentBody } from '../../transport/sent-request';

/** A synchronous operation a batch can run: its resource, endpoint and hooks. */
export interface BatchTarget {
	resource: string;
	/** Path under /v1, as the synchronous request uses it: '/chat/completions'. */
	url: string;
	preSend: PreSendAction[];
	postReceive: PostReceiveAction[];
}

export type BatchTargets = Readonly<Record<string, BatchTarget>>;

export const TERMINAL_STATUSES = ['completed', 'failed', 'expired', 'cancelled'];

type Batch = IDataObject & { id: string; status: string };

function canceled(context: IExecuteSingleFunctions, what: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), 'The execution was canceled', {
		itemIndex: context.getItemIndex(),
		description: what,
	});
}

/** The node error to throw for anything a hook caught: n8n's own errors as they are. */
function nodeErrorOf(context: IExecuteSingleFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error as Error, { itemIndex: context.getItemIndex() });
}

function spacingOf(context: IExecuteSingleFunctions): Spacing {
	const batch = context.getNodeParameter('requestOptions.batching.batch', {}) as { batchSize?: number; batchInterval?: number };
	return { size: Number(batch?.batchSize ?? 0), intervalMs: Number(batch?.batchInterval ?? 0) };
}

function itemCount(context: IExecuteSingleFunctions): number {
	return context.getWorkflowDataProxy(context.getItemIndex()).$input.all().length;
}

/**
 * preSend of Create from input items: runs the batched operation's own preSend chain (its checks and body
 * building, as for the synchronous request), then records the item's request line for the run's batch.
 */
export function gatherLine(target: BatchTarget) {
	return async function gatherBatchLine(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		// Synchronous up to here: RoutingNode's loop has not yet moved to the next item.
		const gathering = joinGathering(this, () => newGathering(itemCount(this), spacingOf(this)));
		const item = this.getItemIndex();
		try {
			const context = asResource(this, target.resource);
			let options = requestOptions;
			for (const step of target.preSend) options = await step.call(context, options);
			const body = options.body as IDataObject;
			if (body.stream === true) {
				throw invalidParameterError(this, new InvalidParameter('Stream', 'must be off in a batch, which returns whole answers'));
			}
			await inlineStoredFiles(body);
			const customId = String(this.getNodeParameter('batchCustomId', '') ?? '').trim() || `item-${item}`;
			recordLine(gathering, item, { custom_id: customId, method: 'POST', url: `/v1${target.url}`, body });
			return requestOptions;
		} catch (error) {
			recordFailure(gathering, item);
			throw nodeErrorOf(this, error);
		}
	};
}

/** Metadata and output expiry of the batch Options, checked as the API would. */
function batchSettings(context: IExecuteSingleFunctions): IDataObject {
	const settings: IDataObject = { completion_window: '24h' };
	const metadataText = context.getNodeParameter('batchOptions.metadata', '') as string | IDataObject;
	if (metadataText !== '' && metadataText !== '{}') {
		const metadata = typeof metadataText === 'string' ? parseJsonText('Metadata', metadataText) : metadataText;
		if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) throw new InvalidParameter('Metadata', 'must be a JSON object');
		const entries = Object.entries(metadata as IDataObject);
		if (entries.length > 16) throw new InvalidParameter('Metadata', `allows at most 16 keys, got ${entries.length}`);
		for (const [key, value] of entries) {
			if (typeof value !== 'string') throw new InvalidParameter('Metadata', `value of "${key}" must be a string`);
			if (key.length > 64 || value.length > 512) throw new InvalidParameter('Metadata', `"${key}" is too long (keys up to 64, values up to 512 characters)`);
		}
		settings.metadata = metadata as IDataObject;
	}
	const hours = context.getNodeParameter('batchOptions.outputExpiresAfterHours', 0) as number;
	if (hours) {
		if (!(hours >= 1 && hours <= 720)) throw new InvalidParameter('Output Expires After (Hours)', 'must be between 1 and 720');
		settings.output_expires_after = { anchor: 'created_at', seconds: Math.round(hours * 3600) };
	}
	return settings;
}

function checkedSettings(context: IExecuteSingleFunctions): IDataObject {
	try {
		return batchSettings(context);
	} catch (error) {
		throw error instanceof InvalidParameter ? invalidParameterError(context, error) : nodeErrorOf(context, error);
	}
}

/** preSend of Create from a file: the fixed completion window and the Options. */
export async function prepareFileBatch(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return { ...requestOptions, body: { ...(requestOptions.body as IDataObject), ...checkedSettings(this) } };
}

interface Entry {
	item: number;
	line: BatchLine;
}

/** Items whose custom ID an earlier item already uses, with that earlier item. */
export function duplicateIds(entries: readonly Entry[]): Map<number, number> {
	const owner = new Map<string, number>();
	const duplicates = new Map<number, number>();
	for (const { item, line } of entries) {
		const first = owner.get(line.custom_id);
		if (first === undefined) owner.set(line.custom_id, item);
		else duplicates.set(item, first);
	}
	return duplicates;
}

async function uploadAndCreate(context: IExecuteSingleFunctions, text: string, url: string, settings: IDataObject, part: number): Promise<Batch> {
	const upload = multipartRequest({ method: 'POST', url: '/files', json: true }, [
		...textFields({ purpose: 'batch' }),
		fileField('file', { data: Buffer.from(text, 'utf8'), fileName: `n8n-batch-${part}.jsonl`, contentType: 'application/jsonl' }),
	]);
	const file = (await requestWithRetries(context, upload)).body as IDataObject;
	const created = await requestWithRetries(context, {
		method: 'POST',
		url: '/batches',
		json: true,
		body: { input_file_id: file.id, endpoint: url, ...settings },
	});
	return created.body as Batch;
}

/**
 * Pagination hook of Create from input items. Every item's hook waits until the run's lines are gathered;
 * the lowest item with a line uploads them (split at the API's limits) and creates one batch per file.
 * Nothing is uploaded when an item failed, unless Continue On Fail leaves it out.
 */
export function submitGathered(target: BatchTarget) {
	return async function submitGatheredLines(
		this: IExecutePaginationFunctions,
		_requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		return await submit(this, target);
	};
}

async function submit(context: IExecutePaginationFunctions, target: BatchTarget): Promise<INodeExecutionData[]> {
	const gathering = gatheringOf(context);
	const item = context.getItemIndex();
	if (!gathering) return [];
	let settled;
	try {
		settled = await whenSettled(gathering, context.getExecutionCancelSignal?.());
	} catch {
		throw canceled(context, 'Stopped while the items of the batch were gathered. Nothing was uploaded.');
	} finally {
		leaveGathering(context, gathering);
	}
	const continueOnFail = context.continueOnFail();
	const duplicates = duplicateIds(settled.lines);
	const firstOwner = duplicates.get(item);
	if (firstOwner !== undefined) {
		const customId = settled.lines.find((entry) => entry.item === item)?.line.custom_id;
		throw invalidParameterError(context, new InvalidParameter('Custom ID', `"${customId}" is already used by item ${firstOwner}; each request line needs its own`));
	}
	if (!continueOnFail && (settled.lost.length || duplicates.size)) return [];
	const entries = settled.lines.filter((entry) => !duplicates.has(entry.item));
	if (entries[0]?.item !== item) return [];

	const settings = checkedSettings(context);
	const url = entries[0].line.url;
	const chunks = splitIntoFiles(entries, (entry) => entry.line, BATCH_LIMITS, (entry, bytes) =>
		new NodeOperationError(context.getNode(), `Item ${entry.item} makes a request line that no batch input file can hold`, {
			itemIndex: entry.item,
			description: `Its line has ${bytes} bytes or more embedding inputs than one batch allows (${BATCH_LIMITS.bytes} bytes, ${BATCH_LIMITS.embeddingInputs} inputs). Nothing was uploaded.`,
		}),
	);
	const results: INodeExecutionData[] = [];
	for (const [index, chunk] of chunks.entries()) {
		let batch: Batch;
		try {
			// The batched operation's Max Retries applies to the upload and the create.
			batch = await uploadAndCreate(asResource(context, target.resource), chunk.text, url, settings, index + 1);
		} catch (error) {
			const failure = nodeErrorOf(context, error);
			if (results.length) {
				const created = results.map((result) => result.json.id).join(', ');
				failure.description = `${failure.description ?? ''}\nAlready created before this failure: ${created}.`.trim();
			}
			throw failure;
		}
		results.push({
			json: { ...batch, custom_ids: chunk.entries.map((entry) => entry.line.custom_id) },
			pairedItem: chunk.entries.map((entry) => ({ item: entry.item })),
		});
	}
	return results;
}

/** The wait before the next poll: 1.5 times the last, at most five minutes. */
export function nextPollMs(lastMs: number): number {
	return Math.min(Math.round(lastMs * 1.5), 5 * 60_000);
}

/**
 * Pagination hook of Wait for Completion: polls the batch with growing intervals until it reaches a
 * final status or Max Wait has passed, then returns it as it is. Stopping the execution ends a wait at once.
 */
export async function waitForBatch(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const maxWaitMs = (this.getNodeParameter('batchMaxWait', 60) as number) * 60_000;
	let intervalMs = Math.max(10, (this.getNodeParameter('batchOptions.pollInterval', 5) as number) * 1000);
	const signal = this.getExecutionCancelSignal?.();
	const started = Date.now();
	for (;;) {
		const [answer] = await sendWithRetries.call(this, requestData);
		const batch = (answer?.json ?? {}) as Batch;
		const waited = Date.now() - started;
		if (TERMINAL_STATUSES.includes(batch.status) || waited >= maxWaitMs) {
			return [{ json: batch, pairedItem: { item: this.getItemIndex() } }];
		}
		const pause = Math.min(intervalMs, maxWaitMs - waited);
		try {
			await sleep(pause, signal);
		} catch {
			throw canceled(this, `Stopped while waiting for batch ${batch.id} (status ${batch.status}). The batch itself keeps running; cancel it with Batch → Cancel.`);
		}
		intervalMs = nextPollMs(intervalMs);
	}
}

/** Pagination of List: one item per batch, all pages with Return All. */
export async function listBatches(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const returnAll = this.getNodeParameter('batchReturnAll', false) as boolean;
	const batches: IDataObject[] = [];
	let after: string | undefined;
	for (;;) {
		const qs = { ...requestData.options.qs, ...(after ? { after } : {}) };
		const [page] = await sendWithRetries.call(this, { ...requestData, options: { ...requestData.options, qs } });
		const body = (page?.json ?? {}) as { data?: IDataObject[]; has_more?: boolean; last_id?: string };
		batches.push(...(body.data ?? []));
		const last = body.last_id ?? (body.data?.at(-1)?.id as string | undefined);
		if (!returnAll || body.has_more !== true || !last || last === after) break;
		after = last;
	}
	const item = this.getItemIndex();
	return batches.map((json) => ({ json, pairedItem: { item } }));
}

/** A batch file's lines, read as they arrive (streamed), never as one string. */
async function* fileLines(context: IExecuteSingleFunctions, fileId: string): AsyncGenerator<string> {
	const request = { method: 'GET' as const, url: `/files/${encodeURIComponent(fileId)}/content`, encoding: 'stream' as const, json: false };
	yield* responseLines(context, await requestWithRetries(context, request), fileId);
}

function failureOfOutcome(outcome: Exclude<Outcome, { kind: 'answer' }>, batch: Batch) {
	if (outcome.kind === 'missing') {
		return {
			status: undefined,
			message: `The request was not run: the batch ended as ${batch.status}`,
			type: undefined,
			code: `batch_${batch.status}`,
			description: `Batch ${batch.id} ended as ${batch.status} before this request ran.`,
		};
	}
	if (outcome.error) {
		return {
			status: undefined,
			message: outcome.error.message ?? `The request failed with ${outcome.error.code}`,
			type: undefined,
			code: outcome.error.code,
			description: `Batch ${batch.id}: ${outcome.error.code ?? 'error'}.`,
		};
	}
	const failure = describeHttpFailure(outcome.status ?? 500, undefined, outcome.body);
	const error = ((outcome.body as { error?: IDataObject } | undefined)?.error ?? {}) as IDataObject;
	return { status: outcome.status, message: failure.message, type: error.type, code: error.code, description: failure.description };
}

/** The items of one answered line: the synchronous operation's output hooks, then its custom_id. */
async function shapeAnswer(
	context: IExecuteSingleFunctions,
	target: BatchTarget,
	body: IDataObject,
	simplify: boolean,
	customId: string,
	sent: IDataObject,
): Promise<INodeExecutionData[]> {
	const shaped = asResource(context, target.resource, (name) => {
		if (name === `${target.resource}Simplify`) return { value: simplify };
		if (name.startsWith(`${target.resource}Options`)) return { value: undefined };
		return undefined;
	});
	// Output hooks that read the request body (the prompt, the model) find the line's.
	await rememberSentBody.call(shaped, { body: sent } as IHttpRequestOptions);
	const response = { body, headers: {}, statusCode: 200, statusMessage: 'OK' } as IN8nHttpFullResponse;
	let items: INodeExecutionData[] = [{ json: body, pairedItem: { item: context.getItemIndex() } }];
	for (const step of target.postReceive) {
		if (typeof step === 'function') items = await step.call(shaped, items, response);
	}
	return items.map((entry) => ({ ...entry, json: { custom_id: customId, ...entry.json } }));
}

/**
 * postReceive of Get Results: downloads the batch's input, output and error files and returns one result
 * per submitted line, in the order submitted, shaped as the synchronous operation's output. A line that
 * failed, expired or never ran fails the run, or becomes an error item under Continue On Fail.
 */
export function batchResults(targets: BatchTargets) {
	return async function readBatchResults(
		this: IExecuteSingleFunctions,
		_items: INodeExecutionData[],
		response: IN8nHttpFullResponse,
	): Promise<INodeExecutionData[]> {
		const batch = response.body as Batch;
		const itemIndex = this.getItemIndex();
		if (!TERMINAL_STATUSES.includes(batch.status)) {
			throw new NodeOperationError(this.getNode(), `Batch ${batch.id} is ${batch.status}: its results are not ready yet`, {
				itemIndex,
				description: 'Run Batch → Wait for Completion first, or check back later (a Wait node in a loop).',
			});
		}
		const target = Object.values(targets).find((candidate) => `/v1${candidate.url}` === batch.endpoint);
		if (!target) {
			throw new NodeOperationError(this.getNode(), `Batches for ${String(batch.endpoint)} have no matching operation in this node`, {
				itemIndex,
				description: 'Download the output file with File → Download instead.',
			});
		}
		const fail = (message: string) => new NodeOperationError(this.getNode(), message, { itemIndex, description: `Batch ${batch.id}` });
		const submitted = await submittedLines(fileLines(this, String(batch.input_file_id)), fail);
		const ids = submitted.map((line) => line.customId);
		const output = batch.output_file_id ? await parseJsonLines<ResultLine>(fileLines(this, String(batch.output_file_id)), 'output file', fail) : [];
		const errors = batch.error_file_id ? await parseJsonLines<ResultLine>(fileLines(this, String(batch.error_file_id)), 'error file', fail) : [];
		const simplify = this.getNodeParameter('batchSimplify', true) as boolean;
		const continueOnFail = this.continueOnFail();
		const results: INodeExecutionData[] = [];
		for (const outcome of outcomesInOrder(ids, output, errors)) {
			if (outcome.kind === 'answer') {
				const sent = submitted[outcome.line - 1].body;
				results.push(...(await shapeAnswer(this, target, outcome.body, simplify, outcome.customId, sent)));
				continue;
			}
			const failure = failureOfOutcome(outcome, batch);
			const message = `Request "${outcome.customId}" (line ${outcome.line}) failed: ${failure.message}`;
			const error = new NodeApiError(this.getNode(), { message: failure.message, status: failure.status ?? null } as JsonObject, {
				message,
				description: failure.description,
				httpCode: failure.status === undefined ? undefined : String(failure.status),
				itemIndex,
			});
			if (!continueOnFail) throw error;
			const details = { message: failure.message, type: failure.type, code: failure.code, status: failure.status, line: outcome.line };
			// n8n's Continue On Fail shape, json.error, keeping the custom_id beside it.
			results.push({ json: { custom_id: outcome.customId, error: details as IDataObject }, pairedItem: { item: itemIndex } });
		}
		return results;
	};
}
