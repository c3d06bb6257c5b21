/**
 * A strict multipart/form-data parser for the test server and the conformance check: it throws on
 * anything a real server would reject (missing boundary, a part without Content-Disposition, a
 * missing closing delimiter), so tests see exactly what reached the wire.
 */
import { createHash } from 'node:crypto';

export interface ParsedPart {
	name: string;
	/** Set for file parts. */
	fileName?: string;
	/** The part's own Content-Type header, if any. */
	contentType?: string;
	data: Buffer;
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
