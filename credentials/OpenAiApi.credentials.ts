import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../nodes/OpenAiRest/transport/constants';

/**
 * Adds the bearer key, the organization header only when one is set, and the credential's Base URL,
 * which replaces the node's fixed default. Setting it here, not by an expression in the node's request
 * defaults, spares n8n two expression evaluations per item.
 */
export async function authenticateOpenAi(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const headers: Record<string, string> = {
		...(requestOptions.headers as Record<string, string> | undefined),
		Authorization: `Bearer ${credentials.apiKey as string}`,
	};
	const organizationId = ((credentials.organizationId as string | undefined) ?? '').trim();
	if (organizationId) headers['OpenAI-Organization'] = organizationId;
	const baseURL = String(credentials.baseUrl ?? '').trim() || requestOptions.baseURL || DEFAULT_BASE_URL;
	return { ...requestOptions, baseURL, headers };
}

export class OpenAiApi implements ICredentialType {
	// Distinct from n8n's built-in `openAiApi`, so both can live in one n8n.
	name = 'openAiRestApi';

	displayName = 'OpenAI REST API';

	documentationUrl = 'https://platform.openai.com/docs/api-reference/authentication';

	icon = { light: 'file:../icons/openai.svg', dark: 'file:../icons/openai.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'A secret key from the API keys page of your OpenAI account',
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			default: '',
			hint: 'Only needed if you belong to several organizations',
			description: 'Sent as the OpenAI-Organization header when set',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			placeholder: 'e.g. https://api.openai.com/v1',
			description:
				'Change it to use an OpenAI-compatible server (Azure, OpenRouter, LiteLLM, vLLM, Ollama). Any path works, with or without a trailing slash.',
		},
	];

	authenticate = authenticateOpenAi;

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/models',
			method: 'GET',
		},
	};
}
