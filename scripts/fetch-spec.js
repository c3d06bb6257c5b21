#!/usr/bin/env node
/**
 * Downloads OpenAI's official OpenAPI spec (openai/openai-openapi, MIT) at two pinned commits into the
 * git-ignored `.openai-spec/` folder and writes the `*.sanitized.yaml` copies the conformance tests read
 * (see test/support/spec.ts).
 *
 * Usage: npm run spec:fetch [-- --force]   (--force downloads again even if the raw files are present)
 * Set OPENAI_SPEC_DIR to write somewhere else (the tests read that variable too).
 * Override the download location with OPENAI_SPEC_RAW_URL, a template holding {commit}
 * (default: the raw GitHub URL of openapi.yaml at that commit).
 */
'use strict';

const fs = require('fs');
const path = require('path');

const DEFAULT_RAW_URL = 'https://raw.githubusercontent.com/openai/openai-openapi/{commit}/openapi.yaml';
const OUTPUT_DIR = process.env.OPENAI_SPEC_DIR || path.resolve(__dirname, '..', '.openai-spec');

/** The two spec versions the tests use; `expect` guards against fetching the wrong document. */
const PINNED_SPECS = [
	{
		era: 'latest',
		commit: 'f85dbe223d40e1a31cba812ab2d755c7e98a92a3',
		expect: { openapi: '3.1.0', version: '2.3.0' },
	},
	{
		era: '2023',
		commit: '3d9e0aeb21ec75aa616aa4c17ea54c369e344cd0',
		expect: { openapi: '3.0.0', version: '2.0.0' },
	},
];

/** Keywords that describe a schema rather than constrain it; they stay on the rewritten outer schema. */
const ANNOTATION_KEYS = new Set(['title', 'description', 'default']);

/** True for YAML mappings; false for scalars, arrays and the Date objects js-yaml makes of timestamps. */
function isPlainObject(value) {
	if (typeof value !== 'object' || value === null) return false;
	const prototype = Object.getPrototypeOf(value);
	return prototype === Object.prototype || prototype === null;
}

/**
 * Ajv refuses to compile `nullable` on a schema without `type` (OpenAPI 3.0 only defines it next to a type).
 * Rewrites every such schema with `nullable: true` as `anyOf: [<schema without nullable>, { type: 'null' }]`,
 * keeping its title/description/default on the outer schema, and drops a type-less `nullable: false`, which
 * constrains nothing. Returns a new document; the input is left untouched.
 */
function sanitizeNullable(node) {
	if (Array.isArray(node)) return node.map(sanitizeNullable);
	if (!isPlainObject(node)) return node;

	const copy = {};
	for (const [key, value] of Object.entries(node)) copy[key] = sanitizeNullable(value);
	if (!('nullable' in copy) || 'type' in copy) return copy;
	if (copy.nullable !== true) {
		delete copy.nullable;
		return copy;
	}

	const outer = {};
	const inner = {};
	for (const [key, value] of Object.entries(copy)) {
		if (key === 'nullable') continue;
		if (ANNOTATION_KEYS.has(key)) outer[key] = value;
		else inner[key] = value;
	}
	outer.anyOf = [inner, { type: 'null' }];
	return outer;
}

function rawUrl(commit) {
	return (process.env.OPENAI_SPEC_RAW_URL || DEFAULT_RAW_URL).replace('{commit}', commit);
}

function rawFileName(era) {
	return `openai-openapi-${era}.yaml`;
}

function sanitizedFileName(era) {
	return `openai-openapi-${era}.sanitized.yaml`;
}

async function download(url) {
	const response = await fetch(url);
	if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}`);
	return response.text();
}

function checkPinnedVersion(spec, document) {
	const found = { openapi: String(document.openapi), version: String(document.info && document.info.version) };
	if (found.openapi !== spec.expect.openapi || found.version !== spec.expect.version) {
		throw new Error(
			`${spec.era} spec: expected openapi ${spec.expect.openapi} / info.version ${spec.expect.version}, ` +
				`got ${found.openapi} / ${found.version}`,
		);
	}
}

async function fetchSpec(spec, yaml, force) {
	const rawPath = path.join(OUTPUT_DIR, rawFileName(spec.era));
	if (force || !fs.existsSync(rawPath)) {
		const url = rawUrl(spec.commit);
		console.log(`downloading ${url}`);
		fs.writeFileSync(rawPath, await download(url));
	}
	const document = yaml.load(fs.readFileSync(rawPath, 'utf8'));
	checkPinnedVersion(spec, document);

	const sanitizedPath = path.join(OUTPUT_DIR, sanitizedFileName(spec.era));
	fs.writeFileSync(sanitizedPath, yaml.dump(sanitizeNullable(document), { lineWidth: -1, noRefs: true }));
	console.log(`wrote ${path.relative(process.cwd(), sanitizedPath)}`);
}

async function main() {
	const yaml = require('js-yaml');
	const force = process.argv.includes('--force');
	fs.mkdirSync(OUTPUT_DIR, { recursive: true });
	for (const spec of PINNED_SPECS) await fetchSpec(spec, yaml, force);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(`spec:fetch failed: ${error.message}`);
		process.exitCode = 1;
	});
}

module.exports = { sanitizeNullable, rawUrl, PINNED_SPECS };
