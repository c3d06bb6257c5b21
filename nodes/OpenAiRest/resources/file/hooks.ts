import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { checkItem, contentTypeOf, filePart, MEGABYTE, readBinaryField } from '../../transport/binary';
import { streamToBinary } from '../../transport/download';
import { multipartRequest, textFields } from '../../transport/multipart';
import { readOption } from '../../transport/parameters';
import { requestWithRetries } from '../../transport/send';

export const FILE_MAX_BYTES = 512 * MEGABYTE;

/** preSend of Upload: the item's binary field and the routed fields as multipart/form-data. */
export async function prepareFileUpload(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const field = this.getNodeParameter('fileBinaryField', 'data') as string;
	const file = await checkItem(
		this,
		async () => await readBinaryField(this, field, 'Input Binary Field', { maxBytes: FILE_MAX_BYTES, limitOf: 'the Files API' }),
	);
	const body = requestOptions.body as IDataObject;
	fileExpiry(body);
	return multipartRequest(requestOptions, [filePart('file', file), ...textFields(body)]);
}

/** An expiry in seconds becomes the API's `expires_after` object. */
export function fileExpiry(body: IDataObject): void {
	if (body.expires_after === undefined) return;
	body.expires_after = { anchor: 'created_at', seconds: body.expires_after };
}

const MIME_BY_EXTENSION: Record<string, string> = {
	jsonl: 'application/jsonl',
	json: 'application/json',
	txt: 'text/plain',
	csv: 'text/csv',
	md: 'text/markdown',
	pdf: 'application/pdf',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
};

/** A MIME type from a file name's extension, for servers that send application/octet-stream. */
export function mimeTypeFromName(fileName: string): string {
	const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
	return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/**
 * postReceive of Download: the routed request fetched the file object (for its `filename`); this
 * fetches `/files/{id}/content` and stores it as binary data named after the file while it arrives.
 */
export async function downloadFileContent(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const file = response.body as IDataObject;
	// The credential adds the key and the Base URL, as for the routed request.
	const fileName = String(file.filename ?? file.id);
	const request = { method: 'GET' as const, url: `/files/${encodeURIComponent(String(file.id))}/content`, encoding: 'stream' as const, json: false };
	const binary = await requestWithRetries(this, request, async (content) =>
		await streamToBinary(this, content, fileName, contentTypeOf(content.headers) ?? mimeTypeFromName(fileName)),
	);
	const field = readOption(this, 'binaryPropertyName', '') || 'data';
	return [{ json: file, binary: { [field]: binary }, pairedItem: { item: this.getItemIndex() } }];
}
