/**
 * Files from the item's binary fields as model input: images as `input_image` / `image_url` data URLs,
 * PDFs and other documents as `input_file` (Responses) or `file` (Chat) parts with base64 file data.
 * Message builders put a marker part where a file goes; the preSend hook here reads and checks the files
 * and replaces the markers, before anything is sent.
 */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { InvalidParameter } from './errors';
import { checkItem, MEGABYTE, sniffFileKind, uploadFileName } from './binary';

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

/** A file ready to send. */
export interface Attachment extends AttachmentKind {
	data: Buffer;
	fileName: string;
}

/** The content part of a file for one API; images carry the detail level. */
export function attachmentPart(api: AttachmentApi, attachment: Attachment, detail: string): IDataObject {
	const dataUrl = `data:${attachment.mimeType};base64,${attachment.data.toString('base64')}`;
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

/** The size of a binary field without reading it: n8n's metadata, or the length of inline base64. */
async function sizeOf(context: IExecuteSingleFunctions, binary: { id?: string; bytes?: number; data?: string }): Promise<number> {
	if (typeof binary.bytes === 'number') return binary.bytes;
	if (binary.id) return (await context.helpers.getBinaryMetadata(binary.id)).fileSize;
	return Buffer.byteLength(binary.data ?? '', 'base64');
}

/** Reads and checks one binary field of the current item; `budget` is what the request may still carry. */
export async function readAttachment(context: IExecuteSingleFunctions, field: string, label: string, budget: number): Promise<Attachment> {
	const binaries = context.getInputData().binary ?? {};
	const metadata = binaries[field];
	if (!metadata) {
		const present = Object.keys(binaries);
		throw new InvalidParameter(label, `the item has no binary field "${field}"${present.length ? ` (it has: ${present.join(', ')})` : ' (it has no binary data)'}`);
	}
	const fileName = uploadFileName(metadata.fileName, undefined, field);
	const tooLarge = (size: number) =>
		new InvalidParameter(
			label,
			size > ATTACHMENTS_MAX_BYTES
				? `"${fileName}" in field "${field}" is ${sizeText(size)}; OpenAI takes at most ${sizeText(ATTACHMENTS_MAX_BYTES)} of files per request`
				: `"${fileName}" in field "${field}" is ${sizeText(size)}, and with the other files of this item that is over the ${sizeText(ATTACHMENTS_MAX_BYTES)} OpenAI takes per request`,
		);
	const declaredSize = await sizeOf(context, metadata);
	if (declaredSize > budget) throw tooLarge(declaredSize);
	const data = await context.helpers.getBinaryDataBuffer(field);
	if (data.length > budget) throw tooLarge(data.length);
	if (!data.length) throw new InvalidParameter(label, `"${fileName}" in field "${field}" is empty`);
	const kind = classifyAttachment(data, metadata.mimeType ?? '', fileName);
	if (typeof kind === 'string') throw new InvalidParameter(label, `"${fileName}" in field "${field}" ${kind}`);
	const extension = EXTENSIONS[kind.mimeType] ?? 'txt';
	return { ...kind, data, fileName: uploadFileName(metadata.fileName, { extension, mimeType: kind.mimeType }, field) };
}

function isMarker(part: unknown): part is BinaryPartMarker {
	return typeof part === 'object' && part !== null && (part as IDataObject).type === BINARY_PART;
}

/** The content arrays of the request's messages (Chat `messages`, Responses `input`). */
function contentLists(api: AttachmentApi, body: IDataObject): unknown[][] {
	const messages = api === 'chat' ? body.messages : body.input;
	if (!Array.isArray(messages)) return [];
	return messages.map((message) => (message as IDataObject | null)?.content).filter((content): content is unknown[] => Array.isArray(content));
}

/** Replaces every marker with the part of its file, in order, keeping the item's files within the request limit. */
export async function resolveAttachments(context: IExecuteSingleFunctions, api: AttachmentApi, body: IDataObject): Promise<void> {
	let budget = ATTACHMENTS_MAX_BYTES;
	for (const content of contentLists(api, body)) {
		for (let index = 0; index < content.length; index++) {
			const part = content[index];
			if (!isMarker(part)) continue;
			const attachment = await readAttachment(context, part.field, part.label, budget);
			budget -= attachment.data.length;
			content[index] = attachmentPart(api, attachment, part.detail);
		}
	}
}

/** preSend of Chat → Create and Response → Create: the files of the item's binary fields go into the messages. */
export function attachBinaryFiles(api: AttachmentApi) {
	return async function attachBinaryInputs(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		await checkItem(this, async () => await resolveAttachments(this, api, requestOptions.body as IDataObject));
		return requestOptions;
	};
}
