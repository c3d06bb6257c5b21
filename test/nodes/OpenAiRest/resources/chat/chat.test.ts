/** Chat → Create Completion through n8n's real engine against the local OpenAI server. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { FIXED_CREATED, SYSTEM_FINGERPRINT } from '../../../../support/openai-server';
import { chatUsage, expectJsonHeaders, jsonAndPairing, ORGANIZATION_ID, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();

function chat(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'chat',
		operation: 'create',
		chatModel: 'gpt-4o-mini',
		messages: { values: [{ role: 'user', content: 'Hi' }] },
		...extra,
	};
}

/** The simplified item of a one-choice answer. */
function answer(content: string, usage: IDataObject, item = 0) {
	return { json: { role: 'assistant', content, finish_reason: 'stop', usage }, pairedItem: { item } };
}

describe('chat: create completion', () => {
	it('sends POST /chat/completions with the key and JSON headers and returns the simplified answer', async () => {
		const { items, error } = await runNode(chat(), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('POST');
		expect(request.fullPath).toBe('/v1/chat/completions');
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
		expect(jsonAndPairing(items)).toStrictEqual([answer('Echo: Hi', chatUsage(1, 2))]);
	});

	it('sends the OpenAI-Organization header only when an organization ID is set', async () => {
		const withOrganization = fixture.credentials({ organizationId: ORGANIZATION_ID });
		await runNode(chat(), { credentials: withOrganization });
		await runNode(chat(), { credentials: fixture.credentials({ organizationId: '' }) });
		await runNode(chat(), { credentials: fixture.credentials({ organizationId: '   ' }) });

		const [first, empty, blank] = fixture.server().requests;
		expectJsonHeaders(first, ORGANIZATION_ID);
		expectJsonHeaders(empty);
		expectJsonHeaders(blank);
	});

	it('returns OpenAI\'s full JSON with Simplify off', async () => {
		const { items } = await runNode(chat({ chatSimplify: false }), { credentials: fixture.credentials() });

		expect(jsonAndPairing(items)).toStrictEqual([
			{
				json: {
					id: 'chatcmpl-000001',
					object: 'chat.completion',
					created: FIXED_CREATED,
					model: 'gpt-4o-mini',
					choices: [
						{
							index: 0,
							message: { role: 'assistant', content: 'Echo: Hi', refusal: null, annotations: [] },
							logprobs: null,
							finish_reason: 'stop',
						},
					],
					usage: chatUsage(1, 2),
					system_fingerprint: SYSTEM_FINGERPRINT,
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('sends every sampling option with its JSON type', async () => {
		const options = {
			temperature: 0.7,
			topP: 0.9,
			n: 1,
			stop: ['END', 'STOP'],
			maxTokens: 64,
			presencePenalty: 0.5,
			frequencyPenalty: -1.25,
			logitBias: '{"50256": -100, "15496": 5}',
			user: 'user-42',
		};
		const { items, error } = await runNode(chat({ chatOptions: options }), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: 'Hi' }],
			temperature: 0.7,
			top_p: 0.9,
			n: 1,
			stop: ['END', 'STOP'],
			max_tokens: 64,
			presence_penalty: 0.5,
			frequency_penalty: -1.25,
			logit_bias: { '50256': -100, '15496': 5 },
			user: 'user-42',
		});
		expect(jsonAndPairing(items)).toStrictEqual([answer('Echo: Hi', chatUsage(1, 2))]);
	});

	it('takes the model and numbers from expressions with their JSON types', async () => {
		const parameters = chat({
			chatModel: '={{ $json.model }}',
			chatOptions: { temperature: '={{ $json.temperature }}', logitBias: '={{ $json.bias }}' },
		});
		const input = [{ model: 'gpt-4o', temperature: 0.2, bias: { '42': 1 } }];
		const { error } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o',
			messages: [{ role: 'user', content: 'Hi' }],
			temperature: 0.2,
			logit_bias: { '42': 1 },
		});
	});

	it('sends stream as a boolean and returns the same simplified answer as without streaming', async () => {
		const { items, error } = await runNode(chat({ chatOptions: { stream: true } }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.body).toStrictEqual({
			model: 'gpt-4o-mini',
			messages: [{ role: 'user', content: 'Hi' }],
			stream: true,
			stream_options: { include_usage: true },
		});
		expect(jsonAndPairing(items)).toStrictEqual([answer('Echo: Hi', chatUsage(1, 2))]);
	});

	it('sends system, developer and assistant messages and turns image URLs into content parts', async () => {
		const values = [
			{ role: 'system', content: 'Be brief.' },
			{ role: 'developer', content: 'Answer in English.' },
			{ role: 'user', content: 'Hello' },
			{ role: 'assistant', content: 'Hi there', imageUrls: 'https://ignored.example/a.png' },
			{
				role: 'user',
				content: 'What is on these?',
				imageUrls: 'https://example.com/a.png,\n data:image/png;base64,iVBORw0KGgo=',
				imageDetail: 'low',
			},
			{ role: 'user', imageUrls: 'https://example.com/b.png' },
		];
		const { items, error } = await runNode(chat({ messages: { values } }), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'system', content: 'Be brief.' },
				{ role: 'developer', content: 'Answer in English.' },
				{ role: 'user', content: 'Hello' },
				{ role: 'assistant', content: 'Hi there' },
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'What is on these?' },
						{ type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
						{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
					],
				},
				{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/b.png' } }] },
			],
		});
		// The server echoes the text of the last user message, which has none.
		expect(items.map((item) => item.json.content)).toStrictEqual(['Echo: ']);
	});

	it('takes each item\'s messages array from an expression, chaining a conversation per item', async () => {
		const input = [
			{ messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'First' }] },
			{
				messages: [
					{ role: 'user', content: 'One' },
					{ role: 'assistant', content: 'Echo: One' },
					{ role: 'user', content: 'Two' },
				],
			},
		];
		const parameters = chat({ messagesInput: 'json', messagesJson: '={{ $json.messages }}' });
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => request.body)).toStrictEqual([
			{ model: 'gpt-4o-mini', messages: input[0].messages },
			{ model: 'gpt-4o-mini', messages: input[1].messages },
		]);
		expect(jsonAndPairing(items)).toStrictEqual([
			answer('Echo: First', chatUsage(4, 2), 0),
			answer('Echo: Two', chatUsage(4, 2), 1),
		]);
	});

	it('passes an earlier simplified answer on as an assistant message, dropping its output-only keys', async () => {
		const earlier = answer('Echo: Hi', chatUsage(1, 2)).json;
		const parameters = chat({
			messagesInput: 'json',
			messagesJson: "={{ [{ role: 'user', content: 'Hi' }, $json, { role: 'user', content: 'And then?' }] }}",
		});
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), input: [earlier] });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'user', content: 'Hi' },
				{ role: 'assistant', content: 'Echo: Hi' },
				{ role: 'user', content: 'And then?' },
			],
		});
		expect(items.map((item) => item.json.content)).toStrictEqual(['Echo: And then?']);
	});

	it('reads messages given as JSON text', async () => {
		const messagesJson = '[{"role": "developer", "content": "Be kind."}, {"role": "user", "content": "Hey"}]';
		const { items, error } = await runNode(chat({ messagesInput: 'json', messagesJson }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o-mini',
			messages: [
				{ role: 'developer', content: 'Be kind.' },
				{ role: 'user', content: 'Hey' },
			],
		});
		expect(jsonAndPairing(items)).toStrictEqual([answer('Echo: Hey', chatUsage(3, 2))]);
	});

	it('stops before sending when a JSON message has no valid role', async () => {
		const messagesJson = '[{"content": "no role"}]';
		const { items, error } = await runNode(chat({ messagesInput: 'json', messagesJson }), {
			credentials: fixture.credentials(),
		});

		expect(items).toStrictEqual([]);
		expect(error?.message).toBe(
			'Invalid "Messages (JSON)" in item 0: message 0 needs a role, one of developer, system, user, assistant, tool; got undefined',
		);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('with n > 1 returns one item per choice, each paired with its input item and carrying the whole request\'s usage', async () => {
		const parameters = chat({ messages: { values: [{ role: 'user', content: '={{ $json.q }}' }] }, chatOptions: { n: 2 } });
		const input = [{ q: 'A' }, { q: 'B' }];
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => (request.body as IDataObject).n)).toStrictEqual([2, 2]);
		// usage counts both choices, and is repeated on each of them: do not sum it over the items.
		const usage = chatUsage(1, 6);
		const choice = (content: string, index: number, item: number) => ({
			json: { role: 'assistant', content, finish_reason: 'stop', index, usage },
			pairedItem: { item },
		});
		expect(jsonAndPairing(items)).toStrictEqual([
			choice('Echo: A #0', 0, 0),
			choice('Echo: A #1', 1, 0),
			choice('Echo: B #0', 0, 1),
			choice('Echo: B #1', 1, 1),
		]);
	});

	it('with n > 1 and Simplify off returns one item per input holding all choices', async () => {
		const { items } = await runNode(chat({ chatSimplify: false, chatOptions: { n: 3 } }), {
			credentials: fixture.credentials(),
		});

		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toStrictEqual({ item: 0 });
		const choices = items[0].json.choices as IDataObject[];
		expect(choices.map((choice) => [choice.index, (choice.message as IDataObject).content])).toStrictEqual([
			[0, 'Echo: Hi #0'],
			[1, 'Echo: Hi #1'],
			[2, 'Echo: Hi #2'],
		]);
	});

	it('keeps three input items paired with their answers, in order', async () => {
		const parameters = chat({ messages: { values: [{ role: 'user', content: '=Say {{ $json.word }}' }] } });
		const input = [{ word: 'one' }, { word: 'two' }, { word: 'three' }];
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => (request.body as IDataObject).messages)).toStrictEqual([
			[{ role: 'user', content: 'Say one' }],
			[{ role: 'user', content: 'Say two' }],
			[{ role: 'user', content: 'Say three' }],
		]);
		expect(jsonAndPairing(items)).toStrictEqual([
			answer('Echo: Say one', chatUsage(2, 3), 0),
			answer('Echo: Say two', chatUsage(2, 3), 1),
			answer('Echo: Say three', chatUsage(2, 3), 2),
		]);
	});
});
