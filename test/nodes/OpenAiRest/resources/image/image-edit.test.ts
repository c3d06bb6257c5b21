/** Image → Edit and Create Variation through n8n's engine: exact multipart fields and bytes, binary output. */
import type { INodeParameters } from 'n8n-workflow';

import { binaryMetadata, bytesOf, makePng, wavFile } from '../../../../support/binary';
import { runNode, type TestFile } from '../../../../support/engine';
import { sha256 } from '../../../../support/multipart';
import { resultPng } from '../../../../support/openai-server-binary';
import { FIXED_CREATED } from '../../../../support/openai-server';
import { useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const PHOTO = makePng(16, 16, [200, 100, 50]);
const PHOTO_2 = makePng(16, 16, [10, 20, 30]);
const MASK = makePng(16, 16, [0, 0, 0]);
const GREEN: [number, number, number] = [0, 160, 0];
const BLUE: [number, number, number] = [0, 0, 200];

const png = (data: Buffer, fileName: string): TestFile => ({ data, fileName, mimeType: 'image/png' });
const received = (data: Buffer, fileName: string, contentType = 'image/png') => ({ fileName, contentType, bytes: data.length, sha256: sha256(data) });

const edit = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'image',
	operation: 'edit',
	imagePrompt: 'Add a hat',
	...extra,
});

const variation = (extra: INodeParameters = {}): INodeParameters => ({ resource: 'image', operation: 'createVariation', ...extra });

describe('image: edit', () => {
	it('sends one image, the prompt and the model as multipart/form-data and returns the edited image', async () => {
		const { items, error } = await runNode(edit({ imageOptions: { size: '1024x1024' } }), {
			credentials: fixture.credentials(),
			binary: [{ data: png(PHOTO, 'photo.png') }],
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toStrictEqual(['POST', '/v1/images/edits']);
		expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(request.parts?.map((part) => part.name)).toStrictEqual(['image', 'model', 'prompt', 'size']);
		expect(request.form).toStrictEqual({
			image: received(PHOTO, 'photo.png'),
			model: 'gpt-image-1',
			prompt: 'Add a hat',
			size: '1024x1024',
		});
		expect(items.map((item) => [item.json, item.pairedItem])).toStrictEqual([
			[{ index: 0, model: 'gpt-image-1', created: FIXED_CREATED, output_format: 'png' }, { item: 0 }],
		]);
		expect(binaryMetadata(items[0])).toStrictEqual({ mimeType: 'image/png', fileName: 'add-a-hat-1.png', fileExtension: 'png', fileType: 'image' });
		expect(await bytesOf(items[0].binary!.data)).toStrictEqual(resultPng('1024x1024', GREEN));
	});

	it('sends several images as image[], a mask and every GPT image option', async () => {
		const imageOptions = {
			maskBinaryField: 'mask',
			n: 2,
			size: '1024x1536',
			quality: 'high',
			background: 'transparent',
			inputFidelity: 'high',
			outputFormat: 'webp',
			outputCompression: 80,
			user: 'user-7',
			binaryPropertyName: 'edited',
		};
		const { items, error } = await runNode(edit({ imageBinaryFields: 'data, second', imageOptions }), {
			credentials: fixture.credentials(),
			binary: [{ data: png(PHOTO, 'a.png'), second: { data: PHOTO_2, fileName: 'b', mimeType: 'application/octet-stream' }, mask: png(MASK, 'mask.png') }],
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.parts?.map((part) => part.name)).toStrictEqual([
			'image[]',
			'image[]',
			'mask',
			'model',
			'prompt',
			'background',
			'n',
			'output_compression',
			'output_format',
			'quality',
			'size',
			'user',
			'input_fidelity',
		]);
		expect(request.form).toStrictEqual({
			image: [received(PHOTO, 'a.png'), received(PHOTO_2, 'b.png')],
			mask: received(MASK, 'mask.png'),
			model: 'gpt-image-1',
			prompt: 'Add a hat',
			user: 'user-7',
			background: 'transparent',
			input_fidelity: 'high',
			n: '2',
			output_compression: '80',
			output_format: 'webp',
			quality: 'high',
			size: '1024x1536',
		});
		expect(items.map((item) => [item.json.index, Object.keys(item.binary ?? {}), item.binary?.edited.mimeType])).toStrictEqual([
			[0, ['edited'], 'image/webp'],
			[1, ['edited'], 'image/webp'],
		]);
	});

	it('asks dall-e-2 for binary images by default', async () => {
		const { items } = await runNode(edit({ imageModel: 'dall-e-2', imageOptions: { size: '256x256' } }), {
			credentials: fixture.credentials(),
			binary: [{ data: png(PHOTO, 'photo.png') }],
		});

		expect(fixture.onlyRequest().form).toMatchObject({ model: 'dall-e-2', response_format: 'b64_json', size: '256x256' });
		expect(await bytesOf(items[0].binary!.data)).toStrictEqual(resultPng('256x256', GREEN));
	});

	it.each([
		['a missing image field', edit(), { other: png(PHOTO, 'p.png') }, 'Invalid "Input Binary Fields" in item 0: the item has no binary field "data" (it has: other)'],
		[
			'two images for dall-e-2',
			edit({ imageModel: 'dall-e-2', imageBinaryFields: 'data,second' }),
			{ data: png(PHOTO, 'a.png'), second: png(PHOTO_2, 'b.png') },
			'Invalid "Input Binary Fields" in item 0: names 2 images; dall-e-2 edits at most 1',
		],
		[
			'a non-square PNG for dall-e-2',
			edit({ imageModel: 'dall-e-2' }),
			{ data: png(makePng(8, 4, [1, 1, 1]), 'wide.png') },
			'Invalid "Input Binary Fields" in item 0: "wide.png" is 8x4; dall-e-2 needs a square image',
		],
		[
			'a WAV file',
			edit(),
			{ data: { data: wavFile(), fileName: 'a.wav', mimeType: 'audio/wav' } },
			'Invalid "Input Binary Fields" in item 0: "a.wav" is a WAV file; gpt-image-1 accepts png, jpg, webp',
		],
		[
			'a mask of another size',
			edit({ imageOptions: { maskBinaryField: 'mask' } }),
			{ data: png(PHOTO, 'a.png'), mask: png(makePng(8, 8, [0, 0, 0]), 'mask.png') },
			'Invalid "Mask Binary Field" in item 0: "mask.png" is 8x8 but the image "a.png" is 16x16; they must match',
		],
		[
			'a missing mask field',
			edit({ imageOptions: { maskBinaryField: 'mask' } }),
			{ data: png(PHOTO, 'a.png') },
			'Invalid "Mask Binary Field" in item 0: the item has no binary field "mask" (it has: data)',
		],
		['dall-e-3', edit({ imageModel: 'dall-e-3' }), { data: png(PHOTO, 'a.png') }, 'Invalid "Model" in item 0: dall-e-3 cannot edit images; use dall-e-2 or a GPT image model'],
	])('rejects %s before sending', async (_case, parameters, binary, message) => {
		const { error } = await runNode(parameters, { credentials: fixture.credentials(), binary: [binary] });

		expect(error?.message).toBe(message);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('keeps the other items going under Continue On Fail, in order', async () => {
		const { items } = await runNode(edit(), {
			credentials: fixture.credentials(),
			input: [{}, {}, {}],
			binary: [{ data: png(PHOTO, 'a.png') }, { data: { data: wavFile(), fileName: 'b.wav', mimeType: 'audio/wav' } }, { data: png(PHOTO_2, 'c.png') }],
			continueOnFail: true,
		});

		expect(items.map((item) => [item.json.error ?? item.json.index, item.pairedItem])).toStrictEqual([
			[0, { item: 0 }],
			['Invalid "Input Binary Fields" in item 1: "b.wav" is a WAV file; gpt-image-1 accepts png, jpg, webp', { item: 1 }],
			[0, { item: 2 }],
		]);
		expect(fixture.server().requests.map((request) => (request.form?.image as { fileName: string }).fileName).sort()).toStrictEqual(['a.png', 'c.png']);
	});

	it('rejects a PNG over 4 MB for dall-e-2', async () => {
		const big = Buffer.concat([PHOTO, Buffer.alloc(4 * 1024 * 1024)]);
		const { error } = await runNode(edit({ imageModel: 'dall-e-2' }), { credentials: fixture.credentials(), binary: [{ data: png(big, 'big.png') }] });

		expect(error?.message).toBe('Invalid "Input Binary Fields" in item 0: "big.png" is 4 MB; dall-e-2 accepts at most 4 MB');
	});
});

describe('image: create variation', () => {
	it('sends the image with dall-e-2 and binary output as multipart/form-data', async () => {
		const { items, error } = await runNode(variation({ imageOptions: { n: 2, size: '512x512', user: 'u-1' } }), {
			credentials: fixture.credentials(),
			binary: [{ data: png(PHOTO, 'photo.png') }],
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.fullPath).toBe('/v1/images/variations');
		expect(request.form).toStrictEqual({
			image: received(PHOTO, 'photo.png'),
			model: 'dall-e-2',
			user: 'u-1',
			n: '2',
			size: '512x512',
			response_format: 'b64_json',
		});
		expect(items.map((item) => [item.json, binaryMetadata(item).fileName])).toStrictEqual([
			[{ index: 0, model: 'dall-e-2', created: FIXED_CREATED }, 'image-1.png'],
			[{ index: 1, model: 'dall-e-2', created: FIXED_CREATED }, 'image-2.png'],
		]);
		expect(await bytesOf(items[1].binary!.data)).toStrictEqual(resultPng('512x512', BLUE));
	});

	it('returns URLs when asked, and downloads them with Download Image', async () => {
		const imageOptions = { responseFormat: 'url', downloadImage: true, size: '256x256' };
		const { items } = await runNode(variation({ variationBinaryField: 'pic', imageOptions }), {
			credentials: fixture.credentials(),
			binary: [{ pic: png(PHOTO, 'photo.png') }],
		});

		expect(items[0].json.url).toBe(`${fixture.server().url}/files/img-000001.png`);
		expect(binaryMetadata(items[0]).mimeType).toBe('image/png');
	});

	it.each([
		['a non-square image', png(makePng(4, 3, [1, 1, 1]), 'wide.png'), 'Invalid "Input Binary Field" in item 0: "wide.png" is 4x3; dall-e-2 needs a square image'],
		['a JPEG', { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), fileName: 'p.jpg', mimeType: 'image/jpeg' }, 'Invalid "Input Binary Field" in item 0: "p.jpg" is a JPG file; dall-e-2 accepts png'],
	])('rejects %s before sending', async (_case, file, message) => {
		const { error } = await runNode(variation(), { credentials: fixture.credentials(), binary: [{ data: file }] });

		expect(error?.message).toBe(message);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('rejects a size dall-e-2 cannot make, naming the option', async () => {
		const { error } = await runNode(variation({ imageOptions: { size: '1536x1024' } }), {
			credentials: fixture.credentials(),
			binary: [{ data: png(PHOTO, 'photo.png') }],
		});

		expect(error?.message).toBe('Invalid "Size" in item 0: must be one of 256x256, 512x512, 1024x1024 for variations, got 1536x1024');
	});
});

describe('image: round trip', () => {
	it('generates an image, edits it, and makes a variation of the edit, each step sending the bytes it got', async () => {
		const credentials = fixture.credentials();
		const generated = await runNode({ resource: 'image', operation: 'generate', imagePrompt: 'A red square' }, { credentials });
		const first = generated.items[0].binary!.data;
		const firstBytes = await bytesOf(first);

		const edited = await runNode(edit({ imageOptions: { size: '1024x1024' } }), {
			credentials,
			binary: [{ data: { data: firstBytes, fileName: first.fileName, mimeType: first.mimeType } }],
		});
		const second = edited.items[0].binary!.data;
		const secondBytes = await bytesOf(second);

		const varied = await runNode(variation({ imageOptions: { size: '256x256' } }), {
			credentials,
			binary: [{ data: { data: secondBytes, fileName: second.fileName, mimeType: second.mimeType } }],
		});

		const [, editRequest, variationRequest] = fixture.server().requests;
		expect(editRequest.form?.image).toStrictEqual(received(firstBytes, 'a-red-square-1.png'));
		expect(variationRequest.form?.image).toStrictEqual(received(secondBytes, 'add-a-hat-1.png'));
		expect(await bytesOf(varied.items[0].binary!.data)).toStrictEqual(resultPng('256x256', BLUE));
	});
});
