export const CREDENTIAL_TYPE = 'openAiRestApi';
