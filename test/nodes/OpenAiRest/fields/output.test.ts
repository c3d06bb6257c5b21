/** The simplify functions: OpenAI response bodies → the rows the node outputs with Simplify on. */
import type { IDataObject } from 'n8n-workflow';

import {
	simplifyChatBody,
	simplifyModelListBody,
	simplifyModerationBody,
	simplifyTextBody,
} from '../../../../nodes/OpenAiRest/fields/output';

const USAGE = { prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 };

describe('simplifyChatBody', () => {
	it('keeps the message, drops null refusal and empty annotations, adds finish reason and usage', () => {
		const body = {
			id: 'chatcmpl-1',
			object: 'chat.completion',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: 'Hello!', refusal: null, annotations: [] },
					logprobs: null,
					finish_reason: 'stop',
				},
			],
			usage: USAGE,
		};
		expect(simplifyChatBody(body)).toStrictEqual([
			{ role: 'assistant', content: 'Hello!', finish_reason: 'stop', usage: USAGE },
		]);
	});

	it('keeps tool calls and a non-empty refusal, and drops null content', () => {
		const toolCalls = [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }];
		const body = {
			choices: [
				{ index: 0, message: { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null }, finish_reason: 'tool_calls' },
			],
		};
		expect(simplifyChatBody(body)).toStrictEqual([
			{ role: 'assistant', tool_calls: toolCalls, finish_reason: 'tool_calls' },
		]);
		const refused = { choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: 'No.' }, finish_reason: 'stop' }] };
		expect(simplifyChatBody(refused)).toStrictEqual([{ role: 'assistant', refusal: 'No.', finish_reason: 'stop' }]);
	});

	it('gives one row per choice with its index when there are several, each with the whole usage', () => {
		const body = {
			choices: [0, 1].map((index) => ({
				index,
				message: { role: 'assistant', content: `Answer ${index}` },
				finish_reason: index ? 'length' : 'stop',
			})),
			usage: USAGE,
		};
		expect(simplifyChatBody(body)).toStrictEqual([
			{ role: 'assistant', content: 'Answer 0', finish_reason: 'stop', index: 0, usage: USAGE },
			{ role: 'assistant', content: 'Answer 1', finish_reason: 'length', index: 1, usage: USAGE },
		]);
	});

	it('keeps logprobs when present and uses a null finish reason when none is given', () => {
		const logprobs = { content: [{ token: 'Hi', logprob: -0.1, bytes: [72, 105], top_logprobs: [] }], refusal: null };
		const body = { choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, logprobs }] };
		expect(simplifyChatBody(body)).toStrictEqual([{ role: 'assistant', content: 'Hi', finish_reason: null, logprobs }]);
	});

	it('returns no rows for a body without choices', () => {
		expect(simplifyChatBody({})).toStrictEqual([]);
	});
});

describe('simplifyTextBody', () => {
	it('keeps text, finish reason and usage of a completion', () => {
		const body = {
			id: 'cmpl-1',
			object: 'text_completion',
			choices: [{ text: '\n\nThis is indeed a test', index: 0, logprobs: null, finish_reason: 'length' }],
			usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
		};
		expect(simplifyTextBody(body)).toStrictEqual([
			{ text: '\n\nThis is indeed a test', finish_reason: 'length', usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } },
		]);
	});

	it('omits the finish reason of edits, which have none, and numbers several choices', () => {
		const body = { object: 'edit', choices: [{ text: 'A', index: 0 }, { text: 'B', index: 1 }], usage: USAGE };
		expect(simplifyTextBody(body)).toStrictEqual([
			{ text: 'A', index: 0, usage: USAGE },
			{ text: 'B', index: 1, usage: USAGE },
		]);
	});

	it('keeps logprobs when asked for', () => {
		const logprobs = { tokens: [' a'], token_logprobs: [-0.5], top_logprobs: [{ ' a': -0.5 }], text_offset: [3] };
		const body = { choices: [{ text: ' a', index: 0, logprobs, finish_reason: 'stop' }] };
		expect(simplifyTextBody(body)).toStrictEqual([{ text: ' a', finish_reason: 'stop', logprobs }]);
	});
});

describe('simplifyModerationBody', () => {
	it('gives one row per result with the model that classified it', () => {
		const result = (flagged: boolean): IDataObject => ({
			flagged,
			categories: { violence: flagged },
			category_scores: { violence: flagged ? 0.9 : 0.001 },
		});
		const body = { id: 'modr-1', model: 'omni-moderation-latest', results: [result(false), result(true)] };
		expect(simplifyModerationBody(body)).toStrictEqual([
			{ ...result(false), model: 'omni-moderation-latest' },
			{ ...result(true), model: 'omni-moderation-latest' },
		]);
	});

	it('returns no rows without results', () => {
		expect(simplifyModerationBody({ model: 'x' })).toStrictEqual([]);
	});
});

describe('simplifyModelListBody', () => {
	it('gives one row per model', () => {
		const data = [
			{ id: 'gpt-4o', object: 'model', created: 1, owned_by: 'system' },
			{ id: 'o1', object: 'model', created: 2, owned_by: 'system' },
		];
		expect(simplifyModelListBody({ object: 'list', data })).toStrictEqual(data);
		expect(simplifyModelListBody({ object: 'list' })).toStrictEqual([]);
	});
});
