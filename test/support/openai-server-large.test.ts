/** The test server with bodies too large to hold, and file answers that are cut off or stall part-way. */
import { request } from 'node:http';
import { Readable } from 'node:stream';

import { DEFAULT_API_KEY, type OpenAiServer, startOpenAiServer } from './openai-server';
import { formObject, parseMultipart, sha256 } from './multipart';

const auth = { Authorization: `Bearer ${DEFAULT_API_KEY}` };
const BOUNDARY = '----test-boundary-1234';

/** Deterministic bytes that contain every byte value and pieces of the delimiter at chunk edges. */
function pattern(bytes: number): Buffer {
	const data = Buffer.alloc(bytes);
	for (let index = 0; index < bytes; index++) data[index] = (index * 131 + (index >> 9)) & 0xff;
	const nearMiss = Buffer.from(`\r\n--${BOUNDARY.slice(0, -1)}`);
	for (let at = 1000; at + nearMiss.length < bytes; at += 65_521) nearMiss.copy(data, at);
	return data;
}

function multipart(file: Buffer): Buffer {
	return Buffer.concat([
		Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`),
		Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n`),
		file,
		Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
	]);
}

/** Sends a body in odd-sized writes, so delimiters straddle chunks. */
function chunked(body: Buffer, size = 7_777): Readable {
	return Readable.from((function* () {
		for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
	})());
}

describe('test server: large and broken transfers', () => {
	let server: OpenAiServer;
	beforeAll(async () => {
		server = await startOpenAiServer({ spoolAboveBytes: 1024 * 1024 });
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	const upload = async (file: Buffer) => {
		const body = multipart(file);
		const response = await fetch(`${server.baseUrl()}/files`, {
			method: 'POST',
			headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(body.length) },
			body: chunked(body) as never,
			duplex: 'half',
		} as RequestInit);
		return (await response.json()) as { id: string; bytes: number };
	};

	it('parses a large upload as it arrives the way the strict parser reads it, and serves it back from disk', async () => {
		const file = pattern(3 * 1024 * 1024 + 17);
		const created = await upload(file);

		expect(created.bytes).toBe(file.length);
		expect(server.requests[0].rawBytes).toHaveLength(0);
		expect(server.requests[0].form).toEqual(formObject(parseMultipart(multipart(file), `multipart/form-data; boundary=${BOUNDARY}`)));
		const content = await fetch(`${server.baseUrl()}/files/${created.id}/content`, { headers: auth });
		expect(sha256(Buffer.from(await content.arrayBuffer()))).toBe(sha256(file));
	});

	it('cuts a file answer off after the given bytes, having announced the whole length', async () => {
		const created = await upload(pattern(2 * 1024 * 1024));
		server.failNext(/\/content$/, { cutBodyAfterBytes: 100_000 });
		const outcome = await new Promise<{ announced: string | undefined; received: number; error?: string }>((resolve) => {
			request(`${server.baseUrl()}/files/${created.id}/content`, { headers: auth }, (response) => {
				let received = 0;
				response.on('data', (chunk: Buffer) => (received += chunk.length));
				response.on('error', (error) => resolve({ announced: response.headers['content-length'], received, error: error.message }));
				response.on('end', () => resolve({ announced: response.headers['content-length'], received }));
			}).end();
		});
		expect(outcome).toEqual({ announced: String(2 * 1024 * 1024), received: 100_000, error: 'aborted' });
	});

	it('stalls a file answer part-way until the client leaves', async () => {
		const created = await upload(pattern(2 * 1024 * 1024));
		server.failNext(/\/content$/, { stallBodyAfterBytes: 1000 });
		const controller = new AbortController();
		const response = await fetch(`${server.baseUrl()}/files/${created.id}/content`, { headers: auth, signal: controller.signal });
		const reader = response.body!.getReader();
		const first = await reader.read();
		expect(first.value?.length).toBe(1000);
		controller.abort();
		await expect(reader.read()).rejects.toThrow();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(server.requests.at(-1)?.abortedByClient).toBe(true);
	});

	it('holds a request body part-way and records the request at once', async () => {
		server.holdRequestBody(/\/files$/, 64 * 1024);
		const body = multipart(pattern(4 * 1024 * 1024));
		const client = request(`${server.baseUrl()}/files`, {
			method: 'POST',
			headers: { ...auth, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Content-Length': String(body.length) },
		});
		const failed = new Promise((resolve) => client.on('error', resolve).on('response', resolve));
		chunked(body, 16 * 1024).pipe(client);
		const deadline = Date.now() + 5000;
		while (!(server.requests[0]?.heldAfterBytes ?? 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
		expect(server.requests[0].heldAfterBytes).toBeGreaterThanOrEqual(64 * 1024);
		expect(server.requests[0].heldAfterBytes).toBeLessThan(body.length);
		const read = server.requests[0].heldAfterBytes;
		client.destroy();
		await failed;
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(server.requests[0].heldAfterBytes).toBe(read);
		expect(server.requests[0].answered).toBeUndefined();
	});
});
