import type { IHttpRequestMethods, INodePropertyOptions } from 'n8n-workflow';

import { sendWithRetries } from '../transport/send';

type Routing = NonNullable<INodePropertyOptions['routing']>;

/**
 * One entry of a resource's Operation selector. Its request leaves through the transport's pagination hook
 * (retries and clear errors) unless the routing names another one, e.g. a hook that reads every page.
 */
export function operation(
	name: string,
	value: string,
	action: string,
	description: string,
	routing: Routing,
): INodePropertyOptions {
	return {
		name,
		value,
		action,
		description,
		routing: {
			...routing,
			send: { paginate: true, ...routing.send },
			operations: { pagination: sendWithRetries, ...routing.operations },
		},
	};
}

/** The URL of one object, e.g. `/files/{id}/content`, with its ID taken from a parameter and encoded. */
export function objectUrl(collection: string, idParameter: string, suffix = ''): string {
	return `=/${collection}/{{encodeURIComponent($parameter.${idParameter})}}${suffix}`;
}

/** The request of a "get / delete / cancel one object by ID" operation. */
export function objectRequest(method: IHttpRequestMethods, collection: string, idParameter: string, suffix = ''): Routing {
	return { request: { method, url: objectUrl(collection, idParameter, suffix) } };
}
