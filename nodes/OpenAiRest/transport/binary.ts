import type { IExecuteSingleFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { type ByteStream, fileField, fileSize, type MultipartField, type MultipartFile } from './multipart';
import { InvalidParameter, invalidParameterError } from './errors';

/** A file type recognised from its first bytes. */
export interface FileKind {
	extension: string;
	mimeType: string;
}

const ascii = (data: Buffer, start: number, text: string) =>
	data.subarray(start, start + text.length).toString('latin1') === text;

/** Magic numbers of the types the endpoints accept, and of common ones they refuse. */
const SIGNATURES: ReadonlyArray<{ kind: FileKind; matches: (data: Buffer) => boolean }> = [
	{ kind: { extension: 'png', mimeType: 'image/png' }, matches: (d) => ascii(d, 0, '\x89PNG\r\n\x1a\n') },
	{ kind: { extension: 'jpg', mimeType: 'image/jpeg' }, matches: (d) => ascii(d, 0, '\xff\xd8\xff') },
	{ kind: { extension: 'webp', mimeType: 'image/webp' }, matches: (d) => ascii(d, 0, 'RIFF') && ascii(d, 8, 'WEBP') },
	{ kind: { extension: 'gif', mimeType: 'image/gif' }, matches: (d) => ascii(d, 0, 'GIF8') },
	{ kind: { extension: 'pdf', mimeType: 'application/pdf' }, matches: (d) => ascii(d, 0, '%PDF-') },
	{ kind: { extension: 'zip', mimeType: 'application/zip' }, matches: (d) => ascii(d, 0, 'PK\x03\x04') },
	{ kind: { extension: 'wav', mimeType: 'audio/wav' }, matches: (d) => ascii(d, 0, 'RIFF') && ascii(d, 8, 'WAVE') },
	{ kind: { extension: 'flac', mimeType: 'audio/flac' }, matches: (d) => ascii(d, 0, 'fLaC') },
	{ kind: { extension: 'ogg', mimeType: 'audio/ogg' }, matches: (d) => ascii(d, 0, 'OggS') },
	{ kind: { extension: 'webm', mimeType: 'audio/webm' }, matches: (d) => ascii(d, 0, '\x1a\x45\xdf\xa3') },
	{ kind: { extension: 'm4a', mimeType: 'audio/mp4' }, matches: (d) => ascii(d, 4, 'ftypM4A') },
	{ kind: { extension: 'mp4', mimeType: 'video/mp4' }, matches: (d) => ascii(d, 4, 'ftyp') },
	{ kind: { extension: 'mp3', mimeType: 'audio/mpeg' }, matches: (d) => ascii(d, 0, 'ID3') || (d[0] === 0xff && (d[1] & 0xe0) === 0xe0) },
];

/** The type of a file from its magic number; undefined when unknown. */
export function sniffFileKind(data: Buffer): FileKind | undefined {
	return SIGNATURES.find((signature) => signature.matches(data))?.kind;
}

/** Width and height from a PNG's IHDR chunk; undefined for other data. */
export function pngDimensions(data: Buffer): { width: number; height: number } | undefined {
	if (data.length < 24 || !ascii(data, 0, '\x89PNG\r\n\x1a\n') || !ascii(data, 12, 'IHDR')) return undefined;
	return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

/** An input file read from a binary field, with the kind its bytes show. */
export interface InputFile extends MultipartFile {
	kind?: FileKind;
}

/** The multipart field of an input file. */
export function filePart(name: string, file: InputFile): MultipartField {
	const { data, fileName, contentType, size, open, streamClass, base64 } = file;
	return fileField(name, { data, fileName, contentType, ...(open ? { size, open, streamClass } : {}), ...(base64 === undefined ? {} : { size, base64 }) });
}

export const MEGABYTE = 1024 * 1024;

/** A size in megabytes with one decimal, or in bytes below one megabyte. */
function sizeText(bytes: number): string {
	if (bytes < MEGABYTE) return `${bytes} bytes`;
	return `${(bytes / MEGABYTE).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** The file name to send: the binary's own, given the right extension when it has none. */
export function uploadFileName(fileName: string | undefined, kind: FileKind | undefined, field: string): string {
	const name = (fileName ?? '').trim() || field;
	if (!kind || /\.[a-z0-9]{1,5}$/i.test(name)) return name;
	return `${name}.${kind.extension}`;
}

/** The most an endpoint takes, and who says so ("the Files API"), for errors. */
export interface SizeLimit {
	maxBytes: number;
	limitOf: string;
}

/** Bytes read from the start of a stored file: enough for every signature and a PNG's dimensions. */
const HEAD_BYTES = 64;
const PLAIN_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The first bytes of a stored file, and the class of the stream they came from. */
async function headOf(context: IExecuteSingleFunctions, id: string, headBytes: number): Promise<{ head: Buffer; streamClass: ByteStream['constructor'] }> {
	const stream = (await context.helpers.getBinaryStream(id)) as unknown as ByteStream;
	const chunks: Buffer[] = [];
	let length = 0;
	try {
		for await (const chunk of stream) {
			chunks.push(chunk);
			length += chunk.length;
			if (length >= headBytes) break;
		}
	} finally {
		if (!stream.destroyed) stream.destroy();
	}
	return { head: Buffer.concat(chunks).subarray(0, headBytes), streamClass: stream.constructor };
}

/**
 * Reads a binary field of the current item; `label` names the parameter in errors. A file in n8n's
 * binary store (filesystem, database, S3) is not read here: its size comes from its metadata and is
 * checked against `limit` first, its first bytes are read for its type, and `open` streams it when the
 * request is sent. Binary data held in the item (a Code node's, or n8n's memory mode) is decoded once.
 * `headBytes` is how much of the start is read for the checks (the file's `data` when it is not whole).
 */
export async function readBinaryField(
	context: IExecuteSingleFunctions,
	field: string,
	label: string,
	limit?: SizeLimit,
	headBytes = HEAD_BYTES,
): Promise<InputFile> {
	const name = field.trim();
	const binary = context.getInputData().binary ?? {};
	if (!name || !binary[name]) {
		const present = Object.keys(binary);
		throw new InvalidParameter(
			label,
			`the item has no binary field "${name}"${present.length ? ` (it has: ${present.join(', ')})` : ' (it has no binary data)'}`,
		);
	}
	const metadata = binary[name];
	const declared = (metadata.mimeType ?? '').toLowerCase();
	const typed = (data: Buffer) => {
		const kind = sniffFileKind(data);
		const contentType = kind?.mimeType ?? (declared && declared !== 'application/octet-stream' ? declared : 'application/octet-stream');
		return { data, fileName: uploadFileName(metadata.fileName, kind, name), contentType, kind };
	};
	const check = (size: number) => {
		const file = { data: Buffer.alloc(0), size, fileName: uploadFileName(metadata.fileName, undefined, name), contentType: declared };
		if (limit) checkFileSize(file, limit.maxBytes, label, limit.limitOf);
	};
	if (!metadata.id) {
		const base64 = metadata.data;
		// Clean base64 (as n8n writes it) is decoded into the request body later; anything else here.
		if (!PLAIN_BASE64.test(base64)) {
			const data = await context.helpers.getBinaryDataBuffer(name);
			check(data.length);
			return typed(data);
		}
		const size = Buffer.byteLength(base64, 'base64');
		check(size);
		return { ...typed(Buffer.from(base64.slice(0, Math.ceil(headBytes / 3) * 4), 'base64')), size, base64 };
	}
	const id = metadata.id;
	const size = (await context.helpers.getBinaryMetadata(id)).fileSize ?? metadata.bytes;
	check(size);
	const { head, streamClass } = await headOf(context, id, headBytes);
	const open = async () => (await context.helpers.getBinaryStream(id)) as unknown as ByteStream;
	return { ...typed(head), size, open, streamClass };
}

/** Refuses a file above the endpoint's limit, and an empty one. */
export function checkFileSize(file: InputFile, maxBytes: number, label: string, limitOf: string): void {
	const size = fileSize(file);
	if (size > maxBytes) {
		throw new InvalidParameter(label, `"${file.fileName}" is ${sizeText(size)}; ${limitOf} accepts at most ${sizeText(maxBytes)}`);
	}
	if (size === 0) throw new InvalidParameter(label, `"${file.fileName}" is empty`);
}

/** The file types an endpoint takes. */
export interface AcceptedKinds {
	/** Extensions as FileKind names them. */
	extensions: readonly string[];
	/** Declared MIME types accepted when the bytes are not recognised (audio formats without a magic number). */
	unrecognised?: RegExp;
}

/** Refuses a file whose bytes, or declared type when the bytes are not recognised, the endpoint does not take. */
export function checkFileKind(file: InputFile, accepted: AcceptedKinds, label: string, endpoint: string): void {
	const refused = file.kind
		? !accepted.extensions.includes(file.kind.extension)
		: !accepted.unrecognised?.test(file.contentType);
	if (refused) {
		const what = file.kind ? `a ${file.kind.extension.toUpperCase()} file` : `of type ${file.contentType}`;
		throw new InvalidParameter(label, `"${file.fileName}" is ${what}; ${endpoint} accepts ${accepted.extensions.join(', ')}`);
	}
}

/** Runs async checks of the current item, turning an InvalidParameter into the node error naming it. */
export async function checkItem<T>(context: IExecuteSingleFunctions, check: () => Promise<T>): Promise<T> {
	let caught: unknown;
	try {
		return await check();
	} catch (error) {
		caught = error;
	}
	if (caught instanceof InvalidParameter) throw invalidParameterError(context, caught);
	throw caught;
}

/** The first words of a text as a file name stem, e.g. "a-cute-baby-sea-otter". */
export function slugOf(text: string): string {
	return text
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 48)
		.replace(/-+$/, '');
}

/** A response's MIME type, unless it says nothing (absent or application/octet-stream). */
export function contentTypeOf(headers: IN8nHttpFullResponse['headers']): string | undefined {
	const value = String(headers?.['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	return value && value !== 'application/octet-stream' ? value : undefined;
}
