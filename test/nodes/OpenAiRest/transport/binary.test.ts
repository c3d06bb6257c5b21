import {
	checkFileKind,
	checkFileSize,
	contentTypeOf,
	type InputFile,
	pngDimensions,
	slugOf,
	sniffFileKind,
	uploadFileName,
} from '../../../../nodes/OpenAiRest/transport/binary';
import { InvalidParameter } from '../../../../nodes/OpenAiRest/transport/errors';
import { makePng, PDF_FILE, wavFile } from '../../../support/binary';
import { speechAudio } from '../../../support/openai-server-binary';

const AUDIO = { extensions: ['mp3', 'wav'], unrecognised: /^audio\// };

const input = (data: Buffer, contentType = 'application/octet-stream', fileName = 'f'): InputFile => ({
	data,
	fileName,
	contentType,
	kind: sniffFileKind(data),
});

describe('sniffFileKind', () => {
	it.each([
		[makePng(2, 2, [0, 0, 0]), 'png'],
		[Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'jpg'],
		[Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 ', 'latin1'), 'webp'],
		[wavFile(), 'wav'],
		[PDF_FILE, 'pdf'],
		[speechAudio('x', 'mp3'), 'mp3'],
		[speechAudio('x', 'flac'), 'flac'],
		[speechAudio('x', 'opus'), 'ogg'],
		[Buffer.from('\x00\x00\x00\x20ftypM4A \x00', 'latin1'), 'm4a'],
		[Buffer.from('\x00\x00\x00\x20ftypisom\x00', 'latin1'), 'mp4'],
		[Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1]), 'webm'],
		[Buffer.from('PK\x03\x04', 'latin1'), 'zip'],
	])('recognises %#: %s', (data, extension) => {
		expect(sniffFileKind(data)?.extension).toBe(extension);
	});

	it('returns undefined for unknown bytes and for nothing', () => {
		expect(sniffFileKind(Buffer.from('plain words'))).toBeUndefined();
		expect(sniffFileKind(Buffer.alloc(0))).toBeUndefined();
	});
});

describe('pngDimensions', () => {
	it('reads width and height from the header, and nothing from other data', () => {
		expect(pngDimensions(makePng(7, 5, [1, 2, 3]))).toStrictEqual({ width: 7, height: 5 });
		expect(pngDimensions(PDF_FILE)).toBeUndefined();
		expect(pngDimensions(makePng(7, 5, [1, 2, 3]).subarray(0, 20))).toBeUndefined();
	});
});

describe('uploadFileName', () => {
	it('keeps a name with an extension, adds the sniffed one otherwise, and falls back to the field', () => {
		const wav = sniffFileKind(wavFile());
		expect(uploadFileName('memo.ogg', wav, 'data')).toBe('memo.ogg');
		expect(uploadFileName('memo', wav, 'data')).toBe('memo.wav');
		expect(uploadFileName(undefined, wav, 'voice')).toBe('voice.wav');
		expect(uploadFileName('  ', undefined, 'voice')).toBe('voice');
	});
});

describe('checkFileSize', () => {
	it('passes up to the limit, refuses above it and refuses an empty file', () => {
		expect(() => checkFileSize(input(Buffer.alloc(10)), 10, 'Field', 'x')).not.toThrow();
		expect(() => checkFileSize(input(Buffer.alloc(11), 'a/b', 'big.bin'), 10, 'Field', 'the endpoint')).toThrow(
			new InvalidParameter('Field', '"big.bin" is 11 bytes; the endpoint accepts at most 10 bytes'),
		);
		expect(() => checkFileSize(input(Buffer.alloc(0), 'a/b', 'e.bin'), 10, 'Field', 'x')).toThrow('"e.bin" is empty');
	});

	it('writes sizes in megabytes with one decimal', () => {
		const mb = 1024 * 1024;
		expect(() => checkFileSize(input(Buffer.alloc(Math.round(4.5 * mb)), 'a/b', 'p.png'), 4 * mb, 'Field', 'dall-e-2')).toThrow(
			'"p.png" is 4.5 MB; dall-e-2 accepts at most 4 MB',
		);
	});
});

describe('checkFileKind', () => {
	it('accepts a recognised accepted type, and unrecognised bytes of an accepted declared type', () => {
		expect(() => checkFileKind(input(wavFile()), AUDIO, 'Field', 'audio')).not.toThrow();
		expect(() => checkFileKind(input(Buffer.from('??'), 'audio/x-custom'), AUDIO, 'Field', 'audio')).not.toThrow();
	});

	it('refuses recognised types the endpoint does not take, whatever the declared type says', () => {
		expect(() => checkFileKind(input(PDF_FILE, 'audio/wav', 'r.pdf'), AUDIO, 'Field', 'audio')).toThrow(
			'"r.pdf" is a PDF file; audio accepts mp3, wav',
		);
	});

	it('refuses unrecognised bytes of another declared type, and everything unrecognised without a rule', () => {
		expect(() => checkFileKind(input(Buffer.from('hi'), 'text/plain', 'n.txt'), AUDIO, 'Field', 'audio')).toThrow(
			'"n.txt" is of type text/plain; audio accepts mp3, wav',
		);
		expect(() => checkFileKind(input(Buffer.from('hi'), 'image/png'), { extensions: ['png'] }, 'Field', 'x')).toThrow('is of type image/png');
	});
});

describe('slugOf and contentTypeOf', () => {
	it('makes a file name stem of the first words', () => {
		expect(slugOf('Hello, Wörld! How are you today? This is a long sentence that goes on')).toBe(
			'hello-world-how-are-you-today-this-is-a-long-sen',
		);
		expect(slugOf('!!!')).toBe('');
	});

	it('reads a MIME type without parameters, and nothing from application/octet-stream', () => {
		expect(contentTypeOf({ 'content-type': 'Audio/MPEG; charset=binary' })).toBe('audio/mpeg');
		expect(contentTypeOf({ 'content-type': 'application/octet-stream' })).toBeUndefined();
		expect(contentTypeOf({})).toBeUndefined();
	});
});
