/** Response → Create with files from binary fields: byte for byte, and checked before sending. */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { makePng, PDF_FILE, wavFile } from '../../../../support/binary';
import { runNode, type TestFile } from '../../../../support/engine';
import { decodeDataUrl } from '../../../../support/openai-server-attachments';
import { useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const PHOTO = makePng(5, 4, [10, 200, 30]);
const PHOTO_2 = makePng(3, 3, [1, 2, 3]);
const png = (data: Buffer, fileName = 'photo.png'): TestFile => ({ data, fileName, mimeType: 'image/png' });
const pdf: TestFile = { data: PDF_FILE, fileName: 'invoice.pdf', mimeType: 'application/pdf' };

const response = (extra: INodeParameters): INodeParameters => ({ resource: 'response', operation: 'create', responseModel: 'gpt-4o-mini', ...extra });
const messages = (...values: INodeParameters[]): INodeParameters => ({ responseInputType: 'messages', responseMessages: { values } });

const run = (parameters: INodeParameters, binary: Array<Record<string, TestFile> | undefined>, extra: { continueOnFail?: boolean } = {}) =>
	runNode(parameters, { credentials: fixture.credentials(), input: binary.map(() => ({})), binary, ...extra });

/** The bytes behind a data URL, which must be the item's own. */
function bytesOf(dataUrl: unknown): { mimeType: string; data: Buffer } {
	const decoded = decodeDataUrl(dataUrl);
	if (!decoded) throw new Error(`not a data URL: ${String(dataUrl).slice(0, 40)}`);
	return decoded;
}

describe('response: files from binary fields', () => {
	it('sends an image as input_image with its detail and a PDF as input_file, byte for byte', async () => {
		const { items, error } = await run(
			response(messages({ role: 'user', content: 'What is this?', binaryFields: 'photo, invoice', imageDetail: 'high' })),
			[{ photo: png(PHOTO), invoice: pdf }],
		);
		expect(error).toBeUndefined();
		const [message] = (fixture.onlyRequest().body as { input: IDataObject[] }).input;
		const [text, image, file] = message.content as IDataObject[];
		expect(text).toStrictEqual({ type: 'input_text', text: 'What is this?' });
		expect(image).toStrictEqual({ type: 'input_image', image_url: expect.any(String), detail: 'high' });
		expect(bytesOf(image.image_url)).toStrictEqual({ mimeType: 'image/png', data: PHOTO });
		expect(file).toStrictEqual({ type: 'input_file', filename: 'invoice.pdf', file_data: expect.any(String) });
		expect(bytesOf(file.file_data)).toStrictEqual({ mimeType: 'application/pdf', data: PDF_FILE });
		expect(items[0].json.output_text).toBe(`Echo: What is this? [image/png 5x4, ${PHOTO.length} bytes] [invoice.pdf: application/pdf, ${PDF_FILE.length} bytes]`);
	});

	it('attaches files to the Prompt from Options, each item its own bytes', async () => {
		const { items } = await run(
			response({ responsePrompt: 'Describe it', responseOptions: { binaryFields: 'photo', fileIds: 'file-abc', imageDetail: 'low' } }),
			[{ photo: png(PHOTO) }, { photo: png(PHOTO_2, 'second.png') }],
		);
		// Items are sent concurrently, so requests may arrive in either order; the answers tie each item to its bytes.
		const bodies = fixture.server().requests.map((request) => request.body as { input: IDataObject[] });
		expect(bodies).toHaveLength(2);
		expect(bodies.map((body) => body.input)).toStrictEqual(
			expect.arrayContaining([PHOTO, PHOTO_2].map((data) => [
				{
					role: 'user',
					content: [
						{ type: 'input_text', text: 'Describe it' },
						{ type: 'input_image', image_url: `data:image/png;base64,${data.toString('base64')}`, detail: 'low' },
						{ type: 'input_file', file_id: 'file-abc' },
					],
				},
			])),
		);
		expect(items.map((item) => item.json.output_text)).toStrictEqual([
			`Echo: Describe it [image/png 5x4, ${PHOTO.length} bytes]`,
			`Echo: Describe it [image/png 3x3, ${PHOTO_2.length} bytes]`,
		]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('names a file without an extension after its bytes', async () => {
		await run(response(messages({ role: 'user', content: 'Read', binaryFields: 'data' })), [{ data: { data: PDF_FILE, mimeType: 'application/octet-stream' } }]);
		const [message] = (fixture.onlyRequest().body as { input: IDataObject[] }).input;
		expect((message.content as IDataObject[])[1]).toMatchObject({ type: 'input_file', filename: 'data.pdf' });
	});

	it('fails before sending for a missing field, naming the field, the item and the fields it has', async () => {
		const { error } = await run(response(messages({ role: 'user', content: 'x', binaryFields: 'photo' })), [{ data: png(PHOTO) }]);
		expect(error?.message).toBe('Invalid "Messages: Input Binary Fields" in item 0: the item has no binary field "photo" (it has: data)');
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('fails before sending for a type OpenAI does not take, recognised from the bytes', async () => {
		const { error } = await run(response(messages({ role: 'user', content: 'x', binaryFields: 'data' })), [{ data: { data: wavFile(), fileName: 'a.png', mimeType: 'image/png' } }]);
		expect(error?.message).toMatch(/^Invalid "Messages: Input Binary Fields" in item 0: "a.png" in field "data" is a WAV file; OpenAI takes PNG, JPEG, WebP or GIF images, PDFs/);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('fails before sending for files over 50 MB, alone or together', async () => {
		const big = Buffer.concat([PDF_FILE, Buffer.alloc(30 * 1024 * 1024)]);
		const { error } = await run(
			response({ responsePrompt: 'x', responseOptions: { binaryFields: 'a, b' } }),
			[{ a: { data: big, fileName: 'a.pdf', mimeType: 'application/pdf' }, b: { data: big, fileName: 'b.pdf', mimeType: 'application/pdf' } }],
		);
		expect(error?.message).toMatch(/^Invalid "Options: Input Binary Fields" in item 0: "b.pdf" in field "b" is 30 MB, and with the other files of this item that is over the 50 MB OpenAI takes per request/);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('refuses files on a message that is not from the user', async () => {
		const { error } = await run(response(messages({ role: 'system', content: 'x', binaryFields: 'data' })), [{ data: png(PHOTO) }]);
		expect(error?.message).toBe('Invalid "Messages" in item 0: message 1 is a system message; only user messages can carry files');
	});

	it('refuses prompt attachments with another Input Type', async () => {
		const { error } = await run(response({ ...messages({ role: 'user', content: 'x' }), responseOptions: { binaryFields: 'data' } }), [{ data: png(PHOTO) }]);
		expect(error?.message).toMatch(/^Invalid "Options: Input Binary Fields" in item 0: only applies to Input Type Prompt/);
	});

	it('shows OpenAI\'s 404 for an unknown conversation as it is, not as a server without the Responses API', async () => {
		const { error } = await runNode(response({ responsePrompt: 'Hi', responseOptions: { conversation: 'conv_nope' } }), { credentials: fixture.credentials() });
		expect(error?.message).toBe("Conversation with id 'conv_nope' not found.");
		expect(error?.httpCode).toBe('404');
	});

	it('keeps every item in order with Continue On Fail when one item lacks its file', async () => {
		const { items } = await run(response({ responsePrompt: 'x', responseOptions: { binaryFields: 'photo' } }), [{ photo: png(PHOTO) }, {}, { photo: png(PHOTO_2) }], { continueOnFail: true });
		expect(items.map((item) => [item.json.error === undefined, item.pairedItem])).toEqual([
			[true, { item: 0 }],
			[false, { item: 1 }],
			[true, { item: 2 }],
		]);
		expect(fixture.server().requests).toHaveLength(2);
	});
});

describe('response: files from the binary store are streamed into the body', () => {
	// Over the binary store's 64 kB read chunks, and not a multiple of three bytes: base64 carries across chunks.
	const BIG_PDF = Buffer.concat([PDF_FILE, Buffer.alloc(3 * 1024 * 1024 + 1, 7)]);
	const bigPdf: TestFile = { data: BIG_PDF, fileName: 'scan.pdf', mimeType: 'application/pdf' };

	afterEach(() => jest.restoreAllMocks());

	it('reads a stored file as a stream, never whole, and sends it byte for byte with its exact length', async () => {
		const service = Container.get(BinaryDataService);
		const whole = jest.spyOn(service, 'getAsBuffer');
		const streamed = jest.spyOn(service, 'getAsStream');
		const { items, error } = await run(response(messages({ role: 'user', content: 'Read', binaryFields: 'scan, photo' })), [{ scan: bigPdf, photo: png(PHOTO) }]);

		expect(error).toBeUndefined();
		expect(whole).not.toHaveBeenCalled();
		expect(streamed).toHaveBeenCalled();
		const request = fixture.onlyRequest();
		expect(request.headers['content-type']).toBe('application/json');
		expect(Number(request.headers['content-length'])).toBe(request.rawBytes.length);
		const [, file, image] = ((request.body as { input: IDataObject[] }).input[0].content as IDataObject[]);
		expect(file).toStrictEqual({ type: 'input_file', filename: 'scan.pdf', file_data: expect.any(String) });
		expect(bytesOf(file.file_data)).toStrictEqual({ mimeType: 'application/pdf', data: BIG_PDF });
		expect(bytesOf(image.image_url)).toStrictEqual({ mimeType: 'image/png', data: PHOTO });
		expect(items[0].json.output_text).toBe(`Echo: Read [scan.pdf: application/pdf, ${BIG_PDF.length} bytes] [image/png 5x4, ${PHOTO.length} bytes]`);
	});

	it('reads the file again for a retry and sends the same bytes', async () => {
		fixture.server().failNext('/responses', { status: 500 });
		const { error } = await run(response(messages({ role: 'user', content: 'Read', binaryFields: 'scan' })), [{ scan: bigPdf }]);

		expect(error).toBeUndefined();
		const [first, second] = fixture.server().requests;
		expect(second.rawBytes.equals(first.rawBytes)).toBe(true);
		expect(bytesOf(((second.body as { input: IDataObject[] }).input[0].content as IDataObject[])[1].file_data).data).toStrictEqual(BIG_PDF);
	});

	it('sends a file held in the item (a Code node\'s) from its own base64, the same bytes', async () => {
		const { error } = await run(response(messages({ role: 'user', content: 'Read', binaryFields: 'scan' })), [{ scan: { ...bigPdf, inMemory: true } }]);

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(bytesOf(((request.body as { input: IDataObject[] }).input[0].content as IDataObject[])[1].file_data).data).toStrictEqual(BIG_PDF);
	});
});
