/** Audio → Generate Speech, Transcribe, Translate through n8n's engine: exact requests, binary in and out. */
import type { INodeParameters } from 'n8n-workflow';

import { binaryMetadata, bytesOf, PDF_FILE, wavFile } from '../../../../support/binary';
import { runNode, type TestFile } from '../../../../support/engine';
import { sha256 } from '../../../../support/multipart';
import { speechAudio } from '../../../../support/openai-server-binary';
import { DEFAULT_API_KEY, openAiErrorBody } from '../../../../support/openai-server';
import { expectJsonHeaders, useOpenAiServer } from '../../../../support/fixture';

const fixture = useOpenAiServer();
const WAV = wavFile('hello from a test');

const speech = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'audio',
	operation: 'generateSpeech',
	speechInput: 'Hello world',
	...extra,
});

const transcribe = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'audio',
	operation: 'transcribe',
	...extra,
});

const audioItem = (file: Partial<TestFile> = {}, field = 'data') => ({
	[field]: { data: WAV, fileName: 'memo.wav', mimeType: 'audio/wav', ...file },
});

const received = (data: Buffer, fileName: string, contentType: string) => ({
	fileName,
	contentType,
	bytes: data.length,
	sha256: sha256(data),
});

describe('audio: generate speech', () => {
	it('sends POST /audio/speech as JSON and returns the audio as binary data named after the text', async () => {
		const { items, error } = await runNode(speech(), { credentials: fixture.credentials() });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toStrictEqual(['POST', '/v1/audio/speech']);
		expectJsonHeaders(request);
		expect(request.body).toStrictEqual({ model: 'gpt-4o-mini-tts', input: 'Hello world', voice: 'alloy' });
		expect(items.map((item) => [item.json, item.pairedItem])).toStrictEqual([
			[{ model: 'gpt-4o-mini-tts', voice: 'alloy', response_format: 'mp3', bytes: speechAudio('Hello world', 'mp3').length }, { item: 0 }],
		]);
		expect(binaryMetadata(items[0])).toStrictEqual({
			mimeType: 'audio/mpeg',
			fileName: 'hello-world.mp3',
			fileExtension: 'mp3',
			fileType: 'audio',
		});
		expect(await bytesOf(items[0].binary!.data)).toStrictEqual(speechAudio('Hello world', 'mp3'));
	});

	it('sends voice, format, speed and instructions, and writes into the named field', async () => {
		const audioOptions = { speechFormat: 'wav', speed: 1.5, instructions: 'Whisper', binaryPropertyName: 'voice' };
		const { items, error } = await runNode(speech({ speechModel: 'gpt-4o-mini-tts', speechVoice: 'marin', audioOptions }), {
			credentials: fixture.credentials(),
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toStrictEqual({
			model: 'gpt-4o-mini-tts',
			input: 'Hello world',
			voice: 'marin',
			response_format: 'wav',
			speed: 1.5,
			instructions: 'Whisper',
		});
		expect(Object.keys(items[0].binary ?? {})).toStrictEqual(['voice']);
		expect(binaryMetadata(items[0], 'voice')).toMatchObject({ mimeType: 'audio/wav', fileName: 'hello-world.wav' });
		expect(await bytesOf(items[0].binary!.voice)).toStrictEqual(speechAudio('Hello world', 'wav'));
	});

	it('falls back to the asked format\'s MIME type when the server sends application/octet-stream', async () => {
		fixture.server().failNext('/audio/speech', { headers: { 'Content-Type': 'application/octet-stream' } });

		const { items } = await runNode(speech({ audioOptions: { speechFormat: 'flac' } }), { credentials: fixture.credentials() });

		expect(binaryMetadata(items[0])).toMatchObject({ mimeType: 'audio/flac', fileName: 'hello-world.flac' });
	});

	it('shows OpenAI\'s error for a speech request, though the answer was asked for as bytes', async () => {
		fixture.server().failNext('/audio/speech', { status: 400, body: openAiErrorBody("Invalid value: 'robot'. Supported voices are alloy.", 'invalid_request_error', 'voice', 'invalid_value') });

		const { error } = await runNode(speech(), { credentials: fixture.credentials() });

		expect(error?.message).toBe("Invalid value: 'robot'. Supported voices are alloy.");
		expect(error?.description).toContain('param: voice, HTTP status: 400');
	});

	it.each([
		['an empty text', speech({ speechInput: ' ' }), 'Invalid "Text" in item 0: must not be empty'],
		['a text over 4,096 characters', speech({ speechInput: 'a'.repeat(4097) }), 'Invalid "Text" in item 0: is 4097 characters long; the API accepts at most 4096'],
		[
			'instructions for tts-1',
			speech({ speechModel: 'tts-1', audioOptions: { instructions: 'Slowly' } }),
			'Invalid "Instructions" in item 0: work with gpt-4o-mini-tts and later models, not with tts-1',
		],
	])('rejects %s before sending', async (_case, parameters, message) => {
		const { error } = await runNode(parameters, { credentials: fixture.credentials() });

		expect(error?.message).toBe(message);
		expect(fixture.server().requests).toHaveLength(0);
	});
});

describe('audio: transcribe', () => {
	it('sends the file and model as multipart/form-data and returns the text', async () => {
		const { items, error } = await runNode(transcribe(), { credentials: fixture.credentials(), binary: [audioItem()] });

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect([request.method, request.fullPath]).toStrictEqual(['POST', '/v1/audio/transcriptions']);
		expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_API_KEY}`);
		expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=----n8nOpenAiRest[0-9a-f]{32}$/);
		expect(request.parts?.map((part) => part.name)).toStrictEqual(['file', 'model']);
		expect(request.form).toStrictEqual({ file: received(WAV, 'memo.wav', 'audio/wav'), model: 'whisper-1' });
		expect(items.map((item) => [item.json, item.pairedItem])).toStrictEqual([[{ text: `Audio memo.wav of ${WAV.length} bytes` }, { item: 0 }]]);
	});

	it('sends every option as the form fields OpenAI reads, arrays as name[]', async () => {
		const audioOptions = {
			language: 'de',
			prompt: 'Names: Zoë',
			transcriptionFormat: 'verbose_json',
			temperature: 0.2,
			timestampGranularities: ['word', 'segment'],
		};
		const { items, error } = await runNode(transcribe({ audioBinaryField: 'voice', audioOptions }), {
			credentials: fixture.credentials(),
			binary: [audioItem({ fileName: 'memo', mimeType: 'application/octet-stream' }, 'voice')],
		});

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.parts?.map((part) => part.name)).toStrictEqual([
			'file',
			'model',
			'language',
			'prompt',
			'response_format',
			'temperature',
			'timestamp_granularities[]',
			'timestamp_granularities[]',
		]);
		// No extension and no useful MIME type: the sniffed WAV type names both.
		expect(request.form).toStrictEqual({
			file: received(WAV, 'memo.wav', 'audio/wav'),
			model: 'whisper-1',
			language: 'de',
			prompt: 'Names: Zoë',
			response_format: 'verbose_json',
			temperature: '0.2',
			timestamp_granularities: ['word', 'segment'],
		});
		expect(Object.keys(items[0].json)).toStrictEqual(['text', 'language', 'duration', 'segments', 'words']);
		expect(items[0].json).toMatchObject({ language: 'de', duration: 2.5 });
	});

	it.each([
		['text', `Audio memo.wav of ${WAV.length} bytes\n`],
		['srt', `1\n00:00:00,000 --> 00:00:02,500\nAudio memo.wav of ${WAV.length} bytes\n\n`],
		['vtt', `WEBVTT\n\n00:00:00.000 --> 00:00:02.500\nAudio memo.wav of ${WAV.length} bytes\n\n`],
	])('returns the %s format as text', async (format, text) => {
		const { items } = await runNode(transcribe({ audioOptions: { transcriptionFormat: format } }), {
			credentials: fixture.credentials(),
			binary: [audioItem()],
		});

		expect(items.map((item) => item.json)).toStrictEqual([{ text }]);
	});

	it('sends include[], and chunking_strategy as an object, for gpt-4o-transcribe', async () => {
		const audioOptions = { includeLogprobs: true, chunkingStrategy: 'server_vad', transcriptionFormat: 'json' };
		const { items, error } = await runNode(transcribe({ transcriptionModel: 'gpt-4o-transcribe', audioOptions }), {
			credentials: fixture.credentials(),
			binary: [audioItem()],
		});

		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().parts?.map((part) => [part.name, part.fileName === undefined ? part.data.toString() : 'file'])).toStrictEqual([
			['file', 'file'],
			['model', 'gpt-4o-transcribe'],
			['chunking_strategy[type]', 'server_vad'],
			['include[]', 'logprobs'],
			['response_format', 'json'],
		]);
		expect(Object.keys(items[0].json)).toStrictEqual(['text', 'logprobs']);
	});

	it('returns diarized segments with speakers, and the full response with Simplify off', async () => {
		const parameters = transcribe({
			transcriptionModel: 'gpt-4o-transcribe-diarize',
			audioSimplify: false,
			audioOptions: { transcriptionFormat: 'diarized_json' },
		});
		const { items } = await runNode(parameters, { credentials: fixture.credentials(), binary: [audioItem()] });

		expect(items[0].json).toMatchObject({
			task: 'transcribe',
			segments: [{ speaker: 'A', text: `Audio memo.wav of ${WAV.length} bytes` }],
			usage: { type: 'duration', seconds: 3 },
		});
	});

	it('resends the same bytes when a server error is retried', async () => {
		fixture.server().failNext('/audio/transcriptions', { status: 500, headers: { 'retry-after-ms': '0' } });

		const { items, error } = await runNode(transcribe(), { credentials: fixture.credentials(), binary: [audioItem()] });

		expect(error).toBeUndefined();
		const [first, second] = fixture.server().requests;
		expect(fixture.server().requests).toHaveLength(2);
		expect(sha256(second.rawBytes)).toBe(sha256(first.rawBytes));
		expect(second.headers['content-type']).toBe(first.headers['content-type']);
		expect(items[0].json).toStrictEqual({ text: `Audio memo.wav of ${WAV.length} bytes` });
	});
});

describe('audio: translate', () => {
	it('sends the file to /audio/translations with whisper-1 and returns English text', async () => {
		const audioOptions = { prompt: 'A memo', translationFormat: 'text', temperature: 0 };
		const { items, error } = await runNode(
			{ resource: 'audio', operation: 'translate', audioOptions },
			{ credentials: fixture.credentials(), binary: [audioItem()] },
		);

		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.fullPath).toBe('/v1/audio/translations');
		expect(request.form).toStrictEqual({
			file: received(WAV, 'memo.wav', 'audio/wav'),
			model: 'whisper-1',
			prompt: 'A memo',
			response_format: 'text',
			temperature: '0',
		});
		expect(items.map((item) => item.json)).toStrictEqual([{ text: `Audio memo.wav of ${WAV.length} bytes\n` }]);
	});
});

describe('audio: round trip', () => {
	it('speaks a text and transcribes the same bytes back into it', async () => {
		const text = 'The quick brown fox jumps over the lazy dog';
		const spoken = await runNode(speech({ speechInput: text }), { credentials: fixture.credentials() });
		// n8n's default binary mode outside queue mode: the bytes live on disk, the item holds a reference.
		expect(spoken.items[0].binary!.data.id).toMatch(/^filesystem/);
		const audio = await bytesOf(spoken.items[0].binary!.data);
		const { fileName, mimeType } = spoken.items[0].binary!.data;

		const heard = await runNode(transcribe(), {
			credentials: fixture.credentials(),
			binary: [{ data: { data: audio, fileName, mimeType } }],
		});

		const upload = fixture.server().requests[1];
		expect(upload.form?.file).toStrictEqual(received(audio, 'the-quick-brown-fox-jumps-over-the-lazy-dog.mp3', 'audio/mpeg'));
		expect(heard.items.map((item) => item.json)).toStrictEqual([{ text }]);
	});
});

describe('audio: bad input', () => {
	it.each([
		['a missing binary field', { photo: { data: WAV, mimeType: 'audio/wav' } }, 'Invalid "Input Binary Field" in item 0: the item has no binary field "data" (it has: photo)'],
		['a PDF', audioItem({ data: PDF_FILE, fileName: 'report.pdf', mimeType: 'application/pdf' }), 'Invalid "Input Binary Field" in item 0: "report.pdf" is a PDF file; the audio endpoint accepts flac, mp3, mp4, m4a, ogg, wav, webm'],
		['a text file', audioItem({ data: Buffer.from('just words'), fileName: 'notes.txt', mimeType: 'text/plain' }), 'Invalid "Input Binary Field" in item 0: "notes.txt" is of type text/plain; the audio endpoint accepts flac, mp3, mp4, m4a, ogg, wav, webm'],
		['an empty file', audioItem({ data: Buffer.alloc(0), mimeType: 'audio/wav' }), 'Invalid "Input Binary Field" in item 0: "memo.wav" is empty'],
	])('rejects %s before sending', async (_case, binary, message) => {
		const { error } = await runNode(transcribe(), { credentials: fixture.credentials(), binary: [binary] });

		expect(error?.message).toBe(message);
		expect(error?.description).toBe(`Parameter "Input Binary Field" ${message.split(': ').slice(1).join(': ')}. Nothing was sent to the API.`);
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('rejects a file over 25 MB (26 MB) before sending', async () => {
		const big = Buffer.concat([WAV, Buffer.alloc(26 * 1024 * 1024)]);
		const { error } = await runNode(transcribe(), { credentials: fixture.credentials(), binary: [audioItem({ data: big })] });

		expect(error?.message).toBe('Invalid "Input Binary Field" in item 0: "memo.wav" is 26 MB; the audio endpoint accepts at most 25 MB');
		expect(fixture.server().requests).toHaveLength(0);
	});

	it('rejects timestamp granularities without Verbose JSON, naming the option', async () => {
		const audioOptions = { timestampGranularities: ['word'] };
		const { error } = await runNode(transcribe({ audioOptions }), { credentials: fixture.credentials(), binary: [audioItem()] });

		expect(error?.message).toBe('Invalid "Timestamp Granularities" in item 0: need Response Format verbose_json, got json');
	});

	it('keeps the other items going under Continue On Fail, in order', async () => {
		const { items, error } = await runNode(transcribe(), {
			credentials: fixture.credentials(),
			input: [{ n: 0 }, { n: 1 }, { n: 2 }],
			binary: [audioItem({ fileName: 'a.wav' }), undefined, audioItem({ fileName: 'c.wav' })],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toStrictEqual([
			{ text: `Audio a.wav of ${WAV.length} bytes` },
			{ error: 'Invalid "Input Binary Field" in item 1: the item has no binary field "data" (it has no binary data)' },
			{ text: `Audio c.wav of ${WAV.length} bytes` },
		]);
		expect(items.map((item) => item.pairedItem)).toStrictEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(fixture.server().requests).toHaveLength(2);
	});
});
