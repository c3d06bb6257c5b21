/** The Conversation resource's pure helpers: metadata, items, paths and compact rows. */
import {
	compactConversation,
	conversationPath,
	itemsFrom,
	metadataFrom,
	simplifyItem,
} from '../../../../../nodes/OpenAiRest/resources/conversation/hooks';

describe('metadataFrom', () => {
	it('takes a JSON object of texts, as text or from an expression; empty text is no metadata', () => {
		expect(metadataFrom('{"topic": "demo"}', 'Metadata')).toEqual({ topic: 'demo' });
		expect(metadataFrom({ topic: 'demo' }, 'Metadata')).toEqual({ topic: 'demo' });
		expect(metadataFrom('  ', 'Metadata')).toEqual({});
	});

	it('refuses what OpenAI refuses, before sending', () => {
		const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, 'v']));
		expect(() => metadataFrom('[1]', 'Metadata')).toThrow('Metadata: must be a JSON object of text values, got an array');
		expect(() => metadataFrom('{"a": ', 'Metadata')).toThrow('Metadata: is not valid JSON');
		expect(() => metadataFrom(tooMany, 'Metadata')).toThrow('Metadata: allows at most 16 keys, got 17');
		expect(() => metadataFrom({ count: 3 }, 'Metadata')).toThrow('Metadata: the value of "count" must be text, got a number (write it in quotes)');
		expect(() => metadataFrom({ note: 'x'.repeat(513) }, 'Metadata')).toThrow('the value of "note" is 513 characters; at most 512 are allowed');
		expect(() => metadataFrom({ ['k'.repeat(65)]: 'v' }, 'Metadata')).toThrow('is longer than 64 characters');
	});
});

describe('itemsFrom', () => {
	it('takes messages, typed items, one object and a plain text as a user message', () => {
		expect(itemsFrom('[{"role": "user", "content": "Hi"}, {"type": "function_call_output", "call_id": "c1", "output": "42"}]', 'Items')).toEqual([
			{ type: 'message', role: 'user', content: 'Hi' },
			{ type: 'function_call_output', call_id: 'c1', output: '42' },
		]);
		expect(itemsFrom({ role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] }, 'Items')).toEqual([
			{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] },
		]);
		expect(itemsFrom('Just a question', 'Items')).toEqual([{ role: 'user', content: 'Just a question', type: 'message' }]);
		expect(itemsFrom('', 'Items')).toEqual([]);
	});

	it('takes rows of this node\'s simplified items, dropping their IDs', () => {
		expect(itemsFrom([{ id: 'msg_1', role: 'user', text: 'Hi' }], 'Items')).toEqual([{ type: 'message', role: 'user', content: 'Hi' }]);
	});

	it('refuses items OpenAI would refuse, naming which', () => {
		expect(() => itemsFrom('[{"content": "Hi"}]', 'Items')).toThrow('Items: item 0 needs a role, one of user, assistant, system, developer, or a type; got undefined');
		expect(() => itemsFrom('[{"role": "tool", "content": "x"}]', 'Items')).toThrow('got "tool"');
		expect(() => itemsFrom('[{"role": "user"}]', 'Items')).toThrow('Items: item 0 needs a content text or list of parts');
		expect(() => itemsFrom('[1]', 'Items')).toThrow('Items: item 0 must be an object, got a number');
		expect(() => itemsFrom(42, 'Items')).toThrow('Items: must be a JSON array of items, got a number');
	});
});

describe('conversationPath', () => {
	it('builds the path from IDs or earlier outputs, encoding them', () => {
		expect(conversationPath('conv_1', '')).toBe('/conversations/conv_1');
		expect(conversationPath({ id: 'conv_1', object: 'conversation' }, '/items')).toBe('/conversations/conv_1/items');
		expect(conversationPath('conv_1', '/item', { id: 'msg_2', role: 'user' })).toBe('/conversations/conv_1/items/msg_2');
		expect(conversationPath('conv:1', '')).toBe('/conversations/conv%3A1');
	});

	it('names the field that holds no ID', () => {
		expect(() => conversationPath('', '')).toThrow('Conversation ID: must be an ID such as conv_abc123');
		expect(() => conversationPath('conv_1', '/item', '')).toThrow('Item ID: must be an ID such as msg_abc123');
	});
});

describe('simplifyItem and compactConversation', () => {
	it('makes a message one row of role and text, noting parts that are not text', () => {
		const item = {
			type: 'message',
			id: 'msg_1',
			status: 'completed',
			role: 'user',
			content: [
				{ type: 'input_text', text: 'What is this?' },
				{ type: 'input_image', image_url: null, detail: 'auto' },
			],
		};
		expect(simplifyItem(item)).toEqual({ id: 'msg_1', role: 'user', text: 'What is this?', other_parts: ['input_image'] });
		expect(simplifyItem({ type: 'function_call', id: 'fc_1', name: 'f', arguments: '{}' })).toEqual({ type: 'function_call', id: 'fc_1', name: 'f', arguments: '{}' });
	});

	it('keeps a conversation\'s ID and metadata, and a deletion\'s ID and outcome', () => {
		expect(compactConversation({ id: 'conv_1', object: 'conversation', created_at: 1, metadata: { a: 'b' } })).toEqual({ id: 'conv_1', metadata: { a: 'b' } });
		expect(compactConversation({ id: 'conv_1', object: 'conversation.deleted', deleted: true })).toEqual({ id: 'conv_1', deleted: true });
	});
});
