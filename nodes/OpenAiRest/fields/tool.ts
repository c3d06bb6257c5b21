import type { IDataObject } from 'n8n-workflow';

/** A chat or text row for an agent: the answer, plus the finish reason only when the answer is cut short. */
function compactAnswer(row: IDataObject, answerKeys: string[]): IDataObject {
	const compact: IDataObject = {};
	for (const key of answerKeys) if (row[key] !== undefined) compact[key] = row[key];
	if (row.finish_reason !== undefined && row.finish_reason !== 'stop') compact.finish_reason = row.finish_reason;
	if (row.index !== undefined) compact.index = row.index;
	return compact;
}

/** A moderation result for an agent: whether it is flagged and for which categories. */
function compactModeration(row: IDataObject): IDataObject {
	const categories = (row.categories as Record<string, boolean> | undefined) ?? {};
	return {
		flagged: row.flagged,
		flagged_categories: Object.keys(categories).filter((category) => categories[category]),
	};
}

/**
 * Simplified rows made small for an agent's context: the answer without usage and metadata, and a model
 * list as one item of sorted IDs instead of one item per model.
 */
export function compactForAgent(resource: string, rows: IDataObject[]): IDataObject[] {
	switch (resource) {
		case 'chat':
			return rows.map((row) => compactAnswer(row, ['content', 'refusal', 'tool_calls']));
		case 'text':
		case 'edit':
			return rows.map((row) => compactAnswer(row, ['text']));
		case 'moderation':
			return rows.map(compactModeration);
		case 'model': {
			const models = rows.map((row) => String(row.id)).sort();
			return [{ count: models.length, models }];
		}
		default:
			return rows;
	}
}

/** How many numbers of a vector an agent is shown: enough to see it is there, not thousands of tokens. */
export const EMBEDDING_PREVIEW_LENGTH = 8;

/** An embedding row for an agent: its size and first numbers instead of the whole vector. */
export function compactEmbedding(row: IDataObject): IDataObject {
	const vector = Array.isArray(row.embedding) ? (row.embedding as unknown[]) : [];
	const { embedding: _vector, ...rest } = row;
	return { ...rest, dimensions: vector.length, embedding_preview: vector.slice(0, EMBEDDING_PREVIEW_LENGTH) };
}

/** What one generated image is and where it is, in a sentence an agent can pass on. */
export function describeImageForAgent(image: {
	index: number;
	count: number;
	model: string;
	url?: string;
	binaryProperty?: string;
	fileName?: string;
	mimeType?: string;
	revisedPrompt?: string;
}): string {
	const what = `Generated image ${image.index + 1} of ${image.count} with ${image.model}`;
	let where = 'the server returned no image data';
	if (image.url) where = `at ${image.url} (the link expires after 60 minutes)`;
	else if (image.fileName) {
		where = `as the file ${image.fileName} (${image.mimeType}) in the binary field "${image.binaryProperty}" of this tool's output`;
	}
	const revised = image.revisedPrompt ? ` Revised prompt: ${image.revisedPrompt}` : '';
	return `${what}, ${where}.${revised}`;
}
