import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { optionsCollection, sendAs, sharedOptions } from '../../fields/factories';
import { objectRequest, operation } from '../../fields/operations';
import { downloadFileContent, listFiles, prepareFileUpload } from './hooks';

const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: ['file'], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
const sendQuery = (property: string) => ({ send: { type: 'query' as const, property } });

const PURPOSES = [
	{ name: 'Assistants', value: 'assistants', description: 'Files for assistants and file search' },
	{ name: 'Batch', value: 'batch', description: 'JSONL input of the Batch API' },
	{ name: 'Evals', value: 'evals', description: 'Data sets for evals' },
	{ name: 'Fine-Tune', value: 'fine-tune', description: 'JSONL training data' },
	{ name: 'User Data', value: 'user_data', description: 'Any file, e.g. a PDF for model input' },
	{ name: 'Vision', value: 'vision', description: 'Images for vision fine-tuning' },
];

export const fileOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['file'] } },
	options: [
		operation('Delete', 'delete', 'Delete a file', 'Delete an uploaded file', objectRequest('DELETE', 'files', 'fileId')),
		operation('Download', 'download', 'Download a file', 'Get the content of a file as binary data, named after the file', {
			...objectRequest('GET', 'files', 'fileId'),
			output: { postReceive: [downloadFileContent] },
		}),
		operation('Get', 'get', 'Get a file', 'Get the name, size, purpose and status of a file', objectRequest('GET', 'files', 'fileId')),
		operation('List', 'list', 'List files', 'List uploaded files, newest first', {
			request: { method: 'GET', url: '/files' },
			operations: { pagination: listFiles },
		}),
		operation(
			'Upload',
			'upload',
			'Upload a file',
			'Upload a file from a binary field for batch, fine-tuning, assistants or model input',
			{ request: { method: 'POST', url: '/files' }, send: { preSend: [prepareFileUpload] } },
		),
	],
	default: 'upload',
};

export const fileFields: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'fileBinaryField',
		type: 'string',
		required: true,
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The name of the input binary field holding the file to upload (at most 512 MB)',
		displayOptions: showFor('upload'),
	},
	{
		displayName: 'Purpose',
		name: 'filePurpose',
		type: 'options',
		required: true,
		options: PURPOSES,
		default: 'user_data',
		description: 'What the file is for; it decides which endpoints can use it',
		displayOptions: showFor('upload'),
		routing: sendAs('purpose'),
	},
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. file-abc123',
		description: 'The ID of the file, as Upload or List return it',
		displayOptions: showFor('get', 'delete', 'download'),
	},
	{
		displayName: 'Return All',
		name: 'fileReturnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: showFor('list'),
	},
	{
		displayName: 'Limit',
		name: 'fileLimit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1, maxValue: 10000, numberPrecision: 0 },
		description: 'Max number of results to return',
		displayOptions: { show: { resource: ['file'], operation: ['list'], fileReturnAll: [false] } },
		routing: sendQuery('limit'),
	},
	optionsCollection('file', showFor('upload', 'list', 'get', 'delete', 'download'), [
		sharedOptions.maxRetries,
		{
			displayName: 'Expires After (Seconds)',
			name: 'expiresAfter',
			type: 'number',
			default: 2592000,
			typeOptions: { minValue: 3600, maxValue: 2592000, numberPrecision: 0 },
			description: 'Delete the file this many seconds after upload: 3,600 (1 hour) to 2,592,000 (30 days)',
			displayOptions: onlyFor('upload'),
			routing: sendAs('expires_after'),
		},
		{
			displayName: 'Order',
			name: 'order',
			type: 'options',
			options: [
				{ name: 'Newest First', value: 'desc' },
				{ name: 'Oldest First', value: 'asc' },
			],
			default: 'desc',
			description: 'The order of the files by creation time',
			displayOptions: onlyFor('list'),
			routing: sendQuery('order'),
		},
		{
			displayName: 'Purpose',
			name: 'purpose',
			type: 'options',
			options: PURPOSES,
			default: 'user_data',
			description: 'Only list files with this purpose',
			displayOptions: onlyFor('list'),
			routing: sendQuery('purpose'),
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'The name of the binary field the file is written to',
			displayOptions: onlyFor('download'),
		},
	]),
];
