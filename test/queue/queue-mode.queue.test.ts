/**
 * The node in n8n's queue mode, as production runs it: PostgreSQL, Redis, one main process that takes the
 * webhooks, and two `n8n worker` processes that run the executions, all from the pinned runtime with the
 * packed package installed in each one's user folder, binary data kept in the database.
 *
 * Proves that every queued execution ran on a worker (its id in that worker's "Worker started execution"
 * line), that both workers took part, that every output is right (binaries read back through main's
 * REST API), and that stopping an execution through main ends a Retry-After wait on the worker at once.
 */
import { randomBytes, randomUUID } from 'crypto';
import fs from 'fs';
import path from 'path';

import { OpenAiRest } from '../../nodes/OpenAiRest/OpenAiRest.node';
import { DEFAULT_MODELS, type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { speechAudio } from '../support/openai-server-binary';
import { TEST_PNG } from '../support/png';
import { e2eEnvironment, N8nInstance, N8nRestClient, runtimeTools } from '../e2e/support/n8n';
import {
	ensureRedisServer,
	makeWorkDir,
	type Service,
	startPostgres,
	startProcess,
	startRedis,
	stopAllStarted,
	waitFor,
} from './support/services';

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');
const NODE_TYPE = 'n8n-nodes-openai-rest.openAiRest';
const CREDENTIAL_TYPE = 'openAiRestApi';
const API_KEY = 'fake-queue-mode-key';
const WORKERS = 2;
const WORKER_CONCURRENCY = 4;
const BATCH_SIZE = 24;
/** The test server holds each batch answer this long, so that jobs overlap and both workers get some. */
const BATCH_ANSWER_MS = 400;
const STOP_LIMIT_MS = 3000;
const RETRY_AFTER_S = 30;
/** The rate-limited batch: webhook calls against 600 requests per minute, a burst of 5, answers after 100 ms. */
const LIMITED_BATCH = 40;
const LIMIT = { rpm: 600, burst: 5 };
/** How long main may take to answer a webhook whose workflow runs on a worker. */
const WEBHOOK_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// Workflows
// ---------------------------------------------------------------------------------------------

interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
}

interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }>;
	settings?: object;
}

const TRIGGER = 'Webhook';

function webhookNode(webhookPath: string, respond: 'lastNode' | 'onReceived'): WorkflowNode {
	return {
		name: TRIGGER,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: {
			httpMethod: 'POST',
			path: webhookPath,
			responseMode: respond,
			...(respond === 'lastNode' ? { responseData: 'firstEntryJson' } : {}),
			options: {},
		},
	};
}

/** An example workflow (examples/) with its manual trigger swapped for a Webhook: only production runs are queued. */
function fromExample(file: string, id: string): Workflow {
	const example = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as Omit<Workflow, 'id'>;
	const trigger = example.nodes.find((node) => node.type === 'n8n-nodes-base.manualTrigger');
	if (!trigger) throw new Error(`examples/${file} has no manual trigger`);
	const connections: Workflow['connections'] = { ...example.connections, [TRIGGER]: example.connections[trigger.name] };
	delete connections[trigger.name];
	return {
		...example,
		id,
		nodes: [webhookNode(`queue-${id}`, 'lastNode'), ...example.nodes.filter((node) => node !== trigger)],
		connections,
	};
}

/** Webhook → one OpenAI REST chat node asking the question in the request body. */
function chatWorkflow(id: string, credential: { id: string; name: string }, respond: 'lastNode' | 'onReceived'): Workflow {
	return {
		id,
		name: `Queue mode: ${id}`,
		nodes: [
			webhookNode(`queue-${id}`, respond),
			{
				name: 'Ask',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'chat',
					operation: 'create',
					chatModel: 'gpt-4o-mini',
					messages: { values: [{ role: 'user', content: '={{ $json.body.question }}' }] },
				},
				credentials: { [CREDENTIAL_TYPE]: credential },
			},
		],
		connections: { [TRIGGER]: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

// ---------------------------------------------------------------------------------------------
// Executions as main's REST API returns them
// ---------------------------------------------------------------------------------------------

interface OutputItem {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName?: string; id?: string; data?: string }>;
}

interface Execution {
	id: string;
	status: string;
	workflowId: string;
	runData: Record<string, Array<{ data?: { main: Array<OutputItem[] | null> } }>>;
	error?: { message: string };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const flatted = () => require(path.resolve(e2eEnvironment().n8nBin, '../../..', 'flatted')) as { parse(text: string): unknown };

function outputOf(execution: Execution, nodeName: string): OutputItem[] {
	const runs = execution.runData[nodeName];
	if (!runs?.length) throw new Error(`Node "${nodeName}" did not run in execution ${execution.id}; ran: ${Object.keys(execution.runData).join(', ')}`);
	return runs[0].data?.main[0] ?? [];
}

// ---------------------------------------------------------------------------------------------
// One entry per resource of the node: the example workflow it runs and what its output must be
// ---------------------------------------------------------------------------------------------

interface ResourceCase {
	/** The resource's workflow in examples/, run behind a Webhook node. */
	example: string;
	/** Checks the execution read back through main; `readBinary` downloads binary data from main. */
	check(execution: Execution, readBinary: (id: string) => Promise<Buffer>): Promise<void> | void;
}

const RESOURCE_CASES: Record<string, ResourceCase> = {
	chat: {
		example: 'chat-completion.json',
		check(execution) {
			expect(outputOf(execution, 'Ask the Model').map((item) => item.json.content)).toEqual(['Echo: What is n8n?']);
			expect(outputOf(execution, 'Use the Answer').map((item) => item.json.answer)).toEqual(['Echo: What is n8n?']);
		},
	},
	text: {
		example: 'text-completion.json',
		check(execution) {
			expect(outputOf(execution, 'Complete the Text').map((item) => item.json.text)).toEqual([' Echo: Say this is a test']);
		},
	},
	edit: {
		example: 'edit.json',
		check(execution) {
			expect(outputOf(execution, 'Fix the Spelling').map((item) => item.json.text)).toEqual([
				'Edited: What day of the wek is it? (Fix the spelling mistakes)',
			]);
		},
	},
	image: {
		example: 'image-generation.json',
		async check(execution, readBinary) {
			const [image] = outputOf(execution, 'Generate an Image');
			const binary = image.binary?.data;
			expect(binary).toMatchObject({ mimeType: 'image/png', fileName: expect.stringMatching(/\.png$/) });
			// Kept in the database, not inline: this is what the next node on the worker had to read back.
			expect(binary?.id).toMatch(/^database:/);
			expect((await readBinary(binary!.id!)).equals(TEST_PNG)).toBe(true);
			const [read] = outputOf(execution, 'Read the Image Bytes');
			expect(Buffer.from(read.json.imageBase64 as string, 'base64').equals(TEST_PNG)).toBe(true);
		},
	},
	model: {
		example: 'models.json',
		check(execution) {
			expect(outputOf(execution, 'List Models').map((item) => item.json.id)).toEqual(DEFAULT_MODELS.map((model) => model.id));
			expect(outputOf(execution, 'Get a Model').map((item) => item.json.id)).toEqual(['gpt-4o-mini']);
		},
	},
	response: {
		example: 'response.json',
		check(execution) {
			const [first] = outputOf(execution, 'Ask the Model');
			expect(first.json).toMatchObject({ status: 'completed', output_text: 'Echo: Name one open-source workflow automation tool.' });
			expect(outputOf(execution, 'Ask a Follow-up').map((item) => item.json.output_text)).toEqual(['Echo: And what does it cost?']);
		},
	},
	embedding: {
		example: 'embedding.json',
		check(execution) {
			const rows = outputOf(execution, 'Embed the Texts').map((item) => item.json);
			expect(rows.map((row) => [row.index, (row.embedding as number[]).length, typeof (row.embedding as number[])[0]])).toEqual([
				[0, 256, 'number'],
				[1, 256, 'number'],
			]);
		},
	},
	audio: {
		example: 'audio.json',
		async check(execution, readBinary) {
			const text = 'Your order has shipped and arrives tomorrow.';
			const [speech] = outputOf(execution, 'Speak the Text');
			expect(speech.binary?.data).toMatchObject({ mimeType: 'audio/mpeg', id: expect.stringMatching(/^database:/) });
			expect((await readBinary(speech.binary!.data.id!)).equals(speechAudio(text, 'mp3'))).toBe(true);
			// The next nodes on the worker uploaded those bytes from the database and got the text back.
			expect(outputOf(execution, 'Transcribe the Audio').map((item) => item.json.text)).toEqual([text]);
			expect(outputOf(execution, 'Translate the Audio').map((item) => item.json.text)).toEqual([
				`1\n00:00:00,000 --> 00:00:02,500\n${text}\n\n`,
			]);
		},
	},
	file: {
		example: 'files.json',
		async check(execution, readBinary) {
			const jsonl = '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}\n';
			expect(outputOf(execution, 'Upload the File').map((item) => item.json.bytes)).toEqual([Buffer.byteLength(jsonl)]);
			const [download] = outputOf(execution, 'Download the File');
			expect(download.binary?.data).toMatchObject({ fileName: 'train.jsonl', id: expect.stringMatching(/^database:/) });
			expect((await readBinary(download.binary!.data.id!)).toString('utf8')).toBe(jsonl);
			expect(outputOf(execution, 'Delete the File').map((item) => item.json.deleted)).toEqual([true]);
		},
	},
	batch: {
		example: 'batch.json',
		check(execution) {
			const [batch] = outputOf(execution, 'Create a Batch from the Items');
			expect(batch.json).toMatchObject({ endpoint: '/v1/chat/completions', custom_ids: ['q-paris', 'q-rome', 'q-oslo'] });
			expect(outputOf(execution, 'Wait for Completion').map((item) => item.json.status)).toEqual(['completed']);
			expect(outputOf(execution, 'Use the Answers').map((item) => item.json)).toEqual([
				{ questionId: 'q-paris', answer: 'Echo: What is the capital of France?' },
				{ questionId: 'q-rome', answer: 'Echo: What is the capital of Italy?' },
				{ questionId: 'q-oslo', answer: 'Echo: What is the capital of Norway?' },
			]);
		},
	},
	conversation: {
		example: 'conversation.json',
		check(execution) {
			const [conversation] = outputOf(execution, 'Start a Conversation');
			expect(conversation.json).toMatchObject({ object: 'conversation', metadata: { topic: 'automation' } });
			expect(outputOf(execution, 'Ask a Follow-up')[0].json).toMatchObject({ status: 'completed', output_text: 'Echo: And what does it cost?' });
			expect(outputOf(execution, 'Read the Conversation').map((item) => [item.json.role, item.json.text])).toEqual([
				['developer', 'Answer in one short sentence.'],
				['user', 'Name one open-source workflow automation tool.'],
				['assistant', 'Echo: Name one open-source workflow automation tool.'],
				['user', 'And what does it cost?'],
				['assistant', 'Echo: And what does it cost?'],
			]);
			expect(outputOf(execution, 'Delete the Conversation').map((item) => item.json.deleted)).toEqual([true]);
		},
	},
	vectorStore: {
		example: 'vector-store.json',
		check(execution) {
			expect(outputOf(execution, 'Add the FAQ and Wait').map((item) => item.json.status)).toEqual(['completed']);
			const hits = outputOf(execution, 'Search the FAQ').map((item) => item.json);
			expect(hits[0]).toMatchObject({ filename: 'faq.txt', text: 'Gift cards cannot be returned.' });
		},
	},
	video: {
		example: 'video.json',
		async check(execution, readBinary) {
			const [generated] = outputOf(execution, 'Generate a Video');
			expect(generated.json).toMatchObject({ status: 'completed', size: '1280x720', seconds: '4' });
			const binary = generated.binary?.data;
			expect(binary).toMatchObject({ mimeType: 'video/mp4', id: expect.stringMatching(/^database:/) });
			const [read] = outputOf(execution, 'Read the Video Bytes');
			expect(Buffer.from(read.json.videoBase64 as string, 'base64').equals(await readBinary(binary!.id!))).toBe(true);
			expect(outputOf(execution, 'Wait for the Remix').map((item) => item.json.status)).toEqual(['completed']);
		},
	},
	moderation: {
		example: 'moderation.json',
		check(execution) {
			const [classification] = outputOf(execution, 'Classify the Text');
			expect(classification.json).toMatchObject({ flagged: true, model: 'omni-moderation-latest' });
		},
	},
};

function nodeResources(): string[] {
	const resource = new OpenAiRest().description.properties.find((property) => property.name === 'resource');
	return (resource?.options ?? []).map((option) => (option as { value: string }).value).sort();
}

// ---------------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------------

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('n8n queue mode: main + two workers on PostgreSQL and Redis', () => {
	let workDir: string;
	let main: Service | undefined;
	const workers: Service[] = [];
	let mainInstance: N8nInstance;
	let rest: N8nRestClient;
	let server: OpenAiServer;
	/** Answers every chat with 429 and Retry-After: 30, for the stop test. */
	let rateLimited: OpenAiServer;
	/** Limited like OpenAI, for the batch that both workers' governors share. */
	let limited: OpenAiServer;

	/** The credential the examples refer to, imported under the same id and name. */
	const credential = (() => {
		const workflow = fromExample(Object.values(RESOURCE_CASES)[0].example, 'probe');
		return workflow.nodes.find((node) => node.type === NODE_TYPE)!.credentials![CREDENTIAL_TYPE];
	})();
	const rateLimitedCredential = { id: 'queueRateLimited1', name: 'OpenAI REST rate limited' };
	const limitedCredential = { id: 'queueLimited1', name: 'OpenAI REST limited' };
	const resourceWorkflows = Object.entries(RESOURCE_CASES).map(([resource, entry]) => fromExample(entry.example, `res${resource}`));
	const batchWorkflow = chatWorkflow('batch', credential, 'lastNode');
	const stopWorkflow = chatWorkflow('stopme', rateLimitedCredential, 'onReceived');
	const limitedWorkflow = chatWorkflow('limited', limitedCredential, 'lastNode');
	const allWorkflows = [...resourceWorkflows, batchWorkflow, stopWorkflow, limitedWorkflow];

	const webhookUrl = (workflow: Workflow) => `${mainInstance.url}/webhook/queue-${workflow.id}`;
	/** The last lines of main and of each worker, for failure messages. */
	const recentLogs = () =>
		[main, ...workers]
			.filter((service): service is Service => service !== undefined)
			.map((service) => `--- ${service.name} ---\n${service.lines.slice(-30).map((line) => line.text).join('\n')}`)
			.join('\n');

	const callWebhook = async (workflow: Workflow, body: object = {}) => {
		try {
			const response = await fetch(webhookUrl(workflow), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
				signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
			});
			return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined };
		} catch (error) {
			throw new Error(`POST ${webhookUrl(workflow)} failed: ${(error as Error).message}\n${recentLogs()}`);
		}
	};

	/** Which worker logged "Worker started execution <id>", by index; -1 when none did. */
	const workerThatRan = (executionId: string) =>
		workers.findIndex((worker) => worker.lines.some((line) => line.text.includes(`Worker started execution ${executionId} `)));

	const readExecution = async (id: string): Promise<Execution> => {
		const execution = await rest.data<{ id: string; status: string; workflowId: string; data: string }>('GET', `/rest/executions/${id}`);
		const data = flatted().parse(execution.data) as { resultData: { runData: Execution['runData']; error?: Execution['error'] } };
		return { id: execution.id, status: execution.status, workflowId: execution.workflowId, runData: data.resultData.runData, error: data.resultData.error };
	};

	const executionsOf = async (workflow: Workflow): Promise<Array<{ id: string; status: string }>> => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: workflow.id }));
		const list = await rest.data<{ results: Array<{ id: string; status: string }> }>('GET', `/rest/executions?filter=${filter}&limit=100`);
		return list.results;
	};

	const readBinary = async (id: string): Promise<Buffer> => {
		const response = await rest.bytes(`/rest/binary-data?id=${encodeURIComponent(id)}&action=download`);
		expect(response.status).toBe(200);
		return response.body;
	};

	/** Main registers published webhooks after it reports ready; a GET tells a registered POST webhook apart. */
	const webhookRegistered = async (workflow: Workflow) => {
		const response = await fetch(webhookUrl(workflow)).catch(() => undefined);
		const text = (await response?.text()) ?? '';
		return /Did you mean to make a POST request/i.test(text);
	};

	beforeAll(async () => {
		ensureRedisServer();
		workDir = makeWorkDir('queue-');
		server = await startOpenAiServer({ apiKey: API_KEY });
		rateLimited = await startOpenAiServer({ apiKey: API_KEY });
		rateLimited.failAlways('/chat/completions', { status: 429, headers: { 'retry-after': String(RETRY_AFTER_S) } });
		limited = await startOpenAiServer({ apiKey: API_KEY, responseDelayMs: 100, rateLimit: LIMIT });

		const [postgres, redis] = await Promise.all([startPostgres(path.join(workDir, 'postgres')), startRedis(path.join(workDir, 'redis'))]);
		const shared = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_DATABASE: postgres.database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		};
		const encryptionKey = randomBytes(24).toString('hex');
		mainInstance = await N8nInstance.create('main', { encryptionKey, env: shared, logLevel: 'info' });
		const workerInstances = await Promise.all(
			Array.from({ length: WORKERS }, async (_, index) => {
				const healthPort = await runtimeTools.freePort();
				const instance = await N8nInstance.create(`worker${index + 1}`, {
					encryptionKey,
					logLevel: 'info',
					env: {
						...shared,
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(healthPort),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					},
				});
				return { instance, healthPort };
			}),
		);

		// The CLI creates the schema, then imports and publishes (one workflow per call) before main starts.
		await mainInstance.importCredentials([
			{ ...credential, type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, baseUrl: server.baseUrl() } },
			{ ...rateLimitedCredential, type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, baseUrl: rateLimited.baseUrl() } },
			{ ...limitedCredential, type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, baseUrl: limited.baseUrl() } },
		]);
		await mainInstance.importWorkflows(allWorkflows);
		for (const workflow of allWorkflows) await mainInstance.runCliOrThrow(['publish:workflow', `--id=${workflow.id}`]);

		const [mainCommand, mainArgs] = mainInstance.command(['start']);
		main = startProcess('n8n main', mainCommand, mainArgs, { cwd: mainInstance.userFolder, env: mainInstance.env });
		for (const [index, { instance }] of workerInstances.entries()) {
			const [command, args] = instance.command(['worker', `--concurrency=${WORKER_CONCURRENCY}`]);
			const worker = startProcess(`n8n worker ${index + 1}`, command, args, { cwd: instance.userFolder, env: instance.env });
			workers.push(worker);
		}
		const ready = async (url: string) => (await fetch(url).catch(() => undefined))?.ok === true;
		await waitFor(main, 'readiness', () => ready(`${mainInstance.url}/healthz/readiness`), 180_000);
		await Promise.all(
			workers.map((worker, index) =>
				waitFor(worker, 'readiness', () => ready(`http://127.0.0.1:${workerInstances[index].healthPort}/healthz/readiness`), 180_000),
			),
		);
		for (const workflow of allWorkflows) await waitFor(main, `webhook of ${workflow.id}`, () => webhookRegistered(workflow), 60_000);

		rest = new N8nRestClient(mainInstance.url);
		await rest.setUpOwnerAndLogin();
	}, 480_000);

	afterAll(async () => {
		// Everything this suite started ends here, whether it passed or not.
		await stopAllStarted();
		await server?.close();
		await rateLimited?.close();
		await limited?.close();
		if (workDir && process.env.E2E_KEEP !== '1') fs.rmSync(workDir, { recursive: true, force: true });
	}, 60_000);

	it('has one workflow for every resource of the node', () => {
		expect(Object.keys(RESOURCE_CASES).sort()).toEqual(nodeResources());
	});

	it('main lists the node, and no worker failed to load it', async () => {
		const types = (await rest.request<Array<{ name: string }>>('GET', '/types/nodes.json')).body;
		expect(types.some((type) => type.name === NODE_TYPE)).toBe(true);
		// A worker that could not load the node would fail every execution below with "Unrecognized node type".
		for (const worker of workers) expect(worker.output()).not.toMatch(/Unrecognized node type|could not be loaded/i);
	});

	it.each(Object.entries(RESOURCE_CASES))('%s: the example runs on a worker with the right output', async (resource, entry) => {
		const workflow = resourceWorkflows.find((candidate) => candidate.id === `res${resource}`)!;
		const response = await callWebhook(workflow);
		expect(response.status).toBe(200);
		const summaries = await executionsOf(workflow);
		expect(summaries).toHaveLength(1);
		const execution = await readExecution(summaries[0].id);
		expect({ status: execution.status, error: execution.error?.message }).toEqual({ status: 'success', error: undefined });
		expect(workerThatRan(execution.id)).toBeGreaterThanOrEqual(0);
		await entry.check(execution, readBinary);
	});

	it(`spreads a batch of ${BATCH_SIZE} webhook calls over both workers, each answered right`, async () => {
		server.failAlways((request) => String((request.body as { messages?: Array<{ content?: unknown }> })?.messages?.[0]?.content).startsWith('batch '), {
			hangMs: BATCH_ANSWER_MS,
		});
		const questions = Array.from({ length: BATCH_SIZE }, (_, index) => `batch question ${index + 1}`);
		const responses = await Promise.all(questions.map((question) => callWebhook(batchWorkflow, { question })));
		expect(responses.map((response) => [response.status, response.body?.content])).toEqual(
			questions.map((question) => [200, `Echo: ${question}`]),
		);

		const summaries = await executionsOf(batchWorkflow);
		expect(summaries).toHaveLength(BATCH_SIZE);
		const ranOn = new Map<string, number>();
		const answers: string[] = [];
		for (const { id } of summaries) {
			const execution = await readExecution(id);
			expect(execution.status).toBe('success');
			const question = (outputOf(execution, TRIGGER)[0].json.body as { question: string }).question;
			expect(outputOf(execution, 'Ask').map((item) => item.json.content)).toEqual([`Echo: ${question}`]);
			answers.push(question);
			ranOn.set(id, workerThatRan(id));
		}
		expect(answers.sort()).toEqual([...questions].sort());
		expect([...ranOn.values()].filter((worker) => worker < 0)).toEqual([]);
		const perWorker = workers.map((_, index) => [...ranOn.values()].filter((worker) => worker === index).length);
		process.stderr.write(`[queue] batch executions per worker: ${perWorker.join(', ')}\n`);
		expect(perWorker.every((count) => count > 0)).toBe(true);
	});

	it(`a batch of ${LIMITED_BATCH} webhook calls on both workers against one rate-limited server: no item lost`, async () => {
		limited.reset();
		const questions = Array.from({ length: LIMITED_BATCH }, (_, index) => `limited question ${index + 1}`);
		const responses = await Promise.all(questions.map((question) => callWebhook(limitedWorkflow, { question })));
		expect(responses.map((response) => [response.status, response.body?.content])).toEqual(
			questions.map((question) => [200, `Echo: ${question}`]),
		);
		const summaries = await executionsOf(limitedWorkflow);
		expect(summaries.map((summary) => summary.status)).toEqual(Array(LIMITED_BATCH).fill('success'));
		const perWorker = workers.map((_, index) => summaries.filter(({ id }) => workerThatRan(id) === index).length);
		const stats = limited.rateLimitStats()!;
		process.stderr.write(`[queue] rate-limited batch: executions per worker ${perWorker.join(', ')}; ${stats.allowed} answered, ${stats.refused} refused with 429\n`);
		// Each worker has its own governor; both take part, and every request got through in the end.
		expect(perWorker.every((count) => count > 0)).toBe(true);
		expect(stats.allowed).toBe(LIMITED_BATCH);
	}, 120_000);

	it(`stops a request waiting out Retry-After: ${RETRY_AFTER_S} through main; the worker ends it within 3 s, sending nothing more`, async () => {
		const response = await callWebhook(stopWorkflow, { question: 'please wait' });
		expect(response.status).toBe(200);
		await waitFor(main!, 'the rate-limited request', () => rateLimited.requests[0]?.answered === true, 30_000);
		const answeredAt = Date.now();
		const [summary] = await executionsOf(stopWorkflow);
		const worker = workers[workerThatRan(summary.id)];
		expect(worker).toBeDefined();
		// The node is now waiting out its back-off on the worker.
		await pause(500);

		const stoppedAt = Date.now();
		const stopped = await rest.data<{ status: string }>('POST', `/rest/executions/${summary.id}/stop`);
		expect(stopped.status).toBe('canceled');
		const ended = new RegExp(`Worker (finished|errored while running) execution ${summary.id} `);
		await waitFor(worker, `the end of execution ${summary.id}`, () => worker.lines.some((line) => ended.test(line.text)), 10_000);
		const endedAt = worker.lines.find((line) => ended.test(line.text))!.at;
		process.stderr.write(`[queue] the worker ended the stopped execution ${endedAt - stoppedAt} ms after the stop\n`);
		expect(endedAt - stoppedAt).toBeLessThanOrEqual(STOP_LIMIT_MS);
		expect((await readExecution(summary.id)).status).toBe('canceled');

		// A retry would come RETRY_AFTER_S after the 429; wait past that and make sure none came.
		await pause(Math.max(0, answeredAt + (RETRY_AFTER_S + 2) * 1000 - Date.now()));
		expect(rateLimited.requests).toHaveLength(1);
	}, 90_000);
});
