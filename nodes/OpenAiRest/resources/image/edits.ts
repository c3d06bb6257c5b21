import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	checkFileKind,
	checkFileSize,
	checkItem,
	filePart,
	type InputFile,
	MEGABYTE,
	pngDimensions,
	readBinaryField,
} from '../../transport/binary';
import { checkImageBody, isGptImageModel } from './hooks';
import { type MultipartField, multipartRequest, textFields } from '../../transport/multipart';
import { readOption } from '../../transport/parameters';
import { InvalidParameter } from '../../transport/errors';

const GPT_IMAGE_INPUT = { extensions: ['png', 'jpg', 'webp'] };
const PNG_ONLY = { extensions: ['png'] };
const GPT_IMAGE_MAX_BYTES = 50 * MEGABYTE;
const DALL_E_MAX_BYTES = 4 * MEGABYTE;
export const MAX_EDIT_IMAGES = 16;

/** What an edit of this model takes: file types, size per file, number of images. */
function editLimits(model: string) {
	if (model === 'dall-e-2') return { kinds: PNG_ONLY, maxBytes: DALL_E_MAX_BYTES, maxImages: 1, square: true };
	return { kinds: GPT_IMAGE_INPUT, maxBytes: GPT_IMAGE_MAX_BYTES, maxImages: MAX_EDIT_IMAGES, square: false };
}

/** Binary field names from a comma-separated list ("data, photo2"). */
export function binaryFieldNames(list: string): string[] {
	return list
		.split(',')
		.map((name) => name.trim())
		.filter(Boolean);
}

/** Checks an edit request: the generation rules, plus models that cannot edit and Input Fidelity. */
export function checkImageEditBody(body: IDataObject): void {
	const model = String(body.model ?? 'dall-e-2');
	if (model === 'dall-e-3') throw new InvalidParameter('Model', 'dall-e-3 cannot edit images; use dall-e-2 or a GPT image model');
	const fidelity = body.input_fidelity;
	delete body.input_fidelity;
	checkImageBody(body);
	if (fidelity === undefined) return;
	if (!isGptImageModel(model) || /mini/.test(model)) {
		throw new InvalidParameter('Input Fidelity', `applies to GPT image models except gpt-image-1-mini, not to ${model}`);
	}
	body.input_fidelity = fidelity;
}

function checkSquare(file: InputFile, label: string, model: string): void {
	const size = pngDimensions(file.data);
	if (size && size.width !== size.height) {
		throw new InvalidParameter(label, `"${file.fileName}" is ${size.width}x${size.height}; ${model} needs a square image`);
	}
}

/** The mask must be a PNG under 4 MB with the first image's dimensions (checked when both are PNG). */
export function checkMask(mask: InputFile, image: InputFile): void {
	checkFileKind(mask, PNG_ONLY, 'Mask Binary Field', 'a mask');
	checkFileSize(mask, DALL_E_MAX_BYTES, 'Mask Binary Field', 'a mask');
	const maskSize = pngDimensions(mask.data);
	const imageSize = pngDimensions(image.data);
	if (maskSize && imageSize && (maskSize.width !== imageSize.width || maskSize.height !== imageSize.height)) {
		throw new InvalidParameter(
			'Mask Binary Field',
			`"${mask.fileName}" is ${maskSize.width}x${maskSize.height} but the image "${image.fileName}" is ${imageSize.width}x${imageSize.height}; they must match`,
		);
	}
}

/** Reads and checks the images (and mask) of an edit for the model. */
async function editFiles(context: IExecuteSingleFunctions, model: string): Promise<MultipartField[]> {
	const label = 'Input Binary Fields';
	const names = binaryFieldNames(context.getNodeParameter('imageBinaryFields', 'data') as string);
	const limits = editLimits(model);
	if (!names.length) throw new InvalidParameter(label, 'must name at least one binary field');
	if (names.length > limits.maxImages) {
		throw new InvalidParameter(label, `names ${names.length} images; ${model} edits at most ${limits.maxImages}`);
	}
	const images: InputFile[] = [];
	for (const name of names) {
		const image = await readBinaryField(context, name, label, { maxBytes: limits.maxBytes, limitOf: model });
		checkFileKind(image, limits.kinds, label, model);
		if (limits.square) checkSquare(image, label, model);
		images.push(image);
	}
	const imageName = images.length > 1 ? 'image[]' : 'image';
	const fields: MultipartField[] = images.map((image) => filePart(imageName, image));
	const maskName = readOption(context, 'maskBinaryField', '').trim();
	if (maskName) {
		const mask = await readBinaryField(context, maskName, 'Mask Binary Field', { maxBytes: DALL_E_MAX_BYTES, limitOf: 'a mask' });
		checkMask(mask, images[0]);
		fields.push(filePart('mask', mask));
	}
	return fields;
}

/** preSend of Image → Edit, after checkImageEditBody: images, mask and the routed fields as multipart/form-data. */
export async function prepareImageEdit(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = requestOptions.body as IDataObject;
	const files = await checkItem(this, async () => await editFiles(this, String(body.model ?? 'dall-e-2')));
	return multipartRequest(requestOptions, [...files, ...textFields(body)]);
}

const VARIATION_SIZES = ['256x256', '512x512', '1024x1024'];

/** Checks a variation request (dall-e-2): count and size; asks for binary images unless told otherwise. */
export function checkVariationBody(body: IDataObject): void {
	const n = (body.n as number | undefined) ?? 1;
	if (!Number.isInteger(n) || n < 1 || n > 10) throw new InvalidParameter('Number of Images', `must be between 1 and 10, got ${n}`);
	if (body.size !== undefined && !VARIATION_SIZES.includes(String(body.size))) {
		throw new InvalidParameter('Size', `must be one of ${VARIATION_SIZES.join(', ')} for variations, got ${String(body.size)}`);
	}
	body.response_format ??= 'b64_json';
}

/** preSend of Image → Create Variation, after checkVariationBody: one square PNG under 4 MB, as multipart/form-data. */
export async function prepareImageVariation(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const body = requestOptions.body as IDataObject;
	const field = this.getNodeParameter('variationBinaryField', 'data') as string;
	const image = await checkItem(this, async () => {
		const model = String(body.model ?? 'dall-e-2');
		const file = await readBinaryField(this, field, 'Input Binary Field', { maxBytes: DALL_E_MAX_BYTES, limitOf: model });
		checkFileKind(file, PNG_ONLY, 'Input Binary Field', model);
		checkSquare(file, 'Input Binary Field', model);
		return file;
	});
	return multipartRequest(requestOptions, [filePart('image', image), ...textFields(body)]);
}
