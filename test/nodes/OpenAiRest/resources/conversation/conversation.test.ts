/** Conversation → every operation through n8n's real engine against the local server, and chained into Response → Create. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { CONVERSATION_CREATED_AT } from '../../../../support/openai-server-conversations';
import { expectJsonHeaders, jsonAndPairing, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();

const run = (parameters: INodeParameters, input?: IDataObject[], extra: { continueOnFail?: boolean; asTool?: boolean } = {}) =>
	runNode({ resource: 'conversation', ...parameters }, { credentials: fixture.credentials(), input, ...extra });

/** Stores a conversation with `count` user messages m0, m1, … on the server. */
const seed = (count: number, metadata: IDataObject = { topic: 'demo' }) => fixture.server().conversations.seed(count, metadata);

const conversation = (id: string, metadata: IDataObject) => ({ id, object: 'conversation', created_at: CONVERSATION_CREATED_AT, metadata });

describe('conversation: create', () => {
	it('sends POST /conversations with metadata and initial items, and returns the conversation, paired', async () => {
		const options = { metadata: '{"topic": "demo"}', items: '[{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}]' };
		const { items, error } = await run({ operation: 'create', conversationOptions: options });
		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toEqual(['POST', '/v1/conversations']);
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({
			metadata: { topic: 'demo' },
			items: [
				{ type: 'message', role: 'developer', content: 'Be brief.' },
				{ type: 'message', role: 'user', content: 'Hi' },
			],
		});
		expect(jsonAndPairing(items)).toStrictEqual([{ json: conversation('conv_000001', { topic: 'demo' }), pairedItem: { item: 0 } }]);
		expect(fixture.server().conversations.conversations.get('conv_000001')?.items).toHaveLength(2);
	});

	it('sends an empty body without options, one conversation per input item', async () => {
		const { items } = await run({ operation: 'create' }, [{}, {}]);
		expect(fixture.server().requests.map((request) => request.body)).toStrictEqual([{}, {}]);
		expect(jsonAndPairing(items).map(({ json, pairedItem }) => [json.id, pairedItem])).toEqual([
			['conv_000001', { item: 0 }],
			['conv_000002', { item: 1 }],
		]);
	});

	it('fails before sending for bad metadata or more than 20 items, naming the parameter and the item', async () => {
		const items = JSON.stringify(Array.from({ length: 21 }, () => ({ role: 'user', content: 'x' })));
		const cases: Array<[INodeParameters, RegExp]> = [
			[{ metadata: '{"count": 3}' }, /^Invalid "Metadata" in item 0: the value of "count" must be text/],
			[{ metadata: '{"a":' }, /^Invalid "Metadata" in item 0: is not valid JSON/],
			[{ items }, /^Invalid "Initial Items" in item 0: allows at most 20 items, got 21; add more with Add Items$/],
			[{ items: '[{"role": "robot", "content": "x"}]' }, /^Invalid "Initial Items" in item 0: item 0 needs a role/],
		];
		for (const [conversationOptions, message] of cases) {
			const { error } = await run({ operation: 'create', conversationOptions });
			expect(error?.message).toMatch(message);
			expect(error?.description).toMatch(/Nothing was sent to the API\.$/);
		}
		expect(fixture.server().requests).toHaveLength(0);
	});
});

describe('conversation: get, update, delete', () => {
	it('gets a conversation by ID, or from the whole output of Create', async () => {
		const id = seed(0);
		const byId = await run({ operation: 'get', conversationId: id });
		expect(jsonAndPairing(byId.items)).toStrictEqual([{ json: conversation(id, { topic: 'demo' }), pairedItem: { item: 0 } }]);
		const fromOutput = await run({ operation: 'get', conversationId: '={{ $json }}' }, [conversation(id, {})]);
		expect(fromOutput.items[0].json.id).toBe(id);
		expect(fixture.server().requests.map((request) => `${request.method} ${request.fullPath}`)).toEqual([`GET /v1/conversations/${id}`, `GET /v1/conversations/${id}`]);
	});

	it('replaces the metadata with Update', async () => {
		const id = seed(0);
		const { items } = await run({ operation: 'update', conversationId: id, conversationMetadata: '{"topic": "project-x"}' });
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath, request.body]).toStrictEqual(['POST', `/v1/conversations/${id}`, { metadata: { topic: 'project-x' } }]);
		expect(items[0].json).toStrictEqual(conversation(id, { topic: 'project-x' }));
	});

	it('deletes a conversation', async () => {
		const id = seed(0);
		const { items } = await run({ operation: 'delete', conversationId: id });
		expect([fixture.onlyRequest().method, fixture.onlyRequest().fullPath]).toEqual(['DELETE', `/v1/conversations/${id}`]);
		expect(items[0].json).toStrictEqual({ id, object: 'conversation.deleted', deleted: true });
		expect(fixture.server().conversations.conversations.size).toBe(0);
	});

	it('reports OpenAI\'s 404 for an unknown conversation, and keeps every item in order with Continue On Fail', async () => {
		const id = seed(0);
		const { items } = await run({ operation: 'get', conversationId: '={{ $json.id }}' }, [{ id }, { id: 'conv_nope' }, { id }], { continueOnFail: true });
		expect(items.map((item) => [item.json.id ?? item.json.error, item.pairedItem])).toEqual([
			[id, { item: 0 }],
			["Conversation with id 'conv_nope' not found.", { item: 1 }],
			[id, { item: 2 }],
		]);
	});

	it('fails before sending for an empty Conversation ID', async () => {
		const { error } = await run({ operation: 'get', conversationId: '={{ $json.id }}' }, [{}]);
		expect(error?.message).toMatch(/^Invalid "Conversation ID" in item 0: must be an ID such as conv_abc123/);
		expect(fixture.server().requests).toHaveLength(0);
	});
});

describe('conversation: items', () => {
	it('lists all items across pages, oldest first, simplified', async () => {
		const id = seed(130);
		const { items } = await run({ operation: 'listItems', conversationId: id, conversationReturnAll: true, conversationOptions: { order: 'asc' } });
		expect(items).toHaveLength(130);
		expect(items[0].json).toStrictEqual({ id: expect.stringMatching(/^msg_/), role: 'user', text: 'm0' });
		expect(items.map((item) => item.json.text)).toEqual(Array.from({ length: 130 }, (_, index) => `m${index}`));
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		const pages = fixture.server().requests.map((request) => request.fullPath.split('?')[1]);
		expect(pages).toEqual([`order=asc&limit=100`, `order=asc&limit=100&after=${items[99].json.id}`]);
	});

	it('stops at Limit, newest first by default, and returns the raw items with Simplify off', async () => {
		const id = seed(5);
		const { items } = await run({ operation: 'listItems', conversationId: id, conversationLimit: 2, conversationSimplify: false });
		expect(items.map((item) => item.json)).toStrictEqual([
			{ type: 'message', id: expect.any(String), status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'm4' }] },
			{ type: 'message', id: expect.any(String), status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'm3' }] },
		]);
		expect(fixture.onlyRequest().fullPath).toBe(`/v1/conversations/${id}/items?limit=2`);
	});

	it('sends Include as include[] on List Items and Get Item', async () => {
		const id = seed(1);
		await run({ operation: 'listItems', conversationId: id, conversationOptions: { include: ['message.input_image.image_url'] } });
		expect(fixture.onlyRequest().fullPath).toBe(`/v1/conversations/${id}/items?include=message.input_image.image_url&limit=50`);
		fixture.server().reset();
		const id2 = seed(1);
		const include = ['message.input_image.image_url', 'reasoning.encrypted_content'];
		await run({ operation: 'getItem', conversationId: id2, conversationItemId: 'msg_000002', conversationOptions: { include } });
		expect(fixture.onlyRequest().fullPath).toBe(`/v1/conversations/${id2}/items/msg_000002?include=message.input_image.image_url&include=reasoning.encrypted_content`);
	});

	it('adds items from JSON, in calls of 20, and returns one item per added item', async () => {
		const id = seed(0);
		const messages = Array.from({ length: 45 }, (_, index) => ({ role: 'user', content: `a${index}` }));
		const { items, error } = await run({ operation: 'addItems', conversationId: id, conversationItems: JSON.stringify(messages) });
		expect(error).toBeUndefined();
		const requests = fixture.server().requests;
		expect(requests.map((request) => [request.method, request.fullPath, (request.body as { items: unknown[] }).items.length])).toEqual([
			['POST', `/v1/conversations/${id}/items`, 20],
			['POST', `/v1/conversations/${id}/items`, 20],
			['POST', `/v1/conversations/${id}/items`, 5],
		]);
		expect(items.map((item) => item.json.text)).toEqual(messages.map((message) => message.content));
		expect(fixture.server().conversations.conversations.get(id)?.items).toHaveLength(45);
	});

	it('adds a text from an expression as one user message', async () => {
		const id = seed(0);
		await run({ operation: 'addItems', conversationId: id, conversationItems: '={{ $json.question }}' }, [{ question: 'What now?' }]);
		expect(fixture.onlyRequest().body).toStrictEqual({ items: [{ type: 'message', role: 'user', content: 'What now?' }] });
	});

	it('fails before sending for no items', async () => {
		const id = seed(0);
		const { error } = await run({ operation: 'addItems', conversationId: id, conversationItems: '[]' });
		expect(error?.message).toBe('Invalid "Items" in item 0: must contain at least one item');
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('gets an item by ID or from a listed row, and deletes it', async () => {
		const id = seed(2);
		const first = fixture.server().conversations.conversations.get(id)!.items[0] as { id: string };
		const got = await run({ operation: 'getItem', conversationId: id, conversationItemId: '={{ $json }}' }, [{ id: first.id, role: 'user', text: 'm0' }]);
		expect(jsonAndPairing(got.items)).toStrictEqual([{ json: { id: first.id, role: 'user', text: 'm0' }, pairedItem: { item: 0 } }]);
		fixture.server().reset();
		const id2 = seed(2);
		const [item] = fixture.server().conversations.conversations.get(id2)!.items;
		const deleted = await run({ operation: 'deleteItem', conversationId: id2, conversationItemId: String(item.id) });
		expect([fixture.onlyRequest().method, fixture.onlyRequest().fullPath]).toEqual(['DELETE', `/v1/conversations/${id2}/items/${item.id}`]);
		expect(deleted.items[0].json).toStrictEqual(conversation(id2, { topic: 'demo' }));
		expect(fixture.server().conversations.conversations.get(id2)?.items).toHaveLength(1);
	});

	it('reports OpenAI\'s 404 for an unknown item', async () => {
		const id = seed(0);
		const { error } = await run({ operation: 'getItem', conversationId: id, conversationItemId: 'msg_nope' });
		expect(error?.message).toContain("Item with id 'msg_nope' not found.");
		expect(error?.httpCode).toBe('404');
	});
});

describe('conversation: as an AI Agent tool', () => {
	it('returns compact rows: the conversation\'s ID and metadata, simplified items', async () => {
		const created = await run({ operation: 'create', conversationOptions: { metadata: '{"topic": "demo"}' } }, undefined, { asTool: true });
		expect(created.items.map((item) => item.json)).toStrictEqual([{ id: 'conv_000001', metadata: { topic: 'demo' } }]);
		const id = String(created.items[0].json.id);
		await run({ operation: 'addItems', conversationId: id, conversationItems: 'Hello' }, undefined, { asTool: true });
		const listed = await run({ operation: 'listItems', conversationId: id, conversationSimplify: false }, undefined, { asTool: true });
		expect(listed.items.map((item) => item.json)).toStrictEqual([{ id: expect.stringMatching(/^msg_/), role: 'user', text: 'Hello' }]);
		const deleted = await run({ operation: 'delete', conversationId: id }, undefined, { asTool: true });
		expect(deleted.items.map((item) => item.json)).toStrictEqual([{ id, deleted: true }]);
	});
});

describe('conversation → response', () => {
	it('Response → Create takes the output of Conversation → Create as its Conversation ID, and the conversation grows', async () => {
		const created = await run({ operation: 'create' });
		const output = created.items[0].json as { id: string };
		fixture.server().requests.length = 0;
		const { items, error } = await runNode(
			{ resource: 'response', operation: 'create', responseModel: 'gpt-4o-mini', responsePrompt: 'Hi', responseOptions: { conversation: '={{ $json }}' } },
			{ credentials: fixture.credentials(), input: [output] },
		);
		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toMatchObject({ conversation: output.id });
		expect(items[0].json.output_text).toBe('Echo: Hi');
		const listed = await run({ operation: 'listItems', conversationId: String(output.id), conversationOptions: { order: 'asc' } });
		expect(listed.items.map((item) => [item.json.role, item.json.text])).toEqual([
			['user', 'Hi'],
			['assistant', 'Echo: Hi'],
		]);
	});
});
