/** Shared set-up of the per-operation engine tests: one local OpenAI server per test file. */
import type { INodeExecutionData } from 'n8n-workflow';

import type { TestCredentials } from './engine';
import {
	type CapturedRequest,
	DEFAULT_API_KEY,
	type OpenAiServer,
	startOpenAiServer,
} from './openai-server';

export const ORGANIZATION_ID = 'org-acme-123';

export interface ServerFixture {
	server: () => OpenAiServer;
	/** Credentials for the server, with the given base path and optional organization ID. */
	credentials: (overrides?: Partial<TestCredentials> & { prefix?: string }) => TestCredentials;
	/** The only request the server received; fails when there were more or none. */
	onlyRequest: () => CapturedRequest;
}

/** Starts the server before the file's tests, resets it before each and closes it after all. */
export function useOpenAiServer(): ServerFixture {
	let server: OpenAiServer | undefined;
	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server!.reset());
	afterAll(async () => {
		await server?.close();
	});
	return {
		server: () => server!,
		credentials: ({ prefix, ...overrides } = {}) => ({
			apiKey: DEFAULT_API_KEY,
			baseUrl: server!.baseUrl(prefix),
			...overrides,
		}),
		onlyRequest: () => {
			expect(server!.requests).toHaveLength(1);
			return server!.requests[0];
		},
	};
}

/** The headers every JSON request of the node carries; the organization header only when set. */
export function expectJsonHeaders(request: CapturedRequest, organizationId?: string): void {
	expect(request.headers.authorization).toBe(`Bearer ${DEFAULT_API_KEY}`);
	expect(request.headers.accept).toBe('application/json');
	expect(request.headers['content-type']).toBe('application/json');
	if (organizationId === undefined) expect(request.headers).not.toHaveProperty('openai-organization');
	else expect(request.headers['openai-organization']).toBe(organizationId);
}

/** The json and pairedItem of each output item, without binary data. */
export function jsonAndPairing(items: INodeExecutionData[]) {
	return items.map(({ json, pairedItem }) => ({ json, pairedItem }));
}

export { chatUsage, textUsage } from './usage';
