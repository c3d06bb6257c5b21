/** Message content shared by the Chat and Response resources. */

/**
 * Splits a comma- or newline-separated list of image URLs. A comma only separates when a URL
 * follows it, so data URLs (`data:image/png;base64,…`) and URLs with commas stay whole.
 */
export function splitUrls(value: string | undefined): string[] {
	return (value ?? '')
		.split(/\n|,(?=\s*(?:(?:https?|data):|$))/i)
		.map((url) => url.trim())
		.filter(Boolean);
}
