import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { batchOperationOf, optionsCollection, sendAs, sharedOptions, simplifyField } from '../../shared/fields';
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

/** A synchronous operation the Batch resource runs from the input items, as its resource describes it. */
export interface BatchableOperation {
	/** The resource: 'chat'. */
	resource: string;
	/** The resource as the operation list names it: 'Chat'. */
	name: string;
	/** What its requests make, for the action text: 'chat completions'. */
	results: string;
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
// Get and Cancel have values of their own: Response's fields for its get and cancel must not show here.
const BATCH_URL = '=/batches/{{encodeURIComponent($parameter.batchId)}}';

/**
 * The Batch resource for the batchable operations the node passes in. Each of them is an operation of its
 * own, "Create From Items: Chat", whose value the batched resource's fields also show for.
 */
export function batchDescription(batchable: readonly BatchableOperation[]): { operations: INodeProperties; fields: INodeProperties[] } {
	const targets: BatchTargets = Object.fromEntries(batchable.map((entry) => [entry.resource, batchTargetOf(entry)]));
	const fromItems = batchable.map((entry) => batchOperationOf(entry.resource));
	const creating = ['createFromFile', ...fromItems];
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
				routing: { request: { method: 'POST', url: `${BATCH_URL}/cancel` }, send: { paginate: true } },
			},
			{
				name: 'Create From File',
				value: 'createFromFile',
				action: 'Create a batch from an uploaded file',
				description: 'Run the requests of a JSONL file uploaded with File → Upload, purpose Batch',
				routing: { request: { method: 'POST', url: '/batches' }, send: { paginate: true, preSend: [prepareFileBatch] } },
			},
			...batchable.map((entry) => ({
				name: `Create From Items: ${entry.name}`,
				value: batchOperationOf(entry.resource),
				action: `Create a batch of ${entry.results} from the input items`,
				description: `Each input item becomes one request, with the same fields as ${entry.name} on its own, at half price within 24 hours`,
				routing: {
					request: { method: 'POST' as const, url: '/batches' },
					send: { paginate: true, preSend: [gatherLine(targets[entry.resource])] },
					operations: { pagination: submitGathered },
				},
			})),
			{
				name: 'Get',
				value: 'retrieve',
				action: 'Get a batch',
				description: 'Retrieve a batch with its status and request counts',
				routing: { request: { method: 'GET', url: BATCH_URL }, send: { paginate: true } },
			},
			{
				name: 'Get Results',
				value: 'getResults',
				action: 'Get the results of a batch',
				description: 'One item per request, in the order submitted, shaped like the synchronous operation',
				routing: { request: { method: 'GET', url: BATCH_URL }, send: { paginate: true }, output: { postReceive: [batchResults(targets)] } },
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
		default: 'batchChat',
	};
	const fields: INodeProperties[] = [
		{
			displayName: 'Custom ID',
			name: 'batchCustomId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.id }}',
			description:
				"Names the item's request and its result, e.g. an ID from your data; unique within the batch. Empty: item-0, item-1 and so on.",
			displayOptions: show(...fromItems),
		},
		{
			displayName: 'Input File ID',
			name: 'batchInputFileId',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'e.g. file-abc123',
			description: 'The ID of a JSONL file of requests, uploaded with purpose Batch',
			displayOptions: show('createFromFile'),
			routing: sendAs('input_file_id'),
		},
		{
			displayName: 'Endpoint',
			name: 'batchEndpoint',
			type: 'options',
			options: BATCH_ENDPOINTS.map((endpoint) => ({ name: endpoint, value: endpoint })),
			default: '/v1/chat/completions',
			description: 'The endpoint every request line of the file goes to',
			displayOptions: show('createFromFile'),
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
			...optionsCollection('batch', show('cancelBatch', ...creating, 'getResults', 'list', 'retrieve', 'waitForCompletion'), [
				{
					displayName: 'Metadata',
					name: 'metadata',
					type: 'json',
					default: '{}',
					description: 'Up to 16 string key-value pairs stored with each batch, e.g. {"job": "nightly"}',
					displayOptions: onlyFor(...creating),
				},
				{
					displayName: 'Output Expires After (Hours)',
					name: 'outputExpiresAfterHours',
					type: 'number',
					default: 720,
					typeOptions: { minValue: 1, maxValue: 720, numberPrecision: 0 },
					description: 'Delete the output and error files this many hours after they are written: 1 to 720 (30 days)',
					displayOptions: onlyFor(...creating),
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
	return { operations, fields };
}
