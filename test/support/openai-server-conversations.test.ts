/** The test server's Conversations API over real HTTP, against the shapes of OpenAI's own examples. */
import { startOpenAiServer, type OpenAiServer } from './openai-server';
import { CONVERSATION_CREATED_AT, resolveConversationRoute } from './openai-server-conversations';
import { describeInlinePart, decodeDataUrl } from './openai-server-attachments';
import { makePng, TEST_PNG } from './png';
import { readExample } from './spec';

type Loose = any;

const AUTH = { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' };

let server: OpenAiServer;

beforeAll(async () => {
	server = await startOpenAiServer({ streamChunkDelayMs: 0 });
});

afterEach(() => server.reset());

afterAll(async () => {
	await server.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Loose }> {
	const response = await fetch(server.baseUrl() + path, {
		method,
		headers: AUTH,
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	return { status: response.status, json: await response.json() };
}

/** The keys of OpenAI's example, recursively for the first element of arrays, to compare shapes. */
function shape(value: unknown): unknown {
	if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
	if (typeof value !== 'object' || value === null) return typeof value;
	return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, entry]) => [key, key === 'metadata' ? 'object' : shape(entry)]));
}

function example(name: string): unknown {
	const text = readExample('latest', name);
	if (text === undefined) throw new Error(`example ${name} is missing`);
	return JSON.parse(text);
}

const userMessage = (text: string) => ({ role: 'user', content: text });

describe('routing', () => {
	it('names each operation and decodes the IDs', () => {
		expect(resolveConversationRoute('POST', '/v1/conversations')).toEqual({ matched: true, route: { operation: 'create', path: '/conversations' } });
		expect(resolveConversationRoute('GET', '/v1/conversations/conv%5F1/items/msg_2').route).toEqual({
			operation: 'getItem',
			path: '/conversations/conv_1/items/msg_2',
			conversationId: 'conv_1',
			itemId: 'msg_2',
		});
		expect(resolveConversationRoute('POST', '/v1/conversations/conv_1/items').route?.operation).toBe('addItems');
		expect(resolveConversationRoute('PUT', '/v1/conversations/conv_1')).toEqual({ matched: true });
		expect(resolveConversationRoute('GET', '/v1/files')).toEqual({ matched: false });
	});
});

describe('conversations', () => {
	it('creates a conversation with metadata and initial items, shaped like OpenAI\'s example', async () => {
		const { status, json } = await call('POST', '/conversations', { metadata: { topic: 'demo' }, items: [userMessage('Hello!')] });
		expect(status).toBe(200);
		expect(json).toEqual({ id: 'conv_000001', object: 'conversation', created_at: CONVERSATION_CREATED_AT, metadata: { topic: 'demo' } });
		expect(shape(json)).toEqual(shape(example('createConversation-0-Default.json')));
		expect(server.conversations.conversations.get('conv_000001')?.items).toEqual([
			{ type: 'message', id: 'msg_000002', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'Hello!' }] },
		]);
	});

	it('creates an empty conversation with empty metadata from an empty body', async () => {
		expect((await call('POST', '/conversations', {})).json).toMatchObject({ id: 'conv_000001', metadata: {} });
	});

	it('gets, updates and deletes a conversation, then answers 404 for it', async () => {
		await call('POST', '/conversations', { metadata: { topic: 'demo' } });
		expect((await call('GET', '/conversations/conv_000001')).json).toMatchObject({ id: 'conv_000001', metadata: { topic: 'demo' } });
		const updated = await call('POST', '/conversations/conv_000001', { metadata: { topic: 'project-x' } });
		expect(updated.json).toEqual({ id: 'conv_000001', object: 'conversation', created_at: CONVERSATION_CREATED_AT, metadata: { topic: 'project-x' } });
		expect(shape(updated.json)).toEqual(shape(example('updateConversation-0-Default.json')));
		const deleted = await call('DELETE', '/conversations/conv_000001');
		expect(deleted.json).toEqual({ id: 'conv_000001', object: 'conversation.deleted', deleted: true });
		expect(shape(deleted.json)).toEqual(shape(example('deleteConversation-0-Default.json')));
		expect(await call('GET', '/conversations/conv_000001')).toEqual({
			status: 404,
			json: { error: { message: "Conversation with id 'conv_000001' not found.", type: 'invalid_request_error', param: null, code: null } },
		});
	});

	it('refuses metadata OpenAI refuses: not an object, more than 16 keys, values that are not strings or too long', async () => {
		const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
		const cases: Array<[unknown, string]> = [
			['x', 'invalid_type'],
			[tooMany, 'object_above_max_properties'],
			[{ count: 3 }, 'invalid_type'],
			[{ note: 'x'.repeat(513) }, 'string_above_max_length'],
		];
		for (const [metadata, code] of cases) {
			const { status, json } = await call('POST', '/conversations', { metadata });
			expect({ status, code: json.error.code }).toEqual({ status: 400, code });
		}
		const { json: created } = await call('POST', '/conversations', {});
		expect((await call('POST', `/conversations/${created.id}`, {})).json.error.code).toBe('missing_required_parameter');
	});

	it('refuses more than 20 initial items, and items without a role or type', async () => {
		const items = Array.from({ length: 21 }, (_, index) => userMessage(`m${index}`));
		expect((await call('POST', '/conversations', { items })).json.error).toMatchObject({ param: 'items', code: 'array_above_max_length' });
		expect((await call('POST', '/conversations', { items: [{ content: 'x' }] })).json.error).toMatchObject({ param: 'items[0]', code: 'invalid_value' });
		expect(server.conversations.conversations.size).toBe(0);
	});
});

describe('items', () => {
	async function conversationWith(count: number): Promise<string> {
		const items = Array.from({ length: count }, (_, index) => userMessage(`m${index}`));
		return (await call('POST', '/conversations', { items })).json.id;
	}

	it('adds items and answers with the added ones as a list, shaped like OpenAI\'s example', async () => {
		const id = await conversationWith(0);
		const { json } = await call('POST', `/conversations/${id}/items`, { items: [userMessage('Hello!'), { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'How are you?' }] }] });
		expect(json).toEqual({
			object: 'list',
			data: [
				{ type: 'message', id: 'msg_000002', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'Hello!' }] },
				{ type: 'message', id: 'msg_000003', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'How are you?' }] },
			],
			first_id: 'msg_000002',
			last_id: 'msg_000003',
			has_more: false,
		});
		expect(shape(json)).toEqual(shape(example('createConversationItems-0-Default.json')));
		expect((await call('POST', `/conversations/${id}/items`, { items: [] })).json.error.code).toBe('empty_array');
		expect((await call('POST', `/conversations/${id}/items`, {})).json.error.code).toBe('missing_required_parameter');
	});

	it('pages newest first by default, with limit and after, and oldest first with order asc', async () => {
		const id = await conversationWith(5);
		const first = await call('GET', `/conversations/${id}/items?limit=2`);
		expect(first.json.data.map((item: Loose) => item.content[0].text)).toEqual(['m4', 'm3']);
		expect(first.json).toMatchObject({ object: 'list', has_more: true, first_id: first.json.data[0].id, last_id: first.json.data[1].id });
		const last = await call('GET', `/conversations/${id}/items?limit=2&after=${first.json.last_id}&order=desc`);
		expect(last.json.data.map((item: Loose) => item.content[0].text)).toEqual(['m2', 'm1']);
		const ascending = await call('GET', `/conversations/${id}/items?order=asc&limit=100`);
		expect(ascending.json.data.map((item: Loose) => item.content[0].text)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
		expect(ascending.json.has_more).toBe(false);
		expect(shape((await call('GET', `/conversations/${id}/items?limit=1`)).json)).toEqual(shape(example('listConversationItems-0-Default.json')));
	});

	it('refuses a limit out of 1..100, an unknown cursor and an unknown include value', async () => {
		const id = await conversationWith(1);
		expect((await call('GET', `/conversations/${id}/items?limit=101`)).json.error.param).toBe('limit');
		expect((await call('GET', `/conversations/${id}/items?after=msg_999`)).json.error.param).toBe('after');
		expect((await call('GET', `/conversations/${id}/items?include=nope`)).json.error.param).toBe('include');
		expect((await call('GET', `/conversations/${id}/items?include=message.input_image.image_url`)).status).toBe(200);
	});

	it('gets an item, deletes it (answering with the conversation) and then answers 404 for it', async () => {
		const id = await conversationWith(1);
		const item = await call('GET', `/conversations/${id}/items/msg_000002`);
		expect(item.json).toEqual({ type: 'message', id: 'msg_000002', status: 'completed', role: 'user', content: [{ type: 'input_text', text: 'm0' }] });
		expect(shape(item.json)).toEqual(shape(example('getConversationItem-0-Default.json')));
		const deleted = await call('DELETE', `/conversations/${id}/items/msg_000002`);
		expect(deleted.json).toMatchObject({ id, object: 'conversation' });
		expect(shape(deleted.json)).toEqual(shape(example('deleteConversationItem-0-Default.json')));
		expect(await call('GET', `/conversations/${id}/items/msg_000002`)).toMatchObject({ status: 404, json: { error: { message: "Item with id 'msg_000002' not found." } } });
		expect((await call('GET', `/conversations/conv_nope/items`)).status).toBe(404);
	});

	it('answers 404 for a method the path does not take', async () => {
		expect((await call('PUT', '/conversations/conv_1')).status).toBe(404);
	});
});

describe('responses in a conversation', () => {
	it('adds the input and the output of a response to the conversation, by ID or as an object', async () => {
		const { json: conversation } = await call('POST', '/conversations', {});
		await call('POST', '/responses', { model: 'gpt-4o-mini', input: 'Hi', conversation: conversation.id });
		const streamed = await fetch(`${server.baseUrl()}/responses`, {
			method: 'POST',
			headers: AUTH,
			body: JSON.stringify({ model: 'gpt-4o-mini', input: [userMessage('Again')], conversation: { id: conversation.id }, stream: true }),
		});
		expect(await streamed.text()).toContain('response.completed');
		const { json } = await call('GET', `/conversations/${conversation.id}/items?order=asc`);
		expect(json.data.map((item: Loose) => [item.role, item.content[0].text])).toEqual([
			['user', 'Hi'],
			['assistant', 'Echo: Hi'],
			['user', 'Again'],
			['assistant', 'Echo: Again'],
		]);
	});

	it('answers 404 for a response in an unknown conversation', async () => {
		const { status, json } = await call('POST', '/responses', { model: 'gpt-4o-mini', input: 'Hi', conversation: 'conv_nope' });
		expect({ status, param: json.error.param }).toEqual({ status: 404, param: 'conversation' });
	});
});

describe('inline attachments', () => {
	const png = makePng(2, 2, [0, 0, 255]);
	const dataUrl = `data:image/png;base64,${png.toString('base64')}`;

	it('decodes base64 data URLs only', () => {
		expect(decodeDataUrl(dataUrl)).toEqual({ mimeType: 'image/png', data: png });
		expect(decodeDataUrl('https://example.com/a.png')).toBeUndefined();
	});

	it('describes inline images and files of both APIs, and nothing else', () => {
		expect(describeInlinePart({ type: 'input_image', image_url: dataUrl, detail: 'auto' })).toBe(`[image/png 2x2, ${png.length} bytes]`);
		expect(describeInlinePart({ type: 'image_url', image_url: { url: dataUrl } })).toBe(`[image/png 2x2, ${png.length} bytes]`);
		const pdf = Buffer.from('%PDF-1.4 fake');
		const pdfUrl = `data:application/pdf;base64,${pdf.toString('base64')}`;
		expect(describeInlinePart({ type: 'input_file', filename: 'a.pdf', file_data: pdfUrl })).toBe(`[a.pdf: application/pdf, ${pdf.length} bytes]`);
		expect(describeInlinePart({ type: 'file', file: { filename: 'a.pdf', file_data: pdfUrl } })).toBe(`[a.pdf: application/pdf, ${pdf.length} bytes]`);
		expect(describeInlinePart({ type: 'input_image', image_url: 'https://example.com/a.png' })).toBeUndefined();
		expect(describeInlinePart({ type: 'input_file', file_id: 'file-1' })).toBeUndefined();
	});

	it('echoes what the "model" saw in both APIs', async () => {
		const image = { type: 'input_image', image_url: `data:image/png;base64,${TEST_PNG.toString('base64')}`, detail: 'low' };
		const response = await call('POST', '/responses', { model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is this?' }, image] }] });
		expect(response.json.output[0].content[0].text).toBe(`Echo: What is this? [image/png 4x3, ${TEST_PNG.length} bytes]`);
		const chat = await call('POST', '/chat/completions', {
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: [{ type: 'text', text: 'And this?' }, { type: 'image_url', image_url: { url: image.image_url } }] }],
		});
		expect(chat.json.choices[0].message.content).toBe(`Echo: And this? [image/png 4x3, ${TEST_PNG.length} bytes]`);
	});
});
