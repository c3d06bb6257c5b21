import type { INode } from 'n8n-workflow';

import { compactEmbedding, compactForAgent, describeImageForAgent, EMBEDDING_PREVIEW_LENGTH } from '../../../../nodes/OpenAiRest/fields/tool';
import { errorMessageFor, runsAsTool } from '../../../../nodes/OpenAiRest/transport/errors';

const contextOfType = (type: string) => ({ getNode: () => ({ type }) as INode });
const asTool = contextOfType('n8n-nodes-openai-rest.openAiRestTool');
const asNode = contextOfType('n8n-nodes-openai-rest.openAiRest');

describe('runsAsTool', () => {
	it('recognises the tool variant n8n derives for agents by its type name', () => {
		expect(runsAsTool(asTool)).toBe(true);
		expect(runsAsTool(asNode)).toBe(false);
	});
});

describe('errorMessageFor', () => {
	it('appends the description to the message only for a tool', () => {
		expect(errorMessageFor(asTool, 'Rate limit reached', 'Try again later.')).toBe('Rate limit reached\nTry again later.');
		expect(errorMessageFor(asNode, 'Rate limit reached', 'Try again later.')).toBe('Rate limit reached');
		expect(errorMessageFor(asTool, 'Rate limit reached', '')).toBe('Rate limit reached');
	});
});

describe('compactForAgent', () => {
	const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };

	it('keeps a chat answer, its refusal and tool calls, and a finish reason other than stop', () => {
		const rows = [
			{ role: 'assistant', content: 'Hi', finish_reason: 'stop', usage },
			{ role: 'assistant', content: 'Cut', finish_reason: 'length', index: 1, usage },
			{ role: 'assistant', refusal: 'No', finish_reason: 'stop', usage },
		];
		expect(compactForAgent('chat', rows)).toStrictEqual([
			{ content: 'Hi' },
			{ content: 'Cut', finish_reason: 'length', index: 1 },
			{ refusal: 'No' },
		]);
	});

	it('keeps the text of completions and edits', () => {
		const rows = [{ text: 'done', finish_reason: 'stop', usage }];
		expect(compactForAgent('text', rows)).toStrictEqual([{ text: 'done' }]);
		expect(compactForAgent('edit', [{ text: 'edited', usage }])).toStrictEqual([{ text: 'edited' }]);
	});

	it('names the flagged moderation categories instead of every score', () => {
		const row = {
			flagged: true,
			categories: { hate: false, violence: true, harassment: true },
			category_scores: { hate: 0.01, violence: 0.9, harassment: 0.8 },
			model: 'omni-moderation-latest',
		};
		expect(compactForAgent('moderation', [row])).toStrictEqual([
			{ flagged: true, flagged_categories: ['violence', 'harassment'] },
		]);
	});

	it('turns a model list into one item of sorted IDs', () => {
		const rows = [
			{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'system' },
			{ id: 'dall-e-3', object: 'model', created: 2, owned_by: 'system' },
		];
		expect(compactForAgent('model', rows)).toStrictEqual([{ count: 2, models: ['dall-e-3', 'gpt-4o'] }]);
	});
});

describe('compactEmbedding', () => {
	it('shows the size and the first numbers of a vector instead of all of them', () => {
		const embedding = Array.from({ length: 1536 }, (_, index) => index / 1000);
		const row = { index: 2, embedding, model: 'text-embedding-3-small', usage: { prompt_tokens: 3, total_tokens: 3 } };

		expect(compactEmbedding(row)).toStrictEqual({
			index: 2,
			model: 'text-embedding-3-small',
			usage: { prompt_tokens: 3, total_tokens: 3 },
			dimensions: 1536,
			embedding_preview: embedding.slice(0, EMBEDDING_PREVIEW_LENGTH),
		});
	});
});

describe('describeImageForAgent', () => {
	const image = { index: 0, count: 2, model: 'dall-e-2' };

	it('says where a URL image is', () => {
		expect(describeImageForAgent({ ...image, url: 'https://files.example/a.png' })).toBe(
			'Generated image 1 of 2 with dall-e-2, at https://files.example/a.png (the link expires after 60 minutes).',
		);
	});

	it('names the binary field, file and MIME type of a file image, and a revised prompt', () => {
		expect(
			describeImageForAgent({
				...image,
				index: 1,
				binaryProperty: 'picture',
				fileName: 'fox-2.webp',
				mimeType: 'image/webp',
				revisedPrompt: 'A fox',
			}),
		).toBe(
			'Generated image 2 of 2 with dall-e-2, as the file fox-2.webp (image/webp) in the binary field "picture" of this tool\'s output. Revised prompt: A fox',
		);
	});

	it('says when the server sent no image', () => {
		expect(describeImageForAgent(image)).toBe('Generated image 1 of 2 with dall-e-2, the server returned no image data.');
	});
});
