import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { type ModelFamily, modelLoadOptions } from './models';
import { optionsName, simplifyName } from './parameters';
import { DEFAULT_MAX_RETRIES } from './transport';

/** Shows a field only for one resource and operation. */
export function showFor(resource: string, operation: string): IDisplayOptions {
	return { show: { resource: [resource], operation: [operation] } };
}

/** Sends the parameter's value under a body key, as the JSON type n8n gives it. */
export function sendAs(property: string): INodeProperties['routing'] {
	return { send: { type: 'body', property } };
}

/** A model picker filled from `GET /models`, filtered to one family; expressions always work. */
export function modelField(
	name: string,
	family: ModelFamily,
	defaultModel: string,
	displayOptions: IDisplayOptions,
	overrides: Partial<INodeProperties> = {},
): INodeProperties {
	return {
		displayName: 'Model Name or ID',
		name,
		type: 'options',
		required: true,
		default: defaultModel,
		description:
			'The model to use. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		typeOptions: { loadOptions: modelLoadOptions(family) },
		routing: sendAs('model'),
		displayOptions,
		...overrides,
	};
}

export function simplifyField(resource: string, displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Simplify',
		name: simplifyName(resource),
		type: 'boolean',
		default: true,
		description:
			'Whether to return a simplified version of the response instead of the raw data',
		displayOptions,
	};
}

/** Sorts options by display name, as n8n's UX guidelines ask for collections. */
export function sortedOptions(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/** The Options collection of a resource. */
export function optionsCollection(
	resource: string,
	displayOptions: IDisplayOptions,
	options: INodeProperties[],
): INodeProperties {
	return {
		displayName: 'Options',
		name: optionsName(resource),
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions,
		options: sortedOptions(options),
	};
}

/** Optional parameters shared by several operations; each is defined once here. */
export const sharedOptions = {
	temperature: {
		displayName: 'Sampling Temperature',
		name: 'temperature',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0, maxValue: 2, numberPrecision: 2 },
		description:
			'Between 0 and 2. Higher values like 0.8 make the output more random, lower values like 0.2 more focused and deterministic. Alter this or Top P, not both.',
		routing: sendAs('temperature'),
	},
	topP: {
		displayName: 'Top P',
		name: 'topP',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
		description:
			'Nucleus sampling between 0 and 1: 0.1 means only the tokens in the top 10% probability mass are considered. Alter this or Sampling Temperature, not both.',
		routing: sendAs('top_p'),
	},
	frequencyPenalty: {
		displayName: 'Frequency Penalty',
		name: 'frequencyPenalty',
		type: 'number',
		default: 0,
		typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
		description:
			'Between -2 and 2. Positive values penalize tokens by how often they already appear, making verbatim repetition less likely.',
		routing: sendAs('frequency_penalty'),
	},
	presencePenalty: {
		displayName: 'Presence Penalty',
		name: 'presencePenalty',
		type: 'number',
		default: 0,
		typeOptions: { minValue: -2, maxValue: 2, numberPrecision: 2 },
		description:
			'Between -2 and 2. Positive values penalize tokens that already appear, making new topics more likely.',
		routing: sendAs('presence_penalty'),
	},
	stop: {
		displayName: 'Stop Sequences',
		name: 'stop',
		type: 'string',
		default: [],
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Stop Sequence' },
		description:
			'Up to 4 sequences where the API stops generating further tokens. The returned text does not contain them.',
		routing: sendAs('stop'),
	},
	logitBias: {
		displayName: 'Logit Bias',
		name: 'logitBias',
		type: 'json',
		default: '{}',
		description:
			'A JSON object mapping token IDs to a bias from -100 to 100, e.g. {"50256": -100} bans the end-of-text token',
		routing: sendAs('logit_bias'),
	},
	user: {
		displayName: 'User',
		name: 'user',
		type: 'string',
		default: '',
		description: 'A stable identifier for your end user, which helps OpenAI detect abuse',
		routing: sendAs('user'),
	},
	seed: {
		displayName: 'Seed',
		name: 'seed',
		type: 'number',
		default: 0,
		typeOptions: { numberPrecision: 0 },
		description:
			'Makes sampling as deterministic as the model allows: the same seed and parameters should return the same result',
		routing: sendAs('seed'),
	},
	maxRetries: {
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		default: DEFAULT_MAX_RETRIES,
		typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
		description:
			'How often to retry rate limits (not quota errors), server errors and dropped connections, with exponential backoff that honours Retry-After. Runs inside each try of the node setting Retry On Fail.',
	},
	stream: {
		displayName: 'Stream',
		name: 'stream',
		type: 'boolean',
		default: false,
		description:
			'Whether to receive the answer as server-sent events. The node assembles them into the same output as an unstreamed call.',
		routing: sendAs('stream'),
	},
	includeUsage: {
		displayName: 'Include Usage in Stream',
		name: 'includeUsage',
		type: 'boolean',
		default: true,
		description:
			'Whether a streamed answer ends with token usage. Turn off for compatible servers that reject stream_options.',
	},
} satisfies Record<string, INodeProperties>;

/** A number option with a range, sent under a body key. */
export function numberOption(
	displayName: string,
	name: string,
	property: string,
	description: string,
	range: { min?: number; max?: number; default: number; precision?: number },
): INodeProperties {
	const option: INodeProperties = {
		displayName,
		name,
		type: 'number',
		default: 0,
		typeOptions: {
			...(range.min !== undefined ? { minValue: range.min } : {}),
			...(range.max !== undefined ? { maxValue: range.max } : {}),
			numberPrecision: range.precision ?? 0,
		},
		description,
		routing: sendAs(property),
	};
	return { ...option, default: range.default };
}
