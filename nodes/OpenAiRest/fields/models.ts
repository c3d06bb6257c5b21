import type { ILoadOptions } from 'n8n-workflow';

/** Which models a picker offers. Patterns are matched against model IDs, fine-tuned `ft:` IDs included. */
export const MODEL_FAMILIES = {
	chat: {
		include: '^(ft:)?(gpt-|o[1-9]|chatgpt-)',
		exclude: 'instruct|image|audio|realtime|tts|transcribe|embedding|search-api|moderation',
	},
	completion: {
		include: '^(ft:)?(gpt-3\\.5-turbo-instruct|davinci|babbage|curie|ada|text-(davinci|curie|babbage|ada))',
		exclude: 'edit|embedding|similarity|search',
	},
	edit: { include: 'edit', exclude: 'embedding' },
	image: { include: '^(dall-e|gpt-image|chatgpt-image)', exclude: '$^' },
	moderation: { include: 'moderation', exclude: '$^' },
	all: { include: '.', exclude: '$^' },
	// Models that serve /responses: GPT and o-series, computer-use and codex models, fine-tuned ones.
	responses: {
		include: '^(ft:)?(gpt-|o[1-9]|computer-use|codex)',
		exclude: 'instruct|image|audio|realtime|tts|transcribe|embedding|search-api|moderation',
	},
	embedding: { include: 'embedding', exclude: '$^' },
	speech: { include: '^(ft:)?(tts-|gpt-.*-tts)', exclude: '$^' },
	transcription: { include: 'whisper|transcribe', exclude: '$^' },
	translation: { include: 'whisper', exclude: '$^' },
	variation: { include: '^dall-e-2', exclude: '$^' },
} as const;

export type ModelFamily = keyof typeof MODEL_FAMILIES;

/** Whether a model ID belongs to a family; the same test the dropdown's filter expression runs. */
export function isModelInFamily(id: string, family: ModelFamily): boolean {
	const { include, exclude } = MODEL_FAMILIES[family];
	return new RegExp(include).test(id) && !new RegExp(exclude).test(id);
}

/**
 * Declarative `loadOptions` for a model picker: `GET /models`, filtered to the family, sorted.
 * It travels through n8n's REST API as JSON, so it holds expressions and no functions.
 * On hosts other than api.openai.com a family with no match falls back to every model, so
 * OpenRouter, LiteLLM, vLLM and friends never show an empty list.
 * n8n evaluates per-model actions (filter, setKeyValue) once per model, which takes a second for a
 * thousand models; so one expression builds both candidate lists, and the filter that picks one of
 * them (only `filter` sees the credential) runs twice.
 */
export function modelLoadOptions(family: ModelFamily): ILoadOptions {
	const { include, exclude } = MODEL_FAMILIES[family];
	const onOpenAi = "String($credentials.baseUrl).includes('api.openai.com')";
	const all = '($response.body.data || [])';
	const matching = `${all}.filter((model) => /${include}/.test(model.id) && !/${exclude}/.test(model.id))`;
	// Sorted like n8n's `sort` action: by lower-cased name.
	const options = (models: string) =>
		`${models}.map((model) => ({ name: model.id, value: model.id })).sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0))`;
	const lists = `[{ "family": true, "options": ${options(matching)} }, { "family": false, "familyIsEmpty": !${matching}.length, "options": ${options(all)} }]`;
	// `send.paginate` routes the call through the node's retrying, error-mapping request hook.
	const routing = {
		request: { method: 'GET', url: '/models' },
		send: { paginate: true },
		output: {
			postReceive: [
				{ type: 'set', properties: { value: `={{ { "lists": ${lists} } }}` } },
				{ type: 'rootProperty', properties: { property: 'lists' } },
				{
					type: 'filter',
					properties: {
						pass: `={{ $responseItem.family ? ($responseItem.options.length > 0 || ${onOpenAi}) : ($responseItem.familyIsEmpty && !${onOpenAi}) }}`,
					},
				},
				{ type: 'rootProperty', properties: { property: 'options' } },
			],
		},
	};
	return { routing: routing as ILoadOptions['routing'] };
}
