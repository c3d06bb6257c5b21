import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { audioFields, audioOperations } from './resources/audio/description';
import { batchDescription } from './resources/batch/description';
import { chatFields, chatOperations } from './resources/chat/description';
import { conversationFields, conversationOperations } from './resources/conversation/description';
import { editFields, editOperations } from './resources/edit/description';
import { embeddingFields, embeddingOperations } from './resources/embedding/description';
import { fileFields, fileOperations } from './resources/file/description';
import { imageFields, imageOperations } from './resources/image/description';
import { modelFields, modelOperations } from './resources/model/description';
import { moderationFields, moderationOperations } from './resources/moderation/description';
import { responseFields, responseOperations } from './resources/response/description';
import { textFields, textOperations } from './resources/text/description';
import { vectorStoreFields, vectorStoreOperations } from './resources/vectorStore/description';
import { videoFields, videoOperations } from './resources/video/description';
import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from './transport/constants';
import { sendWithRetries } from './transport/send';

/** Bulk at half price: the create operations run from the input items through the Batch API. */
const batch = batchDescription([
	{ resource: 'chat', name: 'Chat', results: 'chat completions', operations: chatOperations, value: 'create' },
	{ resource: 'embedding', name: 'Embedding', results: 'embeddings', operations: embeddingOperations, value: 'create' },
	{ resource: 'image', name: 'Image', results: 'images', operations: imageOperations, value: 'generate' },
	{ resource: 'moderation', name: 'Moderation', results: 'moderations', operations: moderationOperations, value: 'classify' },
	{ resource: 'response', name: 'Response', results: 'responses', operations: responseOperations, value: 'create' },
	{ resource: 'text', name: 'Text', results: 'text completions', operations: textOperations, value: 'create' },
]);

export class OpenAiRest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI REST',
		name: 'openAiRest',
		icon: { light: 'file:../../icons/openai.svg', dark: 'file:../../icons/openai.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Responses, conversations, chat, completions, embeddings, edits, images, audio, files, vector stores, videos, models, moderations and batches through the OpenAI REST API or a compatible server',
		documentationUrl: 'https://github.com/n8n-nodes-openai-rest/n8n-nodes-openai-rest#readme',
		defaults: { name: 'OpenAI REST' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		// A fixed default, not an expression n8n would evaluate twice per item: the credential replaces it
		// with its own Base URL as each request leaves (authenticateOpenAi). n8n's editor needs one here.
		requestDefaults: {
			baseURL: DEFAULT_BASE_URL,
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		},
		// Every operation sends through this hook, which adds retries and clear API errors.
		requestOperations: { pagination: sendWithRetries },
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Audio', value: 'audio' },
					{ name: 'Batch', value: 'batch' },
					{ name: 'Chat', value: 'chat' },
					{ name: 'Conversation', value: 'conversation' },
					{ name: 'Edit', value: 'edit' },
					{ name: 'Embedding', value: 'embedding' },
					{ name: 'File', value: 'file' },
					{ name: 'Image', value: 'image' },
					{ name: 'Model', value: 'model' },
					{ name: 'Moderation', value: 'moderation' },
					{ name: 'Response', value: 'response' },
					{ name: 'Text', value: 'text' },
					{ name: 'Vector Store', value: 'vectorStore' },
					{ name: 'Video', value: 'video' },
				],
				default: 'chat',
			},
			// Before the batched operations' fields, which also show for its operations.
			batch.operations,
			chatOperations,
			...chatFields,
			textOperations,
			...textFields,
			editOperations,
			...editFields,
			imageOperations,
			...imageFields,
			modelOperations,
			...modelFields,
			moderationOperations,
			...moderationFields,
			responseOperations,
			...responseFields,
			embeddingOperations,
			...embeddingFields,
			// Binary in and out: speech, transcription, translation and the Files API.
			audioOperations,
			...audioFields,
			fileOperations,
			...fileFields,
			conversationOperations,
			...conversationFields,
			vectorStoreOperations,
			...vectorStoreFields,
			videoOperations,
			...videoFields,
			...batch.fields,
		],
	};
}
