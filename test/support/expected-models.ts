import type { ModelFamily } from '../../nodes/OpenAiRest/fields/models';
import { DEFAULT_MODELS } from './openai-server';

/** What each model dropdown offers from the test server's default model list: filtered, sorted. */
export const EXPECTED_MODELS: Record<ModelFamily, string[]> = {
	chat: [
		'chatgpt-4o-latest',
		'ft:gpt-4o-mini-2024-07-18:acme::abc123',
		'gpt-3.5-turbo',
		'gpt-4.1',
		'gpt-4o',
		'gpt-4o-mini',
		'o1',
		'o3-mini',
	],
	completion: ['babbage-002', 'davinci-002', 'ft:davinci-002:acme::xyz789', 'gpt-3.5-turbo-instruct'],
	edit: ['code-davinci-edit-001', 'text-davinci-edit-001'],
	image: ['dall-e-2', 'dall-e-3', 'gpt-image-1'],
	moderation: ['omni-moderation-latest', 'text-moderation-latest', 'text-moderation-stable'],
	responses: ['ft:gpt-4o-mini-2024-07-18:acme::abc123', 'gpt-3.5-turbo', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini', 'o1', 'o3-mini'],
	embedding: ['text-embedding-3-small'],
	speech: ['gpt-4o-mini-tts', 'tts-1', 'tts-1-hd'],
	transcription: ['gpt-4o-transcribe', 'gpt-4o-transcribe-diarize', 'whisper-1'],
	translation: ['whisper-1'],
	variation: ['dall-e-2'],
	// Model > Get offers every model the key can see.
	all: DEFAULT_MODELS.map((model) => model.id).sort(),
};
