/**
 * The "model" behind n8n's OpenAI Chat Model in the AI Agent tests: an HTTP server on 127.0.0.1 that
 * answers `POST /v1/chat/completions` turn by turn from a script, as JSON or as server-sent events,
 * and records every request so a test can read what the agent sent (the tools it offered, the tool results).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { readBody } from '../../support/openai-server';

export interface ToolCall {
	id: string;
	name: string;
	arguments: Record<string, unknown>;
}

/** One scripted answer: either tool calls or a final text. */
export type ScriptedTurn = { toolCalls: ToolCall[] } | { content: string };

export interface ChatRequestBody {
	model: string;
	stream?: boolean;
	messages: Array<{ role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown[] }>;
	tools?: Array<{ type: 'function'; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
}

export interface ScriptedModel {
	/** Base URL for the openAiApi credential, e.g. http://127.0.0.1:PORT/v1. */
	baseUrl: string;
	/** Bodies of the chat requests received, in order. */
	requests: ChatRequestBody[];
	/** Replaces the script; each chat request takes the next turn. */
	script(turns: ScriptedTurn[]): void;
	close(): Promise<void>;
}

const CREATED = 1741569952;

function assistantMessage(turn: ScriptedTurn) {
	if ('content' in turn) return { role: 'assistant', content: turn.content };
	return {
		role: 'assistant',
		content: null,
		tool_calls: turn.toolCalls.map((call) => ({
			id: call.id,
			type: 'function',
			function: { name: call.name, arguments: JSON.stringify(call.arguments) },
		})),
	};
}

function completion(model: string, turn: ScriptedTurn) {
	return {
		id: 'chatcmpl-scripted',
		object: 'chat.completion',
		created: CREATED,
		model,
		choices: [
			{ index: 0, message: assistantMessage(turn), logprobs: null, finish_reason: 'content' in turn ? 'stop' : 'tool_calls' },
		],
		usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
	};
}

/** The same answer as one streamed delta, a finish chunk and [DONE]. */
function completionEvents(model: string, turn: ScriptedTurn): string {
	const message = assistantMessage(turn);
	const delta = {
		...message,
		...(message.tool_calls ? { tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) } : {}),
	};
	const chunk = (choice: object) => ({ id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: CREATED, model, choices: [choice] });
	const finish = 'content' in turn ? 'stop' : 'tool_calls';
	return [
		chunk({ index: 0, delta, finish_reason: null }),
		chunk({ index: 0, delta: {}, finish_reason: finish }),
	]
		.map((event) => `data: ${JSON.stringify(event)}\n\n`)
		.join('')
		.concat('data: [DONE]\n\n');
}

export async function startScriptedModel(apiKey: string): Promise<ScriptedModel> {
	const requests: ChatRequestBody[] = [];
	let turns: ScriptedTurn[] = [];

	const server: Server = createServer((request, response) => {
		void readBody(request).then((bytes) => {
			const raw = bytes.toString('utf8');
			const send = (status: number, body: object) => {
				response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
			};
			if (request.headers.authorization !== `Bearer ${apiKey}`) {
				return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
			}
			if (request.method === 'GET' && request.url === '/v1/models') {
				return send(200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }] });
			}
			if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
				return send(404, { error: { message: `No route ${request.method} ${request.url}`, type: 'invalid_request_error' } });
			}
			const body = JSON.parse(raw) as ChatRequestBody;
			requests.push(body);
			const turn = turns.shift();
			if (!turn) return send(500, { error: { message: 'The script has no turn left', type: 'server_error' } });
			if (!body.stream) return send(200, completion(body.model, turn));
			response.writeHead(200, { 'Content-Type': 'text/event-stream' }).end(completionEvents(body.model, turn));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
	const { port } = server.address() as AddressInfo;

	return {
		baseUrl: `http://127.0.0.1:${port}/v1`,
		requests,
		script(next) {
			turns = [...next];
		},
		close: () =>
			new Promise<void>((resolve, reject) => {
				server.close((error) => (error ? reject(error) : resolve()));
				server.closeAllConnections();
			}),
	};
}
