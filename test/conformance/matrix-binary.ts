/**
 * Matrix cases of the operations that take or return files: Audio, Image → Edit and Create Variation,
 * and File. Multipart requests are validated field by field against the spec's multipart schema.
 */
import type { INodeParameters } from 'n8n-workflow';

import { makePng, wavFile } from '../support/binary';
import type { NodeRun } from '../support/engine';
import { FIXED_CREATED, type OpenAiServer } from '../support/openai-server';
import type { MatrixCase } from './matrix';
import { retryCases } from './retry-cases';

type Binary = MatrixCase['binary'];

const AUDIO: Binary = [{ data: { data: wavFile('matrix audio'), fileName: 'memo.wav', mimeType: 'audio/wav' } }];
const PHOTO = makePng(16, 16, [200, 100, 50]);
const IMAGE: Binary = [{ data: { data: PHOTO, fileName: 'photo.png', mimeType: 'image/png' } }];
const IMAGE_AND_MASK: Binary = [
	{
		photo: { data: PHOTO, fileName: 'photo.png', mimeType: 'image/png' },
		mask: { data: makePng(16, 16, [0, 0, 0]), fileName: 'mask.png', mimeType: 'image/png' },
	},
];
const UPLOAD: Binary = [{ data: { data: Buffer.from('{"a":1}\n'), fileName: 'rows.jsonl', mimeType: 'application/jsonl' } }];

const speech = (audioOptions: INodeParameters, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'audio',
	operation: 'generateSpeech',
	speechModel: 'gpt-4o-mini-tts',
	speechInput: 'Hello there',
	speechVoice: 'coral',
	audioOptions,
	...extra,
});

const transcribe = (audioOptions: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'audio',
	operation: 'transcribe',
	transcriptionModel: 'whisper-1',
	audioBinaryField: 'data',
	audioOptions,
	...extra,
});

const translate = (audioOptions: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'audio',
	operation: 'translate',
	translationModel: 'whisper-1',
	audioOptions,
	...extra,
});

const edit = (imageOptions: INodeParameters = {}, model = 'gpt-image-1'): INodeParameters => ({
	resource: 'image',
	operation: 'edit',
	imageModel: model,
	imageBinaryFields: 'data',
	imagePrompt: 'Add a hat',
	imageOptions,
});

const variation = (imageOptions: INodeParameters = {}): INodeParameters => ({
	resource: 'image',
	operation: 'createVariation',
	variationModel: 'dall-e-2',
	variationBinaryField: 'data',
	imageOptions,
});

const file = (operation: string, fileOptions: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'file',
	operation,
	...(['get', 'delete', 'download'].includes(operation) ? { fileId: 'file-000001' } : {}),
	...extra,
	fileOptions,
});

const PURPOSES = ['assistants', 'batch', 'evals', 'fine-tune', 'user_data', 'vision'];

/** Puts one file per purpose on the server, as uploads would; file-000001 is a batch file. */
function seedFile(server: OpenAiServer): void {
	const data = Buffer.from('{"a":1}\n');
	['batch', ...PURPOSES.filter((purpose) => purpose !== 'batch')].forEach((purpose, index) => {
		const id = `file-${String(index + 1).padStart(6, '0')}`;
		const object = {
			id,
			object: 'file',
			bytes: data.length,
			created_at: FIXED_CREATED + index,
			expires_at: null,
			filename: index ? `${purpose}.jsonl` : 'rows.jsonl',
			purpose,
			status: 'processed',
			status_details: null,
		};
		server.files.files.set(id, { object, data });
	});
	server.files.nextNumber = PURPOSES.length;
}

/** One case per value of an option. */
export function sweep(label: string, build: (value: string) => INodeParameters, values: string[], extra: Partial<MatrixCase> = {}): MatrixCase[] {
	return values.map((value) => ({ name: `${label} = ${value}`, parameters: build(value), ...extra }));
}

/**
 * The Content-Type OpenAI sends for each speech format (opus is Ogg Opus, sent as audio/opus). The node names
 * the file by its format and types it so, from the answer or, when a server says only
 * application/octet-stream, from the format.
 */
const SPEECH_FILE_TYPES: Record<string, string> = {
	aac: 'audio/aac',
	flac: 'audio/flac',
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	pcm: 'audio/pcm',
	wav: 'audio/wav',
};

function expectSpeechFile(run: NodeRun, format: string): void {
	expect(run.items[0].json).toMatchObject({ response_format: format });
	expect(run.items[0].binary?.data).toMatchObject({ mimeType: SPEECH_FILE_TYPES[format], fileName: `hello-there.${format}` });
}

const VOICES = ['alloy', 'ash', 'ballad', 'cedar', 'coral', 'echo', 'fable', 'marin', 'nova', 'onyx', 'sage', 'shimmer', 'verse'];

const audioCases: MatrixCase[] = [
	...sweep('speech voice', (voice) => speech({}, { speechVoice: voice }), VOICES),
	...Object.keys(SPEECH_FILE_TYPES).flatMap((format): MatrixCase[] => [
		{ name: `speech format = ${format}`, parameters: speech({ speechFormat: format }), check: (run) => expectSpeechFile(run, format) },
		{
			name: `speech format = ${format}, answered as application/octet-stream`,
			parameters: speech({ speechFormat: format }),
			arrange: (server) => server.failNext('/audio/speech', { headers: { 'Content-Type': 'application/octet-stream' } }),
			check: (run) => expectSpeechFile(run, format),
		},
	]),
	{
		name: 'speech: speed range ends, instructions and output field',
		parameters: speech({ speed: 0.25, instructions: 'Calm and slow', binaryPropertyName: 'voice' }),
		check: (run) => expect(Object.keys(run.items[0].binary ?? {})).toEqual(['voice']),
	},
	{ name: 'speech: fastest speed', parameters: speech({ speed: 4 }) },
	...retryCases('speech', (options) => speech(options)),
	...sweep('transcribe format', (format) => transcribe({ transcriptionFormat: format }), ['json', 'srt', 'text', 'verbose_json', 'vtt'], { binary: AUDIO }),
	{
		name: 'transcribe: diarized JSON with the diarization model, simplify off',
		parameters: transcribe({ transcriptionFormat: 'diarized_json', chunkingStrategy: 'auto' }, { transcriptionModel: 'gpt-4o-transcribe-diarize', audioSimplify: false }),
		binary: AUDIO,
		check: (run) => expect(run.items[0].json).toMatchObject({ segments: [{ speaker: 'A' }] }),
	},
	{
		name: 'transcribe: every whisper option, temperature 0, word and segment timestamps, simplify on',
		parameters: transcribe(
			{ transcriptionFormat: 'verbose_json', language: 'en', prompt: 'A memo', temperature: 0, timestampGranularities: ['word', 'segment'], includeLogprobs: false },
			{ audioSimplify: true, audioBinaryField: 'data' },
		),
		binary: AUDIO,
		check: (run) => expect(Object.keys(run.items[0].json)).toEqual(['text', 'language', 'duration', 'segments', 'words']),
	},
	{
		name: 'transcribe: gpt-4o-transcribe with logprobs, server VAD, temperature 1',
		parameters: transcribe(
			{ transcriptionFormat: 'json', includeLogprobs: true, chunkingStrategy: 'server_vad', temperature: 1 },
			{ transcriptionModel: 'gpt-4o-transcribe' },
		),
		binary: AUDIO,
		check: (_run, requests) => expect(requests[0].form).toMatchObject({ include: ['logprobs'], chunking_strategy: { type: 'server_vad' } }),
	},
	...retryCases('transcribe', (options) => transcribe(options), { binary: AUDIO }),
	...sweep('translate format', (format) => translate({ translationFormat: format }), ['json', 'srt', 'text', 'verbose_json', 'vtt'], { binary: AUDIO }),
	{
		name: 'translate: prompt, temperature range ends, simplify off',
		parameters: translate({ prompt: 'A memo', temperature: 1 }, { audioSimplify: false, audioBinaryField: 'data' }),
		binary: AUDIO,
	},
	{ name: 'translate: temperature 0, simplify on', parameters: translate({ temperature: 0 }, { audioSimplify: true }), binary: AUDIO },
	...retryCases('translate', (options) => translate(options), { binary: AUDIO }),
];

const imageEditCases: MatrixCase[] = [
	...sweep('edit background', (background) => edit({ background, outputFormat: 'png' }), ['auto', 'opaque', 'transparent'], { binary: IMAGE }),
	...sweep('edit output format', (outputFormat) => edit({ outputFormat }), ['jpeg', 'png', 'webp'], { binary: IMAGE }),
	...sweep('edit GPT quality', (quality) => edit({ quality }), ['auto', 'high', 'low', 'medium'], { binary: IMAGE }),
	...sweep('edit GPT size', (size) => edit({ size }), ['1024x1024', '1024x1536', '1536x1024', 'auto'], { binary: IMAGE }),
	...sweep('edit dall-e-2 size', (size) => edit({ size }, 'dall-e-2'), ['256x256', '512x512'], { binary: IMAGE }),
	...sweep('edit dall-e-3 size', (size) => edit({ size }), ['1024x1792', '1792x1024'], { binary: IMAGE, expectError: 'Size' }),
	{ name: 'edit: quality hd is refused before sending', parameters: edit({ quality: 'hd' }), binary: IMAGE, expectError: 'Quality' },
	...sweep('edit input fidelity', (inputFidelity) => edit({ inputFidelity }), ['high', 'low'], { binary: IMAGE }),
	{
		name: 'edit: mask, 10 images, compression ends, user, output field',
		parameters: { ...edit({ maskBinaryField: 'mask', n: 10, outputFormat: 'jpeg', outputCompression: 0, user: 'user-1', binaryPropertyName: 'edited' }), imageBinaryFields: 'photo' },
		binary: IMAGE_AND_MASK,
		check: (run, requests) => {
			expect(run.items).toHaveLength(10);
			expect(Object.keys(requests[0].form ?? {})).toContain('mask');
		},
	},
	{ name: 'edit: one image, compression 100', parameters: edit({ n: 1, outputCompression: 100, outputFormat: 'webp' }), binary: IMAGE },
	{
		name: 'edit: dall-e-2 standard quality, URLs downloaded',
		parameters: edit({ quality: 'standard', responseFormat: 'url', downloadImage: true }, 'dall-e-2'),
		binary: IMAGE,
		check: (run) => expect(run.items[0].binary?.data.mimeType).toBe('image/png'),
	},
	{ name: 'edit: dall-e-2 binary images, no download', parameters: edit({ responseFormat: 'b64_json', downloadImage: false }, 'dall-e-2'), binary: IMAGE },
	...retryCases('edit', (options) => edit(options), { binary: IMAGE }),
	...sweep('variation size', (size) => variation({ size }), ['256x256', '512x512', '1024x1024'], { binary: IMAGE }),
	...sweep('variation other sizes', (size) => variation({ size }), ['1024x1536', '1024x1792', '1536x1024', '1792x1024', 'auto'], {
		binary: IMAGE,
		expectError: 'Size',
	}),
	{
		name: 'variation: 10 images as URLs, downloaded, user, output field',
		parameters: variation({ n: 10, responseFormat: 'url', downloadImage: true, user: 'user-2', binaryPropertyName: 'varied' }),
		binary: IMAGE,
		check: (run) => expect(run.items.map((item) => Object.keys(item.binary ?? {}))).toEqual(Array(10).fill(['varied'])),
	},
	{ name: 'variation: one binary image, no download', parameters: variation({ n: 1, responseFormat: 'b64_json', downloadImage: false }), binary: IMAGE },
	...retryCases('variation', (options) => variation(options), { binary: IMAGE }),
];

const fileCases: MatrixCase[] = [
	...sweep('upload purpose', (purpose) => file('upload', {}, { filePurpose: purpose, fileBinaryField: 'data' }), PURPOSES, { binary: UPLOAD }),
	{ name: 'upload: shortest expiry', parameters: file('upload', { expiresAfter: 3600 }), binary: UPLOAD },
	{
		name: 'upload: longest expiry',
		parameters: file('upload', { expiresAfter: 2592000 }),
		binary: UPLOAD,
		check: (_run, requests) => expect(requests[0].form?.expires_after).toEqual({ anchor: 'created_at', seconds: '2592000' }),
	},
	...retryCases('upload', (options) => file('upload', options), { binary: UPLOAD }),
	...PURPOSES.map((purpose): MatrixCase => ({
		name: `list purpose = ${purpose}`,
		parameters: file('list', { purpose, order: 'asc' }, { fileReturnAll: true }),
		arrange: seedFile,
		// One file of each purpose is stored: only this purpose's comes back.
		check: (run) => expect(run.items.map((item) => [item.json.purpose, item.json.filename])).toEqual([[purpose, purpose === 'batch' ? 'rows.jsonl' : `${purpose}.jsonl`]]),
	})),
	{ name: 'list: newest first, smallest limit', parameters: file('list', { order: 'desc' }, { fileReturnAll: false, fileLimit: 1 }), arrange: seedFile },
	{ name: 'list: largest limit', parameters: file('list', {}, { fileLimit: 10000 }), arrange: seedFile },
	...retryCases('list', (options) => file('list', options), { arrange: seedFile }),
	...retryCases('get', (options) => file('get', options), { arrange: seedFile }),
	...retryCases('delete', (options) => file('delete', options), { arrange: seedFile }),
	...retryCases('download', (options) => file('download', options), { arrange: seedFile }),
	{
		name: 'download: into a named field',
		parameters: file('download', { binaryPropertyName: 'content' }),
		arrange: seedFile,
		check: (run) => expect(run.items[0].binary?.content.fileName).toBe('rows.jsonl'),
	},
];

export const binaryCases: MatrixCase[] = [...audioCases, ...imageEditCases, ...fileCases];
