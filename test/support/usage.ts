/** Usage objects as the local OpenAI-like server reports them. */

/** The usage object the test server reports for chat completions. */
export function chatUsage(promptTokens: number, completionTokens: number) {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: {
			reasoning_tokens: 0,
			audio_tokens: 0,
			accepted_prediction_tokens: 0,
			rejected_prediction_tokens: 0,
		},
	};
}

/** The usage object of completions and edits. */
export function textUsage(promptTokens: number, completionTokens: number) {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
	};
}
