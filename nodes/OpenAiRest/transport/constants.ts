export const CREDENTIAL_TYPE = 'openAiRestApi';

/** OpenAI's API, the Base URL a credential starts with. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
