import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { optionsCollection, sendAs, sharedOptions, simplifyField } from '../../shared/fields';
import {
	batchResults,
	type BatchTarget,
	type BatchTargets,
	gatherLine,
	listBatches,
	prepareFileBatch,
	submitGathered,
	waitForBatch,
} from './hooks';

/** A synchronous operation offered under Create → Operation to Batch, as its resource describes it. */
export interface BatchableOperation {
	/** The resource, also the value of Operation to Batch: 'chat'. */
	resource: string;
	/** 'Chat: Create Completion' */
	name: string;
	/** The resource's operation selector and the value of the batched operation. */
	operations: INodeProperties;
	value: string;
}

/** The endpoint and hooks of a synchronous operation, read from its own routing. */
export function batchTargetOf({ resource, operations, value }: BatchableOperation): BatchTarget {
	const option = (operations.options as INodePropertyOptions[]).find((candidate) => candidate.value === value);
	const routing = option?.routing;
	const url = routing?.request?.url;
	if (!routing || typeof url !== 'string' || url.startsWith('=')) throw new Error(`${resource} → ${value} has no fixed URL to batch`);
	return {
		resource,
		url,
		preSend: routing.send?.preSend ?? [],
		postReceive: (routing.output?.postReceive ?? []).filter((step) => typeof step === 'function'),
	};
}

/** The endpoints OpenAI's Batch API accepts (CreateBatchRequest.endpoint in the spec). */
export const BATCH_ENDPOINTS = [
	'/v1/responses',
	'/v1/chat/completions',
	'/v1/embeddings',
	'/v1/completions',
	'/v1/moderations',
	'/v1/images/generations',
	'/v1/images/edits',
	'/v1/videos',
];

const show = (...operation: string[]): IDisplayOptions => ({ show: { resource: ['batch'], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
const fromItems: IDisplayOptions = { show: { resource: ['batch'], operation: ['create'], batchSource: ['items'] } };
const fromFile: IDisplayOptions = { show: { resource: ['batch'], operation: ['create'], batchSource: ['fileId'] } };
const BATCH_URL = '=/batches/{{encodeURIComponent($parameter.batchId)}}';
// Get and Cancel have values of their own: Response's fields for its get and cancel must not show here.

/** The Batch resource: its operations and fields, for the batchable operations the node passes in. */
export function batchDescription(batchable: readonly BatchableOperation[]): INodeProperties[] {
	const targets: BatchTargets = Object.fromEntries(batchable.map((entry) => [entry.resource, batchTargetOf(entry)]));
	const operations: INodeProperties = {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['batch'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancelBatch',
				action: 'Cancel a batch',
				description: 'Stop a batch; requests already answered stay in its output',
				routing: { request: { method: 'POST', url: `${BATCH_URL}/cancel` } },
			},
			{
				name: 'Create',
				value: 'create',
				action: 'Create a batch',
				description: 'Run requests at half price within 24 hours, from the input items or an uploaded file',
				routing: { request: { method: 'POST', url: '/batches' }, send: { paginate: true } },
			},
			{
				name: 'Get',
				value: 'retrieve',
				action: 'Get a batch',
				description: 'Retrieve a batch with its status and request counts',
				routing: { request: { method: 'GET', url: BATCH_URL } },
			},
			{
				name: 'Get Results',
				value: 'getResults',
				action: 'Get the results of a batch',
				description: 'One item per request, in the order submitted, shaped like the synchronous operation',
				routing: { request: { method: 'GET', url: BATCH_URL }, output: { postReceive: [batchResults(targets)] } },
			},
			{
				name: 'List',
				value: 'list',
				action: 'List batches',
				description: 'List batches, newest first',
				routing: { request: { method: 'GET', url: '/batches' }, send: { paginate: true }, operations: { pagination: listBatches } },
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				action: 'Wait for a batch to complete',
				description: 'Check the batch at growing intervals until it completes, fails, expires or is cancelled',
				routing: { request: { method: 'GET', url: BATCH_URL }, send: { paginate: true }, operations: { pagination: waitForBatch } },
			},
		],
		default: 'create',
	};
	return [
		operations,
		{
			displayName: 'Source',
			name: 'batchSource',
			type: 'options',
			noDataExpression: true,
			displayOptions: show('create'),
			options: [
				{
					name: 'From Input Items',
					value: 'items',
					description: 'Each input item becomes one request of the operation chosen below',
					routing: { send: { preSend: [gatherLine(targets)] }, operations: { pagination: submitGathered } },
				},
				{
					name: 'From File ID',
					value: 'fileId',
					description: 'A JSONL file uploaded earlier with File → Upload, purpose Batch',
					routing: { send: { preSend: [prepareFileBatch] } },
				},
			],
			default: 'items',
		},
		{
			displayName: 'Operation to Batch',
			name: 'batchOperation',
			type: 'options',
			noDataExpression: true,
			displayOptions: fromItems,
			options: batchable.map((entry) => ({ name: entry.name, value: entry.resource })),
			default: 'chat',
			description: 'The operation each item runs, with the same fields as when it runs on its own',
		},
		{
			displayName: 'Custom ID',
			name: 'batchCustomId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.id }}',
			description:
				"Names the item's request and its result, e.g. an ID from your data; unique within the batch. Empty: item-0, item-1 and so on.",
			displayOptions: fromItems,
		},
		{
			displayName: 'Input File ID',
			name: 'batchInputFileId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. file-abc123',
			description: 'The ID of a JSONL file of requests, uploaded with purpose Batch',
			displayOptions: fromFile,
			routing: sendAs('input_file_id'),
		},
		{
			displayName: 'Endpoint',
			name: 'batchEndpoint',
			type: 'options',
			options: BATCH_ENDPOINTS.map((endpoint) => ({ name: endpoint, value: endpoint })),
			default: '/v1/chat/completions',
			description: 'The endpoint every request line of the file goes to',
			displayOptions: fromFile,
			routing: sendAs('endpoint'),
		},
		{
			displayName: 'Batch ID',
			name: 'batchId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. batch_abc123',
			description: 'The ID of the batch, e.g. {{ $json.id }} after Create',
			displayOptions: show('cancelBatch', 'getResults', 'retrieve', 'waitForCompletion'),
		},
		{
			displayName: 'Max Wait (Minutes)',
			name: 'batchMaxWait',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 0, numberPrecision: 2 },
			description:
				'How long to wait before returning the batch as it is. For batches that take hours, use a Wait node in a loop instead.',
			displayOptions: show('waitForCompletion'),
		},
		{
			displayName: 'Return All',
			name: 'batchReturnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: show('list'),
		},
		{
			displayName: 'Limit',
			name: 'batchLimit',
			type: 'number',
			default: 20,
			typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
			description: 'Max number of results to return',
			displayOptions: { show: { resource: ['batch'], operation: ['list'], batchReturnAll: [false] } },
			routing: { send: { type: 'query', property: 'limit' } },
		},
		simplifyField('batch', show('getResults')),
		{
			...optionsCollection('batch', show('cancelBatch', 'create', 'getResults', 'list', 'retrieve', 'waitForCompletion'), [
				{
					displayName: 'Metadata',
					name: 'metadata',
					type: 'json',
					default: '{}',
					description: 'Up to 16 string key-value pairs stored with each batch, e.g. {"job": "nightly"}',
					displayOptions: onlyFor('create'),
				},
				{
					displayName: 'Output Expires After (Hours)',
					name: 'outputExpiresAfterHours',
					type: 'number',
					default: 720,
					typeOptions: { minValue: 1, maxValue: 720, numberPrecision: 0 },
					description: 'Delete the output and error files this many hours after they are written: 1 to 720 (30 days)',
					displayOptions: onlyFor('create'),
				},
				sharedOptions.maxRetries,
				{
					displayName: 'First Poll Interval (Seconds)',
					name: 'pollInterval',
					type: 'number',
					default: 5,
					typeOptions: { minValue: 0.01, numberPrecision: 2 },
					description: 'The first wait between two checks of the batch; each next wait is 1.5 times longer, up to 5 minutes',
					displayOptions: onlyFor('waitForCompletion'),
				},
			]),
			// Shown next to the batched operation's own Options, so it names itself.
			displayName: 'Batch Options',
		},
	];
}
