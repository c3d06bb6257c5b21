/**
 * Runs after every test file (jest `setupFilesAfterEnv`): each distinct request the node sent to the
 * local OpenAI server in that file is validated against OpenAI's official spec, unknown keys included.
 */
import path from 'node:path';

import type { INodeTypeDescription } from 'n8n-workflow';

import { requestsToAllServers, type CapturedRequest } from '../support/openai-server';
import { batchLines, ConformanceTally, requireSpec, type RequestToValidate, toValidate, validateRequest } from '../support/spec';
import { endpointFor, isNodeApiRequest, nodeEndpoints } from './node-endpoints';

/**
 * Read when a file sent API requests, not at setup: loading the node here would load its modules before a
 * test file's jest.mock could replace what they import.
 */
function description(): INodeTypeDescription {
	const { OpenAiRest } = require('../../nodes/OpenAiRest/OpenAiRest.node') as typeof import('../../nodes/OpenAiRest/OpenAiRest.node');
	return new OpenAiRest().description;
}

/** Free text whose wording cannot change whether a request is valid, only its JSON type can. */
const FREE_TEXT_KEYS = new Set(['content', 'text', 'prompt', 'input', 'instruction', 'suffix', 'user']);

/** A request's shape: its body with free text replaced, so thousands of similar items validate once. */
function shapeOf(request: CapturedRequest): string {
	const body = JSON.stringify(request.form ?? request.body ?? null, (key, value: unknown) =>
		FREE_TEXT_KEYS.has(key) && typeof value === 'string' ? 'text' : key === 'sha256' ? 'hash' : value,
	);
	return `${request.method} ${request.fullPath.replace(/file-\d+/g, 'file-id').replace(/(vs|vsfb|video)_\d+/g, '$1_id')} ${body}`;
}

/** A request line's shape: its free text replaced, so similar lines validate once. */
function lineShape(line: RequestToValidate): string {
	return `${line.path} ${String(line.body).replace(/"(content|text|prompt|input|user)":"[^"]*"/g, '"$1":"text"')}`;
}

afterAll(() => {
	const sent = requestsToAllServers.filter(isNodeApiRequest);
	if (!sent.length) return;
	const endpoints = nodeEndpoints(description());
	const unknown = [...new Set(sent.filter((request) => !endpointFor(endpoints, request)).map((request) => `${request.method} ${request.path}`))];
	expect({ 'API requests to no endpoint of the node': unknown }).toEqual({ 'API requests to no endpoint of the node': [] });
	const seen = new Set<string>();
	const distinct = sent.filter((request) => {
		const key = shapeOf(request);
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
	if (!distinct.length) return;
	const testFile = path.relative(process.cwd(), expect.getState().testPath ?? 'this test file');
	if (!requireSpec(`spec check of the requests sent in ${testFile}`)) return;
	const tally = new ConformanceTally();
	const malformedLines: string[] = [];
	const seenLines = new Set<string>();
	for (const request of distinct) {
		tally.add(validateRequest(toValidate(request)));
		// Each line of a batch input file against the request schema of the endpoint it names.
		for (const line of batchLines(request)) {
			if (typeof line === 'string') malformedLines.push(line);
			else if (!seenLines.has(lineShape(line))) {
				seenLines.add(lineShape(line));
				tally.add(validateRequest(line));
			}
		}
	}
	const invalid = tally.invalid.map((result) => `${result.endpoint}: ${result.errors.join('; ')}`);
	expect([...malformedLines, ...invalid]).toEqual([]);
});
