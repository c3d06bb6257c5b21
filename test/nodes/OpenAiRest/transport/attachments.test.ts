/** Files as model input: what the bytes are, and the content part each API takes. */
import {
	ATTACHMENTS_MAX_BYTES,
	attachmentPart,
	base64Stream,
	BINARY_PART,
	binaryFieldList,
	binaryPartMarkers,
	classifyAttachment,
	fileIdPart,
} from '../../../../nodes/OpenAiRest/transport/attachments';
import { MEGABYTE } from '../../../../nodes/OpenAiRest/transport/binary';
import { makePng, PDF_FILE, wavFile } from '../../../support/binary';

const PNG = makePng(2, 2, [1, 2, 3]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const WEBP = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1')]);
const ZIP = Buffer.from('PK\x03\x04 rest of a docx', 'latin1');

describe('binaryFieldList and binaryPartMarkers', () => {
	it('split a comma-separated list, dropping blanks', () => {
		expect(binaryFieldList(' data, invoice ,,')).toEqual(['data', 'invoice']);
		expect(binaryFieldList(undefined)).toEqual([]);
		expect(binaryPartMarkers('a, b', 'Messages: Input Binary Fields', 'low')).toEqual([
			{ type: BINARY_PART, field: 'a', label: 'Messages: Input Binary Fields', detail: 'low' },
			{ type: BINARY_PART, field: 'b', label: 'Messages: Input Binary Fields', detail: 'low' },
		]);
	});
});

describe('classifyAttachment', () => {
	it('recognises images from their bytes, whatever type they are declared as', () => {
		expect(classifyAttachment(PNG, 'application/octet-stream', 'x')).toEqual({ kind: 'image', mimeType: 'image/png' });
		expect(classifyAttachment(JPEG, 'image/png', 'x.png')).toEqual({ kind: 'image', mimeType: 'image/jpeg' });
		expect(classifyAttachment(GIF, '', 'x')).toEqual({ kind: 'image', mimeType: 'image/gif' });
		expect(classifyAttachment(WEBP, '', 'x')).toEqual({ kind: 'image', mimeType: 'image/webp' });
	});

	it('takes PDFs from their bytes, Office files by their name or type, and text declared as text', () => {
		expect(classifyAttachment(PDF_FILE, 'text/plain', 'scan')).toEqual({ kind: 'file', mimeType: 'application/pdf' });
		expect(classifyAttachment(ZIP, 'application/zip', 'report.docx')).toEqual({
			kind: 'file',
			mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
		});
		expect(classifyAttachment(Buffer.from('a,b\n1,2\n'), 'text/csv; charset=utf-8', 'data.csv')).toEqual({ kind: 'file', mimeType: 'text/csv' });
		expect(classifyAttachment(Buffer.from('{"a":1}'), 'application/json', 'a.json')).toEqual({ kind: 'file', mimeType: 'application/json' });
	});

	it('refuses what OpenAI does not take, saying what the bytes are', () => {
		expect(classifyAttachment(wavFile(), 'audio/wav', 'a.wav')).toMatch(/^is a WAV file; OpenAI takes PNG, JPEG, WebP or GIF images, PDFs/);
		expect(classifyAttachment(ZIP, 'application/zip', 'archive.zip')).toMatch(/^is a ZIP file/);
		expect(classifyAttachment(Buffer.from('not a png'), 'image/png', 'fake.png')).toMatch(/^is declared as image\/png, but its bytes are not a PNG, JPEG, WebP or GIF image/);
		expect(classifyAttachment(Buffer.from([0, 1, 2, 3]), 'text/plain', 'a.txt')).toMatch(/^is of type text\/plain/);
		expect(classifyAttachment(Buffer.from('x'), '', 'a')).toMatch(/^is of type unknown/);
	});
});

describe('attachmentPart and fileIdPart', () => {
	const image = { kind: 'image' as const, mimeType: 'image/png', fileName: 'a.png' };
	const pdf = { kind: 'file' as const, mimeType: 'application/pdf', fileName: 'a.pdf' };
	const dataUrl = (type: string, data: Buffer) => `data:${type};base64,${data.toString('base64')}`;

	it('gives Responses input_image with its detail and input_file with file_data and filename', () => {
		expect(attachmentPart('responses', image, dataUrl('image/png', PNG), 'auto')).toEqual({ type: 'input_image', image_url: dataUrl('image/png', PNG), detail: 'auto' });
		expect(attachmentPart('responses', pdf, dataUrl('application/pdf', PDF_FILE), 'low')).toEqual({ type: 'input_file', filename: 'a.pdf', file_data: dataUrl('application/pdf', PDF_FILE) });
		expect(fileIdPart('responses', 'file-1')).toEqual({ type: 'input_file', file_id: 'file-1' });
	});

	it('gives Chat image_url (detail only when not auto) and file parts', () => {
		expect(attachmentPart('chat', image, dataUrl('image/png', PNG), 'auto')).toEqual({ type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } });
		expect(attachmentPart('chat', image, dataUrl('image/png', PNG), 'high')).toEqual({ type: 'image_url', image_url: { url: dataUrl('image/png', PNG), detail: 'high' } });
		expect(attachmentPart('chat', pdf, dataUrl('application/pdf', PDF_FILE), 'auto')).toEqual({ type: 'file', file: { filename: 'a.pdf', file_data: dataUrl('application/pdf', PDF_FILE) } });
		expect(fileIdPart('chat', 'file-1')).toEqual({ type: 'file', file: { file_id: 'file-1' } });
	});

	it('has the 50 MB limit of OpenAI\'s file input guide', () => {
		expect(ATTACHMENTS_MAX_BYTES).toBe(50 * MEGABYTE);
	});
});

describe('base64Stream', () => {
	async function encoded(chunks: Buffer[]): Promise<string> {
		const parts: Buffer[] = [];
		for await (const part of base64Stream((async function* () { yield* chunks; })())) parts.push(part);
		return Buffer.concat(parts).toString('latin1');
	}

	it.each([
		['one chunk', [Buffer.from('hello world')]],
		['chunks that split every group of three', [Buffer.from('h'), Buffer.from('el'), Buffer.from('lo w'), Buffer.from('orld!')]],
		['empty chunks', [Buffer.alloc(0), Buffer.from('ab'), Buffer.alloc(0)]],
		['nothing', []],
	])('encodes %s as one Buffer would', async (_case, chunks) => {
		expect(await encoded(chunks)).toBe(Buffer.concat(chunks).toString('base64'));
	});
});
