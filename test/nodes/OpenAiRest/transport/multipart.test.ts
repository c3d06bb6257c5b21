import {
	boundaryFor,
	encodeMultipart,
	multipartRequest,
	textFields,
} from '../../../../nodes/OpenAiRest/transport/multipart';
import { formObject, parseMultipart, sha256 } from '../../../support/multipart';

const EVERY_BYTE = Buffer.from(Array.from({ length: 512 }, (_, index) => index % 256));

describe('encodeMultipart', () => {
	it('writes text and file parts exactly as RFC 7578 asks', () => {
		const body = encodeMultipart(
			[
				{ name: 'model', value: 'whisper-1' },
				{ name: 'file', value: { data: Buffer.from('RIFF'), fileName: 'a.wav', contentType: 'audio/wav' } },
			],
			'XyZ',
		);
		expect(body.toString('latin1')).toBe(
			'--XyZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n' +
				'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\r\n' +
				'--XyZ--\r\n',
		);
	});

	it('keeps every byte of a binary file and UTF-8 text, and a parser reads them back', () => {
		const body = encodeMultipart(
			[
				{ name: 'prompt', value: 'Grüße, 日本\r\n--not-a-boundary' },
				{ name: 'file', value: { data: EVERY_BYTE, fileName: 'bytes.bin', contentType: 'application/octet-stream' } },
			],
			'b0und',
		);
		const parts = parseMultipart(body, 'multipart/form-data; boundary=b0und');
		expect(parts.map((part) => part.name)).toStrictEqual(['prompt', 'file']);
		expect(parts[0].data.toString('utf8')).toBe('Grüße, 日本\r\n--not-a-boundary');
		expect(parts[1].fileName).toBe('bytes.bin');
		expect(sha256(parts[1].data)).toBe(sha256(EVERY_BYTE));
	});

	it('percent-encodes quotes and line breaks in names and file names, keeps UTF-8 file names', () => {
		const body = encodeMultipart(
			[{ name: 'file', value: { data: Buffer.from('x'), fileName: 'my "best"\r\nclip äö.mp3', contentType: 'audio/mpeg' } }],
			'B',
		);
		expect(body.toString('utf8')).toContain('filename="my %22best%22%0D%0Aclip äö.mp3"');
	});
});

describe('boundaryFor', () => {
	it('draws again when the boundary occurs in a part', () => {
		const draws = ['aaa', 'bbb'];
		const fields = [{ name: 'prompt', value: 'text with ----n8nOpenAiRestaaa inside' }];
		expect(boundaryFor(fields, () => draws.shift()!)).toBe('----n8nOpenAiRestbbb');
	});

	it('checks file bytes too', () => {
		const data = Buffer.from('xx----n8nOpenAiRestaaaxx');
		const draws = ['aaa', 'ccc'];
		expect(boundaryFor([{ name: 'f', value: { data, fileName: 'f', contentType: 'text/plain' } }], () => draws.shift()!)).toBe(
			'----n8nOpenAiRestccc',
		);
	});
});

describe('textFields', () => {
	it('encodes scalars as text, arrays as name[] and objects as name[key], dropping empty values', () => {
		const fields = textFields({
			model: 'whisper-1',
			temperature: 0.5,
			stream: false,
			timestamp_granularities: ['word', 'segment'],
			chunking_strategy: { type: 'server_vad', threshold: 0.4 },
			prompt: undefined,
			language: null,
		});
		expect(fields).toStrictEqual([
			{ name: 'model', value: 'whisper-1' },
			{ name: 'temperature', value: '0.5' },
			{ name: 'stream', value: 'false' },
			{ name: 'timestamp_granularities[]', value: 'word' },
			{ name: 'timestamp_granularities[]', value: 'segment' },
			{ name: 'chunking_strategy[type]', value: 'server_vad' },
			{ name: 'chunking_strategy[threshold]', value: '0.4' },
		]);
		const body = encodeMultipart(fields, 'q');
		expect(formObject(parseMultipart(body, 'multipart/form-data; boundary=q'))).toStrictEqual({
			model: 'whisper-1',
			temperature: '0.5',
			stream: 'false',
			timestamp_granularities: ['word', 'segment'],
			chunking_strategy: { type: 'server_vad', threshold: '0.4' },
		});
	});
});

describe('multipartRequest', () => {
	it('replaces the JSON content type with the multipart one and keeps the other options', () => {
		const options = multipartRequest(
			{ method: 'POST', url: '/audio/transcriptions', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: {} },
			[{ name: 'model', value: 'whisper-1' }],
		);
		const contentType = (options.headers as Record<string, string>)['Content-Type'];
		expect(contentType).toMatch(/^multipart\/form-data; boundary=----n8nOpenAiRest[0-9a-f]{32}$/);
		expect(options.headers).toStrictEqual({ Accept: 'application/json', 'Content-Type': contentType });
		expect(Buffer.isBuffer(options.body)).toBe(true);
		expect(formObject(parseMultipart(options.body as Buffer, contentType))).toStrictEqual({ model: 'whisper-1' });
		expect(options).toMatchObject({ method: 'POST', url: '/audio/transcriptions' });
	});
});

describe('parseMultipart (test support)', () => {
	it('refuses a body without its closing boundary', () => {
		const body = encodeMultipart([{ name: 'a', value: 'b' }], 'Z').subarray(0, -8);
		expect(() => parseMultipart(body, 'multipart/form-data; boundary=Z')).toThrow('missing closing boundary');
	});

	it('refuses a plain field given twice', () => {
		const body = encodeMultipart(
			[
				{ name: 'model', value: 'a' },
				{ name: 'model', value: 'b' },
			],
			'Z',
		);
		expect(() => formObject(parseMultipart(body, 'multipart/form-data; boundary=Z'))).toThrow('field model given twice');
	});
});
