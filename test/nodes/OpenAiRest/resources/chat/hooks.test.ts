/** Chat message building and body checks (pure functions of resources/chat/hooks.ts). */
import type { IDataObject } from 'n8n-workflow';

import { checkTools, messagesFromJson, messagesFromRows, normalizeResponseFormat } from '../../../../../nodes/OpenAiRest/resources/chat/hooks';
import { splitUrls } from '../../../../../nodes/OpenAiRest/fields/content';
import { InvalidParameter } from '../../../../../nodes/OpenAiRest/transport/errors';

/** The InvalidParameter a call throws, as "label: problem". */
function problemOf(call: () => unknown): string {
	try {
		call();
	} catch (error) {
		expect(error).toBeInstanceOf(InvalidParameter);
		return (error as InvalidParameter).message;
	}
	throw new Error('expected an InvalidParameter');
}

describe('splitUrls', () => {
	it('splits on commas and new lines and trims', () => {
		expect(splitUrls(' https://a.example/1.png,https://b.example/2.png\n\nhttp://c.example/3.jpg ,')).toStrictEqual([
			'https://a.example/1.png',
			'https://b.example/2.png',
			'http://c.example/3.jpg',
		]);
	});

	it('keeps data URLs and URLs with commas whole', () => {
		const dataUrl = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==';
		const cloudinary = 'https://res.example.com/image/upload/w_100,h_100,c_fill/cat.png';
		expect(splitUrls(`${dataUrl}, ${cloudinary},data:image/jpeg;base64,/9j/4AAQ`)).toStrictEqual([
			dataUrl,
			cloudinary,
			'data:image/jpeg;base64,/9j/4AAQ',
		]);
	});

	it('returns nothing for empty or missing text', () => {
		expect(splitUrls('')).toStrictEqual([]);
		expect(splitUrls(undefined)).toStrictEqual([]);
	});
});

describe('messagesFromRows', () => {
	it('turns rows into messages, defaulting role to user and content to empty', () => {
		expect(messagesFromRows([{ role: 'system', content: 'S' }, { content: 'U' }, { role: 'assistant' }])).toStrictEqual([
			{ role: 'system', content: 'S' },
			{ role: 'user', content: 'U' },
			{ role: 'assistant', content: '' },
		]);
	});

	it('adds image parts to user messages only, with the detail unless it is auto', () => {
		const rows = [
			{ role: 'user', content: 'What is this?', imageUrls: 'https://x.example/a.png', imageDetail: 'high' },
			{ role: 'user', content: '', imageUrls: 'https://x.example/b.png', imageDetail: 'auto' },
			{ role: 'developer', content: 'D', imageUrls: 'https://x.example/c.png' },
		];
		expect(messagesFromRows(rows)).toStrictEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is this?' },
					{ type: 'image_url', image_url: { url: 'https://x.example/a.png', detail: 'high' } },
				],
			},
			{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.example/b.png' } }] },
			{ role: 'developer', content: 'D' },
		]);
	});
});

describe('messagesFromJson', () => {
	it('accepts an array from an expression and JSON text alike', () => {
		const messages = [{ role: 'user', content: 'Hi' }];
		expect(messagesFromJson(messages)).toStrictEqual(messages);
		expect(messagesFromJson(JSON.stringify(messages))).toStrictEqual(messages);
	});

	it('drops the keys of the node\'s simplified output without changing the input', () => {
		const earlier: IDataObject = {
			role: 'assistant',
			content: 'Hi',
			finish_reason: 'stop',
			index: 1,
			logprobs: { content: [] },
			usage: { total_tokens: 3 },
			annotations: [{ type: 'url_citation' }],
		};
		const toolReply = { role: 'tool', tool_call_id: 'call_1', content: '{"ok":true}' };
		const withToolCalls = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1' }], name: 'bot' };

		expect(messagesFromJson([earlier, withToolCalls, toolReply])).toStrictEqual([
			{ role: 'assistant', content: 'Hi' },
			withToolCalls,
			toolReply,
		]);
		expect(earlier.usage).toStrictEqual({ total_tokens: 3 });
	});

	it('names the problem when the value is not a messages array', () => {
		expect(problemOf(() => messagesFromJson('[{"role": "user"'))).toMatch(/^Messages \(JSON\): is not valid JSON \(/);
		expect(problemOf(() => messagesFromJson({ role: 'user' }))).toBe(
			'Messages (JSON): must be an array of {role, content} objects',
		);
		expect(problemOf(() => messagesFromJson([{ role: 'user' }, { role: 'bot' }]))).toBe(
			'Messages (JSON): message 1 needs a role, one of developer, system, user, assistant, tool; got "bot"',
		);
		expect(problemOf(() => messagesFromJson([null]))).toBe(
			'Messages (JSON): message 0 needs a role, one of developer, system, user, assistant, tool; got undefined',
		);
	});
});

describe('normalizeResponseFormat', () => {
	it('leaves a body without response format or with a plain type alone', () => {
		const plain: IDataObject = { response_format: { type: 'json_object' } };
		normalizeResponseFormat(plain);
		expect(plain).toStrictEqual({ response_format: { type: 'json_object' } });
		const none: IDataObject = {};
		normalizeResponseFormat(none);
		expect(none).toStrictEqual({});
	});

	it('completes a JSON schema format: implied type, default name, parsed schema', () => {
		const body: IDataObject = { response_format: { json_schema: { schema: '{"type": "object"}', strict: true } } };
		normalizeResponseFormat(body);
		expect(body).toStrictEqual({
			response_format: { type: 'json_schema', json_schema: { schema: { type: 'object' }, strict: true, name: 'response' } },
		});
	});

	it('rejects a schema with another type, a missing schema and a schema that is not an object', () => {
		expect(problemOf(() => normalizeResponseFormat({ response_format: { type: 'text', json_schema: { schema: '{}' } } }))).toBe(
			'JSON Schema: is only used when Response Format is JSON Schema',
		);
		expect(problemOf(() => normalizeResponseFormat({ response_format: { type: 'json_schema' } }))).toBe(
			'JSON Schema: is required when Response Format is JSON Schema',
		);
		expect(problemOf(() => normalizeResponseFormat({ response_format: { json_schema: { schema: '[1]' } } }))).toBe(
			'JSON Schema: must be a JSON object',
		);
	});
});

describe('checkTools', () => {
	it('accepts function tools with names and other typed tools', () => {
		expect(() => checkTools({ tools: [{ type: 'function', function: { name: 'f' } }, { type: 'custom' }] })).not.toThrow();
		expect(() => checkTools({})).not.toThrow();
	});

	it('names the tool without a type or function name', () => {
		expect(problemOf(() => checkTools({ tools: [{ function: { name: 'f' } }] }))).toBe(
			'Tools: tool 0 needs a "type", e.g. "function"',
		);
		expect(problemOf(() => checkTools({ tools: [{ type: 'function', function: { name: 'f' } }, { type: 'function' }] }))).toBe(
			'Tools: function tool 1 needs "function": {"name": …}',
		);
	});
});
