/** Chat → Create Completion with files from binary fields and File IDs: byte for byte, and checked before sending. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { makePng, PDF_FILE } from '../../../../support/binary';
import { runNode, type TestFile } from '../../../../support/engine';
import { decodeDataUrl } from '../../../../support/openai-server-attachments';
import { useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const PHOTO = makePng(5, 4, [10, 200, 30]);
const png = (data: Buffer, fileName = 'photo.png'): TestFile => ({ data, fileName, mimeType: 'image/png' });
const pdf: TestFile = { data: PDF_FILE, fileName: 'invoice.pdf', mimeType: 'application/pdf' };
const chat = (...values: INodeParameters[]): INodeParameters => ({ resource: 'chat', operation: 'create', chatModel: 'gpt-4o-mini', messages: { values } });

const run = (parameters: INodeParameters, binary: Array<Record<string, TestFile> | undefined>) =>
	runNode(parameters, { credentials: fixture.credentials(), input: binary.map(() => ({})), binary });

/** The bytes behind a data URL, which must be the item's own. */
function bytesOf(dataUrl: unknown): { mimeType: string; data: Buffer } {
	const decoded = decodeDataUrl(dataUrl);
	if (!decoded) throw new Error(`not a data URL: ${String(dataUrl).slice(0, 40)}`);
	return decoded;
}

describe('chat: files from binary fields', () => {
	it('sends an image as image_url and a PDF as a file part, byte for byte, and File IDs as file parts', async () => {
		const { items, error } = await run(chat({ role: 'user', content: 'Compare', binaryFields: 'photo,invoice', fileIds: 'file-1', imageDetail: 'low' }), [
			{ photo: png(PHOTO), invoice: pdf },
		]);
		expect(error).toBeUndefined();
		const [message] = (fixture.onlyRequest().body as { messages: IDataObject[] }).messages;
		const [text, image, file, uploaded] = message.content as IDataObject[];
		expect(text).toStrictEqual({ type: 'text', text: 'Compare' });
		expect(image).toStrictEqual({ type: 'image_url', image_url: { url: expect.any(String), detail: 'low' } });
		expect(bytesOf((image.image_url as IDataObject).url)).toStrictEqual({ mimeType: 'image/png', data: PHOTO });
		expect(file).toStrictEqual({ type: 'file', file: { filename: 'invoice.pdf', file_data: expect.any(String) } });
		expect(bytesOf((file.file as IDataObject).file_data)).toStrictEqual({ mimeType: 'application/pdf', data: PDF_FILE });
		expect(uploaded).toStrictEqual({ type: 'file', file: { file_id: 'file-1' } });
		expect(items[0].json.content).toBe(`Echo: Compare [image/png 5x4, ${PHOTO.length} bytes] [invoice.pdf: application/pdf, ${PDF_FILE.length} bytes]`);
	});

	it('fails before sending for a missing field or a file that only claims to be an image', async () => {
		const missing = await run(chat({ role: 'user', content: 'x', binaryFields: 'photo' }), [{}]);
		expect(missing.error?.message).toBe('Invalid "Messages: Input Binary Fields" in item 0: the item has no binary field "photo" (it has no binary data)');
		const fake = await run(chat({ role: 'user', content: 'x', binaryFields: 'photo' }), [{ photo: { data: Buffer.from('<html>'), fileName: 'p.png', mimeType: 'image/png' } }]);
		expect(fake.error?.message).toMatch(/"p.png" in field "photo" is declared as image\/png, but its bytes are not a PNG, JPEG, WebP or GIF image/);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('refuses files on an assistant message', async () => {
		const { error } = await run(chat({ role: 'user', content: 'x' }, { role: 'assistant', content: 'y', fileIds: 'file-1' }), [{}]);
		expect(error?.message).toBe('Invalid "Messages" in item 0: message 2 is an assistant message; only user messages can carry files');
	});
});
