/**
 * Image generation through n8n's engine: binary output, one item per image paired to its input,
 * URL downloads, and per-model checks that stop a request before it is sent.
 */
import { Container } from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode, type RunOptions } from '../../../../support/engine';
import { type OpenAiServer, startOpenAiServer } from '../../../../support/openai-server';
import { PNG_SIGNATURE, TEST_PNG } from '../../../../support/png';

const API_KEY = 'sk-test-key';
const CREATED = 1741569952;
const PROMPT = 'A cute baby sea otter';
const SLUG = 'a-cute-baby-sea-otter';

let server: OpenAiServer;

beforeAll(async () => {
	server = await startOpenAiServer();
});

afterAll(async () => server.close());

beforeEach(() => server.reset());

function imageParameters(model: string, options: IDataObject, prompt = PROMPT): INodeParameters {
	return { resource: 'image', operation: 'generate', imageModel: model, imagePrompt: prompt, imageOptions: options } as INodeParameters;
}

function run(parameters: INodeParameters, extra: Partial<RunOptions> = {}) {
	return runNode(parameters, { credentials: { apiKey: API_KEY, baseUrl: server.baseUrl() }, ...extra });
}

/** The bytes behind a binary property (n8n keeps them in its binary data store, not in the item). */
async function bytesOf(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

/** Binary metadata n8n writes for an image, without the store-specific id. */
function binaryMeta(mimeType: string, fileExtension: string, fileName: string) {
	return {
		mimeType,
		fileType: 'image',
		fileExtension,
		fileName,
		fileSize: `${TEST_PNG.length} B`,
		bytes: TEST_PNG.length,
		data: expect.any(String),
		id: expect.any(String),
	};
}

async function expectTestPng(item: INodeExecutionData, property = 'data') {
	const bytes = await bytesOf(item.binary![property]);
	expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
	expect(bytes.equals(TEST_PNG)).toBe(true);
}

const GPT_IMAGE_SETTINGS = { size: '1024x1024', quality: 'high', background: 'opaque' };
const GPT_IMAGE_USAGE = {
	total_tokens: 4165,
	input_tokens: 5,
	output_tokens: 4160,
	input_tokens_details: { text_tokens: 5, image_tokens: 0 },
};

describe('GPT image models', () => {
	it('turns 2 inputs × n=2 into 4 binary items paired 0, 0, 1, 1, without response_format', async () => {
		const result = await run(imageParameters('gpt-image-1', { n: 2 }), { input: [{ a: 1 }, { a: 2 }] });

		expect(result.error).toBeUndefined();
		const usage = { ...GPT_IMAGE_USAGE, total_tokens: 8325, output_tokens: 8320 };
		const json = (index: number) => ({
			index,
			model: 'gpt-image-1',
			created: CREATED,
			...GPT_IMAGE_SETTINGS,
			output_format: 'png',
			usage,
		});
		expect(result.items).toEqual([
			{ json: json(0), pairedItem: { item: 0 }, binary: { data: binaryMeta('image/png', 'png', `${SLUG}-1.png`) } },
			{ json: json(1), pairedItem: { item: 0 }, binary: { data: binaryMeta('image/png', 'png', `${SLUG}-2.png`) } },
			{ json: json(0), pairedItem: { item: 1 }, binary: { data: binaryMeta('image/png', 'png', `${SLUG}-1.png`) } },
			{ json: json(1), pairedItem: { item: 1 }, binary: { data: binaryMeta('image/png', 'png', `${SLUG}-2.png`) } },
		]);
		for (const item of result.items) await expectTestPng(item);
		expect(server.requests.map(({ method, fullPath, body }) => ({ method, fullPath, body }))).toEqual([
			{ method: 'POST', fullPath: '/v1/images/generations', body: { model: 'gpt-image-1', prompt: PROMPT, n: 2 } },
			{ method: 'POST', fullPath: '/v1/images/generations', body: { model: 'gpt-image-1', prompt: PROMPT, n: 2 } },
		]);
	});

	it.each([
		['jpeg', 'image/jpeg', 'jpg'],
		['webp', 'image/webp', 'webp'],
		['png', 'image/png', 'png'],
	])('labels output format %s as %s with extension .%s', async (format, mimeType, extension) => {
		const result = await run(imageParameters('gpt-image-1', { outputFormat: format, binaryPropertyName: 'image' }));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({
			index: 0,
			model: 'gpt-image-1',
			created: CREATED,
			...GPT_IMAGE_SETTINGS,
			output_format: format,
			usage: GPT_IMAGE_USAGE,
		});
		expect(result.items[0].binary).toEqual({ image: binaryMeta(mimeType, extension, `${SLUG}-1.${extension}`) });
		await expectTestPng(result.items[0], 'image');
		expect(server.requests[0].body).toEqual({ model: 'gpt-image-1', prompt: PROMPT, output_format: format });
	});
});

describe('DALL·E models', () => {
	it('keeps the revised prompt and writes b64_json images to the chosen binary field (dall-e-3)', async () => {
		const result = await run(
			imageParameters('dall-e-3', { responseFormat: 'b64_json', binaryPropertyName: 'picture', quality: 'hd' }),
			{ input: [{ a: 1 }, { a: 2 }] },
		);

		expect(result.error).toBeUndefined();
		const item = (paired: number) => ({
			json: { index: 0, model: 'dall-e-3', created: CREATED, revised_prompt: `Revised: ${PROMPT}` },
			pairedItem: { item: paired },
			binary: { picture: binaryMeta('image/png', 'png', `${SLUG}-1.png`) },
		});
		expect(result.items).toEqual([item(0), item(1)]);
		for (const output of result.items) await expectTestPng(output, 'picture');
		expect(server.requests.map((request) => request.body)).toEqual([
			{ model: 'dall-e-3', prompt: PROMPT, quality: 'hd', response_format: 'b64_json' },
			{ model: 'dall-e-3', prompt: PROMPT, quality: 'hd', response_format: 'b64_json' },
		]);
	});

	it('returns image URLs as JSON without downloading by default', async () => {
		const result = await run(imageParameters('dall-e-2', { responseFormat: 'url', n: 2, size: '256x256' }));

		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{
				json: { index: 0, model: 'dall-e-2', created: CREATED, url: `${server.url}/files/img-000001.png` },
				pairedItem: { item: 0 },
			},
			{
				json: { index: 1, model: 'dall-e-2', created: CREATED, url: `${server.url}/files/img-000002.png` },
				pairedItem: { item: 0 },
			},
		]);
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].body).toEqual({ model: 'dall-e-2', prompt: PROMPT, n: 2, response_format: 'url', size: '256x256' });
	});

	it('downloads URLs into binary data without sending the API key to the image host', async () => {
		const result = await run(imageParameters('dall-e-3', { responseFormat: 'url', downloadImage: true }), {
			input: [{ a: 1 }, { a: 2 }],
		});

		expect(result.error).toBeUndefined();
		const urls = [`${server.url}/files/img-000001.png`, `${server.url}/files/img-000002.png`];
		expect(result.items).toEqual(
			urls.map((url, paired) => ({
				json: { index: 0, model: 'dall-e-3', created: CREATED, url, revised_prompt: `Revised: ${PROMPT}` },
				pairedItem: { item: paired },
				binary: { data: binaryMeta('image/png', 'png', `${SLUG}-1.png`) },
			})),
		);
		for (const item of result.items) await expectTestPng(item);
		const downloads = server.requests.filter((request) => request.method === 'GET');
		expect(downloads.map((request) => request.fullPath).sort()).toEqual(['/files/img-000001.png', '/files/img-000002.png']);
		for (const download of downloads) expect(download.headers.authorization).toBeUndefined();
	});

	it('reports a failed download clearly, per item, under Continue On Fail', async () => {
		server.failNext('/files/img-000001.png', { status: 403, body: 'AuthenticationFailed', contentType: 'text/plain' });
		const result = await run(imageParameters('dall-e-2', { responseFormat: 'url', downloadImage: true }), {
			input: [{ a: 1 }],
			continueOnFail: true,
		});

		const url = `${server.url}/files/img-000001.png`;
		expect(result.items).toEqual([
			{
				json: { error: `Could not download image 1 from ${url}` },
				error: expect.objectContaining({
					message: `Could not download image 1 from ${url}`,
					description:
						'Request failed with status code 403. Image URLs expire 60 minutes after generation; use Response Format Binary File to avoid the download.',
					context: { itemIndex: 0 },
				}),
				pairedItem: { item: 0 },
			},
		]);
	});
});

describe('per-model checks before sending', () => {
	it.each([
		['dall-e-3', { n: 2 }, 'Number of Images', 'must be 1 for dall-e-3, got 2'],
		['dall-e-2', { style: 'natural' }, 'Style', 'applies to dall-e-3 only, not to dall-e-2'],
		['gpt-image-1', { responseFormat: 'url' }, 'Response Format', 'applies to DALL·E models only, not to gpt-image-1'],
		['dall-e-3', { background: 'transparent' }, 'Background', 'applies to GPT image models only, not to dall-e-3'],
		['dall-e-2', { size: '1792x1024' }, 'Size', 'must be one of 256x256, 512x512, 1024x1024 for dall-e-2, got 1792x1024'],
		['gpt-image-1', { quality: 'hd' }, 'Quality', 'must be one of auto, low, medium, high for gpt-image-1, got hd'],
	])('%s with %j fails naming %s and the item, sending nothing', async (model, options, label, problem) => {
		const result = await run(imageParameters(model, options), { input: [{ a: 1 }, { a: 2 }] });

		expect(result.items).toEqual([]);
		expect(result.error?.message).toBe(`Invalid "${label}" in item 0: ${problem}`);
		expect(result.error?.description).toBe(`Parameter "${label}" ${problem}. Nothing was sent to the API.`);
		expect(server.requests).toEqual([]);
	});

	it('names the failing item when only one prompt is too long, and keeps the others under Continue On Fail', async () => {
		const input = [{ prompt: 'A red fox' }, { prompt: 'x'.repeat(1001) }, { prompt: 'A blue whale' }];
		const result = await run(imageParameters('dall-e-2', { responseFormat: 'b64_json' }, '={{ $json.prompt }}'), {
			input,
			continueOnFail: true,
		});

		expect(result.items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(result.items[0].binary?.data.fileName).toBe('a-red-fox-1.png');
		expect(result.items[2].binary?.data.fileName).toBe('a-blue-whale-1.png');
		const message = 'Invalid "Prompt" in item 1: is 1001 characters long; dall-e-2 accepts at most 1000';
		expect(result.items[1]).toEqual({
			json: { error: message },
			error: expect.objectContaining({ message, context: { itemIndex: 1 } }),
			pairedItem: { item: 1 },
		});
		expect(server.requests.map((request) => (request.body as IDataObject).prompt).sort()).toEqual([
			'A blue whale',
			'A red fox',
		]);
	});
});

describe('DALL·E default response format', () => {
	it('asks for base64 when Response Format is not set, so the image arrives as binary', async () => {
		const result = await run(imageParameters('dall-e-2', {}));

		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].body).toEqual({ model: 'dall-e-2', prompt: PROMPT, response_format: 'b64_json' });
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.url).toBeUndefined();
		await expectTestPng(result.items[0]);
	});
});
