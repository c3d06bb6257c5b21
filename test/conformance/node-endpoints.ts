/**
 * The API endpoints the node reaches, read from the routing URLs of its description, plus the few that
 * only a hook requests. every-request.ts checks requests to these against the spec and fails on any
 * other API request, so a new resource is covered (or reported) without editing a list.
 */
import type { INodeTypeDescription } from 'n8n-workflow';

import type { CapturedRequest } from '../support/openai-server';

export interface NodeEndpoint {
	/** 'GET /files/{fileId}' */
	name: string;
	method: string;
	pattern: RegExp;
}

/** Endpoints a hook requests itself, with no routing URL of their own (a Download's second request, a job's polls). */
export const REACHED_BY_HOOKS = [
	'GET /files/{fileId}/content',
	// Add Files polls its batch; Create, Remix and Download of a video fetch its content.
	'GET /vector_stores/{vectorStoreId}/file_batches/{batchId}',
	'GET /videos/{videoId}/content',
];

/** '=/files/{{encodeURIComponent($parameter.fileId)}}' → '/files/{fileId}'. */
export function urlTemplate(url: string): string {
	return url
		.replace(/^=/, '')
		.replace(/\{\{(.*?)\}\}/g, (_match, expression: string) => `{${/\$parameter\.(\w+)/.exec(expression)?.[1] ?? 'id'}}`);
}

function endpointOf(name: string): NodeEndpoint {
	const [method, template] = name.split(' ');
	const source = template
		.split(/(\{\w+\})/)
		.map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
		.join('');
	return { name, method, pattern: new RegExp(`^${source}$`) };
}

/** Every `routing.request` in the description (operations, fields and options alike). */
function routedRequests(value: unknown, found: string[] = []): string[] {
	if (Array.isArray(value)) {
		for (const entry of value) routedRequests(entry, found);
	} else if (typeof value === 'object' && value !== null) {
		const request = (value as { routing?: { request?: { method?: string; url?: string } } }).routing?.request;
		if (typeof request?.url === 'string') found.push(`${request.method ?? 'GET'} ${urlTemplate(request.url)}`);
		for (const [key, entry] of Object.entries(value)) if (key !== 'routing') routedRequests(entry, found);
	}
	return found;
}

/** The node's endpoints, each once, in description order. */
export function nodeEndpoints(description: INodeTypeDescription): NodeEndpoint[] {
	return [...new Set([...routedRequests(description.properties), ...REACHED_BY_HOOKS])].map(endpointOf);
}

/**
 * An API request n8n sent for the node: n8n's user agent and the API key. Image downloads carry no key
 * (their links are pre-signed), and requests a test sends itself carry another user agent.
 */
export function isNodeApiRequest(request: CapturedRequest): boolean {
	const userAgent = String(request.headers['user-agent'] ?? '');
	return userAgent.startsWith('n8n') && request.headers.authorization !== undefined;
}

/** The endpoint a request reached (path without its query), or undefined when the node has none such. */
export function endpointFor(endpoints: NodeEndpoint[], request: Pick<CapturedRequest, 'method' | 'path'>): NodeEndpoint | undefined {
	const path = request.path.split('?')[0];
	return endpoints.find((endpoint) => endpoint.method === request.method && endpoint.pattern.test(path));
}
