/**
 * Runs the parameter-coverage matrix through n8n's engine against the local OpenAI server, checks that
 * every parameter is covered, that routed values arrive in the body, and that every request the node
 * sends conforms to OpenAI's official spec.
 */
import type { INodeParameters, INodeProperties, NodeParameterValueType } from 'n8n-workflow';

import { optionsName } from '../../nodes/OpenAiRest/transport/parameters';
import { nodeType, runNode, type NodeRun } from '../support/engine';
import { type CapturedRequest, type OpenAiServer, startOpenAiServer } from '../support/openai-server';
import { batchLines, ConformanceTally, requireSpec, toValidate, validateRequest, type ValidationResult } from '../support/spec';
import { CoverageRecorder, parameterRequirements, type ParameterRequirement } from './coverage';
import { MATRIX, type MatrixCase } from './matrix';
import { BATCHED } from './matrix-batch';
import { isNodeApiRequest } from './node-endpoints';

const describeWithSpec = requireSpec('conformance suite test/conformance/parameters.test.ts') ? describe : describe.skip;

const API_PREFIX = '/v1';

/** Parameters whose routed body key the node rewrites on purpose, so the value is checked by the case. */
const REWRITTEN = new Set([
	'moderation:classify text', // becomes a text part of `input`
	'moderation:classify imageUrl', // becomes an image part of `input`
	'response:create responseInputJson', // becomes `input`
	'response:create responseOptions.webSearch', // these four become entries of `tools` or `tool_choice`
	'response:create responseOptions.fileSearch',
	'response:create responseOptions.codeInterpreter',
	'response:create responseOptions.toolChoiceFunction',
	'embedding:create embeddingInput', // an expression in some cases, resolved per item
	'audio:transcribe audioOptions.includeLogprobs', // becomes include[] = logprobs
	'audio:transcribe audioOptions.chunkingStrategy', // server_vad becomes an object
	'file:upload fileOptions.expiresAfter', // becomes the expires_after object
	'response:create responseOptions.binaryFields', // these three become parts of the prompt's message
	'response:create responseOptions.fileIds',
	'response:create responseOptions.imageDetail',
	'response:create responseOptions.conversation', // an earlier output becomes its ID
	'conversation:create conversationOptions.items', // messages get their type
	'conversation:addItems conversationItems',
	'vectorStore:create vectorStoreOptions.fileIds', // these two are split into file_ids
	'vectorStore:addFiles vectorStoreFileIds',
	'vectorStore:create vectorStoreOptions.expiresAfterDays', // these two become the expires_after object
	'vectorStore:update vectorStoreOptions.expiresAfterDays',
]);

/** Image downloads go to the URL the API returned, not to the API itself. */
function apiRequests(requests: CapturedRequest[]): CapturedRequest[] {
	return requests.filter((request) => request.fullPath.startsWith(`${API_PREFIX}/`));
}

/** A Batch case that runs an operation from the input items is checked as that operation. */
function asSynchronous(parameters: INodeParameters): INodeParameters | undefined {
	const batched = parameters.resource === 'batch' ? BATCHED[parameters.operation as string] : undefined;
	return batched && { ...parameters, ...batched };
}

/** The request lines of the batch input files among the requests, as the requests they stand for. */
function requestLines(requests: CapturedRequest[]): CapturedRequest[] {
	return requests.flatMap((request) =>
		batchLines(request).map((line) => {
			if (typeof line === 'string') throw new Error(line);
			const rawBody = String(line.body);
			return { method: line.method, path: line.path, fullPath: `${API_PREFIX}${line.path}`, headers: {}, rawBody, body: JSON.parse(rawBody), rawBytes: Buffer.from(rawBody), receivedAt: request.receivedAt };
		}),
	);
}

function valueAt(body: unknown, dottedPath: string): unknown {
	return dottedPath
		.split('.')
		.reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], body);
}

/** What the body carries for a parameter value: JSON parameters arrive parsed. */
function expectedBodyValue(property: INodeProperties, value: NodeParameterValueType): unknown {
	return property.type === 'json' && typeof value === 'string' ? JSON.parse(value) : value;
}

/** Multipart fields and query parameters arrive as text: numbers and booleans as their JSON text. */
function asText(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(asText);
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Where a routed value arrived: the query, the multipart form or the JSON body; and what it should be there. */
function sentAndExpected(request: CapturedRequest, routed: { bodyKey: string; expected: unknown; inQuery: boolean }) {
	if (routed.inQuery) {
		const query = new URLSearchParams(request.fullPath.split('?')[1] ?? '');
		// An array goes as the spec's repeated form (include=a&include=b).
		const sent = Array.isArray(routed.expected) ? query.getAll(routed.bodyKey) : query.get(routed.bodyKey);
		return { sent, expected: asText(routed.expected) };
	}
	if (request.form) return { sent: valueAt(request.form, routed.bodyKey), expected: asText(routed.expected) };
	return { sent: valueAt(request.body, routed.bodyKey), expected: routed.expected };
}

/** Top-level and collection parameters the case sets, with their routed body key. */
function routedValues(
	parameters: INodeParameters,
	requirements: Map<string, ParameterRequirement>,
	rewrites: string[] = [],
): Array<{ label: string; bodyKey: string; expected: unknown; inQuery: boolean }> {
	const operation = `${parameters.resource as string}:${parameters.operation as string}`;
	const collection = optionsName(parameters.resource as string);
	const options = (parameters[collection] ?? {}) as INodeParameters;
	const entries = [
		...Object.entries(parameters).map(([name, value]) => [name, value] as const),
		...Object.entries(options).map(([name, value]) => [`${collection}.${name}`, value] as const),
	];
	return entries.flatMap(([path, value]) => {
		const requirement = requirements.get(`${operation} ${path}`);
		const send = requirement?.property.routing?.send;
		const inQuery = send?.type === 'query';
		const bodyKey = send?.type === 'body' || inQuery ? send.property : undefined;
		if (!requirement || !bodyKey || REWRITTEN.has(`${operation} ${path}`) || rewrites.includes(path)) return [];
		const expected = expectedBodyValue(requirement.property, value as NodeParameterValueType);
		return [{ label: path, bodyKey, expected, inQuery }];
	});
}

/**
 * The latest spec types image `size` as any string; the 2023 spec still has the strict DALL·E enums, so
 * DALL·E requests are checked against it as well.
 */
function stricterChecks(request: CapturedRequest): ValidationResult[] {
	const model = (request.body as { model?: unknown } | undefined)?.model;
	if (request.path !== '/images/generations' || typeof model !== 'string' || !model.startsWith('dall-e')) return [];
	const result = validateRequest({ method: request.method, path: request.path, body: request.rawBody, era: '2023' });
	return [{ ...result, endpoint: `${result.endpoint} (DALL·E, 2023 spec)` }];
}

function expectOutcome(matrixCase: MatrixCase, run: NodeRun): void {
	if (matrixCase.expectError) {
		expect(run.error?.message).toEqual(expect.stringContaining(matrixCase.expectError));
		return;
	}
	expect(run.error).toBeUndefined();
	expect(run.items.length).toBeGreaterThan(0);
}

describeWithSpec('parameter-coverage matrix against the official spec', () => {
	let server: OpenAiServer;
	const tally = new ConformanceTally();
	/** Query-routed parameters ('file:list fileOptions.order') whose value was compared with a request's query. */
	const queryChecked = new Set<string>();
	const requirements = parameterRequirements(nodeType.description);
	const requirementByPath = new Map(requirements.map((requirement) => [`${requirement.operation} ${requirement.path}`, requirement]));

	beforeAll(async () => {
		server = await startOpenAiServer();
	});

	afterAll(async () => {
		await server.close();
		process.stdout.write(`Conformance of the matrix requests:\n${tally.report()}\n`);
	});

	it.each(MATRIX.map((matrixCase) => [matrixCase.name, matrixCase] as const))('%s', async (_name, matrixCase) => {
		server.reset();
		await matrixCase.arrange?.(server);

		const run = await runNode(matrixCase.parameters, {
			credentials: { apiKey: 'sk-test-key', baseUrl: server.baseUrl() },
			input: matrixCase.input,
			binary: matrixCase.binary,
		});
		const requests = apiRequests(server.requests);
		// From the input items, the request lines carry the batched operation's routed values.
		const synchronous = asSynchronous(matrixCase.parameters);
		const lines = synchronous ? requestLines(requests) : [];
		const routedParameters = routedValues(synchronous ?? matrixCase.parameters, requirementByPath, matrixCase.rewrites);
		const operation = `${matrixCase.parameters.resource as string}:${matrixCase.parameters.operation as string}`;

		expectOutcome(matrixCase, run);
		for (const request of [...requests, ...lines]) {
			const results = [
				validateRequest(toValidate(request)),
				...stricterChecks(request),
			];
			for (const result of results) {
				tally.add(result);
				expect({ endpoint: result.endpoint, body: request.body, errors: result.errors }).toEqual({
					endpoint: result.endpoint,
					body: request.body,
					errors: [],
				});
			}
		}
		for (const request of synchronous ? lines : requests) {
			// Requests beyond the routed one (a Download's content, a job's polls) carry no parameters; pages do. A test's own request neither.
			// From the input items, every request line carries them.
			const first = requests.find(isNodeApiRequest);
			const sameAsFirst = first !== undefined && `${request.method} ${request.path}` === `${first.method} ${first.path}`;
			const routedRequest = synchronous !== undefined || sameAsFirst;
			if (request.path.endsWith('/content') || !routedRequest || (!synchronous && !isNodeApiRequest(request))) continue;
			for (const routed of routedParameters) {
				const { sent, expected } = sentAndExpected(request, routed);
				expect({ parameter: routed.label, sent }).toEqual({ parameter: routed.label, sent: expected });
				if (routed.inQuery) queryChecked.add(`${operation} ${routed.label}`);
			}
		}
		matrixCase.check?.(run, requests);
	});

	it('compared every query-routed parameter with the query of a request', () => {
		const queryRouted = requirements
			.filter((requirement) => requirement.property.routing?.send?.type === 'query')
			.map((requirement) => `${requirement.operation} ${requirement.path}`);
		expect(queryRouted).toEqual(
			expect.arrayContaining(['file:list fileLimit', 'file:list fileOptions.order', 'file:list fileOptions.purpose', 'response:listInputItems responseOptions.order']),
		);
		expect(queryRouted.filter((key) => !queryChecked.has(key))).toEqual([]);
	});

	it('covers every parameter, range end, option value and boolean of every operation', () => {
		const coverage = new CoverageRecorder(nodeType.description);
		for (const matrixCase of MATRIX) coverage.record(matrixCase.parameters);
		expect(coverage.missing(requirements)).toEqual([]);
	});

	it('sent only requests that conform to the spec', () => {
		const invalid = tally.invalid.map((result) => `${result.endpoint}: ${result.errors.join('; ')}`);
		expect(invalid).toEqual([]);
		expect(tally.report()).not.toBe('');
	});
});

describe('coverage derivation', () => {
	it('finds the parameters of every operation from the node description', () => {
		const paths = parameterRequirements(nodeType.description).map((r) => `${r.operation} ${r.path}`);
		expect(paths).toEqual(
			expect.arrayContaining([
				'chat:create messages.values.role',
				'chat:create messages.values.imageDetail',
				'chat:create chatOptions.temperature',
				'edit:create editsRetiredNotice',
				'image:generate imageOptions.size',
				'model:get modelId',
				'model:list modelOptions.maxRetries',
				'moderation:classify inputType',
			]),
		);
	});

	it('asks for both range ends, every option value and both booleans', () => {
		const requirements = parameterRequirements(nodeType.description);
		const find = (key: string) => requirements.find((r) => `${r.operation} ${r.path}` === key)?.values;
		expect(find('chat:create chatOptions.temperature')).toEqual([
			{ value: 0, reason: 'minValue' },
			{ value: 2, reason: 'maxValue' },
		]);
		expect(find('chat:create messages.values.imageDetail')?.map((entry) => entry.value)).toEqual(['auto', 'high', 'low']);
		expect(find('chat:create chatSimplify')?.map((entry) => entry.value)).toEqual([true, false]);
		expect(find('chat:create chatModel')).toEqual([]);
	});

	it('reports a parameter no case sets, and a range end never used', () => {
		const recorder = new CoverageRecorder(nodeType.description);
		recorder.record({ resource: 'edit', operation: 'create', instruction: 'x', editOptions: { temperature: 0 } });
		const missing = recorder.missing(parameterRequirements(nodeType.description));
		expect(missing).toEqual(
			expect.arrayContaining([
				'parameter editOptions.temperature of edit:create: maxValue 2 is never used',
				'parameter editOptions.topP of edit:create is never covered',
				'parameter chatOptions.temperature of chat:create is never covered',
			]),
		);
		expect(missing).not.toContain('parameter editsRetiredNotice of edit:create is never shown');
	});

	it('refuses a case that sets a parameter its operation hides', () => {
		const recorder = new CoverageRecorder(nodeType.description);
		expect(() =>
			recorder.record({ resource: 'chat', operation: 'create', messagesInput: 'json', messages: { values: [] } }),
		).toThrow('a case sets messages.values, which chat:create does not show with these parameters');
	});
});
