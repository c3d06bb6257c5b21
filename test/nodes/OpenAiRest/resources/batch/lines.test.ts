import type { BatchLine } from '../../../../../nodes/OpenAiRest/resources/batch/gather';
import { BATCH_LIMITS, embeddingInputs, splitIntoFiles } from '../../../../../nodes/OpenAiRest/resources/batch/lines';
import { outcomesInOrder, parseJsonLines, submittedLines } from '../../../../../nodes/OpenAiRest/resources/batch/results';

const chat = (id: string, text = 'Hi'): BatchLine => ({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] } });
const embedding = (id: string, inputs: number): BatchLine => ({ custom_id: id, method: 'POST', url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: Array(inputs).fill('x') } });
const same = <T>(line: T) => line;
const fail = (message: string) => new Error(message);

describe('splitIntoFiles', () => {
	it('keeps everything in one JSONL file within the limits, one line per request, in order', () => {
		const [only, ...rest] = splitIntoFiles([chat('a'), chat('b')], same);
		expect(rest).toEqual([]);
		expect(only.text).toBe(`${JSON.stringify(chat('a'))}\n${JSON.stringify(chat('b'))}\n`);
		expect(only.entries.map((line) => line.custom_id)).toEqual(['a', 'b']);
	});

	it('starts a new file at the request count, the byte size and the embedding-input limits', () => {
		const lines = ['a', 'b', 'c', 'd', 'e'].map((id) => chat(id));
		const ids = (chunks: ReturnType<typeof splitIntoFiles<BatchLine>>) => chunks.map((chunk) => chunk.entries.map((line) => line.custom_id));
		expect(ids(splitIntoFiles(lines, same, { ...BATCH_LIMITS, requests: 2 }))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
		const lineBytes = Buffer.byteLength(`${JSON.stringify(chat('a'))}\n`);
		expect(ids(splitIntoFiles(lines, same, { ...BATCH_LIMITS, bytes: lineBytes * 3 }))).toEqual([['a', 'b', 'c'], ['d', 'e']]);
		const embeddings = [embedding('a', 3), embedding('b', 3), embedding('c', 1)];
		expect(ids(splitIntoFiles(embeddings, same, { ...BATCH_LIMITS, embeddingInputs: 4 }))).toEqual([['a'], ['b', 'c']]);
		// Every file stays within the byte limit.
		for (const chunk of splitIntoFiles(lines, same, { ...BATCH_LIMITS, bytes: lineBytes * 2 })) expect(Buffer.byteLength(chunk.text)).toBeLessThanOrEqual(lineBytes * 2);
	});

	it('refuses a line no file can hold', () => {
		expect(() => splitIntoFiles([chat('a', 'x'.repeat(500))], same, { ...BATCH_LIMITS, bytes: 100 })).toThrow('exceeds the batch file limit of 100 bytes');
		expect(embeddingInputs(embedding('a', 7))).toBe(7);
		expect(embeddingInputs(chat('a'))).toBe(0);
	});
});

describe('batch result files', () => {
	const answer = (id: string, status = 200, body: unknown = { ok: id }) => ({ id: `r-${id}`, custom_id: id, response: { status_code: status, request_id: `req-${id}`, body }, error: null });

	it('parses JSONL line by line and names a broken line', async () => {
		await expect(parseJsonLines(['{"a":1}', '', '{"a":2}'], 'output file', fail)).resolves.toEqual([{ a: 1 }, { a: 2 }]);
		await expect(parseJsonLines(['{"a":1}', '{oops'], 'output file', fail)).rejects.toThrow('Line 2 of the output file is not valid JSON');
		await expect(submittedLines([JSON.stringify(chat('x')), JSON.stringify(chat('y'))], fail)).resolves.toEqual([
			{ customId: 'x', body: chat('x').body },
			{ customId: 'y', body: chat('y').body },
		]);
	});

	it('orders results by the submitted lines: answers, failures, expiries and lines never run', () => {
		const outcomes = outcomesInOrder(
			['a', 'b', 'c', 'd'],
			[answer('c'), answer('a')],
			[answer('b', 400, { error: { message: 'bad' } }), { custom_id: 'd', response: null, error: { code: 'batch_expired', message: 'late' } }],
		);
		expect(outcomes).toEqual([
			{ customId: 'a', line: 1, kind: 'answer', body: { ok: 'a' }, requestId: 'req-a' },
			{ customId: 'b', line: 2, kind: 'failed', status: 400, body: { error: { message: 'bad' } }, error: null },
			{ customId: 'c', line: 3, kind: 'answer', body: { ok: 'c' }, requestId: 'req-c' },
			{ customId: 'd', line: 4, kind: 'failed', status: undefined, body: undefined, error: { code: 'batch_expired', message: 'late' } },
		]);
		expect(outcomesInOrder(['a', 'b'], [answer('a')], [])[1]).toEqual({ customId: 'b', line: 2, kind: 'missing' });
	});
});
