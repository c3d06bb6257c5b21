import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { type ModelFamily, modelLoadOptions } from './models';
import { optionsName, simplifyName } from '../transport/parameters';
import { DEFAULT_MAX_RETRIES } from '../transport/send';
import { DEFAULT_MAX_WAIT_SECONDS } from '../transport/rate-limit';

/** Shows a field only for one resource and operation. */
export function showFor(resource: string, operation: string): IDisplayOptions {
	return { show: { resource: [resource], operation: [operation] } };
}

/** The Batch operation that runs a resource's create operation from the input items: 'batchChat'. */
export function batchOperationOf(resource: string): string {
	return `batch${resource.charAt(0).toUpperCase()}${resource.slice(1)}`;
}

/**
 * Shows a field of a batchable operation for that operation, and under the Batch operation that runs it
 * from the input items: the same field, filled and routed the same way, in both places.
 */
export function showForBatchable(resource: string, ...operations: string[]): IDisplayOptions {
	return { show: { resource: [resource, 'batch'], operation: [...operations, batchOperationOf(resource)] } };
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

/** Image Detail of a message row with image URLs (Chat and Response). */
export const imageDetailField: INodeProperties = {
	displayName: 'Image Detail',
	name: 'imageDetail',
	type: 'options',
	options: [
		{ name: 'Auto', value: 'auto' },
		{ name: 'High', value: 'high' },
		{ name: 'Low', value: 'low' },
	],
	default: 'auto',
	description: 'How closely the model looks at the images: low is cheaper and faster',
};

/** What the Responses and Conversations APIs can add to their items (`include`). */
export const INCLUDE_OPTIONS = [
	{ name: 'Code Interpreter Outputs', value: 'code_interpreter_call.outputs' },
	{ name: 'Computer Call Image URLs', value: 'computer_call_output.output.image_url' },
	{ name: 'File Search Results', value: 'file_search_call.results' },
	{ name: 'Input Image URLs', value: 'message.input_image.image_url' },
	{ name: 'Output Log Probabilities', value: 'message.output_text.logprobs' },
	{ name: 'Reasoning Encrypted Content', value: 'reasoning.encrypted_content' },
	{ name: 'Web Search Results', value: 'web_search_call.results' },
	{ name: 'Web Search Sources', value: 'web_search_call.action.sources' },
];

/** Return All and Limit of a list operation, named after the resource: `<resource>ReturnAll`, `<resource>Limit`. */
export function returnAllFields(resource: string, operation: string): INodeProperties[] {
	const returnAll = `${resource}ReturnAll`;
	return [
		{
			displayName: 'Return All',
			name: returnAll,
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show: { resource: [resource], operation: [operation] } },
		},
		{
			displayName: 'Limit',
			name: `${resource}Limit`,
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { resource: [resource], operation: [operation], [returnAll]: [false] } },
		},
	];
}

/** Order of a cursor-paged list (query `order`, newest first by default), in one operation's Options. */
export function listOrderOption(what: string, operation: string): INodeProperties {
	return {
		displayName: 'Order',
		name: 'order',
		type: 'options',
		options: [
			{ name: 'Ascending', value: 'asc', description: 'Oldest first' },
			{ name: 'Descending', value: 'desc', description: 'Newest first' },
		],
		default: 'desc',
		description: `The order of the ${what}`,
		displayOptions: { show: { '/operation': [operation] } },
		routing: { send: { type: 'query', property: 'order' } },
	};
}

/** Input Binary Fields of a message row (Chat and Response): files from the item that go with the message. */
export const binaryFieldsField: INodeProperties = {
	displayName: 'Input Binary Fields',
	name: 'binaryFields',
	type: 'string',
	default: '',
	placeholder: 'e.g. data, invoice',
	description:
		'For user messages: binary fields of the input item holding images (PNG, JPEG, WebP, GIF) or documents (PDF, Word, text, …) to send with the message, separated by commas; at most 50 MB in all',
};

/** File IDs of a message row: uploaded files that go with the message. */
export const fileIdsField: INodeProperties = {
	displayName: 'File IDs',
	name: 'fileIds',
	type: 'string',
	default: '',
	placeholder: 'e.g. file-abc123',
	description: 'For user messages: IDs of uploaded files (such as PDFs), separated by commas',
};

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
			'How often to retry server errors and dropped connections, with exponential backoff that honours Retry-After. Rate limits cost no retry: see Max Wait for Rate Limits. Runs inside each try of the node setting Retry On Fail.',
	},
	maxRateLimitWait: {
		displayName: 'Max Wait for Rate Limits',
		name: 'maxRateLimitWait',
		type: 'number',
		default: DEFAULT_MAX_WAIT_SECONDS,
		typeOptions: { minValue: 0, numberPrecision: 1 },
		description:
			"Seconds an item may wait in total for the server's rate limit before it fails. Items of a run (and of other runs with the same credential) share the limit and go out in order as fast as it allows. 0 fails an item at the first rate limit.",
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
	jsonSchemaName: {
		displayName: 'JSON Schema Name',
		name: 'jsonSchemaName',
		type: 'string',
		default: 'response',
		description: 'Name of the response format: letters, digits, underscores and dashes, up to 64 characters',
		routing: sendAs('response_format.json_schema.name'),
	},
	jsonSchemaDescription: {
		displayName: 'JSON Schema Description',
		name: 'jsonSchemaDescription',
		type: 'string',
		default: '',
		description: 'What the response format is for, so the model knows how to answer in it',
		routing: sendAs('response_format.json_schema.description'),
	},
	jsonSchemaStrict: {
		displayName: 'JSON Schema Strict',
		name: 'jsonSchemaStrict',
		type: 'boolean',
		default: true,
		description: 'Whether the model must follow the schema exactly (Structured Outputs)',
		routing: sendAs('response_format.json_schema.strict'),
	},
	parallelToolCalls: {
		displayName: 'Parallel Tool Calls',
		name: 'parallelToolCalls',
		type: 'boolean',
		default: true,
		description: 'Whether the model may call several tools in one answer',
		routing: sendAs('parallel_tool_calls'),
	},
	promptCacheKey: {
		displayName: 'Prompt Cache Key',
		name: 'promptCacheKey',
		type: 'string',
		default: '',
		description: 'Groups similar requests to improve prompt cache hits; replaces User for caching',
		routing: sendAs('prompt_cache_key'),
	},
	reasoningEffort: {
		displayName: 'Reasoning Effort',
		name: 'reasoningEffort',
		type: 'options',
		options: [
			{ name: 'Extra High', value: 'xhigh' },
			{ name: 'High', value: 'high' },
			{ name: 'Low', value: 'low' },
			{ name: 'Max', value: 'max' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'Minimal', value: 'minimal' },
			{ name: 'None', value: 'none' },
		],
		default: 'medium',
		description: 'How much reasoning models (o-series, GPT-5) think before answering; not every model supports every value',
		routing: sendAs('reasoning_effort'),
	},
	safetyIdentifier: {
		displayName: 'Safety Identifier',
		name: 'safetyIdentifier',
		type: 'string',
		default: '',
		description: 'A stable, hashed identifier of your end user (up to 64 characters) that helps OpenAI detect abuse',
		routing: sendAs('safety_identifier'),
	},
	serviceTier: {
		displayName: 'Service Tier',
		name: 'serviceTier',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto' },
			{ name: 'Default', value: 'default' },
			{ name: 'Fast', value: 'fast' },
			{ name: 'Flex', value: 'flex' },
			{ name: 'Priority', value: 'priority' },
			{ name: 'Scale', value: 'scale' },
		],
		default: 'auto',
		description: 'Which processing tier serves the request',
		routing: sendAs('service_tier'),
	},
	toolChoice: {
		displayName: 'Tool Choice',
		name: 'toolChoice',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto', description: 'The model decides whether to call tools' },
			{ name: 'None', value: 'none', description: 'The model answers without calling tools' },
			{ name: 'Required', value: 'required', description: 'The model must call at least one tool' },
		],
		default: 'auto',
		description: 'Whether and how the model calls the tools',
		routing: sendAs('tool_choice'),
	},
	toolChoiceFunction: {
		displayName: 'Tool Choice Function Name',
		name: 'toolChoiceFunction',
		type: 'string',
		default: '',
		description: 'Forces the model to call this function tool; overrides Tool Choice',
	},
	verbosity: {
		displayName: 'Verbosity',
		name: 'verbosity',
		type: 'options',
		options: [
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
			{ name: 'High', value: 'high' },
		],
		default: 'medium',
		description: 'How long and detailed the answer is (GPT-5 models)',
		routing: sendAs('verbosity'),
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

/** A shared option sent under another body key, e.g. Verbosity as `text.verbosity` in the Responses API. */
export function routedAs(option: INodeProperties, property: string): INodeProperties {
	return { ...option, routing: sendAs(property) };
}

/** The answer-format picker of Chat (Response Format) and Response (Output Format). */
export function answerFormatOption(
	displayName: string,
	name: string,
	description: string,
	property: string,
	jsonHint: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		options: [
			{ name: 'Text', value: 'text' },
			{ name: 'JSON Object', value: 'json_object', description: `Valid JSON; mention JSON in your ${jsonHint}` },
			{ name: 'JSON Schema', value: 'json_schema', description: 'JSON that follows the JSON Schema option' },
		],
		default: 'text',
		description,
		routing: sendAs(property),
	};
}

/** Options Chat and Text completions share: sampling, penalties, streaming and retries. */
export const completionOptions: INodeProperties[] = [
	sharedOptions.frequencyPenalty,
	sharedOptions.includeUsage,
	sharedOptions.logitBias,
	sharedOptions.maxRateLimitWait,
	sharedOptions.maxRetries,
	sharedOptions.presencePenalty,
	sharedOptions.temperature,
	sharedOptions.seed,
	sharedOptions.stop,
	sharedOptions.stream,
	sharedOptions.topP,
	sharedOptions.user,
];

/** Number of Completions of Chat and Text, with each resource's own description. */
export function completionCountOption(description: string): INodeProperties {
	return numberOption('Number of Completions', 'n', 'n', description, { min: 1, max: 128, default: 1 });
}

/** Return All of a resource's List operations. */
export function returnAllField(resource: string, displayOptions: IDisplayOptions): INodeProperties {
	return {
		displayName: 'Return All',
		name: `${resource}ReturnAll`,
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions,
	};
}

/** Limit of a resource's List operations, sent as the `limit` query parameter while Return All is off. */
export function limitField(resource: string, operations: string[], max: number): INodeProperties {
	return {
		displayName: 'Limit',
		name: `${resource}Limit`,
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1, maxValue: max, numberPrecision: 0 },
		description: 'Max number of results to return',
		displayOptions: { show: { resource: [resource], operation: operations, [`${resource}ReturnAll`]: [false] } },
		routing: { send: { type: 'query', property: 'limit' } },
	};
}

/** Order of a List: newest (the API's default) or oldest first, sent as the `order` query parameter. */
export function orderOption(displayOptions: IDisplayOptions, description = 'The order by creation time'): INodeProperties {
	return {
		displayName: 'Order',
		name: 'order',
		type: 'options',
		options: [
			{ name: 'Newest First', value: 'desc' },
			{ name: 'Oldest First', value: 'asc' },
		],
		default: 'desc',
		description,
		displayOptions,
		routing: { send: { type: 'query', property: 'order' } },
	};
}

/** How long an operation that waits for a job polls it before it fails. */
export function maxWaitOption(displayOptions: IDisplayOptions, defaultSeconds: number, description: string): INodeProperties {
	return {
		displayName: 'Max Wait (Seconds)',
		name: 'maxWait',
		type: 'number',
		default: defaultSeconds,
		typeOptions: { minValue: 1, maxValue: 86400, numberPrecision: 0 },
		description,
		displayOptions,
	};
}

/** The binary field a downloaded file is written to. */
export function outputFieldOption(displayOptions: IDisplayOptions, description: string): INodeProperties {
	return {
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		description,
		displayOptions,
	};
}
