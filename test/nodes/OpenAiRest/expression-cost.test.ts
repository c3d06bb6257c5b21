/**
 * How often n8n evaluates a user's expression per item. RoutingNode resolves every top-level property in
 * its per-item loop and again in `resolveBaseUrl`; a routed property costs 4 evaluations there. Input
 * items carry counting getters, so each read of `$json.<key>` by an expression is seen.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { makePng, wavFile } from '../../support/binary';
import { batchOperationOf } from '../../../nodes/OpenAiRest/fields/factories';
import { runNode, type RunOptions } from '../../support/engine';
import type { OpenAiServer } from '../../support/openai-server';
import { seedTextFile, seedVectorStore } from '../../support/openai-server-vector-stores';
import { seedCompletedVideo } from '../../support/openai-server-videos';
import { useOpenAiServer } from '../../support/fixture';

const fixture = useOpenAiServer();

/** RoutingNode's floor for a routed property: per-item loop + getNodeParameter, twice. */
const MAX_EVALUATIONS = 4;
const ITEMS = 3;

type Spied = 'model' | 'content' | 'option';

interface Case {
	operation: string;
	/** Node parameters whose expressions read `$json.model`, `$json.content` and `$json.option`. */
	parameters: INodeParameters;
	values: Record<Spied, unknown>;
	spied: Spied[];
	/** Whether the spied option is a body field (Max Retries is not). */
	optionSent?: boolean;
	/** Binary fields of every item. */
	binary?: NonNullable<RunOptions['binary']>[number];
	arrange?: (server: OpenAiServer) => void;
	/** Requests one item makes (Download fetches the file object, then its content). */
	requestsPerItem?: number;
}

const expression = (key: Spied) => `={{ $json.${key} }}`;

export const CASES: Case[] = [
	{
		operation: 'chat: create',
		parameters: {
			resource: 'chat',
			operation: 'create',
			chatModel: expression('model'),
			messages: { values: [{ role: 'user', content: expression('content') }] },
			chatOptions: { temperature: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: 0.5 },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'chat: create (messages from JSON)',
		parameters: {
			resource: 'chat',
			operation: 'create',
			chatModel: expression('model'),
			messagesInput: 'json',
			messagesJson: '={{ [{ role: "user", content: $json.content }] }}',
			chatOptions: { user: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: 'user-1' },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'chat: create (streamed)',
		parameters: {
			resource: 'chat',
			operation: 'create',
			chatModel: expression('model'),
			messages: { values: [{ role: 'user', content: expression('content') }] },
			chatOptions: { stream: true, maxRetries: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: 1 },
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'text: create',
		parameters: {
			resource: 'text',
			operation: 'create',
			textModel: expression('model'),
			textPrompt: expression('content'),
			textOptions: { maxTokens: expression('option') },
		},
		values: { model: 'gpt-3.5-turbo-instruct', content: 'Say this', option: 16 },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'edit: create',
		parameters: {
			resource: 'edit',
			operation: 'create',
			editModel: expression('model'),
			instruction: 'Fix it',
			editInput: expression('content'),
			editOptions: { n: expression('option') },
		},
		values: { model: 'text-davinci-edit-001', content: 'Helo', option: 1 },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'image: generate',
		parameters: {
			resource: 'image',
			operation: 'generate',
			imageModel: expression('model'),
			imagePrompt: expression('content'),
			imageOptions: { size: expression('option') },
		},
		values: { model: 'dall-e-2', content: 'An otter', option: '256x256' },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'model: get',
		parameters: {
			resource: 'model',
			operation: 'get',
			modelId: expression('model'),
			modelOptions: { maxRetries: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: '', option: 1 },
		spied: ['model', 'option'],
	},
	{
		operation: 'model: list',
		parameters: {
			resource: 'model',
			operation: 'list',
			modelOptions: { maxRetries: expression('option') },
		},
		values: { model: '', content: '', option: 1 },
		spied: ['option'],
	},
	{
		operation: 'moderation: classify',
		parameters: {
			resource: 'moderation',
			operation: 'classify',
			moderationModel: expression('model'),
			moderationInput: expression('content'),
			moderationOptions: { maxRetries: expression('option') },
		},
		values: { model: 'omni-moderation-latest', content: 'Hello', option: 1 },
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'response: create',
		parameters: {
			resource: 'response',
			operation: 'create',
			responseModel: expression('model'),
			responsePrompt: expression('content'),
			responseOptions: { temperature: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: 0.5 },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'response: create (messages, streamed)',
		parameters: {
			resource: 'response',
			operation: 'create',
			responseModel: expression('model'),
			responseInputType: 'messages',
			responseMessages: { values: [{ role: 'user', content: expression('content') }] },
			responseOptions: { stream: true, maxRetries: expression('option') },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: 1 },
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'response: create (input from JSON)',
		parameters: {
			resource: 'response',
			operation: 'create',
			responseModel: expression('model'),
			responseInputType: 'json',
			responseInputJson: '={{ [{ role: "user", content: $json.content }] }}',
			responseOptions: { previousResponseId: '={{ $json.option }}' },
		},
		values: { model: 'gpt-4o-mini', content: 'Hi', option: '' },
		spied: ['model', 'content', 'option'],
	},
	{
		operation: 'embedding: create',
		parameters: {
			resource: 'embedding',
			operation: 'create',
			embeddingModel: expression('model'),
			embeddingInput: expression('content'),
			embeddingOptions: { dimensions: expression('option') },
		},
		values: { model: 'text-embedding-3-small', content: 'Hello', option: 8 },
		optionSent: true,
		spied: ['model', 'content', 'option'],
	},
	...binaryCases(),
];

/** Operations that send or return files. */
function binaryCases(): Case[] {
	const audio = { data: { data: wavFile(), fileName: 'memo.wav', mimeType: 'audio/wav' } };
	const image = { data: { data: makePng(8, 8, [1, 2, 3]), fileName: 'photo.png', mimeType: 'image/png' } };
	const upload = { data: { data: Buffer.from('{"a":1}\n'), fileName: 'rows.jsonl', mimeType: 'application/jsonl' } };
	const seedFile = (server: OpenAiServer) => {
		const object = { id: 'file-000001', object: 'file', bytes: 8, created_at: 1, filename: 'rows.jsonl', purpose: 'batch', status: 'processed' };
		server.files.files.set('file-000001', { object, data: Buffer.from('{"a":1}\n') });
	};
	const seedConversation = (server: OpenAiServer) => void server.conversations.seed(1);
	return [
		{
			operation: 'audio: generate speech',
			parameters: { resource: 'audio', operation: 'generateSpeech', speechModel: expression('model'), speechInput: expression('content'), audioOptions: { speed: expression('option') } },
			values: { model: 'gpt-4o-mini-tts', content: 'Hello', option: 1.5 },
			optionSent: true,
			spied: ['model', 'content', 'option'],
		},
		{
			operation: 'audio: transcribe',
			parameters: { resource: 'audio', operation: 'transcribe', transcriptionModel: expression('model'), audioOptions: { prompt: expression('content'), language: expression('option') } },
			values: { model: 'gpt-4o-transcribe', content: 'A memo', option: 'de' },
			optionSent: true,
			spied: ['model', 'content', 'option'],
			binary: audio,
		},
		{
			operation: 'audio: translate',
			parameters: { resource: 'audio', operation: 'translate', translationModel: expression('model'), audioOptions: { prompt: expression('content'), temperature: expression('option') } },
			values: { model: 'whisper-1', content: 'A memo', option: 0.5 },
			optionSent: true,
			spied: ['model', 'content', 'option'],
			binary: audio,
		},
		{
			operation: 'image: edit',
			parameters: { resource: 'image', operation: 'edit', imageModel: expression('model'), imagePrompt: expression('content'), imageOptions: { size: expression('option') } },
			values: { model: 'dall-e-2', content: 'Add a hat', option: '256x256' },
			optionSent: true,
			spied: ['model', 'content', 'option'],
			binary: image,
		},
		{
			operation: 'image: create variation',
			parameters: { resource: 'image', operation: 'createVariation', variationModel: expression('model'), imageOptions: { size: expression('option') } },
			values: { model: 'dall-e-2', content: '', option: '256x256' },
			optionSent: true,
			spied: ['model', 'option'],
			binary: image,
		},
		{
			operation: 'file: upload',
			parameters: { resource: 'file', operation: 'upload', filePurpose: expression('content'), fileOptions: { expiresAfter: expression('option') } },
			values: { model: '', content: 'batch', option: 7200 },
			optionSent: true,
			spied: ['content', 'option'],
			binary: upload,
		},
		{
			operation: 'file: list',
			parameters: { resource: 'file', operation: 'list', fileLimit: expression('option') },
			values: { model: '', content: '', option: 5 },
			optionSent: true,
			spied: ['option'],
			arrange: seedFile,
		},
		{
			operation: 'chat: create (files from binary fields)',
			parameters: {
				resource: 'chat',
				operation: 'create',
				chatModel: expression('model'),
				messages: { values: [{ role: 'user', content: expression('content'), binaryFields: expression('option') }] },
			},
			values: { model: 'gpt-4o-mini', content: 'What is this?', option: 'data' },
			spied: ['model', 'content', 'option'],
			binary: image,
		},
		{
			operation: 'response: create (prompt with files from binary fields)',
			parameters: {
				resource: 'response',
				operation: 'create',
				responseModel: expression('model'),
				responsePrompt: expression('content'),
				responseOptions: { binaryFields: expression('option') },
			},
			values: { model: 'gpt-4o-mini', content: 'What is this?', option: 'data' },
			spied: ['model', 'content', 'option'],
			binary: image,
		},
		{
			operation: 'conversation: create',
			parameters: {
				resource: 'conversation',
				operation: 'create',
				conversationOptions: { items: '={{ [{ role: "user", content: $json.content }] }}', metadata: '={{ { topic: $json.model } }}', maxRetries: expression('option') },
			},
			values: { model: 'demo-topic', content: 'Hello', option: 1 },
			spied: ['model', 'content', 'option'],
		},
		{
			operation: 'conversation: add items',
			parameters: { resource: 'conversation', operation: 'addItems', conversationId: expression('model'), conversationItems: expression('content'), conversationOptions: { maxRetries: expression('option') } },
			values: { model: 'conv_000001', content: 'Hello', option: 1 },
			spied: ['model', 'content', 'option'],
			arrange: seedConversation,
		},
		{
			operation: 'conversation: list items',
			parameters: { resource: 'conversation', operation: 'listItems', conversationId: expression('model'), conversationLimit: expression('option') },
			values: { model: 'conv_000001', content: '', option: 5 },
			optionSent: true,
			spied: ['model', 'option'],
			arrange: seedConversation,
		},
		{
			operation: 'conversation: get item',
			parameters: { resource: 'conversation', operation: 'getItem', conversationId: expression('model'), conversationItemId: expression('content'), conversationOptions: { maxRetries: expression('option') } },
			values: { model: 'conv_000001', content: 'msg_000002', option: 1 },
			spied: ['model', 'content', 'option'],
			arrange: seedConversation,
		},
		{
			operation: 'file: download',
			parameters: { resource: 'file', operation: 'download', fileId: expression('content'), fileOptions: { binaryPropertyName: expression('option') } },
			values: { model: '', content: 'file-000001', option: 'file' },
			spied: ['content', 'option'],
			arrange: seedFile,
			requestsPerItem: 2,
		},
		{
			operation: 'vector store: search',
			parameters: { resource: 'vectorStore', operation: 'search', vectorStoreId: expression('model'), vectorStoreQuery: expression('content'), vectorStoreOptions: { maxResults: expression('option') } },
			values: { model: 'vs_000001', content: 'return policy', option: 3 },
			optionSent: true,
			spied: ['model', 'content', 'option'],
			arrange: seedVectorStoreWithFile,
		},
		{
			operation: 'vector store: add file',
			parameters: { resource: 'vectorStore', operation: 'addFile', vectorStoreId: expression('model'), vectorStoreFileId: expression('content'), vectorStoreOptions: { attributes: expression('option') } },
			values: { model: 'vs_000001', content: 'file-000001', option: '{"lang": "en"}' },
			spied: ['model', 'content', 'option'],
			arrange: seedVectorStoreWithFile,
		},
		{
			operation: 'video: create',
			parameters: { resource: 'video', operation: 'create', videoModel: expression('model'), videoPrompt: expression('content'), videoOptions: { seconds: expression('option') } },
			values: { model: 'sora-2-pro', content: 'A paper boat', option: '8' },
			optionSent: true,
			spied: ['model', 'content', 'option'],
		},
		{
			operation: 'video: download',
			parameters: { resource: 'video', operation: 'download', videoId: expression('content'), videoOptions: { variant: expression('option') } },
			values: { model: '', content: 'video_000001', option: 'thumbnail' },
			spied: ['content', 'option'],
			arrange: (server) => void seedCompletedVideo(server.videos, 'seed'),
			requestsPerItem: 2,
		},
	];
}

/** vs_000001 holding file-000001. */
function seedVectorStoreWithFile(server: OpenAiServer): void {
	seedTextFile(server.files, 'file-000001', 'returns.md', 'Our return policy: 30 days.');
	seedVectorStore(server.vectorStores, server.files, { name: 'kb', file_ids: ['file-000001'] });
}

/** Items whose spied keys count every read. */
function spyItems(values: Record<Spied, unknown>) {
	const reads = Array.from({ length: ITEMS }, () => ({ model: 0, content: 0, option: 0 }));
	const items = reads.map((count) => {
		const item: IDataObject = {};
		for (const key of Object.keys(values) as Spied[]) {
			Object.defineProperty(item, key, {
				enumerable: true,
				get: () => {
					count[key]++;
					return values[key];
				},
			});
		}
		return item;
	});
	return { items, reads };
}

describe('expression evaluations per item', () => {
	it.each(CASES.map((entry) => [entry.operation, entry] as const))('%s', async (_name, entry) => {
		const { items, reads } = spyItems(entry.values);

		entry.arrange?.(fixture.server());
		const { error, items: output } = await runNode(entry.parameters, {
			credentials: fixture.credentials(),
			liveInput: items,
			binary: entry.binary ? items.map(() => entry.binary) : undefined,
		});

		expect(error).toBeUndefined();
		expect(output.length).toBeGreaterThanOrEqual(ITEMS);
		// The expressions' values reached the API, one request per item.
		const requests = fixture.server().requests;
		expect(requests).toHaveLength(ITEMS * (entry.requestsPerItem ?? 1));
		const sent = requests.map((request) => `${request.fullPath} ${JSON.stringify(request.form ?? request.body)}`);
		for (const key of entry.spied.filter((spied) => spied !== 'option' || entry.optionSent)) {
			for (const text of sent) expect(text).toContain(String(entry.values[key]));
		}
		// Each spied expression ran for every item, and no more often than the floor.
		const outOfRange = reads.flatMap((count, item) =>
			entry.spied
				.filter((key) => count[key] === 0 || count[key] > MAX_EVALUATIONS)
				.map((key) => `item ${item}: ${key} evaluated ${count[key]} times`),
		);
		expect(outOfRange).toStrictEqual([]);
	});
});

/** The same expressions when each item becomes a line of a batch: its own preSend runs once, and Custom ID once more. */
const BATCHED = ['chat: create', 'image: generate', 'chat: create (messages from JSON)', 'text: create', 'moderation: classify', 'response: create', 'response: create (input from JSON)', 'embedding: create'];

describe('expression evaluations per item, batched', () => {
	it.each(BATCHED)('%s, from input items', async (name) => {
		const entry = CASES.find((candidate) => candidate.operation === name)!;
		const { items, reads } = spyItems(entry.values);
		const resource = entry.parameters.resource as string;
		const parameters = { ...entry.parameters, resource: 'batch', operation: batchOperationOf(resource), batchCustomId: '={{ "row-" + $itemIndex }}' };
		const { error, items: output } = await runNode(parameters, { credentials: fixture.credentials(), liveInput: items });

		expect(error).toBeUndefined();
		expect(output).toHaveLength(1);
		const upload = fixture.server().requests.find((request) => request.path === '/files');
		const lines = upload!.parts!.find((part) => part.name === 'file')!.data.toString('utf8').trimEnd().split('\n');
		expect(lines).toHaveLength(ITEMS);
		for (const key of entry.spied.filter((spied) => spied !== 'option' || entry.optionSent)) {
			for (const line of lines) expect(line).toContain(JSON.stringify(entry.values[key]).replace(/^"|"$/g, ''));
		}
		const outOfRange = reads.flatMap((count, item) =>
			entry.spied
				.filter((key) => count[key] === 0 || count[key] > MAX_EVALUATIONS)
				.map((key) => `item ${item}: ${key} evaluated ${count[key]} times`),
		);
		expect(outOfRange).toStrictEqual([]);
	});

	it('Custom ID, from input items', async () => {
		const reads = [0, 0, 0];
		const items = reads.map((_, index) => {
			const item: IDataObject = { text: `t${index}` };
			Object.defineProperty(item, 'id', { enumerable: true, get: () => (reads[index]++, `row-${index}`) });
			return item;
		});
		const parameters = { resource: 'batch', operation: batchOperationOf('chat'), chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] }, batchCustomId: '={{ $json.id }}' };
		const { error } = await runNode(parameters, { credentials: fixture.credentials(), liveInput: items });
		expect(error).toBeUndefined();
		const upload = fixture.server().requests.find((request) => request.path === '/files');
		expect(upload!.parts!.find((part) => part.name === 'file')!.data.toString('utf8')).toContain('"custom_id":"row-2"');
		expect(reads.every((count) => count >= 1 && count <= MAX_EVALUATIONS)).toBe(true);
	});
});
