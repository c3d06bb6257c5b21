import type { INodeProperties } from 'n8n-workflow';

import {
	modelField,
	numberOption,
	optionsCollection,
	sendAs,
	sharedOptions,
	showFor,
	simplifyField,
} from '../../fields/factories';
import { simplifyResponse } from '../../fields/output';
import { operation } from '../../fields/operations';
import { type BodyRule, COMMON_RULES, validateBody } from '../../fields/validation';

const show = showFor('edit', 'create');

export const EDIT_RULES: BodyRule[] = [
	COMMON_RULES.temperature,
	COMMON_RULES.topP,
	{ key: 'n', label: 'Number of Edits', min: 1, max: 20, integer: true },
];

export const editOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['edit'] } },
	options: [
		operation('Create Edit', 'create', 'Edit a text by instruction', 'Rewrite a text following an instruction', {
			request: { method: 'POST', url: '/edits' },
			send: { preSend: [validateBody(EDIT_RULES)] },
			output: { postReceive: [simplifyResponse] },
		}),
	],
	default: 'create',
};

export const editFields: INodeProperties[] = [
	{
		displayName:
			'OpenAI retired the Edits endpoint in January 2024. Use it with OpenAI-compatible servers that still serve /edits, or use Chat instead.',
		name: 'editsRetiredNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	modelField('editModel', 'edit', 'text-davinci-edit-001', show, {
		description:
			'The edit model: text-davinci-edit-001 or code-davinci-edit-001. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	{
		displayName: 'Instruction',
		name: 'instruction',
		type: 'string',
		typeOptions: { rows: 2 },
		required: true,
		default: '',
		placeholder: 'e.g. Fix the spelling mistakes',
		description: 'How the model should edit the input',
		displayOptions: show,
		routing: sendAs('instruction'),
	},
	{
		displayName: 'Input',
		name: 'editInput',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text to edit; leave empty to have the model write from the instruction alone',
		displayOptions: show,
		routing: sendAs('input'),
	},
	simplifyField('edit', show),
	optionsCollection('edit', show, [
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		sharedOptions.temperature,
		sharedOptions.topP,
		numberOption('Number of Edits', 'n', 'n', 'How many edits to generate for the input and instruction', {
			min: 1,
			max: 20,
			default: 1,
		}),
	]),
];
