/**
 * Conformance checks against OpenAI's official OpenAPI spec (openai/openai-openapi, see
 * /work/shared/openai-spec/README.md or `npm run spec:fetch`).
 *
 * Requests are validated with openapi-backend (Ajv) against the `*.sanitized.yaml` files, plus two checks the
 * spec cannot express on its own: unknown top-level body keys (no request schema sets
 * `additionalProperties: false`) and a body sent to an operation that takes none.
 */
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { load as parseYaml } from 'js-yaml';
import { OpenAPIBackend, ValidationContext } from 'openapi-backend';
import type {
	AjvCustomizer,
	Document,
	Operation,
	ValidationResult as BackendValidationResult,
} from 'openapi-backend';

import type { CapturedRequest } from './openai-server';

export type SpecEra = '2023' | 'latest';

export interface RequestToValidate {
	method: string;
	/** API path without the /v1 prefix, e.g. '/chat/completions', '/models/gpt-4o'. */
	path: string;
	body?: unknown;
	query?: Record<string, string>;
	/** Forces one spec file; by default POST /edits uses the 2023 spec and everything else the latest. */
	era?: SpecEra;
	/** A multipart/form-data body as the test server parsed it (`name[]` as arrays, files as objects). */
	form?: Record<string, unknown>;
}

export interface ValidationResult {
	valid: boolean;
	/** 'POST /chat/completions', with the spec's path template ('GET /models/{model}') when the path matched. */
	endpoint: string;
	/** Readable problems, each starting with where it is: 'body/temperature: must be number'. */
	errors: string[];
}

type AjvError = NonNullable<BackendValidationResult['errors']>[number];
type JsonObject = Record<string, unknown>;

const SPEC_FILES: Record<SpecEra, string> = {
	latest: 'openai-openapi-latest.sanitized.yaml',
	'2023': 'openai-openapi-2023.sanitized.yaml',
};

/** /edits was removed from the API (and from the latest spec) in January 2024, so it is checked against 2023. */
const ENDPOINTS_PINNED_TO_2023 = new Set(['POST /edits']);

const SHARED_SPEC_DIR = path.resolve(__dirname, '../../../shared/openai-spec');
const FETCHED_SPEC_DIR = path.resolve(__dirname, '../../.openai-spec');

function candidateSpecDirs(): string[] {
	const fromEnvironment = process.env.OPENAI_SPEC_DIR;
	return fromEnvironment ? [path.resolve(fromEnvironment)] : [SHARED_SPEC_DIR, FETCHED_SPEC_DIR];
}

function holdsSpec(dir: string): boolean {
	return Object.values(SPEC_FILES).every((file) => existsSync(path.join(dir, file)));
}

/** Folder holding the spec files: OPENAI_SPEC_DIR if set, else ../shared/openai-spec, else `.openai-spec/`. */
export function specDir(): string | undefined {
	return candidateSpecDirs().find(holdsSpec);
}

function specNotFoundMessage(): string {
	return `spec not found (looked in ${candidateSpecDirs().join(', ')})`;
}

function isCi(): boolean {
	return process.env.CI === 'true' || process.env.CI === '1';
}

const skippedSuites = new Set<string>();

/**
 * True when the spec is available. Otherwise throws on CI (conformance must not silently vanish there) and
 * elsewhere returns false after printing one line that names the skipped suite (once per suite).
 */
export function requireSpec(suite: string): boolean {
	if (specDir()) return true;
	if (isCi()) {
		throw new Error(`${specNotFoundMessage()}; conformance cannot be skipped on CI — run npm run spec:fetch`);
	}
	if (!skippedSuites.has(suite)) {
		skippedSuites.add(suite);
		process.stderr.write(`Skipped ${suite}: ${specNotFoundMessage()} — run npm run spec:fetch\n`);
	}
	return false;
}

/** Reads examples/<era>/<fileName> from the spec folder, or undefined when it (or the spec) is absent. */
export function readExample(era: SpecEra, fileName: string): string | undefined {
	const dir = requireSpec(`OpenAI's ${era} example ${fileName}`) ? specDir() : undefined;
	if (!dir) return undefined;
	const file = path.join(dir, 'examples', era, fileName);
	return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Absolute URI (RFC 3986: scheme ':' rest), enough for the `format: uri` fields of image URLs. */
const ABSOLUTE_URI = /^[a-z][a-z\d+.-]*:\S+$/i;

/**
 * openapi-backend registers the OpenAPI formats (int64, …) but not `uri`, nor OpenAI's `unixtime` (answers'
 * timestamps); without them Ajv warns and skips them.
 */
const addUriFormat: AjvCustomizer = (ajv) =>
	ajv
		.addFormat('uri', { type: 'string', validate: (value: string) => ABSOLUTE_URI.test(value) })
		.addFormat('unixtime', { type: 'number', validate: (value: number) => Number.isInteger(value) && value >= 0 });

const backends = new Map<string, OpenAPIBackend>();

/**
 * The one correction made to the spec: in `InputItem` (items of `/responses` input) a message with a list of
 * content parts matches both `EasyInputMessage` and `Item`'s `InputMessage`, so `oneOf` rejects every such
 * message, OpenAI's own image-input example included. `anyOf` accepts what either schema accepts.
 */
function withUnambiguousInputItems(document: Document): Document {
	const inputItem = (document.components?.schemas as JsonObject | undefined)?.InputItem;
	if (isJsonObject(inputItem) && Array.isArray(inputItem.oneOf)) {
		inputItem.anyOf = inputItem.oneOf;
		delete inputItem.oneOf;
		delete inputItem.discriminator;
	}
	return document;
}

/**
 * The second correction: `CompoundFilter` (vector store search and file search filters) nests itself through
 * `$recursiveRef: '#'`, a draft 2019-09 keyword that Ajv here resolves to the whole request schema, so every nested
 * filter failed. A plain `$ref` to `CompoundFilter` says what the spec means.
 */
function withResolvableCompoundFilters(document: Document): Document {
	const compound = (document.components?.schemas as JsonObject | undefined)?.CompoundFilter;
	const items = isJsonObject(compound) && isJsonObject(compound.properties) && isJsonObject(compound.properties.filters) ? compound.properties.filters.items : undefined;
	if (isJsonObject(compound) && isJsonObject(items) && Array.isArray(items.oneOf)) {
		delete compound.$recursiveAnchor;
		items.oneOf = items.oneOf.map((member: unknown) =>
			isJsonObject(member) && member.$recursiveRef === '#' ? { $ref: '#/components/schemas/CompoundFilter' } : member,
		);
		delete items.discriminator;
	}
	return document;
}

/**
 * Quick mode is deliberate:
 * - openapi-backend's non-quick init checks the document against the OpenAPI 3.0 meta-schema, which rejects both
 *   files (the latest is OpenAPI 3.1) and then leaves the router empty;
 * - validators compile lazily per operation, so the 3 MB latest spec needs no reduced copy: measured, YAML parse
 *   + dereference take about 0.45 s, the first chat validation compiles for about 0.6 s, other operations for
 *   50–100 ms each;
 * - with an in-memory document quick init runs synchronously, keeping validateRequest synchronous.
 */
function backendFor(era: SpecEra): OpenAPIBackend {
	const dir = specDir();
	if (!dir) throw new Error(`${specNotFoundMessage()}; call requireSpec() before validating`);
	const file = path.join(dir, SPEC_FILES[era]);
	const cached = backends.get(file);
	if (cached) return cached;

	const backend = new OpenAPIBackend({
		definition: withResolvableCompoundFilters(withUnambiguousInputItems(parseYaml(readFileSync(file, 'utf8')) as Document)),
		quick: true,
		strict: true,
		ajvOpts: { allErrors: true },
		customizeAjv: addUriFormat,
	});
	backend.init().catch(() => undefined); // a failure shows as `initialized === false` just below
	if (!backend.initialized) throw new Error(`openapi-backend could not load ${file}`);
	backends.set(file, backend);
	return backend;
}

function endpointKey(method: string, apiPath: string): string {
	return `${method.toUpperCase()} ${apiPath}`;
}

function eraFor(request: RequestToValidate): SpecEra {
	if (request.era) return request.era;
	return ENDPOINTS_PINNED_TO_2023.has(endpointKey(request.method, request.path)) ? '2023' : 'latest';
}

function findOperation(backend: OpenAPIBackend, method: string, apiPath: string): Operation | undefined {
	return backend.router.matchOperation({ method: method.toLowerCase(), path: apiPath, headers: {} });
}

function isJsonObject(value: unknown): value is JsonObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The (dereferenced) application/json request body schema of an operation, if it takes a body. */
function jsonBodySchema(operation: Operation): unknown {
	const requestBody: unknown = operation.requestBody;
	if (!isJsonObject(requestBody) || !isJsonObject(requestBody.content)) return undefined;
	const json = requestBody.content['application/json'];
	return isJsonObject(json) ? json.schema : undefined;
}

interface DeclaredProperties {
	names: string[];
	/** The schema explicitly accepts properties beyond `names` (additionalProperties: true or a schema). */
	open: boolean;
}

/** Top-level property names of a schema, following allOf/anyOf/oneOf composition ($refs are already resolved). */
function declaredProperties(schema: unknown, seen = new Set<unknown>()): DeclaredProperties {
	const declared: DeclaredProperties = { names: [], open: false };
	if (!isJsonObject(schema) || seen.has(schema)) return declared;
	seen.add(schema);

	if (isJsonObject(schema.properties)) declared.names.push(...Object.keys(schema.properties));
	const additional = schema.additionalProperties;
	declared.open = additional === true || isJsonObject(additional);

	for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
		const members = schema[keyword];
		if (!Array.isArray(members)) continue;
		for (const member of members) {
			const nested = declaredProperties(member, seen);
			declared.names.push(...nested.names);
			declared.open ||= nested.open;
		}
	}
	declared.names = [...new Set(declared.names)];
	return declared;
}

/** The request body schema's top-level property names for an endpoint ([] when it takes no body). */
export function requestProperties(method: string, apiPath: string): string[] {
	const era = eraFor({ method, path: apiPath });
	const operation = findOperation(backendFor(era), method, apiPath);
	if (!operation) throw new Error(`no operation ${endpointKey(method, apiPath)} in the ${era} spec`);
	return declaredProperties(jsonBodySchema(operation)).names;
}

/** 'body/temperature' from Ajv's '/requestBody/temperature'; 'query/limit' from '/query/limit'. */
function errorLocation(instancePath: string): string {
	if (instancePath.startsWith('/requestBody')) return `body${instancePath.slice('/requestBody'.length)}`;
	return instancePath.slice(1) || 'request';
}

function errorDetail(error: AjvError): string {
	const params: JsonObject = error.params;
	if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
	if (typeof params.additionalProperty === 'string') return ` ('${params.additionalProperty}')`;
	return '';
}

function describeAjvError(error: AjvError): string {
	if (error.instancePath === '' && error.params.missingProperty === 'requestBody') {
		return 'body: missing, the operation requires a JSON body';
	}
	return `${errorLocation(error.instancePath)}: ${error.message ?? error.keyword}${errorDetail(error)}`;
}

function unknownBodyKeys(body: unknown, schema: unknown, endpoint: string): string[] {
	if (!isJsonObject(body)) return [];
	const declared = declaredProperties(schema);
	if (declared.open) return [];
	return Object.keys(body)
		.filter((key) => !declared.names.includes(key))
		.map((key) => `body/${key}: unknown property, not in the request schema of ${endpoint}`);
}

function isAbsentBody(body: unknown): boolean {
	return body === undefined || body === null || body === '';
}

/** A JSON text body is parsed; anything else is taken as already parsed. */
function parseBody(body: unknown): { value: unknown; error?: string } {
	if (typeof body !== 'string' || body === '') return { value: body };
	try {
		return { value: JSON.parse(body) };
	} catch {
		return { value: body, error: 'body: not valid JSON' };
	}
}

/**
 * Validates a request against the latest sanitized spec (POST /edits: the 2023 one), including JSON types,
 * ranges, enums and required fields, and reports unknown top-level body keys as errors.
 */
export function validateRequest(request: RequestToValidate): ValidationResult {
	return validateNormalizedRequest(withQueryFromPath(request));
}

/** Moves a query string left on the path ('/models?limit=5') into `query`. */
function withQueryFromPath(request: RequestToValidate): RequestToValidate {
	const [apiPath, queryString] = request.path.split('?', 2);
	if (queryString === undefined) return request;
	const query = { ...Object.fromEntries(new URLSearchParams(queryString)), ...request.query };
	return { ...request, path: apiPath, query };
}

function validateNormalizedRequest(request: RequestToValidate): ValidationResult {
	const era = eraFor(request);
	const operation = findOperation(backendFor(era), request.method, request.path);
	if (!operation) {
		const endpoint = endpointKey(request.method, request.path);
		return { valid: false, endpoint, errors: [`no operation ${endpoint} in the ${era} spec (paths have no /v1 prefix)`] };
	}
	if (request.form) return validateMultipart(era, operation, request.form);

	const endpoint = endpointKey(operation.method, operation.path);
	const body = parseBody(request.body);
	const schema = jsonBodySchema(operation);
	const errors: string[] = body.error ? [body.error] : [];
	if (schema === undefined && !isAbsentBody(body.value)) errors.push(`body: ${endpoint} takes no request body`);

	const checked = backendFor(era).validateRequest(
		{
			method: operation.method,
			path: request.path,
			headers: { 'content-type': 'application/json' },
			query: request.query ?? {},
			body: isAbsentBody(body.value) ? undefined : body.value,
		},
		operation,
	);
	errors.push(...(checked.errors ?? []).map(describeAjvError));
	errors.push(...unknownBodyKeys(body.value, schema, endpoint));
	return { valid: errors.length === 0, endpoint, errors };
}

/** Counts valid results per endpoint and keeps the invalid ones for a failure message. */
export class ConformanceTally {
	readonly invalid: ValidationResult[] = [];

	private readonly counts = new Map<string, { valid: number; total: number }>();

	add(result: ValidationResult): void {
		const count = this.counts.get(result.endpoint) ?? { valid: 0, total: 0 };
		count.total += 1;
		if (result.valid) count.valid += 1;
		else this.invalid.push(result);
		this.counts.set(result.endpoint, count);
	}

	/** One line per endpoint, in the order first seen: 'POST /chat/completions: 41/41 valid'. */
	report(): string {
		return [...this.counts]
			.map(([endpoint, { valid, total }]) => `${endpoint}: ${valid}/${total} valid`)
			.join('\n');
	}
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data bodies
// ---------------------------------------------------------------------------------------------

/** The (dereferenced) multipart/form-data request body schema of an operation. */
function multipartBodySchema(operation: Operation): unknown {
	const requestBody: unknown = operation.requestBody;
	if (!isJsonObject(requestBody) || !isJsonObject(requestBody.content)) return undefined;
	const multipart = requestBody.content['multipart/form-data'];
	return isJsonObject(multipart) ? multipart.schema : undefined;
}

/** JSON types a schema allows, through anyOf/oneOf/allOf. */
function typesOf(schema: unknown): string[] {
	if (!isJsonObject(schema)) return [];
	const own = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
	const nested = ['anyOf', 'oneOf', 'allOf'].flatMap((keyword) =>
		Array.isArray(schema[keyword]) ? (schema[keyword] as unknown[]).flatMap(typesOf) : [],
	);
	return [...own, ...nested];
}

/** The schema of a property or array item, looking into anyOf/oneOf members. */
function memberSchemas(schema: unknown, pick: (member: JsonObject) => unknown): unknown[] {
	if (!isJsonObject(schema)) return [];
	const own = pick(schema);
	const nested = ['anyOf', 'oneOf', 'allOf'].flatMap((keyword) =>
		Array.isArray(schema[keyword]) ? (schema[keyword] as unknown[]).flatMap((member) => memberSchemas(member, pick)) : [],
	);
	return [...(own === undefined ? [] : [own]), ...nested];
}

function isReceivedFile(value: unknown): boolean {
	return isJsonObject(value) && typeof value.sha256 === 'string' && typeof value.fileName === 'string';
}

/**
 * Reads form values as the JSON types the schema asks for, as OpenAI's server does: '0.5' as a number
 * where a number is wanted, 'true' as a boolean, a file as a binary string. A text that does not parse
 * stays a string, so the schema reports it.
 */
export function coerceFormValue(value: unknown, schema: unknown): unknown {
	if (isReceivedFile(value)) return typesOf(schema).includes('string') ? '<binary>' : value;
	if (Array.isArray(value)) {
		const items = memberSchemas(schema, (member) => member.items)[0];
		return value.map((entry) => coerceFormValue(entry, items));
	}
	if (isJsonObject(value)) {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => {
				const property = memberSchemas(schema, (member) => (isJsonObject(member.properties) ? member.properties[key] : undefined))[0];
				return [key, coerceFormValue(entry, property)];
			}),
		);
	}
	if (typeof value !== 'string') return value;
	const types = typesOf(schema);
	if ((types.includes('number') || types.includes('integer')) && value.trim() !== '' && Number.isFinite(Number(value))) {
		return Number(value);
	}
	if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
	return value;
}

const multipartValidators = new Map<unknown, ReturnType<ReturnType<OpenAPIBackend['validator']['getAjv']>['compile']>>();

/** Validates a parsed multipart body field by field: types, enums, ranges, required fields, no unknown fields. */
function validateMultipart(era: SpecEra, operation: Operation, form: Record<string, unknown>): ValidationResult {
	const endpoint = endpointKey(operation.method, operation.path);
	const schema = multipartBodySchema(operation);
	if (schema === undefined) return { valid: false, endpoint, errors: [`body: ${endpoint} takes no multipart/form-data body`] };
	let validate = multipartValidators.get(schema);
	if (!validate) {
		validate = backendFor(era).validator.getAjv(ValidationContext.RequestBody).compile(schema as object);
		multipartValidators.set(schema, validate);
	}
	const fields = Object.fromEntries(
		Object.entries(form).map(([name, value]) => {
			const property = memberSchemas(schema, (member) => (isJsonObject(member.properties) ? member.properties[name] : undefined))[0];
			return [name, coerceFormValue(value, property)];
		}),
	);
	validate(fields);
	const errors = (validate.errors ?? []).map((error) => describeAjvError({ ...error, instancePath: `/requestBody${error.instancePath}` }));
	errors.push(...unknownBodyKeys(fields, schema, endpoint));
	return { valid: errors.length === 0, endpoint, errors };
}

/** What to validate of a request the test server captured: its JSON or multipart body, and its query. */
export function toValidate(request: Pick<CapturedRequest, 'method' | 'path' | 'fullPath' | 'rawBody' | 'form'>): RequestToValidate {
	const query = request.fullPath.split('?')[1];
	const path = query ? `${request.path}?${query}` : request.path;
	if (request.form) return { method: request.method, path, form: request.form };
	return { method: request.method, path, body: request.rawBody };
}

const BATCH_LINE_KEYS = ['custom_id', 'method', 'url', 'body'];

/**
 * The request lines of a batch input file the node built (a POST /files with purpose batch), each to be validated against
 * the request schema of the endpoint it names; a line that is not a well-formed request line comes back as
 * an error text.
 */
export function batchLines(request: Pick<CapturedRequest, 'method' | 'path' | 'form' | 'parts'>): Array<RequestToValidate | string> {
	if (request.method !== 'POST' || request.path !== '/files' || request.form?.purpose !== 'batch') return [];
	const part = request.parts?.find((candidate) => candidate.name === 'file');
	// Files the Batch resource built (File → Upload sends whatever the user's file holds).
	if (!part || !/^n8n-batch-\d+\.jsonl$/.test(part.fileName ?? '')) return [];
	const data = part.data;
	const texts = data.toString('utf8').split('\n');
	if (texts.at(-1) === '') texts.pop();
	return texts.map((text, index): RequestToValidate | string => {
		const where = `batch file line ${index + 1}`;
		let line: JsonObject;
		try {
			line = JSON.parse(text) as JsonObject;
		} catch {
			return `${where}: not valid JSON`;
		}
		const unknown = Object.keys(line).filter((key) => !BATCH_LINE_KEYS.includes(key));
		if (unknown.length) return `${where}: unknown keys ${unknown.join(', ')}`;
		if (typeof line.custom_id !== 'string' || line.custom_id === '') return `${where}: custom_id must be a non-empty string`;
		if (line.method !== 'POST' || typeof line.url !== 'string' || !line.url.startsWith('/v1/')) return `${where}: method must be POST and url a /v1/ path`;
		return { method: 'POST', path: line.url.slice(3), body: JSON.stringify(line.body) };
	});
}

/**
 * Validates a JSON answer against the 200 response schema of the latest spec, for the test server's own
 * answers. Only JSON answers: binary content has no schema to check.
 */
export function validateResponseBody(method: string, apiPath: string, body: unknown): ValidationResult {
	const operation = findOperation(backendFor('latest'), method, apiPath.split('?')[0]);
	const endpoint = endpointKey(method, apiPath);
	if (!operation) return { valid: false, endpoint, errors: [`no operation ${endpoint} in the latest spec`] };
	const checked = backendFor('latest').validateResponse(body, operation, 200);
	const errors = (checked.errors ?? []).map((error) => `${error.instancePath.replace(/^\/response/, 'response') || 'response'}: ${error.message ?? error.keyword}${errorDetail(error)}`);
	return { valid: errors.length === 0, endpoint: endpointKey(operation.method, operation.path), errors };
}
