/** Model → List and Get through n8n's real engine against the local OpenAI server. */
import { runNode } from '../../../../support/engine';
import { DEFAULT_MODELS } from '../../../../support/openai-server';
import { expectJsonHeaders, jsonAndPairing, ORGANIZATION_ID, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const FINE_TUNED = 'ft:gpt-4o-mini-2024-07-18:acme::abc123';

describe('model: list', () => {
	it('sends GET /models and returns one item per model', async () => {
		const { items, error } = await runNode({ resource: 'model', operation: 'list' }, {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('GET');
		expect(request.fullPath).toBe('/v1/models');
		expect(request.rawBody).toBe('');
		expectJsonHeaders(request);
		expect(jsonAndPairing(items)).toStrictEqual(
			DEFAULT_MODELS.map((model) => ({ json: { ...model }, pairedItem: { item: 0 } })),
		);
	});

	it('returns OpenAI\'s list object with Simplify off', async () => {
		const { items } = await runNode({ resource: 'model', operation: 'list', modelSimplify: false }, {
			credentials: fixture.credentials({ organizationId: ORGANIZATION_ID }),
		});

		expectJsonHeaders(fixture.onlyRequest(), ORGANIZATION_ID);
		expect(jsonAndPairing(items)).toStrictEqual([
			{ json: { object: 'list', data: DEFAULT_MODELS.map((model) => ({ ...model })) }, pairedItem: { item: 0 } },
		]);
	});
});

describe('model: get', () => {
	it('sends GET /models/{id} and returns the model object', async () => {
		const { items, error } = await runNode({ resource: 'model', operation: 'get', modelId: 'gpt-4o' }, {
			credentials: fixture.credentials({ organizationId: ORGANIZATION_ID }),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('GET');
		expect(request.fullPath).toBe('/v1/models/gpt-4o');
		expectJsonHeaders(request, ORGANIZATION_ID);
		expect(jsonAndPairing(items)).toStrictEqual([
			{ json: { id: 'gpt-4o', object: 'model', created: 1715367049, owned_by: 'system' }, pairedItem: { item: 0 } },
		]);
	});

	it('URL-encodes a fine-tuned ID with colons into one path segment', async () => {
		const { items, error } = await runNode({ resource: 'model', operation: 'get', modelId: FINE_TUNED }, {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.fullPath).toBe('/v1/models/ft%3Agpt-4o-mini-2024-07-18%3Aacme%3A%3Aabc123');
		expect(request.path).toBe(`/models/${FINE_TUNED}`);
		expect(items.map((item) => item.json)).toStrictEqual([
			{ id: FINE_TUNED, object: 'model', created: 1727374921, owned_by: 'acme' },
		]);
	});

	it('takes the ID from an expression per item, keeping items paired', async () => {
		const input = [{ id: 'o1' }, { id: 'dall-e-3' }, { id: 'whisper-1' }];
		const { items } = await runNode({ resource: 'model', operation: 'get', modelId: '={{ $json.id }}' }, {
			credentials: fixture.credentials(),
			input,
		});

		expect(fixture.server().requests.map((request) => request.fullPath)).toStrictEqual([
			'/v1/models/o1',
			'/v1/models/dall-e-3',
			'/v1/models/whisper-1',
		]);
		expect(items.map((item) => [item.json.id, item.pairedItem])).toStrictEqual([
			['o1', { item: 0 }],
			['dall-e-3', { item: 1 }],
			['whisper-1', { item: 2 }],
		]);
	});

	it('names the model and OpenAI\'s message when the model does not exist', async () => {
		const { error } = await runNode({ resource: 'model', operation: 'get', modelId: 'gpt-9' }, {
			credentials: fixture.credentials(),
		});

		expect(error?.message).toBe('The model `gpt-9` does not exist or you do not have access to it.');
		expect(error?.description).toBe(
			'type: invalid_request_error, code: model_not_found, HTTP status: 404\n' +
				'The model "gpt-9" does not exist on this server or your key has no access to it. Pick another model.',
		);
		expect(fixture.server().requests).toHaveLength(1);
	});
});
