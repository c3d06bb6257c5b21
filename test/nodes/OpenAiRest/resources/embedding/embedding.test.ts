/** Embedding → Create through n8n's real engine against the local OpenAI server. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { EXAMPLE_EMBEDDING_VALUES } from '../../../../support/openai-server-responses';
import { expectJsonHeaders, jsonAndPairing, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();

function create(extra: INodeParameters = {}, options: IDataObject = {}): INodeParameters {
	return { resource: 'embedding', operation: 'create', embeddingModel: 'text-embedding-3-small', embeddingInput: 'The food was delicious', embeddingOptions: options, ...extra } as INodeParameters;
}

const run = (parameters: INodeParameters, input?: IDataObject[]) => runNode(parameters, { credentials: fixture.credentials(), input });

describe('embedding: create', () => {
	it('asks for base64 and returns floats: one item per text with embedding, index, model and usage', async () => {
		const { items, error } = await run(create());

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toEqual(['POST', '/v1/embeddings']);
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'text-embedding-3-small', input: 'The food was delicious', encoding_format: 'base64' });
		expect(items).toHaveLength(1);
		const { json, pairedItem } = items[0];
		expect(pairedItem).toEqual({ item: 0 });
		expect(Object.keys(json)).toEqual(['embedding', 'index', 'model', 'usage']);
		expect(json.embedding).toHaveLength(1536);
		expect((json.embedding as number[]).slice(0, 2)).toEqual(EXAMPLE_EMBEDDING_VALUES.slice(0, 2));
		expect(json).toMatchObject({ index: 0, model: 'text-embedding-3-small', usage: { prompt_tokens: 4, total_tokens: 4 } });
	});

	it('gives bit for bit the numbers of the float encoding', async () => {
		const texts = ['first text', 'second text', 'third one here'];
		const base64 = await run(create({ embeddingInput: '={{ $json.texts }}' }), [{ texts }]);
		const float = await run(create({ embeddingInput: '={{ $json.texts }}' }, { encodingFormat: 'float' }), [{ texts }]);

		expect((fixture.server().requests[1].body as IDataObject).encoding_format).toBe('float');
		expect(typeof ((fixture.server().requests[1].body as IDataObject).input as unknown[])[0]).toBe('string');
		expect(base64.items).toHaveLength(3);
		const floats = float.items.map((item) => item.json.embedding as number[]);
		base64.items.forEach((item, index) => {
			const decoded = item.json.embedding as number[];
			expect(decoded).toHaveLength(floats[index].length);
			expect(decoded.every((value, position) => Object.is(value, floats[index][position]))).toBe(true);
		});
		expect(jsonAndPairing(base64.items)).toEqual(jsonAndPairing(float.items));
	});

	it('pairs each text\'s row with its input item, and returns the list object with Simplify off', async () => {
		const input = [{ texts: ['a', 'b'] }, { texts: ['c'] }];
		const simplified = await run(create({ embeddingInput: '={{ $json.texts }}' }), input);
		expect(simplified.items.map((item) => [item.json.index, item.pairedItem])).toEqual([
			[0, { item: 0 }],
			[1, { item: 0 }],
			[0, { item: 1 }],
		]);
		const raw = await run(create({ embeddingInput: '={{ $json.texts }}', embeddingSimplify: false }), input);
		expect(raw.items).toHaveLength(2);
		expect(raw.items[0].json).toMatchObject({ object: 'list', model: 'text-embedding-3-small' });
		expect(((raw.items[0].json.data as IDataObject[])[0].embedding as number[])[0]).toBe(EXAMPLE_EMBEDDING_VALUES[0]);
		expect(raw.items[1].pairedItem).toEqual({ item: 1 });
	});

	it('sends dimensions, user and token arrays', async () => {
		const { items } = await run(create({ embeddingInput: '={{ [[1, 2, 3], [4, 5]] }}' }, { dimensions: 8, user: 'user-1' }));
		expect(fixture.onlyRequest().body).toEqual({
			model: 'text-embedding-3-small',
			input: [[1, 2, 3], [4, 5]],
			dimensions: 8,
			user: 'user-1',
			encoding_format: 'base64',
		});
		expect(items.map((item) => (item.json.embedding as number[]).length)).toEqual([8, 8]);
	});

	it('rejects bad input before sending, naming the parameter and the item', async () => {
		const cases: Array<[INodeParameters, IDataObject[] | undefined, string]> = [
			[create({ embeddingModel: 'text-embedding-ada-002' }, { dimensions: 256 }), undefined, 'Invalid "Dimensions" in item 0: is only supported by text-embedding-3 models'],
			[create({ embeddingInput: '={{ "" }}' }), undefined, 'Invalid "Input" in item 0: must not be empty'],
			[create({ embeddingInput: '={{ $json.texts }}' }), [{ texts: ['ok'] }, { texts: [] }], 'Invalid "Input" in item 1: must contain at least one text'],
			[create({ embeddingInput: '={{ $json.texts }}' }), [{ texts: Array.from({ length: 2049 }, () => 'x') }], 'Invalid "Input" in item 0: allows at most 2048 entries, got 2049'],
		];
		for (const [parameters, input, message] of cases) {
			fixture.server().reset();
			const { error } = await run(parameters, input);
			expect(error?.message).toContain(message);
			// Only valid items may reach the server: the bad one never does.
			const sentInputs = fixture.server().requests.map((request) => (request.body as IDataObject).input);
			expect(sentInputs).toEqual(input && input.length > 1 ? [['ok']] : []);
		}
	});
});
