/**
 * Matrix cases for Max Retries at both ends of its range. 0 gives up at the first server error; 10 gets
 * through ten of them, which the default (2) would not, so a Max Retries the node ignores shows. And Max
 * Wait for Rate Limits at 0: the first rate limit ends the item, where the default would wait for it.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { CapturedRequest } from '../support/openai-server';
import type { MatrixCase } from './matrix';

export const SERVER_ERRORS_SURVIVED = 10;

const requestLine = (request: CapturedRequest) => `${request.method} ${request.fullPath}`;

/** `extra` adds what the operation needs (binary input, stored files); its `arrange` runs before the faults. */
export function retryCases(label: string, build: (options: INodeParameters) => INodeParameters, extra: Partial<MatrixCase> = {}): MatrixCase[] {
	const seed = extra.arrange ?? (() => undefined);
	return [
		{
			name: `${label}: maxRetries 0 stops at the first server error`,
			parameters: build({ maxRetries: 0 }),
			...extra,
			arrange: async (server) => {
				await seed(server);
				server.failNext(() => true, { status: 500 });
			},
			expectError: 'The server had an error while processing your request',
			check: (_run, requests) => expect(requests).toHaveLength(1),
		},
		{
			name: `${label}: maxRetries 10 retries through ${SERVER_ERRORS_SURVIVED} server errors`,
			parameters: build({ maxRetries: 10 }),
			...extra,
			arrange: async (server) => {
				await seed(server);
				server.failNext(() => true, { status: 500, headers: { 'retry-after-ms': '0' } }, SERVER_ERRORS_SURVIVED);
			},
			check: (run, requests) => {
				// The same request, sent once and retried ten times; what follows (a download's content) is sent once.
				const attempts = requests.slice(0, SERVER_ERRORS_SURVIVED + 1).map(requestLine);
				expect(attempts).toEqual(Array(SERVER_ERRORS_SURVIVED + 1).fill(requestLine(requests[0])));
				expect(requests.slice(SERVER_ERRORS_SURVIVED + 1).map(requestLine)).not.toContain(requestLine(requests[0]));
				expect(run.items.length).toBeGreaterThan(0);
			},
		},
		rateLimitWaitCase(label, build, extra),
	];
}

/** Max Wait for Rate Limits at 0: the first rate limit ends the item, where the default would wait for it. */
export function rateLimitWaitCase(label: string, build: (options: INodeParameters) => INodeParameters, extra: Partial<MatrixCase> = {}): MatrixCase {
	const seed = extra.arrange ?? (() => undefined);
	return {
		name: `${label}: maxRateLimitWait 0 fails at the first rate limit`,
		parameters: build({ maxRateLimitWait: 0 }),
		...extra,
		arrange: async (server) => {
			await seed(server);
			server.failNext(() => true, { status: 429, headers: { 'retry-after-ms': '1' } });
		},
		expectError: "Rate limit: reached the server's limit of 3 requests per minute, and Max Wait for Rate Limits allows no wait",
		check: (_run, requests) => expect(requests).toHaveLength(1),
	};
}
