import type { IDataObject } from 'n8n-workflow';

/** One line of a batch's output or error file. */
export interface ResultLine {
	id?: string;
	custom_id: string;
	response: { status_code: number; request_id?: string; body: unknown } | null;
	error: { code?: string; message?: string } | null;
}

/** What became of one request line, in the order the lines were submitted. */
export type Outcome =
	| { customId: string; line: number; kind: 'answer'; body: IDataObject; requestId?: string }
	| { customId: string; line: number; kind: 'failed'; status?: number; body?: unknown; error?: ResultLine['error'] }
	| { customId: string; line: number; kind: 'missing' };

/** Parses the lines of a JSONL file; `where` names the file in the error `fail` makes of a broken line. */
export async function parseJsonLines<T>(lines: AsyncIterable<string> | Iterable<string>, where: string, fail: (message: string) => Error): Promise<T[]> {
	const rows: T[] = [];
	let number = 0;
	for await (const text of lines) {
		number++;
		const line = text.trim();
		if (line === '') continue;
		try {
			rows.push(JSON.parse(line) as T);
		} catch {
			throw fail(`Line ${number} of the ${where} is not valid JSON`);
		}
	}
	return rows;
}

/** The custom_id and body of each line of an input file, in order. */
export async function submittedLines(lines: AsyncIterable<string> | Iterable<string>, fail: (message: string) => Error): Promise<Array<{ customId: string; body: IDataObject }>> {
	return (await parseJsonLines<{ custom_id: string; body?: IDataObject }>(lines, 'input file', fail)).map((line) => ({
		customId: String(line.custom_id),
		body: line.body ?? {},
	}));
}

/**
 * Orders the output and error lines by the input file's lines: an answer with a 2xx status, a failure
 * (other status, or an error such as batch_expired), or missing (never run: a cancelled or failed batch).
 */
export function outcomesInOrder(ids: readonly string[], output: readonly ResultLine[], errors: readonly ResultLine[]): Outcome[] {
	const byId = new Map<string, ResultLine>();
	for (const line of [...errors, ...output]) byId.set(String(line.custom_id), line);
	return ids.map((customId, index): Outcome => {
		const line = index + 1;
		const result = byId.get(customId);
		if (!result) return { customId, line, kind: 'missing' };
		const status = result.response?.status_code;
		if (!result.error && status !== undefined && status >= 200 && status < 300) {
			return { customId, line, kind: 'answer', body: (result.response?.body ?? {}) as IDataObject, requestId: result.response?.request_id };
		}
		return { customId, line, kind: 'failed', status, body: result.response?.body, error: result.error };
	});
}
