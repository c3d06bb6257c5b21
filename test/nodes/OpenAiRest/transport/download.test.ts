/** A streamed body read line by line. */
import { Readable } from 'node:stream';

import { readLines } from '../../../../nodes/OpenAiRest/transport/download';

describe('readLines', () => {
	const chunks = (...parts: Array<string | Buffer>) => Readable.from(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));

	it('yields each line once, across chunk edges, with \\n or \\r\\n ends and a last line without one', async () => {
		const lines: string[] = [];
		for await (const line of readLines(chunks('{"a":1}\n{"b"', ':2}\r\n', '\n', '{"c":3}'))) lines.push(line);

		expect(lines).toStrictEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
	});

	it('keeps a character whose UTF-8 bytes are split between chunks', async () => {
		const text = Buffer.from('Grüße\n€\n');
		const lines: string[] = [];
		for await (const line of readLines(chunks(text.subarray(0, 3), text.subarray(3, 10), text.subarray(10)))) lines.push(line);

		expect(lines).toStrictEqual(['Grüße', '€']);
	});

	it('refuses a line longer than the limit', async () => {
		const read = async () => {
			for await (const line of readLines(chunks('x'.repeat(10), 'y'.repeat(10)), 15)) void line;
		};
		await expect(read()).rejects.toThrow('A line is longer than 15 bytes');
	});
});
