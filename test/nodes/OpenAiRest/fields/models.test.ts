/** The model dropdowns: GET /models through n8n's RoutingNode, filtered per family, sorted, with fallback. */
import type { INodeProperties } from 'n8n-workflow';

import {
	isModelInFamily,
	MODEL_FAMILIES,
	type ModelFamily,
	modelLoadOptions,
} from '../../../../nodes/OpenAiRest/fields/models';
import { loadOptions, nodeType, type TestCredentials } from '../../../support/engine';
import { DEFAULT_API_KEY, DEFAULT_MODELS, type OpenAiServer, startOpenAiServer } from '../../../support/openai-server';
import { EXPECTED_MODELS } from '../../../support/expected-models';

/** The model picker of each resource, and the family it offers. */
const PICKERS: Array<[string, string, ModelFamily]> = [
	['chat', 'create', 'chat'],
	['text', 'create', 'completion'],
	['edit', 'create', 'edit'],
	['image', 'generate', 'image'],
	['moderation', 'classify', 'moderation'],
	['model', 'get', 'all'],
	['response', 'create', 'responses'],
	['embedding', 'create', 'embedding'],
	['audio', 'generateSpeech', 'speech'],
	['audio', 'transcribe', 'transcription'],
	['audio', 'translate', 'translation'],
];

const EXPECTED = EXPECTED_MODELS;

function pickerOf(resource: string, operation: string): INodeProperties {
	const picker = nodeType.description.properties.find(
		(property) =>
			property.typeOptions?.loadOptions !== undefined &&
			property.displayOptions?.show?.resource?.includes(resource) &&
			property.displayOptions?.show?.operation?.includes(operation),
	);
	if (!picker) throw new Error(`no model picker for ${resource}:${operation}`);
	return picker;
}

function setModels(server: OpenAiServer, ids: string[]): void {
	server.models.splice(0, server.models.length, ...ids.map((id) => ({ id, object: 'model' as const, created: 1, owned_by: 'x' })));
}

describe('model dropdowns', () => {
	let server: OpenAiServer;
	const credentials = (extra: Partial<TestCredentials> = {}): TestCredentials => ({
		apiKey: DEFAULT_API_KEY,
		baseUrl: server.baseUrl(),
		...extra,
	});
	const load = (resource: string, operation: string, creds = credentials()) =>
		loadOptions(pickerOf(resource, operation), { resource, operation }, creds);

	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	it.each(PICKERS)('%s:%s lists its family, fine-tuned models included, sorted', async (resource, operation, family) => {
		const options = await load(resource, operation, credentials({ organizationId: 'org-5' }));

		expect(options).toStrictEqual(EXPECTED[family].map((id) => ({ name: id, value: id })));
		const [request] = server.requests;
		expect(server.requests).toHaveLength(1);
		expect([request.method, request.fullPath]).toStrictEqual(['GET', '/v1/models']);
		expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_API_KEY}`);
		expect(request.headers['openai-organization']).toBe('org-5');
	});

	it('uses the credential\'s base URL path and sends no organization header without one', async () => {
		await load('chat', 'create', credentials({ baseUrl: server.baseUrl('/openai/v1/') }));

		expect(server.requests.map((request) => request.fullPath)).toStrictEqual(['/openai/v1/models']);
		expect(server.requests[0].headers).not.toHaveProperty('openai-organization');
	});

	it('leaves out models of other kinds that share a prefix with chat models', async () => {
		setModels(server, [
			'gpt-4o-realtime-preview',
			'gpt-4o-mini-tts',
			'gpt-4o-transcribe',
			'gpt-4o-audio-preview',
			'gpt-5-search-api',
			'gpt-image-1',
			'gpt-3.5-turbo-instruct',
			'gpt-4o-search-preview',
			'o4-mini',
			'ft:gpt-3.5-turbo-0125:acme::q1',
		]);

		const options = await load('chat', 'create');

		expect(options.map((option) => option.value)).toStrictEqual([
			'ft:gpt-3.5-turbo-0125:acme::q1',
			'gpt-4o-search-preview',
			'o4-mini',
		]);
	});

	it.each(PICKERS)(
		'%s:%s lists every model, sorted, when a compatible server has none of the family',
		async (resource, operation) => {
			setModels(server, ['mistral-large', 'llama-3-70b', 'Qwen2.5-72B']);

			const options = await load(resource, operation);

			expect(options.map((option) => option.value)).toStrictEqual(['llama-3-70b', 'mistral-large', 'Qwen2.5-72B']);
		},
	);

	it('does not fall back when at least one model of the family is there', async () => {
		setModels(server, ['llama-3-70b', 'gpt-4o', 'text-davinci-edit-001']);

		expect((await load('chat', 'create')).map((option) => option.value)).toStrictEqual(['gpt-4o']);
		expect((await load('edit', 'create')).map((option) => option.value)).toStrictEqual(['text-davinci-edit-001']);
		expect((await load('moderation', 'classify')).map((option) => option.value)).toStrictEqual([
			'gpt-4o',
			'llama-3-70b',
			'text-davinci-edit-001',
		]);
	});

	it('never falls back on api.openai.com, so a retired family shows an empty list there', async () => {
		setModels(server, ['gpt-4o', 'dall-e-3']);
		// The check reads the base URL text, so a local path containing the host takes the OpenAI branch.
		const onOpenAi = credentials({ baseUrl: server.baseUrl('/api.openai.com/v1') });

		expect(await load('edit', 'create', onOpenAi)).toStrictEqual([]);
		expect((await load('chat', 'create', onOpenAi)).map((option) => option.value)).toStrictEqual(['gpt-4o']);
	});

	it('rejects with OpenAI\'s message when GET /models fails, instead of an empty list', async () => {
		const badKey = credentials({ apiKey: 'sk-bad-key-9999' });

		await expect(load('chat', 'create', badKey)).rejects.toMatchObject({
			message: 'Incorrect API key provided: sk-bad***999. You can find your API key at https://platform.openai.com/account/api-keys.',
			description: expect.stringContaining('Check the API key (and organization ID) in the OpenAI REST API credential.'),
		});
	});

	it('retries a server error on GET /models, then rejects with its message', async () => {
		server.failAlways('/models', { status: 503, headers: { 'retry-after-ms': '1' } });

		await expect(load('image', 'generate')).rejects.toMatchObject({
			message: 'The engine is currently overloaded, please try again later.',
		});
		expect(server.requests).toHaveLength(3);
	});
});

describe('isModelInFamily', () => {
	it.each(Object.keys(EXPECTED) as ModelFamily[])('agrees with the %s dropdown on the default models', (family) => {
		const ids = DEFAULT_MODELS.map((model) => model.id).filter((id) => isModelInFamily(id, family));
		expect(ids.sort()).toStrictEqual(EXPECTED[family]);
	});

	it.each([
		['ft:gpt-4o-2024-08-06:org:name:id', 'chat', true],
		['o1-mini', 'chat', true],
		['gpt-4o-mini-realtime-preview', 'chat', false],
		['text-embedding-3-large', 'chat', false],
		['ft:babbage-002:acme::b1', 'completion', true],
		['text-davinci-003', 'completion', true],
		['text-similarity-ada-001', 'completion', false],
		['text-embedding-ada-002', 'completion', false],
		['chatgpt-image-latest', 'image', true],
		['chatgpt-image-latest', 'chat', false],
		['omni-moderation-2024-09-26', 'moderation', true],
		['anything-at-all', 'all', true],
		['computer-use-preview', 'responses', true],
		['codex-mini-latest', 'responses', true],
		['gpt-5-codex', 'responses', true],
		['o3-deep-research', 'responses', true],
		['ft:gpt-4.1-2025-04-14:acme::r1', 'responses', true],
		['gpt-4o-realtime-preview', 'responses', false],
		['gpt-3.5-turbo-instruct', 'responses', false],
		['text-embedding-3-large', 'responses', false],
		['text-embedding-3-large', 'embedding', true],
		['text-embedding-ada-002', 'embedding', true],
		['gpt-4o', 'embedding', false],
	] as Array<[string, ModelFamily, boolean]>)('%s in %s: %s', (id, family, expected) => {
		expect(isModelInFamily(id, family)).toBe(expected);
	});
});

describe('modelLoadOptions', () => {
	it.each(Object.keys(MODEL_FAMILIES) as ModelFamily[])('holds only JSON-safe data for %s', (family) => {
		const options = modelLoadOptions(family);
		expect(JSON.parse(JSON.stringify(options))).toStrictEqual(options);
	});

	it('builds both candidate lists in one expression and picks one with a filter that runs twice', () => {
		const { include, exclude } = MODEL_FAMILIES.edit;
		const postReceive = modelLoadOptions('edit').routing?.output?.postReceive as Array<{ type: string; properties: Record<string, string> }>;

		// No per-model action: n8n would evaluate its expression once per model.
		expect(postReceive.map((action) => action.type)).toStrictEqual(['set', 'rootProperty', 'filter', 'rootProperty']);
		expect(postReceive[0].properties.value).toContain(`/${include}/.test(model.id) && !/${exclude}/.test(model.id)`);
		expect(postReceive[1].properties).toStrictEqual({ property: 'lists' });
		expect(postReceive[2].properties.pass).toContain("String($credentials.baseUrl).includes('api.openai.com')");
		expect(postReceive[3].properties).toStrictEqual({ property: 'options' });
	});

	it('sends through the node\'s retrying request hook', () => {
		expect(modelLoadOptions('chat').routing).toMatchObject({
			request: { method: 'GET', url: '/models' },
			send: { paginate: true },
		});
	});
});
