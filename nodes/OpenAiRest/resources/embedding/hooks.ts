/**
 * Pure helpers of Embedding → Create: input checks, base64 as the default wire format, and decoding
 * base64 back to the exact numbers a float response carries.
 */
import type { IDataObject, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import { pairedItems } from '../../fields/output';
import { simplifyName } from '../../transport/parameters';
import { compactEmbedding } from '../../fields/tool';
import { runsAsTool } from '../../transport/errors';
import { InvalidParameter } from '../../transport/errors';

export const MAX_EMBEDDING_INPUTS = 2048;
const INPUT_LABEL = 'Input';

const isTokenArray = (value: unknown): value is number[] =>
	Array.isArray(value) && value.length > 0 && value.every((token) => Number.isInteger(token));

/**
 * Checks `input`: a text, or (from an expression) an array of texts, of token IDs, or of token ID arrays, at
 * most 2,048 entries. A text is never parsed, so one that starts with "[" stays a text.
 */
export function checkEmbeddingInput(input: unknown): unknown {
	const value = input;
	if (typeof value === 'string') {
		if (!value.trim()) throw new InvalidParameter(INPUT_LABEL, 'must not be empty');
		return value;
	}
	if (!Array.isArray(value)) throw new InvalidParameter(INPUT_LABEL, 'must be a text or an array of texts or token arrays');
	if (!value.length) throw new InvalidParameter(INPUT_LABEL, 'must contain at least one text');
	if (value.length > MAX_EMBEDDING_INPUTS) {
		throw new InvalidParameter(INPUT_LABEL, `allows at most ${MAX_EMBEDDING_INPUTS} entries, got ${value.length}`);
	}
	const valid =
		value.every((entry) => typeof entry === 'string' && entry.trim() !== '') ||
		isTokenArray(value) ||
		value.every(isTokenArray);
	if (!valid) {
		throw new InvalidParameter(INPUT_LABEL, 'must hold only non-empty texts, only token IDs, or only arrays of token IDs');
	}
	return value;
}

/** preSend body transform: checks input and dimensions, and asks for base64 unless Encoding Format says float. */
export function buildEmbeddingBody(body: IDataObject): void {
	body.input = checkEmbeddingInput(body.input) as IDataObject['input'];
	if (body.dimensions !== undefined && String(body.model).startsWith('text-embedding-ada-002')) {
		throw new InvalidParameter('Dimensions', 'is only supported by text-embedding-3 models, not text-embedding-ada-002');
	}
	body.encoding_format ??= 'base64';
}

/** The shortest decimal that reads back as the same float32, which is how OpenAI writes float embeddings. */
export function shortestFloat32(value: number): number {
	for (let digits = 1; digits < 9; digits++) {
		const candidate = Number(value.toPrecision(digits));
		if (Math.fround(candidate) === value) return candidate;
	}
	return Number(value.toPrecision(9));
}

/** Decodes OpenAI's base64 embedding (little-endian float32) into the numbers a float response holds. */
export function decodeBase64Embedding(encoded: string): number[] {
	const bytes = Buffer.from(encoded, 'base64');
	const count = Math.floor(bytes.length / 4);
	const values = new Array<number>(count);
	for (let index = 0; index < count; index++) values[index] = shortestFloat32(bytes.readFloatLE(index * 4));
	return values;
}

/** Replaces each base64 embedding of a list response by its floats, in place. */
export function decodeEmbeddingList(body: IDataObject): IDataObject {
	for (const entry of (body.data as IDataObject[] | undefined) ?? []) {
		if (typeof entry.embedding === 'string') entry.embedding = decodeBase64Embedding(entry.embedding);
	}
	return body;
}

/** One row per embedding: the vector, its input's index, the model and the request's usage. */
export function simplifyEmbeddingList(body: IDataObject): IDataObject[] {
	return ((body.data as IDataObject[] | undefined) ?? []).map((entry) => ({
		embedding: entry.embedding,
		index: entry.index,
		model: body.model,
		...(body.usage ? { usage: body.usage } : {}),
	}));
}

// ---------------------------------------------------------------------------------------------
// n8n hooks
// ---------------------------------------------------------------------------------------------

/** postReceive: base64 embeddings become numbers; with Simplify on, one row per embedding. */
export async function outputEmbeddings(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const simplify = this.getNodeParameter(simplifyName('embedding'), true) as boolean;
	const lists = items.map((item) => decodeEmbeddingList(item.json));
	if (!simplify) return pairedItems(this, lists);
	const rows = lists.flatMap(simplifyEmbeddingList);
	return pairedItems(this, runsAsTool(this) ? rows.map(compactEmbedding) : rows);
}
