/** The OpenAI REST API credential: authentication headers and n8n's credential test against the local server. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { authenticateOpenAi, OpenAiApi } from '../../credentials/OpenAiApi.credentials';
import { runNode, testCredential } from '../support/engine';
import { DEFAULT_API_KEY, type OpenAiServer, startOpenAiServer } from '../support/openai-server';

/** A port nothing listens on, for a refused connection. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

describe('OpenAiApi credential type', () => {
	const credential = new OpenAiApi();

	it('is named openAiRestApi and asks for a hidden key, an optional organization and a base URL', () => {
		expect(credential.name).toBe('openAiRestApi');
		expect(credential.properties.map((property) => [property.name, property.default, property.required ?? false])).toStrictEqual([
			['apiKey', '', true],
			['organizationId', '', false],
			['baseUrl', 'https://api.openai.com/v1', false],
		]);
		expect(credential.properties[0].typeOptions).toStrictEqual({ password: true });
	});

	it('tests with GET /models under the credential\'s base URL', () => {
		expect(credential.test.request).toStrictEqual({ baseURL: '={{$credentials.baseUrl}}', url: '/models', method: 'GET' });
	});
});

describe('authenticateOpenAi', () => {
	it('adds the bearer key and keeps the request\'s own headers', async () => {
		const request = { url: '/models', headers: { Accept: 'application/json' } };
		const authenticated = await authenticateOpenAi({ apiKey: 'sk-abc', organizationId: '' }, request);

		expect(authenticated).toStrictEqual({
			url: '/models',
			baseURL: 'https://api.openai.com/v1',
			headers: { Accept: 'application/json', Authorization: 'Bearer sk-abc' },
		});
		expect(request.headers).toStrictEqual({ Accept: 'application/json' });
	});

	it('sets the Base URL from the credential, unless the request has its own', async () => {
		const credentials = { apiKey: 'k', baseUrl: ' http://127.0.0.1:9/v3/openai/ ' };
		const fromCredential = await authenticateOpenAi(credentials, { url: '/x' });
		const own = await authenticateOpenAi(credentials, { url: '/x', baseURL: 'http://other/v1' });
		const empty = await authenticateOpenAi({ apiKey: 'k', baseUrl: '' }, { url: '/x' });

		expect(fromCredential.baseURL).toBe('http://127.0.0.1:9/v3/openai/');
		expect(own.baseURL).toBe('http://other/v1');
		expect(empty.baseURL).toBe('https://api.openai.com/v1');
	});

	it('adds OpenAI-Organization only when an organization ID is set, trimmed', async () => {
		const withOrganization = await authenticateOpenAi({ apiKey: 'k', organizationId: ' org-1 ' }, { url: '/x' });
		const blank = await authenticateOpenAi({ apiKey: 'k', organizationId: '  ' }, { url: '/x' });
		const missing = await authenticateOpenAi({ apiKey: 'k' }, { url: '/x' });

		expect(withOrganization.headers).toStrictEqual({ Authorization: 'Bearer k', 'OpenAI-Organization': 'org-1' });
		expect(blank.headers).toStrictEqual({ Authorization: 'Bearer k' });
		expect(missing.headers).toStrictEqual({ Authorization: 'Bearer k' });
	});
});

describe('credential test (testCredential)', () => {
	let server: OpenAiServer;
	beforeAll(async () => {
		server = await startOpenAiServer();
	});
	beforeEach(() => server.reset());
	afterAll(async () => {
		await server.close();
	});

	it('succeeds with a good key, sending GET /models with the bearer key', async () => {
		const result = await testCredential({ apiKey: DEFAULT_API_KEY, baseUrl: server.baseUrl() });

		expect(result).toStrictEqual({ status: 'OK', message: 'Connection successful!' });
		expect(server.requests.map((request) => [request.method, request.fullPath, request.headers.authorization])).toStrictEqual([
			['GET', '/v1/models', `Bearer ${DEFAULT_API_KEY}`],
		]);
		expect(server.requests[0].headers).not.toHaveProperty('openai-organization');
	});

	it('sends the organization header when one is set', async () => {
		const result = await testCredential({ apiKey: DEFAULT_API_KEY, baseUrl: server.baseUrl(), organizationId: 'org-9' });

		expect(result.status).toBe('OK');
		expect(server.requests[0].headers['openai-organization']).toBe('org-9');
	});

	it('fails with a bad key, with a message about authorization', async () => {
		const result = await testCredential({ apiKey: 'sk-wrong-key-000', baseUrl: server.baseUrl() });

		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/authori[sz]ation/i);
		// n8n-core re-authenticates once after a 401 and sends again, with the same key.
		expect(server.requests.map((request) => request.headers.authorization)).toStrictEqual([
			'Bearer sk-wrong-key-000',
			'Bearer sk-wrong-key-000',
		]);
	});

	it('fails when nothing listens at the base URL', async () => {
		const port = await closedPort();
		const result = await testCredential({ apiKey: DEFAULT_API_KEY, baseUrl: `http://127.0.0.1:${port}/v1` });

		expect(result.status).toBe('Error');
		expect(result.message).not.toBe('');
	});

	it.each(['/v1', '/v1/', '/openai/v1', '/v3/openai', '/v3/openai/'])(
		'reaches /models under the base URL path %s',
		async (prefix) => {
			const result = await testCredential({ apiKey: DEFAULT_API_KEY, baseUrl: server.baseUrl(prefix) });

			expect(result.status).toBe('OK');
			expect(server.requests.map((request) => request.fullPath)).toStrictEqual([`${prefix.replace(/\/$/, '')}/models`]);
		},
	);

	it('authenticates node requests the same way as the test', async () => {
		const credentials = { apiKey: DEFAULT_API_KEY, baseUrl: server.baseUrl(), organizationId: 'org-9' };
		await testCredential(credentials);
		await runNode({ resource: 'model', operation: 'list' }, { credentials });

		const [tested, used] = server.requests;
		for (const header of ['authorization', 'openai-organization']) {
			expect(used.headers[header]).toBe(tested.headers[header]);
		}
	});
});
