/** The node description: every property users set has a name of its own. */
import type { INodeProperties } from 'n8n-workflow';

import { batchOperationOf } from '../../../nodes/OpenAiRest/fields/factories';
import { OpenAiRest } from '../../../nodes/OpenAiRest/OpenAiRest.node';

const { properties } = new OpenAiRest().description;

/** Properties whose values users cannot set by expression, and which RoutingNode therefore resolves for free. */
const selector = (property: INodeProperties) => property.noDataExpression === true || property.type === 'notice';

describe('node description', () => {
	it('gives every user-set top-level property its own name', () => {
		// RoutingNode resolves each top-level property per item: a shared name evaluates an expression once per twin.
		const names = properties.filter((property) => !selector(property)).map((property) => property.name);
		const repeated = names.filter((name, index) => names.indexOf(name) !== index);
		expect(repeated).toStrictEqual([]);
	});

	it('shares a name only between selectors, the operation selectors of the resources', () => {
		const names = properties.filter(selector).map((property) => property.name);
		const repeated = [...new Set(names.filter((name, index) => names.indexOf(name) !== index))];
		expect(repeated).toStrictEqual(['operation']);
	});

	it('names each Options collection and Simplify toggle after its resource', () => {
		const resources = (properties.find((property) => property.name === 'resource')?.options ?? []).map(
			(option) => (option as { value: string }).value,
		);
		const collections = properties.filter((entry) => ['Options', 'Batch Options', 'Simplify'].includes(entry.displayName));
		for (const property of collections) {
			const [owner, ...also] = property.displayOptions?.show?.resource as string[];
			// A batchable operation's Options also show under Batch, which runs that operation.
			expect(also).toEqual(also.length ? ['batch'] : []);
			expect(resources).toContain(owner);
			expect(property.name).toBe(`${owner}${property.displayName === 'Simplify' ? 'Simplify' : 'Options'}`);
		}
		expect(collections.filter((property) => property.displayName === 'Batch Options').map((property) => property.name)).toEqual(['batchOptions']);
	});

	it('shows the batchable operations\' own fields under the Batch operation that runs each, and only there', () => {
		const batchOperations = (properties.find((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.[0] === 'batch')?.options ?? []).map(
			(option) => (option as { value: string }).value,
		);
		for (const property of properties.filter((entry) => (entry.displayOptions?.show?.resource as string[] | undefined)?.includes('batch'))) {
			const [owner] = property.displayOptions!.show!.resource as string[];
			if (owner === 'batch') continue;
			const ownBatchOperation = batchOperationOf(owner);
			expect(batchOperations).toContain(ownBatchOperation);
			const shownForBatch = (property.displayOptions!.show!.operation as string[]).filter((value) => batchOperations.includes(value));
			expect({ property: property.name, shownForBatch }).toEqual({ property: property.name, shownForBatch: [ownBatchOperation] });
		}
	});
});
