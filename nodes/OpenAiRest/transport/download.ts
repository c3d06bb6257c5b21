import type { IBinaryData, IExecuteSingleFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ByteStream } from './multipart';

type BinaryInput = Parameters<IExecuteSingleFunctions['helpers']['prepareBinaryData']>[0];

/** How far a body got before it failed. */
interface Progress {
	received: number;
	failed: boolean;
}

/** The bytes of a body, counted; a body that breaks off (not a reader that stops) is marked failed. */
async function* counted(body: ByteStream, progress: Progress): AsyncGenerator<Buffer> {
	let ended = false;
	let handedOver = false;
	try {
		for await (const chunk of body) {
			progress.received += chunk.length;
			handedOver = true;
			yield chunk;
			handedOver = false;
		}
		ended = true;
	} finally {
		progress.failed = !ended && !handedOver;
	}
}

function cutOff(context: IExecuteSingleFunctions, fileName: string, progress: Progress, response: IN8nHttpFullResponse, outcome: string): NodeOperationError {
	const announced = Number(response.headers?.['content-length'] ?? Number.NaN);
	const of = Number.isFinite(announced) ? ` of ${announced}` : '';
	return new NodeOperationError(context.getNode(), `The download of "${fileName}" was cut off after ${progress.received}${of} bytes`, {
		itemIndex: context.getItemIndex(),
		description: `The connection closed before the whole file arrived, so ${outcome}. Run the node again to download it.`,
	});
}

/** Whether the execution was stopped; a stop ends a body too, and is the caller's to report. */
const stopped = (context: IExecuteSingleFunctions) => context.getExecutionCancelSignal?.()?.aborted === true;

/**
 * Stores a response body asked for with `encoding: 'stream'` as binary data while it arrives, so the
 * file never sits in memory whole (in n8n's filesystem, database or S3 mode). A body that breaks off
 * fails with an error naming the file and the bytes that came; n8n keeps nothing of it.
 */
export async function streamToBinary(
	context: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	fileName: string,
	mimeType: string,
): Promise<IBinaryData> {
	const body = response.body as ByteStream | Buffer;
	if (Buffer.isBuffer(body)) {
		const binary = await context.helpers.prepareBinaryData(body, fileName, mimeType);
		return { ...binary, bytes: binary.bytes ?? body.length };
	}
	const progress: Progress = { received: 0, failed: false };
	const stream = body.constructor.from(counted(body, progress), { objectMode: false });
	let caught: unknown;
	try {
		const binary = await context.helpers.prepareBinaryData(stream as unknown as BinaryInput, fileName, mimeType);
		// n8n before 2.x does not count the bytes it stores.
		return { ...binary, bytes: binary.bytes ?? progress.received };
	} catch (error) {
		caught = error;
	} finally {
		if (!body.destroyed) body.destroy();
	}
	if (progress.failed && !stopped(context)) throw cutOff(context, fileName, progress, response, 'nothing was stored');
	throw caught;
}

/**
 * The lines of a response body asked for with `encoding: 'stream'` (e.g. a batch's JSONL output), read
 * as they arrive (see readLines). A body that breaks off fails with the same error as streamToBinary.
 */
export async function* responseLines(
	context: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
	fileName: string,
	maxLineBytes?: number,
): AsyncGenerator<string> {
	const body = response.body as ByteStream | Buffer;
	if (Buffer.isBuffer(body)) return yield* readLines([body], maxLineBytes);
	const progress: Progress = { received: 0, failed: false };
	let caught: unknown;
	try {
		return yield* readLines(counted(body, progress), maxLineBytes);
	} catch (error) {
		caught = error;
	} finally {
		if (!body.destroyed) body.destroy();
	}
	if (progress.failed && !stopped(context)) throw cutOff(context, fileName, progress, response, 'the lines read so far are not the whole file');
	throw caught;
}

/**
 * The lines of a streamed body as text (UTF-8; `\n` or `\r\n` line ends), one at a time, for files that
 * are read into items (a batch's JSONL output) without holding the file as one string. A last line
 * without a line end is yielded too; a line longer than `maxLineBytes` is an error.
 */
export async function* readLines(body: AsyncIterable<Buffer> | Iterable<Buffer>, maxLineBytes = 64 * 1024 * 1024): AsyncGenerator<string> {
	let pending: Buffer[] = [];
	let pendingBytes = 0;
	const take = (end: Buffer) => {
		const line = pending.length ? Buffer.concat([...pending, end]) : end;
		pending = [];
		pendingBytes = 0;
		return (line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line).toString('utf8');
	};
	for await (const chunk of body) {
		let start = 0;
		for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
			yield take(chunk.subarray(start, end));
			start = end + 1;
		}
		if (start < chunk.length) {
			pending.push(chunk.subarray(start));
			pendingBytes += chunk.length - start;
			if (pendingBytes > maxLineBytes) throw new Error(`A line is longer than ${maxLineBytes} bytes`);
		}
	}
	if (pendingBytes) yield take(Buffer.alloc(0));
}
