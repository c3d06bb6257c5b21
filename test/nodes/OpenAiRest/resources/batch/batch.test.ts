/**
 * The Batch resource through n8n-core's WorkflowExecute and RoutingNode against the test server's Batch API:
 * each source and batchable operation, lines equal to the synchronous requests, the split at the limits,
 * results in order with errors, and Wait for Completion stopped mid-wait.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { BATCH_LIMITS } from '../../../../../nodes/OpenAiRest/resources/batch/lines';
import { batchOperationOf } from '../../../../../nodes/OpenAiRest/fields/factories';
import { makePng, PDF_FILE } from '../../../../support/binary';
import { runNode, type RunOptions } from '../../../../support/engine';
import type { CapturedRequest } from '../../../../support/openai-server';
import { useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const server = () => fixture.server();

interface Line {
	custom_id: string;
	method: string;
	url: string;
	body: IDataObject;
}

const run = (parameters: INodeParameters, input: IDataObject[] = [{}], options: Partial<RunOptions> = {}) =>
	runNode(parameters, { credentials: fixture.credentials(), input, ...options });

/** The lines of every batch input file the node uploaded, file by file. */
function uploadedFiles(): Line[][] {
	return server()
		.requests.filter((request) => request.method === 'POST' && request.path === '/files' && request.form?.purpose === 'batch')
		.map((request) => {
			const text = request.parts!.find((part) => part.name === 'file')!.data.toString('utf8');
			expect(text.endsWith('\n')).toBe(true);
			return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
		});
}

const apiRequests = () => server().requests.map((request: CapturedRequest) => `${request.method} ${request.path}`);

/** The batched operations, each with parameters whose values differ per item. */
const OPERATIONS: Array<{ resource: string; operation: string; url: string; parameters: INodeParameters; input: IDataObject[] }> = [
	{
		resource: 'chat',
		operation: 'create',
		url: '/v1/chat/completions',
		parameters: {
			chatModel: 'gpt-4o-mini',
			messages: { values: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '={{ $json.text }}' }] },
			chatOptions: { temperature: '={{ $json.temperature }}', maxCompletionTokens: 50, responseFormat: 'json_object' },
		},
		input: [{ text: 'First', temperature: 0.2 }, { text: 'Second', temperature: 1.5 }],
	},
	{
		resource: 'text',
		operation: 'create',
		url: '/v1/completions',
		parameters: { textModel: 'gpt-3.5-turbo-instruct', textPrompt: '={{ $json.text }}', textOptions: { maxTokens: 20, echo: true } },
		input: [{ text: 'Once upon' }, { text: 'A time' }],
	},
	{
		resource: 'embedding',
		operation: 'create',
		url: '/v1/embeddings',
		parameters: { embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.text }}', embeddingOptions: { dimensions: 8 } },
		input: [{ text: 'vector one' }, { text: 'vector two' }],
	},
	{
		resource: 'image',
		operation: 'generate',
		url: '/v1/images/generations',
		parameters: { imageModel: 'gpt-image-1', imagePrompt: '={{ $json.text }}' },
		input: [{ text: 'A red square' }, { text: 'A blue circle' }],
	},
	{
		resource: 'moderation',
		operation: 'classify',
		url: '/v1/moderations',
		parameters: { moderationModel: 'omni-moderation-latest', moderationInput: '={{ $json.text }}' },
		input: [{ text: 'hello' }, { text: 'I will hurt you' }],
	},
	{
		resource: 'response',
		operation: 'create',
		url: '/v1/responses',
		parameters: { responseModel: 'gpt-4o-mini', responsePrompt: '={{ $json.text }}', responseOptions: { instructions: 'Be brief.', maxOutputTokens: 64 } },
		input: [{ text: 'Hi there' }, { text: 'Bye now' }],
	},
];

const batchOf = (resource: string, parameters: INodeParameters, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'batch',
	operation: batchOperationOf(resource),
	...parameters,
	...extra,
});

afterEach(() => {
	BATCH_LIMITS.requests = 50_000;
	BATCH_LIMITS.bytes = 200 * 1024 * 1024;
	BATCH_LIMITS.embeddingInputs = 50_000;
});

describe('Batch → Create from input items', () => {
	it.each(OPERATIONS)('batches $resource: one line per item whose body equals the synchronous request', async ({ resource, operation, url, parameters, input }) => {
		const sync = await run({ resource, operation, ...parameters }, input);
		expect(sync.error).toBeUndefined();
		const syncBodies = server().requests.map((request) => request.body);
		expect(syncBodies).toHaveLength(input.length);
		server().reset();

		const batch = await run(batchOf(resource, parameters), input);
		expect(batch.error).toBeUndefined();
		expect(apiRequests()).toEqual(['POST /files', 'POST /batches']);
		const [lines] = uploadedFiles();
		expect(lines).toEqual(input.map((_, index) => ({ custom_id: `item-${index}`, method: 'POST', url, body: syncBodies[index] })));
		expect(server().requests[1].body).toEqual({ input_file_id: 'file-000001', endpoint: url, completion_window: '24h' });
		expect(batch.items).toHaveLength(1);
		expect(batch.items[0].json).toMatchObject({ id: 'batch_000001', status: 'validating', endpoint: url, input_file_id: 'file-000001', custom_ids: ['item-0', 'item-1'] });
		expect(batch.items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('writes files from the items\' binary fields into their lines, each equal to the synchronous request', async () => {
		const parameters = { responseModel: 'gpt-4o-mini', responsePrompt: 'Describe it', responseOptions: { binaryFields: 'photo' } };
		const binary = [{ photo: { data: makePng(2, 2, [1, 2, 3]), mimeType: 'image/png' } }, { photo: { data: PDF_FILE, fileName: 'a.pdf', mimeType: 'application/pdf' } }];
		const sync = await run({ resource: 'response', operation: 'create', ...parameters }, [{}, {}], { binary });
		expect(sync.error).toBeUndefined();
		// The synchronous requests may arrive in either order; each item's is told by its file's type.
		const syncBody = (type: string) => server().requests.find((request) => request.rawBody.includes(`data:${type};base64,`))?.body;
		const syncBodies = [syncBody('image/png'), syncBody('application/pdf')];
		server().reset();

		const batch = await run(batchOf('response', parameters), [{}, {}], { binary });
		expect(batch.error).toBeUndefined();
		const [lines] = uploadedFiles();
		expect(lines.map((line) => line.body)).toEqual(syncBodies);
		expect(JSON.stringify(lines[1])).toContain(`data:application/pdf;base64,${PDF_FILE.toString('base64')}`);
	});

	it('names lines by the Custom ID expression and sends the Batch Options', async () => {
		const parameters = batchOf('chat', {
			chatModel: 'gpt-4o-mini',
			messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] },
			batchCustomId: '={{ $json.id }}',
			batchOptions: { metadata: '{"job": "nightly"}', outputExpiresAfterHours: 48 },
		});
		const { items, error } = await run(parameters, [{ id: 'row-7', text: 'a' }, { id: 'row-9', text: 'b' }]);
		expect(error).toBeUndefined();
		expect(uploadedFiles()[0].map((line) => line.custom_id)).toEqual(['row-7', 'row-9']);
		expect(server().requests[1].body).toEqual({
			input_file_id: 'file-000001',
			endpoint: '/v1/chat/completions',
			completion_window: '24h',
			metadata: { job: 'nightly' },
			output_expires_after: { anchor: 'created_at', seconds: 48 * 3600 },
		});
		expect(items[0].json).toMatchObject({ custom_ids: ['row-7', 'row-9'], metadata: { job: 'nightly' } });
	});

	it('fails before anything is uploaded when an item is invalid, naming the parameter and the item', async () => {
		const parameters = batchOf('chat', { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: 'Hi' }] }, chatOptions: { temperature: '={{ $json.t }}' } });
		const { error } = await run(parameters, [{ t: 0.5 }, { t: 0.7 }, { t: 5 }]);
		expect(error?.message).toContain('Invalid "Sampling Temperature" in item 2');
		expect(server().requests).toEqual([]);
	});

	it('leaves an invalid item out under Continue On Fail: an error item for it, the others batched', async () => {
		const parameters = batchOf('chat', { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] }, chatOptions: { temperature: '={{ $json.t }}' } });
		const { items, error } = await run(parameters, [{ t: 0.5, text: 'a' }, { t: 5, text: 'b' }, { t: 1, text: 'c' }], { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(2);
		expect(items[0].json).toMatchObject({ custom_ids: ['item-0', 'item-2'] });
		expect(items[0].pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
		expect(items[1].error?.message).toContain('Invalid "Sampling Temperature" in item 1');
		expect(uploadedFiles()[0].map((line) => line.body.messages)).toEqual([[{ role: 'user', content: 'a' }], [{ role: 'user', content: 'c' }]]);
	});

	it('refuses a Custom ID used twice and Stream, before anything is uploaded', async () => {
		const chat = { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: 'Hi' }] } };
		const duplicate = await run(batchOf('chat', { ...chat, batchCustomId: '={{ $json.id }}' }), [{ id: 'a' }, { id: 'b' }, { id: 'a' }]);
		expect(duplicate.error?.message).toContain('Invalid "Custom ID" in item 2: "a" is already used by item 0');
		const streamed = await run(batchOf('chat', { ...chat, chatOptions: { stream: true } }), [{}]);
		expect(streamed.error?.message).toContain('Invalid "Stream" in item 0');
		expect(server().requests).toEqual([]);
	});

	it('retries the upload with the batched operation\'s Max Retries, and fails with OpenAI\'s message past it', async () => {
		const chat = (maxRetries: number) => batchOf('chat', { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: 'Hi' }] }, chatOptions: { maxRetries } });
		server().failNext('/files', { status: 500, headers: { 'retry-after-ms': '0' } }, 2);
		const recovered = await run(chat(2), [{}]);
		expect(recovered.error).toBeUndefined();
		expect(apiRequests()).toEqual(['POST /files', 'POST /files', 'POST /files', 'POST /batches']);
		server().reset();
		server().failNext('/files', { status: 500 });
		const failed = await run(chat(0), [{}]);
		expect(failed.error?.message).toContain('The server had an error while processing your request');
		expect(apiRequests()).toEqual(['POST /files']);
	});

	it('splits the items into several batches at the request limit, in order', async () => {
		BATCH_LIMITS.requests = 2;
		const parameters = batchOf('embedding', { embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.text }}' });
		const input = ['a', 'b', 'c', 'd', 'e'].map((text) => ({ text }));
		const { items, error } = await run(parameters, input);
		expect(error).toBeUndefined();
		expect(uploadedFiles().map((lines) => lines.map((line) => line.custom_id))).toEqual([['item-0', 'item-1'], ['item-2', 'item-3'], ['item-4']]);
		expect(items.map((item) => [item.json.id, item.json.custom_ids, item.pairedItem])).toEqual([
			['batch_000001', ['item-0', 'item-1'], [{ item: 0 }, { item: 1 }]],
			['batch_000002', ['item-2', 'item-3'], [{ item: 2 }, { item: 3 }]],
			['batch_000003', ['item-4'], [{ item: 4 }]],
		]);
	});

	it('splits at the byte limit and at the embedding-input limit', async () => {
		const parameters = batchOf('embedding', { embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.text }}' });
		BATCH_LIMITS.bytes = 700;
		const input = ['x'.repeat(150), 'y'.repeat(150), 'z'.repeat(150)].map((text) => ({ text }));
		await run(parameters, input);
		const files = uploadedFiles();
		expect(files.map((lines) => lines.length)).toEqual([2, 1]);
		for (const request of server().requests.filter((entry) => entry.path === '/files')) {
			expect(request.parts!.find((part) => part.name === 'file')!.data.length).toBeLessThanOrEqual(700);
		}
		server().reset();
		BATCH_LIMITS.bytes = 200 * 1024 * 1024;
		BATCH_LIMITS.embeddingInputs = 3;
		await run(batchOf('embedding', { embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.texts }}' }), [{ texts: ['a', 'b'] }, { texts: ['c', 'd'] }, { texts: ['e'] }]);
		expect(uploadedFiles().map((lines) => lines.map((line) => line.custom_id))).toEqual([['item-0'], ['item-1', 'item-2']]);
	});

	it('still gathers every item when n8n\'s Batching option spaces them out', async () => {
		const parameters = batchOf('moderation', { moderationModel: 'omni-moderation-latest', moderationInput: '={{ $json.text }}' }, {
			requestOptions: { batching: { batch: { batchSize: 2, batchInterval: 20 } } },
		});
		const { items, error } = await run(parameters, ['a', 'b', 'c', 'd', 'e'].map((text) => ({ text })));
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(uploadedFiles()[0].map((line) => line.body.input)).toEqual(['a', 'b', 'c', 'd', 'e']);
	});
});

describe('Batch → Create from a file ID', () => {
	it('creates a batch of an uploaded JSONL file for the chosen endpoint', async () => {
		const line = JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: 'hi' } });
		const form = new FormData();
		form.append('file', new Blob([`${line}\n`]), 'requests.jsonl');
		form.append('purpose', 'batch');
		await fetch(`${server().baseUrl()}/files`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${fixture.credentials().apiKey}` } });
		server().requests.length = 0;
		const { items, error } = await run({
			resource: 'batch',
			operation: 'createFromFile',
			batchInputFileId: 'file-000001',
			batchEndpoint: '/v1/embeddings',
			batchOptions: { metadata: '{"source": "file"}' },
		});
		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toEqual({ input_file_id: 'file-000001', endpoint: '/v1/embeddings', completion_window: '24h', metadata: { source: 'file' } });
		expect(items.map((item) => item.json)).toEqual([expect.objectContaining({ id: 'batch_000001', status: 'validating', endpoint: '/v1/embeddings' })]);
	});

	it('names bad Metadata before sending', async () => {
		const { error } = await run({ resource: 'batch', operation: 'createFromFile', batchInputFileId: 'file-1', batchOptions: { metadata: '["x"]' } });
		expect(error?.message).toContain('Invalid "Metadata" in item 0');
		expect(server().requests).toEqual([]);
	});
});

/** Creates a batch of chat items through the node and returns its ID. */
async function createChatBatch(texts: string[], extra: INodeParameters = {}): Promise<string> {
	const parameters = batchOf('chat', { chatModel: '={{ $json.model ?? "gpt-4o-mini" }}', messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] }, batchCustomId: '={{ $json.id }}', ...extra });
	const { items, error } = await run(parameters, texts.map((text, index) => ({ id: `q${index}`, text, ...(text === 'bad model' ? { model: 'no-such-model' } : {}) })));
	expect(error).toBeUndefined();
	return String(items[0].json.id);
}

const waitFor = (batchId: string, extra: INodeParameters = {}) =>
	run({ resource: 'batch', operation: 'waitForCompletion', batchId, batchOptions: { pollInterval: 0.01 }, ...extra });
const results = (batchId: string, extra: INodeParameters = {}, options: Partial<RunOptions> = {}) =>
	run({ resource: 'batch', operation: 'getResults', batchId, ...extra }, [{}], options);

describe('Batch → Get, List, Cancel', () => {
	it('gets a batch, lists every page with Return All, and cancels', async () => {
		server().batches.maxBatchesPerPage = 2;
		for (let i = 0; i < 3; i++) await createChatBatch(['a']);
		server().requests.length = 0;
		const got = await run({ resource: 'batch', operation: 'retrieve', batchId: 'batch_000002' });
		expect(got.items.map((item) => item.json.id)).toEqual(['batch_000002']);
		const all = await run({ resource: 'batch', operation: 'list', batchReturnAll: true });
		expect(all.items.map((item) => item.json.id)).toEqual(['batch_000003', 'batch_000002', 'batch_000001']);
		const limited = await run({ resource: 'batch', operation: 'list', batchLimit: 1 });
		expect(limited.items.map((item) => item.json.id)).toEqual(['batch_000003']);
		expect(server().requests.at(-1)!.fullPath).toMatch(/\/batches\?limit=1$/);
		const cancelled = await run({ resource: 'batch', operation: 'cancelBatch', batchId: 'batch_000001' });
		expect(cancelled.items[0].json).toMatchObject({ id: 'batch_000001', status: 'cancelling' });
		const unknown = await run({ resource: 'batch', operation: 'retrieve', batchId: 'batch_nope' });
		expect(unknown.error?.message).toContain("No batch found with id 'batch_nope'");
	});
});

describe('Batch → Wait for Completion', () => {
	it('polls at growing intervals until the batch completes', async () => {
		const batchId = await createChatBatch(['a', 'b']);
		server().requests.length = 0;
		const { items, error } = await waitFor(batchId);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([expect.objectContaining({ id: batchId, status: 'completed', request_counts: { total: 2, completed: 2, failed: 0 } })]);
		// validating → in_progress → finalizing → completed, one state per poll.
		expect(apiRequests()).toEqual(Array(3).fill(`GET /batches/${batchId}`));
	});

	it('returns the batch as it is after Max Wait', async () => {
		server().batches.plan.hold = true;
		const batchId = await createChatBatch(['a']);
		const started = Date.now();
		const { items, error } = await waitFor(batchId, { batchMaxWait: 0.005 });
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ id: batchId, status: 'in_progress' });
		expect(Date.now() - started).toBeLessThan(3000);
	});

	it('stops at once when the execution is stopped mid-wait, and polls no more', async () => {
		server().batches.plan.hold = true;
		const batchId = await createChatBatch(['a']);
		server().requests.length = 0;
		const stop = new AbortController();
		const running = runNode(
			{ resource: 'batch', operation: 'waitForCompletion', batchId, batchOptions: { pollInterval: 30 } },
			{ credentials: fixture.credentials(), stopSignal: stop.signal },
		);
		const deadline = Date.now() + 10_000;
		while (server().requests.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
		// Now in its 30-second wait before the second poll.
		await new Promise((resolve) => setTimeout(resolve, 50));
		const stoppedAt = Date.now();
		stop.abort();
		const result = await running;
		expect(Date.now() - stoppedAt).toBeLessThan(1000);
		expect(result.error?.message).toContain('The execution was canceled');
		expect(apiRequests()).toEqual([`GET /batches/${batchId}`]);
	}, 60_000);
});

describe('Batch → Get Results', () => {
	it('returns one item per request in submitted order, shaped like Chat → Create, with its custom_id', async () => {
		const texts = ['one', 'two', 'three'];
		const sync = await run({ resource: 'chat', operation: 'create', chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] } }, texts.map((text) => ({ text })));
		const batchId = await createChatBatch(texts);
		await waitFor(batchId);
		const { items, error } = await results(batchId);
		expect(error).toBeUndefined();
		// The server writes the output file in reverse; the node restores the submitted order.
		expect(items.map((item) => item.json)).toEqual(sync.items.map((item, index) => ({ custom_id: `q${index}`, ...item.json })));
		expect(items.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 }))).toBe(true);
		const raw = await results(batchId, { batchSimplify: false });
		expect(raw.items.map((item) => [item.json.custom_id, item.json.object])).toEqual([['q0', 'chat.completion'], ['q1', 'chat.completion'], ['q2', 'chat.completion']]);
	});

	it('refuses a batch that has not finished', async () => {
		const batchId = await createChatBatch(['a']);
		const { error } = await results(batchId);
		expect(error?.message).toContain(`Batch ${batchId} is in_progress: its results are not ready yet`);
	});

	it('fails the run on a failed line with OpenAI\'s message, or returns it as an error item in place under Continue On Fail', async () => {
		const batchId = await createChatBatch(['fine', 'bad model', 'also fine']);
		await waitFor(batchId);
		const failed = await results(batchId);
		expect(failed.error?.message).toContain('Request "q1" (line 2) failed: The model `no-such-model` does not exist');
		const { items, error } = await results(batchId, {}, { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.custom_id)).toEqual(['q0', 'q1', 'q2']);
		expect(items[1].json.error).toEqual({ message: expect.stringContaining('does not exist'), type: 'invalid_request_error', code: 'model_not_found', status: 404, line: 2 });
		expect(items[0].json.content).toBe('Echo: fine');
	});

	it('reports expired and cancelled requests the same way', async () => {
		server().batches.plan = { ...server().batches.plan, outcome: 'expired', answeredLines: 1 };
		const expired = await createChatBatch(['a', 'b']);
		await waitFor(expired);
		const late = await results(expired, {}, { continueOnFail: true });
		expect(late.items.map((item) => [item.json.custom_id, (item.json.error as IDataObject | undefined)?.code ?? 'ok'])).toEqual([['q0', 'ok'], ['q1', 'batch_expired']]);

		server().batches.plan = { ...server().batches.plan, outcome: 'completed', hold: true, answeredLines: 1 };
		const cancelled = await createChatBatch(['a', 'b']);
		await run({ resource: 'batch', operation: 'cancelBatch', batchId: cancelled });
		await waitFor(cancelled);
		const unrun = await results(cancelled, {}, { continueOnFail: true });
		expect(unrun.items.map((item) => [item.json.custom_id, (item.json.error as IDataObject | undefined)?.code ?? 'ok'])).toEqual([['q0', 'ok'], ['q1', 'batch_cancelled']]);
		const failing = await results(cancelled);
		expect(failing.error?.message).toContain('Request "q1" (line 2) failed: The request was not run: the batch ended as cancelled');
	});

	it('shapes image results like Image → Generate, the image as binary data named after the prompt', async () => {
		const parameters = { imageModel: 'gpt-image-1', imagePrompt: '={{ $json.text }}' };
		const input = [{ text: 'A red square' }, { text: 'A blue circle' }];
		const sync = await run({ resource: 'image', operation: 'generate', ...parameters }, input);
		const created = await run(batchOf('image', parameters), input);
		const batchId = String(created.items[0].json.id);
		await waitFor(batchId);
		const { items, error } = await results(batchId);
		expect(error).toBeUndefined();
		const shape = (item: (typeof items)[number]) => ({ json: { ...item.json, created: 0 }, binary: Object.fromEntries(Object.entries(item.binary ?? {}).map(([key, file]) => [key, { fileName: file.fileName, mimeType: file.mimeType }])) });
		expect(items.map(shape)).toEqual(sync.items.map((item, index) => shape({ ...item, json: { custom_id: `item-${index}`, ...item.json } })));
		expect(items[0].binary?.data.fileName).toContain('red-square');
	});

	it('shapes embeddings and moderations like their synchronous operations', async () => {
		const embedding = await run(batchOf('embedding', { embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.text }}', embeddingOptions: { dimensions: 4 } }), [{ text: 'a' }, { text: 'b' }]);
		const embeddingBatch = String(embedding.items[0].json.id);
		await waitFor(embeddingBatch);
		const vectors = await results(embeddingBatch);
		const syncVectors = await run({ resource: 'embedding', operation: 'create', embeddingModel: 'text-embedding-3-small', embeddingInput: '={{ $json.text }}', embeddingOptions: { dimensions: 4 } }, [{ text: 'a' }, { text: 'b' }]);
		expect(vectors.items.map((item) => item.json)).toEqual(syncVectors.items.map((item, index) => ({ custom_id: `item-${index}`, ...item.json })));
	});
});

describe('A batch of 1,000 chat items', () => {
	it('goes from input items to 1,000 results in order, every line equal to the synchronous request', async () => {
		const input = Array.from({ length: 1000 }, (_, index) => ({ id: `row-${index}`, text: `Question number ${index}`, temperature: (index % 20) / 10 }));
		const chat = { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: '={{ $json.text }}' }] }, chatOptions: { temperature: '={{ $json.temperature }}' } };
		const sync = await run({ resource: 'chat', operation: 'create', ...chat }, input);
		expect(sync.error).toBeUndefined();
		const syncBodies = new Map(server().requests.map((request) => [(request.body as { messages: Array<{ content: string }> }).messages[0].content, request.body]));
		server().reset();

		const created = await run(batchOf('chat', chat, { batchCustomId: '={{ $json.id }}' }), input);
		expect(created.error).toBeUndefined();
		const [lines] = uploadedFiles();
		expect(lines).toHaveLength(1000);
		expect(lines.map((line) => line.custom_id)).toEqual(input.map((item) => item.id));
		const differing = lines.filter((line, index) => JSON.stringify(line.body) !== JSON.stringify(syncBodies.get(input[index].text)));
		expect(differing).toEqual([]);

		const batchId = String(created.items[0].json.id);
		await waitFor(batchId);
		const { items, error } = await results(batchId);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1000);
		expect(items.map((item) => item.json.custom_id)).toEqual(input.map((item) => item.id));
		expect(items.map((item) => item.json.content)).toEqual(input.map((item) => `Echo: ${item.text}`));
	}, 120_000);
});
