/** Edit → Create Edit (retired /edits, still served by compatible servers) through n8n's real engine. */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { FIXED_CREATED } from '../../../../support/openai-server';
import { expectJsonHeaders, jsonAndPairing, ORGANIZATION_ID, textUsage, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const MODEL = 'text-davinci-edit-001';

function edit(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'edit',
		operation: 'create',
		editModel: MODEL,
		instruction: 'Fix the spelling',
		editInput: 'What day of the wek is it?',
		...extra,
	};
}

const EDITED = 'Edited: What day of the wek is it? (Fix the spelling)';

describe('edit: create edit', () => {
	it('sends POST /edits and returns the simplified edit', async () => {
		const { items, error } = await runNode(edit(), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.method).toBe('POST');
		expect(request.fullPath).toBe('/v1/edits');
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({
			model: MODEL,
			instruction: 'Fix the spelling',
			input: 'What day of the wek is it?',
		});
		// /edits returns no finish reason, so none is added.
		expect(jsonAndPairing(items)).toStrictEqual([
			{ json: { text: EDITED, usage: textUsage(10, 11) }, pairedItem: { item: 0 } },
		]);
	});

	it('sends n, temperature and top_p as numbers and the organization header when set', async () => {
		const options = { n: 2, temperature: 0.4, topP: 0.6 };
		const { items } = await runNode(edit({ editOptions: options }), {
			credentials: fixture.credentials({ organizationId: ORGANIZATION_ID }),
		});

		const request = fixture.onlyRequest();
		expectJsonHeaders(request, ORGANIZATION_ID);
		expect(request.body).toStrictEqual({
			model: MODEL,
			instruction: 'Fix the spelling',
			input: 'What day of the wek is it?',
			n: 2,
			temperature: 0.4,
			top_p: 0.6,
		});
		expect(jsonAndPairing(items)).toStrictEqual([0, 1].map((index) => ({
			json: { text: EDITED, index, usage: textUsage(10, 22) },
			pairedItem: { item: 0 },
		})));
	});

	it('returns OpenAI\'s full JSON with Simplify off', async () => {
		const { items } = await runNode(edit({ editSimplify: false, editInput: '' }), { credentials: fixture.credentials() });

		expect(fixture.onlyRequest().body).toStrictEqual({ model: MODEL, instruction: 'Fix the spelling', input: '' });
		expect(jsonAndPairing(items)).toStrictEqual([
			{
				json: {
					object: 'edit',
					created: FIXED_CREATED,
					choices: [{ text: 'Edited:  (Fix the spelling)', index: 0 }],
					usage: textUsage(3, 4),
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	it('keeps three input items paired with their edits, in order', async () => {
		const input = [{ t: 'a' }, { t: 'b' }, { t: 'c' }];
		const { items } = await runNode(edit({ editInput: '={{ $json.t }}' }), { credentials: fixture.credentials(), input });

		expect(jsonAndPairing(items)).toStrictEqual(
			['a', 'b', 'c'].map((letter, item) => ({
				json: { text: `Edited: ${letter} (Fix the spelling)`, usage: textUsage(4, 5) },
				pairedItem: { item },
			})),
		);
	});
});
