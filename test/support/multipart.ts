/**
 * A strict multipart/form-data parser for the test server and the conformance check: it throws on
 * anything a real server would reject (missing boundary, a part without Content-Disposition, a
 * missing closing delimiter), so tests see exactly what reached the wire.
 */
import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';

export interface ParsedPart {
	name: string;
	/** Set for file parts. */
	fileName?: string;
	/** The part's own Content-Type header, if any. */
	contentType?: string;
	data: Buffer;
	/** A file part spooled to disk (see spoolMultipart): what arrived, its `data` is empty. */
	received?: ReceivedFile;
	/** Where a spooled file part's bytes are. */
	path?: string;
}

/** What a file part arrived as, for assertions. */
export interface ReceivedFile {
	fileName: string;
	contentType: string | undefined;
	bytes: number;
	sha256: string;
}

export function sha256(data: Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

export function boundaryOf(contentType: string | undefined): string | undefined {
	const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? '');
	return match ? (match[1] ?? match[2]) : undefined;
}

function headerParameter(header: string, name: string): string | undefined {
	const match = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header);
	return match ? match[1] : undefined;
}

function parsePart(raw: Buffer): ParsedPart {
	const headerEnd = raw.indexOf('\r\n\r\n');
	if (headerEnd < 0) throw new Error('multipart: a part has no header block');
	const headers = raw.subarray(0, headerEnd).toString('utf8').split('\r\n');
	const disposition = headers.find((line) => /^content-disposition:/i.test(line));
	if (!disposition || !/^content-disposition:\s*form-data/i.test(disposition)) {
		throw new Error('multipart: a part has no Content-Disposition: form-data');
	}
	const name = headerParameter(disposition, 'name');
	if (name === undefined) throw new Error('multipart: a part has no name');
	const fileName = headerParameter(disposition, 'filename');
	const typeLine = headers.find((line) => /^content-type:/i.test(line));
	return {
		name,
		...(fileName !== undefined ? { fileName } : {}),
		...(typeLine ? { contentType: typeLine.slice(typeLine.indexOf(':') + 1).trim() } : {}),
		data: raw.subarray(headerEnd + 4),
	};
}

/** Splits a body into its parts; throws when the body is not well-formed multipart. */
export function parseMultipart(body: Buffer, contentType: string | undefined): ParsedPart[] {
	const boundary = boundaryOf(contentType);
	if (!boundary) throw new Error(`multipart: no boundary in Content-Type ${String(contentType)}`);
	const opening = Buffer.from(`--${boundary}\r\n`);
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	if (!body.subarray(0, opening.length).equals(opening)) throw new Error('multipart: body does not start with the boundary');
	const parts: ParsedPart[] = [];
	let start = opening.length;
	for (;;) {
		const end = body.indexOf(delimiter, start);
		if (end < 0) throw new Error('multipart: missing closing boundary');
		parts.push(parsePart(body.subarray(start, end)));
		const after = body.subarray(end + delimiter.length, end + delimiter.length + 2).toString('latin1');
		if (after === '--') return parts;
		if (after !== '\r\n') throw new Error('multipart: malformed boundary line');
		start = end + delimiter.length + 2;
	}
}

export function receivedFile(part: ParsedPart): ReceivedFile {
	if (part.received) return part.received;
	return { fileName: part.fileName ?? '', contentType: part.contentType, bytes: part.data.length, sha256: sha256(part.data) };
}

type FormValue = string | ReceivedFile | FormValue[] | { [key: string]: FormValue };
export type FormObject = Record<string, FormValue>;

/**
 * Rebuilds the JSON shape OpenAI reads from form fields: `name[]` repeated into an array, `name[key]`
 * into an object, file parts as ReceivedFile. A plain name given twice is an error.
 */
export function formObject(parts: ParsedPart[]): FormObject {
	const form: FormObject = {};
	for (const part of parts) {
		const value: FormValue = part.fileName !== undefined ? receivedFile(part) : part.data.toString('utf8');
		const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(part.name);
		if (!match) throw new Error(`multipart: malformed field name ${part.name}`);
		const keys = [match[1], ...[...match[2].matchAll(/\[([^\]]*)\]/g)].map((key) => key[1])];
		let target: Record<string, FormValue> = form;
		keys.forEach((key, position) => {
			const last = position === keys.length - 1;
			const nextIsArray = keys[position + 1] === '';
			if (key === '') return;
			if (last) {
				if (key in target) throw new Error(`multipart: field ${part.name} given twice`);
				target[key] = value;
				return;
			}
			if (nextIsArray) {
				const list = (target[key] ??= []) as FormValue[];
				if (!Array.isArray(list)) throw new Error(`multipart: field ${key} is both a value and an array`);
				list.push(value);
				return;
			}
			target = (target[key] ??= {}) as Record<string, FormValue>;
		});
	}
	return form;
}

/** A file part of a body too large to hold: its bytes went to a file on disk. */
export interface SpooledFile extends ReceivedFile {
	path: string;
}

/**
 * Parses a multipart body as it arrives, for bodies too large to hold: text parts are kept, each file
 * part is written to a file in `directory` and hashed on the way. As strict as parseMultipart.
 */
export async function spoolMultipart(
	body: AsyncIterable<Buffer>,
	contentType: string | undefined,
	directory: string,
): Promise<{ parts: ParsedPart[]; files: Map<ParsedPart, SpooledFile>; bytes: number }> {
	const boundary = boundaryOf(contentType);
	if (!boundary) throw new Error(`multipart: no boundary in Content-Type ${String(contentType)}`);
	// A leading CRLF makes the opening boundary look like every other delimiter.
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	const parts: ParsedPart[] = [];
	const files = new Map<ParsedPart, SpooledFile>();
	let pending: Buffer = Buffer.from('\r\n');
	let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
	let current: { part: ParsedPart; chunks: Buffer[]; sink?: { hash: Hash; handle: FileHandle; path: string; bytes: number } } | undefined;
	let bytes = 0;
	let fileCount = 0;

	const write = async (data: Buffer) => {
		if (!current || data.length === 0) return;
		if (!current.sink) return void current.chunks.push(data);
		current.sink.hash.update(data);
		current.sink.bytes += data.length;
		await current.sink.handle.write(data);
	};
	const finishPart = async () => {
		if (!current) return;
		const { part, chunks, sink } = current;
		if (sink) {
			await sink.handle.close();
			const file = { fileName: part.fileName ?? '', contentType: part.contentType, bytes: sink.bytes, sha256: sink.hash.digest('hex') };
			part.received = file;
			part.path = sink.path;
			files.set(part, { ...file, path: sink.path });
		} else {
			part.data = Buffer.concat(chunks);
		}
		parts.push(part);
		current = undefined;
	};

	for await (const chunk of body) {
		bytes += chunk.length;
		pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
		for (;;) {
			if (state === 'preamble' || state === 'body') {
				const at = pending.indexOf(delimiter);
				if (at < 0) {
					// Keep what could be the start of a delimiter split across chunks.
					const keep = Math.min(pending.length, delimiter.length - 1);
					if (state === 'body') await write(pending.subarray(0, pending.length - keep));
					else if (pending.length - keep > 0) throw new Error('multipart: body does not start with the boundary');
					pending = Buffer.from(pending.subarray(pending.length - keep));
					break;
				}
				if (state === 'preamble' && at !== 0) throw new Error('multipart: body does not start with the boundary');
				if (state === 'body') await write(pending.subarray(0, at));
				await finishPart();
				pending = pending.subarray(at + delimiter.length);
				state = 'after-delimiter';
			}
			if (state === 'after-delimiter') {
				if (pending.length < 2) break;
				const after = pending.subarray(0, 2).toString('latin1');
				if (after === '--') {
					state = 'done';
					break;
				}
				if (after !== '\r\n') throw new Error('multipart: malformed boundary line');
				pending = pending.subarray(2);
				state = 'headers';
			}
			if (state === 'headers') {
				const end = pending.indexOf('\r\n\r\n');
				if (end < 0) break;
				const part = parsePart(pending.subarray(0, end + 4));
				current = { part, chunks: [] };
				if (part.fileName !== undefined) {
					const path = join(directory, `part-${++fileCount}`);
					current.sink = { hash: createHash('sha256'), handle: await open(path, 'w'), path, bytes: 0 };
				}
				pending = pending.subarray(end + 4);
				state = 'body';
				continue;
			}
			if (state === 'done') break;
		}
	}
	if (state !== 'done') {
		await current?.sink?.handle.close();
		throw new Error('multipart: missing closing boundary');
	}
	return { parts, files, bytes };
}
