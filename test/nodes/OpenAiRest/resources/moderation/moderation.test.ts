/** Moderation → Classify through n8n's real engine against the local OpenAI server. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { expectJsonHeaders, jsonAndPairing, ORGANIZATION_ID, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const IMAGE_URL = 'https://example.com/photo.png';
const OMNI_CATEGORIES = [
	'harassment',
	'harassment/threatening',
	'sexual',
	'hate',
	'hate/threatening',
	'illicit',
	'illicit/violent',
	'self-harm/intent',
	'self-harm/instructions',
	'self-harm',
	'sexual/minors',
	'violence',
	'violence/graphic',
];

function classify(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'moderation', operation: 'classify', moderationInput: 'I will kill you', ...extra };
}

/** The categories flagged in a result. */
function flaggedCategories(result: IDataObject): string[] {
	return Object.entries(result.categories as IDataObject)
		.filter(([, flagged]) => flagged === true)
		.map(([category]) => category);
}

describe('moderation: classify', () => {
	it('sends POST /moderations with the default omni model and returns one result item', async () => {
		const { items, error } = await runNode(classify(), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('POST');
		expect(request.fullPath).toBe('/v1/moderations');
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'omni-moderation-latest', input: 'I will kill you' });
		expect(items).toHaveLength(1);
		const [{ json, pairedItem }] = items;
		expect(pairedItem).toStrictEqual({ item: 0 });
		expect(Object.keys(json)).toStrictEqual([
			'flagged',
			'categories',
			'category_scores',
			'category_applied_input_types',
			'model',
		]);
		expect(json.flagged).toBe(true);
		expect(json.model).toBe('omni-moderation-latest');
		expect(Object.keys(json.categories as IDataObject)).toStrictEqual(OMNI_CATEGORIES);
		expect(flaggedCategories(json)).toStrictEqual(['harassment', 'harassment/threatening', 'violence']);
		expect((json.category_applied_input_types as IDataObject).violence).toStrictEqual(['text']);
	});

	it('returns OpenAI\'s full JSON with Simplify off; simplified rows are its results plus the model', async () => {
		const credentials = fixture.credentials({ organizationId: ORGANIZATION_ID });
		const raw = await runNode(classify({ moderationSimplify: false }), { credentials });
		const simplified = await runNode(classify(), { credentials });

		expectJsonHeaders(fixture.server().requests[0], ORGANIZATION_ID);
		expect(raw.items).toHaveLength(1);
		const body = raw.items[0].json;
		expect(Object.keys(body)).toStrictEqual(['id', 'model', 'results']);
		expect(body.id).toBe('modr-000001');
		expect(body.model).toBe('omni-moderation-latest');
		expect(jsonAndPairing(simplified.items)).toStrictEqual(
			(body.results as IDataObject[]).map((result) => ({
				json: { ...result, model: 'omni-moderation-latest' },
				pairedItem: { item: 0 },
			})),
		);
	});

	it('sends several texts as an array and returns one item per text', async () => {
		const parameters = classify({ inputType: 'texts', texts: ['Have a nice day', 'kill the process'] });
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'omni-moderation-latest',
			input: ['Have a nice day', 'kill the process'],
		});
		expect(items.map((item) => [item.json.flagged, item.json.model, item.pairedItem])).toStrictEqual([
			[false, 'omni-moderation-latest', { item: 0 }],
			[true, 'omni-moderation-latest', { item: 0 }],
		]);
	});

	it('takes the texts array from an expression', async () => {
		const parameters = classify({ inputType: 'texts', texts: '={{ $json.comments }}', moderationModel: 'text-moderation-stable' });
		const input = [{ comments: ['first', 'second', 'third'] }];
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials(), input });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'text-moderation-stable',
			input: ['first', 'second', 'third'],
		});
		// Text models have no illicit categories and no applied input types.
		expect(items).toHaveLength(3);
		for (const item of items) {
			expect(Object.keys(item.json)).toStrictEqual(['flagged', 'categories', 'category_scores', 'model']);
			expect(Object.keys(item.json.categories as IDataObject)).toHaveLength(11);
			expect(item.json.model).toBe('text-moderation-stable');
		}
	});

	it('sends a text and an image as content parts and returns one result', async () => {
		const parameters = classify({ inputType: 'textAndImage', text: 'Look at this', imageUrl: IMAGE_URL });
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'omni-moderation-latest',
			input: [
				{ type: 'text', text: 'Look at this' },
				{ type: 'image_url', image_url: { url: IMAGE_URL } },
			],
		});
		expect(items).toHaveLength(1);
		const applied = items[0].json.category_applied_input_types as IDataObject;
		expect(applied.violence).toStrictEqual(['text', 'image']);
		expect(applied.harassment).toStrictEqual(['text']);
	});

	it('sends an image alone when the text is empty', async () => {
		const parameters = classify({ inputType: 'textAndImage', text: '', imageUrl: ` ${IMAGE_URL} ` });
		const { items } = await runNode(parameters, { credentials: fixture.credentials() });

		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'omni-moderation-latest',
			input: [{ type: 'image_url', image_url: { url: IMAGE_URL } }],
		});
		const applied = items[0].json.category_applied_input_types as IDataObject;
		expect(applied.violence).toStrictEqual(['image']);
		expect(applied.harassment).toStrictEqual([]);
	});

	it('stops before sending when the image URL of Text and Image is empty', async () => {
		const parameters = classify({ inputType: 'textAndImage', text: 'Look', imageUrl: '={{ $json.url }}' });
		const { error } = await runNode(parameters, { credentials: fixture.credentials(), input: [{ url: '' }] });

		expect(error?.message).toBe('Invalid "Image URL" in item 0: must not be empty');
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('stops before sending when the texts list is empty', async () => {
		const { error } = await runNode(classify({ inputType: 'texts', texts: ['', ''] }), {
			credentials: fixture.credentials(),
		});

		expect(error?.message).toBe('Invalid "Texts" in item 0: must contain at least one text');
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('keeps three input items paired with their results, in order', async () => {
		const input = [{ t: 'fine' }, { t: 'kill' }, { t: 'fine too' }];
		const { items } = await runNode(classify({ moderationInput: '={{ $json.t }}' }), { credentials: fixture.credentials(), input });

		expect(fixture.server().requests.map((request) => (request.body as IDataObject).input)).toStrictEqual([
			'fine',
			'kill',
			'fine too',
		]);
		expect(items.map((item) => [item.json.flagged, item.pairedItem])).toStrictEqual([
			[false, { item: 0 }],
			[true, { item: 1 }],
			[false, { item: 2 }],
		]);
	});
});
