/**
 * Matrix cases of the Batch resource: every case of a batchable operation again, run from the input items
 * (its request lines must carry the same routed values and conform to the same schema), and the Batch
 * operations' own parameters.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { batchOperationOf } from '../../nodes/OpenAiRest/fields/factories';
import { BATCH_ENDPOINTS } from '../../nodes/OpenAiRest/resources/batch/description';
import { DEFAULT_API_KEY, type OpenAiServer } from '../support/openai-server';
import type { MatrixCase } from './matrix';
import { rateLimitWaitCase } from './retry-cases';

/** The synchronous operation each Batch operation runs from the input items. */
export const BATCHED: Record<string, { resource: string; operation: string }> = Object.fromEntries(
	[
		['chat', 'create'],
		['embedding', 'create'],
		['image', 'generate'],
		['moderation', 'classify'],
		['response', 'create'],
		['text', 'create'],
	].map(([resource, operation]) => [batchOperationOf(resource), { resource, operation }]),
);

/** A case of a batchable operation, run from the input items; undefined when it needs the synchronous server. */
function fromItems(matrixCase: MatrixCase): MatrixCase | undefined {
	const { resource, operation } = matrixCase.parameters as { resource: string; operation: string };
	const batchOperation = batchOperationOf(resource);
	// Faults and server-side errors belong to the synchronous request; item checks fail the same in a batch.
	if (BATCHED[batchOperation]?.operation !== operation || matrixCase.arrange) return undefined;
	if (matrixCase.expectError && !['Best Of'].includes(matrixCase.expectError)) return undefined;
	const options = (matrixCase.parameters[`${resource}Options`] ?? {}) as IDataObject;
	// Simplify shapes results, which Batch → Get Results does with its own toggle.
	const { [`${resource}Simplify`]: _simplify, ...parameters } = matrixCase.parameters;
	return {
		name: `batch ← ${matrixCase.name}`,
		parameters: { ...parameters, resource: 'batch', operation: batchOperation },
		input: matrixCase.input,
		binary: matrixCase.binary,
		rewrites: matrixCase.rewrites,
		expectError: matrixCase.expectError ?? (options.stream === true ? 'Invalid "Stream"' : undefined),
	};
}

async function call(server: OpenAiServer, method: string, path: string, body?: unknown): Promise<IDataObject> {
	const response = await fetch(`${server.baseUrl()}${path}`, {
		method,
		headers: { Authorization: `Bearer ${DEFAULT_API_KEY}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
		...(body === undefined ? {} : { body: JSON.stringify(body) }),
	});
	return (await response.json()) as IDataObject;
}

/** A batch file on the server (file-000001) and, unless `fileOnly`, a batch of it, completed when asked. */
function seedBatch(state: 'file' | 'validating' | 'completed') {
	return async (server: OpenAiServer) => {
		const line = { custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] } };
		const form = new FormData();
		form.append('file', new Blob([`${JSON.stringify(line)}\n`]), 'n8n-batch-1.jsonl');
		form.append('purpose', 'batch');
		await fetch(`${server.baseUrl()}/files`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${DEFAULT_API_KEY}` } });
		if (state !== 'file') {
			const batch = await call(server, 'POST', '/batches', { input_file_id: 'file-000001', endpoint: '/v1/chat/completions', completion_window: '24h' });
			if (state === 'completed') for (let poll = 0; poll < 3; poll++) await call(server, 'GET', `/batches/${String(batch.id)}`);
		}
		// The seeding is not the node's.
		server.requests.length = 0;
	};
}

const batch = (operation: string, extra: INodeParameters = {}, options: INodeParameters = {}): INodeParameters => ({
	resource: 'batch',
	operation,
	...extra,
	batchOptions: options,
});

/** The fields each batched operation needs, beyond their defaults. */
const REQUIRED: Record<string, INodeParameters> = {
	chat: { chatModel: 'gpt-4o-mini', messages: { values: [{ role: 'user', content: 'Hi' }] } },
	embedding: { embeddingInput: 'Hi' },
	image: { imagePrompt: 'A red square' },
	moderation: { moderationInput: 'Hi' },
	response: { responsePrompt: 'Hi' },
	text: { textPrompt: 'Hi' },
};
const BY_ID = { batchId: 'batch_000001' };

/** Max Retries at both ends, and Max Wait for Rate Limits at 0, for a Batch operation. */
function retries(operation: string, extra: INodeParameters, arrange?: MatrixCase['arrange']): MatrixCase[] {
	return [
		...[0, 10].map((maxRetries) => ({ name: `batch: ${operation} with maxRetries ${maxRetries}`, parameters: batch(operation, extra, { maxRetries }), arrange })),
		rateLimitWaitCase(`batch: ${operation}`, (options) => batch(operation, extra, options), { arrange }),
	];
}

const ownCases: MatrixCase[] = [
	...Object.keys(BATCHED).flatMap((operation): MatrixCase[] => {
		const { resource } = BATCHED[operation];
		const fields = REQUIRED[resource];
		// The batched operation's Max Retries covers the upload and the create.
		const responseOnly = (options: INodeParameters) => (resource === 'response' ? options : {});
		const withRetries = (maxRetries: number, extra: INodeParameters) => ({ ...fields, [`${resource}Options`]: { ...responseOnly(extra), maxRetries, maxRateLimitWait: maxRetries ? 30 : 0 } });
		return [
			{
				name: `batch: ${operation} with a Custom ID, metadata and the shortest expiry`,
				parameters: batch(operation, { ...withRetries(0, { previousResponseId: 'resp_abc123' }), batchCustomId: '={{ "row-" + $itemIndex }}' }, { metadata: '{"job": "matrix"}', outputExpiresAfterHours: 1 }),
				input: [{}, {}],
			},
			{ name: `batch: ${operation} with the longest expiry`, parameters: batch(operation, withRetries(10, { conversation: 'conv_abc123' }), { outputExpiresAfterHours: 720 }) },
		];
	}),
	...BATCH_ENDPOINTS.map((endpoint) => ({
		name: `batch: create from file for ${endpoint}`,
		parameters: batch('createFromFile', { batchInputFileId: 'file-000001', batchEndpoint: endpoint }, { metadata: '{"source": "file"}' }),
		arrange: seedBatch('file'),
	})),
	{ name: 'batch: create from file, shortest expiry', parameters: batch('createFromFile', { batchInputFileId: 'file-000001' }, { outputExpiresAfterHours: 1 }), arrange: seedBatch('file') },
	{ name: 'batch: create from file, longest expiry', parameters: batch('createFromFile', { batchInputFileId: 'file-000001' }, { outputExpiresAfterHours: 720 }), arrange: seedBatch('file') },
	...retries('createFromFile', { batchInputFileId: 'file-000001' }, seedBatch('file')),
	...retries('retrieve', BY_ID, seedBatch('validating')),
	...retries('cancelBatch', BY_ID, seedBatch('validating')),
	...retries('getResults', { ...BY_ID, batchSimplify: true }, seedBatch('completed')),
	{ name: 'batch: get results, raw', parameters: batch('getResults', { ...BY_ID, batchSimplify: false }), arrange: seedBatch('completed') },
	...retries('waitForCompletion', { ...BY_ID, batchMaxWait: 0 }, seedBatch('validating')),
	{ name: 'batch: wait, shortest poll interval', parameters: batch('waitForCompletion', BY_ID, { pollInterval: 0.01 }), arrange: seedBatch('validating') },
	...retries('list', { batchReturnAll: true }, seedBatch('validating')),
	{ name: 'batch: list, smallest limit', parameters: batch('list', { batchReturnAll: false, batchLimit: 1 }), arrange: seedBatch('validating') },
	{ name: 'batch: list, largest limit', parameters: batch('list', { batchLimit: 100 }), arrange: seedBatch('validating') },
];

/** The Batch cases: the given cases of batchable operations from the input items, then the Batch operations' own. */
export function batchCasesFrom(cases: readonly MatrixCase[]): MatrixCase[] {
	return [...cases.map(fromItems).filter((entry): entry is MatrixCase => entry !== undefined), ...ownCases];
}
