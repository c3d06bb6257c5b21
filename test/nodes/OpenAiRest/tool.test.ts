/**
 * The node run under its AI Agent tool type (`openAiRestTool`), through n8n's engine: compact outputs,
 * images described in words, and errors whose message carries the advice (an agent sees only the message).
 */
import { runNode } from '../../support/engine';
import { DEFAULT_MODELS } from '../../support/openai-server';
import { jsonAndPairing, useOpenAiServer } from '../../support/fixture';

const fixture = useOpenAiServer();
const chat = (content: string, extra = {}) => ({
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: { values: [{ role: 'user', content }] },
	...extra,
});

describe('the node as an AI Agent tool', () => {
	it('answers a chat with the reply only, without usage or role', async () => {
		const { items, error } = await runNode(chat('Hello'), { credentials: fixture.credentials(), asTool: true });

		expect(error).toBeUndefined();
		expect(jsonAndPairing(items)).toStrictEqual([{ json: { content: 'Echo: Hello' }, pairedItem: { item: 0 } }]);
	});

	it('keeps the full simplified chat output when not run as a tool', async () => {
		const { items } = await runNode(chat('Hello'), { credentials: fixture.credentials() });

		expect(items[0].json).toMatchObject({ role: 'assistant', content: 'Echo: Hello', finish_reason: 'stop' });
		expect(items[0].json.usage).toBeDefined();
	});

	it('shows an embedding by its size and first numbers, not thousands of them', async () => {
		const parameters = { resource: 'embedding', operation: 'create', embeddingModel: 'text-embedding-3-small', embeddingInput: 'Hello' };
		const full = await runNode(parameters, { credentials: fixture.credentials() });
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), asTool: true });

		expect(error).toBeUndefined();
		const vector = full.items[0].json.embedding as number[];
		expect(vector.length).toBeGreaterThan(8);
		expect(items).toHaveLength(1);
		expect(items[0].json).not.toHaveProperty('embedding');
		expect(items[0].json).toMatchObject({ dimensions: vector.length, embedding_preview: vector.slice(0, 8) });
	});

	it('lists models as one item of sorted IDs', async () => {
		const { items, error } = await runNode({ resource: 'model', operation: 'list' }, {
			credentials: fixture.credentials(),
			asTool: true,
		});

		expect(error).toBeUndefined();
		const ids = DEFAULT_MODELS.map((model) => model.id).sort();
		expect(jsonAndPairing(items)).toStrictEqual([
			{ json: { count: DEFAULT_MODELS.length, models: ids }, pairedItem: { item: 0 } },
		]);
	});

	it('describes a binary image by its field, file name and MIME type, and keeps the binary data', async () => {
		const { items, error } = await runNode(
			{ resource: 'image', operation: 'generate', imagePrompt: 'A red fox in the snow' },
			{ credentials: fixture.credentials(), asTool: true },
		);

		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toStrictEqual({
			result:
				'Generated image 1 of 1 with gpt-image-1, as the file a-red-fox-in-the-snow-1.png (image/png) in the binary field "data" of this tool\'s output.',
		});
		expect(items[0].binary?.data).toMatchObject({ fileName: 'a-red-fox-in-the-snow-1.png', mimeType: 'image/png' });
	});

	it('gives the URL of an image returned as a link, with the revised prompt', async () => {
		const { items, error } = await runNode(
			{
				resource: 'image',
				operation: 'generate',
				imageModel: 'dall-e-3',
				imagePrompt: 'A lighthouse',
				imageOptions: { responseFormat: 'url' },
			},
			{ credentials: fixture.credentials(), asTool: true },
		);

		expect(error).toBeUndefined();
		const text = items[0].json.result as string;
		const url = fixture.server().url;
		expect(text).toMatch(new RegExp(`^Generated image 1 of 1 with dall-e-3, at ${url}/\\S+ \\(the link expires after 60 minutes\\)\\. Revised prompt: .+`));
		expect(items[0].binary).toBeUndefined();
	});

	it('puts the API error\'s details and advice into the message', async () => {
		const { error } = await runNode(chat('Hello', { chatModel: 'gpt-unknown' }), {
			credentials: fixture.credentials(),
			asTool: true,
		});

		expect(error?.message).toBe(
			[
				'The model `gpt-unknown` does not exist or you do not have access to it.',
				'type: invalid_request_error, code: model_not_found, HTTP status: 404',
				'The model "gpt-unknown" does not exist on this server or your key has no access to it. Pick another model.',
			].join('\n'),
		);
	});

	it('keeps the message short outside an agent, with the advice in the description', async () => {
		const { error } = await runNode(chat('Hello', { chatModel: 'gpt-unknown' }), { credentials: fixture.credentials() });

		expect(error?.message).toBe('The model `gpt-unknown` does not exist or you do not have access to it.');
		expect(error?.description).toContain('Pick another model.');
	});

	it('names the invalid parameter and says nothing was sent, in the message', async () => {
		const { error } = await runNode(chat('Hello', { chatOptions: { temperature: '={{ 5 }}' } }), {
			credentials: fixture.credentials(),
			asTool: true,
		});

		expect(error?.message).toBe(
			'Invalid "Sampling Temperature" in item 0: must be between 0 and 2, got 5\nNothing was sent to the API.',
		);
		expect(fixture.server().requests).toHaveLength(0);
	});
});
