/**
 * The package inside a running n8n, driven through n8n's own REST API like the editor drives it:
 * node and credential types, the credential test button, and every model dropdown.
 */
import { type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { N8nInstance, N8nRestClient } from './support/n8n';
import { EXPECTED_MODELS } from '../support/expected-models';

const NODE_TYPE = 'n8n-nodes-openai-rest.openAiRest';
const CREDENTIAL_TYPE = 'openAiRestApi';
const API_KEY = 'fake-e2e-rest-key';
const GOOD_CREDENTIAL = { id: 'e2eRestGoodKey01', name: 'OpenAI REST (valid key)' };
const BAD_CREDENTIAL = { id: 'e2eRestBadKey001', name: 'OpenAI REST (revoked key)' };

interface NodeProperty {
	name: string;
	displayName: string;
	type: string;
	default?: unknown;
	options?: Array<{ name: string; value: string }>;
	displayOptions?: { show?: Record<string, unknown[]> };
	typeOptions?: { loadOptions?: object };
}

interface NodeTypeDescription {
	name: string;
	displayName: string;
	version: number | number[];
	credentials?: Array<{ name: string; required?: boolean }>;
	properties: NodeProperty[];
}

interface CredentialTypeDescription {
	name: string;
	displayName: string;
	properties: Array<{ name: string }>;
}

interface DropdownOption {
	name: string;
	value: string;
}

/** What each model dropdown must offer from the mock server's default list. */
const EXPECTED_MODELS_BY_DROPDOWN: Record<string, string[]> = {
	chatModel: EXPECTED_MODELS.chat,
	textModel: EXPECTED_MODELS.completion,
	editModel: EXPECTED_MODELS.edit,
	imageModel: EXPECTED_MODELS.image,
	variationModel: EXPECTED_MODELS.variation,
	moderationModel: EXPECTED_MODELS.moderation,
	modelId: EXPECTED_MODELS.all,
	speechModel: EXPECTED_MODELS.speech,
	transcriptionModel: EXPECTED_MODELS.transcription,
	translationModel: EXPECTED_MODELS.translation,
	responseModel: EXPECTED_MODELS.responses,
	embeddingModel: EXPECTED_MODELS.embedding,
};

interface Dropdown {
	resource: string;
	operation: string;
	property: NodeProperty;
}

/** Every parameter of our node whose options load from the API, with the resource/operation showing it. */
function modelDropdowns(node: NodeTypeDescription): Dropdown[] {
	return node.properties
		// Model pickers only: the vector store picker loads GET /vector_stores.
		.filter((property) => (property.typeOptions?.loadOptions as { routing?: { request?: { url?: string } } } | undefined)?.routing?.request?.url === '/models')
		.flatMap((property) => {
			const show = property.displayOptions?.show ?? {};
			const resources = (show.resource ?? []) as string[];
			const operations = (show.operation ?? []) as string[];
			return resources.flatMap((resource) => operations.map((operation) => ({ resource, operation, property })));
		});
}

describe('OpenAI REST inside a running n8n (REST API)', () => {
	let server: OpenAiServer;
	let n8n: N8nInstance;
	let rest: N8nRestClient;
	let nodeTypes: NodeTypeDescription[];
	let credentialTypes: CredentialTypeDescription[];

	beforeAll(async () => {
		server = await startOpenAiServer({ apiKey: API_KEY });
		n8n = await N8nInstance.create('rest');
		await n8n.importCredentials([
			{ ...GOOD_CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, baseUrl: server.baseUrl() } },
			{ ...BAD_CREDENTIAL, type: CREDENTIAL_TYPE, data: { apiKey: 'sk-revoked-key-0000', baseUrl: server.baseUrl() } },
		]);
		await n8n.start();
		rest = new N8nRestClient(n8n.url);
		await rest.setUpOwnerAndLogin();
		nodeTypes = (await rest.request<NodeTypeDescription[]>('GET', '/types/nodes.json')).body;
		credentialTypes = (await rest.request<CredentialTypeDescription[]>('GET', '/types/credentials.json')).body;
	});

	afterAll(async () => {
		await n8n?.stop();
		await server?.close();
	});

	beforeEach(() => server.reset());

	const ourNode = () => {
		const node = nodeTypes.find((candidate) => candidate.name === NODE_TYPE);
		if (!node) throw new Error(`${NODE_TYPE} is not loaded; n8n log:\n${n8n.log}`);
		return node;
	};

	describe('loading', () => {
		it('lists our node with its credential and all its resources', () => {
			const node = ourNode();
			expect(node.displayName).toBe('OpenAI REST');
			expect(node.credentials).toEqual([expect.objectContaining({ name: CREDENTIAL_TYPE, required: true })]);
			const resource = node.properties.find((property) => property.name === 'resource');
			// n8n itself adds a "Custom API Call" entry to nodes with credentials.
			const ours = resource?.options?.map((option) => option.value).filter((value) => value !== '__CUSTOM_API_CALL__');
			expect(ours?.sort()).toEqual([
				'audio',
				'batch',
				'chat',
				'conversation',
				'edit',
				'embedding',
				'file',
				'image',
				'model',
				'moderation',
				'response',
				'text',
				'vectorStore',
				'video',
			]);
		});

		it('lists our credential type with its three fields first', () => {
			const credential = credentialTypes.find((candidate) => candidate.name === CREDENTIAL_TYPE);
			expect(credential?.displayName).toBe('OpenAI REST API');
			// n8n appends its own domain-restriction fields to every credential.
			const fieldNames = credential?.properties.map((property) => property.name) ?? [];
			expect(fieldNames.slice(0, 3)).toEqual(['apiKey', 'organizationId', 'baseUrl']);
		});

		it("keeps n8n's built-in OpenAI credential and nodes loaded beside ours", () => {
			const nodeNames = nodeTypes.map((node) => node.name);
			expect(nodeNames).toEqual(expect.arrayContaining(['n8n-nodes-base.openAi', '@n8n/n8n-nodes-langchain.openAi']));
			const builtInCredential = credentialTypes.find((credential) => credential.name === 'openAiApi');
			expect(builtInCredential?.displayName).toBe('OpenAI');
			expect(credentialTypes.filter((credential) => credential.name === CREDENTIAL_TYPE)).toHaveLength(1);
		});
	});

	describe('credential test', () => {
		const testCredential = (credential: { id: string; name: string }, apiKey: string) =>
			rest.data<{ status: string; message: string }>('POST', '/rest/credentials/test', {
				credentials: { ...credential, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl: server.baseUrl() } },
			});

		it('succeeds with a valid key, calling GET /models with it', async () => {
			await expect(testCredential(GOOD_CREDENTIAL, API_KEY)).resolves.toMatchObject({ status: 'OK' });
			expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /models']);
			expect(server.requests[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
		});

		it('fails with a wrong key and says why', async () => {
			const result = await testCredential(BAD_CREDENTIAL, 'sk-revoked-key-0000');
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/401|incorrect api key|authori[sz]/i);
		});
	});

	describe('model dropdowns', () => {
		const loadOptions = (dropdown: Dropdown, credential = GOOD_CREDENTIAL) =>
			rest.data<DropdownOption[]>('POST', '/rest/dynamic-node-parameters/options', {
				nodeTypeAndVersion: { name: NODE_TYPE, version: 1 },
				path: `parameters.${dropdown.property.name}`,
				currentNodeParameters: {
					resource: dropdown.resource,
					operation: dropdown.operation,
					[dropdown.property.name]: dropdown.property.default,
				},
				credentials: { [CREDENTIAL_TYPE]: credential },
				// The editor sends the property's own loadOptions object.
				loadOptions: dropdown.property.typeOptions?.loadOptions,
			});

		it('has the expected model dropdowns', () => {
			const names = new Set(modelDropdowns(ourNode()).map((dropdown) => dropdown.property.name));
			expect([...names].sort()).toEqual(Object.keys(EXPECTED_MODELS_BY_DROPDOWN).sort());
		});

		it.each(Object.keys(EXPECTED_MODELS_BY_DROPDOWN))('%s offers its models, filtered and sorted', async (name) => {
			const dropdowns = modelDropdowns(ourNode()).filter((dropdown) => dropdown.property.name === name);
			expect(dropdowns.length).toBeGreaterThan(0);
			for (const dropdown of dropdowns) {
				server.reset();
				const options = await loadOptions(dropdown);
				expect(options.map((option) => option.value)).toEqual(EXPECTED_MODELS_BY_DROPDOWN[name]);
				expect(options.map((option) => option.name)).toEqual(EXPECTED_MODELS_BY_DROPDOWN[name]);
				expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /models']);
			}
		});

		it('falls back to every model on a compatible server whose names match no family', async () => {
			server.models.splice(
				0,
				server.models.length,
				{ id: 'mistral-small', object: 'model', created: 1, owned_by: 'local' },
				{ id: 'llama-3.1-8b', object: 'model', created: 2, owned_by: 'local' },
			);
			const chat = modelDropdowns(ourNode()).find((dropdown) => dropdown.resource === 'chat')!;
			const options = await loadOptions(chat);
			expect(options.map((option) => option.value)).toEqual(['llama-3.1-8b', 'mistral-small']);
		});

		it('reports the API error when the key is wrong', async () => {
			const chat = modelDropdowns(ourNode()).find((dropdown) => dropdown.resource === 'chat')!;
			await expect(loadOptions(chat, BAD_CREDENTIAL)).rejects.toThrow(/answered (4|5)\d\d/);
		});
	});
});
