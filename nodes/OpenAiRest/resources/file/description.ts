import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { limitField, optionsCollection, orderOption, outputFieldOption, returnAllField, sendAs, sharedOptions } from '../../fields/factories';
import { objectRequest, operation } from '../../fields/operations';
import { cursorPages } from '../../transport/pages';
import { downloadFileContent, prepareFileUpload } from './hooks';

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
			operations: { pagination: cursorPages('fileReturnAll') },
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
	returnAllField('file', showFor('list')),
	limitField('file', ['list'], 10000),
	optionsCollection('file', showFor('upload', 'list', 'get', 'delete', 'download'), [
		sharedOptions.maxRateLimitWait,
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
		orderOption(onlyFor('list'), 'The order of the files by creation time'),
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
		outputFieldOption(onlyFor('download'), 'The name of the binary field the file is written to'),
	]),
];
