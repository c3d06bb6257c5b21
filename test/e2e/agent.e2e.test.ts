/**
 * OpenAI REST as tools of n8n's AI Agent, in a real n8n: examples/ai-agent-tools.json (trigger → AI Agent with
 * n8n's OpenAI Chat Model, our node attached as tools of type openAiRestTool), plus two tools that fail (a missing
 * model; a temperature the model sets out of range) and one that returns an image link. The agent's model is a
 * scripted server: it fills the tools' $fromAI() values in tool calls, then answers the follow-up that carries the
 * tool results. Our tools call the local OpenAI-like server.
 */
import fs from 'fs';
import path from 'path';

import { DEFAULT_MODELS, type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { type ChatRequestBody, type ScriptedModel, startScriptedModel } from './support/scripted-model';
import { type ExecutionResult, N8nInstance, type NodeOutputItem } from './support/n8n';

const EXAMPLE = path.resolve(__dirname, '../../examples/ai-agent-tools.json');
const TOOL_TYPE = 'n8n-nodes-openai-rest.openAiRestTool';
const API_KEY = 'fake-e2e-agent-tools-key';
const MODEL_KEY = 'fake-e2e-agent-model-key';
const WORKFLOW_ID = 'agentToolsWf0001';
const FINAL_ANSWER = 'n8n is a workflow automation tool; the lighthouse picture is in the image tool output.';

interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

interface Workflow {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, unknown>>;
}

const example = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as Workflow;

/**
 * The example plus three tools this test adds: one whose model does not exist, one whose temperature the model
 * chooses (out of range here), and one that returns an image link.
 */
function workflowUnderTest(): Workflow {
	const toolTemplate = example.nodes.find((node) => node.type === TOOL_TYPE)!;
	const extraTool = (name: string, parameters: Record<string, unknown>, x: number): WorkflowNode => ({
		...toolTemplate,
		name,
		parameters,
		position: [x, 240],
	});
	const extras = [
		extraTool(
			'Ask a Retired Model',
			{
				resource: 'chat',
				operation: 'create',
				chatModel: 'gpt-retired',
				messages: { values: [{ role: 'user', content: "={{ $fromAI('question', 'The question to ask', 'string') }}" }] },
			},
			780,
		),
		extraTool(
			'Ask with a Temperature',
			{
				resource: 'chat',
				operation: 'create',
				chatModel: 'gpt-4o-mini',
				messages: { values: [{ role: 'user', content: 'Hello' }] },
				chatOptions: { temperature: "={{ $fromAI('temperature', 'Sampling temperature from 0 to 2', 'number') }}" },
			},
			940,
		),
		extraTool(
			'Link to an Image',
			{
				resource: 'image',
				operation: 'generate',
				imageModel: 'dall-e-3',
				imagePrompt: "={{ $fromAI('prompt', 'What the image shows', 'string') }}",
				imageOptions: { responseFormat: 'url' },
			},
			1100,
		),
	];
	const toAgent = { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] };
	return {
		...example,
		nodes: [...example.nodes.map((node) => ({ ...node, id: undefined })), ...extras].map((node, index) => ({
			...node,
			id: `agent-node-${index}`,
		})),
		connections: { ...example.connections, ...Object.fromEntries(extras.map((node) => [node.name, toAgent])) },
	};
}

const TOOL_CALLS = [
	{ id: 'call_chat', name: 'Ask_a_Chat_Model', arguments: { question: 'What is n8n?' } },
	{ id: 'call_models', name: 'List_Models', arguments: {} },
	{ id: 'call_image', name: 'Generate_an_Image', arguments: { prompt: 'A lighthouse at sunset' } },
	{ id: 'call_retired', name: 'Ask_a_Retired_Model', arguments: { question: 'Are you there?' } },
	{ id: 'call_link', name: 'Link_to_an_Image', arguments: { prompt: 'A harbour at night' } },
	{ id: 'call_temperature', name: 'Ask_with_a_Temperature', arguments: { temperature: 5 } },
];
/** The temperature call is rejected before sending; every other call sends one request. */
const SENDING_CALLS = TOOL_CALLS.length - 1;

/** Output items a tool node gave the agent (tools write to their ai_tool output, not main). */
function toolOutput(run: ExecutionResult, nodeName: string): NodeOutputItem[] {
	const runs = run.data.resultData.runData[nodeName] as unknown as Array<{ data?: { ai_tool?: NodeOutputItem[][] } }>;
	if (!runs?.length) throw new Error(`Tool "${nodeName}" did not run`);
	return runs[0].data?.ai_tool?.[0] ?? [];
}

describe('OpenAI REST as AI Agent tools in a real n8n', () => {
	let server: OpenAiServer;
	let model: ScriptedModel;
	let n8n: N8nInstance;
	let exitCode: number | null;
	let run: ExecutionResult;

	/** What the agent sent back to the model for one tool call: the tool's result, parsed. */
	const toolResult = (callId: string): unknown => {
		const followUp = model.requests[1];
		const message = followUp?.messages.find((entry) => entry.role === 'tool' && entry.tool_call_id === callId);
		if (!message) throw new Error(`No tool result for ${callId} in ${JSON.stringify(followUp?.messages)}`);
		return JSON.parse(message.content as string);
	};
	const offeredTool = (name: string) => model.requests[0]?.tools?.find((tool) => tool.function.name === name)?.function;

	beforeAll(async () => {
		server = await startOpenAiServer({ apiKey: API_KEY });
		model = await startScriptedModel(MODEL_KEY);
		model.script([{ toolCalls: TOOL_CALLS }, { content: FINAL_ANSWER }]);

		const credentialOf = (type: string) => example.nodes.find((node) => node.credentials?.[type])!.credentials![type];
		n8n = await N8nInstance.create('agent');
		await n8n.importCredentials([
			{ ...credentialOf('openAiRestApi'), type: 'openAiRestApi', data: { apiKey: API_KEY, baseUrl: server.baseUrl() } },
			{ ...credentialOf('openAiApi'), type: 'openAiApi', data: { apiKey: MODEL_KEY, url: model.baseUrl, header: false } },
		]);
		await n8n.importWorkflows([{ ...workflowUnderTest(), id: WORKFLOW_ID }]);
		({ exitCode, run } = await n8n.execute(WORKFLOW_ID));
	}, 240_000);

	afterAll(async () => {
		await server?.close();
		await model?.close();
	});

	it('runs the workflow to the end and returns the model\'s final answer', () => {
		expect({ exitCode, status: run.status, error: run.data.resultData.error }).toEqual({
			exitCode: 0,
			status: 'success',
			error: undefined,
		});
		const [answer] = run.data.resultData.runData['AI Agent'][0].data!.main[0]!;
		expect(answer.json).toEqual({ output: FINAL_ANSWER });
		expect(model.requests).toHaveLength(2);
	});

	it('offers each tool to the model with its action as description and its $fromAI() values as parameters', () => {
		const names = (model.requests[0].tools ?? []).map((tool) => tool.function.name).sort();
		expect(names).toEqual(TOOL_CALLS.map((call) => call.name).sort());

		expect(offeredTool('Ask_a_Chat_Model')).toMatchObject({
			description: 'Message a chat model and get its reply in OpenAI REST',
			parameters: {
				type: 'object',
				properties: { question: { type: 'string', description: 'The question to ask the chat model' } },
				required: ['question'],
			},
		});
		expect(offeredTool('List_Models')).toMatchObject({
			description: 'List available models in OpenAI REST',
			parameters: { type: 'object', properties: {} },
		});
		expect(offeredTool('Generate_an_Image')).toMatchObject({
			description: 'Generate an image from a text prompt in OpenAI REST',
			parameters: { properties: { prompt: { type: 'string', description: 'What the image shows, in detail' } } },
		});
	});

	it('sends each tool\'s request to the API with the values the model chose', () => {
		const sent = server.requests.map((request) => ({ method: request.method, path: request.path, body: request.body }));
		expect(sent).toEqual(
			expect.arrayContaining([
				{
					method: 'POST',
					path: '/chat/completions',
					body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What is n8n?' }] },
				},
				{ method: 'GET', path: '/models', body: undefined },
				{
					method: 'POST',
					path: '/images/generations',
					body: { model: 'gpt-image-1', prompt: 'A lighthouse at sunset', quality: 'low' },
				},
				{
					method: 'POST',
					path: '/chat/completions',
					body: { model: 'gpt-retired', messages: [{ role: 'user', content: 'Are you there?' }] },
				},
				{
					method: 'POST',
					path: '/images/generations',
					body: { model: 'dall-e-3', prompt: 'A harbour at night', response_format: 'url' },
				},
			]),
		);
		expect(sent).toHaveLength(SENDING_CALLS);
	});

	it('gives the model the chat answer alone', () => {
		expect(toolResult('call_chat')).toEqual([{ content: 'Echo: What is n8n?' }]);
	});

	it('gives the model the model list as one compact item of IDs', () => {
		const ids = DEFAULT_MODELS.map((entry) => entry.id).sort();
		expect(toolResult('call_models')).toEqual([{ count: DEFAULT_MODELS.length, models: ids }]);
	});

	it('tells the model in words which file the image is and where, and keeps the image as binary data', () => {
		expect(toolResult('call_image')).toEqual([
			{
				result:
					'Generated image 1 of 1 with gpt-image-1, as the file a-lighthouse-at-sunset-1.png (image/png) in the binary field "data" of this tool\'s output.',
			},
		]);
		const [item] = toolOutput(run, 'Generate an Image');
		expect(item.binary?.data).toMatchObject({ fileName: 'a-lighthouse-at-sunset-1.png', mimeType: 'image/png' });
	});

	it('gives the model the link of an image returned as a URL', () => {
		const [result] = toolResult('call_link') as Array<{ result: string }>;
		expect(result.result).toMatch(
			new RegExp(`^Generated image 1 of 1 with dall-e-3, at ${server.url}/\\S+ \\(the link expires after 60 minutes\\)\\. Revised prompt: `),
		);
	});

	it('gives the model a failing tool\'s cause and advice in the error message itself', () => {
		expect(toolResult('call_retired')).toEqual([
			{
				error: [
					'The model `gpt-retired` does not exist or you do not have access to it.',
					'type: invalid_request_error, code: model_not_found, HTTP status: 404',
					'The model "gpt-retired" does not exist on this server or your key has no access to it. Pick another model.',
				].join('\n'),
			},
		]);
	});

	it('offers a number the model fills, and tells it when its value is out of range, sending nothing', () => {
		expect(offeredTool('Ask_with_a_Temperature')?.parameters).toMatchObject({
			properties: { temperature: { type: 'number', description: 'Sampling temperature from 0 to 2' } },
			required: ['temperature'],
		});
		expect(toolResult('call_temperature')).toEqual([
			{ error: 'Invalid "Sampling Temperature" in item 0: must be between 0 and 2, got 5\nNothing was sent to the API.' },
		]);
		const withHello = server.requests.filter((request) => JSON.stringify(request.body ?? {}).includes('"Hello"'));
		expect(withHello).toEqual([]);
	});

	it('sends the follow-up with one result per tool call, after the model\'s tool calls', () => {
		const followUp: ChatRequestBody = model.requests[1];
		const toolMessages = followUp.messages.filter((message) => message.role === 'tool');
		expect(toolMessages.map((message) => message.tool_call_id).sort()).toEqual(TOOL_CALLS.map((call) => call.id).sort());
		expect(followUp.messages.some((message) => message.role === 'assistant' && message.tool_calls?.length)).toBe(true);
	});
});
