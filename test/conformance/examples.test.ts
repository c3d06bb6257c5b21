/**
 * OpenAI's own example responses (from both spec eras) through the node's simplify functions.
 * Some examples are not strict JSON (trailing commas), and streamed ones are bare chunks, not SSE.
 */
import type { IDataObject } from 'n8n-workflow';

import {
	simplifyChatBody,
	simplifyModelListBody,
	simplifyModerationBody,
	simplifyTextBody,
} from '../../nodes/OpenAiRest/fields/output';
import { compactConversation, simplifyItem } from '../../nodes/OpenAiRest/resources/conversation/hooks';
import { assembleChatCompletion, readOpenAiStream } from '../../nodes/OpenAiRest/transport/sse';
import { readExample, requireSpec, type SpecEra } from '../support/spec';

const describeWithSpec = requireSpec('conformance suite test/conformance/examples.test.ts') ? describe : describe.skip;

/** Drops commas that directly precede a closing bracket, outside strings (OpenAI's examples have some). */
export function withoutTrailingCommas(text: string): string {
	let result = '';
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		if (inString) {
			result += char;
			if (char === '\\') result += text[++index];
			else if (char === '"') inString = false;
			continue;
		}
		if (char === '"') inString = true;
		if (char === ',' && /^\s*[}\]]/.test(text.slice(index + 1))) continue;
		result += char;
	}
	return result;
}

function example(era: SpecEra, fileName: string): IDataObject {
	const text = readExample(era, fileName);
	if (text === undefined) throw new Error(`example ${era}/${fileName} is missing from the spec folder`);
	return JSON.parse(withoutTrailingCommas(text)) as IDataObject;
}

/** The chunks of a streamed example, one JSON object per paragraph; elisions like "...." are dropped. */
function exampleChunks(era: SpecEra, fileName: string): string[] {
	const text = readExample(era, fileName);
	if (text === undefined) throw new Error(`example ${era}/${fileName} is missing from the spec folder`);
	return text
		.split(/\n\s*\n/)
		.map((paragraph) => paragraph.trim())
		.filter((paragraph) => paragraph.startsWith('{'));
}

describe('withoutTrailingCommas', () => {
	it('removes commas before closing brackets but not inside strings', () => {
		expect(withoutTrailingCommas('{"a": [1, 2,], "b": "x,}", "c": "q\\",]",\n}')).toBe('{"a": [1, 2], "b": "x,}", "c": "q\\",]"\n}');
	});
});

describeWithSpec('official example responses through the simplify functions', () => {
	describe('chat completions', () => {
		it('simplifies the latest Default example to the assistant message', () => {
			const body = example('latest', 'createChatCompletion-0-Default.json');
			expect(simplifyChatBody(body)).toEqual([
				{
					role: 'assistant',
					content: 'Hello! How can I assist you today?',
					finish_reason: 'stop',
					usage: {
						prompt_tokens: 19,
						completion_tokens: 10,
						total_tokens: 29,
						prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
						completion_tokens_details: {
							reasoning_tokens: 0,
							audio_tokens: 0,
							accepted_prediction_tokens: 0,
							rejected_prediction_tokens: 0,
						},
					},
				},
			]);
		});

		it('simplifies the 2023 Default example (not strict JSON)', () => {
			const body = example('2023', 'createChatCompletion-0-Default.txt');
			expect(simplifyChatBody(body)).toEqual([
				{
					role: 'assistant',
					content: '\n\nHello there, how may I assist you today?',
					finish_reason: 'stop',
					usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
				},
			]);
		});

		it('simplifies the Image input examples of both eras', () => {
			const latest = simplifyChatBody(example('latest', 'createChatCompletion-1-Image_input.json'));
			expect(latest).toHaveLength(1);
			expect(latest[0]).toMatchObject({ role: 'assistant', finish_reason: 'stop', usage: { total_tokens: 1163 } });
			expect(latest[0].content).toMatch(/^The image shows a wooden boardwalk path/);
			expect(Object.keys(latest[0]).sort()).toEqual(['content', 'finish_reason', 'role', 'usage']);

			const older = simplifyChatBody(example('2023', 'createChatCompletion-1-Image_input.txt'));
			expect(older).toEqual([
				{
					role: 'assistant',
					content: '\n\nHello there, how may I assist you today?',
					finish_reason: 'stop',
					usage: { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 },
				},
			]);
		});

		it.each(['latest', '2023'] as const)('keeps the tool calls of the %s Functions example', (era) => {
			const [row] = simplifyChatBody(example(era, 'createChatCompletion-3-Functions.json'));
			expect(row).toEqual({
				role: 'assistant',
				tool_calls: [
					{
						id: 'call_abc123',
						type: 'function',
						function: { name: 'get_current_weather', arguments: '{\n"location": "Boston, MA"\n}' },
					},
				],
				finish_reason: 'tool_calls',
				usage: expect.objectContaining({ prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 }),
			});
			expect(JSON.parse(((row.tool_calls as IDataObject[])[0].function as IDataObject).arguments as string)).toEqual({
				location: 'Boston, MA',
			});
		});

		it('keeps the log probabilities of the Logprobs example', () => {
			const [row] = simplifyChatBody(example('latest', 'createChatCompletion-4-Logprobs.json'));
			expect(row).toMatchObject({
				role: 'assistant',
				content: 'Hello! How can I assist you today?',
				finish_reason: 'stop',
				usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
			});
			const entries = (row.logprobs as { content: Array<{ token: string; logprob: number; top_logprobs: unknown[] }> })
				.content;
			expect(entries.map((entry) => entry.token).join('')).toBe('Hello! How can I assist you today?');
			expect(entries[0]).toEqual({
				token: 'Hello',
				logprob: -0.31725305,
				bytes: [72, 101, 108, 108, 111],
				top_logprobs: [
					{ token: 'Hello', logprob: -0.31725305, bytes: [72, 101, 108, 108, 111] },
					{ token: 'Hi', logprob: -1.3190403, bytes: [72, 105] },
				],
			});
		});

		it.each([
			['latest', 'Hello'],
			['2023', 'Hello! today?'],
		] as const)('assembles the %s Streaming example sent as SSE', (era, content) => {
			// The example lists bare chunks with the middle elided ("...."), so the words around the gap remain.
			const sse = `${exampleChunks(era, 'createChatCompletion-2-Streaming.txt')
				.map((chunk) => `data: ${chunk}\n\n`)
				.join('')}data: [DONE]\n\n`;
			const assembled = assembleChatCompletion(readOpenAiStream(sse)) as IDataObject;
			expect(simplifyChatBody(assembled)).toEqual([{ role: 'assistant', content, finish_reason: 'stop' }]);
			expect(assembled).toMatchObject({ id: 'chatcmpl-123', object: 'chat.completion', created: 1694268190 });
		});
	});

	describe('text completions and edits', () => {
		it.each(['latest', '2023'] as const)('simplifies the %s No streaming completion example', (era) => {
			expect(simplifyTextBody(example(era, 'createCompletion-0-No_streaming.json'))).toEqual([
				{
					text: '\n\nThis is indeed a test',
					finish_reason: 'length',
					usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
				},
			]);
		});

		it('simplifies the 2023 edit example, which has no finish reason', () => {
			expect(simplifyTextBody(example('2023', 'createEdit.txt'))).toEqual([
				{ text: 'What day of the week is it?', usage: { prompt_tokens: 25, completion_tokens: 32, total_tokens: 57 } },
			]);
		});
	});

	describe('moderations', () => {
		it('gives one row per result of the latest text example, with the model', () => {
			const rows = simplifyModerationBody(example('latest', 'createModeration-0-Single_string.json'));
			expect(rows).toHaveLength(1);
			expect(rows[0]).toMatchObject({
				flagged: true,
				model: 'text-moderation-007',
				categories: { harassment: true, 'harassment/threatening': true, violence: true, sexual: false },
				category_scores: { violence: 0.9971134662628174 },
			});
			expect(Object.keys(rows[0]).sort()).toEqual(['categories', 'category_scores', 'flagged', 'model']);
		});

		it('keeps the applied input types of the image and text example', () => {
			const [row] = simplifyModerationBody(example('latest', 'createModeration-1-Image_and_text.json'));
			expect(row).toMatchObject({
				flagged: true,
				model: 'omni-moderation-latest',
				categories: { illicit: false, 'violence/graphic': true },
				category_applied_input_types: { sexual: ['text', 'image'], harassment: ['text'] },
			});
		});

		it('reads the 2023 example (not strict JSON)', () => {
			const rows = simplifyModerationBody(example('2023', 'createModeration.txt'));
			expect(rows).toEqual([
				expect.objectContaining({
					flagged: true,
					model: 'text-moderation-005',
					categories: expect.objectContaining({ 'harassment/threatening': true, violence: true, hate: false }),
					category_scores: expect.objectContaining({ violence: 0.99011886 }),
				}),
			]);
		});
	});

	describe('models', () => {
		it('lists the latest example models one row each', () => {
			expect(simplifyModelListBody(example('latest', 'listModels.txt'))).toEqual([
				{ id: 'model-id-0', object: 'model', created: 1686935002, owned_by: 'organization-owner', shutdown_date: null },
				{ id: 'model-id-1', object: 'model', created: 1686935002, owned_by: 'organization-owner', shutdown_date: null },
				{ id: 'model-id-2', object: 'model', created: 1686935002, owned_by: 'openai', shutdown_date: '2026-10-23' },
			]);
		});

		it('lists the 2023 example models one row each', () => {
			expect(simplifyModelListBody(example('2023', 'listModels.txt')).map((model) => model.id)).toEqual([
				'model-id-0',
				'model-id-1',
				'model-id-2',
			]);
		});
	});

	describe('conversations', () => {
		it('makes each example item one row of role and text', () => {
			const list = example('latest', 'listConversationItems-0-Default.json');
			expect((list.data as IDataObject[]).map(simplifyItem)).toEqual([{ id: 'msg_abc', role: 'user', text: 'Hello!' }]);
			const added = example('latest', 'createConversationItems-0-Default.json');
			expect((added.data as IDataObject[]).map(simplifyItem)).toEqual([
				{ id: 'msg_abc', role: 'user', text: 'Hello!' },
				{ id: 'msg_def', role: 'user', text: 'How are you?' },
			]);
			expect(simplifyItem(example('latest', 'getConversationItem-0-Default.json'))).toEqual({ id: 'msg_abc', role: 'user', text: 'Hello!' });
		});

		it('keeps an example conversation\'s ID and metadata, and a deletion\'s outcome, for an agent', () => {
			for (const name of ['createConversation-0-Default.json', 'getConversation-0-Default.json', 'deleteConversationItem-0-Default.json']) {
				expect(compactConversation(example('latest', name))).toEqual({ id: 'conv_123', metadata: { topic: 'demo' } });
			}
			expect(compactConversation(example('latest', 'updateConversation-0-Default.json'))).toEqual({ id: 'conv_123', metadata: { topic: 'project-x' } });
			expect(compactConversation(example('latest', 'deleteConversation-0-Default.json'))).toEqual({ id: 'conv_123', deleted: true });
		});
	});
});
