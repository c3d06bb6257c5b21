import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { slugOf } from '../../transport/binary';
import { readOption } from '../../transport/parameters';
import { sentBody } from '../../transport/sent-request';
import { describeImageForAgent } from '../../fields/tool';
import { errorMessageFor, runsAsTool } from '../../transport/errors';
import { InvalidParameter } from '../../transport/errors';

interface ImageModelRules {
	maxPromptLength: number;
	maxImages: number;
	sizes?: readonly string[];
	qualities: readonly string[];
	/** Options only this kind of model accepts. */
	exclusive: readonly string[];
}

const GPT_IMAGE_ONLY = ['background', 'output_format', 'output_compression', 'moderation'];
const DALL_E_ONLY = ['response_format'];

const DALL_E_2: ImageModelRules = {
	maxPromptLength: 1000,
	maxImages: 10,
	sizes: ['256x256', '512x512', '1024x1024'],
	qualities: ['auto', 'standard'],
	exclusive: DALL_E_ONLY,
};
const DALL_E_3: ImageModelRules = {
	maxPromptLength: 4000,
	maxImages: 1,
	sizes: ['1024x1024', '1792x1024', '1024x1792'],
	qualities: ['auto', 'standard', 'hd'],
	exclusive: [...DALL_E_ONLY, 'style'],
};
const GPT_IMAGE: ImageModelRules = {
	maxPromptLength: 32000,
	maxImages: 10,
	sizes: ['auto', '1024x1024', '1536x1024', '1024x1536'],
	qualities: ['auto', 'low', 'medium', 'high'],
	exclusive: GPT_IMAGE_ONLY,
};

const OPTION_LABELS: Record<string, string> = {
	background: 'Background',
	output_format: 'Output Format',
	output_compression: 'Output Compression',
	moderation: 'Moderation',
	response_format: 'Response Format',
	style: 'Style',
	quality: 'Quality',
	size: 'Size',
};

export function isGptImageModel(model: string): boolean {
	return /^(gpt-image|chatgpt-image)/.test(model);
}

/** Limits of a known image model; undefined for models of compatible servers. */
export function imageModelRules(model: string): ImageModelRules | undefined {
	if (model === 'dall-e-2') return DALL_E_2;
	if (model === 'dall-e-3') return DALL_E_3;
	if (isGptImageModel(model)) {
		// gpt-image-2 accepts any WIDTHxHEIGHT, so only the older ones have a fixed list.
		return /^gpt-image-2/.test(model) ? { ...GPT_IMAGE, sizes: undefined } : GPT_IMAGE;
	}
	return undefined;
}

function ownerOf(option: string): string {
	if (GPT_IMAGE_ONLY.includes(option)) return 'GPT image models';
	return option === 'style' ? 'dall-e-3' : 'DALL·E models';
}

/** Checks the image request against the chosen model's limits before anything is sent. */
export function checkImageBody(body: IDataObject): void {
	const model = (body.model as string | undefined) ?? 'dall-e-2';
	const prompt = (body.prompt as string | undefined) ?? '';
	if (!prompt.trim()) throw new InvalidParameter('Prompt', 'must not be empty');
	const n = (body.n as number | undefined) ?? 1;
	if (!Number.isInteger(n) || n < 1 || n > 10) {
		throw new InvalidParameter('Number of Images', `must be between 1 and 10, got ${n}`);
	}
	const rules = imageModelRules(model);
	if (!rules) return;
	// DALL·E answers with short-lived URLs unless asked; the node's default is a binary file.
	if (rules.exclusive.includes('response_format') && body.response_format === undefined) {
		body.response_format = 'b64_json';
	}
	if (prompt.length > rules.maxPromptLength) {
		throw new InvalidParameter(
			'Prompt',
			`is ${prompt.length} characters long; ${model} accepts at most ${rules.maxPromptLength}`,
		);
	}
	if (n > rules.maxImages) {
		throw new InvalidParameter('Number of Images', `must be ${rules.maxImages} for ${model}, got ${n}`);
	}
	const foreign = [...GPT_IMAGE_ONLY, ...DALL_E_ONLY, 'style'].filter(
		(option) => body[option] !== undefined && !rules.exclusive.includes(option),
	);
	if (foreign.length) {
		const option = foreign[0];
		throw new InvalidParameter(OPTION_LABELS[option], `applies to ${ownerOf(option)} only, not to ${model}`);
	}
	if (body.size !== undefined) checkSize(String(body.size), model, rules);
	if (body.quality !== undefined && !rules.qualities.includes(body.quality as string)) {
		throw new InvalidParameter(
			'Quality',
			`must be one of ${rules.qualities.join(', ')} for ${model}, got ${body.quality}`,
		);
	}
	checkOutputFormat(body);
}

/** A listed size, or for models without a list (gpt-image-2) `auto` or WIDTHxHEIGHT in multiples of 16. */
function checkSize(size: string, model: string, rules: ImageModelRules): void {
	if (rules.sizes) {
		if (rules.sizes.includes(size)) return;
		throw new InvalidParameter('Size', `must be one of ${rules.sizes.join(', ')} for ${model}, got ${size}`);
	}
	if (size === 'auto') return;
	const match = /^(\d+)x(\d+)$/.exec(size);
	const [width, height] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
	const valid =
		width > 0 && height > 0 && width % 16 === 0 && height % 16 === 0 && width <= 3 * height && height <= 3 * width;
	if (!valid) {
		throw new InvalidParameter(
			'Size',
			`must be auto or WIDTHxHEIGHT with both divisible by 16 and an aspect ratio between 1:3 and 3:1 for ${model}, got ${size}`,
		);
	}
}

/** Compression needs a lossy format; a transparent background needs one with an alpha channel. */
function checkOutputFormat(body: IDataObject): void {
	const format = (body.output_format as string | undefined) ?? 'png';
	const compression = body.output_compression as number | undefined;
	if (compression !== undefined && (!Number.isInteger(compression) || compression < 0 || compression > 100)) {
		throw new InvalidParameter('Output Compression', `must be a whole number between 0 and 100, got ${compression}`);
	}
	if (compression !== undefined && compression < 100 && format === 'png') {
		throw new InvalidParameter('Output Compression', 'needs Output Format JPEG or WebP; PNG is not compressed');
	}
	if (body.background === 'transparent' && format === 'jpeg') {
		throw new InvalidParameter('Background', 'transparent needs Output Format PNG or WebP; JPEG has no transparency');
	}
}

const MIME_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** A file name from the prompt's first words, e.g. "a-cute-baby-sea-otter-1.png". */
export function imageFileName(prompt: string, index: number, extension: string): string {
	return `${slugOf(prompt) || 'image'}-${index + 1}.${extension}`;
}

function extensionFromMime(mimeType: string | undefined): string {
	const subtype = (mimeType ?? '').split(';')[0].split('/')[1];
	return subtype === 'jpeg' ? 'jpg' : subtype || 'png';
}

/** Fetches an image URL (no API key: the link is pre-signed); the mime type only when the server names an image type. */
async function downloadImage(
	context: IExecuteSingleFunctions,
	url: string,
	index: number,
): Promise<{ bytes: Buffer; mimeType?: string }> {
	let file: IN8nHttpFullResponse | undefined;
	let caught: unknown;
	try {
		file = (await context.helpers.httpRequest({
			url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			// The plain helper, unlike the authenticated one, does not pass the cancel signal itself.
			abortSignal: context.getExecutionCancelSignal?.(),
		})) as IN8nHttpFullResponse;
	} catch (error) {
		caught = error;
	}
	if (!file) {
		const description = `${(caught as Error | undefined)?.message ?? 'No response'}. Image URLs expire 60 minutes after generation; use Response Format Binary File to avoid the download.`;
		const message = errorMessageFor(context, `Could not download image ${index + 1} from ${url}`, description);
		throw new NodeOperationError(context.getNode(), message, { itemIndex: context.getItemIndex(), description });
	}
	const contentType = String(file.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	return {
		bytes: Buffer.from(file.body as Buffer),
		...(contentType.startsWith('image/') ? { mimeType: contentType } : {}),
	};
}

/** postReceive: one item per generated image; base64 images and downloaded URLs become binary data. */
export async function imagesToItems(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = response.body as IDataObject & { data?: IDataObject[] };
	const sent = sentBody(this);
	const prompt = (sent.prompt as string | undefined) ?? '';
	const model = (sent.model as string | undefined) ?? '';
	const binaryProperty = readOption(this, 'binaryPropertyName', '') || 'data';
	const download = readOption<boolean>(this, 'downloadImage', false) === true;
	const format = (body.output_format as string | undefined) ?? (sent.output_format as string) ?? 'png';
	const itemIndex = this.getItemIndex();
	const shared: IDataObject = { model, created: body.created };
	for (const key of ['size', 'quality', 'background', 'output_format', 'usage']) {
		if (body[key] !== undefined) shared[key] = body[key];
	}
	const images = body.data ?? [];
	const asTool = runsAsTool(this);
	const results: INodeExecutionData[] = [];
	for (const [index, image] of images.entries()) {
		const json: IDataObject = { index, ...shared };
		if (image.revised_prompt) json.revised_prompt = image.revised_prompt;
		let bytes: Buffer | undefined;
		let mimeType = MIME_TYPES[format] ?? 'image/png';
		if (typeof image.b64_json === 'string') {
			bytes = Buffer.from(image.b64_json, 'base64');
		} else if (typeof image.url === 'string') {
			json.url = image.url;
			if (download) {
				const file = await downloadImage(this, image.url, index);
				bytes = file.bytes;
				mimeType = file.mimeType ?? mimeType;
			}
		}
		const result: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		const fileName = bytes ? imageFileName(prompt, index, extensionFromMime(mimeType)) : undefined;
		if (bytes) {
			result.binary = {
				[binaryProperty]: await this.helpers.prepareBinaryData(bytes, fileName, mimeType),
			};
		}
		// An agent never sees binary data, so as a tool the item says in words what was made and where.
		if (asTool) {
			const revisedPrompt = image.revised_prompt as string | undefined;
			const place = { url: json.url as string | undefined, binaryProperty, fileName, mimeType };
			const count = images.length;
			result.json = { result: describeImageForAgent({ index, count, model, revisedPrompt, ...place }) };
		}
		results.push(result);
	}
	return results.length ? results : items;
}
