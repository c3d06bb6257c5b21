import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { limitField, maxWaitOption, optionsCollection, orderOption, outputFieldOption, returnAllField, sendAs, sharedOptions } from '../../fields/factories';
import { objectRequest, operation } from '../../fields/operations';
import { cursorPages } from '../../transport/pages';

/** The largest page of GET /videos. */
const MAX_PAGE = 100;
import { compactVideo, DEFAULT_MAX_WAIT_SECONDS, downloadVideo, finishVideoJob, prepareVideoCreate, waitForVideo } from './hooks';

const RESOURCE = 'video';
const showFor = (...operation: string[]): IDisplayOptions => ({ show: { resource: [RESOURCE], operation } });
const onlyFor = (...operation: string[]): IDisplayOptions => ({ show: { '/operation': operation } });

export const videoOperations: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: [RESOURCE] } },
	options: [
		operation('Create', 'create', 'Generate a video', 'Start generating a video from a prompt with Sora, optionally wait for it and download it', {
			request: { method: 'POST', url: '/videos' },
			send: { preSend: [prepareVideoCreate] },
			operations: { pagination: finishVideoJob },
		}),
		operation('Delete', 'delete', 'Delete a video', 'Delete a video and its content', objectRequest('DELETE', 'videos', 'videoId')),
		operation('Download Content', 'download', 'Download a video', 'Get a completed video, its thumbnail or its spritesheet as binary data', {
			...objectRequest('GET', 'videos', 'videoId'),
			output: { postReceive: [downloadVideo] },
		}),
		operation('Get', 'get', 'Get a video', 'Get the status and progress of a video job', objectRequest('GET', 'videos', 'videoId')),
		operation('List', 'list', 'List videos', 'List your video jobs, newest first', {
			request: { method: 'GET', url: '/videos' },
			operations: { pagination: cursorPages('videoReturnAll', { pageSize: MAX_PAGE, compact: compactVideo }) },
		}),
		operation('Remix', 'remix', 'Remix a video', 'Generate a new video from a completed one with a new prompt', {
			...objectRequest('POST', 'videos', 'videoId', '/remix'),
			operations: { pagination: finishVideoJob },
		}),
		operation('Wait for Completion', 'waitForCompletion', 'Wait for a video to finish', 'Poll a video job until it is completed or failed', {
			...objectRequest('GET', 'videos', 'videoId'),
			operations: { pagination: waitForVideo },
		}),
	],
	default: 'create',
};

export const videoFields: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'videoPrompt',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. A calico cat playing a piano on stage',
		description: 'What the video shows: subject, camera, lighting, motion (at most 32,000 characters)',
		typeOptions: { rows: 4 },
		displayOptions: showFor('create', 'remix'),
		routing: sendAs('prompt'),
	},
	{
		displayName: 'Model',
		name: 'videoModel',
		type: 'options',
		options: [
			{ name: 'Sora 2', value: 'sora-2', description: 'Fast, for drafts and social media' },
			{ name: 'Sora 2 Pro', value: 'sora-2-pro', description: 'Higher quality, slower; renders 1024x1792 and 1792x1024 too' },
		],
		default: 'sora-2',
		description: 'The video model',
		displayOptions: showFor('create'),
		routing: sendAs('model'),
	},
	{
		displayName: 'Video ID',
		name: 'videoId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. video_123',
		description: 'The ID of the video job, as Create or List return it',
		displayOptions: showFor('get', 'delete', 'download', 'remix', 'waitForCompletion'),
	},
	returnAllField(RESOURCE, showFor('list')),
	limitField(RESOURCE, ['list'], MAX_PAGE),
	optionsCollection(RESOURCE, { show: { resource: [RESOURCE] } }, [
		sharedOptions.maxRetries,
		sharedOptions.maxRateLimitWait,
		{
			displayName: 'After Creating',
			name: 'completion',
			type: 'options',
			options: [
				{ name: 'Return the Job at Once', value: 'none', description: 'The job is queued; use Wait for Completion or Get later' },
				{ name: 'Wait Until Done', value: 'wait', description: 'Poll until the video is completed or failed' },
				{ name: 'Wait and Download', value: 'download', description: 'Poll until completed, then download the content as binary data' },
			],
			default: 'none',
			description: 'What the node does once the job is queued',
			displayOptions: onlyFor('create', 'remix'),
		},
		{
			displayName: 'Content',
			name: 'variant',
			type: 'options',
			options: [
				{ name: 'Video (MP4)', value: 'video' },
				{ name: 'Thumbnail (WebP)', value: 'thumbnail' },
				{ name: 'Spritesheet (JPEG)', value: 'spritesheet' },
			],
			default: 'video',
			description: 'Which content to download',
			displayOptions: onlyFor('download', 'create', 'remix'),
		},
		{
			displayName: 'Input Reference Binary Field',
			name: 'inputReference',
			type: 'string',
			default: '',
			placeholder: 'e.g. data',
			description:
				'The input binary field of an image (JPEG, PNG or WebP) the video starts from; it must have the size of the video',
			displayOptions: onlyFor('create'),
		},
		maxWaitOption(onlyFor('create', 'remix', 'waitForCompletion'), DEFAULT_MAX_WAIT_SECONDS, 'How long to wait for the video before failing; the job goes on at OpenAI'),
		orderOption(onlyFor('list')),
		outputFieldOption(onlyFor('download', 'create', 'remix'), 'The name of the binary field the content is written to'),
		{
			displayName: 'Seconds',
			name: 'seconds',
			type: 'options',
			options: [
				{ name: '4', value: '4' },
				{ name: '8', value: '8' },
				{ name: '12', value: '12' },
			],
			default: '4',
			description: 'How long the video is',
			displayOptions: onlyFor('create'),
			routing: sendAs('seconds'),
		},
		{
			displayName: 'Size',
			name: 'size',
			type: 'options',
			options: [
				{ name: '1024x1792 (Portrait, Sora 2 Pro)', value: '1024x1792' },
				{ name: '1280x720 (Landscape)', value: '1280x720' },
				{ name: '1792x1024 (Landscape, Sora 2 Pro)', value: '1792x1024' },
				{ name: '720x1280 (Portrait)', value: '720x1280' },
			],
			default: '720x1280',
			description: 'Width x height of the video',
			displayOptions: onlyFor('create'),
			routing: sendAs('size'),
		},
	]),
];
