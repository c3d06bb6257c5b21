/**
 * The test server's endpoints that take or return files: speech, transcriptions, translations,
 * image edits and variations, and the Files API. Multipart bodies are parsed strictly, so tests
 * see the exact fields, file names, content types and byte hashes that arrived.
 *
 * Audio is fake but deterministic: generated speech carries its input text after a marker, and a
 * transcription of such a file returns that text, so speech → Transcribe round trips are exact.
 */
import type { CapturedRequest, OpenAiModel } from './openai-server';
import { FIXED_CREATED, openAiErrorBody } from './openai-server';
import type { FormObject, ReceivedFile } from './multipart';
import { makePng } from './png';

export type BinaryEndpoint =
	| 'speech'
	| 'transcriptions'
	| 'translations'
	| 'imageEdits'
	| 'imageVariations'
	| 'fileUpload'
	| 'fileList'
	| 'fileGet'
	| 'fileDelete'
	| 'fileContent';

export interface BinaryRoute {
	endpoint: BinaryEndpoint;
	/** Path after the prefix, e.g. '/files/file-000001/content'. */
	path: string;
	fileId?: string;
}

export type BinaryOutcome =
	| { kind: 'json'; status: number; payload: unknown }
	| { kind: 'binary'; contentType: string; data: Buffer; path?: string };

export interface StoredFile {
	object: Record<string, unknown>;
	data: Buffer;
	/** A large upload's bytes live in this file instead of `data`. */
	path?: string;
}

/** Files uploaded to one server; cleared by reset(). */
export interface FileStore {
	files: Map<string, StoredFile>;
	/** Page size cap of GET /files, to exercise pagination with few files. */
	maxFilesPerPage: number;
	nextNumber: number;
}

export const DEFAULT_FILES_PER_PAGE = 10000;

export function createFileStore(): FileStore {
	return { files: new Map(), maxFilesPerPage: DEFAULT_FILES_PER_PAGE, nextNumber: 0 };
}

export function resetFileStore(store: FileStore): void {
	store.files.clear();
	store.maxFilesPerPage = DEFAULT_FILES_PER_PAGE;
	store.nextNumber = 0;
}

const ROUTES: ReadonlyArray<{ endpoint: BinaryEndpoint; method: string; suffix: RegExp }> = [
	{ endpoint: 'speech', method: 'POST', suffix: /\/audio\/speech$/ },
	{ endpoint: 'transcriptions', method: 'POST', suffix: /\/audio\/transcriptions$/ },
	{ endpoint: 'translations', method: 'POST', suffix: /\/audio\/translations$/ },
	{ endpoint: 'imageEdits', method: 'POST', suffix: /\/images\/edits$/ },
	{ endpoint: 'imageVariations', method: 'POST', suffix: /\/images\/variations$/ },
	{ endpoint: 'fileUpload', method: 'POST', suffix: /\/files$/ },
	{ endpoint: 'fileList', method: 'GET', suffix: /\/files$/ },
	{ endpoint: 'fileContent', method: 'GET', suffix: /\/files\/(file-[^/]+)\/content$/ },
	{ endpoint: 'fileGet', method: 'GET', suffix: /\/files\/(file-[^/]+)$/ },
	{ endpoint: 'fileDelete', method: 'DELETE', suffix: /\/files\/(file-[^/]+)$/ },
];

/** The binary endpoint a request goes to; undefined for every other route. */
export function matchBinaryRoute(method: string, pathname: string): BinaryRoute | undefined {
	for (const route of ROUTES) {
		const match = route.suffix.exec(pathname);
		if (!match || route.method !== method) continue;
		const fileId = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
		return { endpoint: route.endpoint, path: match[0], ...(fileId ? { fileId } : {}) };
	}
	return undefined;
}

function json(payload: unknown, status = 200): BinaryOutcome {
	return { kind: 'json', status, payload };
}

function apiError(status: number, message: string, param: string | null = null, code: string | null = null): BinaryOutcome {
	return json(openAiErrorBody(message, 'invalid_request_error', param, code), status);
}

function text(contentType: string, body: string): BinaryOutcome {
	return { kind: 'binary', contentType, data: Buffer.from(body, 'utf8') };
}

function isFile(value: unknown): value is ReceivedFile {
	return typeof value === 'object' && value !== null && 'sha256' in value;
}

// ---------------------------------------------------------------------------------------------
// Speech
// ---------------------------------------------------------------------------------------------

/** Marks generated speech; a transcription of a file holding it returns the text after it. */
export const SPEECH_MARKER = 'OPENAI-TEST-SPEECH:';

/** The Content-Type OpenAI answers each format with; opus is Ogg Opus, typed audio/opus. */
export const SPEECH_CONTENT_TYPES: Record<string, string> = {
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	aac: 'audio/aac',
	flac: 'audio/flac',
	wav: 'audio/wav',
	pcm: 'audio/pcm',
};

/** A file header per format, so sniffing sees the format the speech claims. */
function audioHeader(format: string, payloadLength: number): Buffer {
	switch (format) {
		case 'mp3':
			return Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1');
		case 'opus':
			return Buffer.from('OggS\x00\x02', 'latin1');
		case 'aac':
			return Buffer.from([0xff, 0xf1, 0x50, 0x80]);
		case 'flac':
			return Buffer.from('fLaC', 'latin1');
		case 'wav': {
			const header = Buffer.alloc(44);
			header.write('RIFF', 0, 'latin1');
			header.writeUInt32LE(36 + payloadLength, 4);
			header.write('WAVEfmt ', 8, 'latin1');
			header.writeUInt32LE(16, 16);
			header.writeUInt16LE(1, 20); // PCM
			header.writeUInt16LE(1, 22); // mono
			header.writeUInt32LE(24000, 24);
			header.writeUInt32LE(48000, 28);
			header.writeUInt16LE(2, 32);
			header.writeUInt16LE(16, 34);
			header.write('data', 36, 'latin1');
			header.writeUInt32LE(payloadLength, 40);
			return header;
		}
		default:
			return Buffer.alloc(0);
	}
}

/** The bytes the server speaks for an input and format. */
export function speechAudio(input: string, format: string): Buffer {
	const payload = Buffer.from(`${SPEECH_MARKER}${input}`, 'utf8');
	return Buffer.concat([audioHeader(format, payload.length), payload]);
}

function handleSpeech(body: unknown, models: OpenAiModel[]): BinaryOutcome {
	const request = (body ?? {}) as Record<string, unknown>;
	for (const key of ['model', 'input', 'voice']) {
		if (request[key] === undefined) return apiError(400, `Missing required parameter: '${key}'.`, key, 'missing_required_parameter');
	}
	const model = String(request.model);
	if (!models.some((candidate) => candidate.id === model)) return modelNotFound(model);
	const format = (request.response_format as string | undefined) ?? 'mp3';
	return { kind: 'binary', contentType: SPEECH_CONTENT_TYPES[format] ?? 'audio/mpeg', data: speechAudio(String(request.input), format) };
}

function modelNotFound(model: string): BinaryOutcome {
	return apiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, null, 'model_not_found');
}

// ---------------------------------------------------------------------------------------------
// Transcriptions and translations
// ---------------------------------------------------------------------------------------------

const DURATION = 2.5;

/** The text spoken in a file: what follows the speech marker, or a description of the upload. */
export function spokenText(file: ReceivedFile, data: Buffer): string {
	const at = data.indexOf(SPEECH_MARKER);
	if (at >= 0) return data.subarray(at + SPEECH_MARKER.length).toString('utf8');
	return `Audio ${file.fileName} of ${file.bytes} bytes`;
}

function words(transcript: string) {
	const list = transcript.split(/\s+/).filter(Boolean);
	const step = DURATION / Math.max(1, list.length);
	return list.map((word, index) => ({ word, start: Number((index * step).toFixed(2)), end: Number(((index + 1) * step).toFixed(2)) }));
}

function segment(transcript: string) {
	return {
		id: 0,
		seek: 0,
		start: 0,
		end: DURATION,
		text: ` ${transcript}`,
		tokens: [50364, 50489],
		temperature: 0,
		avg_logprob: -0.25,
		compression_ratio: 1.2,
		no_speech_prob: 0.01,
	};
}

function usageFor(model: string, transcript: string) {
	if (model === 'whisper-1') return { type: 'duration', seconds: Math.ceil(DURATION) };
	const outputTokens = words(transcript).length;
	return {
		type: 'tokens',
		input_tokens: 14,
		input_token_details: { text_tokens: 0, audio_tokens: 14 },
		output_tokens: outputTokens,
		total_tokens: 14 + outputTokens,
	};
}

function timestamp(seconds: number, separator: string): string {
	const milliseconds = Math.round(seconds * 1000);
	const pad = (value: number, length = 2) => String(value).padStart(length, '0');
	return `${pad(Math.floor(milliseconds / 3600000))}:${pad(Math.floor(milliseconds / 60000) % 60)}:${pad(Math.floor(milliseconds / 1000) % 60)}${separator}${pad(milliseconds % 1000, 3)}`;
}

/** The body of a transcription or translation in each response format. */
function transcriptionOutcome(task: 'transcribe' | 'translate', form: FormObject, transcript: string): BinaryOutcome {
	const model = String(form.model);
	const format = (form.response_format as string | undefined) ?? 'json';
	switch (format) {
		case 'text':
			return text('text/plain; charset=utf-8', `${transcript}\n`);
		case 'srt':
			return text('text/plain; charset=utf-8', `1\n${timestamp(0, ',')} --> ${timestamp(DURATION, ',')}\n${transcript}\n\n`);
		case 'vtt':
			return text('text/vtt; charset=utf-8', `WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(DURATION, '.')}\n${transcript}\n\n`);
		case 'verbose_json': {
			const granularities = (form.timestamp_granularities as string[] | undefined) ?? ['segment'];
			return json({
				task,
				language: task === 'translate' ? 'english' : ((form.language as string | undefined) ?? 'english'),
				duration: DURATION,
				text: transcript,
				...(granularities.includes('word') ? { words: words(transcript) } : {}),
				...(granularities.includes('segment') ? { segments: [segment(transcript)] } : {}),
				usage: usageFor(model, transcript),
			});
		}
		case 'diarized_json':
			return json({
				task: 'transcribe',
				duration: DURATION,
				text: `A: ${transcript}`,
				segments: [{ type: 'transcript.text.segment', id: 'seg_001', start: 0, end: DURATION, text: transcript, speaker: 'A' }],
				usage: { type: 'duration', seconds: Math.ceil(DURATION) },
			});
		default: {
			const logprobs = ((form.include as string[] | undefined) ?? []).includes('logprobs')
				? words(transcript).map(({ word }) => ({ token: word, logprob: -0.01, bytes: [...Buffer.from(word)] }))
				: undefined;
			return json({
				text: transcript,
				...(logprobs ? { logprobs } : {}),
				...(task === 'transcribe' ? { usage: usageFor(model, transcript) } : {}),
			});
		}
	}
}

function handleAudioUpload(task: 'transcribe' | 'translate', request: CapturedRequest, models: OpenAiModel[]): BinaryOutcome {
	const form = request.form ?? {};
	const file = form.file;
	if (!isFile(file)) return apiError(400, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
	if (typeof form.model !== 'string') return apiError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
	if (!models.some((candidate) => candidate.id === form.model)) return modelNotFound(form.model);
	const data = request.parts?.find((part) => part.name === 'file')?.data ?? Buffer.alloc(0);
	return transcriptionOutcome(task, form, spokenText(file, data));
}

// ---------------------------------------------------------------------------------------------
// Image edits and variations
// ---------------------------------------------------------------------------------------------

/** The colour of edited (green) and varied (blue) images. */
const EDIT_COLOUR: [number, number, number] = [0, 160, 0];
const VARIATION_COLOUR: [number, number, number] = [0, 0, 200];
const pngCache = new Map<string, Buffer>();

/** A solid PNG of the requested size (1024x1024 for auto), cached. */
export function resultPng(size: string | undefined, colour: [number, number, number]): Buffer {
	const [width, height] = /^(\d+)x(\d+)$/.exec(size ?? '')?.slice(1).map(Number) ?? [1024, 1024];
	const key = `${width}x${height}:${colour.join(',')}`;
	let png = pngCache.get(key);
	if (!png) pngCache.set(key, (png = makePng(width, height, colour)));
	return png;
}

function imagesOutcome(form: FormObject, colour: [number, number, number], serverUrl: string, nextId: () => string): BinaryOutcome {
	const n = Number(form.n ?? 1);
	if (!Number.isInteger(n) || n < 1 || n > 10) return apiError(400, `Invalid 'n': ${String(form.n)}`, 'n');
	const model = (form.model as string | undefined) ?? 'dall-e-2';
	const png = resultPng(form.size as string | undefined, colour);
	const asUrl = !model.startsWith('gpt-image') && (form.response_format ?? 'url') === 'url';
	const data = Array.from({ length: n }, () => (asUrl ? { url: `${serverUrl}/files/${nextId()}.png` } : { b64_json: png.toString('base64') }));
	return json({ created: FIXED_CREATED, data, ...(model.startsWith('gpt-image') ? { output_format: form.output_format ?? 'png' } : {}) });
}

function handleImageEdit(form: FormObject, serverUrl: string, nextId: () => string): BinaryOutcome {
	if (!isFile(form.image) && !(Array.isArray(form.image) && form.image.every(isFile))) {
		return apiError(400, "Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
	}
	if (typeof form.prompt !== 'string') return apiError(400, "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
	return imagesOutcome(form, EDIT_COLOUR, serverUrl, nextId);
}

function handleImageVariation(form: FormObject, serverUrl: string, nextId: () => string): BinaryOutcome {
	if (!isFile(form.image)) return apiError(400, "Missing required parameter: 'image'.", 'image', 'missing_required_parameter');
	return imagesOutcome(form, VARIATION_COLOUR, serverUrl, nextId);
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

function noSuchFile(id: string): BinaryOutcome {
	return apiError(404, `No such File object: ${id}`, 'id');
}

function handleFileUpload(request: CapturedRequest, store: FileStore): BinaryOutcome {
	const form = request.form ?? {};
	if (!isFile(form.file)) return apiError(400, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
	if (typeof form.purpose !== 'string' || !PURPOSES.includes(form.purpose)) {
		return apiError(400, `'${String(form.purpose)}' is not one of ${JSON.stringify(PURPOSES)} - 'purpose'`, 'purpose');
	}
	const number = ++store.nextNumber;
	const id = `file-${String(number).padStart(6, '0')}`;
	const created = FIXED_CREATED + number;
	const expiry = form.expires_after as Record<string, string> | undefined;
	const object = {
		id,
		object: 'file',
		bytes: form.file.bytes,
		created_at: created,
		expires_at: expiry ? created + Number(expiry.seconds) : null,
		filename: form.file.fileName,
		purpose: form.purpose,
		status: 'processed',
		status_details: null,
	};
	const part = request.parts?.find((candidate) => candidate.name === 'file');
	store.files.set(id, { object, data: part?.data ?? Buffer.alloc(0), ...(part?.path ? { path: part.path } : {}) });
	return json(object);
}

/** GET /files: newest first unless order=asc, filtered by purpose, paged with after/limit. */
function handleFileList(query: URLSearchParams, store: FileStore): BinaryOutcome {
	const purpose = query.get('purpose');
	const order = query.get('order') ?? 'desc';
	const limit = Math.min(Number(query.get('limit') ?? DEFAULT_FILES_PER_PAGE), store.maxFilesPerPage);
	if (!Number.isInteger(limit) || limit < 1) return apiError(400, `Invalid 'limit': ${String(query.get('limit'))}`, 'limit');
	let files = [...store.files.values()].map((file) => file.object).filter((file) => !purpose || file.purpose === purpose);
	if (order === 'desc') files.reverse();
	const after = query.get('after');
	if (after) files = files.slice(files.findIndex((file) => file.id === after) + 1);
	const data = files.slice(0, limit);
	return json({
		object: 'list',
		data,
		first_id: data[0]?.id ?? null,
		last_id: data.at(-1)?.id ?? null,
		has_more: files.length > limit,
	});
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------

export interface BinaryContext {
	models: OpenAiModel[];
	serverUrl: string;
	store: FileStore;
	nextId(prefix: string): string;
}

export function dispatchBinary(route: BinaryRoute, request: CapturedRequest, context: BinaryContext): BinaryOutcome {
	const multipart = ['transcriptions', 'translations', 'imageEdits', 'imageVariations', 'fileUpload'].includes(route.endpoint);
	if (multipart && request.formError !== undefined) return apiError(400, `Could not parse multipart form: ${request.formError}`);
	const form = request.form ?? {};
	const stored = route.fileId ? context.store.files.get(route.fileId) : undefined;
	const nextImageId = () => context.nextId('img');
	switch (route.endpoint) {
		case 'speech':
			return handleSpeech(request.body, context.models);
		case 'transcriptions':
			return handleAudioUpload('transcribe', request, context.models);
		case 'translations':
			return handleAudioUpload('translate', request, context.models);
		case 'imageEdits':
			return handleImageEdit(form, context.serverUrl, nextImageId);
		case 'imageVariations':
			return handleImageVariation(form, context.serverUrl, nextImageId);
		case 'fileUpload':
			return handleFileUpload(request, context.store);
		case 'fileList':
			return handleFileList(new URLSearchParams(request.fullPath.split('?')[1] ?? ''), context.store);
		case 'fileGet':
			return stored ? json(stored.object) : noSuchFile(route.fileId!);
		case 'fileDelete':
			if (!stored) return noSuchFile(route.fileId!);
			context.store.files.delete(route.fileId!);
			return json({ id: route.fileId, object: 'file', deleted: true });
		default:
			return stored
				? { kind: 'binary', contentType: 'application/octet-stream', data: stored.data, ...(stored.path ? { path: stored.path } : {}) }
				: noSuchFile(route.fileId!);
	}
}
