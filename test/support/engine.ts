/**
 * Runs the node through n8n's real execution engine in-process: n8n-core's WorkflowExecute for
 * workflows, RoutingNode for dropdowns and the credential test, as n8n's CLI wires them.
 */
import { Container } from '@n8n/di';
import {
	BinaryDataService,
	DirectoryLoader,
	ExecuteContext,
	ExecutionLifecycleHooks,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialType,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createEmptyRunExecutionData, ICredentialsHelper, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { OpenAiApi } from '../../credentials/OpenAiApi.credentials';
import { OpenAiRest } from '../../nodes/OpenAiRest/OpenAiRest.node';

export const NODE_TYPE = 'n8n-nodes-openai-rest.openAiRest';
/** The variant n8n derives for AI Agents from a `usableAsTool` node. */
export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const NODE_NAME = 'OpenAI';
const INPUT_NODE = 'Input';
const INPUT_NODE_TYPE = 'test.input';

/** A file given to an input item as binary data. */
export interface TestFile {
	data: Buffer;
	fileName?: string;
	mimeType?: string;
	/** Keep the bytes in the item (base64), as a Code node's output or n8n's memory mode does. */
	inMemory?: boolean;
}

interface SerializedFile {
	data: string;
	fileName?: string;
	mimeType?: string;
	inMemory?: boolean;
}

/** A start node that emits the items given in its `items` parameter. */
class InputNode implements INodeType {
	description = {
		displayName: 'Input',
		name: 'input',
		group: ['input'],
		version: 1,
		description: 'Emits test items',
		defaults: { name: INPUT_NODE },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' },
			{ displayName: 'Binary', name: 'binary', type: 'json', default: '[]' },
		] as INodeProperties[],
	} as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const text = this.getNodeParameter('items', 0) as string;
		const items = liveInputs.get(text) ?? (JSON.parse(text) as IDataObject[]);
		const files = JSON.parse(this.getNodeParameter('binary', 0) as string) as Array<Record<string, SerializedFile> | null>;
		return [
			await Promise.all(
				items.map(async (json, index) => {
					const fields = Object.entries(files[index] ?? {});
					if (!fields.length) return { json };
					const binary: Record<string, IBinaryData> = {};
					for (const [name, file] of fields) {
						binary[name] = file.inMemory
							? { data: file.data, mimeType: file.mimeType ?? 'application/octet-stream', ...(file.fileName ? { fileName: file.fileName } : {}) }
							: await this.helpers.prepareBinaryData(Buffer.from(file.data, 'base64'), file.fileName, file.mimeType);
					}
					return { json, binary };
				}),
			),
		];
	}
}

/** Input items handed over as objects (getters intact) instead of JSON, keyed by a token. */
const liveInputs = new Map<string, IDataObject[]>();
let liveInputCount = 0;

const credentialType = new OpenAiApi();
const nodeType = new OpenAiRest();
// As n8n does when it loads a declarative node: adds the Request Options collection (timeout, batching, proxy).
DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);

/**
 * n8n's CLI (its NodeTypes service) gives a declarative node an `execute` that runs RoutingNode with the
 * node's execution context, which carries the execution's cancel signal. n8n-core alone would run it
 * through a context without that signal, so the tests wire it like the CLI does.
 */
function withRoutingExecute(declarative: INodeType): INodeType {
	return Object.create(declarative, {
		execute: {
			value: async function (this: ExecuteContext) {
				return (await new RoutingNode(this, declarative).runNode()) ?? [];
			},
		},
	}) as INodeType;
}

class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType> = {
		[NODE_TYPE]: withRoutingExecute(nodeType),
		[TOOL_NODE_TYPE]: nodeType,
		[INPUT_NODE_TYPE]: new InputNode(),
	};

	/**
	 * Adds another node type (the benchmark's contenders), with n8n's declarative Request Options;
	 * `asCli` runs a declarative one through RoutingNode with the execution's cancel signal, as ours.
	 */
	register(name: string, type: INodeType, asCli = false): void {
		if (type.description.requestDefaults) DirectoryLoader.applyDeclarativeNodeOptionParameters(type);
		this.types[name] = asCli ? withRoutingExecute(type) : type;
	}

	getByName(name: string): INodeType {
		return this.types[name];
	}

	getByNameAndVersion(name: string): INodeType {
		return this.types[name];
	}

	getKnownTypes() {
		return {};
	}
}

export const nodeTypes = new TestNodeTypes();

type Authenticating = Pick<ICredentialType, 'name' | 'properties'> & {
	authenticate: (credentials: ICredentialDataDecryptedObject, options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
};

/** Credential types the harness can authenticate: ours, and any a benchmark registers. */
const credentialTypes = new Map<string, Authenticating>([[credentialType.name, credentialType]]);

export function registerCredentialType(type: Authenticating): void {
	credentialTypes.set(type.name, type);
}

/** Credentials as n8n's CLI would resolve them, applying the credential type's own authenticate. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes.get(typeName);
		if (!type) throw new Error(`Unknown credential type ${typeName}`);
		return await type.authenticate(credentials, requestOptions);
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	isCredentialUsableByNode() {
		return true;
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used in tests');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		if (!credentialTypes.has(type)) throw new Error(`Unknown credential type ${type}`);
		return { ...this.data };
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(): INodeProperties[] {
		return credentialType.properties;
	}
}

let binaryDataReady: Promise<void> | undefined;

/** n8n keeps binary data through its BinaryDataService; in tests it stays in memory. */
async function ensureBinaryData() {
	binaryDataReady ??= Container.get(BinaryDataService).init();
	await binaryDataReady;
}

export type TestCredentials = ICredentialDataDecryptedObject & { apiKey: string; baseUrl: string };

function additionalDataFor(credentials: TestCredentials, workflowData: IWorkflowBase, mode: WorkflowExecuteMode) {
	return {
		credentialsHelper: new TestCredentialsHelper(credentials),
		hooks: new ExecutionLifecycleHooks(mode, 'test-execution', workflowData),
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used in tests');
		},
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		variables: {},
		setExecutionStatus: () => {},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('task runners are not used in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface NodeRun {
	/** Output items of the OpenAI node (error items included under Continue On Fail). */
	items: INodeExecutionData[];
	/** The error that stopped the workflow, when it failed. */
	error?: Error & { description?: string; httpCode?: string | null; context?: IDataObject };
	run: IRun;
}

export interface RunOptions {
	credentials: TestCredentials;
	input?: IDataObject[];
	/** Binary fields per input item (by position). */
	binary?: Array<Record<string, TestFile> | undefined>;
	/** Input items passed by reference, so getters on them see every read (expression spies). */
	liveInput?: IDataObject[];
	continueOnFail?: boolean;
	/** Another registered node type to run instead of ours (benchmarks). */
	node?: { type: string; typeVersion: number; credentialType: string };
	retryOnFail?: { maxTries: number; waitBetweenTries: number };
	/** Aborting it stops the execution, as n8n's Stop button does (WorkflowExecute's cancel). */
	stopSignal?: AbortSignal;
	/** Run the node under its AI Agent tool type, as n8n does when an agent calls it. */
	asTool?: boolean;
}

function serializeFiles(files: RunOptions['binary']): string {
	const serialized = (files ?? []).map((fields) =>
		Object.fromEntries(
			Object.entries(fields ?? {}).map(([name, file]) => [name, { ...file, data: file.data.toString('base64') }]),
		),
	);
	return JSON.stringify(serialized);
}

function liveInputToken(items: IDataObject[]): string {
	const token = `live-input-${++liveInputCount}`;
	liveInputs.set(token, items);
	return token;
}

/** Builds the two-node workflow Input → OpenAI. */
export function workflowFor(parameters: INodeParameters, options: Omit<RunOptions, 'credentials'> = {}) {
	const openAiNode: INode = {
		id: 'openai-node',
		name: NODE_NAME,
		type: options.node?.type ?? (options.asTool ? TOOL_NODE_TYPE : NODE_TYPE),
		typeVersion: options.node?.typeVersion ?? 1,
		position: [200, 0],
		parameters,
		credentials: { [options.node?.credentialType ?? credentialType.name]: { id: 'cred-1', name: 'OpenAI REST account' } },
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(options.retryOnFail
			? {
					retryOnFail: true,
					maxTries: options.retryOnFail.maxTries,
					waitBetweenTries: options.retryOnFail.waitBetweenTries,
				}
			: {}),
	};
	const inputNode: INode = {
		id: 'input-node',
		name: INPUT_NODE,
		type: INPUT_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			items: options.liveInput ? liveInputToken(options.liveInput) : JSON.stringify(options.input ?? [{}]),
			binary: serializeFiles(options.binary),
		},
	};
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: 'OpenAI REST test',
		active: false,
		isArchived: false,
		nodes: [inputNode, openAiNode],
		connections: {
			[INPUT_NODE]: { main: [[{ node: NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
		createdAt: new Date(),
		updatedAt: new Date(),
	} as unknown as IWorkflowBase;
	return workflowData;
}

/** Executes Input → OpenAI with WorkflowExecute and returns the OpenAI node's output. */
export async function runNode(parameters: INodeParameters, options: RunOptions): Promise<NodeRun> {
	await ensureBinaryData();
	const workflowData = workflowFor(parameters, options);
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: false,
		nodeTypes,
		settings: workflowData.settings,
	});
	const additionalData = additionalDataFor(options.credentials, workflowData, 'manual');
	const execution = new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: workflow.getNode(INPUT_NODE)!,
	});
	options.stopSignal?.addEventListener('abort', () => execution.cancel(), { once: true });
	const run = await execution;
	const task = run.data.resultData.runData[NODE_NAME]?.[0];
	const items = task?.data?.main?.[0] ?? [];
	const error = (run.data.resultData.error ?? task?.error) as NodeRun['error'];
	return { items, error, run };
}

function tempWorkflow(parameters: INodeParameters) {
	const node: INode = {
		parameters,
		id: 'uuid-1234',
		name: 'Temp-Node',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		credentials: { openAiRestApi: { id: 'cred-1', name: 'OpenAI REST account' } },
	};
	return new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
}

/**
 * Loads a dropdown's options like n8n's dynamic-node-parameters service: the `loadOptions` object
 * arrives as JSON from the editor and runs through RoutingNode with the node type's defaults.
 */
export async function loadOptions(
	property: INodeProperties,
	parameters: INodeParameters,
	credentials: TestCredentials,
): Promise<INodePropertyOptions[]> {
	const loadOptionsFromEditor = JSON.parse(
		JSON.stringify(property.typeOptions?.loadOptions),
	) as ILoadOptions;
	const workflow = tempWorkflow(parameters);
	const node = workflow.nodes['Temp-Node'];
	const tempNodeType: INodeType = {
		...nodeType,
		description: {
			...nodeType.description,
			properties: [
				{ displayName: '', type: 'string', name: '', default: '', routing: loadOptionsFromEditor.routing } as INodeProperties,
			],
		},
	};
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(credentials, { nodes: [node] } as IWorkflowBase, 'internal'),
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, source: null, data: {} },
		[],
	);
	const output = await new RoutingNode(context, tempNodeType).runNode();
	return (output?.[0] ?? []).map((item) => item.json) as unknown as INodePropertyOptions[];
}

/**
 * Runs the credential's test request like n8n's credentials tester: a node type whose
 * request defaults are the test request, executed by RoutingNode with the decrypted data.
 */
export async function testCredential(credentials: TestCredentials): Promise<{ status: 'OK' | 'Error'; message: string }> {
	const testNodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'Temp',
			group: ['output'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: credentialType.name, required: true }],
			requestDefaults: credentialType.test.request,
			properties: [],
		},
	};
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'temp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [credentialType.name]: { id: 'cred-1', name: 'OpenAI REST account' } },
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByNameAndVersion: () => testNodeType,
			getByName: () => testNodeType,
			getKnownTypes: () => ({}),
		} as INodeTypes,
	});
	const decrypted: ICredentialsDecrypted = {
		id: 'cred-1',
		name: 'OpenAI REST account',
		type: credentialType.name,
		data: credentials,
	};
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataFor(credentials, { nodes: [node] } as IWorkflowBase, 'internal'),
		'internal',
		createEmptyRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, source: null, data: {} },
		[],
	);
	try {
		await new RoutingNode(context, testNodeType, decrypted).runNode();
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

export { credentialType, nodeType };
