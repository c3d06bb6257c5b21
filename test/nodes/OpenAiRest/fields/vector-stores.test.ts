/** The vector store picker: Vector Store → every operation's store, and Response → Create's File Search. */
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

import { vectorStoreLoadOptions } from '../../../../nodes/OpenAiRest/fields/vector-stores';
import { responseFields } from '../../../../nodes/OpenAiRest/resources/response/description';
import { vectorStoreFields } from '../../../../nodes/OpenAiRest/resources/vectorStore/description';
import { loadOptions } from '../../../support/engine';
import { useOpenAiServer } from '../../../support/fixture';

const fixture = useOpenAiServer();

async function seedStores(names: string[]): Promise<void> {
	for (const name of names) {
		await fetch(`${fixture.server().baseUrl()}/vector_stores`, {
			method: 'POST',
			headers: { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' },
			body: JSON.stringify(name ? { name } : {}),
		});
	}
	fixture.server().requests.length = 0;
}

/** Response → Create's File Search → Vector Stores. */
function fileSearchStores(): INodeProperties {
	const options = responseFields.find((field) => field.name === 'responseOptions')?.options as INodeProperties[];
	const fileSearch = options.find((option) => option.name === 'fileSearch')?.options as INodePropertyCollection[];
	return fileSearch[0].values.find((value) => value.name === 'vectorStoreIds')!;
}

describe('vector store picker', () => {
	it('lists the key\'s newest stores by name and ID, an unnamed one by ID', async () => {
		await seedStores(['Support FAQ', '']);
		const property = vectorStoreFields.find((field) => field.name === 'vectorStoreId')!;
		expect(await loadOptions(property, { resource: 'vectorStore', operation: 'get' }, fixture.credentials())).toEqual([
			{ name: 'vs_000002', value: 'vs_000002' },
			{ name: 'Support FAQ (vs_000001)', value: 'vs_000001' },
		]);
		expect(fixture.onlyRequest().fullPath).toBe('/v1/vector_stores?limit=100');
	});

	it('fills Response → Create\'s File Search, where several stores can be picked', async () => {
		await seedStores(['A', 'B']);
		const property = fileSearchStores();
		expect(property.type).toBe('multiOptions');
		expect(property.typeOptions?.loadOptions).toEqual(vectorStoreLoadOptions());
		const options = await loadOptions(property, { resource: 'response', operation: 'create' }, fixture.credentials());
		expect(options.map((option) => option.value)).toEqual(['vs_000002', 'vs_000001']);
	});

	it('rejects with OpenAI\'s message instead of an empty list when the key is refused', async () => {
		const property = vectorStoreFields.find((field) => field.name === 'vectorStoreId')!;
		await expect(loadOptions(property, { resource: 'vectorStore', operation: 'get' }, fixture.credentials({ apiKey: 'sk-bad-key-9999' }))).rejects.toMatchObject({
			message: 'Incorrect API key provided: sk-bad***999. You can find your API key at https://platform.openai.com/account/api-keys.',
		});
	});
});
