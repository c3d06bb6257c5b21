import type { INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { chatFields, chatOperations } from './descriptions/ChatDescription';
import { editFields, editOperations } from './descriptions/EditDescription';
import { embeddingFields, embeddingOperations } from './descriptions/EmbeddingDescription';
import { imageFields, imageOperations } from './descriptions/ImageDescription';
import { modelFields, modelOperations } from './descriptions/ModelDescription';
import { moderationFields, moderationOperations } from './descriptions/ModerationDescription';
import { responseFields, responseOperations } from './descriptions/ResponseDescription';
import { textFields, textOperations } from './descriptions/TextDescription';
import { CREDENTIAL_TYPE } from './shared/constants';
import { sendWithRetries } from './shared/transport';

export class OpenAiRest implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OpenAI REST',
		name: 'openAiRest',
		icon: { light: 'file:../../icons/openai.svg', dark: 'file:../../icons/openai.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Responses, chat, completions, embeddings, edits, images, models and moderations through the OpenAI REST API or a compatible server',
		documentationUrl: 'https://github.com/n8n-nodes-openai-rest/n8n-nodes-openai-rest#readme',
		defaults: { name: 'OpenAI REST' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		// The credential sets the base URL (see authenticateOpenAi).
		requestDefaults: {
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
					{ name: 'Chat', value: 'chat' },
					{ name: 'Edit', value: 'edit' },
					{ name: 'Embedding', value: 'embedding' },
					{ name: 'Image', value: 'image' },
					{ name: 'Model', value: 'model' },
					{ name: 'Moderation', value: 'moderation' },
					{ name: 'Response', value: 'response' },
					{ name: 'Text', value: 'text' },
				],
				default: 'chat',
			},
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
		],
	};
}
