/**
 * How the test server's "model" describes inline attachments (data URLs and base64 file data) in its echo,
 * so a test or an example workflow sees that the bytes arrived: "[image/png 2x2, 69 bytes]".
 */
import { pngSize } from './png';

type JsonObject = Record<string, unknown>;

function isRecord(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The MIME type and bytes of a base64 data URL; undefined for anything else. */
export function decodeDataUrl(url: unknown): { mimeType: string; data: Buffer } | undefined {
	if (typeof url !== 'string') return undefined;
	const match = /^data:([^;,]+);base64,([A-Za-z0-9+/]*={0,2})$/.exec(url);
	return match ? { mimeType: match[1], data: Buffer.from(match[2], 'base64') } : undefined;
}

function describeBytes(mimeType: string, data: Buffer, name?: string): string {
	const size = mimeType === 'image/png' ? pngSize(data) : undefined;
	const dimensions = size ? ` ${size.width}x${size.height}` : '';
	return `[${name ? `${name}: ` : ''}${mimeType}${dimensions}, ${data.length} bytes]`;
}

/** Base64 file data, bare or as a data URL (OpenAI's guides send a data URL). */
function fileBytes(fileData: unknown): { mimeType: string; data: Buffer } | undefined {
	if (typeof fileData !== 'string') return undefined;
	return decodeDataUrl(fileData) ?? { mimeType: 'application/octet-stream', data: Buffer.from(fileData, 'base64') };
}

/**
 * A description of an inline attachment of a Responses (`input_image`, `input_file`) or Chat (`image_url`,
 * `file`) content part; undefined for text parts, URLs and file IDs.
 */
export function describeInlinePart(part: unknown): string | undefined {
	if (!isRecord(part)) return undefined;
	if (part.type === 'input_image') {
		const image = decodeDataUrl(part.image_url);
		return image && describeBytes(image.mimeType, image.data);
	}
	if (part.type === 'image_url' && isRecord(part.image_url)) {
		const image = decodeDataUrl(part.image_url.url);
		return image && describeBytes(image.mimeType, image.data);
	}
	const file = part.type === 'input_file' ? part : part.type === 'file' && isRecord(part.file) ? part.file : undefined;
	const bytes = file && fileBytes(file.file_data);
	return bytes && describeBytes(bytes.mimeType, bytes.data, typeof file.filename === 'string' ? file.filename : undefined);
}
