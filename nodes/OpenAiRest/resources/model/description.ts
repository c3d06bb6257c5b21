import type { INodeProperties } from 'n8n-workflow';

import { modelField, optionsCollection, sharedOptions, showFor, simplifyField } from '../../fields/factories';
import { simplifyResponse } from '../../fields/output';
import { objectRequest, operation } from '../../fields/operations';

export const modelOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['model'] } },
	options: [
		operation(
			'Get',
			'get',
			'Get details of a model',
			'Retrieve the owner and creation date of one model',
			objectRequest('GET', 'models', 'modelId'),
		),
		operation('List', 'list', 'List available models', 'List the models your key can use', {
			request: { method: 'GET', url: '/models' },
			output: { postReceive: [simplifyResponse] },
		}),
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
	optionsCollection('model', { show: { resource: ['model'] } }, [sharedOptions.maxRateLimitWait, sharedOptions.maxRetries]),
];
