/**
 * The aggregation design, proven on a minimal declarative node run by n8n-core's RoutingNode: every item's
 * first preSend joins the run's gathering at once, each pagination hook waits until it is settled, and the
 * lowest item with a line answers for all.
 */
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeType,
} from 'n8n-workflow';

import {
	GROUP_GRACE_MS,
	type Gathering,
	joinGathering,
	gatheringOf,
	leaveGathering,
	loopDone,
	newGathering,
	recordFailure,
	recordLine,
	whenSettled,
} from '../../../../../nodes/OpenAiRest/resources/batch/gather';
import { nodeTypes, runNode } from '../../../../support/engine';

const GATHER_TYPE = 'test.gatherProbe';

/** Joins synchronously, records after an await, as the real preSend does after the operation's own chain. */
async function collect(context: IExecuteSingleFunctions, options: IHttpRequestOptions, spacing: { size: number; intervalMs: number }) {
	const gathering = joinGathering(context, () => newGathering(context.getWorkflowDataProxy(context.getItemIndex()).$input.all().length, spacing));
	const item = context.getItemIndex();
	await Promise.resolve();
	const body = options.body as IDataObject;
	if (body.text === 'bad') {
		recordFailure(gathering, item);
		throw new Error(`Item ${item} is bad`);
	}
	recordLine(gathering, item, { custom_id: `item-${item}`, method: 'POST', url: '/v1/x', body });
	return options;
}

async function gatherPreSend(this: IExecuteSingleFunctions, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	return await collect(this, options, { size: 0, intervalMs: 0 });
}

/** With n8n's Batching option, the gathering learns the spacing from the node's Request Options. */
async function spacedPreSend(this: IExecuteSingleFunctions, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const batching = this.getNodeParameter('requestOptions.batching.batch', {}) as { batchSize?: number; batchInterval?: number };
	return await collect(this, options, { size: batching.batchSize ?? 0, intervalMs: batching.batchInterval ?? 0 });
}

async function gatherHook(this: IExecutePaginationFunctions, _request: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
	const gathering = gatheringOf(this)!;
	const settled = await whenSettled(gathering, this.getExecutionCancelSignal());
	leaveGathering(this, gathering);
	if (settled.lines[0]?.item !== this.getItemIndex()) return [];
	return [{ json: { texts: settled.lines.map(({ line }) => (line.body as IDataObject).text as string), lost: settled.lost } }];
}

const probe: INodeType = {
	description: {
		displayName: 'Gather Probe',
		name: 'gatherProbe',
		group: ['transform'],
		version: 1,
		description: 'Gathers its items',
		defaults: { name: 'Gather Probe' },
		inputs: ['main'],
		outputs: ['main'],
		requestDefaults: { baseURL: 'http://127.0.0.1:9' },
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Gather', value: 'gather', routing: { request: { method: 'POST', url: '/x' }, send: { paginate: true, preSend: [gatherPreSend] }, operations: { pagination: gatherHook } } },
					{ name: 'Spaced', value: 'spaced', routing: { request: { method: 'POST', url: '/x' }, send: { paginate: true, preSend: [spacedPreSend] }, operations: { pagination: gatherHook } } },
				],
				default: 'gather',
			},
			{ displayName: 'Text', name: 'text', type: 'string', default: '', routing: { send: { type: 'body', property: 'text' } } },
		],
	},
};

nodeTypes.register(GATHER_TYPE, probe);
const credentials = { apiKey: 'unused', baseUrl: 'http://127.0.0.1:9' };
const run = (parameters: IDataObject, input: IDataObject[], extra: { continueOnFail?: boolean } = {}) =>
	runNode(parameters as never, { credentials, input, node: { type: GATHER_TYPE, typeVersion: 1, credentialType: 'none' }, ...extra });

describe('gathering the items of a run (RoutingNode of n8n-core)', () => {
	it('hands every item\'s built request to one hook, which answers once for all', async () => {
		const input = ['a', 'b', 'c', 'd', 'e'].map((text) => ({ text }));
		const { items, error } = await run({ operation: 'gather', text: '={{ $json.text }}' }, input);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([{ texts: ['a', 'b', 'c', 'd', 'e'], lost: [] }]);
	});

	it('still gathers every item when n8n\'s Batching option spaces them out in time', async () => {
		const input = ['a', 'b', 'c', 'd', 'e'].map((text) => ({ text }));
		const parameters = { operation: 'spaced', text: '={{ $json.text }}', requestOptions: { batching: { batch: { batchSize: 2, batchInterval: 30 } } } };
		const started = Date.now();
		const { items, error } = await run(parameters, input);
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([{ texts: ['a', 'b', 'c', 'd', 'e'], lost: [] }]);
		// Two pauses of the Batching option, and no grace wait on top.
		expect(Date.now() - started).toBeLessThan(GROUP_GRACE_MS);
	});

	it('leaves out items that fail, in their preSend or before it, under Continue On Fail', async () => {
		const input = [{ text: 'a' }, { text: 'bad' }, { text: 'c' }, { nested: 1 }];
		// The last item's expression throws while RoutingNode resolves it: its request never starts.
		const { items, error } = await run({ operation: 'gather', text: '={{ $json.text ?? $("No Such Node").item.json.text }}' }, input, { continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ texts: ['a', 'c'], lost: [1, 3] });
		expect(items.slice(1).map((item) => item.error?.message)).toEqual([expect.stringContaining('Item 1 is bad'), expect.any(String)]);
		expect(items).toHaveLength(3);
	});

	it('fails the run with the bad item\'s own error otherwise', async () => {
		const { error } = await run({ operation: 'gather', text: '={{ $json.text }}' }, [{ text: 'a' }, { text: 'bad' }]);
		expect(error?.message).toContain('Item 1 is bad');
	});
});

describe('loopDone', () => {
	const gathering = (total: number, joined: number[], size: number, intervalMs: number, lastJoinAt = 1000): Gathering => {
		const result = newGathering(total, { size, intervalMs }, lastJoinAt);
		for (const item of joined) result.entries.set(item, { state: 'pending' });
		return result;
	};

	it('is done once the last item joined, or at once without spacing', () => {
		expect(loopDone(gathering(3, [0, 2], 1, 100))).toBe(true);
		expect(loopDone(gathering(3, [0], 0, 0))).toBe(true);
	});

	it('waits for the later groups of the Batching option, then gives up on groups that never start', () => {
		expect(loopDone(gathering(6, [0, 1], 2, 100), 1050)).toBe(false);
		expect(loopDone(gathering(6, [0, 1, 4], 2, 100), 1050)).toBe(true);
		expect(loopDone(gathering(6, [0, 1], 2, 100), 1000 + 100 + GROUP_GRACE_MS + 1)).toBe(true);
	});
});
