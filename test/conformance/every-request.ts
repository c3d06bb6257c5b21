/**
 * Runs after every test file (jest `setupFilesAfterEnv`): each distinct request the node sent to the
 * local OpenAI server in that file is validated against OpenAI's official spec, unknown keys included.
 */
import path from 'node:path';

import { requestsToAllServers, type CapturedRequest } from '../support/openai-server';
import { batchLines, ConformanceTally, requireSpec, type RequestToValidate, toValidate, validateRequest } from '../support/spec';

const API_ENDPOINTS = [
	/^POST \/(chat\/completions|completions|edits|images\/generations|moderations)$/,
	/^GET \/models(\/[^/]+)?$/,
	/^POST \/(audio\/(speech|transcriptions|translations)|images\/(edits|variations)|files)$/,
	/^(GET|DELETE) \/files(\/file-[^/]+(\/content)?)?$/,
	/^(GET|POST) \/batches(\/[^/]+(\/cancel)?)?$/,
];

/** Requests n8n sent (its user agent), to an API endpoint (not image downloads or raw test calls). */
function sentByNode(request: CapturedRequest): boolean {
	const userAgent = String(request.headers['user-agent'] ?? '');
	const endpoint = `${request.method} ${request.path}`;
	return userAgent.startsWith('n8n') && API_ENDPOINTS.some((pattern) => pattern.test(endpoint));
}

/** Free text whose wording cannot change whether a request is valid, only its JSON type can. */
const FREE_TEXT_KEYS = new Set(['content', 'text', 'prompt', 'input', 'instruction', 'suffix', 'user']);

/** A request's shape: its body with free text replaced, so thousands of similar items validate once. */
function shapeOf(request: CapturedRequest): string {
	const body = JSON.stringify(request.form ?? request.body ?? null, (key, value: unknown) =>
		FREE_TEXT_KEYS.has(key) && typeof value === 'string' ? 'text' : key === 'sha256' ? 'hash' : value,
	);
	return `${request.method} ${request.fullPath.replace(/file-\d+/g, 'file-id')} ${body}`;
}

function lineShape(line: RequestToValidate): string {
	return `${line.path} ${String(line.body).replace(/"(content|text|prompt|input|user)":"[^"]*"/g, '"$1":"text"')}`;
}

afterAll(() => {
	const seen = new Set<string>();
	const distinct = requestsToAllServers.filter(sentByNode).filter((request) => {
		const key = shapeOf(request);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	if (!distinct.length) return;
	const testFile = path.relative(process.cwd(), expect.getState().testPath ?? 'this test file');
	if (!requireSpec(`spec check of the requests sent in ${testFile}`)) return;
	const tally = new ConformanceTally();
	const malformedLines: string[] = [];
	const seenLines = new Set<string>();
	for (const request of distinct) {
		tally.add(validateRequest(toValidate(request)));
		// Each line of a batch input file against the request schema of the endpoint it names.
		for (const line of batchLines(request)) {
			if (typeof line === 'string') malformedLines.push(line);
			else if (!seenLines.has(lineShape(line))) {
				seenLines.add(lineShape(line));
				tally.add(validateRequest(line));
			}
		}
	}
	const invalid = tally.invalid.map((result) => `${result.endpoint}: ${result.errors.join('; ')}`);
	expect([...malformedLines, ...invalid]).toEqual([]);
});
