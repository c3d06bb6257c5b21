/**
 * Parameter coverage derived from the node description: which parameter paths of each operation
 * exist, which values each one must be exercised with, and which the matrix cases actually set.
 */
import type {
	INodeParameters,
	INodeProperties,
	INodePropertyCollection,
	INodeTypeDescription,
	NodeParameterValueType,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

/** 'chat:create' */
export type OperationKey = string;

/** One parameter of one operation, e.g. options.temperature of chat:create. */
export interface ParameterRequirement {
	operation: OperationKey;
	/** Dotted path: 'model', 'options.temperature', 'messages.values.role'. */
	path: string;
	property: INodeProperties;
	/** Values that must each be exercised, with why ('minValue', 'option'); empty means "set at least once". */
	values: Array<{ value: NodeParameterValueType; reason: string }>;
}

const SELECTORS = new Set(['resource', 'operation']);
/** n8n adds Request Options (timeout, batching, proxy) to every declarative node; they are n8n's, not the node's. */
const ADDED_BY_N8N = new Set(['requestOptions']);

/** Operations as 'resource:operation', read from the operation selectors. */
export function operationsOf(description: INodeTypeDescription): OperationKey[] {
	return description.properties
		.filter((property) => property.name === 'operation')
		.flatMap((property) => {
			const resources = (property.displayOptions?.show?.resource ?? []) as string[];
			const operations = (property.options ?? []).map((option) => (option as { value: string }).value);
			return resources.flatMap((resource) => operations.map((operation) => `${resource}:${operation}`));
		});
}

/** Whether a top-level property belongs to an operation (other display conditions are value-dependent). */
function belongsTo(property: INodeProperties, operation: OperationKey): boolean {
	const [resource, op] = operation.split(':');
	const show = property.displayOptions?.show ?? {};
	const resources = show.resource as string[] | undefined;
	const operations = show.operation as string[] | undefined;
	return (!resources || resources.includes(resource)) && (!operations || operations.includes(op));
}

function requiredValues(property: INodeProperties): ParameterRequirement['values'] {
	if (property.type === 'boolean') {
		return [
			{ value: true, reason: 'true' },
			{ value: false, reason: 'false' },
		];
	}
	if (property.type === 'options' && Array.isArray(property.options)) {
		return property.options.map((option) => ({ value: (option as { value: string }).value, reason: 'option' }));
	}
	if (property.type === 'number') {
		const { minValue, maxValue } = property.typeOptions ?? {};
		return [
			...(minValue !== undefined ? [{ value: minValue as number, reason: 'minValue' }] : []),
			...(maxValue !== undefined ? [{ value: maxValue as number, reason: 'maxValue' }] : []),
		];
	}
	return [];
}

/** Options of a collection may show for some operations only, through a root path ('/operation'). */
function shownForOperation(property: INodeProperties, operation: OperationKey): boolean {
	const operations = property.displayOptions?.show?.['/operation'] as string[] | undefined;
	return !operations || operations.includes(operation.split(':')[1]);
}

function requirementsUnder(
	operation: OperationKey,
	properties: INodeProperties[],
	prefix: string,
): ParameterRequirement[] {
	return properties.filter((property) => shownForOperation(property, operation)).flatMap((property) => {
		const path = `${prefix}${property.name}`;
		if (property.type === 'collection') {
			return requirementsUnder(operation, property.options as INodeProperties[], `${path}.`);
		}
		if (property.type === 'fixedCollection') {
			return (property.options as INodePropertyCollection[]).flatMap((group) =>
				requirementsUnder(operation, group.values, `${path}.${group.name}.`),
			);
		}
		return [{ operation, path, property, values: requiredValues(property) }];
	});
}

/** Every leaf parameter of every operation, walking collections and fixedCollections. */
export function parameterRequirements(description: INodeTypeDescription): ParameterRequirement[] {
	return operationsOf(description).flatMap((operation) =>
		requirementsUnder(
			operation,
			description.properties.filter(
				(property) =>
					!SELECTORS.has(property.name) && !ADDED_BY_N8N.has(property.name) && belongsTo(property, operation),
			),
			'',
		),
	);
}

/** Leaf values a case sets, keyed by dotted path; fixedCollection rows contribute every row. */
function leafValues(parameters: INodeParameters, prefix = ''): Array<[string, NodeParameterValueType]> {
	return Object.entries(parameters).flatMap(([name, value]): Array<[string, NodeParameterValueType]> => {
		const path = `${prefix}${name}`;
		if (Array.isArray(value) && value.some((entry) => typeof entry === 'object' && entry !== null)) {
			return (value as INodeParameters[]).flatMap((row) => leafValues(row, `${path}.`));
		}
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
			return leafValues(value as INodeParameters, `${path}.`);
		}
		return [[path, value as NodeParameterValueType]];
	});
}

/** Records the values the matrix cases set, per operation and parameter path. */
export class CoverageRecorder {
	private readonly seen = new Map<string, NodeParameterValueType[]>();

	private readonly operationsRun = new Set<OperationKey>();

	constructor(private readonly description: INodeTypeDescription) {}

	/**
	 * Records the parameters of one case. Throws when the case sets a parameter its operation does not
	 * show with these values (a mistyped name, or one hidden by e.g. Messages Input), since n8n drops those.
	 */
	record(parameters: INodeParameters): void {
		const operation = `${parameters.resource as string}:${parameters.operation as string}`;
		this.operationsRun.add(operation);
		const shown = this.shownParameters(parameters);
		for (const [path, value] of leafValues(parameters)) {
			if (SELECTORS.has(path)) continue;
			if (!shown.has(path.split('.')[0])) {
				throw new Error(`a case sets ${path}, which ${operation} does not show with these parameters`);
			}
			const key = `${operation} ${path.replace(/\.\d+\./g, '.')}`;
			this.seen.set(key, [...(this.seen.get(key) ?? []), value]);
		}
	}

	/** Top-level parameter names n8n keeps for these values (it drops hidden ones). */
	private shownParameters(parameters: INodeParameters): Set<string> {
		const resolved = NodeHelpers.getNodeParameters(
			this.description.properties,
			parameters,
			true,
			false,
			{ typeVersion: 1 },
			this.description,
		);
		return new Set(Object.keys(resolved ?? {}));
	}

	/** One line per requirement never met: 'parameter options.temperature of chat:create: maxValue 2 never sent'. */
	missing(requirements: ParameterRequirement[]): string[] {
		return requirements.flatMap((requirement) => {
			const label = `parameter ${requirement.path} of ${requirement.operation}`;
			if (requirement.property.type === 'notice') {
				return this.operationsRun.has(requirement.operation) ? [] : [`${label} is never shown`];
			}
			const values = this.seen.get(`${requirement.operation} ${requirement.path}`);
			if (!values) return [`${label} is never covered`];
			return requirement.values
				.filter((required) => !values.some((value) => value === required.value))
				.map((required) => `${label}: ${required.reason} ${JSON.stringify(required.value)} is never used`);
		});
	}
}
