/**
 * Bad parameter values are caught before anything is sent: a NodeOperationError names the
 * parameter, the item and what is allowed, and Continue On Fail keeps the other items going.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../support/engine';
import { type OpenAiServer, startOpenAiServer } from '../../support/openai-server';
import { chatUsage } from '../../support/usage';

const KEY = 'canary-SECRET-key-0123456789abcdef';
let server: OpenAiServer;

beforeAll(async () => {
	server = await startOpenAiServer({ apiKey: KEY });
});
afterAll(async () => await server.close());
beforeEach(() => server.reset());

function credentials() {
	return { apiKey: KEY, baseUrl: server.baseUrl() };
}

function chat(options: IDataObject = {}, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'chat',
		operation: 'create',
		chatModel: 'gpt-4o-mini',
		messages: { values: [{ role: 'user', content: 'Hi' }] },
		chatOptions: options,
		...extra,
	} as INodeParameters;
}

function image(model: string, prompt: string, options: IDataObject = {}): INodeParameters {
	return { resource: 'image', operation: 'generate', imageModel: model, imagePrompt: prompt, imageOptions: options } as INodeParameters;
}

/** The answer the test server gives to a chat with one user message. */
function echo(content: string): IDataObject {
	const words = content.split(/\s+/).length;
	return {
		role: 'assistant',
		content: `Echo: ${content}`,
		finish_reason: 'stop',
		usage: chatUsage(words, words + 1),
	};
}

/** The parts of an error item that Continue On Fail promises. */
function errorItem(item: INodeExecutionData) {
	const error = item.error as (Error & { description?: string; context?: IDataObject }) | undefined;
	return {
		json: item.json,
		pairedItem: item.pairedItem,
		name: error?.name,
		description: error?.description,
		itemIndex: error?.context?.itemIndex,
	};
}

interface Case {
	name: string;
	parameters: INodeParameters;
	input?: IDataObject[];
	message: string;
	description: string;
}

const JSON_REASON = "Expected property name or '}' in JSON at position 1";

const CASES: Case[] = [
	{
		name: 'temperature above 2',
		parameters: chat({ temperature: 2.5 }),
		message: 'Invalid "Sampling Temperature" in item 0: must be between 0 and 2, got 2.5',
		description: 'Parameter "Sampling Temperature" must be between 0 and 2, got 2.5. Nothing was sent to the API.',
	},
	{
		name: 'top P from an expression',
		parameters: chat({ topP: '={{ $json.p }}' }),
		input: [{ p: 1.5 }],
		message: 'Invalid "Top P" in item 0: must be between 0 and 1, got 1.5',
		description: 'Parameter "Top P" must be between 0 and 1, got 1.5. Nothing was sent to the API.',
	},
	{
		name: 'number of completions 0',
		parameters: chat({ n: 0 }),
		message: 'Invalid "Number of Completions" in item 0: must be between 1 and 128, got 0',
		description: 'Parameter "Number of Completions" must be between 1 and 128, got 0. Nothing was sent to the API.',
	},
	{
		name: 'invalid logit bias JSON',
		parameters: chat({ logitBias: '{50256: -100}' }),
		message: `Invalid "Logit Bias" in item 0: is not valid JSON (${JSON_REASON})`,
		description: `Parameter "Logit Bias" is not valid JSON (${JSON_REASON}). Nothing was sent to the API.`,
	},
	{
		name: 'logit bias out of range',
		parameters: chat({ logitBias: '{"50256": -101}' }),
		message: 'Invalid "Logit Bias" in item 0: the value for "50256" must be a number between -100 and 100, got -101',
		description:
			'Parameter "Logit Bias" the value for "50256" must be a number between -100 and 100, got -101. Nothing was sent to the API.',
	},
	{
		name: 'invalid response schema JSON',
		parameters: chat({ responseFormat: 'json_schema', jsonSchema: '{type: object}' }),
		message: `Invalid "JSON Schema" in item 0: is not valid JSON (${JSON_REASON})`,
		description: `Parameter "JSON Schema" is not valid JSON (${JSON_REASON}). Nothing was sent to the API.`,
	},
	{
		name: 'invalid tools JSON',
		parameters: chat({ tools: '[{type: "function"}]' }),
		message: `Invalid "Tools" in item 0: is not valid JSON (Expected property name or '}' in JSON at position 2)`,
		description: `Parameter "Tools" is not valid JSON (Expected property name or '}' in JSON at position 2). Nothing was sent to the API.`,
	},
	{
		name: 'tools that are not an array',
		parameters: chat({ tools: '{"type": "function"}' }),
		message: 'Invalid "Tools" in item 0: must be a JSON array, got an object',
		description: 'Parameter "Tools" must be a JSON array, got an object. Nothing was sent to the API.',
	},
	{
		name: 'invalid messages from an expression',
		parameters: chat({}, { messagesInput: 'json', messagesJson: '={{ $json.history }}' }),
		input: [{ history: '[{"role": "user", "content": "Hi"}' }],
		message:
			'Invalid "Messages (JSON)" in item 0: is not valid JSON (Expected \',\' or \']\' after array element in JSON at position 34)',
		description:
			'Parameter "Messages (JSON)" is not valid JSON (Expected \',\' or \']\' after array element in JSON at position 34). Nothing was sent to the API.',
	},
	{
		name: 'messages from an expression without a role',
		parameters: chat({}, { messagesInput: 'json', messagesJson: '={{ $json.history }}' }),
		input: [{ history: [{ content: 'Hi' }] }],
		message:
			'Invalid "Messages (JSON)" in item 0: message 0 needs a role, one of developer, system, user, assistant, tool; got undefined',
		description:
			'Parameter "Messages (JSON)" message 0 needs a role, one of developer, system, user, assistant, tool; got undefined. Nothing was sent to the API.',
	},
	{
		name: 'five stop sequences',
		parameters: chat({ stop: ['a', 'b', 'c', 'd', 'e'] }),
		message: 'Invalid "Stop Sequences" in item 0: allows at most 4 entries, got 5',
		description: 'Parameter "Stop Sequences" allows at most 4 entries, got 5. Nothing was sent to the API.',
	},
	{
		name: 'an empty message list',
		parameters: chat({}, { messages: { values: [] } }),
		message: 'Invalid "Messages" in item 0: must contain at least one message',
		description: 'Parameter "Messages" must contain at least one message. Nothing was sent to the API.',
	},
	{
		name: 'an empty message array from JSON',
		parameters: chat({}, { messagesInput: 'json', messagesJson: '[]' }),
		message: 'Invalid "Messages" in item 0: must contain at least one message',
		description: 'Parameter "Messages" must contain at least one message. Nothing was sent to the API.',
	},
	{
		name: 'two images from dall-e-3',
		parameters: image('dall-e-3', 'A red fox', { n: 2 }),
		message: 'Invalid "Number of Images" in item 0: must be 1 for dall-e-3, got 2',
		description: 'Parameter "Number of Images" must be 1 for dall-e-3, got 2. Nothing was sent to the API.',
	},
	{
		name: 'eleven images',
		parameters: image('gpt-image-1', 'A red fox', { n: 11 }),
		message: 'Invalid "Number of Images" in item 0: must be between 1 and 10, got 11',
		description: 'Parameter "Number of Images" must be between 1 and 10, got 11. Nothing was sent to the API.',
	},
	{
		name: 'a dall-e-2 prompt over 1000 characters',
		parameters: image('dall-e-2', 'a'.repeat(1001)),
		message: 'Invalid "Prompt" in item 0: is 1001 characters long; dall-e-2 accepts at most 1000',
		description: 'Parameter "Prompt" is 1001 characters long; dall-e-2 accepts at most 1000. Nothing was sent to the API.',
	},
];

describe.each(CASES)('$name', ({ parameters, input, message, description }) => {
	it('stops the workflow naming the parameter, the item and the range, and sends nothing', async () => {
		const { items, error } = await runNode(parameters, { credentials: credentials(), input });
		expect(items).toEqual([]);
		// The node throws a NodeOperationError; n8n's RoutingNode rewraps every error of a
		// declarative node that is not a NodeApiError into one, keeping message and description.
		expect(error?.name).toBe('NodeApiError');
		expect(error?.httpCode).toBe('none');
		expect(error?.message).toBe(message);
		expect(error?.description).toBe(description);
		expect(error?.context?.itemIndex).toBe(0);
		expect(server.requests).toEqual([]);
	});

	it('returns an error item paired with its input under Continue On Fail', async () => {
		const { items, error } = await runNode(parameters, { credentials: credentials(), input, continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items.map(errorItem)).toEqual([
			{ json: { error: message }, pairedItem: { item: 0 }, name: 'NodeOperationError', description, itemIndex: 0 },
		]);
		expect(server.requests).toEqual([]);
	});
});

describe('a value from an expression that is out of range for one item only', () => {
	const parameters = chat({ temperature: '={{ $json.t }}' }, {
		messages: { values: [{ role: 'user', content: '={{ $json.q }}' }] },
	});
	const input = [
		{ t: 0.2, q: 'first' },
		{ t: 3, q: 'second' },
		{ t: 1.5, q: 'third' },
	];
	const message = 'Invalid "Sampling Temperature" in item 1: must be between 0 and 2, got 3';

	it('fails item 1 and answers items 0 and 2 in order under Continue On Fail', async () => {
		const { items, error } = await runNode(parameters, { credentials: credentials(), input, continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(3);
		expect(items[0]).toEqual({ json: echo('first'), pairedItem: { item: 0 } });
		expect(errorItem(items[1])).toEqual({
			json: { error: message },
			pairedItem: { item: 1 },
			name: 'NodeOperationError',
			description: 'Parameter "Sampling Temperature" must be between 0 and 2, got 3. Nothing was sent to the API.',
			itemIndex: 1,
		});
		expect(items[2]).toEqual({ json: echo('third'), pairedItem: { item: 2 } });
		expect(server.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
			{
				method: 'POST',
				path: '/chat/completions',
				body: { model: 'gpt-4o-mini', temperature: 0.2, messages: [{ role: 'user', content: 'first' }] },
			},
			{
				method: 'POST',
				path: '/chat/completions',
				body: { model: 'gpt-4o-mini', temperature: 1.5, messages: [{ role: 'user', content: 'third' }] },
			},
		]);
	});

	it('stops the workflow naming item 1 without Continue On Fail', async () => {
		const { items, error } = await runNode(parameters, { credentials: credentials(), input });
		expect(items).toEqual([]);
		expect(error?.message).toBe(message);
		expect(error?.context?.itemIndex).toBe(1);
		// n8n sends the valid items of the same run in parallel before it reports the failure.
		expect(server.requests.map(({ body }) => (body as IDataObject).temperature)).toEqual([0.2, 1.5]);
	});
});
