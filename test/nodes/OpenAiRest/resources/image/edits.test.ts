import type { IDataObject } from 'n8n-workflow';

import { sniffFileKind, type InputFile } from '../../../../../nodes/OpenAiRest/transport/binary';
import {
	binaryFieldNames,
	checkImageEditBody,
	checkMask,
	checkVariationBody,
} from '../../../../../nodes/OpenAiRest/resources/image/edits';
import { makePng, wavFile } from '../../../../support/binary';

const file = (data: Buffer, fileName: string): InputFile => ({ data, fileName, contentType: 'image/png', kind: sniffFileKind(data) });

describe('binaryFieldNames', () => {
	it('splits a comma-separated list and drops blanks', () => {
		expect(binaryFieldNames(' data, photo2 ,,')).toStrictEqual(['data', 'photo2']);
		expect(binaryFieldNames('')).toStrictEqual([]);
	});
});

describe('checkImageEditBody', () => {
	it('applies the generation rules and keeps Input Fidelity for GPT image models', () => {
		const body: IDataObject = { model: 'gpt-image-1', prompt: 'Add a hat', input_fidelity: 'high', size: '1024x1536' };
		checkImageEditBody(body);
		expect(body).toStrictEqual({ model: 'gpt-image-1', prompt: 'Add a hat', input_fidelity: 'high', size: '1024x1536' });
	});

	it('asks dall-e-2 for binary images by default', () => {
		const body: IDataObject = { model: 'dall-e-2', prompt: 'Add a hat' };
		checkImageEditBody(body);
		expect(body.response_format).toBe('b64_json');
	});

	it.each([
		[{ model: 'dall-e-3', prompt: 'x' }, 'Model: dall-e-3 cannot edit images; use dall-e-2 or a GPT image model'],
		[{ model: 'dall-e-2', prompt: 'x', input_fidelity: 'low' }, 'Input Fidelity: applies to GPT image models except gpt-image-1-mini, not to dall-e-2'],
		[{ model: 'gpt-image-1-mini', prompt: 'x', input_fidelity: 'low' }, 'not to gpt-image-1-mini'],
		[{ model: 'dall-e-2', prompt: 'a'.repeat(1001) }, 'Prompt: is 1001 characters long; dall-e-2 accepts at most 1000'],
		[{ model: 'gpt-image-1', prompt: ' ' }, 'Prompt: must not be empty'],
		[{ model: 'gpt-image-1', prompt: 'x', size: '256x256' }, 'Size: must be one of auto, 1024x1024, 1536x1024, 1024x1536 for gpt-image-1'],
	])('refuses %#', (body, message) => {
		expect(() => checkImageEditBody(body as IDataObject)).toThrow(message);
	});
});

describe('checkMask', () => {
	const image = file(makePng(8, 8, [1, 1, 1]), 'photo.png');

	it('accepts a PNG mask of the image\'s size', () => {
		expect(() => checkMask(file(makePng(8, 8, [0, 0, 0]), 'mask.png'), image)).not.toThrow();
	});

	it('refuses a mask of another size, naming both sizes', () => {
		expect(() => checkMask(file(makePng(8, 4, [0, 0, 0]), 'mask.png'), image)).toThrow(
			'Mask Binary Field: "mask.png" is 8x4 but the image "photo.png" is 8x8; they must match',
		);
	});

	it('refuses a mask that is not a PNG', () => {
		expect(() => checkMask(file(wavFile(), 'mask.wav'), image)).toThrow('Mask Binary Field: "mask.wav" is a WAV file; a mask accepts png');
	});
});

describe('checkVariationBody', () => {
	it('defaults to binary images and accepts the dall-e-2 sizes', () => {
		const body: IDataObject = { model: 'dall-e-2', n: 10, size: '256x256' };
		checkVariationBody(body);
		expect(body).toStrictEqual({ model: 'dall-e-2', n: 10, size: '256x256', response_format: 'b64_json' });
	});

	it.each([
		[{ n: 11 }, 'Number of Images: must be between 1 and 10, got 11'],
		[{ size: '1792x1024' }, 'Size: must be one of 256x256, 512x512, 1024x1024 for variations, got 1792x1024'],
	])('refuses %#', (body, message) => {
		expect(() => checkVariationBody(body as IDataObject)).toThrow(message);
	});
});
