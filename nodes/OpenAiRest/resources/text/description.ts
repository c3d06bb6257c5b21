import type { IDataObject, INodeProperties } from 'n8n-workflow';

import {
	completionCountOption,
	completionOptions,
	modelField,
	numberOption,
	optionsCollection,
	sendAs,
	showFor,
	showForBatchable,
	simplifyField,
} from '../../fields/factories';
import { assembleStreamedResponse, prepareStreamRequest, simplifyResponse } from '../../fields/output';
import { operation } from '../../fields/operations';
import { type BodyRule, COMMON_RULES, SAMPLING_RULES, transformBody, validateBody } from '../../fields/validation';
import { InvalidParameter } from '../../transport/errors';

const show = showForBatchable('text', 'create');

export const TEXT_RULES: BodyRule[] = [
	...SAMPLING_RULES,
	{ ...COMMON_RULES.maxTokens, min: 0 },
	COMMON_RULES.seed,
	COMMON_RULES.completions,
	{ key: 'logprobs', label: 'Log Probabilities', min: 0, max: 5, integer: true },
	{ key: 'best_of', label: 'Best Of', min: 1, max: 20, integer: true },
];

const isTokenArray = (value: unknown) =>
	Array.isArray(value) && value.every((token) => Number.isInteger(token));

/** Accepts a prompt as a string, string array, token array or array of token arrays. */
export function checkPrompt(body: IDataObject): void {
	const prompt = body.prompt;
	const valid =
		typeof prompt === 'string' ||
		(Array.isArray(prompt) &&
			prompt.length > 0 &&
			(prompt.every((entry) => typeof entry === 'string') ||
				isTokenArray(prompt) ||
				prompt.every(isTokenArray)));
	if (!valid) {
		throw new InvalidParameter(
			'Prompt',
			'must be a text, or from an expression an array of texts, of token IDs, or of token ID arrays',
		);
	}
	if ((body.best_of as number | undefined) !== undefined && body.stream === true) {
		throw new InvalidParameter('Best Of', 'cannot be combined with Stream');
	}
	const n = (body.n as number | undefined) ?? 1;
	if (body.best_of !== undefined && (body.best_of as number) < n) {
		throw new InvalidParameter('Best Of', `must be at least Number of Completions (${n})`);
	}
}

export const textOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['text'] } },
	options: [
		operation('Create Completion', 'create', 'Complete a text prompt', 'Continue a prompt with a legacy completion model', {
			request: { method: 'POST', url: '/completions' },
			send: {
				preSend: [validateBody(TEXT_RULES), transformBody(checkPrompt), prepareStreamRequest],
			},
			output: { postReceive: [assembleStreamedResponse, simplifyResponse] },
		}),
	],
	default: 'create',
};

export const textFields: INodeProperties[] = [
	modelField('textModel', 'completion', 'gpt-3.5-turbo-instruct', show),
	{
		displayName: 'Prompt',
		name: 'textPrompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. Say this is a test',
		description:
			'The text to complete. From an expression it can also be an array of texts, of token IDs, or of token ID arrays.',
		displayOptions: show,
		routing: sendAs('prompt'),
	},
	simplifyField('text', showFor('text', 'create')),
	optionsCollection('text', show, [
		...completionOptions,
		numberOption(
			'Best Of',
			'bestOf',
			'best_of',
			'Generates this many completions server-side and returns the best; must be at least Number of Completions. Cannot be streamed.',
			{ min: 1, max: 20, default: 1 },
		),
		{
			displayName: 'Echo',
			name: 'echo',
			type: 'boolean',
			default: false,
			description: 'Whether to return the prompt in front of the completion',
			routing: sendAs('echo'),
		},
		numberOption(
			'Log Probabilities',
			'logprobs',
			'logprobs',
			'Return the log probabilities of this many most likely tokens at each position (0 to 5)',
			{ min: 0, max: 5, default: 0 },
		),
		numberOption(
			'Maximum Number of Tokens',
			'maxTokens',
			'max_tokens',
			'The most tokens to generate. Prompt plus this cannot exceed the context length of the model.',
			{ min: 0, default: 16 },
		),
		completionCountOption(
			'How many completions to generate for each prompt (1 to 128). With Simplify on, each becomes its own output item.',
		),
		{
			displayName: 'Suffix',
			name: 'suffix',
			type: 'string',
			default: '',
			description: 'Text that comes after the completion, for inserting text (gpt-3.5-turbo-instruct only)',
			routing: sendAs('suffix'),
		},
	]),
];
