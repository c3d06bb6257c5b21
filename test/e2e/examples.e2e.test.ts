/**
 * Every workflow in examples/ imported into a real n8n with `n8n import:workflow` and run with
 * `n8n execute --id`, against the local OpenAI-compatible server. Also proves the node's output is
 * usable downstream: a chat answer read by a Set node, a generated image read as bytes by Extract from File.
 */
import fs from 'fs';
import path from 'path';

import { DEFAULT_MODELS, type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { sha256 } from '../support/multipart';
import { resultPng, speechAudio } from '../support/openai-server-binary';
import { TEST_PNG } from '../support/png';
import { videoContent } from '../support/openai-server-videos';
import { type ExecutionResult, N8nInstance, nodeOutput } from './support/n8n';

const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');
const NODE_TYPE = 'n8n-nodes-openai-rest.openAiRest';
const CREDENTIAL_TYPE = 'openAiRestApi';
const API_KEY = 'fake-e2e-examples-key';

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

interface ExampleWorkflow {
	name: string;
	nodes: WorkflowNode[];
	connections: object;
}

interface Example {
	file: string;
	/** Id given to the workflow on import, so `n8n execute --id` can find it. */
	id: string;
	workflow: ExampleWorkflow;
}

function loadExamples(): Example[] {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => ({
			file,
			id: `ex${path.basename(file, '.json').replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 16),
			workflow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow,
		}));
}

const examples = loadExamples();

function ourNodes(workflow: ExampleWorkflow): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === NODE_TYPE);
}

function exampleFile(file: string): Example {
	const example = examples.find((candidate) => candidate.file === file);
	if (!example) throw new Error(`examples/${file} is missing`);
	return example;
}

/** The one credential every example refers to; the suite imports it under the same id and name. */
function exampleCredential(): { id: string; name: string } {
	const references = examples.flatMap((example) => ourNodes(example.workflow).map((node) => node.credentials?.[CREDENTIAL_TYPE]));
	const [first] = references;
	if (!first) throw new Error('No example uses the OpenAI REST credential');
	return first;
}

describe('example workflows in a real n8n (import + execute)', () => {
	let server: OpenAiServer;
	let n8n: N8nInstance;

	beforeAll(async () => {
		server = await startOpenAiServer({ apiKey: API_KEY });
		n8n = await N8nInstance.create('examples');
		await n8n.importCredentials([
			{ ...exampleCredential(), type: CREDENTIAL_TYPE, data: { apiKey: API_KEY, baseUrl: server.baseUrl() } },
		]);
		await n8n.importWorkflows(examples.map((example) => ({ ...example.workflow, id: example.id })));
	});

	afterAll(async () => {
		await server?.close();
	});

	beforeEach(() => server.reset());

	/** Runs an example and expects it to succeed. */
	const run = async (file: string): Promise<ExecutionResult> => {
		const { exitCode, signal, run: execution } = await n8n.execute(exampleFile(file).id);
		// On a loaded machine n8n's CLI is now and then ended by a signal while it shuts down, after it
		// printed the run: the run's own status decides then.
		const ended = exitCode === null && signal ? 0 : exitCode;
		expect({ exitCode: ended, status: execution.status, error: execution.data.resultData.error }).toEqual({
			exitCode: 0,
			status: 'success',
			error: undefined,
		});
		return execution;
	};

	const requestsSeen = () => server.requests.map((request) => `${request.method} ${request.path}`);

	describe('the files', () => {
		it('cover every resource of the node', () => {
			const resources = examples.flatMap((example) => ourNodes(example.workflow).map((node) => node.parameters.resource));
			expect([...new Set(resources)].sort()).toEqual(['audio', 'batch', 'chat', 'conversation', 'edit', 'embedding', 'file', 'image', 'model', 'moderation', 'response', 'text', 'vectorStore', 'video']);
		});

		it('all refer to one credential, by id and name', () => {
			const credential = exampleCredential();
			for (const example of examples) {
				for (const node of ourNodes(example.workflow)) {
					expect({ file: example.file, credentials: node.credentials }).toEqual({
						file: example.file,
						credentials: { [CREDENTIAL_TYPE]: credential },
					});
				}
			}
		});
	});

	it('chat: the answer reaches the following Set node', async () => {
		const result = await run('chat-completion.json');
		const [answer] = nodeOutput(result, 'Ask the Model');
		expect(answer.json).toMatchObject({ role: 'assistant', content: 'Echo: What is n8n?', finish_reason: 'stop' });
		const usage = answer.json.usage as { total_tokens: number };
		expect(usage.total_tokens).toBeGreaterThan(0);

		expect(nodeOutput(result, 'Use the Answer').map((item) => item.json)).toEqual([
			{ answer: 'Echo: What is n8n?', tokensUsed: usage.total_tokens },
		]);
		expect(requestsSeen()).toEqual(['POST /chat/completions']);
		expect(server.requests[0].body).toMatchObject({
			model: 'gpt-4o-mini',
			temperature: 0.2,
			messages: [
				{ role: 'system', content: 'You answer in one short sentence.' },
				{ role: 'user', content: 'What is n8n?' },
			],
		});
	});

	it('text: completes the prompt', async () => {
		const result = await run('text-completion.json');
		expect(nodeOutput(result, 'Complete the Text').map((item) => item.json)).toEqual([
			expect.objectContaining({ text: ' Echo: Say this is a test', finish_reason: 'stop' }),
		]);
		expect(requestsSeen()).toEqual(['POST /completions']);
		expect(server.requests[0].body).toMatchObject({
			model: 'gpt-3.5-turbo-instruct',
			prompt: 'Say this is a test',
			max_tokens: 16,
		});
	});

	it('edit: returns the edited text', async () => {
		const result = await run('edit.json');
		expect(nodeOutput(result, 'Fix the Spelling').map((item) => item.json.text)).toEqual([
			'Edited: What day of the wek is it? (Fix the spelling mistakes)',
		]);
		expect(requestsSeen()).toEqual(['POST /edits']);
	});

	it('image: the generated image becomes binary data whose bytes the next node reads', async () => {
		const result = await run('image-generation.json');
		const [image] = nodeOutput(result, 'Generate an Image');
		expect(image.binary?.data).toMatchObject({ mimeType: 'image/png', fileName: expect.stringMatching(/\.png$/) });

		const [read] = nodeOutput(result, 'Read the Image Bytes');
		const bytes = Buffer.from(read.json.imageBase64 as string, 'base64');
		expect(bytes.equals(TEST_PNG)).toBe(true);

		expect(requestsSeen()).toEqual(['POST /images/generations']);
		expect(server.requests[0].body).toMatchObject({
			model: 'gpt-image-1',
			prompt: 'A cute baby sea otter wearing a beret',
			size: '1024x1024',
			quality: 'low',
		});
	});

	it('model: lists every model and gets one', async () => {
		const result = await run('models.json');
		expect(nodeOutput(result, 'List Models').map((item) => item.json.id)).toEqual(DEFAULT_MODELS.map((model) => model.id));
		expect(nodeOutput(result, 'Get a Model').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'gpt-4o-mini', object: 'model', owned_by: 'system' }),
		]);
		expect(requestsSeen().sort()).toEqual(['GET /models', 'GET /models/gpt-4o-mini']);
	});

	it('moderation: flags the threatening text', async () => {
		const result = await run('moderation.json');
		const [classification] = nodeOutput(result, 'Classify the Text');
		expect(classification.json).toMatchObject({
			flagged: true,
			model: 'omni-moderation-latest',
			categories: expect.objectContaining({ violence: true, sexual: false }),
		});
		expect(requestsSeen()).toEqual(['POST /moderations']);
	});

	it('response: the follow-up continues the first response through previous_response_id', async () => {
		const result = await run('response.json');
		const [first] = nodeOutput(result, 'Ask the Model');
		expect(first.json).toMatchObject({ status: 'completed', output_text: 'Echo: Name one open-source workflow automation tool.' });
		const [followUp] = nodeOutput(result, 'Ask a Follow-up');
		expect(followUp.json).toMatchObject({ status: 'completed', output_text: 'Echo: And what does it cost?' });
		expect(requestsSeen()).toEqual(['POST /responses', 'POST /responses']);
		expect(server.requests[0].body).toMatchObject({ instructions: 'Answer in one short sentence.', temperature: 0.2, store: true });
		expect(server.requests[1].body).toMatchObject({ previous_response_id: first.json.id, input: 'And what does it cost?' });
	});

	it('embedding: one item of 256 floats per text, sent as base64', async () => {
		const result = await run('embedding.json');
		const rows = nodeOutput(result, 'Embed the Texts').map((item) => item.json);
		expect(rows.map((row) => [row.index, (row.embedding as number[]).length, typeof (row.embedding as number[])[0]])).toEqual([
			[0, 256, 'number'],
			[1, 256, 'number'],
		]);
		expect(requestsSeen()).toEqual(['POST /embeddings']);
		expect(server.requests[0].body).toMatchObject({ encoding_format: 'base64', dimensions: 256 });
	});

	it('audio: speaks a text, and transcribes and translates the same bytes', async () => {
		const text = 'Your order has shipped and arrives tomorrow.';
		const result = await run('audio.json');
		const [speech] = nodeOutput(result, 'Speak the Text');
		expect(speech.binary?.data).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'your-order-has-shipped-and-arrives-tomorrow.mp3' });

		const [transcript] = nodeOutput(result, 'Transcribe the Audio');
		expect(transcript.json).toMatchObject({ text, language: 'en', duration: 2.5, words: expect.any(Array) });
		const [subtitles] = nodeOutput(result, 'Translate the Audio');
		expect(subtitles.json.text).toBe(`1\n00:00:00,000 --> 00:00:02,500\n${text}\n\n`);

		expect(requestsSeen().sort()).toEqual(['POST /audio/speech', 'POST /audio/transcriptions', 'POST /audio/translations']);
		const spoken = sha256(speechAudio(text, 'mp3'));
		for (const upload of server.requests.filter((request) => request.form)) {
			expect(upload.form?.file).toMatchObject({ fileName: 'your-order-has-shipped-and-arrives-tomorrow.mp3', contentType: 'audio/mpeg', sha256: spoken });
		}
	});

	it('image edit: edits the generated image and varies the edit, passing the bytes along', async () => {
		const result = await run('image-edit.json');
		expect(nodeOutput(result, 'Make a Variation').map((item) => item.binary?.data.mimeType)).toEqual(['image/png', 'image/png']);

		expect(requestsSeen()).toEqual(['POST /images/generations', 'POST /images/edits', 'POST /images/variations']);
		const [, edit, variation] = server.requests;
		expect(edit.form).toMatchObject({
			image: { fileName: 'a-product-photo-of-a-plain-white-mug-1.png', contentType: 'image/png', sha256: sha256(TEST_PNG) },
			prompt: 'Put an n8n logo on the mug',
			input_fidelity: 'high',
		});
		expect(variation.form).toMatchObject({
			image: { fileName: 'put-an-n8n-logo-on-the-mug-1.png', sha256: sha256(resultPng('1024x1024', [0, 160, 0])) },
			model: 'dall-e-2',
			n: '2',
			size: '256x256',
		});
	});

	it('files: uploads a JSONL file made in the workflow, lists, downloads and deletes it', async () => {
		const jsonl = '{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"}]}\n';
		const result = await run('files.json');
		expect(nodeOutput(result, 'Upload the File').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'file-000001', filename: 'train.jsonl', purpose: 'fine-tune', bytes: Buffer.byteLength(jsonl) }),
		]);
		expect(nodeOutput(result, 'List Fine-Tune Files').map((item) => item.json.id)).toEqual(['file-000001']);
		const [download] = nodeOutput(result, 'Download the File');
		expect(download.binary?.data).toMatchObject({ fileName: 'train.jsonl', mimeType: 'application/jsonl' });
		expect(nodeOutput(result, 'Delete the File').map((item) => item.json)).toEqual([{ id: 'file-000001', object: 'file', deleted: true }]);

		expect(requestsSeen()).toEqual(['POST /files', 'GET /files', 'GET /files/file-000001', 'GET /files/file-000001/content', 'DELETE /files/file-000001']);
		expect(server.requests[0].form).toEqual({
			file: { fileName: 'train.jsonl', contentType: expect.stringMatching(/^(application\/jsonl|text\/plain)/), bytes: Buffer.byteLength(jsonl), sha256: sha256(Buffer.from(jsonl)) },
			purpose: 'fine-tune',
		});
		expect(server.files.files.size).toBe(0);
	});

	it('batch: items become one batch, whose results return in the items\' order to the next node', async () => {
		const result = await run('batch.json');
		const [batch] = nodeOutput(result, 'Create a Batch from the Items');
		expect(batch.json).toMatchObject({ id: 'batch_000001', status: 'validating', endpoint: '/v1/chat/completions', custom_ids: ['q-paris', 'q-rome', 'q-oslo'], metadata: { job: 'n8n batch example' } });
		expect(nodeOutput(result, 'Wait for Completion').map((item) => item.json.status)).toEqual(['completed']);
		expect(nodeOutput(result, 'Use the Answers').map((item) => item.json)).toEqual([
			{ questionId: 'q-paris', answer: 'Echo: What is the capital of France?' },
			{ questionId: 'q-rome', answer: 'Echo: What is the capital of Italy?' },
			{ questionId: 'q-oslo', answer: 'Echo: What is the capital of Norway?' },
		]);
		const upload = server.requests.find((request) => request.path === '/files' && request.method === 'POST');
		expect(upload?.form?.purpose).toBe('batch');
		const lines = (upload?.parts?.find((part) => part.name === 'file')?.data.toString('utf8') ?? '').trim().split('\n').map((line) => JSON.parse(line));
		expect(lines[0]).toEqual({
			custom_id: 'q-paris',
			method: 'POST',
			url: '/v1/chat/completions',
			body: { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Answer in one short sentence.' }, { role: 'user', content: 'What is the capital of France?' }] },
		});
		expect(requestsSeen().filter((request) => !request.startsWith('GET /batches/'))).toEqual([
			'POST /files',
			'POST /batches',
			'GET /files/file-000001/content',
			'GET /files/file-000002/content',
		]);
	});

	it('conversation: two responses continue a conversation, which is tagged, read back and deleted', async () => {
		const result = await run('conversation.json');
		const [conversation] = nodeOutput(result, 'Start a Conversation');
		expect(conversation.json).toMatchObject({ id: 'conv_000001', object: 'conversation', metadata: { topic: 'automation' } });
		expect(nodeOutput(result, 'Ask in the Conversation')[0].json).toMatchObject({ status: 'completed', output_text: 'Echo: Name one open-source workflow automation tool.' });
		expect(nodeOutput(result, 'Ask a Follow-up')[0].json).toMatchObject({ status: 'completed', output_text: 'Echo: And what does it cost?' });
		expect(nodeOutput(result, 'Mark It Answered')[0].json).toMatchObject({ metadata: { topic: 'automation', status: 'answered' } });
		expect(nodeOutput(result, 'Read the Conversation').map((item) => [item.json.role, item.json.text])).toEqual([
			['developer', 'Answer in one short sentence.'],
			['user', 'Name one open-source workflow automation tool.'],
			['assistant', 'Echo: Name one open-source workflow automation tool.'],
			['user', 'And what does it cost?'],
			['assistant', 'Echo: And what does it cost?'],
		]);
		expect(nodeOutput(result, 'Delete the Conversation').map((item) => item.json)).toEqual([{ id: 'conv_000001', object: 'conversation.deleted', deleted: true }]);
		expect(requestsSeen()).toEqual([
			'POST /conversations',
			'POST /responses',
			'POST /responses',
			'POST /conversations/conv_000001',
			'GET /conversations/conv_000001/items?order=asc&limit=100',
			'DELETE /conversations/conv_000001',
		]);
		// The first response got the whole output of Create as its Conversation ID.
		expect(server.requests[1].body).toMatchObject({ conversation: 'conv_000001', input: 'Name one open-source workflow automation tool.' });
		expect(server.conversations.conversations.size).toBe(0);
	});

	it('image analysis: a PNG made in the workflow reaches a Response and a Chat node byte for byte', async () => {
		const result = await run('image-analysis.json');
		const seen = `[image/png 4x3, ${TEST_PNG.length} bytes]`;
		expect(nodeOutput(result, 'Describe with a Response')[0].json).toMatchObject({ output_text: `Echo: What colour is this image? ${seen}` });
		expect(nodeOutput(result, 'Describe with Chat')[0].json).toMatchObject({ content: `Echo: Describe this image in one word. ${seen}` });
		expect(requestsSeen().sort()).toEqual(['POST /chat/completions', 'POST /responses']);
		const dataUrl = `data:image/png;base64,${TEST_PNG.toString('base64')}`;
		const response = server.requests.find((request) => request.path === '/responses')!;
		expect(response.body).toMatchObject({
			input: [{ role: 'user', content: [{ type: 'input_text', text: 'What colour is this image?' }, { type: 'input_image', image_url: dataUrl, detail: 'low' }] }],
		});
		const chat = server.requests.find((request) => request.path === '/chat/completions')!;
		expect(chat.body).toMatchObject({
			messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this image in one word.' }, { type: 'image_url', image_url: { url: dataUrl, detail: 'low' } }] }],
		});
	});

	it('vector store: uploads a text file made in the workflow, adds it as a batch that is polled, and searches it', async () => {
		const result = await run('vector-store.json');
		expect(nodeOutput(result, 'Create a Vector Store').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'vs_000001', name: 'Support FAQ', expires_after: { anchor: 'last_active_at', days: 1 } }),
		]);
		expect(nodeOutput(result, 'Add the FAQ and Wait').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'vsfb_000002', status: 'completed', file_counts: expect.objectContaining({ completed: 1, total: 1 }) }),
		]);
		expect(nodeOutput(result, 'Search the FAQ').map((item) => item.json)).toEqual([
			{ score: 0.8, file_id: 'file-000001', filename: 'faq.txt', text: 'Gift cards cannot be returned.', attributes: { topic: 'customer service' } },
			expect.objectContaining({ score: 0.6, filename: 'faq.txt', text: expect.stringContaining('return policy') }),
		]);
		expect(requestsSeen()).toEqual([
			'POST /files',
			'POST /vector_stores',
			'POST /vector_stores/vs_000001/file_batches',
			'GET /vector_stores/vs_000001/file_batches/vsfb_000002',
			'GET /vector_stores/vs_000001/file_batches/vsfb_000002',
			'POST /vector_stores/vs_000001/search',
		]);
		expect(server.requests[2].body).toEqual({ file_ids: ['file-000001'], attributes: { topic: 'customer service' } });
	});

	it('video: generates, waits, downloads the MP4 and the thumbnail as binary data, and remixes it', async () => {
		const result = await run('video.json');
		const [generated] = nodeOutput(result, 'Generate a Video');
		expect(generated.json).toMatchObject({ id: 'video_000001', status: 'completed', size: '1280x720', seconds: '4' });
		expect(generated.binary?.data).toMatchObject({ mimeType: 'video/mp4', fileName: 'video_000001.mp4' });
		const [read] = nodeOutput(result, 'Read the Video Bytes');
		expect(Buffer.from(read.json.videoBase64 as string, 'base64').equals(videoContent('video_000001', 'video', 4096))).toBe(true);
		const [thumbnail] = nodeOutput(result, 'Download the Thumbnail');
		expect(thumbnail.binary?.thumbnail).toMatchObject({ mimeType: 'image/webp', fileName: 'video_000001-thumbnail.webp' });
		expect(nodeOutput(result, 'Wait for the Remix').map((item) => item.json)).toEqual([
			expect.objectContaining({ id: 'video_000002', status: 'completed', remixed_from_video_id: 'video_000001' }),
		]);
		expect(requestsSeen()).toEqual([
			'POST /videos',
			'GET /videos/video_000001',
			'GET /videos/video_000001',
			'GET /videos/video_000001/content',
			'GET /videos/video_000001',
			'GET /videos/video_000001/content',
			'POST /videos/video_000001/remix',
			'GET /videos/video_000002',
			'GET /videos/video_000002',
		]);
		expect(server.requests[0].body).toEqual({
			prompt: 'A paper boat drifting down a rainy street, cinematic, slow camera pan',
			model: 'sora-2',
			size: '1280x720',
			seconds: '4',
		});
	});

	it('fails the run with the API error when the key is rejected', async () => {
		// failAlways: after a 401 n8n core itself sends the request once more.
		server.failAlways('/chat/completions', { status: 401 });
		const { exitCode, run: execution } = await n8n.execute(exampleFile('chat-completion.json').id);
		expect(exitCode).not.toBe(0);
		expect(execution.status).toBe('error');
		expect(execution.data.resultData.lastNodeExecuted).toBe('Ask the Model');
		expect(execution.data.resultData.error).toMatchObject({
			name: 'NodeApiError',
			description: expect.stringMatching(/HTTP status: 401[\s\S]*Check the API key/),
		});
		expect(execution.data.resultData.runData['Use the Answer']).toBeUndefined();
		expect(new Set(requestsSeen())).toEqual(new Set(['POST /chat/completions']));
	});
});
