/** Video → every operation through n8n's engine against the test server: multipart, polling, Stop and binary content. */
import type { INodeParameters } from 'n8n-workflow';

import { binaryMetadata, bytesOf, makePng } from '../../../../support/binary';
import { runNode, type TestFile } from '../../../../support/engine';
import { useOpenAiServer } from '../../../../support/fixture';
import { sha256 } from '../../../../support/multipart';
import { FAIL_MARKER, videoContent } from '../../../../support/openai-server-videos';
import { expectStopMidWait } from '../../../../support/stop-mid-wait';

const fixture = useOpenAiServer();

const video = (operation: string, extra: INodeParameters = {}): INodeParameters => ({ resource: 'video', operation, ...extra });
const create = (extra: INodeParameters = {}) => video('create', { videoPrompt: 'A calico cat playing a piano on stage', ...extra });
const paths = () => fixture.server().requests.map((request) => `${request.method} ${request.fullPath}`);

/** Queues videos straight on the server and polls them to completion; the node's requests start after. */
async function seedVideos(count: number, polls = fixture.server().videos.pollsToComplete): Promise<void> {
	const headers = { Authorization: 'Bearer sk-test-key', 'Content-Type': 'application/json' };
	for (let number = 1; number <= count; number++) {
		const response = await fetch(`${fixture.server().baseUrl()}/videos`, { method: 'POST', headers, body: JSON.stringify({ prompt: `clip ${number}` }) });
		const { id } = (await response.json()) as { id: string };
		for (let poll = 0; poll < polls; poll++) await fetch(`${fixture.server().baseUrl()}/videos/${id}`, { headers });
	}
	fixture.server().requests.length = 0;
}

describe('video: create', () => {
	it('queues a job from the prompt, model, size and seconds as JSON', async () => {
		const { items, error } = await runNode(create({ videoModel: 'sora-2-pro', videoOptions: { size: '1792x1024', seconds: '12' } }), {
			credentials: fixture.credentials(),
		});
		expect(error).toBeUndefined();
		expect(fixture.onlyRequest().body).toEqual({ prompt: 'A calico cat playing a piano on stage', model: 'sora-2-pro', size: '1792x1024', seconds: '12' });
		expect(items.map((item) => item.json)).toEqual([expect.objectContaining({ id: 'video_000001', object: 'video', status: 'queued', size: '1792x1024', seconds: '12' })]);
	});

	it('sends an input reference image as multipart/form-data, byte for byte', async () => {
		const png = makePng(1280, 720, [250, 200, 0]);
		const { items, error } = await runNode(create({ videoOptions: { size: '1280x720', inputReference: 'frame' } }), {
			credentials: fixture.credentials(),
			binary: [{ frame: { data: png, fileName: 'first-frame.png', mimeType: 'image/png' } }],
		});
		expect(error).toBeUndefined();
		const request = fixture.onlyRequest();
		expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(request.form).toEqual({
			prompt: 'A calico cat playing a piano on stage',
			model: 'sora-2',
			size: '1280x720',
			input_reference: { fileName: 'first-frame.png', contentType: 'image/png', bytes: png.length, sha256: sha256(png) },
		});
		expect(fixture.server().videos.videos.get('video_000001')?.reference?.sha256).toBe(sha256(png));
		expect(items[0].json.status).toBe('queued');
	});

	it('waits until the video is done when asked', async () => {
		const { items } = await runNode(create({ videoOptions: { completion: 'wait' } }), { credentials: fixture.credentials() });
		expect(paths()).toEqual(['POST /v1/videos', 'GET /v1/videos/video_000001', 'GET /v1/videos/video_000001']);
		expect(items[0].json).toMatchObject({ id: 'video_000001', status: 'completed', progress: 100 });
		expect(items[0].binary).toBeUndefined();
	});

	it('waits and downloads the MP4 as binary data with its type and name', async () => {
		fixture.server().videos.pollsToComplete = 1;
		const { items } = await runNode(create({ videoOptions: { completion: 'download', binaryPropertyName: 'clip' } }), { credentials: fixture.credentials() });
		expect(paths()).toEqual(['POST /v1/videos', 'GET /v1/videos/video_000001', 'GET /v1/videos/video_000001/content?variant=video']);
		expect(items[0].json).toMatchObject({ id: 'video_000001', status: 'completed' });
		expect(binaryMetadata(items[0], 'clip')).toEqual({ mimeType: 'video/mp4', fileName: 'video_000001.mp4', fileExtension: 'mp4', fileType: 'video' });
		expect((await bytesOf(items[0].binary!.clip)).equals(videoContent('video_000001', 'video', 4096))).toBe(true);
	});

	it('stops waiting at once when the execution is stopped after the job was queued', async () => {
		fixture.server().videos.pollsToComplete = 1000;
		await expectStopMidWait(fixture.server(), fixture.credentials(), create({ videoOptions: { completion: 'download' } }), 3);
	});

	it('fails with OpenAI\'s reason when the generation fails', async () => {
		fixture.server().videos.pollsToComplete = 1;
		const { error } = await runNode(create({ videoPrompt: `boom ${FAIL_MARKER}`, videoOptions: { completion: 'wait' } }), { credentials: fixture.credentials() });
		expect(error?.message).toBe('Video video_000001 failed: Your request was blocked by our moderation system. (moderation_blocked)');
	});

	const badInput: Array<[string, INodeParameters, Record<string, TestFile> | undefined, string]> = [
		['a size Sora 2 does not render', create({ videoOptions: { size: '1024x1792' } }), undefined, 'Invalid "Options: Size" in item 0: sora-2 renders 720x1280, 1280x720, not 1024x1792'],
		['an empty prompt', create({ videoPrompt: ' ' }), undefined, 'Invalid "Prompt" in item 0: must not be empty'],
		['a missing reference field', create({ videoOptions: { inputReference: 'frame' } }), { other: { data: makePng(2, 2, [0, 0, 0]), fileName: 'a.png', mimeType: 'image/png' } }, 'Invalid "Options: Input Reference Binary Field" in item 0: the item has no binary field "frame" (it has: other)'],
		['a reference of the wrong size', create({ videoOptions: { inputReference: 'frame' } }), { frame: { data: makePng(64, 64, [0, 0, 0]), fileName: 'a.png', mimeType: 'image/png' } }, 'Invalid "Options: Input Reference Binary Field" in item 0: "a.png" is 64x64; the image must have the video\'s size, 720x1280'],
		['a reference that is not an image', create({ videoOptions: { inputReference: 'frame' } }), { frame: { data: Buffer.from('%PDF-1.7 x'), fileName: 'a.pdf', mimeType: 'application/pdf' } }, 'Invalid "Options: Input Reference Binary Field" in item 0: "a.pdf" is a PDF file; Video → Create accepts jpg, png, webp'],
	];

	it.each(badInput)('refuses %s before sending', async (_name, parameters, binary, message) => {
		const { error } = await runNode(parameters, { credentials: fixture.credentials(), binary: binary ? [binary] : undefined });
		expect(error?.message).toBe(message);
		expect(fixture.server().requests).toHaveLength(0);
	});
});

describe('video: several items, faults mid-wait', () => {
	it('retries a poll that meets a server error, and keeps every item in order under Continue On Fail', async () => {
		fixture.server().videos.pollsToComplete = 1;
		fixture.server().failNext((request) => request.method === 'GET', { status: 500, headers: { 'retry-after-ms': '0' } });
		const { items } = await runNode(create({ videoPrompt: '={{ $json.prompt }}', videoOptions: { completion: 'wait' } }), {
			credentials: fixture.credentials(),
			input: [{ prompt: 'one' }, { prompt: '' }, { prompt: `three ${FAIL_MARKER}` }, { prompt: 'four' }],
			continueOnFail: true,
		});
		expect(items.map((item) => [item.json.status ?? item.json.error, item.json.prompt, item.pairedItem])).toEqual([
			['completed', 'one', { item: 0 }],
			['Invalid "Prompt" in item 1: must not be empty', undefined, { item: 1 }],
			[expect.stringMatching(/^Video video_\d+ failed: Your request was blocked/), undefined, { item: 2 }],
			['completed', 'four', { item: 3 }],
		]);
		// Three jobs queued, each polled once, plus the retried poll.
		expect(fixture.server().requests.filter((request) => request.method === 'POST')).toHaveLength(3);
		expect(fixture.server().requests.filter((request) => request.method === 'GET')).toHaveLength(4);
	});
});

describe('video: wait for completion', () => {
	it('polls with growing pauses until completed', async () => {
		await seedVideos(1, 0);
		fixture.server().videos.pollsToComplete = 3;
		const started = Date.now();
		const { items } = await runNode(video('waitForCompletion', { videoId: 'video_000001' }), { credentials: fixture.credentials() });
		// Polls at 0 s, 1 s and 2.5 s.
		expect(Date.now() - started).toBeGreaterThanOrEqual(2400);
		expect(paths()).toEqual(Array(3).fill('GET /v1/videos/video_000001'));
		expect(items[0].json).toMatchObject({ status: 'completed', progress: 100 });
	});

	it('fails after Max Wait with the video\'s progress', async () => {
		await seedVideos(1, 0);
		fixture.server().videos.pollsToComplete = 1000;
		const { error } = await runNode(video('waitForCompletion', { videoId: 'video_000001', videoOptions: { maxWait: 1 } }), { credentials: fixture.credentials() });
		expect(error?.message).toBe('Video video_000001 is still in_progress (0%) after 1 s');
		expect(fixture.server().requests).toHaveLength(2);
	});

	it('ends at once when the execution is stopped mid-wait, and sends nothing more', async () => {
		await seedVideos(1, 0);
		fixture.server().videos.pollsToComplete = 1000;
		await expectStopMidWait(fixture.server(), fixture.credentials(), video('waitForCompletion', { videoId: 'video_000001' }), 3);
	});
});

describe('video: download, get, list, delete, remix', () => {
	it.each([
		['video', 'video/mp4', 'video_000001.mp4'],
		['thumbnail', 'image/webp', 'video_000001-thumbnail.webp'],
		['spritesheet', 'image/jpeg', 'video_000001-spritesheet.jpg'],
	])('downloads the %s with its MIME type and file name', async (variant, mimeType, fileName) => {
		await seedVideos(1);
		const { items } = await runNode(video('download', { videoId: 'video_000001', videoOptions: { variant } }), { credentials: fixture.credentials() });
		expect(paths()).toEqual(['GET /v1/videos/video_000001', `GET /v1/videos/video_000001/content?variant=${variant}`]);
		expect(binaryMetadata(items[0])).toMatchObject({ mimeType, fileName });
		expect((await bytesOf(items[0].binary!.data)).equals(videoContent('video_000001', variant, 4096))).toBe(true);
		expect(items[0].json).toMatchObject({ id: 'video_000001', status: 'completed' });
	});

	it('refuses to download a video that is not completed, without asking for its content', async () => {
		await seedVideos(1, 0);
		const { error } = await runNode(video('download', { videoId: 'video_000001' }), { credentials: fixture.credentials() });
		expect(error?.message).toBe('Video video_000001 is not ready to download: it is in_progress (50%)');
		expect(paths()).toEqual(['GET /v1/videos/video_000001']);
	});

	it('gets and deletes a video', async () => {
		await seedVideos(1);
		const got = await runNode(video('get', { videoId: 'video_000001' }), { credentials: fixture.credentials() });
		expect(got.items[0].json).toMatchObject({ id: 'video_000001', status: 'completed' });
		const deleted = await runNode(video('delete', { videoId: 'video_000001' }), { credentials: fixture.credentials() });
		expect(deleted.items[0].json).toEqual({ id: 'video_000001', object: 'video.deleted', deleted: true });
		const gone = await runNode(video('get', { videoId: 'video_000001' }), { credentials: fixture.credentials() });
		expect(gone.error?.message).toContain("Video with id 'video_000001' not found.");
	});

	it('lists every page with Return All, or one page of Limit', async () => {
		await seedVideos(3);
		fixture.server().videos.maxPerPage = 2;
		const all = await runNode(video('list', { videoReturnAll: true, videoOptions: { order: 'asc' } }), { credentials: fixture.credentials() });
		expect(all.items.map((item) => item.json.id)).toEqual(['video_000001', 'video_000002', 'video_000003']);
		expect(paths()).toEqual(['GET /v1/videos?order=asc&limit=100', 'GET /v1/videos?order=asc&limit=100&after=video_000002']);
		const page = await runNode(video('list', { videoLimit: 1 }), { credentials: fixture.credentials() });
		expect(page.items.map((item) => item.json.id)).toEqual(['video_000003']);
	});

	it('remixes a completed video with a new prompt, and can wait for the remix', async () => {
		await seedVideos(1);
		fixture.server().videos.pollsToComplete = 1;
		const { items } = await runNode(video('remix', { videoId: 'video_000001', videoPrompt: 'Now at night', videoOptions: { completion: 'wait' } }), {
			credentials: fixture.credentials(),
		});
		expect(fixture.server().requests[0].body).toEqual({ prompt: 'Now at night' });
		expect(items[0].json).toMatchObject({ id: 'video_000002', status: 'completed', remixed_from_video_id: 'video_000001' });
	});

	it('gives an agent a compact job and tells it where the downloaded file is', async () => {
		fixture.server().videos.pollsToComplete = 1;
		const { items } = await runNode(create({ videoOptions: { completion: 'download' } }), { credentials: fixture.credentials(), asTool: true });
		expect(items[0].json).toEqual({
			id: 'video_000001',
			status: 'completed',
			model: 'sora-2',
			size: '720x1280',
			seconds: '4',
			file: expect.stringMatching(/^video_000001\.mp4 \(video\/mp4, .+\) in the binary field "data" of this tool's output$/),
		});
	});
});
