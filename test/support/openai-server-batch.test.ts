/** The test server's Batch API, called over HTTP the way any client would. */
import { DEFAULT_API_KEY, type OpenAiServer, startOpenAiServer } from './openai-server';
import { checkInputFile, DEFAULT_BATCH_LIMITS, matchBatchRoute } from './openai-server-batch';

const auth = { Authorization: `Bearer ${DEFAULT_API_KEY}` };

interface Batch {
	id: string;
	status: string;
	output_file_id: string | null;
	error_file_id: string | null;
	request_counts: { total: number; completed: number; failed: number };
	errors: { data: Array<{ code: string; line: number | null }> } | null;
	model: string | null;
	metadata: Record<string, string> | null;
}

const chatLine = (customId: string, text: string, model = 'gpt-4o-mini') =>
	JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: text }] } });

describe('test server: Batch API', () => {
	let server: OpenAiServer;
	const call = async (method: string, path: string, body?: unknown) => {
		const response = await fetch(`${server.baseUrl()}${path}`, {
			method,
			headers: { ...auth, 'Content-Type': 'application/json' },
			...(body === undefined ? {} : { body: JSON.stringify(body) }),
		});
		return { status: response.status, body: (await response.json()) as Batch & { error: { message: string; code: string } } };
	};
	const upload = async (lines: string[], purpose = 'batch') => {
		const form = new FormData();
		form.append('file', new Blob([lines.join('\n') + '\n']), 'input.jsonl');
		form.append('purpose', purpose);
		const response = await fetch(`${server.baseUrl()}/files`, { method: 'POST', body: form, headers: auth });
		return ((await response.json()) as { id: string }).id;
	};
	const create = async (fileId: string, extra: Record<string, unknown> = {}) =>
		(await call('POST', '/batches', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h', ...extra })).body;
	const poll = async (id: string) => (await call('GET', `/batches/${id}`)).body;
	const content = async (fileId: string) => {
		const response = await fetch(`${server.baseUrl()}/files/${fileId}/content`, { headers: auth });
		return (await response.text()).trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
	};

	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	it('routes the four batch endpoints by method', () => {
		expect(matchBatchRoute('POST', '/v1/batches')).toEqual({ operation: 'create', path: '/batches' });
		expect(matchBatchRoute('GET', '/v1/batches')).toEqual({ operation: 'list', path: '/batches' });
		expect(matchBatchRoute('GET', '/v1/batches/batch_1')).toEqual({ operation: 'get', path: '/batches/batch_1', batchId: 'batch_1' });
		expect(matchBatchRoute('POST', '/v1/batches/batch_1/cancel')).toEqual({ operation: 'cancel', path: '/batches/batch_1/cancel', batchId: 'batch_1' });
		expect(matchBatchRoute('DELETE', '/v1/batches/batch_1')).toBeUndefined();
	});

	it('moves a batch from validating to completed, one state per poll, and answers each line as the endpoint does', async () => {
		const fileId = await upload([chatLine('a', 'Hello there'), chatLine('b', 'Second line')]);
		const batch = await create(fileId, { metadata: { job: 'nightly' } });
		expect(batch).toMatchObject({ status: 'validating', endpoint: '/v1/chat/completions', input_file_id: fileId, metadata: { job: 'nightly' } });
		expect((await poll(batch.id)).status).toBe('in_progress');
		expect((await poll(batch.id)).status).toBe('finalizing');
		const done = await poll(batch.id);
		expect(done).toMatchObject({ status: 'completed', model: 'gpt-4o-mini', request_counts: { total: 2, completed: 2, failed: 0 }, error_file_id: null });
		const lines = await content(done.output_file_id!);
		// Reversed: OpenAI keeps no order, so clients restore it from custom_id.
		expect(lines.map((line) => line.custom_id)).toEqual(['b', 'a']);
		expect(lines[1]).toMatchObject({ error: null, response: { status_code: 200, body: { object: 'chat.completion', model: 'gpt-4o-mini' } } });
		expect(lines[1].response.request_id).toMatch(/^req_/);
		expect(lines[1].response.body.choices[0].message.content).toEqual(expect.stringContaining('Hello there'));
		const files = await fetch(`${server.baseUrl()}/files/${done.output_file_id}`, { headers: auth });
		expect(await files.json()).toMatchObject({ purpose: 'batch_output' });
	});

	it('writes lines the endpoint refuses to the error file', async () => {
		const fileId = await upload([chatLine('good', 'Hi'), chatLine('bad', 'Hi', 'no-such-model')]);
		const batch = await create(fileId);
		server.batches.plan.pollsPerState = 1;
		for (let i = 0; i < 3; i++) await poll(batch.id);
		const done = await poll(batch.id);
		expect(done.request_counts).toEqual({ total: 2, completed: 1, failed: 1 });
		const [bad] = await content(done.error_file_id!);
		expect(bad).toMatchObject({ custom_id: 'bad', response: { status_code: 404, body: { error: { code: 'model_not_found' } } } });
	});

	it('fails a batch whose input breaks the rules, naming the line', async () => {
		const duplicate = await create(await upload([chatLine('x', 'a'), chatLine('x', 'b')]));
		expect(await poll(duplicate.id)).toMatchObject({ status: 'failed', errors: { data: [{ code: 'duplicate_custom_id', line: 2 }] } });
		const wrongUrl = await create(await upload([JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/embeddings', body: {} })]));
		expect(await poll(wrongUrl.id)).toMatchObject({ status: 'failed', errors: { data: [{ code: 'mismatched_endpoint', line: 1 }] } });
		server.batches.limits.requests = 2;
		const tooMany = await create(await upload([chatLine('a', 'a'), chatLine('b', 'b'), chatLine('c', 'c')]));
		expect(await poll(tooMany.id)).toMatchObject({ status: 'failed', errors: { data: [{ code: 'too_many_requests' }] } });
	});

	it('checks the input file against the size and embedding-input limits', () => {
		const embedding = (id: string, count: number) =>
			JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: Array(count).fill('x') } });
		const data = Buffer.from(`${embedding('a', 3)}\n${embedding('b', 3)}\n`);
		expect(checkInputFile(data, '/v1/embeddings', { ...DEFAULT_BATCH_LIMITS, embeddingInputs: 5 })).toMatchObject({ errors: [{ code: 'too_many_embedding_inputs' }] });
		expect(checkInputFile(data, '/v1/embeddings', { ...DEFAULT_BATCH_LIMITS, bytes: data.length - 1 })).toMatchObject({ errors: [{ code: 'file_too_large' }] });
		expect(checkInputFile(data, '/v1/embeddings', DEFAULT_BATCH_LIMITS)).toMatchObject({ lines: [{ custom_id: 'a' }, { custom_id: 'b' }] });
	});

	it('refuses a file without purpose batch, an unknown endpoint and a bad expiry at create', async () => {
		const wrongPurpose = await call('POST', '/batches', { input_file_id: await upload([chatLine('a', 'a')], 'user_data'), endpoint: '/v1/chat/completions', completion_window: '24h' });
		expect(wrongPurpose).toMatchObject({ status: 400, body: { error: { code: 'invalid_file_purpose' } } });
		const fileId = await upload([chatLine('a', 'a')]);
		expect((await call('POST', '/batches', { input_file_id: fileId, endpoint: '/v1/edits', completion_window: '24h' })).status).toBe(400);
		expect((await call('POST', '/batches', { input_file_id: fileId, endpoint: '/v1/chat/completions', completion_window: '24h', output_expires_after: { anchor: 'created_at', seconds: 60 } })).status).toBe(400);
		expect((await call('POST', '/batches', { input_file_id: 'file-missing', endpoint: '/v1/chat/completions', completion_window: '24h' })).status).toBe(404);
	});

	it('expires a batch: the unanswered lines go to the error file as batch_expired', async () => {
		server.batches.plan = { ...server.batches.plan, outcome: 'expired', answeredLines: 1 };
		const batch = await create(await upload([chatLine('a', 'a'), chatLine('b', 'b'), chatLine('c', 'c')]));
		await poll(batch.id);
		const expired = await poll(batch.id);
		expect(expired).toMatchObject({ status: 'expired', request_counts: { total: 3, completed: 1, failed: 2 } });
		expect((await content(expired.output_file_id!)).map((line) => line.custom_id)).toEqual(['a']);
		const errors = await content(expired.error_file_id!);
		expect(errors.map((line) => [line.custom_id, line.error.code, line.response])).toEqual([
			['c', 'batch_expired', null],
			['b', 'batch_expired', null],
		]);
	});

	it('cancels a running batch: cancelling, then cancelled with only the answered lines', async () => {
		server.batches.plan = { ...server.batches.plan, hold: true, answeredLines: 1 };
		const batch = await create(await upload([chatLine('a', 'a'), chatLine('b', 'b')]));
		await poll(batch.id);
		expect((await poll(batch.id)).status).toBe('in_progress');
		expect((await call('POST', `/batches/${batch.id}/cancel`)).body.status).toBe('cancelling');
		const cancelled = await poll(batch.id);
		expect(cancelled).toMatchObject({ status: 'cancelled', request_counts: { total: 2, completed: 1, failed: 0 }, error_file_id: null });
		expect((await content(cancelled.output_file_id!)).map((line) => line.custom_id)).toEqual(['a']);
		expect(await call('POST', `/batches/${batch.id}/cancel`)).toMatchObject({ status: 409 });
		expect(await call('GET', '/batches/batch_nope')).toMatchObject({ status: 404 });
	});

	it('lists batches newest first, paged with after and has_more', async () => {
		server.batches.maxBatchesPerPage = 2;
		const fileId = await upload([chatLine('a', 'a')]);
		for (let i = 0; i < 3; i++) await create(fileId);
		const first = (await call('GET', '/batches?limit=20')).body as unknown as { data: Batch[]; has_more: boolean; last_id: string };
		expect(first.data.map((batch) => batch.id)).toEqual(['batch_000003', 'batch_000002']);
		expect(first.has_more).toBe(true);
		const second = (await call('GET', `/batches?after=${first.last_id}`)).body as unknown as { data: Batch[]; has_more: boolean };
		expect(second.data.map((batch) => batch.id)).toEqual(['batch_000001']);
		expect(second.has_more).toBe(false);
	});

	it('requires the API key', async () => {
		const response = await fetch(`${server.baseUrl()}/batches`);
		expect(response.status).toBe(401);
	});
});
