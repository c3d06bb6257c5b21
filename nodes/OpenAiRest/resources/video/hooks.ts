import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { pairedItems } from '../../fields/output';
import { errorMessageFor, InvalidParameter, runsAsTool } from '../../transport/errors';
import { checkFileKind, checkItem, contentTypeOf, filePart, type InputFile, pngDimensions, readBinaryField } from '../../transport/binary';
import { fileSize, multipartRequest, textFields } from '../../transport/multipart';
import { streamToBinary } from '../../transport/download';
import { readOption } from '../../transport/parameters';
import { pollUntilDone } from '../../transport/polling';
import { requestWithRetries, sendWithRetries } from '../../transport/send';

export const DEFAULT_VIDEO_SIZE = '720x1280';
export const DEFAULT_MAX_WAIT_SECONDS = 900;
/** Sizes every Sora model renders; Sora 2 Pro renders 1024x1792 and 1792x1024 too. */
const BASE_SIZES = ['720x1280', '1280x720'];
const PRO_SIZES = [...BASE_SIZES, '1024x1792', '1792x1024'];
const REFERENCE_KINDS = { extensions: ['jpg', 'png', 'webp'] };
const REFERENCE_LABEL = 'Options: Input Reference Binary Field';

/** What each content variant is and is named, when the server does not say. */
export const VARIANTS: Record<string, { mimeType: string; suffix: string }> = {
	video: { mimeType: 'video/mp4', suffix: '' },
	thumbnail: { mimeType: 'image/webp', suffix: '-thumbnail' },
	spritesheet: { mimeType: 'image/jpeg', suffix: '-spritesheet' },
};
const EXTENSIONS: Record<string, string> = { 'video/mp4': 'mp4', 'image/webp': 'webp', 'image/jpeg': 'jpg', 'image/png': 'png' };

/** The sizes a known model renders; undefined for models this node does not know (e.g. from an expression). */
export function sizesOf(model: string): string[] | undefined {
	if (/^sora-2-pro(-\d{4}-\d{2}-\d{2})?$/.test(model)) return PRO_SIZES;
	if (/^sora-2(-\d{4}-\d{2}-\d{2})?$/.test(model)) return BASE_SIZES;
	return undefined;
}

/** Checks what the API would refuse: an empty prompt, a size the model does not render. */
export function checkVideoBody(body: IDataObject): void {
	if (!String(body.prompt ?? '').trim()) throw new InvalidParameter('Prompt', 'must not be empty');
	if (String(body.prompt).length > 32000) throw new InvalidParameter('Prompt', `is ${String(body.prompt).length} characters long; at most 32,000 are allowed`);
	const model = String(body.model ?? 'sora-2');
	const size = String(body.size ?? DEFAULT_VIDEO_SIZE);
	const sizes = sizesOf(model);
	if (sizes && !sizes.includes(size)) throw new InvalidParameter('Options: Size', `${model} renders ${sizes.join(', ')}, not ${size}`);
}

/** Refuses a reference image that is not JPEG, PNG or WebP, or a PNG whose size differs from the video's. */
export function checkReference(file: InputFile, size: string): void {
	if (!fileSize(file)) throw new InvalidParameter(REFERENCE_LABEL, `"${file.fileName}" is empty`);
	checkFileKind(file, REFERENCE_KINDS, REFERENCE_LABEL, 'Video → Create');
	const dimensions = pngDimensions(file.data);
	if (dimensions && `${dimensions.width}x${dimensions.height}` !== size) {
		throw new InvalidParameter(REFERENCE_LABEL, `"${file.fileName}" is ${dimensions.width}x${dimensions.height}; the image must have the video's size, ${size}`);
	}
}

/** preSend of Create: checks the body; with an input reference the request becomes multipart/form-data. */
export async function prepareVideoCreate(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const body = requestOptions.body as IDataObject;
	const field = readOption(this, 'inputReference', '').trim();
	const reference = await checkItem(this, async () => {
		checkVideoBody(body);
		if (!field) return undefined;
		const file = await readBinaryField(this, field, REFERENCE_LABEL);
		checkReference(file, String(body.size ?? DEFAULT_VIDEO_SIZE));
		return file;
	});
	if (!reference) return requestOptions;
	return multipartRequest(requestOptions, [...textFields(body), filePart('input_reference', reference)]);
}

function describeVideo(video: IDataObject): string {
	return video.status === 'in_progress' ? `in_progress (${Number(video.progress ?? 0)}%)` : String(video.status);
}

/** A video job as an agent needs it: what it is and how far it got. */
export function compactVideo(video: IDataObject): IDataObject {
	const error = video.error as IDataObject | null | undefined;
	return {
		id: video.id,
		status: video.status,
		...(video.status === 'in_progress' || video.status === 'queued' ? { progress: video.progress } : {}),
		model: video.model,
		size: video.size,
		seconds: video.seconds,
		...(video.remixed_from_video_id ? { remixed_from_video_id: video.remixed_from_video_id } : {}),
		...(error ? { error: error.message } : {}),
	};
}

function failedError(context: IExecuteSingleFunctions, video: IDataObject): NodeOperationError {
	const error = (video.error ?? {}) as IDataObject;
	const reason = error.message ? `${String(error.message)}${error.code ? ` (${String(error.code)})` : ''}` : 'no reason given';
	const message = `Video ${String(video.id)} failed: ${reason}`;
	const description = 'OpenAI could not generate the video. Change the prompt or the input reference and create it again.';
	return new NodeOperationError(context.getNode(), errorMessageFor(context, message, description), { itemIndex: context.getItemIndex(), description });
}

/** Polls a video until it is completed or failed, at most Max Wait; a failed video is an error. */
async function untilDone(context: IExecuteSingleFunctions, video: IDataObject, poll: () => Promise<IDataObject>): Promise<IDataObject> {
	const done = (state: IDataObject) => state.status === 'completed' || state.status === 'failed';
	const final = await pollUntilDone(context, video, {
				poll,
				isDone: done,
				maxWaitMs: readOption(context, 'maxWait', DEFAULT_MAX_WAIT_SECONDS) * 1000,
				what: `Video ${String(video.id)}`,
				describe: describeVideo,
		maxWaitLabel: 'Options: Max Wait (Seconds)',
	});
	if (final.status === 'failed') throw failedError(context, final);
	return final;
}

function getVideo(context: IExecuteSingleFunctions, id: string): () => Promise<IDataObject> {
	return async () => (await requestWithRetries(context, { method: 'GET', url: `/videos/${encodeURIComponent(id)}`, json: true })).body as IDataObject;
}

/** The file name of downloaded content: the video's ID, the variant, and the extension of its type. */
export function contentFileName(id: string, variant: string, mimeType: string): string {
	return `${id}${VARIANTS[variant]?.suffix ?? `-${variant}`}.${EXTENSIONS[mimeType] ?? 'bin'}`;
}

/** Fetches a completed video's content into n8n's binary store as it arrives, and returns the video with it. */
async function withContent(context: IExecuteSingleFunctions, video: IDataObject): Promise<INodeExecutionData> {
	const id = String(video.id);
	const variant = readOption(context, 'variant', 'video');
	const request = { method: 'GET' as const, url: `/videos/${encodeURIComponent(id)}/content`, qs: { variant }, encoding: 'stream' as const, json: false };
	const binary = await requestWithRetries(context, request, async (content) => {
		const mimeType = contentTypeOf(content.headers) ?? VARIANTS[variant]?.mimeType ?? 'application/octet-stream';
		return await streamToBinary(context, content, contentFileName(id, variant, mimeType), mimeType);
	});
	const field = readOption(context, 'binaryPropertyName', '') || 'data';
	const json = runsAsTool(context)
		? { ...compactVideo(video), file: `${binary.fileName} (${binary.mimeType}, ${binary.fileSize ?? `${binary.bytes} bytes`}) in the binary field "${field}" of this tool's output` }
		: video;
	return { json, binary: { [field]: binary }, pairedItem: { item: context.getItemIndex() } };
}

function output(context: IExecuteSingleFunctions, video: IDataObject): INodeExecutionData[] {
	return pairedItems(context, [runsAsTool(context) ? compactVideo(video) : video]);
}

/** Pagination of Create and Remix: queues the job, then returns it, waits for it, or waits and downloads. */
export async function finishVideoJob(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const [queued] = await sendWithRetries.call(this, requestData);
	const video = (queued?.json ?? {}) as IDataObject;
	const completion = readOption(this, 'completion', 'none');
	if (completion === 'none') return output(this, video);
	const done = await untilDone(this, video, getVideo(this, String(video.id)));
	return completion === 'download' ? [await withContent(this, done)] : output(this, done);
}

/** Pagination of Wait for Completion: the routed GET, repeated until the video is done. */
export async function waitForVideo(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const poll = async () => ((await sendWithRetries.call(this, requestData))[0]?.json ?? {}) as IDataObject;
	return output(this, await untilDone(this, await poll(), poll));
}

/** postReceive of Download Content: the routed GET read the video; a completed one's content is fetched. */
export async function downloadVideo(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const video = response.body as IDataObject;
	if (video.status !== 'completed') {
		const message = `Video ${String(video.id)} is not ready to download: it is ${describeVideo(video)}`;
		const description = video.status === 'failed' ? 'The video failed; there is no content.' : 'Wait for it first with Video → Wait for Completion.';
		throw new NodeOperationError(this.getNode(), errorMessageFor(this, message, description), { itemIndex: this.getItemIndex(), description });
	}
	return [await withContent(this, video)];
}
