/** A raw HTTP client of the test server for its own tests: JSON or multipart calls, answers checked against the spec. */
import { DEFAULT_API_KEY, type OpenAiServer } from './openai-server';
import { requireSpec, validateResponseBody } from './spec';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export const AUTH = { Authorization: `Bearer ${DEFAULT_API_KEY}` };

export function apiClient(server: () => OpenAiServer) {
	const call = async (method: string, path: string, body?: unknown) => {
		const form = body instanceof FormData;
		const response = await fetch(`${server().baseUrl()}${path}`, {
			method,
			headers: form || body === undefined ? AUTH : { ...AUTH, 'Content-Type': 'application/json' },
			...(body === undefined ? {} : { body: form ? body : JSON.stringify(body) }),
		});
		return { status: response.status, body: (await response.json()) as Json };
	};
	/** The answer of a call that must succeed, after checking it against the spec's 200 schema. */
	const ok = async (method: string, path: string, body?: unknown) => {
		const answer = await call(method, path, body);
		expect(answer.status).toBe(200);
		if (requireSpec('test server answers against the spec')) expect(validateResponseBody(method, path, answer.body).errors).toEqual([]);
		return answer.body;
	};
	return { call, ok };
}
