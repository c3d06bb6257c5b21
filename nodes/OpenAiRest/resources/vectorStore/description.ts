import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { limitField, maxWaitOption, optionsCollection, orderOption, returnAllField, sendAs, sharedOptions, simplifyField } from '../../fields/factories';
import { objectRequest, objectUrl, operation } from '../../fields/operations';
import { vectorStoreLoadOptions } from '../../fields/vector-stores';
import { cursorPages } from '../../transport/pages';
import {
	addFileBatch,
	compactStore,
	compactStoreFile,
	DEFAULT_MAX_WAIT_SECONDS,
	prepareVectorStoreBody,
	simplifyFileContent,
	simplifySearch,
} from './hooks';

const RESOURCE = 'vectorStore';
/** The largest page of the list endpoints. */
const MAX_PAGE = 100;
const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: [RESOURCE], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
const sendQuery = (property: string) => ({ send: { type: 'query' as const, property } });
const storeFileUrl = (suffix = '') =>
	`=/vector_stores/{{encodeURIComponent($parameter.vectorStoreId)}}/files/{{encodeURIComponent($parameter.vectorStoreFileId)}}${suffix}`;
const shaped = { send: { preSend: [prepareVectorStoreBody] } };

export const vectorStoreOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [RESOURCE] } },
	options: [
		operation('Add File', 'addFile', 'Add a file to a vector store', 'Attach an uploaded file, with attributes to filter searches by', {
			request: { method: 'POST', url: objectUrl('vector_stores', 'vectorStoreId', '/files') },
			...shaped,
		}),
		operation('Add Files', 'addFiles', 'Add files to a vector store and wait', 'Attach many uploaded files as one batch and wait until they are processed', {
			request: { method: 'POST', url: objectUrl('vector_stores', 'vectorStoreId', '/file_batches') },
			...shaped,
			operations: { pagination: addFileBatch },
		}),
		operation('Create', 'create', 'Create a vector store', 'Create a vector store, optionally with files, an expiry and a chunking strategy', {
			request: { method: 'POST', url: '/vector_stores' },
			...shaped,
		}),
		operation('Delete', 'delete', 'Delete a vector store', 'Delete a vector store; its files stay in the Files API', objectRequest('DELETE', 'vector_stores', 'vectorStoreId')),
		operation('Get', 'get', 'Get a vector store', 'Get the name, status, size and file counts of a vector store', objectRequest('GET', 'vector_stores', 'vectorStoreId')),
		operation('Get File', 'getFile', 'Get a file of a vector store', 'Get the status, size and attributes of a file in a vector store', {
			request: { method: 'GET', url: storeFileUrl() },
		}),
		operation('Get File Content', 'getFileContent', 'Get the parsed content of a vector store file', 'Get the text the vector store parsed from a file', {
			request: { method: 'GET', url: storeFileUrl('/content') },
			output: { postReceive: [simplifyFileContent] },
		}),
		operation('List', 'list', 'List vector stores', 'List the vector stores of your project, newest first', {
			request: { method: 'GET', url: '/vector_stores' },
			operations: { pagination: cursorPages('vectorStoreReturnAll', { pageSize: MAX_PAGE, compact: compactStore }) },
		}),
		operation('List Files', 'listFiles', 'List the files of a vector store', 'List the files of a vector store, optionally only those with a status', {
			request: { method: 'GET', url: objectUrl('vector_stores', 'vectorStoreId', '/files') },
			operations: { pagination: cursorPages('vectorStoreReturnAll', { pageSize: MAX_PAGE, compact: compactStoreFile }) },
		}),
		operation('Remove File', 'removeFile', 'Remove a file from a vector store', 'Remove a file from a vector store; the file stays in the Files API', {
			request: { method: 'DELETE', url: storeFileUrl() },
		}),
		operation('Search', 'search', 'Search a vector store', 'Find the chunks of the files most relevant to a query, one item per hit', {
			request: { method: 'POST', url: objectUrl('vector_stores', 'vectorStoreId', '/search') },
			...shaped,
			output: { postReceive: [simplifySearch] },
		}),
		operation('Update', 'update', 'Update a vector store', 'Rename a vector store, or change its expiry or metadata', {
			request: { method: 'POST', url: objectUrl('vector_stores', 'vectorStoreId') },
			...shaped,
		}),
		operation('Update File Attributes', 'updateFile', 'Update the attributes of a vector store file', 'Replace the attributes searches can filter a file by', {
			request: { method: 'POST', url: storeFileUrl() },
			...shaped,
		}),
	],
	default: 'search',
};

const ATTRIBUTES_HINT = 'A JSON object of up to 16 keys with string, number or boolean values, e.g. {"author": "Jane", "year": 2024}';

const chunkOptions: INodeProperties[] = [
	{
		displayName: 'Chunk Size (Tokens)',
		name: 'chunkSize',
		type: 'number',
		default: 800,
		typeOptions: { minValue: 100, maxValue: 4096, numberPrecision: 0 },
		description: 'Largest chunk the files are cut into, 100 to 4,096 tokens. Without it (and Chunk Overlap) OpenAI picks (800 and 400).',
		displayOptions: onlyFor('create', 'addFile', 'addFiles'),
		routing: sendAs('chunking_strategy.static.max_chunk_size_tokens'),
	},
	{
		displayName: 'Chunk Overlap (Tokens)',
		name: 'chunkOverlap',
		type: 'number',
		default: 400,
		typeOptions: { minValue: 0, maxValue: 2048, numberPrecision: 0 },
		description: 'Tokens two neighbouring chunks share, at most half of Chunk Size',
		displayOptions: onlyFor('create', 'addFile', 'addFiles'),
		routing: sendAs('chunking_strategy.static.chunk_overlap_tokens'),
	},
];

export const vectorStoreFields: INodeProperties[] = [
	{
		displayName: 'Vector Store Name or ID',
		name: 'vectorStoreId',
		type: 'options',
		required: true,
		default: '',
		description:
			'The vector store. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		typeOptions: { loadOptions: vectorStoreLoadOptions() },
		displayOptions: showFor('get', 'update', 'delete', 'addFile', 'addFiles', 'listFiles', 'getFile', 'updateFile', 'removeFile', 'getFileContent', 'search'),
	},
	{
		displayName: 'Name',
		name: 'vectorStoreName',
		type: 'string',
		default: '',
		placeholder: 'e.g. Support FAQ',
		description: 'The name of the new vector store',
		displayOptions: showFor('create'),
		routing: sendAs('name'),
	},
	{
		displayName: 'File ID',
		name: 'vectorStoreFileId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. file-abc123',
		description: 'The ID of a file uploaded with File → Upload (purpose Assistants or User Data)',
		// Not routed: only Add File sends it in the body (prepareVectorStoreBody); the others put it in the URL.
		displayOptions: showFor('addFile', 'getFile', 'updateFile', 'removeFile', 'getFileContent'),
	},
	{
		displayName: 'File IDs',
		name: 'vectorStoreFileIds',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. file-abc123, file-def456',
		description: 'The uploaded files to add, separated by commas, or an array from an expression (at most 2,000)',
		displayOptions: showFor('addFiles'),
		routing: sendAs('file_ids'),
	},
	{
		displayName: 'Attributes',
		name: 'vectorStoreAttributes',
		type: 'json',
		required: true,
		default: '{}',
		description: `The file's new attributes, replacing the old ones. ${ATTRIBUTES_HINT}.`,
		displayOptions: showFor('updateFile'),
		routing: sendAs('attributes'),
	},
	{
		displayName: 'Query',
		name: 'vectorStoreQuery',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. What is the return policy?',
		description: 'What to search for, in natural language',
		typeOptions: { rows: 2 },
		displayOptions: showFor('search'),
		routing: sendAs('query'),
	},
	returnAllField(RESOURCE, showFor('list', 'listFiles')),
	limitField(RESOURCE, ['list', 'listFiles'], MAX_PAGE),
	simplifyField(RESOURCE, showFor('search', 'getFileContent')),
	optionsCollection(RESOURCE, { show: { resource: [RESOURCE] } }, [
		sharedOptions.maxRetries,
		sharedOptions.maxRateLimitWait,
		{
			displayName: 'Attributes',
			name: 'attributes',
			type: 'json',
			default: '{}',
			description: `Attributes of the added files, to filter searches by. ${ATTRIBUTES_HINT}.`,
			displayOptions: onlyFor('addFile', 'addFiles'),
			routing: sendAs('attributes'),
		},
		...chunkOptions,
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			description: 'What the vector store is for',
			displayOptions: onlyFor('create'),
			routing: sendAs('description'),
		},
		{
			displayName: 'Expires After (Days)',
			name: 'expiresAfterDays',
			type: 'number',
			default: 30,
			typeOptions: { minValue: 1, maxValue: 365, numberPrecision: 0 },
			description: 'Delete the vector store this many days after it was last used, 1 to 365',
			displayOptions: onlyFor('create', 'update'),
			routing: sendAs('expires_after'),
		},
		{
			displayName: 'File IDs',
			name: 'fileIds',
			type: 'string',
			default: '',
			placeholder: 'e.g. file-abc123, file-def456',
			description: 'Uploaded files to add at once, separated by commas (at most 500)',
			displayOptions: onlyFor('create'),
			routing: sendAs('file_ids'),
		},
		{
			displayName: 'Filters',
			name: 'filters',
			type: 'json',
			default: '{}',
			description:
				'Only search files whose attributes match, e.g. {"type": "eq", "key": "author", "value": "Jane"}, or {"type": "and", "filters": [...]} to combine (types: eq, ne, gt, gte, lt, lte, in, nin, and, or)',
			displayOptions: onlyFor('search'),
			routing: sendAs('filters'),
		},
		{
			displayName: 'Max Results',
			name: 'maxResults',
			type: 'number',
			default: 10,
			typeOptions: { minValue: 1, maxValue: 50, numberPrecision: 0 },
			description: 'The most hits the search returns, 1 to 50',
			displayOptions: onlyFor('search'),
			routing: sendAs('max_num_results'),
		},
		maxWaitOption(onlyFor('addFiles'), DEFAULT_MAX_WAIT_SECONDS, 'How long to wait for the batch to be processed before failing; the batch goes on'),
		{
			displayName: 'Metadata',
			name: 'metadata',
			type: 'json',
			default: '{}',
			description: 'Up to 16 string key-value pairs to keep with the vector store, e.g. {"team": "support"}',
			displayOptions: onlyFor('create', 'update'),
			routing: sendAs('metadata'),
		},
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			description: 'The new name of the vector store',
			displayOptions: onlyFor('update'),
			routing: sendAs('name'),
		},
		orderOption(onlyFor('list', 'listFiles')),
		{
			displayName: 'Ranker',
			name: 'ranker',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Default 2024-11-15', value: 'default-2024-11-15' },
				{ name: 'None', value: 'none', description: 'No re-ranking: faster' },
			],
			default: 'auto',
			description: 'How hits are re-ranked',
			displayOptions: onlyFor('search'),
			routing: sendAs('ranking_options.ranker'),
		},
		{
			displayName: 'Rewrite Query',
			name: 'rewriteQuery',
			type: 'boolean',
			default: false,
			description: 'Whether OpenAI rewrites the query for a better vector search',
			displayOptions: onlyFor('search'),
			routing: sendAs('rewrite_query'),
		},
		{
			displayName: 'Score Threshold',
			name: 'scoreThreshold',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			description: 'Only hits scoring at least this, 0 to 1',
			displayOptions: onlyFor('search'),
			routing: sendAs('ranking_options.score_threshold'),
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			options: [
				{ name: 'Cancelled', value: 'cancelled' },
				{ name: 'Completed', value: 'completed' },
				{ name: 'Failed', value: 'failed' },
				{ name: 'In Progress', value: 'in_progress' },
			],
			default: 'completed',
			description: 'Only list files with this status',
			displayOptions: onlyFor('listFiles'),
			routing: sendQuery('filter'),
		},
	]),
];
