import type { IDataObject } from 'n8n-workflow';

import { checkReference, checkVideoBody, compactVideo, contentFileName, sizesOf } from '../../../../../nodes/OpenAiRest/resources/video/hooks';
import { makePng } from '../../../../support/binary';
import { readExample, requireSpec } from '../../../../support/spec';

const withSpec = requireSpec('video hooks against OpenAI examples') ? it : it.skip;

describe('video checks', () => {
	it('knows which sizes each Sora model renders, dated snapshots included', () => {
		expect(sizesOf('sora-2')).toEqual(['720x1280', '1280x720']);
		expect(sizesOf('sora-2-2025-10-06')).toEqual(['720x1280', '1280x720']);
		expect(sizesOf('sora-2-pro-2025-10-06')).toHaveLength(4);
		expect(sizesOf('my-video-model')).toBeUndefined();
	});

	it('refuses an empty or overlong prompt and a size the model does not render; an unknown model passes', () => {
		expect(() => checkVideoBody({ prompt: '' })).toThrow('Prompt: must not be empty');
		expect(() => checkVideoBody({ prompt: 'x'.repeat(32001) })).toThrow('Prompt: is 32001 characters long');
		expect(() => checkVideoBody({ prompt: 'x', model: 'sora-2', size: '1792x1024' })).toThrow('Options: Size: sora-2 renders 720x1280, 1280x720, not 1792x1024');
		expect(() => checkVideoBody({ prompt: 'x', model: 'sora-2-pro', size: '1792x1024' })).not.toThrow();
		expect(() => checkVideoBody({ prompt: 'x', model: 'other', size: '1x1' })).not.toThrow();
	});

	it('takes a reference image of the video\'s size only', () => {
		const png = (width: number, height: number) => ({ data: makePng(width, height, [1, 2, 3]), fileName: 'f.png', contentType: 'image/png', kind: { extension: 'png', mimeType: 'image/png' } });
		expect(() => checkReference(png(1280, 720), '1280x720')).not.toThrow();
		expect(() => checkReference(png(720, 1280), '1280x720')).toThrow('"f.png" is 720x1280; the image must have the video\'s size, 1280x720');
		expect(() => checkReference({ data: Buffer.alloc(0), fileName: 'e.png', contentType: 'image/png' }, '720x1280')).toThrow('"e.png" is empty');
	});
});

describe('video output', () => {
	it('names content after the video, the variant and the type', () => {
		expect(contentFileName('video_1', 'video', 'video/mp4')).toBe('video_1.mp4');
		expect(contentFileName('video_1', 'thumbnail', 'image/webp')).toBe('video_1-thumbnail.webp');
		expect(contentFileName('video_1', 'spritesheet', 'image/jpeg')).toBe('video_1-spritesheet.jpg');
		expect(contentFileName('video_1', 'spritesheet', 'application/x-unknown')).toBe('video_1-spritesheet.bin');
	});

	withSpec('compacts OpenAI\'s create and remix examples for an agent', () => {
		const created = JSON.parse(readExample('latest', 'createVideo-0-Default.json')!) as IDataObject;
		expect(compactVideo(created)).toEqual({ id: 'video_123', status: 'queued', progress: 0, model: 'sora-2', size: '1024x1792', seconds: '8' });
		const remix = JSON.parse(readExample('latest', 'CreateVideoRemix-0-Default.json')!) as IDataObject;
		expect(compactVideo(remix)).toMatchObject({ id: 'video_456', remixed_from_video_id: 'video_123' });
		expect(compactVideo({ id: 'v', status: 'failed', error: { code: 'x', message: 'Blocked' } })).toMatchObject({ status: 'failed', error: 'Blocked' });
	});
});
