/**
 * Files streamed between n8n's binary store and the API, through n8n's engine: uploads send a body
 * of known length read from the store, open it again for a retry and follow no redirect; downloads are
 * stored as they arrive, fail clearly when cut off, and end at once when the execution is stopped.
 */
import type { INodeParameters } from 'n8n-workflow';

import { binaryMetadata, bytesOf, makePng, wavFile } from '../../support/binary';
import { type NodeRun, runNode, type RunOptions, type TestFile } from '../../support/engine';
import { parseMultipart, sha256 } from '../../support/multipart';
import { DEFAULT_API_KEY, openAiErrorBody, type OpenAiServer, startOpenAiServer } from '../../support/openai-server';

/** Bytes with every value, large enough to take many chunks of n8n's file streams (64 KiB). */
function pattern(bytes: number): Buffer {
	const data = Buffer.alloc(bytes);
	for (let index = 0; index < bytes; index++) data[index] = (index * 131 + (index >> 10)) & 0xff;
	return data;
}

const FILE = pattern(300_000);
const UPLOAD: INodeParameters = { resource: 'file', operation: 'upload', filePurpose: 'user_data' };
const DOWNLOAD: INodeParameters = { resource: 'file', operation: 'download', fileId: 'file-000001' };
const SPEECH: INodeParameters = { resource: 'audio', operation: 'generateSpeech', speechInput: 'Hello there' };

let server: OpenAiServer;
const credentials = () => ({ apiKey: DEFAULT_API_KEY, baseUrl: server.baseUrl() });
const run = (parameters: INodeParameters, options: Omit<RunOptions, 'credentials'> = {}) => runNode(parameters, { credentials: credentials(), ...options });
const asFile = (data: Buffer, extra: Partial<TestFile> = {}): TestFile => ({ data, fileName: 'blob.bin', mimeType: 'application/octet-stream', ...extra });

beforeAll(async () => {
	server = await startOpenAiServer();
});
beforeEach(() => server.reset());
afterAll(async () => {
	await server.close();
});

async function seed(data = FILE, filename = 'blob.bin'): Promise<void> {
	const uploaded = await run(UPLOAD, { binary: [{ data: asFile(data, { fileName: filename }) }] });
	expect(uploaded.error).toBeUndefined();
	server.requests.length = 0;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await pause(5);
	}
}

/** Runs, stops once `ready` holds, and says how long the engine took to end after the stop. */
async function stopWhen(parameters: INodeParameters, options: Omit<RunOptions, 'credentials'>, ready: () => boolean) {
	const stop = new AbortController();
	const running = runNode(parameters, { credentials: credentials(), ...options, stopSignal: stop.signal });
	await until(ready);
	const stoppedAt = Date.now();
	stop.abort();
	const result: NodeRun = await running;
	return { result, msAfterStop: Date.now() - stoppedAt };
}

describe('streamed uploads', () => {
	it('sends a stored file as a body of announced length with the bytes encodeMultipart writes', async () => {
		const { items, error } = await run(UPLOAD, { binary: [{ data: asFile(FILE) }] });

		expect(error).toBeUndefined();
		const [request] = server.requests;
		expect(request.headers['content-length']).toBe(String(request.rawBytes.length));
		expect(request.headers['transfer-encoding']).toBeUndefined();
		expect(parseMultipart(request.rawBytes, request.headers['content-type'] as string).map((part) => part.name)).toStrictEqual(['file', 'purpose']);
		expect(request.form?.file).toStrictEqual({ fileName: 'blob.bin', contentType: 'application/octet-stream', bytes: FILE.length, sha256: sha256(FILE) });
		expect(items[0].json).toMatchObject({ bytes: FILE.length, filename: 'blob.bin' });
	});

	it('opens the file again for a retry and sends the same bytes', async () => {
		server.failNext('/files', { status: 500, headers: { 'retry-after-ms': '0' } });
		server.failNext('/files', { reset: true });

		const { items, error } = await run(UPLOAD, { binary: [{ data: asFile(FILE) }] });

		expect(error).toBeUndefined();
		expect(server.requests).toHaveLength(3);
		expect(new Set(server.requests.map((request) => sha256(request.rawBytes))).size).toBe(1);
		expect(server.requests.map((request) => request.rawBytes.length)).toStrictEqual(Array(3).fill(Number(server.requests[0].headers['content-length'])));
		expect(server.requests[2].form?.file).toMatchObject({ bytes: FILE.length, sha256: sha256(FILE) });
		expect(items[0].json.id).toBe('file-000001');
	});

	it('follows no redirect with a file body: the redirect is reported, nothing is sent again', async () => {
		server.failNext('/files', { status: 307, headers: { Location: `${server.baseUrl()}/files` }, body: '' });

		const { error } = await run(UPLOAD, { binary: [{ data: asFile(FILE) }] });

		expect(error?.httpCode).toBe('307');
		expect(server.requests).toHaveLength(1);
	});

	it('sends binary data held in the item (a Code node\'s) from memory, the same bytes', async () => {
		const { items, error } = await run(UPLOAD, { binary: [{ data: asFile(FILE, { inMemory: true }) }] });

		expect(error).toBeUndefined();
		expect(server.requests[0].form?.file).toStrictEqual({ fileName: 'blob.bin', contentType: 'application/octet-stream', bytes: FILE.length, sha256: sha256(FILE) });
		expect(items[0].json.bytes).toBe(FILE.length);
	});

	it('streams audio for Transcribe, and stored and in-memory images together for an edit', async () => {
		const audio = Buffer.concat([wavFile(), pattern(200_000)]);
		const heard = await run({ resource: 'audio', operation: 'transcribe' }, { binary: [{ data: asFile(audio, { fileName: 'memo.wav', mimeType: 'audio/wav' }) }] });

		expect(heard.error).toBeUndefined();
		expect(server.requests[0].headers['content-length']).toBe(String(server.requests[0].rawBytes.length));
		expect(server.requests[0].form?.file).toMatchObject({ fileName: 'memo.wav', bytes: audio.length, sha256: sha256(audio) });

		const stored = makePng(300, 300, [1, 2, 3]);
		const held = makePng(16, 16, [4, 5, 6]);
		const edited = await run(
			{ resource: 'image', operation: 'edit', imagePrompt: 'Add a hat', imageModel: 'gpt-image-1', imageBinaryFields: 'data, second' },
			{ binary: [{ data: asFile(stored, { fileName: 'a.png', mimeType: 'image/png' }), second: asFile(held, { fileName: 'b.png', mimeType: 'image/png', inMemory: true }) }] },
		);

		expect(edited.error).toBeUndefined();
		expect(server.requests[1].headers['content-length']).toBe(String(server.requests[1].rawBytes.length));
		expect(server.requests[1].form?.image).toStrictEqual([
			{ fileName: 'a.png', contentType: 'image/png', bytes: stored.length, sha256: sha256(stored) },
			{ fileName: 'b.png', contentType: 'image/png', bytes: held.length, sha256: sha256(held) },
		]);
	});

	it('checks the size from the metadata and names the field and the item, sending nothing for it', async () => {
		const square = makePng(64, 64, [9, 9, 9]);
		const big = Buffer.concat([square, Buffer.alloc(4 * 1024 * 1024)]);
		const { items } = await run(
			{ resource: 'image', operation: 'createVariation' },
			{ input: [{}, {}], binary: [{ data: asFile(square, { fileName: 'ok.png' }) }, { data: asFile(big, { fileName: 'big.png' }) }], continueOnFail: true },
		);

		expect(items[0].json.error).toBeUndefined();
		expect(items[1].json.error).toBe('Invalid "Input Binary Field" in item 1: "big.png" is 4 MB; dall-e-2 accepts at most 4 MB');
		expect(server.requests).toHaveLength(1);
	});

	it('ends an upload in flight at once when the execution is stopped', async () => {
		const large = pattern(8 * 1024 * 1024);
		server.holdRequestBody(/\/files$/, 64 * 1024);

		const { result, msAfterStop } = await stopWhen(UPLOAD, { binary: [{ data: asFile(large) }] }, () => (server.requests[0]?.heldAfterBytes ?? 0) > 0);

		expect(result.run.status).toBe('canceled');
		expect(msAfterStop).toBeLessThan(1000);
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].heldAfterBytes).toBeLessThan(large.length);
	});
});

describe('streamed downloads', () => {
	it('stores a file as it arrives, bytes and names unchanged', async () => {
		await seed();

		const { items, error } = await run(DOWNLOAD);

		expect(error).toBeUndefined();
		expect(binaryMetadata(items[0])).toMatchObject({ fileName: 'blob.bin', mimeType: 'application/octet-stream' });
		expect(items[0].binary?.data).toMatchObject({ bytes: FILE.length });
		expect(sha256(await bytesOf(items[0].binary!.data))).toBe(sha256(FILE));
	});

	it('fails an item whose download is cut off, stores nothing, and keeps the other items in order', async () => {
		await seed();
		server.failNext(/\/content$/, { cutBodyAfterBytes: 100_000 });

		const { items } = await run(DOWNLOAD, { input: [{}, {}], continueOnFail: true });

		const cut = items.find((item) => item.json.error);
		expect(cut?.json.error).toMatch(/^The download of "blob.bin" was cut off after \d+ of 300000 bytes$/);
		expect(cut?.binary).toBeUndefined();
		expect(items.map((item) => item.pairedItem)).toStrictEqual([{ item: 0 }, { item: 1 }]);
		const whole = items.find((item) => !item.json.error);
		expect(sha256(await bytesOf(whole!.binary!.data))).toBe(sha256(FILE));
	});

	it('fails the workflow with the cut-off error and its description without Continue On Fail', async () => {
		await seed();
		server.failNext(/\/content$/, { cutBodyAfterBytes: 150_000 });

		const { error, items } = await run(DOWNLOAD);

		// The count is what the node had taken in when the connection closed.
		const received = Number(/cut off after (\d+) of 300000 bytes$/.exec(error?.message ?? '')?.[1]);
		expect(received).toBeLessThanOrEqual(150_000);
		expect(error?.description).toMatch(/nothing was stored/);
		expect(items).toHaveLength(0);
	});

	it('shows OpenAI\'s message for an error answer to a streamed request', async () => {
		await seed();
		server.failNext(/\/content$/, { status: 404, body: openAiErrorBody('No such File object: file-000001', 'invalid_request_error', 'id') });

		const { error } = await run(DOWNLOAD);

		expect(error?.message).toContain('No such File object: file-000001');
		expect(error?.httpCode).toBe('404');
	});

	it('stores generated speech as it arrives, and fails a cut-off one clearly', async () => {
		const spoken = await run(SPEECH);
		expect(spoken.error).toBeUndefined();
		const audio = await bytesOf(spoken.items[0].binary!.data);
		expect(spoken.items[0].json.bytes).toBe(audio.length);

		server.failNext('/audio/speech', { cutBodyAfterBytes: 5 });
		const cut = await run(SPEECH);
		expect(cut.error?.message).toMatch(new RegExp(`^The download of "hello-there.mp3" was cut off after [0-5] of ${audio.length} bytes$`));
	});

	it('ends a download in flight at once when the execution is stopped', async () => {
		await seed();
		server.failNext(/\/content$/, { stallBodyAfterBytes: 1000 });

		const { result, msAfterStop } = await stopWhen(DOWNLOAD, {}, () => server.requests.length === 2);

		expect(result.run.status).toBe('canceled');
		expect(msAfterStop).toBeLessThan(1000);
		await until(() => server.requests[1].abortedByClient === true);
		expect(server.requests).toHaveLength(2);
	});
});
