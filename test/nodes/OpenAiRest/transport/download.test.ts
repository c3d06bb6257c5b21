/** A streamed body read line by line. */
import { Readable } from 'node:stream';

import type { IExecuteSingleFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { readLines, responseLines } from '../../../../nodes/OpenAiRest/transport/download';

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

describe('responseLines', () => {
	const context = (aborted = false) =>
		({ getNode: () => ({ name: 'OpenAI' }), getItemIndex: () => 3, getExecutionCancelSignal: () => ({ aborted }) }) as unknown as IExecuteSingleFunctions;
	/** A body that sends `parts`, then breaks off when `fail` is set. */
	const response = (parts: string[], fail: boolean, length = 100) => {
		const body = Readable.from(
			(async function* () {
				for (const part of parts) yield Buffer.from(part);
				if (fail) throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
			})(),
		);
		return { response: { body, headers: { 'content-length': String(length) }, statusCode: 200 } as unknown as IN8nHttpFullResponse, body };
	};
	const collect = async (lines: AsyncIterable<string>, upTo = Infinity) => {
		const seen: string[] = [];
		for await (const line of lines) {
			seen.push(line);
			if (seen.length >= upTo) break;
		}
		return seen;
	};

	it('yields the lines of a whole body, and of a Buffer body', async () => {
		expect(await collect(responseLines(context(), response(['{"a":1}\n{"b"', ':2}\n'], false).response, 'out.jsonl'))).toStrictEqual(['{"a":1}', '{"b":2}']);
		const buffered = { body: Buffer.from('x\ny'), headers: {}, statusCode: 200 } as unknown as IN8nHttpFullResponse;
		expect(await collect(responseLines(context(), buffered, 'out.jsonl'))).toStrictEqual(['x', 'y']);
	});

	it('fails a body that breaks off with the cut-off error, after the lines that came whole', async () => {
		const seen: string[] = [];
		const reading = (async () => {
			for await (const line of responseLines(context(), response(['a\nb\n', 'c'], true).response, 'out.jsonl')) seen.push(line);
		})();

		await expect(reading).rejects.toThrow('The download of "out.jsonl" was cut off after 5 of 100 bytes');
		expect(seen).toStrictEqual(['a', 'b']);
	});

	it('leaves a stop to the caller, and closes the body when the reader stops early', async () => {
		await expect(collect(responseLines(context(true), response(['a\n'], true).response, 'out.jsonl'))).rejects.toThrow('aborted');
		const { response: whole, body } = response(['a\nb\nc\n'], false);
		expect(await collect(responseLines(context(), whole, 'out.jsonl'), 1)).toStrictEqual(['a']);
		expect(body.destroyed).toBe(true);
	});
});
