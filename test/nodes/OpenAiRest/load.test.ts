/**
 * 10,000 items with one in seven failing, half of those before sending (an empty message list from
 * an expression) and half at the API (a 400 for their message): Continue On Fail keeps every item,
 * in order, paired with its input.
 *
 * The messages come from one expression, evaluated as often as the engine must (see expression-cost).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../support/engine';
import { type ServerProcess, startServerProcess } from '../../support/server-process';

const KEY = 'canary-SECRET-key-0123456789abcdef';
const COUNT = 10_000;
const API_ERROR = "Invalid value for 'messages': rejected by the test.";
const VALIDATION_ERROR = (index: number) => `Invalid "Messages" in item ${index}: must contain at least one message`;

// In a process of its own: 10,000 client and 10,000 server sockets would share one file-descriptor limit.
let server: ServerProcess;

beforeAll(async () => {
	server = await startServerProcess({
		server: { apiKey: KEY },
		rejectContentPrefix: 'reject',
		rejectFault: { status: 400, body: { error: { message: API_ERROR, type: 'invalid_request_error', param: 'messages', code: null } } },
	});
});
afterAll(async () => await server?.close());

type Fate = 'ok' | 'invalid' | 'rejected';

/** Every 7th item fails: alternately by validation and by the API. */
function fateOf(index: number): Fate {
	if (index % 7 !== 6) return 'ok';
	return index % 14 === 6 ? 'invalid' : 'rejected';
}

function inputItems(): IDataObject[] {
	return Array.from({ length: COUNT }, (_, index) => {
		const fate = fateOf(index);
		const content = fate === 'rejected' ? `reject ${index}` : `question ${index}`;
		return { messages: fate === 'invalid' ? [] : [{ role: 'user', content }] };
	});
}

const parameters = {
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messagesInput: 'json',
	messagesJson: '={{ $json.messages }}',
	chatOptions: { maxRetries: 0 },
} as INodeParameters;

it('returns exactly 10,000 items in input order, the right ones marked as errors', async () => {
	const started = Date.now();
	const { items, error } = await runNode(parameters, {
		credentials: { apiKey: KEY, baseUrl: server.baseUrl },
		input: inputItems(),
		continueOnFail: true,
	});
	const elapsed = Date.now() - started;

	expect(error).toBeUndefined();
	expect(items).toHaveLength(COUNT);
	const mismatches = items.flatMap((item, index) => {
		const fate = fateOf(index);
		const expected =
			fate === 'ok'
				? { content: `Echo: question ${index}`, error: undefined }
				: { content: undefined, error: fate === 'invalid' ? VALIDATION_ERROR(index) : API_ERROR };
		const actual = { content: item.json.content, error: item.json.error };
		const paired = (item.pairedItem as { item: number }).item === index;
		const flagged = (item.error !== undefined) === (fate !== 'ok');
		return paired && flagged && JSON.stringify(actual) === JSON.stringify(expected) ? [] : [{ index, item }];
	});
	expect(mismatches).toEqual([]);

	const failures = Array.from({ length: COUNT }, (_, index) => fateOf(index)).filter((fate) => fate !== 'ok');
	expect(failures).toHaveLength(1428);
	expect(items.filter((item) => item.error !== undefined)).toHaveLength(1428);
	// Invalid items never reach the server; every other item is sent exactly once.
	expect(await server.requestCount()).toBe(COUNT - 714);
	expect(JSON.stringify(items)).not.toContain(KEY);
	// Reported so the time of this test in `npm test` stays visible.
	process.stdout.write(`load test: ${COUNT} items in ${elapsed} ms\n`);
}, 600_000); // 30 to 40 s alone on 2 cores; shared machines can be several times slower
