import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { batchOperationOf, modelField, numberOption, optionsCollection, sendAs, sharedOptions, showForBatchable } from '../../fields/factories';
import { checkImageEditBody, checkVariationBody, prepareImageEdit, prepareImageVariation } from './edits';
import { checkImageBody, imagesToItems } from './hooks';
import { rememberSentBody } from '../../transport/sent-request';
import { operation } from '../../fields/operations';
import { transformBody } from '../../fields/validation';

const showForImage = (...operation: string[]): IDisplayOptions => ({ show: { resource: ['image'], operation } });
/** Entries of the Options collection shown only for some operations. */
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });
/** Generate, and the Batch operation that runs it from the input items. */
const GENERATE = ['generate', batchOperationOf('image')];
const GENERATE_AND_EDIT = onlyFor(...GENERATE, 'edit');

export const imageOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['image'] } },
	options: [
		operation('Generate', 'generate', 'Generate an image from a text prompt', 'Create images from a text prompt', {
			request: { method: 'POST', url: '/images/generations' },
			send: { preSend: [transformBody(checkImageBody), rememberSentBody] },
			output: { postReceive: [imagesToItems] },
		}),
		operation('Edit', 'edit', 'Edit an image', 'Change one or more images from binary fields following a prompt, optionally within a mask', {
			request: { method: 'POST', url: '/images/edits' },
			send: { preSend: [transformBody(checkImageEditBody), rememberSentBody, prepareImageEdit] },
			output: { postReceive: [imagesToItems] },
		}),
		operation('Create Variation', 'createVariation', 'Create a variation of an image', 'Make variations of a square PNG from a binary field (dall-e-2)', {
			request: { method: 'POST', url: '/images/variations' },
			send: { preSend: [transformBody(checkVariationBody), rememberSentBody, prepareImageVariation] },
			output: { postReceive: [imagesToItems] },
		}),
	],
	default: 'generate',
};

export const imageFields: INodeProperties[] = [
	modelField('imageModel', 'image', 'gpt-image-1', showForBatchable('image', 'generate', 'edit'), {
		description:
			'dall-e-2, dall-e-3 (Generate only) or a GPT image model. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	{
		displayName: 'Input Binary Fields',
		name: 'imageBinaryFields',
		type: 'string',
		required: true,
		default: 'data',
		placeholder: 'e.g. data, photo2',
		hint: 'Binary fields holding the images, separated by commas: up to 16 PNG, JPEG or WebP files under 50 MB for GPT image models, one square PNG under 4 MB for dall-e-2',
		displayOptions: showForImage('edit'),
	},
	modelField('variationModel', 'variation', 'dall-e-2', showForImage('createVariation'), {
		description:
			'Only dall-e-2 makes variations. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	{
		displayName: 'Input Binary Field',
		name: 'variationBinaryField',
		type: 'string',
		required: true,
		default: 'data',
		placeholder: 'e.g. data',
		hint: 'The binary field holding the image: a square PNG under 4 MB',
		displayOptions: showForImage('createVariation'),
	},
	{
		displayName: 'Prompt',
		name: 'imagePrompt',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. A cute baby sea otter wearing a beret',
		description:
			'A description of the image: at most 1,000 characters for dall-e-2, 4,000 for dall-e-3 and 32,000 for GPT image models',
		displayOptions: showForBatchable('image', 'generate', 'edit'),
		routing: sendAs('prompt'),
	},
	optionsCollection('image', showForBatchable('image', 'generate', 'edit', 'createVariation'), [
		sharedOptions.maxRateLimitWait,
		sharedOptions.maxRetries,
		sharedOptions.user,
		{
			displayName: 'Background',
			name: 'background',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Opaque', value: 'opaque' },
				{ name: 'Transparent', value: 'transparent', description: 'Needs Output Format PNG or WebP' },
			],
			default: 'auto',
			description: 'Background of the image (GPT image models only)',
			displayOptions: GENERATE_AND_EDIT,
			routing: sendAs('background'),
		},
		{
			displayName: 'Download Image',
			name: 'downloadImage',
			type: 'boolean',
			default: false,
			description: 'Whether to download images returned as URLs into binary data (DALL·E with Response Format URL)',
		},
		{
			displayName: 'Moderation',
			name: 'moderation',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto' },
				{ name: 'Low', value: 'low', description: 'Less restrictive filtering' },
			],
			default: 'auto',
			description: 'Content moderation level (GPT image models only)',
			displayOptions: onlyFor(...GENERATE),
			routing: sendAs('moderation'),
		},
		numberOption(
			'Number of Images',
			'n',
			'n',
			'How many images to generate (1 to 10; dall-e-3 makes 1). Each becomes its own output item.',
			{ min: 1, max: 10, default: 1 },
		),
		{
			...numberOption(
				'Output Compression',
				'outputCompression',
				'output_compression',
				'Compression level from 0 to 100 for JPEG and WebP output (GPT image models only)',
				{ min: 0, max: 100, default: 100 },
			),
			displayOptions: GENERATE_AND_EDIT,
		},
		{
			displayName: 'Input Fidelity',
			name: 'inputFidelity',
			type: 'options',
			options: [
				{ name: 'High', value: 'high', description: 'Keep faces and details of the input closely' },
				{ name: 'Low', value: 'low' },
			],
			default: 'low',
			description: 'How closely to keep the style and features of the input images (GPT image models except gpt-image-1-mini)',
			displayOptions: onlyFor('edit'),
			routing: sendAs('input_fidelity'),
		},
		{
			displayName: 'Mask Binary Field',
			name: 'maskBinaryField',
			type: 'string',
			default: '',
			placeholder: 'e.g. mask',
			description:
				'Binary field holding a PNG whose transparent areas mark where to edit the first image; same size as that image, under 4 MB',
			displayOptions: onlyFor('edit'),
		},
		{
			displayName: 'Output Format',
			name: 'outputFormat',
			type: 'options',
			options: [
				{ name: 'JPEG', value: 'jpeg' },
				{ name: 'PNG', value: 'png' },
				{ name: 'WebP', value: 'webp' },
			],
			default: 'png',
			description: 'File format of the images (GPT image models only)',
			displayOptions: GENERATE_AND_EDIT,
			routing: sendAs('output_format'),
		},
		{
			displayName: 'Put Output Image in Field',
			name: 'binaryPropertyName',
			type: 'string',
			default: 'data',
			description: 'The name of the binary field each image is written to',
		},
		{
			displayName: 'Quality',
			name: 'quality',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto', description: 'All models: the best quality the model offers' },
				{ name: 'HD', value: 'hd', description: 'Dall-e-3' },
				{ name: 'High', value: 'high', description: 'GPT image models' },
				{ name: 'Low', value: 'low', description: 'GPT image models' },
				{ name: 'Medium', value: 'medium', description: 'GPT image models' },
				{ name: 'Standard', value: 'standard', description: 'DALL·E models' },
			],
			default: 'auto',
			description: 'Quality of the images; the values differ per model',
			displayOptions: GENERATE_AND_EDIT,
			routing: sendAs('quality'),
		},
		{
			displayName: 'Response Format',
			name: 'responseFormat',
			type: 'options',
			options: [
				{ name: 'Binary File', value: 'b64_json', description: 'The image arrives as binary data' },
				{ name: 'Image URL', value: 'url', description: 'A link valid for 60 minutes' },
			],
			default: 'b64_json',
			description: 'How DALL·E models return images; GPT image models always return binary files',
			routing: sendAs('response_format'),
		},
		{
			displayName: 'Size',
			name: 'size',
			type: 'options',
			options: [
				{ name: '1024x1024', value: '1024x1024', description: 'All models' },
				{ name: '1024x1536', value: '1024x1536', description: 'GPT image models' },
				{ name: '1024x1792', value: '1024x1792', description: 'Dall-e-3' },
				{ name: '1536x1024', value: '1536x1024', description: 'GPT image models' },
				{ name: '1792x1024', value: '1792x1024', description: 'Dall-e-3' },
				{ name: '256x256', value: '256x256', description: 'Dall-e-2' },
				{ name: '512x512', value: '512x512', description: 'Dall-e-2' },
				{ name: 'Auto', value: 'auto', description: 'GPT image models' },
			],
			default: '1024x1024',
			description:
				'Size of the images; the sizes differ per model. Gpt-image-2 also takes any WIDTHxHEIGHT (multiples of 16) from an expression.',
			routing: sendAs('size'),
		},
		{
			displayName: 'Style',
			name: 'style',
			type: 'options',
			options: [
				{ name: 'Natural', value: 'natural' },
				{ name: 'Vivid', value: 'vivid' },
			],
			default: 'vivid',
			description: 'Vivid is hyper-real and dramatic, natural less so (dall-e-3 only)',
			displayOptions: onlyFor(...GENERATE),
			routing: sendAs('style'),
		},
	]),
];
