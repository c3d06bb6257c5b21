/** A multipart body read from streams: the bytes encodeMultipart writes, opened again for each attempt. */
import { Readable } from 'node:stream';

import {
	type ByteStream,
	encodeMultipart,
	type MultipartField,
	multipartLength,
	multipartRequest,
	reopenableStream,
	reopenedBody,
	streamMultipart,
} from '../../../../nodes/OpenAiRest/transport/multipart';

/** A stream that yields `data` in odd-sized chunks, counting how often it was opened. */
function streamed(data: Buffer, opened = { count: 0 }, size = 777) {
	return {
		data: data.subarray(0, 8),
		size: data.length,
		streamClass: Readable as unknown as ByteStream['constructor'],
		open: async () => {
			opened.count++;
			return Readable.from((function* () {
				for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
			})()) as unknown as ByteStream;
		},
	};
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of source) chunks.push(Buffer.from(chunk));
	return Buffer.concat(chunks);
}

const FILE = Buffer.from(Array.from({ length: 5000 }, (_, index) => (index * 7) % 256));
const SMALL = Buffer.from('%PDF-1.7 tiny');

describe('streamMultipart', () => {
	const fields = (file: MultipartField['value']): MultipartField[] => [
		{ name: 'file', value: file },
		{ name: 'mask', value: { data: SMALL, fileName: 'm.pdf', contentType: 'application/pdf' } },
		{ name: 'purpose', value: 'user_data' },
		{ name: 'note', value: 'Grüße "quoted"' },
	];

	it('writes the bytes encodeMultipart writes, of the length multipartLength says', async () => {
		const inMemory = fields({ data: FILE, fileName: 'a.bin', contentType: 'application/octet-stream' });
		const fromStream = fields({ ...streamed(FILE), fileName: 'a.bin', contentType: 'application/octet-stream' });

		const body = await collect(streamMultipart(fromStream, 'B0UNDARY'));

		expect(body).toStrictEqual(encodeMultipart(inMemory, 'B0UNDARY'));
		expect(multipartLength(fromStream, 'B0UNDARY')).toBe(body.length);
		expect(multipartLength(inMemory, 'B0UNDARY')).toBe(body.length);
	});

	it('decodes a file given as base64 (binary data held in an item) into the same bytes, streamed or not', async () => {
		const inMemory = fields({ data: FILE, fileName: 'a.bin', contentType: 'application/octet-stream' });
		const asBase64 = fields({ data: FILE.subarray(0, 8), size: FILE.length, base64: FILE.toString('base64'), fileName: 'a.bin', contentType: 'application/octet-stream' });

		expect(encodeMultipart(asBase64, 'B0UNDARY')).toStrictEqual(encodeMultipart(inMemory, 'B0UNDARY'));
		expect(await collect(streamMultipart(asBase64, 'B0UNDARY'))).toStrictEqual(encodeMultipart(inMemory, 'B0UNDARY'));
	});

	it('fails a file that yields fewer or more bytes than its size, instead of sending a broken body', async () => {
		const short = { ...streamed(FILE), size: FILE.length + 1, fileName: 'a.bin', contentType: 'x/y' };
		const long = { ...streamed(FILE), size: FILE.length - 1, fileName: 'a.bin', contentType: 'x/y' };

		await expect(collect(streamMultipart([{ name: 'file', value: short }], 'B'))).rejects.toThrow(`"a.bin" changed while it was sent: ${FILE.length + 1} bytes were announced, ${FILE.length} arrived`);
		await expect(collect(streamMultipart([{ name: 'file', value: long }], 'B'))).rejects.toThrow('more arrived');
	});
});

describe('multipartRequest with a streamed file', () => {
	it('sends a stream of announced length, follows no redirect, and opens the file again for each attempt', async () => {
		const opened = { count: 0 };
		const options = multipartRequest(
			{ method: 'POST', url: '/files', headers: { 'Content-Type': 'application/json', 'content-length': '2' } },
			[{ name: 'file', value: { ...streamed(FILE, opened), fileName: 'a.bin', contentType: 'x/y' } }, { name: 'purpose', value: 'batch' }],
		);
		const headers = options.headers as Record<string, string>;

		expect(Object.keys(headers)).toStrictEqual(['Content-Type', 'Content-Length']);
		expect(options.disableFollowRedirect).toBe(true);
		expect(opened.count).toBe(0);
		const first = await collect(options.body as unknown as ByteStream);
		const again = reopenedBody(options.body);
		expect(again).not.toBe(options.body);
		expect(await collect(again as unknown as ByteStream)).toStrictEqual(first);
		expect(opened.count).toBe(2);
		expect(first.length).toBe(Number(headers['Content-Length']));
		const boundary = headers['Content-Type'].split('boundary=')[1];
		expect(first).toStrictEqual(encodeMultipart([{ name: 'file', value: { data: FILE, fileName: 'a.bin', contentType: 'x/y' } }, { name: 'purpose', value: 'batch' }], boundary));
	});

	it('closes the stream it replaces, and leaves other bodies as they are', () => {
		const body = reopenableStream(Readable as unknown as ByteStream['constructor'], async function* () {
			yield Buffer.from('x');
		});
		const next = reopenedBody(body);

		expect(body.destroyed).toBe(true);
		expect(next.destroyed).toBe(false);
		const buffer = Buffer.from('same');
		expect(reopenedBody(buffer)).toBe(buffer);
		expect(reopenedBody(undefined)).toBeUndefined();
	});
});
