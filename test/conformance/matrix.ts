/**
 * The parameter-coverage matrix: node runs that together set every parameter of every operation, both
 * ends of every numeric range, every option value and both boolean values (see coverage.ts).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { NodeRun, RunOptions } from '../support/engine';
import type { CapturedRequest, OpenAiServer } from '../support/openai-server';
import { batchCasesFrom } from './matrix-batch';
import { binaryCases } from './matrix-binary';
import { conversationMatrixCases } from './matrix-conversation';
import { retryCases } from './retry-cases';
import { storeCases } from './matrix-stores';

export interface MatrixCase {
	name: string;
	parameters: INodeParameters;
	input?: IDataObject[];
	/** Binary fields per input item. */
	binary?: RunOptions['binary'];
	/** Queues server faults or stores data before the run. */
	arrange?: (server: OpenAiServer) => void | Promise<void>;
	/** The run must fail with a message containing this; otherwise it must succeed. */
	expectError?: string;
	/** Parameters this case's hooks rewrite on purpose (checked by `check`), e.g. a prompt that becomes a message. */
	rewrites?: string[];
	/** Checks beyond "the routed values arrive in the body"; `requests` are the API requests only. */
	check?: (run: NodeRun, requests: CapturedRequest[]) => void;
}

type JsonBody = Record<string, unknown>;

const bodyOf = (request: CapturedRequest) => request.body as JsonBody;

const TOOLS = JSON.stringify([
	{
		type: 'function',
		function: {
			name: 'get_weather',
			description: 'Current weather in a city',
			parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
		},
	},
]);

const SCHEMA = JSON.stringify({
	type: 'object',
	properties: { answer: { type: 'string' } },
	required: ['answer'],
	additionalProperties: false,
});

const chat = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: { values: [{ role: 'user', content: 'Hi' }] },
	chatOptions: options,
	...extra,
});

/** Messages from JSON hide the message list, so a case must not set it. */
function withoutMessageList(parameters: INodeParameters): INodeParameters {
	const { messages: _hidden, ...rest } = parameters;
	return rest;
}

const text = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'text',
	operation: 'create',
	textModel: 'gpt-3.5-turbo-instruct',
	textPrompt: 'Say this is a test',
	textOptions: options,
	...extra,
});

const edit = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'edit',
	operation: 'create',
	editModel: 'text-davinci-edit-001',
	instruction: 'Fix the spelling',
	editInput: 'Helo wrld',
	editOptions: options,
	...extra,
});

const image = (model: string, options: INodeParameters = {}): INodeParameters => ({
	resource: 'image',
	operation: 'generate',
	imageModel: model,
	imagePrompt: 'A cute baby sea otter',
	imageOptions: options,
});

const moderation = (extra: INodeParameters, options: INodeParameters = {}): INodeParameters => ({
	resource: 'moderation',
	operation: 'classify',
	moderationModel: 'omni-moderation-latest',
	...extra,
	moderationOptions: options,
});

const models = (operation: 'list' | 'get', options: INodeParameters = {}): INodeParameters => ({
	resource: 'model',
	operation,
	...(operation === 'get' ? { modelId: 'gpt-4o' } : {}),
	modelOptions: options,
});

/** One case per value of an option, each on its own. */
function sweep(
	label: string,
	build: (value: string) => INodeParameters,
	values: string[],
): MatrixCase[] {
	return values.map((value) => ({ name: `${label} = ${value}`, parameters: build(value) }));
}

const chatCases: MatrixCase[] = [
	{
		name: 'chat: lower range ends',
		parameters: chat({
			frequencyPenalty: -2,
			presencePenalty: -2,
			temperature: 0,
			topP: 0,
			maxCompletionTokens: 1,
			maxTokens: 1,
			n: 1,
			logprobs: true,
			topLogprobs: 0,
			seed: 0,
			stop: ['\n', 'END'],
			logitBias: '{"50256": -100}',
			user: 'user-123',
			store: true,
			metadata: '{"topic": "greeting"}',
			promptCacheKey: 'cache-1',
			safetyIdentifier: 'hashed-user-1',
		}),
		check: (run) => expect(run.items[0].json).toMatchObject({ role: 'assistant', content: 'Echo: Hi' }),
	},
	{
		name: 'chat: upper range ends',
		parameters: chat({
			frequencyPenalty: 2,
			presencePenalty: 2,
			temperature: 2,
			topP: 1,
			n: 128,
			logprobs: true,
			topLogprobs: 20,
			seed: 4242,
			store: false,
		}),
		check: (run) => {
			expect(run.items).toHaveLength(128);
			expect(run.items[127].json).toMatchObject({ content: 'Echo: Hi #127', index: 127 });
			expect(run.items[0].json.logprobs).toMatchObject({ content: [{ token: 'Echo:' }, { token: ' Hi' }, { token: ' #0' }] });
		},
	},
	{
		name: 'chat: logprobs off',
		parameters: chat({ logprobs: false }),
		check: (run) => expect(run.items[0].json.logprobs).toBeUndefined(),
	},
	...retryCases('chat', (options) => chat(options)),
	...sweep('chat reasoningEffort', (value) => chat({ reasoningEffort: value }, { chatModel: 'o3-mini' }), [
		'xhigh',
		'high',
		'low',
		'max',
		'medium',
		'minimal',
		'none',
	]),
	...sweep('chat serviceTier', (value) => chat({ serviceTier: value }), [
		'auto',
		'default',
		'fast',
		'flex',
		'priority',
		'scale',
	]),
	...sweep('chat verbosity', (value) => chat({ verbosity: value }, { chatModel: 'gpt-4.1' }), ['low', 'medium', 'high']),
	...sweep('chat toolChoice', (value) => chat({ tools: TOOLS, toolChoice: value, parallelToolCalls: true }), [
		'auto',
		'none',
		'required',
	]),
	{
		name: 'chat: toolChoiceFunction forces one function, parallel tool calls off',
		parameters: chat(
			{ tools: TOOLS, toolChoiceFunction: 'get_weather', parallelToolCalls: false },
			{ messages: { values: [{ role: 'user', content: 'CALL Paris' }] } },
		),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
			// Simplify drops the null content of a tool-call answer.
			expect(run.items[0].json).not.toHaveProperty('content');
			expect(run.items[0].json).toMatchObject({
				role: 'assistant',
				finish_reason: 'tool_calls',
				tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"text":"Paris"}' } }],
			});
		},
	},
	{ name: 'chat: responseFormat = text', parameters: chat({ responseFormat: 'text' }) },
	{
		name: 'chat: responseFormat = json_object',
		parameters: chat({ responseFormat: 'json_object' }, { messages: { values: [{ role: 'user', content: 'Answer in JSON' }] } }),
	},
	{
		name: 'chat: responseFormat = json_schema with every schema option, strict',
		parameters: chat({
			responseFormat: 'json_schema',
			jsonSchema: SCHEMA,
			jsonSchemaName: 'answer_format',
			jsonSchemaDescription: 'One answer',
			jsonSchemaStrict: true,
		}),
		check: (_run, requests) =>
			expect(bodyOf(requests[0]).response_format).toEqual({
				type: 'json_schema',
				json_schema: { schema: JSON.parse(SCHEMA), name: 'answer_format', description: 'One answer', strict: true },
			}),
	},
	{
		name: 'chat: JSON schema without Response Format, not strict',
		parameters: chat({ jsonSchema: SCHEMA, jsonSchemaStrict: false }),
		check: (_run, requests) =>
			expect(bodyOf(requests[0]).response_format).toEqual({
				type: 'json_schema',
				json_schema: { schema: JSON.parse(SCHEMA), name: 'response', strict: false },
			}),
	},
	{
		name: 'chat: every role, images with every detail',
		parameters: chat(
			{},
			{
				messages: {
					values: [
						{ role: 'developer', content: 'Be brief.' },
						{ role: 'system', content: 'You describe images.' },
						{ role: 'user', content: 'Hello' },
						{ role: 'assistant', content: 'Hi! Send a picture.' },
						{ role: 'user', content: 'Look', imageUrls: 'https://example.com/a.png', imageDetail: 'low' },
						{ role: 'user', content: '', imageUrls: 'https://example.com/b.png, https://example.com/c.png', imageDetail: 'high' },
						{ role: 'user', content: 'And this', imageUrls: 'https://example.com/d.png', imageDetail: 'auto' },
					],
				},
			},
		),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).messages).toEqual([
				{ role: 'developer', content: 'Be brief.' },
				{ role: 'system', content: 'You describe images.' },
				{ role: 'user', content: 'Hello' },
				{ role: 'assistant', content: 'Hi! Send a picture.' },
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'Look' },
						{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
					],
				},
				{
					role: 'user',
					content: [
						{ type: 'image_url', image_url: { url: 'https://example.com/b.png', detail: 'high' } },
						{ type: 'image_url', image_url: { url: 'https://example.com/c.png', detail: 'high' } },
					],
				},
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'And this' },
						{ type: 'image_url', image_url: { url: 'https://example.com/d.png' } },
					],
				},
			]);
			expect(run.items[0].json.content).toBe('Echo: And this');
		},
	},
	{
		name: 'chat: messagesInput = json',
		parameters: withoutMessageList(
			chat(
				{},
				{
					messagesInput: 'json',
					messagesJson: '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "From JSON"}]',
				},
			),
		),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).messages).toEqual([
				{ role: 'system', content: 'Be brief.' },
				{ role: 'user', content: 'From JSON' },
			]);
			expect(run.items[0].json.content).toBe('Echo: From JSON');
		},
	},
	{
		name: 'chat: messagesInput = list',
		parameters: chat({}, { messagesInput: 'list' }),
		check: (run) => expect(run.items[0].json.content).toBe('Echo: Hi'),
	},
	{
		name: 'chat: stream with usage',
		parameters: chat({ stream: true, includeUsage: true }),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).stream_options).toEqual({ include_usage: true });
			expect(run.items[0].json).toMatchObject({ role: 'assistant', content: 'Echo: Hi', finish_reason: 'stop' });
			expect(run.items[0].json.usage).toMatchObject({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
		},
	},
	{
		name: 'chat: stream without usage',
		parameters: chat({ stream: true, includeUsage: false }),
		check: (run, requests) => {
			expect(bodyOf(requests[0])).not.toHaveProperty('stream_options');
			expect(run.items[0].json).toMatchObject({ content: 'Echo: Hi' });
			expect(run.items[0].json.usage).toBeUndefined();
		},
	},
	{
		name: 'chat: unstreamed, simplify off',
		parameters: chat({ stream: false }, { chatSimplify: false }),
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'chat.completion', choices: [{ index: 0 }] }),
	},
	{
		name: 'chat: simplify on',
		parameters: chat({}, { chatSimplify: true }),
		check: (run) => expect(run.items[0].json).toMatchObject({ role: 'assistant', content: 'Echo: Hi' }),
	},
];

const textCases: MatrixCase[] = [
	{
		name: 'text: lower range ends',
		parameters: text({
			frequencyPenalty: -2,
			presencePenalty: -2,
			temperature: 0,
			topP: 0,
			maxTokens: 0,
			n: 1,
			logprobs: 0,
			seed: 0,
			echo: false,
			stop: ['\n'],
			logitBias: '{"50256": -100}',
			user: 'user-123',
			suffix: ' That is all.',
		}),
		check: (run) => expect(run.items[0].json.text).toEqual(expect.any(String)),
	},
	{
		name: 'text: upper range ends with Best Of',
		parameters: text({
			frequencyPenalty: 2,
			presencePenalty: 2,
			temperature: 2,
			topP: 1,
			n: 20,
			bestOf: 20,
			logprobs: 5,
			echo: true,
			seed: 4242,
		}),
		check: (run) => expect(run.items).toHaveLength(20),
	},
	{
		name: 'text: 128 completions',
		parameters: text({ n: 128 }),
		check: (run) => expect(run.items).toHaveLength(128),
	},
	{
		name: 'text: lower end of Best Of',
		parameters: text({ bestOf: 1 }),
		check: (run, requests) => {
			expect(requests[0].body).toMatchObject({ best_of: 1 });
			expect(run.items).toHaveLength(1);
		},
	},
	{
		name: 'text: Best Of below Number of Completions is refused before sending',
		parameters: text({ bestOf: 2, n: 3 }),
		expectError: 'Best Of',
		check: (_run, requests) => expect(requests).toHaveLength(0),
	},
	...retryCases('text', (options) => text(options)),
	{
		name: 'text: stream with usage',
		parameters: text({ stream: true, includeUsage: true }),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).stream_options).toEqual({ include_usage: true });
			expect(run.items[0].json.usage).toEqual(expect.objectContaining({ total_tokens: expect.any(Number) }));
		},
	},
	{
		name: 'text: stream without usage',
		parameters: text({ stream: true, includeUsage: false }),
		check: (run, requests) => {
			expect(bodyOf(requests[0])).not.toHaveProperty('stream_options');
			expect(run.items[0].json.usage).toBeUndefined();
		},
	},
	{
		name: 'text: unstreamed, simplify off',
		parameters: text({ stream: false }, { textSimplify: false }),
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'text_completion' }),
	},
	{
		name: 'text: simplify on',
		parameters: text({}, { textSimplify: true }),
		check: (run) => expect(Object.keys(run.items[0].json).sort()).toEqual(['finish_reason', 'text', 'usage']),
	},
];

const editCases: MatrixCase[] = [
	{
		name: 'edit: lower range ends, simplify on',
		parameters: edit({ temperature: 0, topP: 0, n: 1 }, { editSimplify: true }),
		check: (run) =>
			expect(run.items.map((item) => item.json.text)).toEqual(['Edited: Helo wrld (Fix the spelling)']),
	},
	{
		name: 'edit: upper range ends, simplify off, no input',
		parameters: edit({ temperature: 2, topP: 1, n: 20 }, { editSimplify: false, editInput: '' }),
		check: (run) => {
			expect(run.items).toHaveLength(1);
			expect(run.items[0].json).toMatchObject({ object: 'edit' });
			expect(run.items[0].json.choices).toHaveLength(20);
		},
	},
	...retryCases('edit', (options) => edit(options)),
];

const pngBinary = (run: NodeRun, property: string) => run.items[0].binary?.[property];

const imageCases: MatrixCase[] = [
	{
		name: 'image dall-e-2: 10 images as binary in a custom field, 256x256, standard',
		parameters: image('dall-e-2', {
			n: 10,
			size: '256x256',
			quality: 'standard',
			responseFormat: 'b64_json',
			binaryPropertyName: 'picture',
			user: 'user-123',
		}),
		check: (run) => {
			expect(run.items).toHaveLength(10);
			expect(run.items.every((item) => item.binary?.picture?.mimeType === 'image/png')).toBe(true);
		},
	},
	{
		name: 'image dall-e-2: 512x512 URL, downloaded',
		parameters: image('dall-e-2', { n: 1, size: '512x512', responseFormat: 'url', downloadImage: true }),
		check: (run) => {
			expect(run.items[0].json.url).toEqual(expect.stringMatching(/\/files\/img.*\.png$/));
			expect(pngBinary(run, 'data')).toMatchObject({ mimeType: 'image/png', fileName: 'a-cute-baby-sea-otter-1.png' });
		},
	},
	{
		name: 'image dall-e-2: URL, not downloaded',
		parameters: image('dall-e-2', { responseFormat: 'url', downloadImage: false }),
		check: (run) => {
			expect(run.items[0].json.url).toEqual(expect.any(String));
			expect(run.items[0].binary).toBeUndefined();
		},
	},
	{
		name: 'image dall-e-3: 1024x1792, hd, natural',
		parameters: image('dall-e-3', { size: '1024x1792', quality: 'hd', style: 'natural', responseFormat: 'url' }),
		check: (run) => expect(run.items[0].json.revised_prompt).toBe('Revised: A cute baby sea otter'),
	},
	{
		name: 'image dall-e-3: 1792x1024, standard, vivid',
		parameters: image('dall-e-3', { size: '1792x1024', quality: 'standard', style: 'vivid', responseFormat: 'b64_json' }),
		check: (run) => expect(pngBinary(run, 'data')).toMatchObject({ mimeType: 'image/png' }),
	},
	{
		name: 'image gpt-image-1: 1024x1536, low, transparent PNG, low moderation',
		parameters: image('gpt-image-1', {
			size: '1024x1536',
			quality: 'low',
			background: 'transparent',
			outputFormat: 'png',
			moderation: 'low',
		}),
		check: (run) =>
			expect(run.items[0].json).toMatchObject({ size: '1024x1536', quality: 'low', background: 'transparent' }),
	},
	{
		name: 'image gpt-image-1: 1536x1024, medium, opaque JPEG at compression 0',
		parameters: image('gpt-image-1', {
			size: '1536x1024',
			quality: 'medium',
			background: 'opaque',
			outputFormat: 'jpeg',
			outputCompression: 0,
			moderation: 'auto',
		}),
		check: (run) => expect(pngBinary(run, 'data')).toMatchObject({ mimeType: 'image/jpeg' }),
	},
	{
		name: 'image gpt-image-1: auto size, high, auto background, WebP at compression 100, 10 images',
		parameters: image('gpt-image-1', {
			n: 10,
			size: 'auto',
			quality: 'high',
			background: 'auto',
			outputFormat: 'webp',
			outputCompression: 100,
		}),
		check: (run) => expect(run.items).toHaveLength(10),
	},
	{
		name: 'image gpt-image-1: 1024x1024, auto quality',
		parameters: image('gpt-image-1', { size: '1024x1024', quality: 'auto', n: 1 }),
	},
	...retryCases('image', (options) => image('gpt-image-1', options)),
];

const moderationCases: MatrixCase[] = [
	{
		name: 'moderation: one text, simplify on',
		parameters: moderation({ inputType: 'text', moderationInput: 'I like kittens', moderationSimplify: true }),
		check: (run) => expect(run.items[0].json).toMatchObject({ flagged: false, model: 'omni-moderation-latest' }),
	},
	{
		name: 'moderation: several texts, simplify off',
		parameters: moderation({ inputType: 'texts', texts: ['first text', 'second text'], moderationSimplify: false }),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).input).toEqual(['first text', 'second text']);
			expect(run.items[0].json.results).toHaveLength(2);
		},
	},
	{
		name: 'moderation: text and image',
		parameters: moderation({
			inputType: 'textAndImage',
			text: 'Is this fine?',
			imageUrl: 'https://example.com/photo.png',
		}),
		check: (_run, requests) =>
			expect(bodyOf(requests[0])).toEqual({
				model: 'omni-moderation-latest',
				input: [
					{ type: 'text', text: 'Is this fine?' },
					{ type: 'image_url', image_url: { url: 'https://example.com/photo.png' } },
				],
			}),
	},
	...retryCases('moderation', (options) => moderation({ inputType: 'text', moderationInput: 'Hello' }, options)),
];

const modelCases: MatrixCase[] = [
	{
		name: 'model list: simplify on',
		parameters: { ...models('list'), modelSimplify: true },
		check: (run) => expect(run.items.map((item) => item.json.id)).toContain('gpt-4o'),
	},
	{
		name: 'model list: simplify off',
		parameters: { ...models('list'), modelSimplify: false },
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'list' }),
	},
	{
		name: 'model get',
		parameters: models('get'),
		check: (run, requests) => {
			expect(requests[0].fullPath).toBe('/v1/models/gpt-4o');
			expect(run.items[0].json).toEqual({ id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' });
		},
	},
	...retryCases('model list', (options) => models('list', options)),
	...retryCases('model get', (options) => models('get', options)),
];

// ---------------------------------------------------------------------------------------------
// Response and Embedding
// ---------------------------------------------------------------------------------------------

const RESPONSE_TOOLS = JSON.stringify([
	{
		type: 'function',
		name: 'get_weather',
		description: 'Current weather in a city',
		parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
		strict: true,
	},
]);

const response = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'response',
	operation: 'create',
	responseModel: 'gpt-4o-mini',
	responseInputType: 'prompt',
	responsePrompt: 'Say this is a test',
	responseOptions: options,
	...extra,
});

/** Input from messages or JSON hides the prompt, so a case must not set it. */
function responseInput(inputType: 'messages' | 'json', extra: INodeParameters, options: INodeParameters = {}): INodeParameters {
	const { responsePrompt: _hidden, ...rest } = response(options, { responseInputType: inputType, ...extra });
	return rest;
}

/** Get, Delete, Cancel and List Input Items of the response the case's first run stored. */
const responseById = (operation: string, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'response',
	operation,
	responseId: 'resp_000001',
	...extra,
});

/** Stores one response with three input messages, as Create would, before a by-ID case runs. */
async function storeResponse(server: OpenAiServer, background = false): Promise<void> {
	const body = JSON.stringify({
		model: 'gpt-4o-mini',
		background,
		input: ['one', 'two', 'three'].map((content) => ({ role: 'user', content })),
	});
	await fetch(`${server.baseUrl()}/responses`, {
		method: 'POST',
		headers: { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' },
		body,
	});
}

/** Max Retries of a by-ID operation, on a response stored first (whose request the checks leave out). */
function byIdRetryCases(operation: string): MatrixCase[] {
	return retryCases(`response ${operation}`, (options) => responseById(operation, { responseOptions: options })).map((retryCase) => ({
		...retryCase,
		arrange: async (server) => {
			await storeResponse(server, operation === 'cancel');
			await retryCase.arrange?.(server);
		},
		check: (run, requests) => retryCase.check?.(run, requests.slice(1)),
	}));
}

const outputText = (run: NodeRun) => run.items[0].json.output_text;

const responseCases: MatrixCase[] = [
	{
		name: 'response: prompt, lower range ends, simplify on',
		parameters: response(
			{
				temperature: 0,
				topP: 0,
				topLogprobs: 0,
				maxOutputTokens: 16,
				maxToolCalls: 1,
				store: true,
				background: false,
				parallelToolCalls: false,
				metadata: '{"topic": "test"}',
				promptCacheKey: 'cache-1',
				safetyIdentifier: 'hashed-user-1',
				include: ['message.output_text.logprobs', 'reasoning.encrypted_content'],
				stream: false,
				codeInterpreter: false,
			},
			{ responseInstructions: 'Be brief.', responseSimplify: true },
		),
		check: (run, requests) => {
			expect(outputText(run)).toBe('Echo: Say this is a test');
			expect(bodyOf(requests[0])).toMatchObject({ instructions: 'Be brief.', include: ['message.output_text.logprobs', 'reasoning.encrypted_content'] });
		},
	},
	{
		name: 'response: upper range ends, simplify off',
		parameters: response({ temperature: 2, topP: 1, topLogprobs: 20, store: false }, { responseSimplify: false }),
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'response', status: 'completed', store: false }),
	},
	{
		name: 'response: messages with every role, image URLs, file IDs and image details',
		parameters: responseInput('messages', {
			responseMessages: {
				values: [
					{ role: 'developer', content: 'Answer briefly.' },
					{ role: 'system', content: 'You are helpful.' },
					{ role: 'assistant', content: 'Earlier answer.' },
					{ role: 'user', content: 'One', imageUrls: 'https://example.com/a.png', imageDetail: 'auto', fileIds: 'file-abc' },
					{ role: 'user', content: 'Two', imageUrls: 'https://example.com/b.png', imageDetail: 'high' },
					{ role: 'user', content: 'Three', imageUrls: 'https://example.com/c.png', imageDetail: 'low' },
				],
			},
		}),
		check: (run, requests) => {
			expect((bodyOf(requests[0]).input as unknown[]).length).toBe(6);
			expect(outputText(run)).toBe('Echo: Three');
		},
	},
	{
		name: 'response: JSON input with a function call output (tool loop)',
		parameters: responseInput('json', {
			responseInputJson: JSON.stringify([
				{ role: 'user', content: 'Weather in Paris?' },
				{ type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
				{ type: 'function_call_output', call_id: 'call_1', output: '21 degrees' },
			]),
		}, { tools: RESPONSE_TOOLS }),
		check: (run) => expect(outputText(run)).toBe('Tool said: 21 degrees'),
	},
	{
		name: 'response: function tools, forced function, parallel calls',
		parameters: response({ tools: RESPONSE_TOOLS, toolChoiceFunction: 'get_weather', parallelToolCalls: true }, { responsePrompt: 'CALL Paris' }),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).tool_choice).toEqual({ type: 'function', name: 'get_weather' });
			expect(run.items[0].json.function_calls).toEqual([{ call_id: 'call_1', name: 'get_weather', arguments: { text: 'Paris' } }]);
		},
	},
	{
		name: 'response: web search with every setting, file search at both ends, code interpreter',
		parameters: response({
			webSearch: {
				settings: {
					searchContextSize: 'high',
					allowedDomains: 'openai.com, example.org',
					country: 'US',
					city: 'Boston',
					region: 'Massachusetts',
					timezone: 'America/New_York',
				},
			},
			fileSearch: { settings: { vectorStoreIds: 'vs_1, vs_2', maxNumResults: 1 } },
			codeInterpreter: true,
		}),
		check: (run, requests) => {
			expect((bodyOf(requests[0]).tools as Array<{ type: string }>).map((tool) => tool.type)).toEqual(['web_search', 'file_search', 'code_interpreter']);
			expect((run.items[0].json.citations as unknown[]).length).toBe(2);
		},
	},
	...sweep('response webSearch searchContextSize', (value) => response({ webSearch: { settings: { searchContextSize: value } } }), ['low', 'medium']),
	{
		name: 'response: file search with 50 results',
		parameters: response({ fileSearch: { settings: { vectorStoreIds: 'vs_1', maxNumResults: 50 } } }),
	},
	{
		name: 'response: JSON schema output, parsed',
		parameters: response({
			outputFormat: 'json_schema',
			jsonSchema: SCHEMA,
			jsonSchemaName: 'answer',
			jsonSchemaDescription: 'The answer',
			jsonSchemaStrict: true,
		}),
		check: (run) => expect(run.items[0].json.output_parsed).toEqual({ answer: 'Echo: Say this is a test' }),
	},
	{
		name: 'response: JSON schema, not strict',
		parameters: response({ jsonSchema: SCHEMA, jsonSchemaStrict: false }),
	},
	...sweep('response outputFormat', (value) => response({ outputFormat: value }), ['text', 'json_object']),
	...sweep('response reasoningEffort', (value) => response({ reasoningEffort: value }, { responseModel: 'o3-mini' }), [
		'xhigh',
		'high',
		'low',
		'max',
		'medium',
		'minimal',
		'none',
	]),
	...sweep('response reasoningSummary', (value) => response({ reasoningSummary: value }, { responseModel: 'o3-mini' }), [
		'auto',
		'concise',
		'detailed',
	]),
	...sweep('response serviceTier', (value) => response({ serviceTier: value }), ['auto', 'default', 'fast', 'flex', 'priority', 'scale']),
	...sweep('response toolChoice', (value) => response({ toolChoice: value, tools: RESPONSE_TOOLS }), ['auto', 'none', 'required']),
	...sweep('response truncation', (value) => response({ truncation: value }), ['auto', 'disabled']),
	...sweep('response verbosity', (value) => response({ verbosity: value }, { responseModel: 'gpt-4.1' }), ['low', 'medium', 'high']),
	{
		name: 'response: stream',
		parameters: response({ stream: true, reasoningSummary: 'auto' }, { responseModel: 'o3-mini' }),
		check: (run, requests) => {
			expect(bodyOf(requests[0]).stream).toBe(true);
			expect(run.items[0].json.reasoning_summary).toBe('Thinking about: Say this is a test');
		},
	},
	{
		name: 'response: background',
		parameters: response({ background: true }),
		check: (run) => expect(run.items[0].json.status).toBe('queued'),
	},
	{
		name: 'response: conversation',
		parameters: response({ conversation: 'conv_000001' }),
		arrange: (server) => void server.conversations.seed(0),
	},
	{
		name: 'response: previous response ID the server does not know',
		parameters: response({ previousResponseId: 'resp_unknown' }),
		expectError: "Previous response with id 'resp_unknown' not found.",
	},
	...retryCases('response create', (options) => response(options)),
	{
		name: 'response get: simplify on',
		parameters: responseById('get', { responseSimplify: true }),
		arrange: (server) => storeResponse(server),
		check: (run, requests) => {
			expect(requests.map((request) => `${request.method} ${request.path}`)).toContain('GET /responses/resp_000001');
			expect(outputText(run)).toBe('Echo: three');
		},
	},
	{
		name: 'response get: simplify off',
		parameters: responseById('get', { responseSimplify: false }),
		arrange: (server) => storeResponse(server),
		check: (run) => expect(run.items[0].json.object).toBe('response'),
	},
	{
		name: 'response cancel: simplify on',
		parameters: responseById('cancel', { responseSimplify: true }),
		arrange: (server) => storeResponse(server, true),
		check: (run) => expect(run.items[0].json.status).toBe('cancelled'),
	},
	{
		name: 'response cancel: simplify off',
		parameters: responseById('cancel', { responseSimplify: false }),
		arrange: (server) => storeResponse(server, true),
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'response', status: 'cancelled' }),
	},
	{
		name: 'response delete',
		parameters: responseById('delete'),
		arrange: (server) => storeResponse(server),
		check: (run) => expect(run.items[0].json).toEqual({ id: 'resp_000001', object: 'response', deleted: true }),
	},
	{
		name: 'response list input items: return all, ascending',
		parameters: responseById('listInputItems', { responseReturnAll: true, responseOptions: { order: 'asc' } }),
		arrange: (server) => storeResponse(server),
		check: (run) => expect(run.items.map((item) => (item.json.content as Array<{ text: string }>)[0].text)).toEqual(['one', 'two', 'three']),
	},
	{
		name: 'response list input items: limit 1, descending',
		parameters: responseById('listInputItems', { responseReturnAll: false, responseLimit: 1, responseOptions: { order: 'desc' } }),
		arrange: (server) => storeResponse(server),
		check: (run) => expect(run.items.map((item) => (item.json.content as Array<{ text: string }>)[0].text)).toEqual(['three']),
	},
	...['get', 'delete', 'cancel', 'listInputItems'].flatMap(byIdRetryCases),
];

const embedding = (options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'embedding',
	operation: 'create',
	embeddingModel: 'text-embedding-3-small',
	embeddingInput: 'The food was delicious',
	embeddingOptions: options,
	...extra,
});

const embeddingCases: MatrixCase[] = [
	{
		name: 'embedding: base64, dimensions 1, user, simplify on',
		parameters: embedding({ encodingFormat: 'base64', dimensions: 1, user: 'user-123' }, { embeddingSimplify: true }),
		check: (run) => expect(run.items[0].json).toMatchObject({ embedding: [expect.any(Number)], index: 0, model: 'text-embedding-3-small' }),
	},
	{
		name: 'embedding: float, simplify off',
		parameters: embedding({ encodingFormat: 'float' }, { embeddingSimplify: false }),
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'list', data: [{ index: 0 }] }),
	},
	{
		name: 'embedding: 2,048 texts from an expression',
		parameters: embedding({ dimensions: 4 }, { embeddingInput: '={{ $json.texts }}' }),
		input: [{ texts: Array.from({ length: 2048 }, (_, index) => `text ${index}`) }],
		check: (run, requests) => {
			expect(bodyOf(requests[0]).input).toHaveLength(2048);
			expect(run.items).toHaveLength(2048);
		},
	},
	{
		name: 'embedding: token ID arrays',
		parameters: embedding({}, { embeddingInput: '={{ [[1, 2, 3], [4]] }}' }),
		check: (run) => expect(run.items).toHaveLength(2),
	},
	...retryCases('embedding', (options) => embedding(options)),
];

const SYNCHRONOUS: MatrixCase[] = [
	...chatCases,
	...textCases,
	...editCases,
	...imageCases,
	...moderationCases,
	...modelCases,
	...responseCases,
	...embeddingCases,
	...binaryCases,
	...conversationMatrixCases,
	...storeCases,
];

export const MATRIX: MatrixCase[] = [...SYNCHRONOUS, ...batchCasesFrom(SYNCHRONOUS)];
