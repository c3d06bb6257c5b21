import type { INodeProperties } from 'n8n-workflow';

import { buildEmbeddingBody, outputEmbeddings } from './hooks';
import { modelField, numberOption, optionsCollection, sendAs, sharedOptions, showFor, showForBatchable, simplifyField } from '../../fields/factories';
import { operation } from '../../fields/operations';
import { type BodyRule, transformBody, validateBody } from '../../fields/validation';

const show = showForBatchable('embedding', 'create');

export const EMBEDDING_RULES: BodyRule[] = [{ key: 'dimensions', label: 'Dimensions', min: 1, integer: true }];

export const embeddingOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['embedding'] } },
	options: [
		operation('Create', 'create', 'Create embeddings', 'Turn texts into vectors for search, clustering and retrieval', {
			request: { method: 'POST', url: '/embeddings' },
			send: { preSend: [validateBody(EMBEDDING_RULES), transformBody(buildEmbeddingBody)] },
			output: { postReceive: [outputEmbeddings] },
		}),
	],
	default: 'create',
};

export const embeddingFields: INodeProperties[] = [
	modelField('embeddingModel', 'embedding', 'text-embedding-3-small', show),
	{
		displayName: 'Input',
		name: 'embeddingInput',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		description:
			'The text to embed. From an expression also an array of up to 2,048 texts (one embedding each) or of token arrays.',
		displayOptions: show,
		routing: sendAs('input'),
	},
	simplifyField('embedding', showFor('embedding', 'create')),
	optionsCollection('embedding', show, [
		numberOption(
			'Dimensions',
			'dimensions',
			'dimensions',
			'The length of each embedding; text-embedding-3 models only (up to 1,536 for small, 3,072 for large)',
			{ min: 1, default: 1536 },
		),
		{
			displayName: 'Encoding Format',
			name: 'encodingFormat',
			type: 'options',
			options: [
				{
					name: 'Base64',
					value: 'base64',
					description: 'About 4 times smaller on the wire; the node decodes it to numbers',
				},
				{ name: 'Float', value: 'float', description: 'Numbers in JSON, for servers without base64' },
			],
			default: 'base64',
			description: 'How the API sends the vectors; the output always holds numbers',
			routing: sendAs('encoding_format'),
		},
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		sharedOptions.user,
	]),
];
