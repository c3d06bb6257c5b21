/**
 * The test server's Videos API (`/videos…`): create (JSON or multipart with an input reference),
 * get, list, delete, remix and content. Objects follow OpenAI's examples (createVideo-0-Default,
 * CreateVideoRemix-0-Default) with every field the spec requires.
 *
 * Generation is driven by polling: each GET of a video counts, and after `pollsToComplete` of them
 * it is completed, or failed when its prompt contains FAIL_MARKER. Content is fake but typed: an MP4
 * (ftyp box), a WebP thumbnail and a JPEG spritesheet, each ending in the video's ID.
 */
import type { CapturedRequest } from './openai-server';
import { FIXED_CREATED } from './openai-server';
import type { ReceivedFile } from './multipart';
import { apiError, isRecord, json, listPage, missing, queryOf, type StoreOutcome } from './openai-server-vector-stores';

type JsonObject = Record<string, unknown>;

export interface VideoRecord {
	object: JsonObject;
	polls: number;
	/** The input reference that came with Create, as received. */
	reference?: ReceivedFile;
}

export interface VideoState {
	videos: Map<string, VideoRecord>;
	/** GETs of a video before its generation ends. */
	pollsToComplete: number;
	/** Page size cap of GET /videos. */
	maxPerPage: number;
	/** Size of the MP4 content in bytes (the images are small). */
	contentBytes: number;
	nextNumber: number;
}

export const DEFAULT_VIDEO_POLLS = 2;
export const DEFAULT_VIDEO_BYTES = 4096;
/** A prompt containing this fails generation with `moderation_blocked`. */
export const FAIL_MARKER = '[fail]';
export const VIDEO_MODELS = ['sora-2', 'sora-2-pro', 'sora-2-2025-10-06', 'sora-2-pro-2025-10-06', 'sora-2-2025-12-08'];
export const VIDEO_SIZES = ['720x1280', '1280x720', '1024x1792', '1792x1024'];
/** The sizes sora-2 renders; sora-2-pro also renders the larger two. */
export const SORA_2_SIZES = ['720x1280', '1280x720'];
export const VIDEO_SECONDS = ['4', '8', '12'];
const REFERENCE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
/** What each content variant is sent as. */
export const VARIANT_CONTENT_TYPES: Record<string, string> = { video: 'video/mp4', thumbnail: 'image/webp', spritesheet: 'image/jpeg' };

export function createVideoState(): VideoState {
	return { videos: new Map(), pollsToComplete: DEFAULT_VIDEO_POLLS, maxPerPage: 100, contentBytes: DEFAULT_VIDEO_BYTES, nextNumber: 0 };
}

export function resetVideoState(state: VideoState): void {
	state.videos.clear();
	state.pollsToComplete = DEFAULT_VIDEO_POLLS;
	state.maxPerPage = 100;
	state.contentBytes = DEFAULT_VIDEO_BYTES;
	state.nextNumber = 0;
}

function noVideo(id: string): StoreOutcome {
	return apiError(404, `Video with id '${id}' not found.`, null, 'not_found');
}

function invalidValue(param: string, value: unknown, allowed: string[]): StoreOutcome {
	return apiError(400, `Invalid value: '${String(value)}'. Supported values are: ${allowed.map((entry) => `'${entry}'`).join(', ')}.`, param, 'invalid_value');
}

function pngSize(data: Buffer): string | undefined {
	if (data.length < 24 || data.toString('latin1', 1, 4) !== 'PNG' || data.toString('latin1', 12, 16) !== 'IHDR') return undefined;
	return `${data.readUInt32BE(16)}x${data.readUInt32BE(20)}`;
}

interface CreateFields {
	prompt?: unknown;
	model?: unknown;
	size?: unknown;
	seconds?: unknown;
	input_reference?: unknown;
}

/** The reference of a multipart Create: its content type, and a PNG's size must match the video's. */
function referenceError(reference: unknown, data: Buffer | undefined, size: string): StoreOutcome | undefined {
	if (reference === undefined) return undefined;
	if (!isRecord(reference)) return apiError(400, "Invalid 'input_reference': expected a file or an object.", 'input_reference', 'invalid_type');
	if (!('sha256' in reference)) {
		const urls = ['image_url', 'file_id'].filter((key) => typeof reference[key] === 'string');
		return urls.length === 1 ? undefined : apiError(400, "Invalid 'input_reference': provide exactly one of 'image_url' or 'file_id'.", 'input_reference', 'invalid_value');
	}
	const contentType = String(reference.contentType ?? '');
	if (!REFERENCE_TYPES.includes(contentType)) {
		return apiError(400, `Invalid file type '${contentType}' for 'input_reference'. Supported types are: ${REFERENCE_TYPES.join(', ')}.`, 'input_reference', 'unsupported_file_type');
	}
	const actual = data ? pngSize(data) : undefined;
	if (actual && actual !== size) return apiError(400, `Inpaint image must match the requested width and height (got ${actual}, expected ${size}).`, 'input_reference', 'invalid_value');
	return undefined;
}

function newVideo(state: VideoState, fields: { model: string; size: string; seconds: string; prompt: string; remixedFrom?: string }): JsonObject {
	const id = `video_${String(++state.nextNumber).padStart(6, '0')}`;
	return {
		id,
		object: 'video',
		model: fields.model,
		status: 'queued',
		progress: 0,
		created_at: FIXED_CREATED + state.nextNumber,
		completed_at: null,
		expires_at: null,
		prompt: fields.prompt,
		size: fields.size,
		seconds: fields.seconds,
		remixed_from_video_id: fields.remixedFrom ?? null,
		error: null,
	};
}

function createVideo(request: CapturedRequest, state: VideoState): StoreOutcome {
	if (request.formError !== undefined) return apiError(400, `Could not parse multipart form: ${request.formError}`);
	if (!request.form && request.rawBody.trim() && !isRecord(request.body)) return apiError(400, 'We could not parse the JSON body of your request.');
	const fields = (request.form ?? request.body ?? {}) as CreateFields;
	if (typeof fields.prompt !== 'string' || !fields.prompt) return missing('prompt');
	if (fields.prompt.length > 32000) return apiError(400, "Invalid 'prompt': string too long. Expected at most 32000 characters.", 'prompt', 'string_above_max_length');
	const model = fields.model ?? 'sora-2';
	if (!VIDEO_MODELS.includes(String(model))) return invalidValue('model', model, VIDEO_MODELS);
	const size = fields.size ?? '720x1280';
	if (!VIDEO_SIZES.includes(String(size))) return invalidValue('size', size, VIDEO_SIZES);
	if (String(model).startsWith('sora-2-2') || model === 'sora-2') {
		if (!SORA_2_SIZES.includes(String(size))) return invalidValue('size', size, SORA_2_SIZES);
	}
	const seconds = fields.seconds ?? '4';
	if (!VIDEO_SECONDS.includes(String(seconds))) return invalidValue('seconds', seconds, VIDEO_SECONDS);
	const data = request.parts?.find((part) => part.name === 'input_reference')?.data;
	const problem = referenceError(fields.input_reference, data, String(size));
	if (problem) return problem;
	const object = newVideo(state, { model: String(model), size: String(size), seconds: String(seconds), prompt: fields.prompt });
	const reference = isRecord(fields.input_reference) && 'sha256' in fields.input_reference ? (fields.input_reference as unknown as ReceivedFile) : undefined;
	state.videos.set(String(object.id), { object, polls: 0, ...(reference ? { reference } : {}) });
	return json(object);
}

/** A GET of a video: one poll; the last one ends its generation. */
function pollVideo(state: VideoState, record: VideoRecord): StoreOutcome {
	const video = record.object;
	if (video.status === 'queued' || video.status === 'in_progress') {
		record.polls += 1;
		if (record.polls >= state.pollsToComplete) {
			const failed = String(video.prompt).includes(FAIL_MARKER);
			Object.assign(video, {
				status: failed ? 'failed' : 'completed',
				progress: failed ? video.progress : 100,
				completed_at: Number(video.created_at) + 60,
				expires_at: failed ? null : Number(video.created_at) + 60 + 86400,
				error: failed ? { code: 'moderation_blocked', message: 'Your request was blocked by our moderation system.' } : null,
			});
		} else {
			Object.assign(video, { status: 'in_progress', progress: Math.floor((100 * record.polls) / state.pollsToComplete) });
		}
	}
	return json(video);
}

function remix(request: CapturedRequest, state: VideoState, source: JsonObject): StoreOutcome {
	const fields = (request.form ?? request.body ?? {}) as CreateFields;
	if (typeof fields.prompt !== 'string' || !fields.prompt) return missing('prompt');
	if (source.status !== 'completed') return apiError(400, `Video '${String(source.id)}' cannot be remixed: its status is ${String(source.status)}.`, null, 'invalid_state');
	const object = newVideo(state, { model: String(source.model), size: String(source.size), seconds: String(source.seconds), prompt: fields.prompt, remixedFrom: String(source.id) });
	state.videos.set(String(object.id), { object, polls: 0 });
	return json(object);
}

/** Fake but typed bytes of a variant, ending in the video's ID. */
export function videoContent(id: string, variant: string, mp4Bytes: number): Buffer {
	const tail = Buffer.from(`OPENAI-TEST-VIDEO:${id}:${variant}`, 'latin1');
	if (variant === 'video') {
		const ftyp = Buffer.from('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom', 'latin1');
		const filler = Buffer.alloc(Math.max(0, mp4Bytes - ftyp.length - tail.length - 8), 0x2a);
		const mdat = Buffer.alloc(8);
		mdat.writeUInt32BE(8 + filler.length + tail.length, 0);
		mdat.write('mdat', 4, 'latin1');
		return Buffer.concat([ftyp, mdat, filler, tail]);
	}
	if (variant === 'thumbnail') {
		const body = Buffer.concat([Buffer.from('WEBPVP8 ', 'latin1'), tail]);
		const header = Buffer.from('RIFF\x00\x00\x00\x00', 'latin1');
		header.writeUInt32LE(body.length, 4);
		return Buffer.concat([header, body]);
	}
	return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), tail, Buffer.from([0xff, 0xd9])]);
}

function content(request: CapturedRequest, state: VideoState, video: JsonObject): StoreOutcome {
	const variant = queryOf(request).get('variant') ?? 'video';
	if (!(variant in VARIANT_CONTENT_TYPES)) return invalidValue('variant', variant, Object.keys(VARIANT_CONTENT_TYPES));
	if (video.status !== 'completed') {
		return apiError(400, `Video '${String(video.id)}' is not ready: its status is ${String(video.status)}. Download it once it is completed.`, null, 'video_not_ready');
	}
	return { kind: 'binary', contentType: VARIANT_CONTENT_TYPES[variant], data: videoContent(String(video.id), variant, state.contentBytes) };
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

export type VideoOperation = 'list' | 'create' | 'get' | 'delete' | 'remix' | 'content';

export interface VideoRoute {
	kind: 'video';
	operation: VideoOperation;
	/** Path after the prefix, e.g. '/videos/video_000001/content'. */
	path: string;
	videoId?: string;
}

const ROUTES: ReadonlyArray<{ operation: VideoOperation; method: string; pattern: RegExp }> = [
	{ operation: 'list', method: 'GET', pattern: /\/videos$/ },
	{ operation: 'create', method: 'POST', pattern: /\/videos$/ },
	{ operation: 'get', method: 'GET', pattern: /\/videos\/(video_[^/]+)$/ },
	{ operation: 'delete', method: 'DELETE', pattern: /\/videos\/(video_[^/]+)$/ },
	{ operation: 'remix', method: 'POST', pattern: /\/videos\/(video_[^/]+)\/remix$/ },
	{ operation: 'content', method: 'GET', pattern: /\/videos\/(video_[^/]+)\/content$/ },
];

/** The video endpoint of a request; undefined for other paths. */
export function matchVideoRoute(method: string, pathname: string): VideoRoute | undefined {
	for (const route of ROUTES) {
		const match = route.pattern.exec(pathname);
		if (!match || route.method !== method) continue;
		return { kind: 'video', operation: route.operation, path: match[0], ...(match[1] ? { videoId: decodeURIComponent(match[1]) } : {}) };
	}
	return undefined;
}

/** A completed video straight in the state (for synchronous set-ups). */
export function seedCompletedVideo(state: VideoState, prompt: string): JsonObject {
	const object: JsonObject = { ...newVideo(state, { model: 'sora-2', size: '720x1280', seconds: '4', prompt }), status: 'completed', progress: 100 };
	state.videos.set(String(object.id), { object, polls: state.pollsToComplete });
	return object;
}

export function dispatchVideo(route: VideoRoute, request: CapturedRequest, state: VideoState): StoreOutcome {
	if (route.operation === 'list') {
		const query = queryOf(request);
		if (query.get('limit') === '0') return json({ object: 'list', data: [], first_id: null, last_id: null, has_more: state.videos.size > 0 });
		return listPage([...state.videos.values()].map((record) => record.object), query, state.maxPerPage);
	}
	if (route.operation === 'create') return createVideo(request, state);
	const record = state.videos.get(route.videoId!);
	if (!record) return noVideo(route.videoId!);
	switch (route.operation) {
		case 'get':
			return pollVideo(state, record);
		case 'delete':
			state.videos.delete(route.videoId!);
			return json({ id: route.videoId, object: 'video.deleted', deleted: true });
		case 'remix':
			return remix(request, state, record.object);
		default:
			return content(request, state, record.object);
	}
}
