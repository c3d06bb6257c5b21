import { randomBytes } from 'node:crypto';

import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * The parts of a Node.js Readable the transport uses. nodes/ may not import node:stream, so a stream
 * that n8n hands over (getBinaryStream, a response body) supplies its class: `.constructor.from`.
 */
export interface ByteStream extends AsyncIterable<Buffer> {
	destroy(error?: Error): unknown;
	readonly destroyed: boolean;
	constructor: StreamClass;
}

export interface StreamClass {
	from(source: AsyncIterable<Buffer>, options?: { objectMode?: boolean }): ByteStream;
}

/** A file part of a multipart body. */
export interface MultipartFile {
	/** The whole file; for a file read from a stream (`open`) or given as `base64`, only its first bytes. */
	data: Buffer;
	fileName: string;
	contentType: string;
	/** Size in bytes of a file read from a stream or given as `base64`; otherwise `data.length`. */
	size?: number;
	/** The whole file as base64 (binary data held in an item), decoded straight into the body. */
	base64?: string;
	/** Opens the file's bytes from the start, once per attempt to send them. */
	open?: () => Promise<ByteStream>;
	/** The class of the streams `open` returns, to build the body with. */
	streamClass?: StreamClass;
}

export interface MultipartField {
	name: string;
	value: string | MultipartFile;
}

const CRLF = '\r\n';

/** A file part under a field name. */
export function fileField(name: string, file: MultipartFile): MultipartField {
	return { name, value: file };
}

/** Quotes a header parameter as browsers do for FormData: `"` and line breaks percent-encoded. */
function quoted(value: string): string {
	return `"${value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

function partHeader(field: MultipartField): string {
	const { name, value } = field;
	if (typeof value === 'string') return `Content-Disposition: form-data; name=${quoted(name)}${CRLF}${CRLF}`;
	return (
		`Content-Disposition: form-data; name=${quoted(name)}; filename=${quoted(value.fileName)}${CRLF}` +
		`Content-Type: ${value.contentType}${CRLF}${CRLF}`
	);
}

/** A file's size in bytes. */
export function fileSize(file: MultipartFile): number {
	return file.size ?? file.data.length;
}

/** The pieces of a multipart body before and after each value, in order. */
function framing(fields: readonly MultipartField[], boundary: string): { heads: Buffer[]; tail: Buffer } {
	const heads = fields.map((field, index) => Buffer.from(`${index ? CRLF : ''}--${boundary}${CRLF}${partHeader(field)}`, 'utf8'));
	return { heads, tail: Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'utf8') };
}

const valueBytes = (value: MultipartField['value']) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : fileSize(value));

/** The length in bytes of the body encodeMultipart or streamMultipart writes. */
export function multipartLength(fields: readonly MultipartField[], boundary: string): number {
	const { heads, tail } = framing(fields, boundary);
	return heads.reduce((total, head, index) => total + head.length + valueBytes(fields[index].value), tail.length);
}

/**
 * The bytes of encodeMultipart, produced piece by piece: files with `open` are read from their
 * streams as the body is sent, and must yield exactly their size.
 */
export async function* streamMultipart(fields: readonly MultipartField[], boundary: string): AsyncGenerator<Buffer> {
	const { heads, tail } = framing(fields, boundary);
	for (const [index, { value }] of fields.entries()) {
		yield heads[index];
		if (typeof value === 'string') yield Buffer.from(value, 'utf8');
		else if (value.open) yield* streamedFile(value);
		else yield value.base64 === undefined ? value.data : Buffer.from(value.base64, 'base64');
	}
	yield tail;
}

/** A file's bytes from its stream, checked against its size: a wrong count would corrupt the body. */
export async function* streamedFile(file: MultipartFile): AsyncGenerator<Buffer> {
	const stream = await file.open!();
	let sent = 0;
	try {
		for await (const chunk of stream) {
			sent += chunk.length;
			if (sent > fileSize(file)) break;
			yield chunk;
		}
	} finally {
		if (!stream.destroyed) stream.destroy();
	}
	if (sent !== fileSize(file)) {
		throw new Error(`"${file.fileName}" changed while it was sent: ${fileSize(file)} bytes were announced, ${sent > fileSize(file) ? 'more' : sent} arrived`);
	}
}

/** Encodes fields as a multipart/form-data body (RFC 7578) with the given boundary. */
export function encodeMultipart(fields: readonly MultipartField[], boundary: string): Buffer {
	const { heads, tail } = framing(fields, boundary);
	// One allocation; a base64 file is decoded into it, not into a buffer of its own first.
	const body = Buffer.allocUnsafe(multipartLength(fields, boundary));
	let offset = 0;
	fields.forEach(({ value }, index) => {
		offset += heads[index].copy(body, offset);
		if (typeof value === 'string') offset += body.write(value, offset, 'utf8');
		else if (value.base64 !== undefined) offset += body.write(value.base64, offset, 'base64');
		else offset += value.data.copy(body, offset);
	});
	offset += tail.copy(body, offset);
	if (offset !== body.length) throw new Error(`The multipart body came out ${offset} bytes long instead of ${body.length}`);
	return body;
}

/**
 * A random boundary that occurs in none of the parts. A streamed or base64 file is not read for this:
 * 128 random bits drawn after the file exists cannot be in it but by chance.
 */
export function boundaryFor(fields: readonly MultipartField[], random = () => randomBytes(16).toString('hex')): string {
	for (;;) {
		const boundary = `----n8nOpenAiRest${random()}`;
		const clash = fields.some((field) =>
			typeof field.value === 'string' ? field.value.includes(boundary) : field.value.size === undefined && field.value.data.includes(boundary),
		);
		if (!clash) return boundary;
	}
}

function scalarText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Text fields from a JSON body, the way OpenAI's SDKs encode them: scalars as text, arrays as
 * repeated `name[]` fields, objects as `name[key]` fields. Empty values are left out.
 */
export function textFields(body: IDataObject, prefix = ''): MultipartField[] {
	return Object.entries(body).flatMap(([key, value]): MultipartField[] => {
		const name = prefix ? `${prefix}[${key}]` : key;
		if (value === undefined || value === null) return [];
		if (Array.isArray(value)) return value.map((entry) => ({ name: `${name}[]`, value: scalarText(entry) }));
		if (typeof value === 'object') return textFields(value as IDataObject, name);
		return [{ name, value: scalarText(value) }];
	});
}

/** Opens a streamed body again for another attempt; keyed by the body a request holds. */
const reopeners = new WeakMap<object, () => ByteStream>();

/**
 * The body to send on another attempt: a streamed body is opened again from the start (and the old
 * one closed), any other body is sent as it is.
 */
export function reopenedBody<T>(body: T): T {
	const reopen = typeof body === 'object' && body !== null ? reopeners.get(body) : undefined;
	if (!reopen) return body;
	(body as ByteStream).destroy();
	return reopen() as T;
}

/**
 * Request options that send the fields as multipart/form-data. Files in memory make a Buffer body,
 * sent as it is on a retry. A file read from n8n's binary store makes the body a stream of known
 * length, opened again for each retry; redirects are not followed, since following them keeps every
 * chunk sent in memory.
 */
export function multipartRequest(
	requestOptions: IHttpRequestOptions,
	fields: readonly MultipartField[],
): IHttpRequestOptions {
	const boundary = boundaryFor(fields);
	const contentType = `multipart/form-data; boundary=${boundary}`;
	const streamed = fields.map((field) => field.value).find((value): value is MultipartFile => typeof value !== 'string' && !!value.open);
	if (!streamed?.streamClass) return { ...requestOptions, headers: withContentType(requestOptions.headers, contentType), body: encodeMultipart(fields, boundary) };
	return streamedRequest(requestOptions, contentType, multipartLength(fields, boundary), reopenableStream(streamed.streamClass, () => streamMultipart(fields, boundary)));
}

/** The headers with the body's Content-Type, and no Content-Type or Content-Length of another body. */
function withContentType(headers: unknown, contentType: string): Record<string, string> {
	const result = { ...(headers as Record<string, string> | undefined) };
	for (const key of Object.keys(result)) if (/^content-(type|length)$/i.test(key)) delete result[key];
	return { ...result, 'Content-Type': contentType };
}

/**
 * Request options that send a stream of known length (opened again for each attempt by reopenedBody);
 * redirects are not followed, since following them keeps every chunk sent in memory.
 */
export function streamedRequest<T extends Pick<IHttpRequestOptions, 'body' | 'headers' | 'disableFollowRedirect'>>(
	requestOptions: T,
	contentType: string,
	length: number,
	body: ByteStream,
): T {
	return {
		...requestOptions,
		headers: { ...withContentType(requestOptions.headers, contentType), 'Content-Length': String(length) },
		body,
		disableFollowRedirect: true,
	};
}

/** A stream of the given class over a generator, which reopenedBody makes again from the start. */
export function reopenableStream(type: StreamClass, produce: () => AsyncIterable<Buffer>): ByteStream {
	const open = (): ByteStream => {
		const stream = type.from(produce(), { objectMode: false });
		reopeners.set(stream, open);
		return stream;
	};
	return open();
}
