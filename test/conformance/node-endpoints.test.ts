/**
 * The endpoint list of the spec check of every request (every-request.ts): derived from the node's
 * description, known to the spec, and strict about API requests to anything else.
 */
import type { INodePropertyOptions } from 'n8n-workflow';

import { nodeType } from '../support/engine';
import type { CapturedRequest } from '../support/openai-server';
import { requireSpec, validateRequest } from '../support/spec';
import { operationsOf } from './coverage';
import { endpointFor, isNodeApiRequest, nodeEndpoints, urlTemplate } from './node-endpoints';

const endpoints = nodeEndpoints(nodeType.description);
const names = endpoints.map((endpoint) => endpoint.name);

/** The routing request of one operation, read from its selector. */
function operationRequest(key: string): { method?: string; url?: string } | undefined {
	const [resource, operation] = key.split(':');
	const selector = nodeType.description.properties.find(
		(property) => property.name === 'operation' && (property.displayOptions?.show?.resource as string[] | undefined)?.includes(resource),
	);
	const option = (selector?.options as INodePropertyOptions[] | undefined)?.find((entry) => entry.value === operation);
	return option?.routing?.request as { method?: string; url?: string } | undefined;
}

const request = (method: string, path: string, headers: CapturedRequest['headers'] = {}) =>
	({ method, path, headers: { 'user-agent': 'n8n', authorization: 'Bearer sk-test-key', ...headers } }) as unknown as CapturedRequest;

describe('endpoints of the spec check', () => {
	it('has the endpoint of every operation the node offers', () => {
		const operations = operationsOf(nodeType.description);
		const missing = operations.filter((key) => {
			const routed = operationRequest(key);
			return !routed?.url || !names.includes(`${routed.method ?? 'GET'} ${urlTemplate(routed.url)}`);
		});
		expect(operations.length).toBeGreaterThan(20);
		expect(missing).toEqual([]);
	});

	it('includes the Responses API, embeddings and the endpoints only hooks reach', () => {
		expect(names).toEqual(
			expect.arrayContaining([
				'POST /responses',
				'GET /responses/{responseId}',
				'DELETE /responses/{responseId}',
				'POST /responses/{responseId}/cancel',
				'GET /responses/{responseId}/input_items',
				'POST /embeddings',
				'GET /files/{fileId}/content',
			]),
		);
	});

	it('finds each endpoint in OpenAI\'s spec', () => {
		if (!requireSpec('spec lookup of the node endpoints')) return;
		const unknown = endpoints
			.map((endpoint) => validateRequest({ method: endpoint.method, path: endpoint.name.split(' ')[1].replace(/\{\w+\}/g, 'id-1') }))
			.filter((result) => result.errors.some((error) => error.startsWith('no operation')))
			.map((result) => result.endpoint);
		expect(unknown).toEqual([]);
	});

	it('names the endpoint of a request, and none for a path the node never reaches', () => {
		expect(endpointFor(endpoints, request('GET', '/responses/resp_1/input_items?limit=5'))?.name).toBe('GET /responses/{responseId}/input_items');
		expect(endpointFor(endpoints, request('GET', '/files/file-1/content'))?.name).toBe('GET /files/{fileId}/content');
		expect(endpointFor(endpoints, request('GET', '/files/file-1'))?.name).toBe('GET /files/{fileId}');
		expect(endpointFor(endpoints, request('POST', '/files/file-1/content'))).toBeUndefined();
		expect(endpointFor(endpoints, request('GET', '/fine_tuning/jobs'))).toBeUndefined();
		expect(endpointFor(endpoints, request('GET', '/responses/resp_1/extra'))).toBeUndefined();
	});

	it('takes API requests of n8n only: no image downloads, no requests of the tests themselves', () => {
		expect(isNodeApiRequest(request('GET', '/models'))).toBe(true);
		expect(isNodeApiRequest(request('GET', '/files/img-000001.png', { authorization: undefined }))).toBe(false);
		expect(isNodeApiRequest(request('POST', '/responses', { 'user-agent': 'node' }))).toBe(false);
	});

	it('reads parameters of a routing URL as placeholders', () => {
		expect(urlTemplate('=/responses/{{encodeURIComponent($parameter.responseId)}}/cancel')).toBe('/responses/{responseId}/cancel');
		expect(urlTemplate('/models')).toBe('/models');
	});
});
