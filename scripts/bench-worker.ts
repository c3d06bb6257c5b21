/**
 * One benchmark measurement in a process of its own, so its peak RSS is its own: runs N chat items
 * through n8n's engine (or raw HTTP) once to warm up, once measured, and prints `{ ms, rssMb }`.
 *
 *   node .bench/scripts/bench-worker.js '{"contender":"ours-fixed","items":2000,"baseUrl":"http://127.0.0.1:1234/v1"}'
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import type { IDataObject, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { OpenAiRest } from '../nodes/OpenAiRest/OpenAiRest.node';
import { assembleChatCompletion, readOpenAiStream } from '../nodes/OpenAiRest/transport/sse';
import { type RunOptions, registerCredentialType, runNode, nodeTypes } from '../test/support/engine';

export const CONTENDERS = [
	'ours-fixed',
	'ours-expr',
	'floor-fixed',
	'floor-expr',
	'floor-wide-fixed',
	'builtin-fixed',
	'builtin-expr',
	'raw-http',
	'ours-batched',
	'baseline-fixed',
] as const;
/** The contenders of the rate-limit section: 2,000 chat items against a limited server. */
export const RATE_LIMIT_CONTENDERS = ['ours-limited', 'builtin-limited', 'langchain-limited'] as const;
export type RateLimitContender = (typeof RATE_LIMIT_CONTENDERS)[number];
/** Worker tasks beside the contenders. */
type Measurement = (typeof CONTENDERS)[number] | RateLimitContender | 'stream-assembly';
export type Contender = (typeof CONTENDERS)[number];

export interface WorkerTask {
	contender: Measurement;
	items: number;
	baseUrl: string;
	/** Folder of the pinned n8n runtime, for n8n's built-in OpenAI node. */
	runtimeDir?: string;
	/** Compiled node of this package before the change (the baseline contender). */
	baselineNode?: string;
	/** The warm-up's server, when it must not be the measured one (rate limits: a cold start is measured). */
	warmUpUrl?: string;
}

export interface StreamResult {
	mb: number;
	ms: number;
	mbPerS: number;
}

export interface WorkerResult {
	ms: number;
	rssMb: number;
	stream?: StreamResult[];
	/** Rate-limit runs (Continue On Fail): items that came out without and with an error. */
	ok?: number;
	failed?: number;
}

const STREAM_SIZES_MB = [1, 10, 100];

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

const MODEL = 'gpt-4o-mini';
const QUESTION = 'Benchmark question';
const BATCH = { batchSize: 10, batchInterval: 50 };

/** The smallest declarative node that sends the same request: resource, operation, routed model and content. */
class EngineFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Engine Floor',
		name: 'engineFloor',
		group: ['transform'],
		version: 1,
		description: 'Minimal declarative chat node',
		defaults: { name: 'Engine Floor' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'openAiRestApi', required: true }],
		requestDefaults: { baseURL: '={{$credentials.baseUrl}}' },
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Chat', value: 'chat' }],
				default: 'chat',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Create',
						value: 'create',
						routing: { request: { method: 'POST', url: '/chat/completions', body: { messages: [{ role: 'user' }] } } },
					},
				],
				default: 'create',
			},
			{
				displayName: 'Model',
				name: 'model',
				type: 'string',
				default: '',
				routing: { send: { type: 'body', property: 'model' } },
			},
			{
				displayName: 'Content',
				name: 'content',
				type: 'string',
				default: '',
				routing: { send: { type: 'body', property: 'messages[0].content' } },
			},
		],
	};
}

/**
 * The engine floor with as many top-level properties as this node, the extra ones hidden: RoutingNode
 * visits every property of a declarative node twice per item, shown or not.
 */
class WideEngineFloor extends EngineFloor {
	constructor(width: number) {
		super();
		const hidden = Array.from({ length: width - this.description.properties.length }, (_, index) => ({
			displayName: `Hidden ${index}`,
			name: `hidden${index}`,
			type: 'string' as const,
			default: '',
			displayOptions: { show: { resource: ['other'], operation: ['other'] } },
		}));
		this.description = { ...this.description, properties: [...this.description.properties, ...hidden] };
	}
}

const byExpression = (fixed: boolean) => ({
	model: fixed ? MODEL : '={{ $json.model }}',
	content: fixed ? QUESTION : '={{ $json.question }}',
});

function ours(fixed: boolean): INodeParameters {
	const { model, content } = byExpression(fixed);
	return { resource: 'chat', operation: 'create', chatModel: model, messages: { values: [{ role: 'user', content }] } };
}

/** n8n's built-in OpenAI node (n8n-nodes-base, version 1.1), loaded from the pinned runtime. */
function loadBuiltIn(runtimeDir: string): void {
	const base = join(runtimeDir, 'node_modules', 'n8n-nodes-base', 'dist');
	const { OpenAi } = require(join(base, 'nodes', 'OpenAi', 'OpenAi.node.js')) as { OpenAi: new () => INodeType };
	const { OpenAiApi } = require(join(base, 'credentials', 'OpenAiApi.credentials.js')) as {
		OpenAiApi: new () => Parameters<typeof registerCredentialType>[0];
	};
	nodeTypes.register('n8n-nodes-base.openAi', new OpenAi());
	registerCredentialType(new OpenAiApi());
}

interface Setup {
	parameters: INodeParameters;
	options: Omit<RunOptions, 'input' | 'liveInput'>;
}

/** n8n's LangChain OpenAI node, version 2, from the pinned runtime: Text → Response. */
function loadLangChain(runtimeDir: string): void {
	const file = join(runtimeDir, 'node_modules', '@n8n', 'n8n-nodes-langchain', 'dist', 'nodes', 'vendors', 'OpenAi', 'OpenAi.node.js');
	const { OpenAi } = require(file) as { OpenAi: new () => { getNodeType: (version: number) => INodeType } };
	nodeTypes.register('@n8n/n8n-nodes-langchain.openAi', new OpenAi().getNodeType(LANGCHAIN_VERSION));
}

const LANGCHAIN_VERSION = 2;

/** This package's node as it was before the change, compiled by bench.ts from git. */
function loadBaseline(file: string): void {
	const { OpenAiRest: Baseline } = require(file) as { OpenAiRest: new () => INodeType };
	nodeTypes.register('baseline.openAiRest', new Baseline(), true);
}

function setupFor(task: WorkerTask): Setup {
	const credentials = { apiKey: 'sk-test-key', baseUrl: task.baseUrl };
	const fixed = task.contender.endsWith('-fixed') || task.contender === 'ours-batched' || task.contender.endsWith('-limited');
	switch (task.contender) {
		case 'ours-fixed':
		case 'ours-expr':
		case 'ours-limited':
			return { parameters: ours(fixed), options: { credentials } };
		case 'baseline-fixed': {
			loadBaseline(task.baselineNode!);
			const node = { type: 'baseline.openAiRest', typeVersion: 1, credentialType: 'openAiRestApi' };
			return { parameters: ours(true), options: { credentials, node } };
		}
		case 'langchain-limited': {
			loadBuiltIn(task.runtimeDir!);
			loadLangChain(task.runtimeDir!);
			const node = { type: '@n8n/n8n-nodes-langchain.openAi', typeVersion: LANGCHAIN_VERSION, credentialType: 'openAiApi' };
			const parameters = {
				resource: 'text',
				operation: 'response',
				modelId: { __rl: true, mode: 'id', value: MODEL },
				responses: { values: [{ type: 'text', role: 'user', content: QUESTION }] },
				simplify: true,
			};
			return { parameters, options: { credentials: { ...credentials, url: task.baseUrl }, node } };
		}
		case 'ours-batched':
			return { parameters: { ...ours(true), requestOptions: { batching: { batch: BATCH } } }, options: { credentials } };
		case 'floor-fixed':
		case 'floor-expr': {
			nodeTypes.register('bench.engineFloor', new EngineFloor());
			const node = { type: 'bench.engineFloor', typeVersion: 1, credentialType: 'openAiRestApi' };
			return { parameters: { resource: 'chat', operation: 'create', ...byExpression(fixed) }, options: { credentials, node } };
		}
		case 'floor-wide-fixed': {
			const width = new OpenAiRest().description.properties.length;
			nodeTypes.register('bench.wideEngineFloor', new WideEngineFloor(width));
			const node = { type: 'bench.wideEngineFloor', typeVersion: 1, credentialType: 'openAiRestApi' };
			return { parameters: { resource: 'chat', operation: 'create', ...byExpression(true) }, options: { credentials, node } };
		}
		case 'builtin-fixed':
		case 'builtin-expr':
		case 'builtin-limited': {
			loadBuiltIn(task.runtimeDir!);
			const { model, content } = byExpression(fixed);
			const node = { type: 'n8n-nodes-base.openAi', typeVersion: 1.1, credentialType: 'openAiApi' };
			const parameters = { resource: 'chat', operation: 'complete', chatModel: model, prompt: { messages: [{ role: 'user', content }] } };
			// The built-in credential's URL includes /v1; the node appends /v1/chat/completions to its parent.
			return { parameters, options: { credentials: { ...credentials, url: task.baseUrl }, node } };
		}
		default:
			throw new Error(`no engine setup for ${task.contender}`);
	}
}

function inputItems(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, index) => ({ model: MODEL, question: `Question ${index}` }));
}

async function rawHttp(task: WorkerTask, count: number): Promise<void> {
	const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: QUESTION }] });
	await Promise.all(
		Array.from({ length: count }, async () => {
			const response = await fetch(`${task.baseUrl}/chat/completions`, {
				method: 'POST',
				headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' },
				body,
			});
			await response.json();
		}),
	);
}

async function runOnce(task: WorkerTask, count: number, setup?: Setup): Promise<void> {
	if (!setup) return await rawHttp(task, count);
	const { items, error } = await runNode(setup.parameters, { ...setup.options, input: inputItems(count) });
	if (error || items.length !== count) throw new Error(`${task.contender} failed: ${error?.message ?? `${items.length} items`}`);
}

/** A rate-limited run: Continue On Fail, so every item comes out, with or without an error. */
async function runLimited(setup: Setup, count: number): Promise<{ ok: number; failed: number }> {
	const { items, error } = await runNode(setup.parameters, { ...setup.options, input: inputItems(count), continueOnFail: true });
	if (error) throw error;
	const failed = items.filter((item) => item.error !== undefined || item.json.error !== undefined).length;
	return { ok: items.length - failed, failed };
}

/** A chat stream of about `megabytes` MB, as OpenAI sends it. */
function sseBody(megabytes: number): string {
	const chunk = (delta: object, finish: string | null) =>
		`data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
	const word = chunk({ content: 'word ' }, null);
	const count = Math.ceil((megabytes * 1024 * 1024) / word.length);
	return chunk({ role: 'assistant', content: '' }, null) + word.repeat(count) + chunk({}, 'stop') + 'data: [DONE]\n\n';
}

function streamThroughput(): StreamResult[] {
	return STREAM_SIZES_MB.map((mb) => {
		const body = sseBody(mb);
		const times = Array.from({ length: mb >= 10 ? 1 : 3 }, () => {
			const started = performance.now();
			const answer = assembleChatCompletion(readOpenAiStream(body)) as { choices: Array<{ message: { content: string } }> };
			if (!answer.choices[0].message.content.startsWith('word ')) throw new Error('stream assembly went wrong');
			return performance.now() - started;
		});
		const ms = median(times);
		return { mb: Buffer.byteLength(body) / 1024 / 1024, ms, mbPerS: Buffer.byteLength(body) / 1024 / 1024 / (ms / 1000) };
	});
}

export async function measure(task: WorkerTask): Promise<WorkerResult> {
	if (task.contender === 'stream-assembly') {
		const stream = streamThroughput();
		return { ms: stream.reduce((sum, entry) => sum + entry.ms, 0), rssMb: process.resourceUsage().maxRSS / 1024, stream };
	}
	if (task.contender.startsWith('builtin') && !(task.runtimeDir && existsSync(task.runtimeDir))) {
		throw new Error('the pinned n8n runtime is not installed');
	}
	const setup = task.contender === 'raw-http' ? undefined : setupFor(task);
	if (task.warmUpUrl && setup) {
		// Warm-up on another server, so the measured run meets the limited one cold.
		const warm = { ...setup, options: { ...setup.options, credentials: { ...setup.options.credentials, baseUrl: task.warmUpUrl, url: task.warmUpUrl } } };
		await runOnce(task, 50, warm);
		const started = performance.now();
		const counts = await runLimited(setup, task.items);
		return { ms: performance.now() - started, rssMb: process.resourceUsage().maxRSS / 1024, ...counts };
	}
	await runOnce(task, Math.min(task.items, 50), setup); // warm-up: module loading and JIT
	const started = performance.now();
	await runOnce(task, task.items, setup);
	const ms = performance.now() - started;
	return { ms, rssMb: process.resourceUsage().maxRSS / 1024 };
}

if (require.main === module) {
	measure(JSON.parse(process.argv[2]) as WorkerTask)
		.then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
		.catch((error: Error) => {
			process.stderr.write(`${error.stack ?? error.message}\n`);
			process.exitCode = 1;
		});
}
