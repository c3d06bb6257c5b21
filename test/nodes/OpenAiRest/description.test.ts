/** The node description: every property users set has a name of its own. */
import type { INodeProperties } from 'n8n-workflow';

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
		for (const property of properties.filter((entry) => entry.displayName === 'Options' || entry.displayName === 'Simplify')) {
			const shownFor = property.displayOptions?.show?.resource as string[];
			expect(shownFor).toHaveLength(1);
			expect(resources).toContain(shownFor[0]);
			expect(property.name).toBe(`${shownFor[0]}${property.displayName === 'Options' ? 'Options' : 'Simplify'}`);
		}
	});
});
