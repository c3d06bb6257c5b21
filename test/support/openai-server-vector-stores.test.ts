/** The test server's vector store endpoints, called over HTTP the way any client would; answers checked against the spec. */
import { type OpenAiServer, startOpenAiServer } from './openai-server';
import { apiClient, type Json } from './api-client';
import { chunksOf, matchVectorStoreRoute, passesFilter, scoreOf, seedTextFile } from './openai-server-vector-stores';
import { readExample, requireSpec } from './spec';

const withSpec = requireSpec('test server answers against the spec') ? it : it.skip;

describe('test server: vector stores', () => {
	let server: OpenAiServer;
	const { call, ok } = apiClient(() => server);

	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => {
		server.reset();
		seedTextFile(server.files, 'file-000001', 'returns.md', 'Our return policy: items can be returned within 30 days.\n\nShipping is free above 50 euros.');
		seedTextFile(server.files, 'file-000002', 'faq.txt', 'Questions about the return of gifts.\n\nOpening hours are 9 to 5.');
		seedTextFile(server.files, 'file-000003', 'empty.txt', '');
	});
	afterAll(async () => {
		await server.close();
	});

	it('routes every vector store path by method, and leaves the Files API alone', () => {
		expect(matchVectorStoreRoute('GET', '/v1/vector_stores/vs_1/files/file-1/content')).toEqual({
			kind: 'vectorStore',
			operation: 'fileContent',
			path: '/vector_stores/vs_1/files/file-1/content',
			storeId: 'vs_1',
			fileId: 'file-1',
		});
		expect(matchVectorStoreRoute('POST', '/v1/vector_stores/vs_1/file_batches/vsfb_2/cancel')).toMatchObject({ operation: 'batchCancel', batchId: 'vsfb_2' });
		expect(matchVectorStoreRoute('POST', '/v1/vector_stores/vs_1/files/file-1')).toMatchObject({ operation: 'fileUpdate' });
		expect(matchVectorStoreRoute('PUT', '/v1/vector_stores/vs_1')).toBeUndefined();
		expect(matchVectorStoreRoute('GET', '/v1/files/file-1')).toBeUndefined();
	});

	it('creates a store with files, expiry and chunking, as OpenAI\'s example shapes it', async () => {
		const store = await ok('POST', '/vector_stores', {
			name: 'Support FAQ',
			file_ids: ['file-000001', 'file-000002'],
			expires_after: { anchor: 'last_active_at', days: 7 },
			chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 200 } },
			metadata: { team: 'support' },
		});
		expect(store).toMatchObject({
			id: 'vs_000001',
			object: 'vector_store',
			name: 'Support FAQ',
			status: 'completed',
			file_counts: { in_progress: 0, completed: 2, failed: 0, cancelled: 0, total: 2 },
			expires_after: { anchor: 'last_active_at', days: 7 },
			expires_at: store.last_active_at + 7 * 86400,
			metadata: { team: 'support' },
		});
		const example = JSON.parse(readExample('latest', 'createVectorStore-0-Default.json') ?? '{}') as Json;
		for (const key of Object.keys(example).filter((key) => key !== 'bytes')) expect(store).toHaveProperty(key);
		const file = await ok('GET', '/vector_stores/vs_000001/files/file-000002');
		expect(file.chunking_strategy).toEqual({ type: 'static', static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 200 } });
	});

	it.each([
		[{ file_ids: ['file-999999'] }, 404, "No file found with id 'file-999999'."],
		[{ expires_after: { anchor: 'last_active_at', days: 0 } }, 400, "Invalid 'expires_after.days': expected an integer from 1 to 365."],
		[{ chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 400, chunk_overlap_tokens: 300 } } }, 400, "Invalid 'chunking_strategy.static.chunk_overlap_tokens': must not exceed half of max_chunk_size_tokens."],
	])('refuses a bad Create %j', async (body, status, message) => {
		const answer = await call('POST', '/vector_stores', body);
		expect({ status: answer.status, message: answer.body.error.message }).toEqual({ status, message });
	});

	it('lists stores newest first in pages, and modifies and deletes one', async () => {
		for (const name of ['a', 'b', 'c']) await ok('POST', '/vector_stores', { name });
		server.vectorStores.maxPerPage = 2;
		const first = await ok('GET', '/vector_stores?limit=20');
		expect(first).toMatchObject({ first_id: 'vs_000003', last_id: 'vs_000002', has_more: true });
		const second = await ok('GET', `/vector_stores?limit=20&after=${first.last_id}`);
		expect(second).toMatchObject({ data: [{ name: 'a' }], has_more: false });
		expect((await ok('GET', '/vector_stores?order=asc&limit=1')).data.map((store: Json) => store.id)).toEqual(['vs_000001']);
		expect(await ok('POST', '/vector_stores/vs_000002', { name: 'B', expires_after: { anchor: 'last_active_at', days: 2 } })).toMatchObject({ name: 'B', expires_after: { days: 2 } });
		expect(await ok('DELETE', '/vector_stores/vs_000002')).toEqual({ id: 'vs_000002', object: 'vector_store.deleted', deleted: true });
		expect((await call('GET', '/vector_stores/vs_000002')).status).toBe(404);
	});

	it('adds, gets, updates and removes a file with attributes; an empty file fails', async () => {
		await ok('POST', '/vector_stores', { name: 'kb' });
		const added = await ok('POST', '/vector_stores/vs_000001/files', { file_id: 'file-000001', attributes: { lang: 'en', year: 2024, public: true } });
		expect(added).toMatchObject({ id: 'file-000001', object: 'vector_store.file', status: 'completed', vector_store_id: 'vs_000001', attributes: { lang: 'en', year: 2024, public: true } });
		expect(await ok('POST', '/vector_stores/vs_000001/files', { file_id: 'file-000003' })).toMatchObject({ status: 'failed', last_error: { code: 'invalid_file' } });
		expect(await ok('POST', '/vector_stores/vs_000001/files/file-000001', { attributes: { lang: 'de' } })).toMatchObject({ attributes: { lang: 'de' } });
		expect((await ok('GET', '/vector_stores/vs_000001/files?filter=failed')).data.map((file: Json) => file.id)).toEqual(['file-000003']);
		expect(await ok('DELETE', '/vector_stores/vs_000001/files/file-000003')).toEqual({ id: 'file-000003', object: 'vector_store.file.deleted', deleted: true });
		expect((await ok('GET', '/vector_stores/vs_000001')).file_counts).toMatchObject({ total: 1, completed: 1 });
		const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`k${index}`, index]));
		expect((await call('POST', '/vector_stores/vs_000001/files/file-000001', { attributes: tooMany })).body.error.code).toBe('object_above_max_length');
		expect((await call('POST', '/vector_stores/vs_000001/files', {})).body.error.message).toBe("Missing required parameter: 'file_id'.");
	});

	it('gives the parsed content of a file in paragraphs', async () => {
		await ok('POST', '/vector_stores', { file_ids: ['file-000001'] });
		expect(await ok('GET', '/vector_stores/vs_000001/files/file-000001/content')).toMatchObject({
			object: 'vector_store.file_content.page',
			filename: 'returns.md',
			data: [
				{ type: 'text', text: 'Our return policy: items can be returned within 30 days.' },
				{ type: 'text', text: 'Shipping is free above 50 euros.' },
			],
			has_more: false,
			next_page: null,
		});
	});

	it('processes a file batch after the set number of polls, and cancels another', async () => {
		await ok('POST', '/vector_stores', { name: 'kb' });
		const batch = await ok('POST', '/vector_stores/vs_000001/file_batches', { file_ids: ['file-000001', 'file-000003'], attributes: { src: 'batch' } });
		expect(batch).toMatchObject({ id: 'vsfb_000002', object: 'vector_store.files_batch', status: 'in_progress', file_counts: { in_progress: 2, total: 2 } });
		expect((await ok('GET', '/vector_stores/vs_000001/file_batches/vsfb_000002')).status).toBe('in_progress');
		expect(await ok('GET', '/vector_stores/vs_000001/file_batches/vsfb_000002')).toMatchObject({ status: 'completed', file_counts: { completed: 1, failed: 1, in_progress: 0 } });
		expect((await ok('GET', '/vector_stores/vs_000001/file_batches/vsfb_000002/files?filter=completed')).data).toEqual([
			expect.objectContaining({ id: 'file-000001', attributes: { src: 'batch' } }),
		]);

		const other = await ok('POST', '/vector_stores/vs_000001/file_batches', { files: [{ file_id: 'file-000002', attributes: { own: 1 } }] });
		expect(await ok('POST', `/vector_stores/vs_000001/file_batches/${other.id}/cancel`)).toMatchObject({ status: 'cancelled', file_counts: { cancelled: 1 } });
		expect((await call('POST', '/vector_stores/vs_000001/file_batches', { file_ids: ['file-000001'], files: [{ file_id: 'file-000001' }] })).status).toBe(400);
	});

	it('searches paragraphs by the share of query words, with filters, a threshold and a cap', async () => {
		await ok('POST', '/vector_stores', { name: 'kb' });
		await ok('POST', '/vector_stores/vs_000001/files', { file_id: 'file-000001', attributes: { lang: 'en', year: 2024 } });
		await ok('POST', '/vector_stores/vs_000001/files', { file_id: 'file-000002', attributes: { lang: 'de', year: 2020 } });
		const page = await ok('POST', '/vector_stores/vs_000001/search', { query: 'What is the return policy?' });
		expect(page.data.map((hit: Json) => [hit.filename, hit.score, hit.content[0].text])).toEqual([
			['returns.md', 0.4, 'Our return policy: items can be returned within 30 days.'],
			['faq.txt', 0.4, 'Questions about the return of gifts.'],
			['returns.md', 0.2, 'Shipping is free above 50 euros.'],
		]);
		expect(page).toMatchObject({ object: 'vector_store.search_results.page', search_query: ['What is the return policy?'], has_more: false, next_page: null });
		const filtered = await ok('POST', '/vector_stores/vs_000001/search', {
			query: ['return'],
			max_num_results: 1,
			filters: { type: 'and', filters: [{ type: 'eq', key: 'lang', value: 'de' }, { type: 'lt', key: 'year', value: 2024 }] },
			ranking_options: { ranker: 'none', score_threshold: 0.5 },
			rewrite_query: true,
		});
		expect(filtered.data.map((hit: Json) => hit.file_id)).toEqual(['file-000002']);
		expect((await call('POST', '/vector_stores/vs_000001/search', { query: 'x', max_num_results: 51 })).status).toBe(400);
		expect((await call('POST', '/vector_stores/vs_000001/search', {})).body.error.message).toBe("Missing required parameter: 'query'.");
	});

	withSpec('shapes search hits like OpenAI\'s example', async () => {
		const example = JSON.parse(readExample('latest', 'searchVectorStore-0-Default.json') ?? '{}') as Json;
		await ok('POST', '/vector_stores', { file_ids: ['file-000001'] });
		const page = await ok('POST', '/vector_stores/vs_000001/search', { query: 'return' });
		expect(Object.keys(page).sort()).toEqual(Object.keys(example).sort());
		expect(Object.keys(page.data[0]).sort()).toEqual(Object.keys(example.data[0]).sort());
	});

	it('answers an unknown store or file with OpenAI\'s 404', async () => {
		expect(await call('GET', '/vector_stores/vs_nope')).toEqual({
			status: 404,
			body: { error: { message: "No vector store found with id 'vs_nope'.", type: 'invalid_request_error', param: null, code: 'not_found' } },
		});
		await ok('POST', '/vector_stores', {});
		expect((await call('GET', '/vector_stores/vs_000001/files/file-000001')).status).toBe(404);
		expect((await call('GET', '/vector_stores/vs_000001/file_batches/vsfb_1')).status).toBe(404);
	});

	it('has pure helpers for chunks, scores and filters', () => {
		expect(chunksOf('a\n\n \n b\n\n')).toEqual(['a', 'b']);
		expect(scoreOf(['return', 'policy', 'return'], 'The Return desk')).toBe(0.5);
		expect(passesFilter({ type: 'in', key: 'k', value: ['x', 'y'] }, { k: 'y' })).toBe(true);
		expect(passesFilter({ type: 'nin', key: 'k', value: ['x'] }, {})).toBe(true);
		expect(passesFilter({ type: 'or', filters: [{ type: 'gte', key: 'n', value: 3 }, { type: 'ne', key: 'k', value: 'a' }] }, { n: 2, k: 'a' })).toBe(false);
	});
});
