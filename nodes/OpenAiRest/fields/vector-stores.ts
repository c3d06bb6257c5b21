import type { ILoadOptions } from 'n8n-workflow';

/**
 * Declarative `loadOptions` of a vector store picker: the newest 100 stores of `GET /vector_stores`,
 * named "name (id)" so stores of the same name stay apart. It travels through n8n's REST API as JSON,
 * so it holds expressions and no functions.
 */
export function vectorStoreLoadOptions(): ILoadOptions {
	const routing = {
		request: { method: 'GET', url: '/vector_stores', qs: { limit: 100 } },
		// Through the node's retrying, error-mapping request hook.
		send: { paginate: true },
		output: {
			postReceive: [
				{ type: 'rootProperty', properties: { property: 'data' } },
				{
					type: 'setKeyValue',
					properties: {
						name: '={{ $responseItem.name ? $responseItem.name + " (" + $responseItem.id + ")" : $responseItem.id }}',
						value: '={{ $responseItem.id }}',
					},
				},
			],
		},
	};
	return { routing: routing as ILoadOptions['routing'] };
}
