/**
 * Files from the item's binary fields as model input: images as `input_image` / `image_url` data URLs,
 * PDFs and other documents as `input_file` (Responses) or `file` (Chat) parts with base64 file data.
 * Message builders put a marker part where a file goes; the preSend hook here checks the files and
 * replaces the markers, before anything is sent. A file in n8n's binary store is not read then: its
 * data URL is a token in the body, and the body is sent as a stream that encodes the file in its place.
 */
import { randomBytes } from 'crypto';
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { InvalidParameter } from './errors';
import { checkItem, type InputFile, MEGABYTE, readBinaryField, sniffFileKind, uploadFileName } from './binary';
import { fileSize, reopenableStream, streamedFile, streamedRequest } from './multipart';

export type AttachmentApi = 'chat' | 'responses';

/** The type of a marker part; never sent. */
export const BINARY_PART = 'n8n_binary_field';

/** Where one binary field's file goes, and under which parameter label errors name it. */
export interface BinaryPartMarker extends IDataObject {
	type: typeof BINARY_PART;
	field: string;
	label: string;
	detail: string;
}

/**
 * OpenAI takes at most 50 MB of images and files in one request (the vision and file input guides), so
 * a file over it fails before it is read, and so do files that add up to more.
 */
export const ATTACHMENTS_MAX_BYTES = 50 * MEGABYTE;

const IMAGE_EXTENSIONS = ['png', 'jpg', 'webp', 'gif'];

/** Office documents are ZIP files; their declared type or name tells which. */
const OFFICE_TYPES: Record<string, string> = {
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Text documents, which have no magic number: accepted when declared so and free of NUL bytes. */
const TEXT_TYPES = /^(text\/[\w.+-]+|application\/(json|xml|x-yaml|yaml|rtf|x-tex|javascript|x-python|x-sh))$/;

/** The extension a file name without one gets, so the model knows the type. */
const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'application/pdf': 'pdf',
	'text/markdown': 'md',
	'text/csv': 'csv',
	'text/html': 'html',
	'application/json': 'json',
	...Object.fromEntries(Object.entries(OFFICE_TYPES).map(([extension, type]) => [type, extension])),
};

const ACCEPTED = 'PNG, JPEG, WebP or GIF images, PDFs, Word, PowerPoint and Excel files, and text documents';

/** Names from a list separated by commas or new lines ("data, invoice"). */
export function binaryFieldList(list: unknown): string[] {
	return String(list ?? '')
		.split(/[\n,]/)
		.map((name) => name.trim())
		.filter(Boolean);
}

/** Marker parts for the binary fields a row names. */
export function binaryPartMarkers(list: unknown, label: string, detail = 'auto'): BinaryPartMarker[] {
	return binaryFieldList(list).map((field) => ({ type: BINARY_PART, field, label, detail }));
}

/** The file fields of a message row (Chat and Response, Define Below). */
export interface FileFields {
	role?: string;
	binaryFields?: string;
	fileIds?: string;
	imageDetail?: string;
}

/**
 * A row's files as parts: markers for its binary fields, then its uploaded File IDs. Only user messages
 * carry files; `position` counts rows from 0.
 */
export function rowFileParts(api: AttachmentApi, row: FileFields, position: number, label = 'Messages'): IDataObject[] {
	const parts = [
		...binaryPartMarkers(row.binaryFields, `${label}: Input Binary Fields`, row.imageDetail || 'auto'),
		...binaryFieldList(row.fileIds).map((id) => fileIdPart(api, id)),
	];
	const role = row.role ?? 'user';
	if (parts.length && role !== 'user') {
		throw new InvalidParameter(label, `message ${position + 1} is ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} message; only user messages can carry files`);
	}
	return parts;
}

/** What a file is as model input, decided from its bytes; the declared type counts only for types without a signature. */
export interface AttachmentKind {
	kind: 'image' | 'file';
	mimeType: string;
}

/** The kind of a file, or why it cannot be model input. */
export function classifyAttachment(data: Buffer, declaredType: string, fileName: string): AttachmentKind | string {
	const sniffed = sniffFileKind(data);
	const declared = declaredType.split(';')[0].trim().toLowerCase();
	if (sniffed && IMAGE_EXTENSIONS.includes(sniffed.extension)) return { kind: 'image', mimeType: sniffed.mimeType };
	if (sniffed?.extension === 'pdf') return { kind: 'file', mimeType: sniffed.mimeType };
	if (sniffed?.extension === 'zip') {
		const extension = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
		const office = Object.entries(OFFICE_TYPES).find(([name, type]) => name === extension || type === declared);
		if (office) return { kind: 'file', mimeType: office[1] };
	}
	if (sniffed) return `is a ${sniffed.extension.toUpperCase()} file; OpenAI takes ${ACCEPTED}`;
	if (TEXT_TYPES.test(declared) && !data.subarray(0, 8192).includes(0)) return { kind: 'file', mimeType: declared };
	const what = declared.startsWith('image/') ? `declared as ${declared}, but its bytes are not a PNG, JPEG, WebP or GIF image` : `of type ${declared || 'unknown'}`;
	return `is ${what}; OpenAI takes ${ACCEPTED}`;
}

/** A checked file: what it is, its name, and its bytes in memory or in n8n's binary store. */
export interface Attachment extends AttachmentKind {
	fileName: string;
	file: InputFile;
}

/** The content part of a file for one API, given its data URL; images carry the detail level. */
export function attachmentPart(api: AttachmentApi, attachment: AttachmentKind & { fileName: string }, dataUrl: string, detail: string): IDataObject {
	if (attachment.kind === 'image') {
		if (api === 'responses') return { type: 'input_image', image_url: dataUrl, detail };
		return { type: 'image_url', image_url: { url: dataUrl, ...(detail !== 'auto' ? { detail } : {}) } };
	}
	const file = { filename: attachment.fileName, file_data: dataUrl };
	return api === 'responses' ? { type: 'input_file', ...file } : { type: 'file', file };
}

/** The part of an uploaded file, by its ID. */
export function fileIdPart(api: AttachmentApi, fileId: string): IDataObject {
	return api === 'responses' ? { type: 'input_file', file_id: fileId } : { type: 'file', file: { file_id: fileId } };
}

function sizeText(bytes: number): string {
	return bytes < MEGABYTE ? `${bytes} bytes` : `${(bytes / MEGABYTE).toFixed(1).replace(/\.0$/, '')} MB`;
}

/** Bytes read from the start of a stored file for its checks: its signature, and a text file's first NUL byte. */
const HEAD_BYTES = 8192;

/**
 * Checks one binary field of the current item; `budget` is what the request may still carry. A file in
 * n8n's binary store is sized from its metadata and only its first bytes are read (readBinaryField).
 */
export async function readAttachment(context: IExecuteSingleFunctions, field: string, label: string, budget: number): Promise<Attachment> {
	const metadata = (context.getInputData().binary ?? {})[field];
	const fileName = uploadFileName(metadata?.fileName, undefined, field);
	const tooLarge = (size: number) =>
		new InvalidParameter(
			label,
			size > ATTACHMENTS_MAX_BYTES
				? `"${fileName}" in field "${field}" is ${sizeText(size)}; OpenAI takes at most ${sizeText(ATTACHMENTS_MAX_BYTES)} of files per request`
				: `"${fileName}" in field "${field}" is ${sizeText(size)}, and with the other files of this item that is over the ${sizeText(ATTACHMENTS_MAX_BYTES)} OpenAI takes per request`,
		);
	const file = await readBinaryField(context, field, label, undefined, HEAD_BYTES);
	const size = fileSize(file);
	if (size > budget) throw tooLarge(size);
	if (!size) throw new InvalidParameter(label, `"${fileName}" in field "${field}" is empty`);
	const kind = classifyAttachment(file.data, metadata?.mimeType ?? '', fileName);
	if (typeof kind === 'string') throw new InvalidParameter(label, `"${fileName}" in field "${field}" ${kind}`);
	const extension = EXTENSIONS[kind.mimeType] ?? 'txt';
	return { ...kind, file, fileName: uploadFileName(metadata?.fileName, { extension, mimeType: kind.mimeType }, field) };
}

/** The file as base64 when its bytes are in memory; undefined for a file in the binary store. */
function base64InMemory(file: InputFile): string | undefined {
	if (file.open) return undefined;
	// n8n's own base64 goes as it is; unpadded base64 is encoded again as a Buffer would.
	if (file.base64 !== undefined) return file.base64.length % 4 === 0 ? file.base64 : Buffer.from(file.base64, 'base64').toString('base64');
	return file.data.toString('base64');
}

/** A stored file that a body names by a token, in place of its data URL. */
interface DeferredFile {
	token: string;
	/** `data:<type>;base64,`, written before the file's base64. */
	prefix: string;
	file: InputFile;
}

/** The deferred files of a request body; the body object is the key, as it goes from preSend to the send. */
const deferredFiles = new WeakMap<object, DeferredFile[]>();

function isMarker(part: unknown): part is BinaryPartMarker {
	return typeof part === 'object' && part !== null && (part as IDataObject).type === BINARY_PART;
}

/** The content arrays of the request's messages (Chat `messages`, Responses `input`). */
function contentLists(api: AttachmentApi, body: IDataObject): unknown[][] {
	const messages = api === 'chat' ? body.messages : body.input;
	if (!Array.isArray(messages)) return [];
	return messages.map((message) => (message as IDataObject | null)?.content).filter((content): content is unknown[] => Array.isArray(content));
}

/**
 * Replaces every marker with the part of its file, in order, keeping the item's files within the request
 * limit. Files in memory go in as data URLs; stored files as tokens that the sent body fills in.
 */
export async function resolveAttachments(context: IExecuteSingleFunctions, api: AttachmentApi, body: IDataObject): Promise<void> {
	let budget = ATTACHMENTS_MAX_BYTES;
	const deferred: DeferredFile[] = [];
	for (const content of contentLists(api, body)) {
		for (let index = 0; index < content.length; index++) {
			const part = content[index];
			if (!isMarker(part)) continue;
			const attachment = await readAttachment(context, part.field, part.label, budget);
			budget -= fileSize(attachment.file);
			const prefix = `data:${attachment.mimeType};base64,`;
			const base64 = base64InMemory(attachment.file);
			let dataUrl = prefix + base64;
			if (base64 === undefined) {
				dataUrl = `n8n-binary-${randomBytes(12).toString('hex')}`;
				deferred.push({ token: dataUrl, prefix, file: attachment.file });
			}
			content[index] = attachmentPart(api, attachment, dataUrl, part.detail);
		}
	}
	if (deferred.length) deferredFiles.set(body, deferred);
}

/** Base64 of a byte stream, chunk by chunk (each chunk's bytes up to a multiple of three). */
export async function* base64Stream(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
	let carry = Buffer.alloc(0);
	for await (const chunk of bytes) {
		const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
		const whole = data.length - (data.length % 3);
		if (whole) yield Buffer.from(data.subarray(0, whole).toString('base64'), 'latin1');
		carry = Buffer.from(data.subarray(whole));
	}
	if (carry.length) yield Buffer.from(carry.toString('base64'), 'latin1');
}

const base64Length = (bytes: number) => Math.ceil(bytes / 3) * 4;

/** The deferred files in the order their tokens appear in the JSON text. */
function inTextOrder(text: string, files: DeferredFile[]): Array<DeferredFile & { at: number }> {
	const placed = files.map((file) => ({ ...file, at: text.indexOf(file.token) }));
	if (placed.some((file) => file.at < 0)) throw new Error('A file attached to the request is no longer in its body');
	return placed.sort((a, b) => a.at - b.at);
}

/** The JSON text with each token replaced by its file's data URL, produced as it is sent. */
async function* jsonWithFiles(text: string, files: Array<DeferredFile & { at: number }>): AsyncGenerator<Buffer> {
	let from = 0;
	for (const { token, prefix, file, at } of files) {
		yield Buffer.from(text.slice(from, at) + prefix, 'utf8');
		yield* base64Stream(streamedFile(file));
		from = at + token.length;
	}
	yield Buffer.from(text.slice(from), 'utf8');
}

/**
 * The request that sends a body with stored files: its JSON streamed, each file read from n8n's binary
 * store as base64 in its place, with the exact Content-Length; opened again for each attempt, and no
 * redirect followed (that would keep what was sent in memory). Undefined for a body without such files.
 */
export function streamedJsonRequest<T extends Pick<IHttpRequestOptions, 'body' | 'headers' | 'disableFollowRedirect'>>(requestOptions: T): T | undefined {
	const body = requestOptions.body;
	const files = typeof body === 'object' && body !== null ? deferredFiles.get(body) : undefined;
	const streamClass = files?.[0].file.streamClass;
	if (!files || !streamClass) return undefined;
	const text = JSON.stringify(body);
	const ordered = inTextOrder(text, files);
	const length = ordered.reduce(
		(total, { token, prefix, file }) => total - token.length + Buffer.byteLength(prefix, 'utf8') + base64Length(fileSize(file)),
		Buffer.byteLength(text, 'utf8'),
	);
	return streamedRequest(requestOptions, 'application/json', length, reopenableStream(streamClass, () => jsonWithFiles(text, ordered)));
}

/** Writes the data URLs of a body's stored files into it, read whole (a batch's request line holds its files). */
export async function inlineStoredFiles(body: IDataObject): Promise<void> {
	const files = deferredFiles.get(body);
	if (!files) return;
	const text = JSON.stringify(body);
	const chunks: Buffer[] = [];
	for await (const chunk of jsonWithFiles(text, inTextOrder(text, files))) chunks.push(chunk);
	Object.assign(body, JSON.parse(Buffer.concat(chunks).toString('utf8')) as IDataObject);
	deferredFiles.delete(body);
}

/** preSend of Chat → Create and Response → Create: the files of the item's binary fields go into the messages. */
export function attachBinaryFiles(api: AttachmentApi) {
	return async function attachBinaryInputs(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		await checkItem(this, async () => await resolveAttachments(this, api, requestOptions.body as IDataObject));
		return requestOptions;
	};
}
