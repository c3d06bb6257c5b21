import type { INodeProperties } from 'n8n-workflow';

import { modelField, optionsCollection, sharedOptions, showFor, simplifyField } from '../shared/fields';
import { simplifyResponse } from '../shared/output';
import { sendWithRetries } from '../shared/transport';

export const modelOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['model'] } },
	options: [
		{
			name: 'Get',
			value: 'get',
			action: 'Get details of a model',
			description: 'Retrieve the owner and creation date of one model',
			routing: {
				request: { method: 'GET', url: '=/models/{{encodeURIComponent($parameter.modelId)}}' },
				send: { paginate: true },
				operations: { pagination: sendWithRetries },
			},
		},
		{
			name: 'List',
			value: 'list',
			action: 'List available models',
			description: 'List the models your key can use',
			routing: {
				request: { method: 'GET', url: '/models' },
				send: { paginate: true },
				operations: { pagination: sendWithRetries },
				output: { postReceive: [simplifyResponse] },
			},
		},
	],
	default: 'list',
};

export const modelFields: INodeProperties[] = [
	modelField('modelId', 'all', 'gpt-4o-mini', showFor('model', 'get'), {
		routing: undefined,
		description:
			'The model to retrieve. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	simplifyField('model', showFor('model', 'list')),
	optionsCollection('model', { show: { resource: ['model'] } }, [sharedOptions.maxRetries]),
];
