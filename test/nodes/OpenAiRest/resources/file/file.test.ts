/** File → Upload, List, Get, Delete, Download through n8n's engine, with the bytes checked end to end. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { binaryMetadata, bytesOf } from '../../../../support/binary';
import { runNode } from '../../../../support/engine';
import { sha256 } from '../../../../support/multipart';
import { DEFAULT_API_KEY, FIXED_CREATED, type OpenAiServer } from '../../../../support/openai-server';
import { useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const JSONL = Buffer.from('{"messages":[{"role":"user","content":"Hi"}]}\n{"messages":[{"role":"user","content":"Hallo"}]}\n');

const file = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'file', operation, ...extra });

const fileObject = (number: number, filename: string, bytes: number, purpose = 'fine-tune'): IDataObject => ({
	id: `file-${String(number).padStart(6, '0')}`,
	object: 'file',
	bytes,
	created_at: FIXED_CREATED + number,
	expires_at: null,
	filename,
	purpose,
	status: 'processed',
	status_details: null,
});

/** Uploads a file straight to the server with Node's own FormData, as another client would. */
async function seedFile(server: OpenAiServer, filename: string, data: Buffer, purpose = 'fine-tune'): Promise<void> {
	const form = new FormData();
	form.append('purpose', purpose);
	form.append('file', new Blob([data]), filename);
	const response = await fetch(`${server.baseUrl()}/files`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${DEFAULT_API_KEY}` } });
	expect(response.status).toBe(200);
}

async function seedFiles(server: OpenAiServer, count: number): Promise<void> {
	for (let number = 1; number <= count; number++) await seedFile(server, `part-${number}.jsonl`, JSONL, number % 2 ? 'fine-tune' : 'batch');
	server.requests.length = 0;
}

describe('file: upload', () => {
	it('sends the binary field and purpose as multipart/form-data and returns the file object', async () => {
		const { items, error } = await runNode(file('upload', { filePurpose: 'fine-tune' }), {
			credentials: fixture.credentials(),
			binary: [{ data: { data: JSONL, fileName: 'train.jsonl', mimeType: 'application/jsonl' } }],
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toStrictEqual(['POST', '/v1/files']);
		expect(request.parts?.map((part) => part.name)).toStrictEqual(['file', 'purpose']);
		expect(request.form).toStrictEqual({
			file: { fileName: 'train.jsonl', contentType: 'application/jsonl', bytes: JSONL.length, sha256: sha256(JSONL) },
			purpose: 'fine-tune',
		});
		expect(items.map((item) => [item.json, item.pairedItem])).toStrictEqual([[fileObject(1, 'train.jsonl', JSONL.length), { item: 0 }]]);
	});

	it('sends an expiry as expires_after[anchor] and expires_after[seconds]', async () => {
		const { items } = await runNode(file('upload', { fileBinaryField: 'doc', fileOptions: { expiresAfter: 3600 } }), {
			credentials: fixture.credentials(),
			binary: [{ doc: { data: JSONL, fileName: 'batch.jsonl', mimeType: 'application/jsonl' } }],
		});

		expect(fixture.onlyRequest().form).toMatchObject({ purpose: 'user_data', expires_after: { anchor: 'created_at', seconds: '3600' } });
		expect(items[0].json.expires_at).toBe(FIXED_CREATED + 1 + 3600);
	});

	it('rejects an item without the binary field before sending, and keeps the others under Continue On Fail', async () => {
		const upload = { data: JSONL, fileName: 'a.jsonl', mimeType: 'application/jsonl' };
		const { items } = await runNode(file('upload'), {
			credentials: fixture.credentials(),
			input: [{}, {}, {}],
			binary: [{ data: upload }, { other: upload }, { data: { ...upload, fileName: 'c.jsonl' } }],
			continueOnFail: true,
		});

		expect(items.map((item) => item.json.filename ?? item.json.error)).toStrictEqual([
			'a.jsonl',
			'Invalid "Input Binary Field" in item 1: the item has no binary field "data" (it has: other)',
			'c.jsonl',
		]);
		expect(fixture.server().requests).toHaveLength(2);
	});
});

describe('file: list', () => {
	it('sends Limit and the filters as query parameters and returns one item per file', async () => {
		await seedFiles(fixture.server(), 3);

		const { items, error } = await runNode(file('list', { fileLimit: 2, fileOptions: { purpose: 'fine-tune', order: 'asc' } }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().fullPath).toBe('/v1/files?limit=2&order=asc&purpose=fine-tune');
		expect(items.map((item) => [item.json.id, item.pairedItem])).toStrictEqual([
			['file-000001', { item: 0 }],
			['file-000003', { item: 0 }],
		]);
	});

	it('follows after and has_more across pages with Return All', async () => {
		await seedFiles(fixture.server(), 5);
		fixture.server().files.maxFilesPerPage = 2;

		const { items } = await runNode(file('list', { fileReturnAll: true }), { credentials: fixture.credentials() });

		expect(fixture.server().requests.map((request) => request.fullPath)).toStrictEqual([
			'/v1/files',
			'/v1/files?after=file-000004',
			'/v1/files?after=file-000002',
		]);
		expect(items.map((item) => item.json.id)).toStrictEqual(['file-000005', 'file-000004', 'file-000003', 'file-000002', 'file-000001']);
	});

	it('retries one page that fails and still returns every file once', async () => {
		await seedFiles(fixture.server(), 3);
		fixture.server().files.maxFilesPerPage = 2;
		fixture.server().failNext((request) => request.fullPath.includes('after='), { status: 503, headers: { 'retry-after-ms': '0' } });

		const { items } = await runNode(file('list', { fileReturnAll: true }), { credentials: fixture.credentials() });

		expect(items.map((item) => item.json.id)).toStrictEqual(['file-000003', 'file-000002', 'file-000001']);
		expect(fixture.server().requests).toHaveLength(3);
	});

	it('stops when a compatible server says has_more but repeats the cursor', async () => {
		await seedFiles(fixture.server(), 1);
		const stuck = { object: 'list', data: [{ id: 'file-000001' }], first_id: 'file-000001', last_id: 'file-000001', has_more: true };
		fixture.server().failAlways('/files', { status: 200, body: stuck });

		const { items } = await runNode(file('list', { fileReturnAll: true }), { credentials: fixture.credentials() });

		expect(items.map((item) => item.json.id)).toStrictEqual(['file-000001', 'file-000001']);
		expect(fixture.server().requests.map((request) => request.fullPath)).toStrictEqual(['/v1/files', '/v1/files?after=file-000001']);
	});
});

describe('file: get, delete, download', () => {
	it('gets a file object by ID', async () => {
		await seedFiles(fixture.server(), 1);

		const { items } = await runNode(file('get', { fileId: 'file-000001' }), { credentials: fixture.credentials() });

		expect(fixture.onlyRequest().fullPath).toBe('/v1/files/file-000001');
		expect(items.map((item) => item.json)).toStrictEqual([fileObject(1, 'part-1.jsonl', JSONL.length)]);
	});

	it('shows OpenAI\'s message for an unknown file', async () => {
		const { error } = await runNode(file('get', { fileId: 'file-nope' }), { credentials: fixture.credentials() });

		expect(error?.message).toBe('No such File object: file-nope');
		expect(error?.description).toContain('HTTP status: 404');
	});

	it('deletes a file', async () => {
		await seedFiles(fixture.server(), 1);

		const { items } = await runNode(file('delete', { fileId: 'file-000001' }), { credentials: fixture.credentials() });

		expect(fixture.onlyRequest().method).toBe('DELETE');
		expect(items.map((item) => item.json)).toStrictEqual([{ id: 'file-000001', object: 'file', deleted: true }]);
		expect(fixture.server().files.files.size).toBe(0);
	});

	it('downloads the content as binary data named after the file, MIME type from the name', async () => {
		await seedFiles(fixture.server(), 1);

		const { items, error } = await runNode(file('download', { fileId: 'file-000001' }), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => [request.method, request.fullPath, request.headers.authorization])).toStrictEqual([
			['GET', '/v1/files/file-000001', `Bearer ${DEFAULT_API_KEY}`],
			['GET', '/v1/files/file-000001/content', `Bearer ${DEFAULT_API_KEY}`],
		]);
		expect(items[0].json).toStrictEqual(fileObject(1, 'part-1.jsonl', JSONL.length));
		expect(binaryMetadata(items[0])).toStrictEqual({
			mimeType: 'application/jsonl',
			fileName: 'part-1.jsonl',
			fileExtension: 'jsonl',
			fileType: 'json',
		});
		expect(await bytesOf(items[0].binary!.data)).toStrictEqual(JSONL);
	});

	it('takes the MIME type from Content-Type when the server names one, into the named field', async () => {
		await seedFile(fixture.server(), 'table.csv', Buffer.from('a,b\n1,2\n'));
		fixture.server().failNext('/files/file-000001/content', { headers: { 'Content-Type': 'text/csv; charset=utf-8' } });

		const { items } = await runNode(file('download', { fileId: 'file-000001', fileOptions: { binaryPropertyName: 'sheet' } }), {
			credentials: fixture.credentials(),
		});

		expect(binaryMetadata(items[0], 'sheet')).toMatchObject({ mimeType: 'text/csv', fileName: 'table.csv' });
	});

	it('fetches the content under the credential\'s Base URL path too', async () => {
		await seedFiles(fixture.server(), 1);

		const { error } = await runNode(file('download', { fileId: 'file-000001' }), { credentials: fixture.credentials({ prefix: '/openai/v1/' }) });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => request.fullPath)).toStrictEqual(['/openai/v1/files/file-000001', '/openai/v1/files/file-000001/content']);
	});

	it('retries the content request like the routed one', async () => {
		await seedFiles(fixture.server(), 1);
		fixture.server().failNext('/files/file-000001/content', { status: 502, headers: { 'retry-after-ms': '0' } });

		const { items, error } = await runNode(file('download', { fileId: 'file-000001' }), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		expect(fixture.server().requests.map((request) => request.path)).toStrictEqual([
			'/files/file-000001',
			'/files/file-000001/content',
			'/files/file-000001/content',
		]);
		expect(await bytesOf(items[0].binary!.data)).toStrictEqual(JSONL);
	});
});

describe('file: round trip', () => {
	it('uploads, lists, downloads and deletes a file, keeping its bytes', async () => {
		const credentials = fixture.credentials();
		const original = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 7) % 256));
		const uploaded = await runNode(file('upload', { filePurpose: 'user_data' }), {
			credentials,
			binary: [{ data: { data: original, fileName: 'blob.bin', mimeType: 'application/octet-stream' } }],
		});
		const id = uploaded.items[0].json.id as string;

		const listed = await runNode(file('list', { fileReturnAll: true }), { credentials });
		const downloaded = await runNode(file('download', { fileId: id }), { credentials });
		const deleted = await runNode(file('delete', { fileId: id }), { credentials });
		const after = await runNode(file('list', { fileReturnAll: true }), { credentials });

		expect(listed.items.map((item) => item.json.id)).toStrictEqual([id]);
		expect(binaryMetadata(downloaded.items[0])).toMatchObject({ fileName: 'blob.bin', mimeType: 'application/octet-stream' });
		expect(sha256(await bytesOf(downloaded.items[0].binary!.data))).toBe(sha256(original));
		expect(deleted.items[0].json).toStrictEqual({ id, object: 'file', deleted: true });
		expect(after.items).toHaveLength(0);
	});
});
