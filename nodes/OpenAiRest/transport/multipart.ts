import { randomBytes } from 'node:crypto';

import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

/** A file part of a multipart body. */
export interface MultipartFile {
	data: Buffer;
	fileName: string;
	contentType: string;
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

/** Encodes fields as a multipart/form-data body (RFC 7578) with the given boundary. */
export function encodeMultipart(fields: readonly MultipartField[], boundary: string): Buffer {
	const chunks: Buffer[] = [];
	for (const field of fields) {
		chunks.push(Buffer.from(`--${boundary}${CRLF}${partHeader(field)}`, 'utf8'));
		chunks.push(typeof field.value === 'string' ? Buffer.from(field.value, 'utf8') : field.value.data);
		chunks.push(Buffer.from(CRLF, 'utf8'));
	}
	chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'utf8'));
	return Buffer.concat(chunks);
}

/** A random boundary that occurs in none of the parts. */
export function boundaryFor(fields: readonly MultipartField[], random = () => randomBytes(16).toString('hex')): string {
	for (;;) {
		const boundary = `----n8nOpenAiRest${random()}`;
		const clash = fields.some((field) =>
			typeof field.value === 'string' ? field.value.includes(boundary) : field.value.data.includes(boundary),
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

/**
 * Request options that send the fields as multipart/form-data. The body is a Buffer, so a retry
 * sends exactly the same bytes again.
 */
export function multipartRequest(
	requestOptions: IHttpRequestOptions,
	fields: readonly MultipartField[],
): IHttpRequestOptions {
	const boundary = boundaryFor(fields);
	const headers = { ...(requestOptions.headers as Record<string, string> | undefined) };
	for (const key of Object.keys(headers)) if (key.toLowerCase() === 'content-type') delete headers[key];
	return {
		...requestOptions,
		headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
		body: encodeMultipart(fields, boundary),
	};
}
