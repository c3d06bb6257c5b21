/**
 * How often n8n evaluates a user's expression per item. RoutingNode resolves every top-level property in
 * its per-item loop and again in `resolveBaseUrl`; a routed property costs 4 evaluations there. Input
 * items carry counting getters, so each read of `$json.<key>` by an expression is seen.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../support/engine';
import { useOpenAiServer } from './operations/fixture';

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
];

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

		const { error, items: output } = await runNode(entry.parameters, {
			credentials: fixture.credentials(),
			liveInput: items,
		});

		expect(error).toBeUndefined();
		expect(output.length).toBeGreaterThanOrEqual(ITEMS);
		// The expressions' values reached the API, one request per item.
		const requests = fixture.server().requests;
		expect(requests).toHaveLength(ITEMS);
		const sent = requests.map((request) => `${request.fullPath} ${JSON.stringify(request.body)}`);
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
