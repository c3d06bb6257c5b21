import type { IDisplayOptions, IHttpRequestMethods, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { vectorStoreLoadOptions } from '../../fields/vector-stores';

import {
	answerFormatOption,
	batchOperationOf,
	binaryFieldsField,
	fileIdsField,
	imageDetailField,
	INCLUDE_OPTIONS,
	listOrderOption,
	modelField,
	numberOption,
	optionsCollection,
	returnAllFields,
	routedAs,
	sendAs,
	sharedOptions,
	showForBatchable,
	simplifyField,
} from '../../fields/factories';
import {
	assembleResponseEvents,
	buildResponseBody,
	DRAFT_KEYS,
	paginateInputItems,
	prepareResponseStream,
	sendResponsesRequest,
	simplifyResponses,
} from './hooks';
import { objectRequest, operation } from '../../fields/operations';
import { type BodyRule, COMMON_RULES, transformBody, validateBody } from '../../fields/validation';
import { attachBinaryFiles } from '../../transport/attachments';

const RESOURCE = 'response';
const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: [RESOURCE], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
/** Create, and the Batch operation that runs it from the input items. */
const CREATE = ['create', batchOperationOf(RESOURCE)];
const showCreate = showForBatchable(RESOURCE, 'create');
const showForInput = (responseInputType: string[]) => ({ show: { ...showCreate.show, responseInputType } });
const BY_ID = ['cancel', 'delete', 'get', 'listInputItems'];

export const RESPONSE_RULES: BodyRule[] = [
	COMMON_RULES.temperature,
	COMMON_RULES.topP,
	{ key: 'top_logprobs', label: 'Top Log Probabilities', min: 0, max: 20, integer: true },
	{ key: 'max_output_tokens', label: 'Maximum Output Tokens', min: 16, integer: true },
	{ key: 'max_tool_calls', label: 'Maximum Tool Calls', min: 1, integer: true },
	{ key: 'tools', label: 'Tools', json: 'array' },
	{ key: 'metadata', label: 'Metadata', json: 'object' },
];

/** An operation sent through the Responses hook, which adds a hint for servers without `/responses`. */
const responseOperation = (
	name: string,
	value: string,
	action: string,
	description: string,
	routing: NonNullable<INodePropertyOptions['routing']>,
): INodePropertyOptions =>
	operation(name, value, action, description, {
		...routing,
		operations: { pagination: sendResponsesRequest, ...routing.operations },
	});

const byId = (method: IHttpRequestMethods, suffix = '') => objectRequest(method, 'responses', 'responseId', suffix);

export const responseOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [RESOURCE] } },
	options: [
		responseOperation('Cancel', 'cancel', 'Cancel a background response', 'Stop a response that runs in the background', {
			...byId('POST', '/cancel'),
			output: { postReceive: [simplifyResponses] },
		}),
		responseOperation('Create', 'create', 'Create a response', 'Generate a model response with tools, structured output and reasoning', {
			request: { method: 'POST', url: '/responses' },
			send: { preSend: [validateBody(RESPONSE_RULES), transformBody(buildResponseBody), attachBinaryFiles('responses'), prepareResponseStream] },
			output: { postReceive: [assembleResponseEvents, simplifyResponses] },
		}),
		responseOperation('Delete', 'delete', 'Delete a response', 'Delete a stored response', byId('DELETE')),
		responseOperation('Get', 'get', 'Get a response', 'Retrieve a stored response, e.g. one that ran in the background', {
			...byId('GET'),
			output: { postReceive: [simplifyResponses] },
		}),
		responseOperation('List Input Items', 'listInputItems', 'List the input items of a response', 'List the input items a response was created from', {
			...byId('GET', '/input_items'),
			operations: { pagination: paginateInputItems },
		}),
	],
	default: 'create',
};

const roleOptions = [
	{ name: 'Assistant', value: 'assistant', description: 'An earlier answer of the model' },
	{ name: 'Developer', value: 'developer', description: 'Instructions the model follows with priority' },
	{ name: 'System', value: 'system', description: 'Instructions that set the behaviour of the model' },
	{ name: 'User', value: 'user', description: 'What the user says or asks' },
];

const webSearchOption: INodeProperties = {
	displayName: 'Web Search',
	name: 'webSearch',
	type: 'fixedCollection',
	placeholder: 'Add Web Search',
	default: { settings: {} },
	description: 'Lets the model search the web; its answer then cites the pages it used',
	displayOptions: onlyFor(...CREATE),
	routing: sendAs(DRAFT_KEYS.webSearch),
	options: [
		{
			displayName: 'Settings',
			name: 'settings',
			values: [
				{
					displayName: 'Allowed Domains',
					name: 'allowedDomains',
					type: 'string',
					default: '',
					placeholder: 'e.g. openai.com, example.org',
					description: 'Limit the search to these domains, separated by commas',
				},
				{ displayName: 'City', name: 'city', type: 'string', default: '', description: 'City of the user, e.g. Berlin' },
				{
					displayName: 'Country',
					name: 'country',
					type: 'string',
					default: '',
					description: 'Two-letter ISO country code of the user, e.g. DE',
				},
				{ displayName: 'Region', name: 'region', type: 'string', default: '', description: 'Region of the user, e.g. Berlin' },
				{
					displayName: 'Search Context Size',
					name: 'searchContextSize',
					type: 'options',
					options: [
						{ name: 'Low', value: 'low' },
						{ name: 'Medium', value: 'medium' },
						{ name: 'High', value: 'high' },
					],
					default: 'medium',
					description: 'How much context from the web the model sees: more costs more and takes longer',
				},
				{
					displayName: 'Timezone',
					name: 'timezone',
					type: 'string',
					default: '',
					description: 'IANA timezone of the user, e.g. Europe/Berlin',
				},
			],
		},
	],
};

const fileSearchOption: INodeProperties = {
	displayName: 'File Search',
	name: 'fileSearch',
	type: 'fixedCollection',
	placeholder: 'Add File Search',
	default: { settings: {} },
	description: 'Lets the model search your vector stores; its answer then cites the files it used',
	displayOptions: onlyFor(...CREATE),
	routing: sendAs(DRAFT_KEYS.fileSearch),
	options: [
		{
			displayName: 'Settings',
			name: 'settings',
			values: [
				{
					displayName: 'Vector Store Names or IDs',
					name: 'vectorStoreIds',
					type: 'multiOptions',
					typeOptions: { loadOptions: vectorStoreLoadOptions() },
					default: [],
					description:
						'The vector stores to search (at least one). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Max Results',
					name: 'maxNumResults',
					type: 'number',
					default: 20,
					typeOptions: { minValue: 1, maxValue: 50, numberPrecision: 0 },
					description: 'The most results the search returns, 1 to 50',
				},
			],
		},
	],
};

const createOnly = (option: INodeProperties): INodeProperties => ({ ...option, displayOptions: onlyFor(...CREATE) });

const createOptions = ([
	{
		displayName: 'Background',
		name: 'background',
		type: 'boolean',
		default: false,
		description:
			'Whether to run the response in the background: the node returns at once with status queued; fetch it later with Get',
		routing: sendAs('background'),
	},
	{
		displayName: 'Code Interpreter',
		name: 'codeInterpreter',
		type: 'boolean',
		default: false,
		description: 'Whether the model may write and run Python code in a container OpenAI creates',
		routing: sendAs(DRAFT_KEYS.codeInterpreter),
	},
	{
		displayName: 'Conversation ID',
		name: 'conversation',
		type: 'string',
		default: '',
		placeholder: 'e.g. conv_abc123',
		description:
			'The conversation this response belongs to: its ID, or the whole output object of a Conversation → Create before this node. Its items are read as context and the new ones added. Not with Previous Response ID.',
		routing: sendAs('conversation'),
	},
	{
		...fileIdsField,
		description: 'For Input Type Prompt: IDs of uploaded files (such as PDFs) to send with the prompt, separated by commas',
		routing: sendAs(DRAFT_KEYS.promptFileIds),
	},
	{
		...imageDetailField,
		description: 'For Input Type Prompt: how closely the model looks at the images of Input Binary Fields; low is cheaper and faster',
		routing: sendAs(DRAFT_KEYS.promptImageDetail),
	},
	{
		...binaryFieldsField,
		description:
			'For Input Type Prompt: binary fields of the input item holding images (PNG, JPEG, WebP, GIF) or documents (PDF, Word, text, …) to send with the prompt, separated by commas; at most 50 MB in all',
		routing: sendAs(DRAFT_KEYS.promptBinaryFields),
	},
	fileSearchOption,
	{
		displayName: 'Include',
		name: 'include',
		type: 'multiOptions',
		options: INCLUDE_OPTIONS,
		default: [],
		description: 'Extra data to include in the response',
		routing: sendAs('include'),
	},
	{
		displayName: 'JSON Schema',
		name: 'jsonSchema',
		type: 'json',
		default: '{\n  "type": "object",\n  "properties": {},\n  "required": [],\n  "additionalProperties": false\n}',
		description: 'The JSON schema the answer must follow; implies Output Format JSON Schema',
		routing: sendAs('text.format.schema'),
	},
	routedAs(sharedOptions.jsonSchemaDescription, 'text.format.description'),
	routedAs(sharedOptions.jsonSchemaName, 'text.format.name'),
	routedAs(sharedOptions.jsonSchemaStrict, 'text.format.strict'),
	numberOption(
		'Maximum Output Tokens',
		'maxOutputTokens',
		'max_output_tokens',
		'Upper bound for generated tokens, reasoning tokens included (at least 16). The response is incomplete when it is reached.',
		{ min: 16, default: 1024 },
	),
	numberOption('Maximum Tool Calls', 'maxToolCalls', 'max_tool_calls', 'The most built-in tool calls the response may make', {
		min: 1,
		default: 10,
	}),
	{
		displayName: 'Metadata',
		name: 'metadata',
		type: 'json',
		default: '{}',
		description: 'Up to 16 string key-value pairs stored with the response',
		routing: sendAs('metadata'),
	},
	answerFormatOption(
		'Output Format',
		'outputFormat',
		'The format of the answer; with JSON, Simplify also returns it parsed',
		'text.format.type',
		'input',
	),
	sharedOptions.parallelToolCalls,
	{
		displayName: 'Previous Response ID',
		name: 'previousResponseId',
		type: 'string',
		default: '',
		placeholder: 'e.g. resp_abc123',
		description: 'Continue from this earlier response, e.g. the ID of a previous Response node, to chain a conversation',
		routing: sendAs('previous_response_id'),
	},
	sharedOptions.promptCacheKey,
	routedAs(sharedOptions.reasoningEffort, 'reasoning.effort'),
	{
		displayName: 'Reasoning Summary',
		name: 'reasoningSummary',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto' },
			{ name: 'Concise', value: 'concise' },
			{ name: 'Detailed', value: 'detailed' },
		],
		default: 'auto',
		description: 'Whether reasoning models return a summary of their reasoning, and how long',
		routing: sendAs('reasoning.summary'),
	},
	sharedOptions.safetyIdentifier,
	sharedOptions.serviceTier,
	{
		displayName: 'Store',
		name: 'store',
		type: 'boolean',
		default: true,
		description: 'Whether OpenAI stores the response, so that Get, Previous Response ID and List Input Items can use it',
		routing: sendAs('store'),
	},
	{
		...sharedOptions.stream,
		description:
			'Whether to receive the response as server-sent events. The node assembles them into the same output as an unstreamed call.',
	},
	sharedOptions.temperature,
	sharedOptions.toolChoice,
	routedAs(sharedOptions.toolChoiceFunction, DRAFT_KEYS.toolChoiceFunction),
	{
		displayName: 'Tools',
		name: 'tools',
		type: 'json',
		default:
			'[\n  {\n    "type": "function",\n    "name": "get_weather",\n    "description": "Current weather in a city",\n    "parameters": {\n      "type": "object",\n      "properties": { "city": { "type": "string" } },\n      "required": ["city"],\n      "additionalProperties": false\n    },\n    "strict": true\n  }\n]',
		description: 'A JSON array of function tools the model may call (Chat-style tools are converted)',
		routing: sendAs('tools'),
	},
	numberOption(
		'Top Log Probabilities',
		'topLogprobs',
		'top_logprobs',
		'How many most likely tokens to return at each position (0 to 20), with Include Output Log Probabilities',
		{ min: 0, max: 20, default: 0 },
	),
	sharedOptions.topP,
	{
		displayName: 'Truncation',
		name: 'truncation',
		type: 'options',
		options: [
			{ name: 'Auto', value: 'auto', description: 'Drop the oldest items when the input exceeds the context window' },
			{ name: 'Disabled', value: 'disabled', description: 'Fail when the input exceeds the context window' },
		],
		default: 'disabled',
		description: 'What happens when the input is longer than the model\'s context window',
		routing: sendAs('truncation'),
	},
	routedAs(sharedOptions.verbosity, 'text.verbosity'),
	webSearchOption,
] as INodeProperties[]).map(createOnly);

export const responseFields: INodeProperties[] = [
	modelField('responseModel', 'responses', 'gpt-4o-mini', showCreate),
	{
		displayName: 'Input Type',
		name: 'responseInputType',
		type: 'options',
		noDataExpression: true,
		displayOptions: showCreate,
		options: [
			{ name: 'Prompt', value: 'prompt', description: 'One text from the user' },
			{ name: 'Define Below', value: 'messages', description: 'Enter the conversation message by message' },
			{
				name: 'From JSON or Expression',
				value: 'json',
				description: 'An input array from previous nodes, e.g. with function_call_output items of a tool loop',
			},
		],
		default: 'prompt',
	},
	{
		displayName: 'Prompt',
		name: 'responsePrompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		description: 'What to ask or tell the model',
		displayOptions: showForInput(['prompt']),
		routing: sendAs('input'),
	},
	{
		displayName: 'Messages',
		name: 'responseMessages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { values: [{ role: 'user', content: '' }] },
		displayOptions: showForInput(['messages']),
		options: [
			{
				displayName: 'Message',
				name: 'values',
				values: [
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						description: 'The text of the message',
					},
					fileIdsField,
					imageDetailField,
					binaryFieldsField,
					{
						displayName: 'Image URLs',
						name: 'imageUrls',
						type: 'string',
						default: '',
						placeholder: 'e.g. https://example.com/photo.png',
						description: 'For user messages: image URLs or data URLs, separated by commas or new lines',
					},
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: roleOptions,
						default: 'user',
						// Hands the row RoutingNode already resolved to the body, so no hook reads it again.
						routing: {
							send: { type: 'body', property: DRAFT_KEYS.messageRows, value: '={{ { [$index]: $parent } }}' },
						},
					},
				],
			},
		],
	},
	{
		displayName: 'Input (JSON)',
		name: 'responseInputJson',
		type: 'json',
		required: true,
		default: '[\n  {\n    "role": "user",\n    "content": "Hello!"\n  }\n]',
		description:
			'An array of input items (messages, function_call_output, …) as JSON, or an expression that returns one',
		displayOptions: showForInput(['json']),
		routing: sendAs(DRAFT_KEYS.inputJson),
	},
	{
		displayName: 'Instructions',
		name: 'responseInstructions',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'A system (developer) message at the start of the context; not carried over by Previous Response ID',
		displayOptions: showCreate,
		routing: sendAs('instructions'),
	},
	{
		displayName: 'Response ID',
		name: 'responseId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. resp_abc123',
		description: 'The ID of the response, for example the ID field of a Create before this node',
		displayOptions: showFor(...BY_ID),
	},
	...returnAllFields(RESOURCE, 'listInputItems'),
	simplifyField(RESOURCE, showFor('cancel', 'create', 'get')),
	optionsCollection(RESOURCE, showForBatchable(RESOURCE, 'create', ...BY_ID), [
		...createOptions,
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		listOrderOption('input items', 'listInputItems'),
	]),
];
