import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { InvalidParameter } from './validation';

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
	qualities: ['standard'],
	exclusive: DALL_E_ONLY,
};
const DALL_E_3: ImageModelRules = {
	maxPromptLength: 4000,
	maxImages: 1,
	sizes: ['1024x1024', '1792x1024', '1024x1792'],
	qualities: ['standard', 'hd'],
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
	if (body.size !== undefined && rules.sizes && !rules.sizes.includes(body.size as string)) {
		throw new InvalidParameter('Size', `must be one of ${rules.sizes.join(', ')} for ${model}, got ${body.size}`);
	}
	if (body.quality !== undefined && !rules.qualities.includes(body.quality as string)) {
		throw new InvalidParameter(
			'Quality',
			`must be one of ${rules.qualities.join(', ')} for ${model}, got ${body.quality}`,
		);
	}
	const compression = body.output_compression as number | undefined;
	if (compression !== undefined && (compression < 0 || compression > 100)) {
		throw new InvalidParameter('Output Compression', `must be between 0 and 100, got ${compression}`);
	}
}

const MIME_TYPES: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** A file name from the prompt's first words, e.g. "a-cute-baby-sea-otter-1.png". */
export function imageFileName(prompt: string, index: number, extension: string): string {
	const slug = prompt
		.toLowerCase()
		.normalize('NFKD')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 48)
		.replace(/-+$/, '');
	return `${slug || 'image'}-${index + 1}.${extension}`;
}

function extensionFromMime(mimeType: string | undefined): string {
	const subtype = (mimeType ?? '').split(';')[0].split('/')[1];
	return subtype === 'jpeg' ? 'jpg' : subtype || 'png';
}

/** postReceive: one item per generated image; base64 images and downloaded URLs become binary data. */
export async function imagesToItems(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = response.body as IDataObject & { data?: IDataObject[] };
	const request = this.getNodeParameter('options', {}) as IDataObject;
	const prompt = this.getNodeParameter('prompt', '') as string;
	const model = this.getNodeParameter('model', '') as string;
	const binaryProperty = (request.binaryPropertyName as string | undefined) || 'data';
	const download = request.downloadImage === true;
	const format = (body.output_format as string | undefined) ?? (request.outputFormat as string) ?? 'png';
	const itemIndex = this.getItemIndex();
	const shared: IDataObject = { model, created: body.created };
	for (const key of ['size', 'quality', 'background', 'output_format', 'usage']) {
		if (body[key] !== undefined) shared[key] = body[key];
	}
	const results: INodeExecutionData[] = [];
	for (const [index, image] of (body.data ?? []).entries()) {
		const json: IDataObject = { index, ...shared };
		if (image.revised_prompt) json.revised_prompt = image.revised_prompt;
		let bytes: Buffer | undefined;
		let mimeType = MIME_TYPES[format] ?? 'image/png';
		if (typeof image.b64_json === 'string') {
			bytes = Buffer.from(image.b64_json, 'base64');
		} else if (typeof image.url === 'string') {
			json.url = image.url;
			if (download) {
				const file = (await this.helpers.httpRequest({
					url: image.url,
					encoding: 'arraybuffer',
					returnFullResponse: true,
				})) as IN8nHttpFullResponse;
				bytes = Buffer.from(file.body as Buffer);
				mimeType = String(file.headers['content-type'] ?? mimeType).split(';')[0];
			}
		}
		const result: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
		if (bytes) {
			const fileName = imageFileName(prompt, index, extensionFromMime(mimeType));
			result.binary = {
				[binaryProperty]: await this.helpers.prepareBinaryData(bytes, fileName, mimeType),
			};
		}
		results.push(result);
	}
	return results.length ? results : items;
}
