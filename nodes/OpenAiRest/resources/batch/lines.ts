import type { BatchLine } from './gather';

/** The Batch API's limits of one input file. Tests lower them; nothing else changes them. */
export const BATCH_LIMITS = {
	requests: 50_000,
	bytes: 200 * 1024 * 1024,
	/** An embeddings batch also counts its inputs across all requests. */
	embeddingInputs: 50_000,
};

export interface Chunk<T> {
	entries: T[];
	/** The JSONL text of the entries' lines, one line each with a final newline. */
	text: string;
}

/** Number of embedding inputs a line carries (0 for other endpoints). */
export function embeddingInputs(line: BatchLine): number {
	if (line.url !== '/v1/embeddings') return 0;
	const input = (line.body as { input?: unknown }).input;
	return Array.isArray(input) ? input.length : 1;
}

/**
 * Splits lines into input files within the limits, keeping their order. A line that alone breaks a limit
 * is reported through `tooLarge`.
 */
export function splitIntoFiles<T>(
	entries: readonly T[],
	lineOf: (entry: T) => BatchLine,
	limits = BATCH_LIMITS,
	tooLarge: (entry: T, bytes: number) => Error = (_entry, bytes) => new Error(`A request line of ${bytes} bytes exceeds the batch file limit of ${limits.bytes} bytes`),
): Array<Chunk<T>> {
	const chunks: Array<Chunk<T>> = [];
	let entriesOfChunk: T[] = [];
	let texts: string[] = [];
	let bytes = 0;
	let inputs = 0;
	const close = () => {
		if (entriesOfChunk.length) chunks.push({ entries: entriesOfChunk, text: texts.join('') });
		entriesOfChunk = [];
		texts = [];
		bytes = 0;
		inputs = 0;
	};
	for (const entry of entries) {
		const line = lineOf(entry);
		const text = `${JSON.stringify(line)}\n`;
		const size = Buffer.byteLength(text, 'utf8');
		const count = embeddingInputs(line);
		if (size > limits.bytes || count > limits.embeddingInputs) throw tooLarge(entry, size);
		if (entriesOfChunk.length + 1 > limits.requests || bytes + size > limits.bytes || inputs + count > limits.embeddingInputs) close();
		entriesOfChunk.push(entry);
		texts.push(text);
		bytes += size;
		inputs += count;
	}
	close();
	return chunks;
}
