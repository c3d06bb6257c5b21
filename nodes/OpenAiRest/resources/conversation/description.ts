import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { INCLUDE_OPTIONS, listOrderOption, optionsCollection, returnAllFields, sendAs, sharedOptions, simplifyField } from '../../fields/factories';
import { operation } from '../../fields/operations';
import {
	addConversationItems,
	conversationOutput,
	itemOutput,
	listConversationItems,
	prepareConversationBody,
	RESOURCE,
	toConversation,
} from './hooks';

const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: [RESOURCE], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
const sendQuery = (property: string) => ({ send: { type: 'query' as const, property } });
const BY_ID = ['get', 'update', 'delete', 'listItems', 'addItems', 'getItem', 'deleteItem'];
// Templates, not expressions: the preSend hook fills in the IDs (from an ID or an earlier output), so n8n
// evaluates nothing for them; they name the endpoint for the description and the conformance check.
const CONVERSATION_URL = '/conversations/{conversationId}';
const ITEMS_URL = `${CONVERSATION_URL}/items`;
const ITEM_URL = `${ITEMS_URL}/{conversationItemId}`;
const ITEM_DEFAULT = '[\n  {\n    "role": "user",\n    "content": "Hello!"\n  }\n]';

export const conversationOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [RESOURCE] } },
	options: [
		operation('Add Items', 'addItems', 'Add items to a conversation', 'Add messages or other items to a conversation, 20 per call', {
			request: { method: 'POST', url: ITEMS_URL },
			send: { preSend: [toConversation('/items')] },
			operations: { pagination: addConversationItems },
		}),
		operation('Create', 'create', 'Create a conversation', 'Start a conversation that responses can continue, with metadata and first items', {
			request: { method: 'POST', url: '/conversations' },
			send: { preSend: [prepareConversationBody] },
			output: { postReceive: [conversationOutput] },
		}),
		operation('Delete', 'delete', 'Delete a conversation', 'Delete a conversation; its items are not deleted', {
			request: { method: 'DELETE', url: CONVERSATION_URL },
			send: { preSend: [toConversation('')] },
			output: { postReceive: [conversationOutput] },
		}),
		operation('Delete Item', 'deleteItem', 'Delete an item from a conversation', 'Remove one item from a conversation', {
			request: { method: 'DELETE', url: ITEM_URL },
			send: { preSend: [toConversation('/item')] },
			output: { postReceive: [conversationOutput] },
		}),
		operation('Get', 'get', 'Get a conversation', 'Get the metadata of a conversation', {
			request: { method: 'GET', url: CONVERSATION_URL },
			send: { preSend: [toConversation('')] },
			output: { postReceive: [conversationOutput] },
		}),
		operation('Get Item', 'getItem', 'Get an item of a conversation', 'Get one item of a conversation', {
			request: { method: 'GET', url: ITEM_URL },
			send: { preSend: [toConversation('/item')] },
			output: { postReceive: [itemOutput] },
		}),
		operation('List Items', 'listItems', 'List the items of a conversation', 'List the messages and other items of a conversation', {
			request: { method: 'GET', url: ITEMS_URL },
			send: { preSend: [toConversation('/items')] },
			operations: { pagination: listConversationItems },
		}),
		operation('Update', 'update', 'Update a conversation', 'Replace the metadata of a conversation', {
			request: { method: 'POST', url: CONVERSATION_URL },
			send: { preSend: [toConversation(''), prepareConversationBody] },
			output: { postReceive: [conversationOutput] },
		}),
	],
	default: 'create',
};

const includeOption: INodeProperties = {
	displayName: 'Include',
	name: 'include',
	type: 'multiOptions',
	options: INCLUDE_OPTIONS,
	default: [],
	description: 'Extra data to include in the items',
	displayOptions: onlyFor('listItems', 'addItems', 'getItem'),
	routing: sendQuery('include'),
};

export const conversationFields: INodeProperties[] = [
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. conv_abc123',
		description: 'The ID of the conversation, or the whole output object of a Conversation → Create before this node',
		displayOptions: showFor(...BY_ID),
	},
	{
		displayName: 'Item ID',
		name: 'conversationItemId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. msg_abc123',
		description: 'The ID of the item, as List Items returns it',
		displayOptions: showFor('getItem', 'deleteItem'),
	},
	{
		displayName: 'Items',
		name: 'conversationItems',
		type: 'json',
		required: true,
		default: ITEM_DEFAULT,
		description:
			'A JSON array of items: messages with role and content, or items such as function_call_output. A text from an expression is one user message.',
		displayOptions: showFor('addItems'),
		routing: sendAs('items'),
	},
	{
		displayName: 'Metadata',
		name: 'conversationMetadata',
		type: 'json',
		required: true,
		default: '{\n  "topic": "demo"\n}',
		description: 'Up to 16 text key-value pairs; they replace the conversation\'s metadata',
		displayOptions: showFor('update'),
		routing: sendAs('metadata'),
	},
	...returnAllFields(RESOURCE, 'listItems'),
	simplifyField(RESOURCE, showFor('listItems', 'addItems', 'getItem')),
	optionsCollection(RESOURCE, showFor('create', ...BY_ID), [
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		includeOption,
		{
			displayName: 'Initial Items',
			name: 'items',
			type: 'json',
			default: ITEM_DEFAULT,
			description: 'A JSON array of up to 20 items the conversation starts with, e.g. messages with role and content',
			displayOptions: onlyFor('create'),
			routing: sendAs('items'),
		},
		{
			displayName: 'Metadata',
			name: 'metadata',
			type: 'json',
			default: '{\n  "topic": "demo"\n}',
			description: 'Up to 16 text key-value pairs stored with the conversation',
			displayOptions: onlyFor('create'),
			routing: sendAs('metadata'),
		},
		listOrderOption('items', 'listItems'),
	]),
];
