/** Every operation reaches its endpoint under any base URL path, with or without a trailing slash. */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../support/engine';
import { useOpenAiServer } from '../../../support/fixture';

const fixture = useOpenAiServer();

const OPERATIONS: Array<[string, INodeParameters, string]> = [
	[
		'chat',
		{ resource: 'chat', operation: 'create', messages: { values: [{ role: 'user', content: 'Hi' }] } },
		'POST /chat/completions',
	],
	['text', { resource: 'text', operation: 'create', textPrompt: 'Hi' }, 'POST /completions'],
	['edit', { resource: 'edit', operation: 'create', instruction: 'Shorten', editInput: 'Hi' }, 'POST /edits'],
	['image', { resource: 'image', operation: 'generate', imagePrompt: 'A fox' }, 'POST /images/generations'],
	['moderation', { resource: 'moderation', operation: 'classify', moderationInput: 'Hi' }, 'POST /moderations'],
	['model list', { resource: 'model', operation: 'list' }, 'GET /models'],
	['model get', { resource: 'model', operation: 'get', modelId: 'gpt-4o' }, 'GET /models/gpt-4o'],
];

const PREFIXES = ['/v1', '/v1/', '/openai/v1', '/v3/openai', '/v3/openai/'];

describe.each(PREFIXES)('base URL path %s', (prefix) => {
	it.each(OPERATIONS)('%s reaches its endpoint', async (_name, parameters, endpoint) => {
		const { items, error } = await runNode(parameters, { credentials: fixture.credentials({ prefix }) });

		expect(error).toBeUndefined();
		const [method, path] = endpoint.split(' ');
		const request = fixture.onlyRequest();
		expect(`${request.method} ${request.fullPath}`).toBe(`${method} ${prefix.replace(/\/$/, '')}${path}`);
		expect(items.length).toBeGreaterThan(0);
	});
});
