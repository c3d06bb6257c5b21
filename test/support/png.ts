import { deflateSync } from 'node:zlib';

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE: Buffer = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const BIT_DEPTH = 8;
const COLOR_TYPE_TRUECOLOR = 2;
const BYTES_PER_PIXEL = 3;
const FILTER_NONE = 0;

const CRC_TABLE = buildCrcTable();

/** Standard CRC-32 lookup table (polynomial 0xEDB88320), as PNG chunks use it. */
function buildCrcTable(): Uint32Array {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let value = n;
		for (let bit = 0; bit < 8; bit++) {
			value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
		}
		table[n] = value >>> 0;
	}
	return table;
}

/** CRC-32 of `data`, as stored after each PNG chunk. */
export function crc32(data: Uint8Array): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC over type + data. */
function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const checksum = Buffer.alloc(4);
	checksum.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, checksum]);
}

function headerChunkData(width: number, height: number): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header.writeUInt8(BIT_DEPTH, 8);
	header.writeUInt8(COLOR_TYPE_TRUECOLOR, 9);
	header.writeUInt8(0, 10); // compression: deflate
	header.writeUInt8(0, 11); // filter method: adaptive
	header.writeUInt8(0, 12); // no interlace
	return header;
}

/** Uncompressed scanlines: each row is a filter byte followed by the pixels. */
function solidScanlines(width: number, height: number, rgb: [number, number, number]): Buffer {
	const rowLength = 1 + width * BYTES_PER_PIXEL;
	const raw = Buffer.alloc(rowLength * height);
	for (let row = 0; row < height; row++) {
		const rowStart = row * rowLength;
		raw[rowStart] = FILTER_NONE;
		for (let column = 0; column < width; column++) {
			raw.set(rgb, rowStart + 1 + column * BYTES_PER_PIXEL);
		}
	}
	return raw;
}

function assertValidInput(width: number, height: number, rgb: [number, number, number]): void {
	for (const [name, value] of [['width', width], ['height', height]] as const) {
		if (!Number.isInteger(value) || value < 1 || value > 0x7fffffff) {
			throw new RangeError(`PNG ${name} must be a positive integer, got ${value}`);
		}
	}
	if (rgb.length !== 3 || rgb.some((channel) => !Number.isInteger(channel) || channel < 0 || channel > 255)) {
		throw new RangeError(`PNG colour must be three integers 0-255, got [${rgb.join(', ')}]`);
	}
}

/** A real, valid 8-bit truecolour PNG filled with one colour. */
export function makePng(width: number, height: number, rgb: [number, number, number]): Buffer {
	assertValidInput(width, height, rgb);
	return Buffer.concat([
		PNG_SIGNATURE,
		pngChunk('IHDR', headerChunkData(width, height)),
		pngChunk('IDAT', deflateSync(solidScanlines(width, height, rgb))),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

/** A 4x3 solid red PNG, served as every fake generated image. */
export const TEST_PNG: Buffer = makePng(4, 3, [255, 0, 0]);

/** Width and height from a PNG's IHDR chunk; undefined for other data. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
	if (data.length < 24 || !data.subarray(0, 8).equals(PNG_SIGNATURE) || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
