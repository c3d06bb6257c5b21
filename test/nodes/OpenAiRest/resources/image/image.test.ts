/** Image → Generate, request mapping and item shape (binary details are tested elsewhere). */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { FIXED_CREATED } from '../../../../support/openai-server';
import { expectJsonHeaders, ORGANIZATION_ID, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const PROMPT = 'A cute baby sea otter';

function generate(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'image', operation: 'generate', imagePrompt: PROMPT, ...extra };
}

describe('image: generate', () => {
	it('sends POST /images/generations with the default GPT image model', async () => {
		const { items, error } = await runNode(generate(), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('POST');
		expect(request.fullPath).toBe('/v1/images/generations');
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'gpt-image-1', prompt: PROMPT });
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toStrictEqual({ item: 0 });
		expect(items[0].json).toStrictEqual({
			index: 0,
			model: 'gpt-image-1',
			created: FIXED_CREATED,
			size: '1024x1024',
			quality: 'high',
			background: 'opaque',
			output_format: 'png',
			usage: {
				total_tokens: 4165,
				input_tokens: 5,
				output_tokens: 4160,
				input_tokens_details: { text_tokens: 5, image_tokens: 0 },
			},
		});
		expect(Object.keys(items[0].binary ?? {})).toStrictEqual(['data']);
	});

	it('sends the GPT image options with their JSON types, and not the node-only ones', async () => {
		const options = {
			n: 2,
			size: '1536x1024',
			quality: 'low',
			background: 'transparent',
			outputFormat: 'webp',
			outputCompression: 80,
			moderation: 'low',
			user: 'user-9',
			binaryPropertyName: 'picture',
			downloadImage: false,
		};
		const { items, error } = await runNode(generate({ imageOptions: options }), {
			credentials: fixture.credentials({ organizationId: ORGANIZATION_ID }),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expectJsonHeaders(request, ORGANIZATION_ID);
		expect(request.body).toStrictEqual({
			model: 'gpt-image-1',
			prompt: PROMPT,
			n: 2,
			size: '1536x1024',
			quality: 'low',
			background: 'transparent',
			output_format: 'webp',
			output_compression: 80,
			moderation: 'low',
			user: 'user-9',
		});
		expect(items.map((item) => [item.json.index, item.pairedItem, Object.keys(item.binary ?? {})])).toStrictEqual([
			[0, { item: 0 }, ['picture']],
			[1, { item: 0 }, ['picture']],
		]);
	});

	it('sends the DALL·E 3 options and returns the URL and revised prompt', async () => {
		const options = { size: '1792x1024', quality: 'hd', style: 'natural', responseFormat: 'url' };
		const { items, error } = await runNode(generate({ imageModel: 'dall-e-3', imageOptions: options }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'dall-e-3',
			prompt: PROMPT,
			size: '1792x1024',
			quality: 'hd',
			style: 'natural',
			response_format: 'url',
		});
		expect(items.map((item) => ({ json: item.json, pairedItem: item.pairedItem, binary: item.binary }))).toStrictEqual([
			{
				json: {
					index: 0,
					model: 'dall-e-3',
					created: FIXED_CREATED,
					revised_prompt: `Revised: ${PROMPT}`,
					url: `${fixture.server().url}/files/img-000001.png`,
				},
				pairedItem: { item: 0 },
				binary: undefined,
			},
		]);
	});

	it('keeps three input items paired with their images, in order', async () => {
		const input = [{ p: 'a cat' }, { p: 'a dog' }, { p: 'a fox' }];
		const parameters = generate({ imageModel: 'dall-e-2', imagePrompt: '={{ $json.p }}', imageOptions: { responseFormat: 'b64_json', size: '256x256' } });
		const { items } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(fixture.server().requests.map((request) => request.body)).toStrictEqual(
			['a cat', 'a dog', 'a fox'].map((prompt) => ({
				model: 'dall-e-2',
				prompt,
				response_format: 'b64_json',
				size: '256x256',
			})),
		);
		expect(items.map((item) => item.pairedItem)).toStrictEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});
