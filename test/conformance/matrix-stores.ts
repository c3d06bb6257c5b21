/**
 * Matrix cases of the Vector Store and Video resources. Jobs are set to finish at the first poll, so
 * the cases that wait do not sleep; the reference image goes as multipart and is validated field by field.
 */
import type { INodeParameters } from 'n8n-workflow';

import { makePng } from '../support/binary';
import type { OpenAiServer } from '../support/openai-server';
import { seedTextFile } from '../support/openai-server-vector-stores';
import type { MatrixCase } from './matrix';
import { sweep } from './matrix-binary';
import { retryCases } from './retry-cases';

const KEY = { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' };

async function post(server: OpenAiServer, path: string, body: unknown): Promise<void> {
	const response = await fetch(`${server.baseUrl()}${path}`, { method: 'POST', headers: KEY, body: JSON.stringify(body) });
	if (response.status !== 200) throw new Error(`seeding ${path} failed: ${await response.text()}`);
}

/**
 * vs_000001 holding two text files with attributes, and a file of each other status: an empty one (failed), one of
 * a batch still in progress, and one of a cancelled batch. New batches finish at the first poll.
 */
async function seedStore(server: OpenAiServer): Promise<void> {
	seedTextFile(server.files, 'file-000001', 'returns.md', 'Items can be returned within 30 days.\n\nShipping is free.');
	seedTextFile(server.files, 'file-000002', 'faq.txt', 'Gift cards cannot be returned.');
	seedTextFile(server.files, 'file-000003', 'empty.txt', '');
	seedTextFile(server.files, 'file-000004', 'later.txt', 'Processed later.');
	seedTextFile(server.files, 'file-000005', 'dropped.txt', 'Never processed.');
	await post(server, '/vector_stores', { name: 'kb' });
	await post(server, '/vector_stores/vs_000001/files', { file_id: 'file-000001', attributes: { lang: 'en', year: 2024 } });
	await post(server, '/vector_stores/vs_000001/files', { file_id: 'file-000002', attributes: { lang: 'de', year: 2020 } });
	await post(server, '/vector_stores/vs_000001/files', { file_id: 'file-000003' });
	await post(server, '/vector_stores/vs_000001/file_batches', { file_ids: ['file-000004'] });
	await post(server, '/vector_stores/vs_000001/file_batches', { file_ids: ['file-000005'] });
	await post(server, '/vector_stores/vs_000001/file_batches/vsfb_000003/cancel', {});
	server.vectorStores.batchPollsToComplete = 1;
	server.requests.length = 0;
}

/** video_000001, completed; new jobs finish at the first poll. */
async function seedVideo(server: OpenAiServer): Promise<void> {
	server.videos.pollsToComplete = 1;
	await post(server, '/videos', { prompt: 'seed' });
	await fetch(`${server.baseUrl()}/videos/video_000001`, { headers: KEY });
	server.requests.length = 0;
}

const store = (operation: string, options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'vectorStore',
	operation,
	...(['create', 'list'].includes(operation) ? {} : { vectorStoreId: 'vs_000001' }),
	...(['addFile', 'getFile', 'updateFile', 'removeFile', 'getFileContent'].includes(operation) ? { vectorStoreFileId: 'file-000001' } : {}),
	...(operation === 'addFiles' ? { vectorStoreFileIds: 'file-000001, file-000002' } : {}),
	...(operation === 'updateFile' ? { vectorStoreAttributes: '{"lang": "fr"}' } : {}),
	...(operation === 'search' ? { vectorStoreQuery: 'Can I return a gift card?' } : {}),
	...extra,
	vectorStoreOptions: options,
});

const video = (operation: string, options: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'video',
	operation,
	...(['create', 'remix'].includes(operation) ? { videoPrompt: 'A paper boat on a rainy street' } : {}),
	...(['create', 'list'].includes(operation) ? {} : { videoId: 'video_000001' }),
	...extra,
	videoOptions: options,
});

const seeded = { arrange: seedStore };
const withVideo = { arrange: seedVideo };
const STORE_OPERATIONS = ['addFile', 'addFiles', 'create', 'delete', 'get', 'getFile', 'getFileContent', 'list', 'listFiles', 'removeFile', 'search', 'update', 'updateFile'];
const VIDEO_OPERATIONS = ['create', 'delete', 'download', 'get', 'list', 'remix', 'waitForCompletion'];

const vectorStoreCases: MatrixCase[] = [
	{
		name: 'vector store create: every option, smallest chunks and expiry',
		parameters: store('create', { fileIds: 'file-000001,file-000002', description: 'FAQ', expiresAfterDays: 1, chunkSize: 100, chunkOverlap: 0, metadata: '{"team": "support"}' }, { vectorStoreName: 'Support' }),
		...seeded,
		check: (_run, requests) =>
			expect(requests[0].body).toMatchObject({
				file_ids: ['file-000001', 'file-000002'],
				expires_after: { anchor: 'last_active_at', days: 1 },
				chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } },
			}),
	},
	{ name: 'vector store create: largest chunks and expiry', parameters: store('create', { expiresAfterDays: 365, chunkSize: 4096, chunkOverlap: 2048 }), ...seeded },
	{ name: 'vector store update: name, expiry, metadata', parameters: store('update', { name: 'KB', expiresAfterDays: 30, metadata: '{"v": "2"}' }), ...seeded },
	{ name: 'vector store add file: attributes and chunks', parameters: store('addFile', { attributes: '{"lang": "en", "public": true}', chunkSize: 800, chunkOverlap: 400 }), ...seeded },
	{
		name: 'vector store add files: attributes, chunks, shortest wait',
		parameters: store('addFiles', { attributes: '{"batch": 1}', chunkSize: 1000, chunkOverlap: 100, maxWait: 1 }),
		...seeded,
		check: (run, requests) => {
			expect(requests.map((request) => request.method)).toEqual(['POST', 'GET']);
			expect(run.items[0].json).toMatchObject({ status: 'completed' });
		},
	},
	{ name: 'vector store add files: longest wait', parameters: store('addFiles', { maxWait: 86400 }), ...seeded },
	{ name: 'vector store add file: smallest chunks', parameters: store('addFile', { chunkSize: 100, chunkOverlap: 0 }), ...seeded },
	{ name: 'vector store add file: largest chunks', parameters: store('addFile', { chunkSize: 4096, chunkOverlap: 2048 }), ...seeded },
	{ name: 'vector store add files: smallest chunks', parameters: store('addFiles', { chunkSize: 100, chunkOverlap: 0 }), ...seeded },
	{ name: 'vector store add files: largest chunks', parameters: store('addFiles', { chunkSize: 4096, chunkOverlap: 2048 }), ...seeded },
	{ name: 'vector store update: shortest expiry', parameters: store('update', { expiresAfterDays: 1 }), ...seeded },
	{ name: 'vector store update: longest expiry', parameters: store('update', { expiresAfterDays: 365 }), ...seeded },
	...sweep('vector store list order', (order) => store('list', { order }, { vectorStoreReturnAll: true }), ['asc', 'desc'], seeded),
	{ name: 'vector store list: smallest limit', parameters: store('list', {}, { vectorStoreReturnAll: false, vectorStoreLimit: 1 }), ...seeded },
	{ name: 'vector store list: largest limit', parameters: store('list', {}, { vectorStoreLimit: 100 }), ...seeded },
	...sweep('vector store list files status', (status) => store('listFiles', { status, order: 'asc' }, { vectorStoreReturnAll: true }), ['cancelled', 'completed', 'failed', 'in_progress'], seeded),
	{ name: 'vector store list files: one page', parameters: store('listFiles', { order: 'desc' }, { vectorStoreReturnAll: false, vectorStoreLimit: 100 }), ...seeded },
	{ name: 'vector store list files: smallest limit', parameters: store('listFiles', {}, { vectorStoreLimit: 1 }), ...seeded },
	...sweep('vector store search ranker', (ranker) => store('search', { ranker }), ['auto', 'default-2024-11-15', 'none'], seeded),
	{
		name: 'vector store search: filters, fewest results, no threshold, rewrite, simplified',
		parameters: store('search', { filters: '{"type": "eq", "key": "lang", "value": "de"}', maxResults: 1, scoreThreshold: 0, rewriteQuery: true }, { vectorStoreSimplify: true }),
		...seeded,
		check: (run) => expect(run.items.map((item) => item.json.file_id)).toEqual(['file-000002']),
	},
	{
		name: 'vector store search: most results, top threshold, no rewrite, raw',
		parameters: store('search', { maxResults: 50, scoreThreshold: 1, rewriteQuery: false }, { vectorStoreSimplify: false }),
		...seeded,
		check: (run) => expect(run.items[0].json).toMatchObject({ object: 'vector_store.search_results.page' }),
	},
	{ name: 'vector store get file content: simplified', parameters: store('getFileContent', {}, { vectorStoreSimplify: true }), ...seeded },
	{ name: 'vector store get file content: raw', parameters: store('getFileContent', {}, { vectorStoreSimplify: false }), ...seeded },
	...STORE_OPERATIONS.flatMap((operation) => retryCases(`vector store ${operation}`, (options) => store(operation, options), seeded)),
];

const REFERENCE = [{ frame: { data: makePng(720, 1280, [20, 40, 60]), fileName: 'frame.png', mimeType: 'image/png' } }];

const videoCases: MatrixCase[] = [
	...sweep('video create size (Sora 2 Pro)', (size) => video('create', { size, seconds: '12' }, { videoModel: 'sora-2-pro' }), ['1024x1792', '1280x720', '1792x1024', '720x1280'], withVideo),
	...sweep('video create seconds', (seconds) => video('create', { seconds, completion: 'none' }, { videoModel: 'sora-2' }), ['4', '8', '12'], withVideo),
	{
		name: 'video create: input reference as multipart, wait, shortest wait',
		parameters: video('create', { inputReference: 'frame', completion: 'wait', maxWait: 1 }),
		binary: REFERENCE,
		...withVideo,
		check: (run, requests) => {
			expect(requests[0].form).toMatchObject({ input_reference: { fileName: 'frame.png', contentType: 'image/png' } });
			expect(run.items[0].json).toMatchObject({ status: 'completed' });
		},
	},
	...sweep('video create and download', (variant) => video('create', { completion: 'download', variant, binaryPropertyName: 'clip', maxWait: 86400 }), ['spritesheet', 'thumbnail', 'video'], withVideo),
	...sweep('video remix and download', (variant) => video('remix', { completion: 'download', variant, binaryPropertyName: 'clip', maxWait: 1 }), ['spritesheet', 'thumbnail', 'video'], withVideo),
	{ name: 'video remix: wait, longest wait', parameters: video('remix', { completion: 'wait', maxWait: 86400 }), ...withVideo },
	{ name: 'video remix: return at once', parameters: video('remix', { completion: 'none' }), ...withVideo },
	...sweep('video download', (variant) => video('download', { variant, binaryPropertyName: 'content' }), ['spritesheet', 'thumbnail', 'video'], withVideo),
	{ name: 'video wait: shortest wait', parameters: video('waitForCompletion', { maxWait: 1 }), ...withVideo },
	{ name: 'video wait: longest wait', parameters: video('waitForCompletion', { maxWait: 86400 }), ...withVideo },
	...sweep('video list order', (order) => video('list', { order }, { videoReturnAll: true }), ['asc', 'desc'], withVideo),
	{ name: 'video list: smallest limit', parameters: video('list', {}, { videoReturnAll: false, videoLimit: 1 }), ...withVideo },
	{ name: 'video list: largest limit', parameters: video('list', {}, { videoLimit: 100 }), ...withVideo },
	...VIDEO_OPERATIONS.flatMap((operation) => retryCases(`video ${operation}`, (options) => video(operation, options), withVideo)),
];

export const storeCases: MatrixCase[] = [...vectorStoreCases, ...videoCases];
