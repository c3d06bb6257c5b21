/**
 * Matrix cases of the Conversation resource and of files from binary fields in Chat → Create and
 * Response → Create. Conversations are stored on the server before a by-ID case runs.
 */
import type { INodeParameters } from 'n8n-workflow';

import { makePng, PDF_FILE } from '../support/binary';
import type { NodeRun } from '../support/engine';
import type { CapturedRequest, OpenAiServer } from '../support/openai-server';
import type { MatrixCase } from './matrix';
import { retryCases } from './retry-cases';

const FILES: MatrixCase['binary'] = [
	{
		data: { data: makePng(6, 6, [20, 40, 60]), fileName: 'photo.png', mimeType: 'image/png' },
		invoice: { data: PDF_FILE, fileName: 'invoice.pdf', mimeType: 'application/pdf' },
	},
];
const ITEMS = JSON.stringify([
	{ role: 'developer', content: 'Be brief.' },
	{ role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
	{ type: 'function_call_output', call_id: 'call_1', output: '42' },
]);
const INCLUDE = ['message.input_image.image_url', 'reasoning.encrypted_content', 'web_search_call.action.sources'];

const conversation = (operation: string, extra: INodeParameters = {}, options: INodeParameters = {}): INodeParameters => ({
	resource: 'conversation',
	operation,
	...(operation === 'create' ? {} : { conversationId: 'conv_000001' }),
	...(operation === 'getItem' || operation === 'deleteItem' ? { conversationItemId: 'msg_000002' } : {}),
	...(operation === 'update' ? { conversationMetadata: '{"topic": "project-x"}' } : {}),
	...(operation === 'addItems' ? { conversationItems: ITEMS } : {}),
	conversationOptions: options,
	...extra,
});

/** Stores conv_000001 with five messages (msg_000002 … msg_000006). */
const stored = (server: OpenAiServer) => void server.conversations.seed(5);

/** Max Retries of an operation, on a conversation stored first. */
const conversationRetryCases = (operation: string): MatrixCase[] =>
	retryCases(`conversation ${operation}`, (options) => conversation(operation, {}, options), { arrange: stored });

const conversationCases: MatrixCase[] = [
	{
		name: 'conversation: create with metadata and initial items',
		parameters: conversation('create', {}, { metadata: '{"topic": "demo", "owner": "n8n"}', items: ITEMS }),
		check: (run) => expect(run.items[0].json).toMatchObject({ id: 'conv_000001', metadata: { topic: 'demo', owner: 'n8n' } }),
	},
	{
		name: 'conversation: create without options',
		parameters: conversation('create'),
		check: (_run, requests) => expect(requests[0].body).toEqual({}),
	},
	{ name: 'conversation: get', parameters: conversation('get'), arrange: stored },
	{
		name: 'conversation: update',
		parameters: conversation('update'),
		arrange: stored,
		check: (run) => expect(run.items[0].json.metadata).toEqual({ topic: 'project-x' }),
	},
	{ name: 'conversation: delete', parameters: conversation('delete'), arrange: stored },
	{
		name: 'conversation: list items, all, oldest first, raw, with include',
		parameters: conversation('listItems', { conversationReturnAll: true, conversationSimplify: false }, { order: 'asc', include: INCLUDE }),
		arrange: stored,
		check: (run) => expect(run.items.map((item) => item.json.id)).toEqual(['msg_000002', 'msg_000003', 'msg_000004', 'msg_000005', 'msg_000006']),
	},
	{
		name: 'conversation: list items, limit 1, newest first, simplified',
		parameters: conversation('listItems', { conversationReturnAll: false, conversationLimit: 1, conversationSimplify: true }, { order: 'desc' }),
		arrange: stored,
		check: (run) => expect(run.items.map((item) => item.json)).toEqual([{ id: 'msg_000006', role: 'user', text: 'm4' }]),
	},
	{
		name: 'conversation: add items with include, simplified',
		parameters: conversation('addItems', { conversationSimplify: true }, { include: INCLUDE }),
		arrange: stored,
		check: (run) => expect(run.items).toHaveLength(3),
	},
	{ name: 'conversation: add items, raw', parameters: conversation('addItems', { conversationSimplify: false }), arrange: stored },
	{ name: 'conversation: get item with include', parameters: conversation('getItem', { conversationSimplify: false }, { include: INCLUDE }), arrange: stored },
	{ name: 'conversation: get item, simplified', parameters: conversation('getItem', { conversationSimplify: true }), arrange: stored },
	{ name: 'conversation: delete item', parameters: conversation('deleteItem'), arrange: stored },
	...['create', 'get', 'update', 'delete', 'listItems', 'addItems', 'getItem', 'deleteItem'].flatMap(conversationRetryCases),
];

const chatWithFiles = (row: INodeParameters): INodeParameters => ({
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: { values: [{ role: 'user', content: 'What are these?', ...row }] },
});

const responseWithFiles = (extra: INodeParameters, options: INodeParameters = {}): INodeParameters => ({
	resource: 'response',
	operation: 'create',
	responseModel: 'gpt-4o-mini',
	responseOptions: options,
	...extra,
});

const attachmentCases: MatrixCase[] = [
	{
		name: 'chat: an image and a PDF from binary fields, and a file ID',
		parameters: chatWithFiles({ binaryFields: 'data, invoice', fileIds: 'file-abc', imageDetail: 'high' }),
		binary: FILES,
	},
	{
		name: 'response: files from binary fields in a message row',
		parameters: responseWithFiles({
			responseInputType: 'messages',
			responseMessages: { values: [{ role: 'user', content: 'What are these?', binaryFields: 'data, invoice', imageDetail: 'low' }] },
		}),
		binary: FILES,
	},
	...(['auto', 'high', 'low'] as const).map((imageDetail) => ({
		name: `response: prompt with files from binary fields, image detail ${imageDetail}`,
		parameters: responseWithFiles({ responsePrompt: 'What are these?' }, { binaryFields: 'data, invoice', fileIds: 'file-abc', imageDetail }),
		binary: FILES,
		// The prompt becomes the text part of a user message that carries the files.
		rewrites: ['responsePrompt'],
		check: (_run: NodeRun, requests: CapturedRequest[]) => {
			const [message] = (requests[0].body as { input: Array<{ role: string; content: Array<{ type: string; detail?: string }> }> }).input;
			expect(message.role).toBe('user');
			expect(message.content.map((part) => part.type)).toEqual(['input_text', 'input_image', 'input_file', 'input_file']);
			expect(message.content[1].detail).toBe(imageDetail);
		},
	})),
	{
		name: 'response: conversation given as the output of Conversation → Create',
		parameters: responseWithFiles({ responsePrompt: 'Hi' }, { conversation: '={{ $json }}' }),
		input: [{ id: 'conv_000001', object: 'conversation', created_at: 1, metadata: {} }],
		arrange: stored,
		check: (_run, requests) => expect(requests[0].body).toMatchObject({ conversation: 'conv_000001' }),
	},
];

export const conversationMatrixCases: MatrixCase[] = [...conversationCases, ...attachmentCases];
