import type { IDataObject, IExecuteSingleFunctions, INodeProperties } from 'n8n-workflow';

import { modelField, optionsCollection, sendAs, sharedOptions, showFor, showForBatchable, simplifyField } from '../../fields/factories';
import { simplifyResponse } from '../../fields/output';
import { operation } from '../../fields/operations';
import { transformBody } from '../../fields/validation';
import { InvalidParameter } from '../../transport/errors';

const show = showForBatchable('moderation', 'classify');
const showForInput = (inputType: string[]) => ({ show: { ...show.show, inputType } });

/** Builds `input` from the chosen input type: a text, several texts, or text plus image parts. */
export function buildModerationInput(body: IDataObject, context?: IExecuteSingleFunctions): void {
	const texts = body.input as unknown;
	const imageUrl = ((body.image_url as string | undefined) ?? '').trim();
	delete body.image_url;
	// An empty image URL (say from an expression) must not silently classify the text alone.
	if (!imageUrl && context?.getNodeParameter('inputType', 'text') === 'textAndImage') {
		throw new InvalidParameter('Image URL', 'must not be empty');
	}
	if (imageUrl) {
		const text = typeof texts === 'string' ? texts : '';
		body.input = [
			...(text ? [{ type: 'text', text }] : []),
			{ type: 'image_url', image_url: { url: imageUrl } },
		];
		return;
	}
	if (Array.isArray(texts)) {
		const list = texts.filter((text) => typeof text === 'string' && text !== '');
		if (!list.length) throw new InvalidParameter('Texts', 'must contain at least one text');
		body.input = list;
		return;
	}
	if (typeof texts !== 'string' || !texts) throw new InvalidParameter('Input', 'must not be empty');
}

export const moderationOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['moderation'] } },
	options: [
		operation('Classify', 'classify', 'Classify content for policy violations', 'Check whether text or images break OpenAI\'s usage policies', {
			request: { method: 'POST', url: '/moderations' },
			send: { preSend: [transformBody(buildModerationInput)] },
			output: { postReceive: [simplifyResponse] },
		}),
	],
	default: 'classify',
};

export const moderationFields: INodeProperties[] = [
	modelField('moderationModel', 'moderation', 'omni-moderation-latest', show, {
		description:
			'omni-moderation-latest also classifies images. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'One text' },
			{ name: 'Several Texts', value: 'texts', description: 'A list of texts, one result each' },
			{ name: 'Text and Image', value: 'textAndImage', description: 'A text and an image URL, one result (omni models)' },
		],
		default: 'text',
		displayOptions: show,
	},
	{
		displayName: 'Input',
		name: 'moderationInput',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		description: 'The text to classify',
		displayOptions: showForInput(['text']),
		routing: sendAs('input'),
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text that goes with the image; may be empty',
		displayOptions: showForInput(['textAndImage']),
		routing: sendAs('input'),
	},
	{
		displayName: 'Texts',
		name: 'texts',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Text' },
		default: [],
		description: 'The texts to classify, or an array from an expression',
		displayOptions: showForInput(['texts']),
		routing: sendAs('input'),
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. https://example.com/photo.png',
		description: 'URL or data URL of the image to classify',
		displayOptions: showForInput(['textAndImage']),
		routing: sendAs('image_url'),
	},
	simplifyField('moderation', showFor('moderation', 'classify')),
	optionsCollection('moderation', show, [sharedOptions.maxRateLimitWait, sharedOptions.maxRetries]),
];
