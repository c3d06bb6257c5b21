/** Text → Create Completion (legacy /completions) through n8n's real engine against the local server. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { FIXED_CREATED, SYSTEM_FINGERPRINT } from '../../../../support/openai-server';
import { expectJsonHeaders, jsonAndPairing, ORGANIZATION_ID, textUsage, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const MODEL = 'gpt-3.5-turbo-instruct';

function text(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'text', operation: 'create', textModel: MODEL, textPrompt: 'Say this is a test', ...extra };
}

describe('text: create completion', () => {
	it('sends POST /completions and returns the simplified completion', async () => {
		const { items, error } = await runNode(text(), {
			credentials: fixture.credentials({ organizationId: ORGANIZATION_ID }),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('POST');
		expect(request.fullPath).toBe('/v1/completions');
		expectJsonHeaders(request, ORGANIZATION_ID);
		expect(request.body).toStrictEqual({ model: MODEL, prompt: 'Say this is a test' });
		expect(jsonAndPairing(items)).toStrictEqual([
			{
				json: { text: ' Echo: Say this is a test', finish_reason: 'stop', usage: textUsage(5, 6) },
				pairedItem: { item: 0 },
			},
		]);
	});

	it('returns OpenAI\'s full JSON with Simplify off', async () => {
		const { items } = await runNode(text({ textSimplify: false }), { credentials: fixture.credentials() });

		expectJsonHeaders(fixture.onlyRequest());
		expect(jsonAndPairing(items)).toStrictEqual([
			{
				json: {
					id: 'cmpl-000001',
					object: 'text_completion',
					created: FIXED_CREATED,
					model: MODEL,
					system_fingerprint: SYSTEM_FINGERPRINT,
					choices: [{ text: ' Echo: Say this is a test', index: 0, logprobs: null, finish_reason: 'stop' }],
					usage: textUsage(5, 6),
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('sends every option with its JSON type', async () => {
		const options = {
			suffix: ' The end.',
			maxTokens: 32,
			temperature: 0.3,
			topP: 0.8,
			n: 2,
			logprobs: 2,
			echo: true,
			stop: ['\n', '###'],
			presencePenalty: 1,
			frequencyPenalty: 0.5,
			bestOf: 3,
			logitBias: '{"50256": -100}',
			user: 'user-7',
		};
		const { items, error } = await runNode(text({ textPrompt: 'Hi', textOptions: options }), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: MODEL,
			prompt: 'Hi',
			suffix: ' The end.',
			max_tokens: 32,
			temperature: 0.3,
			top_p: 0.8,
			n: 2,
			logprobs: 2,
			echo: true,
			stop: ['\n', '###'],
			presence_penalty: 1,
			frequency_penalty: 0.5,
			best_of: 3,
			logit_bias: { '50256': -100 },
			user: 'user-7',
		});
		// Echo puts the prompt in front; logprobs are kept in the simplified rows when asked for.
		const rows = items.map(({ json, pairedItem }) => ({
			text: json.text,
			index: json.index,
			finish_reason: json.finish_reason,
			tokens: (json.logprobs as IDataObject).tokens,
			usage: json.usage,
			pairedItem,
		}));
		const row = (index: number) => ({
			text: 'Hi Echo: Hi',
			index,
			finish_reason: 'stop',
			tokens: ['Hi', ' Echo:', ' Hi'],
			usage: textUsage(1, 4),
			pairedItem: { item: 0 },
		});
		expect(rows).toStrictEqual([row(0), row(1)]);
	});

	it('streams with stream: true and returns the same rows as without streaming', async () => {
		const { items, error } = await runNode(text({ textOptions: { stream: true, includeUsage: false } }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({ model: MODEL, prompt: 'Say this is a test', stream: true });
		expect(jsonAndPairing(items)).toStrictEqual([
			{ json: { text: ' Echo: Say this is a test', finish_reason: 'stop' }, pairedItem: { item: 0 } },
		]);
	});

	it.each([
		['texts', ['First one', 'Second'], [' Echo: First one', ' Echo: Second'], textUsage(3, 5)],
		['token IDs', [1212, 318, 257], [' Echo: 1212,318,257'], textUsage(3, 2)],
		['token ID arrays', [[1212, 318], [257]], [' Echo: 1212,318', ' Echo: 257'], textUsage(3, 4)],
	])('takes a prompt array of %s from an expression, one item per choice', async (_kind, prompt, texts, usage) => {
		const { items, error } = await runNode(text({ textPrompt: '={{ $json.prompt }}' }), {
			credentials: fixture.credentials(),
			input: [{ prompt }],
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({ model: MODEL, prompt });
		const many = texts.length > 1;
		expect(jsonAndPairing(items)).toStrictEqual(
			texts.map((completion, index) => ({
				json: { text: completion, finish_reason: 'stop', ...(many ? { index } : {}), usage },
				pairedItem: { item: 0 },
			})),
		);
	});

	it('stops before sending when the prompt array mixes texts and numbers', async () => {
		const { error } = await runNode(text({ textPrompt: '={{ $json.prompt }}' }), {
			credentials: fixture.credentials(),
			input: [{ prompt: ['a', 1] }],
		});

		expect(error?.message).toBe(
			'Invalid "Prompt" in item 0: must be a text, or from an expression an array of texts, of token IDs, or of token ID arrays',
		);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('keeps three input items paired with their completions, in order', async () => {
		const input = [{ p: 'one' }, { p: 'two' }, { p: 'three' }];
		const { items } = await runNode(text({ textPrompt: '={{ $json.p }}' }), { credentials: fixture.credentials(), input });

		expect(fixture.server().requests.map((request) => (request.body as IDataObject).prompt)).toStrictEqual([
			'one',
			'two',
			'three',
		]);
		expect(jsonAndPairing(items)).toStrictEqual(
			['one', 'two', 'three'].map((word, item) => ({
				json: { text: ` Echo: ${word}`, finish_reason: 'stop', usage: textUsage(1, 2) },
				pairedItem: { item },
			})),
		);
	});
});
