import type { INodeProperties } from 'n8n-workflow';

import { buildChatBody, MESSAGE_ROWS_KEY } from './hooks';
import {
	answerFormatOption,
	binaryFieldsField,
	completionCountOption,
	completionOptions,
	fileIdsField,
	imageDetailField,
	modelField,
	numberOption,
	optionsCollection,
	sendAs,
	sharedOptions,
	showFor,
	showForBatchable,
	simplifyField,
} from '../../fields/factories';
import { assembleStreamedResponse, prepareStreamRequest, simplifyResponse } from '../../fields/output';
import { operation } from '../../fields/operations';
import { type BodyRule, COMMON_RULES, SAMPLING_RULES, transformBody, validateBody } from '../../fields/validation';
import { attachBinaryFiles } from '../../transport/attachments';

const show = showForBatchable('chat', 'create');

export const CHAT_RULES: BodyRule[] = [
	...SAMPLING_RULES,
	COMMON_RULES.maxTokens,
	COMMON_RULES.seed,
	{ key: 'max_completion_tokens', label: 'Maximum Completion Tokens', min: 1, integer: true },
	COMMON_RULES.completions,
	{ key: 'top_logprobs', label: 'Top Log Probabilities', min: 0, max: 20, integer: true },
	{ key: 'tools', label: 'Tools', json: 'array' },
	{ key: 'metadata', label: 'Metadata', json: 'object' },
];

export const chatOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['chat'] } },
	options: [
		operation('Create Completion', 'create', 'Message a chat model and get its reply', 'Answer a conversation with the next assistant message', {
			request: { method: 'POST', url: '/chat/completions' },
			send: {
				preSend: [validateBody(CHAT_RULES), transformBody(buildChatBody), attachBinaryFiles('chat'), prepareStreamRequest],
			},
			output: { postReceive: [assembleStreamedResponse, simplifyResponse] },
		}),
	],
	default: 'create',
};

export const chatFields: INodeProperties[] = [
	modelField('chatModel', 'chat', 'gpt-4o-mini', show),
	{
		displayName: 'Messages Input',
		name: 'messagesInput',
		type: 'options',
		noDataExpression: true,
		displayOptions: show,
		options: [
			{ name: 'Define Below', value: 'list', description: 'Enter the conversation message by message' },
			{
				name: 'From JSON or Expression',
				value: 'json',
				description: 'Pass a messages array, for example from a previous node, to chain a conversation',
			},
		],
		default: 'list',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		displayOptions: { show: { ...show.show, messagesInput: ['list'] } },
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						// Hands the row RoutingNode already resolved to the body, so no hook reads it again.
						routing: {
							send: { type: 'body', property: MESSAGE_ROWS_KEY, value: '={{ { [$index]: $parent } }}' },
						},
						options: [
							{ name: 'Assistant', value: 'assistant', description: 'An earlier answer of the model' },
							{
								name: 'Developer',
								value: 'developer',
								description: 'Instructions the model follows; replaces System for o1 and newer models',
							},
							{ name: 'System', value: 'system', description: 'Instructions that set the behaviour of the assistant' },
							{ name: 'User', value: 'user', description: 'What the user says or asks' },
						],
						default: 'user',
					},
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						description: 'The text of the message',
					},
					{
						displayName: 'Image URLs',
						name: 'imageUrls',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/photo.png',
						description:
							'For user messages to vision models: image URLs or data URLs, separated by commas or new lines',
					},
					imageDetailField,
					binaryFieldsField,
					fileIdsField,
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default: '[\n  {\n    "role": "user",\n    "content": "Hello!"\n  }\n]',
		required: true,
		description: 'An array of messages with role and content, as JSON or from an expression such as {{ $JSON.messages }}',
		displayOptions: { show: { ...show.show, messagesInput: ['json'] } },
	},
	simplifyField('chat', showFor('chat', 'create')),
	optionsCollection('chat', show, [
		...completionOptions,
		{
			displayName: 'JSON Schema',
			name: 'jsonSchema',
			type: 'json',
			default: '{\n  "type": "object",\n  "properties": {},\n  "required": [],\n  "additionalProperties": false\n}',
			description: 'The JSON schema the answer must follow, used with Response Format JSON Schema',
			routing: sendAs('response_format.json_schema.schema'),
		},
		sharedOptions.jsonSchemaName,
		sharedOptions.jsonSchemaDescription,
		sharedOptions.jsonSchemaStrict,
		{
			displayName: 'Log Probabilities',
			name: 'logprobs',
			type: 'boolean',
			default: false,
			description: 'Whether to return the log probability of each output token',
			routing: sendAs('logprobs'),
		},
		numberOption(
			'Maximum Completion Tokens',
			'maxCompletionTokens',
			'max_completion_tokens',
			'Upper bound for generated tokens, reasoning tokens included. Reasoning models (o-series, GPT-5) require this instead of Maximum Number of Tokens.',
			{ min: 1, default: 1024 },
		),
		numberOption(
			'Maximum Number of Tokens',
			'maxTokens',
			'max_tokens',
			'Deprecated by OpenAI in favour of Maximum Completion Tokens, and rejected by reasoning models. Kept for older models and compatible servers.',
			{ min: 1, default: 256 },
		),
		{
			displayName: 'Metadata',
			name: 'metadata',
			type: 'json',
			default: '{}',
			description: 'Up to 16 string key-value pairs stored with the completion (with Store on)',
			routing: sendAs('metadata'),
		},
		completionCountOption(
			'How many answers to generate for each input item (1 to 128). With Simplify on, each becomes its own output item.',
		),
		sharedOptions.parallelToolCalls,
		sharedOptions.promptCacheKey,
		sharedOptions.reasoningEffort,
		answerFormatOption('Response Format', 'responseFormat', 'The format the answer must take', 'response_format.type', 'messages'),
		sharedOptions.safetyIdentifier,
		sharedOptions.serviceTier,
		{
			displayName: 'Store',
			name: 'store',
			type: 'boolean',
			default: false,
			description: 'Whether OpenAI stores the completion for distillation and evals',
			routing: sendAs('store'),
		},
		sharedOptions.toolChoice,
		sharedOptions.toolChoiceFunction,
		{
			displayName: 'Tools',
			name: 'tools',
			type: 'json',
			default:
				'[\n  {\n    "type": "function",\n    "function": {\n      "name": "get_weather",\n      "description": "Current weather in a city",\n      "parameters": {\n        "type": "object",\n        "properties": { "city": { "type": "string" } },\n        "required": ["city"]\n      }\n    }\n  }\n]',
			description: 'A JSON array of function tools the model may call',
			routing: sendAs('tools'),
		},
		numberOption(
			'Top Log Probabilities',
			'topLogprobs',
			'top_logprobs',
			'How many most likely tokens to return at each position (0 to 20); needs Log Probabilities on',
			{ min: 0, max: 20, default: 0 },
		),
		sharedOptions.verbosity,
	]),
];
