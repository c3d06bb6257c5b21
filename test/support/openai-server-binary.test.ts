/** The test server's file endpoints, called over HTTP the way any client would. */
import { DEFAULT_API_KEY, type OpenAiServer, startOpenAiServer } from './openai-server';
import { matchBinaryRoute, speechAudio, spokenText } from './openai-server-binary';
import { sha256 } from './multipart';

const auth = { Authorization: `Bearer ${DEFAULT_API_KEY}` };

describe('test server: binary endpoints', () => {
	let server: OpenAiServer;
	const post = (path: string, body: FormData | string, headers: Record<string, string> = {}) =>
		fetch(`${server.baseUrl()}${path}`, { method: 'POST', body, headers: { ...auth, ...headers } });
	const get = (path: string, method = 'GET') => fetch(`${server.baseUrl()}${path}`, { method, headers: auth });
	const errorOf = async (response: Response) => ((await response.json()) as { error: { message: string; code: string } }).error;
	const upload = (purpose: string, name = 'a.jsonl', data = '{"a":1}\n') => {
		const form = new FormData();
		form.append('file', new Blob([data]), name);
		form.append('purpose', purpose);
		return post('/files', form);
	};

	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	it('routes only the binary endpoints, by method', () => {
		expect(matchBinaryRoute('GET', '/v1/files/file-000001/content')).toEqual({ endpoint: 'fileContent', path: '/files/file-000001/content', fileId: 'file-000001' });
		expect(matchBinaryRoute('DELETE', '/v1/files/file-000001')).toMatchObject({ endpoint: 'fileDelete' });
		expect(matchBinaryRoute('POST', '/v1/files')).toMatchObject({ endpoint: 'fileUpload' });
		expect(matchBinaryRoute('GET', '/files/img-000001.png')).toBeUndefined();
		expect(matchBinaryRoute('GET', '/v1/audio/speech')).toBeUndefined();
	});

	it('records the parts of a multipart body another encoder (Node\'s FormData) wrote', async () => {
		const form = new FormData();
		form.append('model', 'whisper-1');
		form.append('file', new Blob([speechAudio('hi there', 'wav')], { type: 'audio/wav' }), 'clip.wav');
		const response = await post('/audio/transcriptions', form);

		expect(await response.json()).toEqual({ text: 'hi there', usage: { type: 'duration', seconds: 3 } });
		expect(server.requests[0].form).toEqual({
			model: 'whisper-1',
			file: { fileName: 'clip.wav', contentType: 'audio/wav', bytes: speechAudio('hi there', 'wav').length, sha256: sha256(speechAudio('hi there', 'wav')) },
		});
	});

	it('answers a malformed multipart body with 400 and keeps the parse error', async () => {
		const response = await post('/audio/transcriptions', '--x\r\nno headers here', { 'Content-Type': 'multipart/form-data; boundary=x' });

		expect(response.status).toBe(400);
		expect((await errorOf(response)).message).toMatch(/^Could not parse multipart form: multipart: /);
		expect(server.requests[0].formError).toBeDefined();
	});

	it.each([
		['/audio/transcriptions', { model: 'whisper-1' }, "Missing required parameter: 'file'."],
		['/images/edits', { prompt: 'x' }, "Missing required parameter: 'image'."],
		['/images/variations', { n: '1' }, "Missing required parameter: 'image'."],
		['/files', { purpose: 'batch' }, "Missing required parameter: 'file'."],
	])('%s without its file is a 400', async (path, fields, message) => {
		const form = new FormData();
		for (const [name, value] of Object.entries(fields)) form.append(name, value);
		const response = await post(path, form);

		expect(response.status).toBe(400);
		expect((await errorOf(response)).message).toBe(message);
	});

	it('refuses an unknown purpose and an unknown speech model like OpenAI', async () => {
		expect((await upload('training')).status).toBe(400);
		const speech = await post('/audio/speech', JSON.stringify({ model: 'tts-9', input: 'x', voice: 'alloy' }), { 'Content-Type': 'application/json' });
		expect(speech.status).toBe(404);
		expect((await errorOf(speech)).code).toBe('model_not_found');
	});

	it('pages the file list with after and has_more, newest first, and filters by purpose', async () => {
		for (const purpose of ['batch', 'fine-tune', 'batch']) await upload(purpose);
		server.files.maxFilesPerPage = 2;

		const first = await (await get('/files')).json();
		expect(first).toMatchObject({ object: 'list', first_id: 'file-000003', last_id: 'file-000002', has_more: true });
		const second = await (await get('/files?after=file-000002')).json();
		expect(second).toMatchObject({ data: [{ id: 'file-000001' }], has_more: false });
		const batch = (await (await get('/files?purpose=batch&order=asc')).json()) as { data: Array<{ id: string }> };
		expect(batch.data.map((file) => file.id)).toEqual(['file-000001', 'file-000003']);
	});

	it('serves, and after deletion refuses, a file\'s object and content', async () => {
		await upload('batch', 'rows.jsonl', 'line\n');

		expect(await (await get('/files/file-000001')).json()).toMatchObject({ id: 'file-000001', filename: 'rows.jsonl', bytes: 5 });
		const content = await get('/files/file-000001/content');
		expect(content.headers.get('content-type')).toBe('application/octet-stream');
		expect(await content.text()).toBe('line\n');
		expect(await (await get('/files/file-000001', 'DELETE')).json()).toEqual({ id: 'file-000001', object: 'file', deleted: true });
		expect((await get('/files/file-000001/content')).status).toBe(404);
	});

	it('requires the API key on the file endpoints', async () => {
		const response = await fetch(`${server.baseUrl()}/files/file-000001`);
		expect(response.status).toBe(401);
	});

	it('hears the text in generated speech, and describes any other audio', () => {
		const audio = speechAudio('Grüße', 'mp3');
		expect(spokenText({ fileName: 'a.mp3', contentType: 'audio/mpeg', bytes: audio.length, sha256: '' }, audio)).toBe('Grüße');
		expect(spokenText({ fileName: 'b.wav', contentType: 'audio/wav', bytes: 3, sha256: '' }, Buffer.from('abc'))).toBe('Audio b.wav of 3 bytes');
	});
});
