import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { splitUrls } from '../../fields/content';
import { type FileFields, rowFileParts } from '../../transport/attachments';
import { readOption } from '../../transport/parameters';
import { parseJsonText } from '../../fields/validation';
import { InvalidParameter } from '../../transport/errors';

export const CHAT_ROLES = ['developer', 'system', 'user', 'assistant', 'tool'] as const;

/** One row of the message list the user fills in. */
export interface MessageRow extends FileFields {
	role?: string;
	content?: string;
	imageUrls?: string;
	imageDetail?: string;
}

const MESSAGES_LABEL = 'Messages';

/**
 * Builds OpenAI messages from the list, turning user messages with image URLs and files into content parts
 * (files from binary fields as markers that attachBinaryFiles resolves).
 */
export function messagesFromRows(rows: MessageRow[]): IDataObject[] {
	return rows.map((row, position) => {
		const role = row.role ?? 'user';
		const urls = role === 'user' ? splitUrls(row.imageUrls) : [];
		const files = rowFileParts('chat', row, position);
		if (!urls.length && !files.length) return { role, content: row.content ?? '' };
		const detail = row.imageDetail && row.imageDetail !== 'auto' ? { detail: row.imageDetail } : {};
		return {
			role,
			content: [
				...(row.content ? [{ type: 'text', text: row.content }] : []),
				...urls.map((url) => ({ type: 'image_url', image_url: { url, ...detail } })),
				...files,
			],
		};
	});
}

/** Keys the node's simplified chat output adds next to a message; OpenAI rejects them inside messages. */
export const OUTPUT_ONLY_KEYS = ['finish_reason', 'index', 'logprobs', 'usage', 'annotations'];

/** A copy of a message without output-only keys, so an earlier answer can be passed on as it is. */
function asRequestMessage(message: IDataObject): IDataObject {
	const copy = { ...message };
	for (const key of OUTPUT_ONLY_KEYS) delete copy[key];
	return copy;
}

/**
 * Reads a messages array given as JSON text or as an array from an expression. Messages may be
 * items of this node's own simplified output: their finish reason, index, logprobs and usage are dropped.
 */
export function messagesFromJson(value: unknown): IDataObject[] {
	const messages = typeof value === 'string' ? parseJsonText('Messages (JSON)', value) : value;
	if (!Array.isArray(messages)) {
		throw new InvalidParameter('Messages (JSON)', 'must be an array of {role, content} objects');
	}
	messages.forEach((message, index) => {
		const role = (message as IDataObject | null)?.role;
		if (typeof role !== 'string' || !(CHAT_ROLES as readonly string[]).includes(role)) {
			throw new InvalidParameter(
				'Messages (JSON)',
				`message ${index} needs a role, one of ${CHAT_ROLES.join(', ')}; got ${JSON.stringify(role)}`,
			);
		}
	});
	return (messages as IDataObject[]).map(asRequestMessage);
}

/** Checks and completes `response_format`: a JSON schema implies type json_schema and is parsed. */
export function normalizeResponseFormat(body: IDataObject): void {
	const format = body.response_format as IDataObject | undefined;
	if (!format) return;
	const jsonSchema = format.json_schema as IDataObject | undefined;
	if (jsonSchema && !format.type) format.type = 'json_schema';
	if (format.type !== 'json_schema') {
		if (jsonSchema) {
			throw new InvalidParameter('JSON Schema', 'is only used when Response Format is JSON Schema');
		}
		return;
	}
	if (!jsonSchema?.schema) {
		throw new InvalidParameter('JSON Schema', 'is required when Response Format is JSON Schema');
	}
	if (!jsonSchema.name) jsonSchema.name = 'response';
	if (typeof jsonSchema.schema === 'string') {
		jsonSchema.schema = parseJsonText('JSON Schema', jsonSchema.schema) as IDataObject;
	}
	if (!jsonSchema.schema || typeof jsonSchema.schema !== 'object' || Array.isArray(jsonSchema.schema)) {
		throw new InvalidParameter('JSON Schema', 'must be a JSON object');
	}
}

/** Checks the tools list: each entry needs a type, and function tools a function name. */
export function checkTools(body: IDataObject): void {
	const tools = body.tools as IDataObject[] | undefined;
	if (!Array.isArray(tools)) return;
	tools.forEach((tool, index) => {
		const name = (tool?.function as IDataObject | undefined)?.name;
		if (!tool || typeof tool.type !== 'string') {
			throw new InvalidParameter('Tools', `tool ${index} needs a "type", e.g. "function"`);
		}
		if (tool.type === 'function' && typeof name !== 'string') {
			throw new InvalidParameter('Tools', `function tool ${index} needs "function": {"name": …}`);
		}
	});
}

/** Body key under which routing hands over the resolved message rows, keyed by their position. */
export const MESSAGE_ROWS_KEY = 'messageRows';

/**
 * Takes the message rows routing put into the body: RoutingNode has already resolved them, so reading
 * the parameter again would evaluate every expression in them once more.
 */
export function takeMessageRows(body: IDataObject): MessageRow[] {
	const rows = (body[MESSAGE_ROWS_KEY] ?? {}) as Record<string, MessageRow>;
	delete body[MESSAGE_ROWS_KEY];
	return Object.keys(rows)
		.sort((a, b) => Number(a) - Number(b))
		.map((key) => rows[key]);
}

/** preSend body transform for chat: messages, response format, forced tool and tools. */
export function buildChatBody(body: IDataObject, context: IExecuteSingleFunctions): void {
	const source = context.getNodeParameter('messagesInput', 'list') as string;
	const rows = takeMessageRows(body);
	body.messages =
		source === 'json' ? messagesFromJson(context.getNodeParameter('messagesJson', '[]')) : messagesFromRows(rows);
	if (!(body.messages as IDataObject[]).length) {
		throw new InvalidParameter(MESSAGES_LABEL, 'must contain at least one message');
	}
	const forcedFunction = readOption(context, 'toolChoiceFunction', '');
	if (forcedFunction) body.tool_choice = { type: 'function', function: { name: forcedFunction } };
	normalizeResponseFormat(body);
	checkTools(body);
}
