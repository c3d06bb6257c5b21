import { existsSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { load as parseYaml } from 'js-yaml';
import {
	batchLines,
	ConformanceTally,
	readExample,
	requestProperties,
	requireSpec,
	specDir,
	validateRequest,
	type ValidationResult,
} from './spec';

type SpecModule = typeof import('./spec');

// The fetch script is plain CommonJS without type declarations.
const { sanitizeNullable } = require('../../scripts/fetch-spec') as { sanitizeNullable: (node: unknown) => unknown };

const describeWithSpec = requireSpec('spec validator suite test/support/spec.test.ts') ? describe : describe.skip;

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello!' }] };

function errorsOf(result: ValidationResult): string {
	return result.errors.join('\n');
}

describeWithSpec('validateRequest against the official spec', () => {
	describe('POST /chat/completions', () => {
		it('accepts a minimal and a fuller valid request', () => {
			const minimal = validateRequest({ method: 'POST', path: '/chat/completions', body: chatBody });
			expect(minimal).toEqual({ valid: true, endpoint: 'POST /chat/completions', errors: [] });

			const fuller = validateRequest({
				method: 'POST',
				path: '/chat/completions',
				body: {
					...chatBody,
					messages: [{ role: 'system', content: 'Be brief.' }, ...chatBody.messages],
					temperature: 0.7,
					top_p: 1,
					n: 1,
					max_tokens: 256,
					presence_penalty: -0.5,
					frequency_penalty: 0.5,
					stop: ['\n'],
					user: 'user-123',
					response_format: { type: 'json_object' },
				},
			});
			expect(errorsOf(fuller)).toBe('');
		});

		it('accepts the body as JSON text too', () => {
			const result = validateRequest({ method: 'post', path: '/chat/completions', body: JSON.stringify(chatBody) });
			expect(result.valid).toBe(true);
		});

		it('rejects a number sent as a string', () => {
			const result = validateRequest({
				method: 'POST',
				path: '/chat/completions',
				body: { ...chatBody, temperature: '0.7' },
			});
			expect(result.valid).toBe(false);
			expect(result.errors).toContain('body/temperature: must be number');
		});

		it('rejects an out-of-range temperature', () => {
			const result = validateRequest({ method: 'POST', path: '/chat/completions', body: { ...chatBody, temperature: 3 } });
			expect(result.valid).toBe(false);
			expect(result.errors).toContain('body/temperature: must be <= 2');
		});

		it('rejects a misspelled parameter the spec alone would let through', () => {
			const result = validateRequest({ method: 'POST', path: '/chat/completions', body: { ...chatBody, max_token: 5 } });
			expect(result).toEqual({
				valid: false,
				endpoint: 'POST /chat/completions',
				errors: ['body/max_token: unknown property, not in the request schema of POST /chat/completions'],
			});
		});

		it('rejects a missing required field', () => {
			const result = validateRequest({ method: 'POST', path: '/chat/completions', body: { model: 'gpt-4o-mini' } });
			expect(result.valid).toBe(false);
			expect(errorsOf(result)).toContain("body: must have required property 'messages'");
		});

		it('checks `format: uri` on image URLs', () => {
			const withImage = (url: string) => ({
				...chatBody,
				messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }],
			});
			const body = withImage('https://example.com/otter.png');
			expect(validateRequest({ method: 'POST', path: '/chat/completions', body }).valid).toBe(true);

			const invalid = validateRequest({ method: 'POST', path: '/chat/completions', body: withImage('otter.png') });
			expect(invalid.errors).toContain('body/messages/0/content/0/image_url/url: must match format "uri"');
		});

		it('rejects a request without a body', () => {
			const result = validateRequest({ method: 'POST', path: '/chat/completions' });
			expect(result.errors).toEqual(['body: missing, the operation requires a JSON body']);
		});
	});

	describe('POST /completions', () => {
		it('accepts a valid request', () => {
			const result = validateRequest({
				method: 'POST',
				path: '/completions',
				body: { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test', max_tokens: 7, temperature: 0, echo: false },
			});
			expect(errorsOf(result)).toBe('');
		});

		it('rejects logprobs above the maximum and a missing prompt', () => {
			const result = validateRequest({
				method: 'POST',
				path: '/completions',
				body: { model: 'gpt-3.5-turbo-instruct', logprobs: 6 },
			});
			expect(result.errors).toEqual(
				expect.arrayContaining(['body/logprobs: must be <= 5', "body: must have required property 'prompt'"]),
			);
		});
	});

	describe('POST /images/generations', () => {
		const imageBody = { prompt: 'A cute baby sea otter', n: 1, size: '1024x1024', response_format: 'url' };

		it('accepts a valid request', () => {
			const result = validateRequest({ method: 'POST', path: '/images/generations', body: imageBody });
			expect(errorsOf(result)).toBe('');
		});

		it('rejects a value outside an enum, listing the allowed values', () => {
			const result = validateRequest({
				method: 'POST',
				path: '/images/generations',
				body: { ...imageBody, response_format: 'gif' },
			});
			expect(result.valid).toBe(false);
			expect(errorsOf(result)).toContain('body/response_format: must be equal to one of the allowed values ("url", "b64_json")');
		});

		it('rejects n above the maximum', () => {
			const result = validateRequest({ method: 'POST', path: '/images/generations', body: { ...imageBody, n: 11 } });
			expect(result.errors).toContain('body/n: must be <= 10');
		});

		it('follows the latest spec on size: any string passes there, only the 2023 spec has the strict enum', () => {
			const oddSize = { ...imageBody, size: '999x999' };
			expect(validateRequest({ method: 'POST', path: '/images/generations', body: oddSize }).valid).toBe(true);
			expect(validateRequest({ method: 'POST', path: '/images/generations', body: oddSize, era: '2023' }).valid).toBe(
				false,
			);
			const numericSize = { ...imageBody, size: 1024 };
			expect(validateRequest({ method: 'POST', path: '/images/generations', body: numericSize }).valid).toBe(false);
		});
	});

	describe('models', () => {
		it('accepts GET /models', () => {
			expect(validateRequest({ method: 'GET', path: '/models' })).toEqual({
				valid: true,
				endpoint: 'GET /models',
				errors: [],
			});
		});

		it('rejects a body or an undeclared query parameter on GET /models', () => {
			const withBody = validateRequest({ method: 'GET', path: '/models', body: { limit: 5 } });
			expect(withBody.errors).toContain('body: GET /models takes no request body');

			const withQuery = validateRequest({ method: 'GET', path: '/models', query: { limit: '5' } });
			expect(withQuery.valid).toBe(false);
			expect(errorsOf(withQuery)).toContain("query: must NOT have additional properties ('limit')");

			const withQueryInPath = validateRequest({ method: 'GET', path: '/models?after=gpt-4o' });
			expect(withQueryInPath.endpoint).toBe('GET /models');
			expect(errorsOf(withQueryInPath)).toContain("query: must NOT have additional properties ('after')");
		});

		it('reports GET /models/{id} under the spec path template', () => {
			const result = validateRequest({ method: 'GET', path: '/models/gpt-4o' });
			expect(result).toEqual({ valid: true, endpoint: 'GET /models/{model}', errors: [] });
		});
	});

	describe('POST /moderations', () => {
		it('accepts a string or an array of strings', () => {
			expect(validateRequest({ method: 'POST', path: '/moderations', body: { input: 'I love you' } }).valid).toBe(true);
			const batch = validateRequest({
				method: 'POST',
				path: '/moderations',
				body: { input: ['one', 'two'], model: 'omni-moderation-latest' },
			});
			expect(errorsOf(batch)).toBe('');
		});

		it('rejects a number as input and a missing input', () => {
			expect(validateRequest({ method: 'POST', path: '/moderations', body: { input: 42 } }).valid).toBe(false);
			const missing = validateRequest({ method: 'POST', path: '/moderations', body: { model: 'omni-moderation-latest' } });
			expect(missing.errors).toContain("body: must have required property 'input'");
		});
	});

	describe('POST /edits (2023 spec only)', () => {
		const editBody = { model: 'text-davinci-edit-001', input: 'What day of the wek is it?', instruction: 'Fix the spelling mistakes' };

		it('is validated against the 2023 spec', () => {
			expect(validateRequest({ method: 'POST', path: '/edits', body: editBody })).toEqual({
				valid: true,
				endpoint: 'POST /edits',
				errors: [],
			});
		});

		it('does not exist in the latest spec', () => {
			const result = validateRequest({ method: 'POST', path: '/edits', body: editBody, era: 'latest' });
			expect(result.valid).toBe(false);
			expect(errorsOf(result)).toContain('no operation POST /edits in the latest spec');
		});

		it('rejects a missing instruction, an out-of-range temperature and an unknown key', () => {
			const result = validateRequest({
				method: 'POST',
				path: '/edits',
				body: { model: 'text-davinci-edit-001', input: 'x', temperature: 2.5, instructions: 'typo' },
			});
			expect(result.errors).toEqual(
				expect.arrayContaining([
					"body: must have required property 'instruction'",
					'body/temperature: must be <= 2',
					'body/instructions: unknown property, not in the request schema of POST /edits',
				]),
			);
		});
	});

	it('rejects a path the spec does not have', () => {
		const result = validateRequest({ method: 'POST', path: '/v1/chat/completions', body: chatBody });
		expect(result).toEqual({
			valid: false,
			endpoint: 'POST /v1/chat/completions',
			errors: ['no operation POST /v1/chat/completions in the latest spec (paths have no /v1 prefix)'],
		});
	});
});

describeWithSpec('validateRequest: /responses input items', () => {
	const validate = (input: unknown) =>
		validateRequest({ method: 'POST', path: '/responses', body: { model: 'gpt-4o', input } });

	it('accepts a user message with content parts, as in OpenAI\'s image-input example', () => {
		const parts = [
			{ type: 'input_text', text: 'What is in this image?' },
			{ type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' },
			{ type: 'input_file', file_id: 'file-abc' },
		];
		expect(errorsOf(validate([{ role: 'user', content: parts }]))).toBe('');
		expect(errorsOf(validate([{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }]))).toBe('');
	});

	it('still rejects items that match no schema', () => {
		expect(validate([{ role: 'user', content: [{ type: 'input_image', image_url: 'https://example.com/a.png' }] }]).valid).toBe(false);
		expect(validate([{ role: 'robot', content: 'x' }]).valid).toBe(false);
		expect(validate([{ type: 'no_such_item' }]).valid).toBe(false);
	});
});

describeWithSpec('validateRequest: nested vector store filters', () => {
	const search = (filters: unknown) => validateRequest({ method: 'POST', path: '/vector_stores/vs_1/search', body: { query: 'x', filters } });

	it('accepts compound filters nested in compound filters', () => {
		const nested = { type: 'and', filters: [{ type: 'eq', key: 'a', value: 1 }, { type: 'or', filters: [{ type: 'in', key: 'b', value: ['x', 'y'] }] }] };
		expect(search(nested).errors).toEqual([]);
	});

	it('still refuses a nested comparison without a key, and an unknown compound type', () => {
		expect(search({ type: 'and', filters: [{ type: 'eq', value: 1 }] }).valid).toBe(false);
		expect(search({ type: 'xor', filters: [] }).valid).toBe(false);
	});
});

describeWithSpec('requestProperties', () => {
	it('resolves $ref and allOf composition', () => {
		const chat = requestProperties('POST', '/chat/completions');
		// `temperature` comes from a referenced allOf member, `messages` from the schema's own properties.
		expect(chat).toEqual(expect.arrayContaining(['model', 'messages', 'temperature', 'top_p', 'user']));
		expect(chat).not.toContain('max_token');
	});

	it('reads /edits from the 2023 spec and is empty for bodiless operations', () => {
		expect(requestProperties('POST', '/edits').sort()).toEqual(['input', 'instruction', 'model', 'n', 'temperature', 'top_p']);
		expect(requestProperties('GET', '/models')).toEqual([]);
		expect(requestProperties('GET', '/models/{model}')).toEqual([]);
	});

	it('throws for an endpoint the spec does not have', () => {
		expect(() => requestProperties('POST', '/nothing')).toThrow('no operation POST /nothing in the latest spec');
	});
});

describeWithSpec('readExample', () => {
	// `npm run spec:fetch` downloads no examples; the shared copy has them.
	const examplesPresent = existsSync(path.join(specDir() ?? '', 'examples', 'latest'));
	const itWithExamples = examplesPresent ? it : it.skip;

	itWithExamples('reads an official example response', () => {
		const example = readExample('latest', 'retrieveModel.json');
		expect(example).toBeDefined();
		expect(JSON.parse(example as string)).toHaveProperty('object', 'model');
	});

	it('returns undefined for a missing file', () => {
		expect(readExample('2023', 'no-such-example.json')).toBeUndefined();
	});
});

describe('ConformanceTally', () => {
	const result = (endpoint: string, valid: boolean): ValidationResult => ({
		valid,
		endpoint,
		errors: valid ? [] : ['body/temperature: must be <= 2'],
	});

	it('reports one line per endpoint in first-seen order and keeps the invalid results', () => {
		const tally = new ConformanceTally();
		const failing = result('POST /chat/completions', false);
		tally.add(result('POST /chat/completions', true));
		tally.add(result('GET /models', true));
		tally.add(failing);
		tally.add(result('POST /chat/completions', true));

		expect(tally.report()).toBe('POST /chat/completions: 2/3 valid\nGET /models: 1/1 valid');
		expect(tally.invalid).toEqual([failing]);
	});

	it('reports nothing before any result', () => {
		expect(new ConformanceTally().report()).toBe('');
	});
});

describe('sanitizeNullable (scripts/fetch-spec.js)', () => {
	const sample = `
Pet:
  type: object
  properties:
    tag:
      description: Optional tag.
      default: null
      nullable: true
      example: cat
      oneOf:
        - type: string
        - type: array
          items:
            $ref: '#/Tag'
            nullable: true
    age:
      type: integer
      nullable: true
    owner:
      anyOf:
        - type: string
      nullable: false
    born:
      example: 2024-10-01
`;

	it('wraps type-less nullable schemas in anyOf with null, at any depth, and leaves typed ones alone', () => {
		const input = parseYaml(sample);
		const before = structuredClone(input);

		expect(sanitizeNullable(input)).toEqual({
			Pet: {
				type: 'object',
				properties: {
					tag: {
						description: 'Optional tag.',
						default: null,
						anyOf: [
							{
								example: 'cat',
								oneOf: [
									{ type: 'string' },
									{ type: 'array', items: { anyOf: [{ $ref: '#/Tag' }, { type: 'null' }] } },
								],
							},
							{ type: 'null' },
						],
					},
					age: { type: 'integer', nullable: true },
					owner: { anyOf: [{ type: 'string' }] },
					born: { example: new Date('2024-10-01T00:00:00Z') },
				},
			},
		});
		expect(input).toEqual(before);
	});

	const dir = specDir();
	const rawLatest = dir && path.join(dir, 'openai-openapi-latest.yaml');
	const itWithRawSpec = rawLatest && existsSync(rawLatest) ? it : it.skip;

	itWithRawSpec('reproduces the sanitized latest spec from the raw file', () => {
		const readYaml = (file: string): unknown => parseYaml(readFileSync(path.join(dir as string, file), 'utf8'));
		const sanitized = sanitizeNullable(readYaml('openai-openapi-latest.yaml'));
		expect(isDeepStrictEqual(sanitized, readYaml('openai-openapi-latest.sanitized.yaml'))).toBe(true);
	});
});

describe('requireSpec without a spec', () => {
	const savedEnvironment = { OPENAI_SPEC_DIR: process.env.OPENAI_SPEC_DIR, CI: process.env.CI };
	let emptyDir: string;

	beforeEach(() => {
		emptyDir = mkdtempSync(path.join(tmpdir(), 'openai-spec-empty-'));
		process.env.OPENAI_SPEC_DIR = emptyDir;
	});

	afterEach(() => {
		for (const [name, value] of Object.entries(savedEnvironment)) {
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
		rmSync(emptyDir, { recursive: true, force: true });
		jest.restoreAllMocks();
	});

	function freshSpecModule(): SpecModule {
		let loaded: SpecModule | undefined;
		jest.isolateModules(() => {
			loaded = require('./spec') as SpecModule;
		});
		return loaded as SpecModule;
	}

	it('throws on CI, naming where it looked', () => {
		process.env.CI = 'true';
		const spec = freshSpecModule();
		expect(spec.specDir()).toBeUndefined();
		expect(() => spec.requireSpec('a suite')).toThrow(`spec not found (looked in ${emptyDir})`);
	});

	it('returns false and prints one line naming the skipped suite elsewhere', () => {
		delete process.env.CI;
		const written = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
		const spec = freshSpecModule();

		expect(spec.requireSpec('conformance suite A')).toBe(false);
		expect(spec.requireSpec('conformance suite A')).toBe(false);
		expect(spec.requireSpec('conformance suite B')).toBe(false);

		expect(written.mock.calls).toEqual([
			[`Skipped conformance suite A: spec not found (looked in ${emptyDir}) — run npm run spec:fetch\n`],
			[`Skipped conformance suite B: spec not found (looked in ${emptyDir}) — run npm run spec:fetch\n`],
		]);
		written.mockClear();
		expect(spec.readExample('latest', 'retrieveModel.json')).toBeUndefined();
		expect(written.mock.calls).toEqual([
			[`Skipped OpenAI's latest example retrieveModel.json: spec not found (looked in ${emptyDir}) — run npm run spec:fetch\n`],
		]);
	});

	it('refuses to validate', () => {
		delete process.env.CI;
		const spec = freshSpecModule();
		expect(() => spec.validateRequest({ method: 'GET', path: '/models' })).toThrow('spec not found');
	});
});

describeWithSpec('validateRequest with multipart/form-data bodies', () => {
	const file = { fileName: 'memo.wav', contentType: 'audio/wav', bytes: 10, sha256: 'ab'.repeat(32) };

	it('accepts a transcription form, reading numbers and arrays as the schema types them', () => {
		const result = validateRequest({
			method: 'POST',
			path: '/audio/transcriptions',
			form: { file, model: 'whisper-1', temperature: '0.2', timestamp_granularities: ['word'], response_format: 'verbose_json', chunking_strategy: { type: 'server_vad' } },
		});
		expect(result).toEqual({ valid: true, endpoint: 'POST /audio/transcriptions', errors: [] });
	});

	it('reports a missing file, a value outside an enum, a non-number and an unknown field', () => {
		const result = validateRequest({
			method: 'POST',
			path: '/audio/transcriptions',
			form: { model: 'whisper-1', response_format: 'mp3', temperature: 'warm', timestamp_granularities: ['minute'], colour: 'red' },
		});
		expect(result.valid).toBe(false);
		expect(result.errors).toEqual(
			expect.arrayContaining([
				"body: must have required property 'file'",
				'body/response_format: must be equal to one of the allowed values ("json", "text", "srt", "verbose_json", "vtt", "diarized_json")',
				'body/temperature: must be number',
				'body/timestamp_granularities/0: must be equal to one of the allowed values ("word", "segment")',
				"body/colour: unknown property, not in the request schema of POST /audio/transcriptions",
			]),
		);
	});

	it('takes image[] as the array form of image and checks the multipart schema, not the JSON one, of /images/edits', () => {
		const valid = validateRequest({ method: 'POST', path: '/images/edits', form: { image: [file, file], prompt: 'x', model: 'gpt-image-1', n: '2' } });
		expect(errorsOf(valid)).toBe('');
		const tooMany = validateRequest({ method: 'POST', path: '/images/edits', form: { image: Array(17).fill(file), prompt: 'x' } });
		expect(tooMany.errors.join('\n')).toContain('must NOT have more than 16 items');
	});

	it('checks a file upload\'s purpose and expiry object', () => {
		const result = validateRequest({
			method: 'POST',
			path: '/files',
			form: { file, purpose: 'training', expires_after: { anchor: 'created_at', seconds: '60' } },
		});
		expect(result.errors).toEqual([
			'body/purpose: must be equal to one of the allowed values ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")',
			'body/expires_after/seconds: must be >= 3600',
		]);
	});
});

describeWithSpec('batchLines: the request lines of a batch input file', () => {
	const upload = (text: string, purpose = 'batch') => ({
		method: 'POST',
		path: '/files',
		form: { purpose },
		parts: [{ name: 'file', fileName: 'n8n-batch-1.jsonl', data: Buffer.from(text) }],
	});

	it('turns each line into a request of the endpoint it names, which the spec then checks', () => {
		const good = JSON.stringify({ custom_id: 'a', method: 'POST', url: '/v1/chat/completions', body: chatBody });
		const bad = JSON.stringify({ custom_id: 'b', method: 'POST', url: '/v1/chat/completions', body: { ...chatBody, temperature: 'hot' } });
		const lines = batchLines(upload(`${good}\n${bad}\n`));
		expect(lines).toHaveLength(2);
		const [first, second] = lines.map((line) => (typeof line === 'string' ? line : validateRequest(line)));
		expect(first).toEqual({ valid: true, endpoint: 'POST /chat/completions', errors: [] });
		expect(errorsOf(second as ValidationResult)).toContain('body/temperature: must be number');
	});

	it('reports lines that are not request lines, and ignores other uploads and files the user uploads', () => {
		const lines = batchLines(upload('{"custom_id":"a","method":"GET","url":"/v1/models"}\nnot json\n{"custom_id":"c","method":"POST","url":"/v1/x","body":{},"extra":1}'));
		expect(lines).toEqual([
			'batch file line 1: method must be POST and url a /v1/ path',
			'batch file line 2: not valid JSON',
			'batch file line 3: unknown keys extra',
		]);
		expect(batchLines(upload('x', 'user_data'))).toEqual([]);
		expect(batchLines({ ...upload('x'), parts: [{ name: 'file', fileName: 'mine.jsonl', data: Buffer.from('x') }] })).toEqual([]);
	});
});
