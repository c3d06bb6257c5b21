/** Reading and making binary data in engine tests. */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, INodeExecutionData } from 'n8n-workflow';

import { makePng } from './png';

/** The bytes behind a binary property (n8n keeps them in its binary data store, not in the item). */
export async function bytesOf(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** The metadata of an output item's binary field, without the data reference. */
export function binaryMetadata(item: INodeExecutionData, field = 'data') {
	const { mimeType, fileName, fileExtension, fileType } = item.binary?.[field] ?? ({} as IBinaryData);
	return { mimeType, fileName, fileExtension, fileType };
}

/** A WAV header followed by `payload`: enough for sniffing, not a playable file. */
export function wavFile(payload = 'test audio'): Buffer {
	const data = Buffer.from(payload, 'utf8');
	const header = Buffer.alloc(44);
	header.write('RIFF', 0, 'latin1');
	header.writeUInt32LE(36 + data.length, 4);
	header.write('WAVEfmt ', 8, 'latin1');
	header.write('data', 36, 'latin1');
	header.writeUInt32LE(data.length, 40);
	return Buffer.concat([header, data]);
}

export const PDF_FILE = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

export { makePng };
