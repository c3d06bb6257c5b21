/** Vector Store → every operation through n8n's engine against the test server, polling and Stop included. */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../support/engine';
import { useOpenAiServer } from '../../../../support/fixture';
import { seedTextFile } from '../../../../support/openai-server-vector-stores';
import { expectStopMidWait } from '../../../../support/stop-mid-wait';

const fixture = useOpenAiServer();

const store = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'vectorStore', operation, ...extra });
const RETURNS = 'Our return policy: items can be returned within 30 days.\n\nShipping is free above 50 euros.';
const FAQ = 'Questions about the return of gifts.\n\nOpening hours are 9 to 5.';

function seed(): void {
	const { files } = fixture.server();
	seedTextFile(files, 'file-000001', 'returns.md', RETURNS);
	seedTextFile(files, 'file-000002', 'faq.txt', FAQ);
	seedTextFile(files, 'file-000003', 'empty.txt', '');
}

/** Creates stores straight on the server; the node's requests start after them. */
async function seedStores(names: string[], fileIds: string[] = []): Promise<void> {
	for (const name of names) {
		const response = await fetch(`${fixture.server().baseUrl()}/vector_stores`, {
			method: 'POST',
			headers: { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' },
			body: JSON.stringify({ name, file_ids: fileIds }),
		});
		expect(response.status).toBe(200);
	}
	fixture.server().requests.length = 0;
}


beforeEach(seed);

describe('vector store: create, get, update, delete', () => {
	it('sends the name and the options in the API\'s shapes', async () => {
		const { items, error } = await runNode(
			store('create', {
				vectorStoreName: 'Support FAQ',
				vectorStoreOptions: {
					fileIds: 'file-000001, file-000002',
					description: 'Answers for customers',
					expiresAfterDays: 7,
					chunkSize: 400,
					metadata: '{"team": "support"}',
				},
			}),
			{ credentials: fixture.credentials() },
		);

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toEqual({
			name: 'Support FAQ',
			description: 'Answers for customers',
			file_ids: ['file-000001', 'file-000002'],
			expires_after: { anchor: 'last_active_at', days: 7 },
			chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 200 } },
			metadata: { team: 'support' },
		});
		expect(items[0].json).toMatchObject({ id: 'vs_000001', object: 'vector_store', name: 'Support FAQ', file_counts: { completed: 2, total: 2 } });
	});

	it('sends an empty body for a store without a name or options', async () => {
		await runNode(store('create'), { credentials: fixture.credentials() });
		expect(fixture.onlyRequest().body).toEqual({});
	});

	it('gets, updates and deletes a store by ID', async () => {
		await seedStores(['kb']);
		const get = await runNode(store('get', { vectorStoreId: 'vs_000001' }), { credentials: fixture.credentials() });
		expect(get.items[0].json).toMatchObject({ id: 'vs_000001', name: 'kb' });

		const update = await runNode(
			store('update', { vectorStoreId: 'vs_000001', vectorStoreOptions: { name: 'KB', expiresAfterDays: 365, metadata: '{"v": "2"}' } }),
			{ credentials: fixture.credentials() },
		);
		expect(fixture.server().requests[1].body).toEqual({ name: 'KB', expires_after: { anchor: 'last_active_at', days: 365 }, metadata: { v: '2' } });
		expect(update.items[0].json).toMatchObject({ name: 'KB', metadata: { v: '2' } });

		const removed = await runNode(store('delete', { vectorStoreId: 'vs_000001' }), { credentials: fixture.credentials() });
		expect(removed.items[0].json).toEqual({ id: 'vs_000001', object: 'vector_store.deleted', deleted: true });
		expect(fixture.server().requests.map((request) => `${request.method} ${request.fullPath}`)).toEqual([
			'GET /v1/vector_stores/vs_000001',
			'POST /v1/vector_stores/vs_000001',
			'DELETE /v1/vector_stores/vs_000001',
		]);
	});

	it('shows OpenAI\'s message for a store that does not exist', async () => {
		const { error } = await runNode(store('get', { vectorStoreId: 'vs_gone' }), { credentials: fixture.credentials() });
		expect(error?.message).toContain("No vector store found with id 'vs_gone'.");
		expect(error?.httpCode).toBe('404');
	});
});

describe('vector store: lists', () => {
	it('reads every page with Return All, asking for the largest pages', async () => {
		await seedStores(['a', 'b', 'c', 'd', 'e']);
		fixture.server().vectorStores.maxPerPage = 2;
		const { items } = await runNode(store('list', { vectorStoreReturnAll: true, vectorStoreOptions: { order: 'asc' } }), { credentials: fixture.credentials() });

		expect(items.map((item) => item.json.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
		expect(fixture.server().requests.map((request) => request.fullPath)).toEqual([
			'/v1/vector_stores?order=asc&limit=100',
			'/v1/vector_stores?order=asc&limit=100&after=vs_000002',
			'/v1/vector_stores?order=asc&limit=100&after=vs_000004',
		]);
	});

	it('reads one page of Limit without Return All', async () => {
		await seedStores(['a', 'b', 'c']);
		const { items } = await runNode(store('list', { vectorStoreLimit: 2 }), { credentials: fixture.credentials() });
		expect(items.map((item) => item.json.name)).toEqual(['c', 'b']);
		expect(fixture.onlyRequest().fullPath).toBe('/v1/vector_stores?limit=2');
	});

	it('gives an agent each store\'s ID, name, status and file counts, and each file\'s ID, status and attributes', async () => {
		await seedStores(['kb'], ['file-000001']);
		const stores = await runNode(store('list', { vectorStoreReturnAll: true }), { credentials: fixture.credentials(), asTool: true });
		expect(stores.items.map((item) => item.json)).toEqual([
			{ id: 'vs_000001', name: 'kb', status: 'completed', file_counts: { in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 } },
		]);
		const files = await runNode(store('listFiles', { vectorStoreId: 'vs_000001' }), { credentials: fixture.credentials(), asTool: true });
		expect(files.items.map((item) => item.json)).toEqual([{ id: 'file-000001', status: 'completed', attributes: {} }]);
	});

	it('lists the files of a store with a status, all pages', async () => {
		await seedStores(['kb'], ['file-000001', 'file-000002', 'file-000003']);
		fixture.server().vectorStores.maxPerPage = 1;
		const { items } = await runNode(
			store('listFiles', { vectorStoreId: 'vs_000001', vectorStoreReturnAll: true, vectorStoreOptions: { status: 'completed' } }),
			{ credentials: fixture.credentials() },
		);
		expect(items.map((item) => item.json.id)).toEqual(['file-000002', 'file-000001']);
		expect(fixture.server().requests).toHaveLength(2);
	});
});

describe('vector store: files', () => {
	it('adds a file with attributes and a chunk size; the overlap defaults to half of it at most', async () => {
		await seedStores(['kb']);
		const { items } = await runNode(
			store('addFile', {
				vectorStoreId: 'vs_000001',
				vectorStoreFileId: 'file-000001',
				vectorStoreOptions: { attributes: '{"lang": "en", "year": 2024, "public": true}', chunkSize: 100 },
			}),
			{ credentials: fixture.credentials() },
		);
		expect(fixture.onlyRequest().body).toEqual({
			file_id: 'file-000001',
			attributes: { lang: 'en', year: 2024, public: true },
			chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 50 } },
		});
		expect(items[0].json).toMatchObject({ id: 'file-000001', object: 'vector_store.file', status: 'completed', attributes: { lang: 'en' } });
	});

	it('gets a file, replaces its attributes, reads its content and removes it', async () => {
		await seedStores(['kb'], ['file-000001']);
		const ids = { vectorStoreId: 'vs_000001', vectorStoreFileId: 'file-000001' };
		const credentials = fixture.credentials();
		expect((await runNode(store('getFile', ids), { credentials })).items[0].json).toMatchObject({ id: 'file-000001', status: 'completed' });
		const updated = await runNode(store('updateFile', { ...ids, vectorStoreAttributes: '{"reviewed": true}' }), { credentials });
		expect(updated.items[0].json.attributes).toEqual({ reviewed: true });
		expect(fixture.server().requests[1].body).toEqual({ attributes: { reviewed: true } });

		const content = await runNode(store('getFileContent', ids), { credentials });
		expect(content.items.map((item) => item.json)).toEqual([{ file_id: 'file-000001', filename: 'returns.md', attributes: { reviewed: true }, text: RETURNS }]);
		const raw = await runNode(store('getFileContent', { ...ids, vectorStoreSimplify: false }), { credentials });
		expect(raw.items[0].json).toMatchObject({ object: 'vector_store.file_content.page', data: [{ type: 'text' }, { type: 'text' }] });

		const removed = await runNode(store('removeFile', ids), { credentials });
		expect(removed.items[0].json).toEqual({ id: 'file-000001', object: 'vector_store.file.deleted', deleted: true });
		expect(fixture.server().requests.at(-1)?.fullPath).toBe('/v1/vector_stores/vs_000001/files/file-000001');
	});

	it('adds files as a batch and polls until it is processed', async () => {
		await seedStores(['kb']);
		const { items, error } = await runNode(
			store('addFiles', { vectorStoreId: 'vs_000001', vectorStoreFileIds: 'file-000001,file-000003\nfile-000002', vectorStoreOptions: { attributes: '{"src": "n8n"}' } }),
			{ credentials: fixture.credentials() },
		);

		expect(error).toBeUndefined();
		const requests = fixture.server().requests.map((request) => `${request.method} ${request.fullPath}`);
		expect(requests).toEqual([
			'POST /v1/vector_stores/vs_000001/file_batches',
			'GET /v1/vector_stores/vs_000001/file_batches/vsfb_000002',
			'GET /v1/vector_stores/vs_000001/file_batches/vsfb_000002',
		]);
		expect(fixture.server().requests[0].body).toEqual({ file_ids: ['file-000001', 'file-000003', 'file-000002'], attributes: { src: 'n8n' } });
		expect(items.map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'vsfb_000002', status: 'completed', file_counts: { in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 } }),
		]);
	});

	it('takes the file IDs of a batch as an array from an expression', async () => {
		await seedStores(['kb']);
		fixture.server().vectorStores.batchPollsToComplete = 0;
		await runNode(store('addFiles', { vectorStoreId: 'vs_000001', vectorStoreFileIds: '={{ $json.ids }}' }), {
			credentials: fixture.credentials(),
			input: [{ ids: ['file-000001', 'file-000002'] }],
		});
		expect(fixture.server().requests[0].body).toEqual({ file_ids: ['file-000001', 'file-000002'] });
	});

	it('fails a batch still in progress after Max Wait, naming the batch and its progress', async () => {
		await seedStores(['kb']);
		fixture.server().vectorStores.batchPollsToComplete = 1000;
		const { error } = await runNode(
			store('addFiles', { vectorStoreId: 'vs_000001', vectorStoreFileIds: 'file-000001', vectorStoreOptions: { maxWait: 1 } }),
			{ credentials: fixture.credentials() },
		);
		expect(error?.message).toBe('File batch vsfb_000002 is still in_progress (0 of 1 files processed) after 1 s');
		// The batch is created, polled once at the limit (1 s), and not after it.
		expect(fixture.server().requests.map((request) => request.method)).toEqual(['POST', 'GET']);
	});

	it('stops polling at once when the execution is stopped, and sends nothing more', async () => {
		await seedStores(['kb']);
		fixture.server().vectorStores.batchPollsToComplete = 1000;
		// Created, polled twice, then stopped in the third pause.
		await expectStopMidWait(fixture.server(), fixture.credentials(), store('addFiles', { vectorStoreId: 'vs_000001', vectorStoreFileIds: 'file-000001' }), 3);
	});
});

describe('vector store: search', () => {
	beforeEach(async () => {
		await seedStores(['kb']);
		for (const [id, attributes] of [['file-000001', { lang: 'en' }], ['file-000002', { lang: 'de' }]] as const) {
			await runNode(store('addFile', { vectorStoreId: 'vs_000001', vectorStoreFileId: id, vectorStoreOptions: { attributes: JSON.stringify(attributes) } }), {
				credentials: fixture.credentials(),
			});
		}
		fixture.server().requests.length = 0;
	});

	it('gives one item per hit with its score, file and text', async () => {
		const { items } = await runNode(store('search', { vectorStoreId: 'vs_000001', vectorStoreQuery: 'What is the return policy?' }), {
			credentials: fixture.credentials(),
		});
		expect(fixture.onlyRequest().body).toEqual({ query: 'What is the return policy?' });
		expect(items.map((item) => [item.json, item.pairedItem])).toEqual([
			[{ score: 0.4, file_id: 'file-000001', filename: 'returns.md', text: 'Our return policy: items can be returned within 30 days.', attributes: { lang: 'en' } }, { item: 0 }],
			[{ score: 0.4, file_id: 'file-000002', filename: 'faq.txt', text: 'Questions about the return of gifts.', attributes: { lang: 'de' } }, { item: 0 }],
			[{ score: 0.2, file_id: 'file-000001', filename: 'returns.md', text: 'Shipping is free above 50 euros.', attributes: { lang: 'en' } }, { item: 0 }],
		]);
	});

	it('sends filters, the cap and the ranking options, and returns the raw page without Simplify', async () => {
		const { items } = await runNode(
			store('search', {
				vectorStoreId: 'vs_000001',
				vectorStoreQuery: 'return',
				vectorStoreSimplify: false,
				vectorStoreOptions: {
					filters: '{"type": "or", "filters": [{"type": "eq", "key": "lang", "value": "de"}, {"type": "in", "key": "lang", "value": ["fr"]}]}',
					maxResults: 5,
					ranker: 'none',
					scoreThreshold: 0.5,
					rewriteQuery: true,
				},
			}),
			{ credentials: fixture.credentials() },
		);
		expect(fixture.onlyRequest().body).toEqual({
			query: 'return',
			filters: { type: 'or', filters: [{ type: 'eq', key: 'lang', value: 'de' }, { type: 'in', key: 'lang', value: ['fr'] }] },
			max_num_results: 5,
			ranking_options: { ranker: 'none', score_threshold: 0.5 },
			rewrite_query: true,
		});
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ object: 'vector_store.search_results.page', data: [{ file_id: 'file-000002', score: 1 }] });
	});

	it('gives an agent only the text, score and file name of each hit, and says when nothing matched', async () => {
		const hits = await runNode(store('search', { vectorStoreId: 'vs_000001', vectorStoreQuery: 'free shipping' }), { credentials: fixture.credentials(), asTool: true });
		expect(hits.items.map((item) => item.json)).toEqual([{ score: 1, filename: 'returns.md', text: 'Shipping is free above 50 euros.' }]);
		const none = await runNode(store('search', { vectorStoreId: 'vs_000001', vectorStoreQuery: 'zebra' }), { credentials: fixture.credentials(), asTool: true });
		expect(none.items.map((item) => item.json)).toEqual([{ hits: 0, message: 'Nothing in the vector store matches the query' }]);
	});
});

describe('vector store: bad input fails before sending, naming the parameter and the item', () => {
	const cases: Array<[string, INodeParameters, string]> = [
		['attributes that are not JSON', store('addFile', { vectorStoreId: 'vs_1', vectorStoreFileId: 'file-1', vectorStoreOptions: { attributes: '{lang: en}' } }), 'Invalid "Attributes" in item 1: is not valid JSON'],
		['too many attributes', store('updateFile', { vectorStoreId: 'vs_1', vectorStoreFileId: 'file-1', vectorStoreAttributes: JSON.stringify(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))) }), 'Invalid "Attributes" in item 1: allows at most 16 keys, got 17'],
		['an attribute that is an object', store('addFile', { vectorStoreId: 'vs_1', vectorStoreFileId: 'file-1', vectorStoreOptions: { attributes: '{"a": {"b": 1}}' } }), 'Invalid "Attributes" in item 1: the value of "a" must be a string, number or boolean, got {"b":1}'],
		['a filter of an unknown type', store('search', { vectorStoreId: 'vs_1', vectorStoreQuery: 'x', vectorStoreOptions: { filters: '{"type": "like", "key": "a", "value": "b"}' } }), 'Invalid "Filters" in item 1: Filters has type "like"; use one of eq, ne, gt, gte, lt, lte, in, nin, and, or'],
		['an "in" filter without a list', store('search', { vectorStoreId: 'vs_1', vectorStoreQuery: 'x', vectorStoreOptions: { filters: '{"type": "in", "key": "a", "value": "b"}' } }), 'Invalid "Filters" in item 1: Filters: "in" compares with an array'],
		['an overlap above half the chunk size', store('create', { vectorStoreOptions: { chunkSize: 400, chunkOverlap: 300 } }), 'Invalid "Chunk Overlap (Tokens)" in item 1: must be at most half of Chunk Size (400), got 300'],
		['a batch without files', store('addFiles', { vectorStoreId: 'vs_1', vectorStoreFileIds: ' , ' }), 'Invalid "File IDs" in item 1: must name at least one file, e.g. file-abc123'],
		['an empty query', store('search', { vectorStoreId: 'vs_1', vectorStoreQuery: '  ' }), 'Invalid "Query" in item 1: must not be empty'],
		['metadata with a number', store('create', { vectorStoreOptions: { metadata: '{"n": 1}' } }), 'Invalid "Metadata" in item 1: the value of "n" must be a string of at most 512 characters'],
	];

	it.each(cases)('%s', async (_name, parameters, message) => {
		const { items } = await runNode(parameters, { credentials: fixture.credentials(), input: [{}, {}], continueOnFail: true });
		// Item 0 is fine or fails the same way; item 1 is the one named.
		expect(items).toHaveLength(2);
		expect(String(items[1].json.error)).toContain(message);
		expect(fixture.server().requests).toHaveLength(0);
	});
});
