import type { IDataObject } from 'n8n-workflow';

import {
	buildEmbeddingBody,
	checkEmbeddingInput,
	decodeBase64Embedding,
	decodeEmbeddingList,
	MAX_EMBEDDING_INPUTS,
	shortestFloat32,
	simplifyEmbeddingList,
} from '../../../../../nodes/OpenAiRest/resources/embedding/hooks';
import { InvalidParameter } from '../../../../../nodes/OpenAiRest/transport/errors';

/** Little-endian float32 bytes in base64, written independently of the decoder under test. */
function base64Of(values: number[]): string {
	return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

describe('checkEmbeddingInput', () => {
	it('accepts a text, texts, token IDs and token ID arrays', () => {
		expect(checkEmbeddingInput('hello')).toBe('hello');
		expect(checkEmbeddingInput(['a', 'b'])).toEqual(['a', 'b']);
		expect(checkEmbeddingInput([1, 2, 3])).toEqual([1, 2, 3]);
		expect(checkEmbeddingInput([[1, 2], [3]])).toEqual([[1, 2], [3]]);
		expect(checkEmbeddingInput('[1] Introduction')).toBe('[1] Introduction');
	});

	it.each([
		['', 'Input: must not be empty'],
		['   ', 'Input: must not be empty'],
		[[], 'Input: must contain at least one text'],
		[['a', ''], 'Input: must hold only non-empty texts, only token IDs, or only arrays of token IDs'],
		[['a', 1], 'Input: must hold only non-empty texts, only token IDs, or only arrays of token IDs'],
		[[[1], []], 'Input: must hold only non-empty texts, only token IDs, or only arrays of token IDs'],
		[{ text: 'a' }, 'Input: must be a text or an array of texts or token arrays'],
	])('rejects %j', (input, message) => {
		expect(() => checkEmbeddingInput(input)).toThrow(InvalidParameter);
		expect(() => checkEmbeddingInput(input)).toThrow(message);
	});

	it('allows 2,048 inputs and no more', () => {
		const texts = Array.from({ length: MAX_EMBEDDING_INPUTS }, (_, index) => `text ${index}`);
		expect(checkEmbeddingInput(texts)).toHaveLength(MAX_EMBEDDING_INPUTS);
		expect(() => checkEmbeddingInput([...texts, 'one more'])).toThrow('Input: allows at most 2048 entries, got 2049');
	});
});

describe('buildEmbeddingBody', () => {
	it('asks for base64 by default and keeps an explicit float', () => {
		const body: IDataObject = { model: 'text-embedding-3-small', input: 'x' };
		buildEmbeddingBody(body);
		expect(body.encoding_format).toBe('base64');
		const float: IDataObject = { model: 'text-embedding-3-small', input: 'x', encoding_format: 'float' };
		buildEmbeddingBody(float);
		expect(float.encoding_format).toBe('float');
	});

	it('rejects dimensions with text-embedding-ada-002 only', () => {
		expect(() => buildEmbeddingBody({ model: 'text-embedding-ada-002', input: 'x', dimensions: 256 })).toThrow(
			'Dimensions: is only supported by text-embedding-3 models, not text-embedding-ada-002',
		);
		const body = { model: 'text-embedding-3-large', input: 'x', dimensions: 256 };
		expect(() => buildEmbeddingBody(body)).not.toThrow();
	});
});

describe('base64 decoding', () => {
	// OpenAI's example values, as its float JSON writes them, and values at float32's edges.
	const FLOATS = [0.0023064255, -0.009327292, -0.0028842222, 0, 1, -1, 0.1, 1e-7, 3.4028235e38, 1.1754944e-38, 0.333333, -0.5];

	it('gives the exact numbers of the float encoding, bit for bit', () => {
		const decoded = decodeBase64Embedding(base64Of(FLOATS));
		expect(decoded).toEqual(FLOATS);
		decoded.forEach((value, index) => expect(Object.is(value, FLOATS[index])).toBe(true));
	});

	it('reads back as the same float32 as the wire bytes', () => {
		const bytes = Buffer.from(base64Of(FLOATS), 'base64');
		decodeBase64Embedding(base64Of(FLOATS)).forEach((value, index) => {
			expect(Math.fround(value)).toBe(bytes.readFloatLE(index * 4));
		});
	});

	it('shortestFloat32 picks the fewest digits', () => {
		expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
		expect(shortestFloat32(Math.fround(0.0023064255))).toBe(0.0023064255);
		expect(shortestFloat32(Math.fround(16777217))).toBe(16777216);
	});

	it('decodes only base64 entries of a list, and simplifies to one row per embedding', () => {
		const body = {
			object: 'list',
			model: 'text-embedding-3-small',
			usage: { prompt_tokens: 2, total_tokens: 2 },
			data: [
				{ object: 'embedding', index: 0, embedding: base64Of([0.5, -0.25]) },
				{ object: 'embedding', index: 1, embedding: [0.125] },
			],
		};
		decodeEmbeddingList(body);
		expect(body.data.map((entry) => entry.embedding)).toEqual([[0.5, -0.25], [0.125]]);
		expect(simplifyEmbeddingList(body)).toEqual([
			{ embedding: [0.5, -0.25], index: 0, model: 'text-embedding-3-small', usage: body.usage },
			{ embedding: [0.125], index: 1, model: 'text-embedding-3-small', usage: body.usage },
		]);
	});
});
