/** The test server's video endpoints, called over HTTP the way any client would; answers checked against the spec. */
import { makePng } from './png';
import { type OpenAiServer, startOpenAiServer } from './openai-server';
import { apiClient, AUTH as auth, type Json } from './api-client';
import { FAIL_MARKER, matchVideoRoute, videoContent } from './openai-server-videos';
import { sha256 } from './multipart';
import { readExample, requireSpec, toValidate, validateRequest } from './spec';

const withSpec = requireSpec('test server answers against the spec') ? it : it.skip;

describe('test server: videos', () => {
	let server: OpenAiServer;
	const { call, ok } = apiClient(() => server);
	const content = (id: string, variant?: string) =>
		fetch(`${server.baseUrl()}/videos/${id}/content${variant ? `?variant=${variant}` : ''}`, { headers: auth });
	const pollUntilDone = async (id: string) => {
		for (let poll = 0; poll < 10; poll++) {
			const video = await ok('GET', `/videos/${id}`);
			if (video.status === 'completed' || video.status === 'failed') return video;
		}
		throw new Error('never done');
	};

	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	it('routes the video paths by method', () => {
		expect(matchVideoRoute('GET', '/v1/videos/video_1/content')).toEqual({ kind: 'video', operation: 'content', path: '/videos/video_1/content', videoId: 'video_1' });
		expect(matchVideoRoute('POST', '/v1/videos/video_1/remix')).toMatchObject({ operation: 'remix' });
		expect(matchVideoRoute('POST', '/v1/videos')).toMatchObject({ operation: 'create', path: '/videos' });
		expect(matchVideoRoute('PUT', '/v1/videos/video_1')).toBeUndefined();
	});

	it('creates a queued job from JSON, shaped like OpenAI\'s example, that completes after the set polls', async () => {
		const video = await ok('POST', '/videos', { prompt: 'A calico cat playing a piano on stage', model: 'sora-2-pro', size: '1024x1792', seconds: '8' });
		const example = JSON.parse(readExample('latest', 'createVideo-0-Default.json') ?? '{}') as Json;
		for (const key of Object.keys(example).filter((key) => key !== 'quality')) expect(video).toHaveProperty(key);
		expect(video).toMatchObject({ id: 'video_000001', object: 'video', model: 'sora-2-pro', status: 'queued', progress: 0, size: '1024x1792', seconds: '8' });
		expect(await ok('GET', '/videos/video_000001')).toMatchObject({ status: 'in_progress', progress: 50 });
		expect(await ok('GET', '/videos/video_000001')).toMatchObject({ status: 'completed', progress: 100, error: null });
		expect((await ok('GET', '/videos/video_000001')).status).toBe('completed');
	});

	it('fails a prompt with the fail marker', async () => {
		await ok('POST', '/videos', { prompt: `boom ${FAIL_MARKER}` });
		expect(await pollUntilDone('video_000001')).toMatchObject({ status: 'failed', error: { code: 'moderation_blocked' } });
	});

	withSpec('takes an input reference as multipart, which conforms to the spec, and checks its size', async () => {
		const png = makePng(720, 1280, [10, 20, 30]);
		const form = new FormData();
		form.append('prompt', 'Make it move');
		form.append('seconds', '4');
		form.append('input_reference', new Blob([png], { type: 'image/png' }), 'first-frame.png');
		expect(await ok('POST', '/videos', form)).toMatchObject({ status: 'queued', size: '720x1280' });
		expect(server.videos.videos.get('video_000001')?.reference).toEqual({ fileName: 'first-frame.png', contentType: 'image/png', bytes: png.length, sha256: sha256(png) });
		expect(validateRequest(toValidate(server.requests[0])).errors).toEqual([]);

		const wrongSize = new FormData();
		wrongSize.append('prompt', 'x');
		wrongSize.append('size', '1280x720');
		wrongSize.append('input_reference', new Blob([png], { type: 'image/png' }), 'a.png');
		expect((await call('POST', '/videos', wrongSize)).body.error.message).toBe('Inpaint image must match the requested width and height (got 720x1280, expected 1280x720).');
		const wrongType = new FormData();
		wrongType.append('prompt', 'x');
		wrongType.append('input_reference', new Blob(['GIF89a'], { type: 'image/gif' }), 'a.gif');
		expect((await call('POST', '/videos', wrongType)).body.error.code).toBe('unsupported_file_type');
	});

	it.each([
		[{}, "Missing required parameter: 'prompt'."],
		[{ prompt: 'x', model: 'sora-3' }, "Invalid value: 'sora-3'. Supported values are: 'sora-2', 'sora-2-pro', 'sora-2-2025-10-06', 'sora-2-pro-2025-10-06', 'sora-2-2025-12-08'."],
		[{ prompt: 'x', size: '1792x1024' }, "Invalid value: '1792x1024'. Supported values are: '720x1280', '1280x720'."],
		[{ prompt: 'x', seconds: 5 }, "Invalid value: '5'. Supported values are: '4', '8', '12'."],
	])('refuses a bad Create %j', async (body, message) => {
		const answer = await call('POST', '/videos', body);
		expect({ status: answer.status, message: answer.body.error.message }).toEqual({ status: 400, message });
	});

	it('serves each content variant with its type once completed, not before', async () => {
		server.videos.contentBytes = 10000;
		await ok('POST', '/videos', { prompt: 'x' });
		const early = await content('video_000001');
		expect(early.status).toBe(400);
		expect(((await early.json()) as Json).error.code).toBe('video_not_ready');
		await pollUntilDone('video_000001');
		for (const [variant, type, magic] of [
			[undefined, 'video/mp4', 'ftyp'],
			['thumbnail', 'image/webp', 'WEBP'],
			['spritesheet', 'image/jpeg', '\xff\xd8\xff'],
		] as const) {
			const response = await content('video_000001', variant);
			const data = Buffer.from(await response.arrayBuffer());
			expect(response.headers.get('content-type')).toBe(type);
			expect(data.toString('latin1')).toContain(magic);
			expect(data.equals(videoContent('video_000001', variant ?? 'video', 10000))).toBe(true);
		}
		expect((await content('video_000001')).headers.get('content-length')).toBe('10000');
		expect((await content('video_000001', 'poster')).status).toBe(400);
	});

	it('remixes a completed video only, lists in pages and deletes', async () => {
		await ok('POST', '/videos', { prompt: 'one', size: '1280x720', seconds: '12' });
		expect((await call('POST', '/videos/video_000001/remix', { prompt: 'two' })).body.error.code).toBe('invalid_state');
		await pollUntilDone('video_000001');
		const remix = await ok('POST', '/videos/video_000001/remix', { prompt: 'two' });
		const example = JSON.parse(readExample('latest', 'CreateVideoRemix-0-Default.json') ?? '{}') as Json;
		for (const key of Object.keys(example)) expect(remix).toHaveProperty(key);
		expect(remix).toMatchObject({ id: 'video_000002', status: 'queued', size: '1280x720', seconds: '12', remixed_from_video_id: 'video_000001', prompt: 'two' });
		await ok('POST', '/videos', { prompt: 'three' });
		server.videos.maxPerPage = 2;
		const first = await ok('GET', '/videos?limit=100');
		expect(first).toMatchObject({ object: 'list', first_id: 'video_000003', last_id: 'video_000002', has_more: true });
		expect((await ok('GET', `/videos?after=${first.last_id}`)).data.map((video: Json) => video.id)).toEqual(['video_000001']);
		expect(await ok('DELETE', '/videos/video_000002')).toEqual({ id: 'video_000002', object: 'video.deleted', deleted: true });
		expect(await call('GET', '/videos/video_000002')).toEqual({
			status: 404,
			body: { error: { message: "Video with id 'video_000002' not found.", type: 'invalid_request_error', param: null, code: 'not_found' } },
		});
	});
});
