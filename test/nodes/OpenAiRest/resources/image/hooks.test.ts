import type { IDataObject } from 'n8n-workflow';

import {
	checkImageBody,
	imageFileName,
	isGptImageModel,
} from '../../../../../nodes/OpenAiRest/resources/image/hooks';
import { InvalidParameter } from '../../../../../nodes/OpenAiRest/transport/errors';

/** The InvalidParameter checkImageBody throws for a body, or undefined when it accepts it. */
function problemOf(body: IDataObject): { label: string; problem: string } | undefined {
	try {
		checkImageBody(body);
	} catch (error) {
		if (!(error instanceof InvalidParameter)) throw error;
		return { label: error.label, problem: error.problem };
	}
	return undefined;
}

const text = (length: number) => 'a'.repeat(length);

describe('checkImageBody: prompt', () => {
	it.each([
		['dall-e-2', 1000],
		['dall-e-3', 4000],
		['gpt-image-1', 32000],
		['gpt-image-2', 32000],
	])('%s accepts %i characters and rejects one more', (model, limit) => {
		expect(problemOf({ model, prompt: text(limit) })).toBeUndefined();
		expect(problemOf({ model, prompt: text(limit + 1) })).toEqual({
			label: 'Prompt',
			problem: `is ${limit + 1} characters long; ${model} accepts at most ${limit}`,
		});
	});

	it('applies the dall-e-2 limit when no model is sent (the API default)', () => {
		expect(problemOf({ prompt: text(1001) })).toEqual({
			label: 'Prompt',
			problem: 'is 1001 characters long; dall-e-2 accepts at most 1000',
		});
	});

	it('rejects an empty or blank prompt for every model', () => {
		expect(problemOf({ model: 'gpt-image-1', prompt: '   ' })).toEqual({ label: 'Prompt', problem: 'must not be empty' });
		expect(problemOf({ model: 'my-server-model' })).toEqual({ label: 'Prompt', problem: 'must not be empty' });
	});

	it('leaves the length of unknown (compatible server) models alone', () => {
		expect(problemOf({ model: 'flux-schnell', prompt: text(50000), size: '333x777', style: 'x' })).toBeUndefined();
	});
});

describe('checkImageBody: number of images', () => {
	it('allows only n=1 for dall-e-3', () => {
		expect(problemOf({ model: 'dall-e-3', prompt: 'p', n: 1 })).toBeUndefined();
		expect(problemOf({ model: 'dall-e-3', prompt: 'p', n: 2 })).toEqual({
			label: 'Number of Images',
			problem: 'must be 1 for dall-e-3, got 2',
		});
	});

	it.each(['dall-e-2', 'gpt-image-1', 'some-other-model'])('allows 1 to 10 for %s', (model) => {
		expect(problemOf({ model, prompt: 'p', n: 10 })).toBeUndefined();
		expect(problemOf({ model, prompt: 'p', n: 11 })).toEqual({
			label: 'Number of Images',
			problem: 'must be between 1 and 10, got 11',
		});
		expect(problemOf({ model, prompt: 'p', n: 0 })).toEqual({
			label: 'Number of Images',
			problem: 'must be between 1 and 10, got 0',
		});
		expect(problemOf({ model, prompt: 'p', n: 1.5 })).toEqual({
			label: 'Number of Images',
			problem: 'must be between 1 and 10, got 1.5',
		});
	});
});

describe('checkImageBody: sizes', () => {
	it.each([
		['dall-e-2', ['256x256', '512x512', '1024x1024'], ['1792x1024', '1536x1024', 'auto']],
		['dall-e-3', ['1024x1024', '1792x1024', '1024x1792'], ['256x256', '1536x1024', 'auto']],
		['gpt-image-1', ['auto', '1024x1024', '1536x1024', '1024x1536'], ['256x256', '1792x1024']],
	])('%s accepts its sizes only', (model, accepted, rejected) => {
		const allowed = accepted.join(', ');
		for (const size of accepted) expect(problemOf({ model, prompt: 'p', size })).toBeUndefined();
		for (const size of rejected) {
			expect(problemOf({ model, prompt: 'p', size })).toEqual({
				label: 'Size',
				problem: `must be one of ${allowed} for ${model}, got ${size}`,
			});
		}
	});

	it('accepts any WIDTHxHEIGHT in multiples of 16 within 1:3 to 3:1 for gpt-image-2', () => {
		for (const size of ['auto', '1536x864', '1024x1024', '3840x2160', '480x1440']) {
			expect(problemOf({ model: 'gpt-image-2', prompt: 'p', size })).toBeUndefined();
		}
		for (const size of ['1000x1000', '1536x400', 'big', '0x0', '1024x']) {
			expect(problemOf({ model: 'gpt-image-2', prompt: 'p', size })).toEqual({
				label: 'Size',
				problem: `must be auto or WIDTHxHEIGHT with both divisible by 16 and an aspect ratio between 1:3 and 3:1 for gpt-image-2, got ${size}`,
			});
		}
	});
});

describe('checkImageBody: quality', () => {
	it.each([
		['dall-e-2', ['auto', 'standard'], ['hd', 'high']],
		['dall-e-3', ['auto', 'standard', 'hd'], ['low', 'high']],
		['gpt-image-1', ['auto', 'low', 'medium', 'high'], ['standard', 'hd']],
	])('%s accepts its qualities only', (model, accepted, rejected) => {
		const allowed = accepted.join(', ');
		for (const quality of accepted) expect(problemOf({ model, prompt: 'p', quality })).toBeUndefined();
		for (const quality of rejected) {
			expect(problemOf({ model, prompt: 'p', quality })).toEqual({
				label: 'Quality',
				problem: `must be one of ${allowed} for ${model}, got ${quality}`,
			});
		}
	});
});

describe('checkImageBody: model-specific options', () => {
	it('accepts style for dall-e-3 only', () => {
		expect(problemOf({ model: 'dall-e-3', prompt: 'p', style: 'natural' })).toBeUndefined();
		expect(problemOf({ model: 'dall-e-2', prompt: 'p', style: 'vivid' })).toEqual({
			label: 'Style',
			problem: 'applies to dall-e-3 only, not to dall-e-2',
		});
		expect(problemOf({ model: 'gpt-image-1', prompt: 'p', style: 'vivid' })).toEqual({
			label: 'Style',
			problem: 'applies to dall-e-3 only, not to gpt-image-1',
		});
	});

	it.each([
		['background', 'Background', 'opaque'],
		['output_format', 'Output Format', 'webp'],
		['output_compression', 'Output Compression', 50],
		['moderation', 'Moderation', 'low'],
	])('accepts %s for GPT image models only', (key, label, value) => {
		const body = { prompt: 'p', [key]: value, ...(key === 'output_compression' ? { output_format: 'jpeg' } : {}) };
		expect(problemOf({ ...body, model: 'gpt-image-1' })).toBeUndefined();
		expect(problemOf({ ...body, model: 'chatgpt-image-latest' })).toBeUndefined();
		for (const model of ['dall-e-2', 'dall-e-3']) {
			expect(problemOf({ prompt: 'p', [key]: value, model })).toEqual({
				label,
				problem: `applies to GPT image models only, not to ${model}`,
			});
		}
	});

	it('accepts response_format for DALL·E models only (GPT image models always return base64)', () => {
		expect(problemOf({ model: 'dall-e-2', prompt: 'p', response_format: 'url' })).toBeUndefined();
		expect(problemOf({ model: 'dall-e-3', prompt: 'p', response_format: 'b64_json' })).toBeUndefined();
		expect(problemOf({ model: 'gpt-image-1', prompt: 'p', response_format: 'b64_json' })).toEqual({
			label: 'Response Format',
			problem: 'applies to DALL·E models only, not to gpt-image-1',
		});
	});

	it('checks output compression against its range and the output format', () => {
		const base = { model: 'gpt-image-1', prompt: 'p' };
		expect(problemOf({ ...base, output_format: 'webp', output_compression: 0 })).toBeUndefined();
		expect(problemOf({ ...base, output_compression: 100 })).toBeUndefined();
		expect(problemOf({ ...base, output_format: 'jpeg', output_compression: 101 })).toEqual({
			label: 'Output Compression',
			problem: 'must be a whole number between 0 and 100, got 101',
		});
		expect(problemOf({ ...base, output_compression: 80 })).toEqual({
			label: 'Output Compression',
			problem: 'needs Output Format JPEG or WebP; PNG is not compressed',
		});
	});

	it('rejects a transparent background with JPEG output', () => {
		const base = { model: 'gpt-image-1', prompt: 'p', background: 'transparent' };
		expect(problemOf({ ...base, output_format: 'png' })).toBeUndefined();
		expect(problemOf({ ...base, output_format: 'webp' })).toBeUndefined();
		expect(problemOf({ ...base, output_format: 'jpeg' })).toEqual({
			label: 'Background',
			problem: 'transparent needs Output Format PNG or WebP; JPEG has no transparency',
		});
	});

	it('recognises GPT image model ids', () => {
		expect(['gpt-image-1', 'gpt-image-1-mini', 'gpt-image-2-2026-04-21', 'chatgpt-image-latest'].map(isGptImageModel)).toEqual([
			true,
			true,
			true,
			true,
		]);
		expect(['dall-e-3', 'gpt-4o', 'my-gpt-image'].map(isGptImageModel)).toEqual([false, false, false]);
	});
});

describe('imageFileName', () => {
	it('slugs the prompt and numbers the image from 1', () => {
		expect(imageFileName('A cute baby sea otter, wearing a beret!', 0, 'png')).toBe(
			'a-cute-baby-sea-otter-wearing-a-beret-1.png',
		);
		expect(imageFileName('A cute baby sea otter', 2, 'webp')).toBe('a-cute-baby-sea-otter-3.webp');
	});

	it('drops accents instead of splitting words at them', () => {
		expect(imageFileName('Crème brûlée à la française', 0, 'jpg')).toBe('creme-brulee-a-la-francaise-1.jpg');
	});

	it('keeps at most 48 characters and never ends the slug with a dash', () => {
		const name = imageFileName('word '.repeat(30), 0, 'png');
		expect(name).toBe(`${'word-'.repeat(9)}wor-1.png`);
		expect(imageFileName(`${'x'.repeat(47)} yz`, 0, 'png')).toBe(`${'x'.repeat(47)}-1.png`);
	});

	it('falls back to "image" when nothing of the prompt is usable', () => {
		expect(imageFileName('', 0, 'png')).toBe('image-1.png');
		expect(imageFileName('海の上のラッコ', 1, 'png')).toBe('image-2.png');
		expect(imageFileName('!!! ???', 0, 'jpg')).toBe('image-1.jpg');
	});
});
