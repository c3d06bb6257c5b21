/**
 * Runs after every test file (jest `setupFilesAfterEnv`): each distinct request the node sent to the
 * local OpenAI server in that file is validated against OpenAI's official spec, unknown keys included.
 */
import path from 'node:path';

import { requestsToAllServers, type CapturedRequest } from '../support/openai-server';
import { ConformanceTally, requireSpec, toValidate, validateRequest } from '../support/spec';

const API_ENDPOINTS = [
	/^POST \/(chat\/completions|completions|edits|images\/generations|moderations)$/,
	/^GET \/models(\/[^/]+)?$/,
	/^POST \/(audio\/(speech|transcriptions|translations)|images\/(edits|variations)|files)$/,
	/^(GET|DELETE) \/files(\/file-[^/]+(\/content)?)?$/,
	/^POST \/responses$/,
	/^(GET|POST|DELETE) \/conversations(\/[^/?]+(\/items(\/[^/?]+)?)?)?(\?.*)?$/,
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
	for (const request of distinct) {
		tally.add(validateRequest(toValidate(request)));
	}
	const invalid = tally.invalid.map((result) => `${result.endpoint}: ${result.errors.join('; ')}`);
	expect(invalid).toEqual([]);
});
