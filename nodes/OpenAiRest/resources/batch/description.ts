import type { IDisplayOptions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { batchOperationOf, optionsCollection, sendAs, sharedOptions, simplifyField } from '../../fields/factories';
import { objectRequest, operation } from '../../fields/operations';
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
/** Operations that call the Batch API themselves; Create From Items sends through the batched operation's options. */
const BATCH_API_OPERATIONS = ['cancelBatch', 'createFromFile', 'getResults', 'list', 'retrieve', 'waitForCompletion'];
// Get and Cancel have values of their own (retrieve, cancelBatch): Response's fields for its get and cancel
// show for Response's values, and the batched operations' fields for these values too.

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
			operation('Cancel', 'cancelBatch', 'Cancel a batch', 'Stop a batch; requests already answered stay in its output', objectRequest('POST', 'batches', 'batchId', '/cancel')),
			operation('Create From File', 'createFromFile', 'Create a batch from an uploaded file', 'Run the requests of a JSONL file uploaded with File → Upload, purpose Batch', {
				request: { method: 'POST', url: '/batches' },
				send: { preSend: [prepareFileBatch] },
			}),
			...batchable.map((entry) =>
				operation(
					`Create From Items: ${entry.name}`,
					batchOperationOf(entry.resource),
					`Create a batch of ${entry.results} from the input items`,
					`Each input item becomes one request, with the same fields as ${entry.name} on its own, at half price within 24 hours`,
					{
						request: { method: 'POST', url: '/batches' },
						send: { preSend: [gatherLine(targets[entry.resource])] },
						operations: { pagination: submitGathered(targets[entry.resource]) },
					},
				),
			),
			operation('Get', 'retrieve', 'Get a batch', 'Retrieve a batch with its status and request counts', objectRequest('GET', 'batches', 'batchId')),
			operation('Get Results', 'getResults', 'Get the results of a batch', 'One item per request, in the order submitted, shaped like the synchronous operation', {
				...objectRequest('GET', 'batches', 'batchId'),
				output: { postReceive: [batchResults(targets)] },
			}),
			operation('List', 'list', 'List batches', 'List batches, newest first', {
				request: { method: 'GET', url: '/batches' },
				operations: { pagination: listBatches },
			}),
			operation('Wait for Completion', 'waitForCompletion', 'Wait for a batch to complete', 'Check the batch at growing intervals until it completes, fails, expires or is cancelled', {
				...objectRequest('GET', 'batches', 'batchId'),
				operations: { pagination: waitForBatch },
			}),
		],
		default: 'batchChat',
	};
	const fields: INodeProperties[] = [
		{
			displayName: 'Custom ID',
			name: 'batchCustomId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.orderNumber }}',
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
			description: 'The ID of the batch, as Create returns it',
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
				// From the input items, the batched operation's own Max Retries applies.
				{ ...sharedOptions.maxRetries, displayOptions: onlyFor(...BATCH_API_OPERATIONS) },
				{ ...sharedOptions.maxRateLimitWait, displayOptions: onlyFor(...BATCH_API_OPERATIONS) },
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
