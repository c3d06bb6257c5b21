import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { InvalidParameter, invalidParameterError } from '../transport/errors';

/** A check on one key of the request body, named after the parameter the user sees. */
export interface BodyRule {
	key: string;
	label: string;
	min?: number;
	max?: number;
	integer?: boolean;
	/** The parameter is entered as JSON text and sent as this JSON type. */
	json?: 'object' | 'array';
	maxItems?: number;
	/** Range every value of a JSON object must be in (logit_bias). */
	valueMin?: number;
	valueMax?: number;
}

function rangeText(rule: { min?: number; max?: number }): string {
	if (rule.min !== undefined && rule.max !== undefined) return `between ${rule.min} and ${rule.max}`;
	if (rule.min !== undefined) return `at least ${rule.min}`;
	return `at most ${rule.max}`;
}

/** Parses JSON text entered in a parameter, naming the parameter when it is not valid JSON. */
export function parseJsonText(label: string, text: string): unknown {
	let reason: string | undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		reason = (error as Error).message;
	}
	if (reason !== undefined) throw new InvalidParameter(label, `is not valid JSON (${reason})`);
	return parsed;
}

/** The JSON type of a value, in words. */
function jsonTypeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Checks that a JSON parameter (typed in, or given by an expression) has the JSON type the API wants. */
function checkJsonType(value: unknown, rule: BodyRule): void {
	const isArray = Array.isArray(value);
	const isObject = value !== null && typeof value === 'object' && !isArray;
	if ((rule.json === 'array' && !isArray) || (rule.json === 'object' && !isObject)) {
		throw new InvalidParameter(rule.label, `must be a JSON ${rule.json}, got ${jsonTypeOf(value)}`);
	}
}

function checkNumber(value: unknown, rule: BodyRule): void {
	if (typeof value !== 'number' || Number.isNaN(value)) {
		throw new InvalidParameter(rule.label, `must be a number, got ${JSON.stringify(value)}`);
	}
	if (rule.integer && !Number.isInteger(value)) {
		throw new InvalidParameter(rule.label, `must be a whole number, got ${value}`);
	}
	if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
		throw new InvalidParameter(rule.label, `must be ${rangeText(rule)}, got ${value}`);
	}
}

function checkObjectValues(value: unknown, rule: BodyRule): void {
	const range = { min: rule.valueMin, max: rule.valueMax };
	for (const [key, entry] of Object.entries(value as IDataObject)) {
		if (typeof entry !== 'number' || entry < range.min! || entry > range.max!) {
			throw new InvalidParameter(
				rule.label,
				`the value for "${key}" must be a number ${rangeText(range)}, got ${JSON.stringify(entry)}`,
			);
		}
	}
}

/** Parses JSON parameters in place and checks ranges; throws InvalidParameter on the first problem. */
export function checkBody(body: IDataObject, rules: readonly BodyRule[]): void {
	for (const rule of rules) {
		let value = body[rule.key];
		if (value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length)) {
			delete body[rule.key];
			continue;
		}
		if (rule.json) {
			if (typeof value === 'string') value = parseJsonText(rule.label, value) as IDataObject;
			checkJsonType(value, rule);
			body[rule.key] = value;
		}
		if (rule.min !== undefined || rule.max !== undefined || rule.integer) checkNumber(value, rule);
		if (rule.maxItems !== undefined && Array.isArray(value) && value.length > rule.maxItems) {
			throw new InvalidParameter(rule.label, `allows at most ${rule.maxItems} entries, got ${value.length}`);
		}
		if (rule.valueMin !== undefined) checkObjectValues(value, rule);
	}
}

/** Runs a check, turning an InvalidParameter into the node error for the current item. */
function runCheck(context: IExecuteSingleFunctions, check: () => void): void {
	let caught: unknown;
	try {
		check();
	} catch (error) {
		caught = error;
	}
	if (caught instanceof InvalidParameter) throw invalidParameterError(context, caught);
	if (caught !== undefined) throw caught;
}

/** A preSend hook that validates the assembled body against a rule table. */
export function validateBody(rules: readonly BodyRule[]) {
	return async function validateRequestBody(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		runCheck(this, () => checkBody(requestOptions.body as IDataObject, rules));
		return requestOptions;
	};
}

/** Runs a pure body transformation, reporting InvalidParameter as a node error. */
export function transformBody(transform: (body: IDataObject, context: IExecuteSingleFunctions) => void) {
	return async function transformRequestBody(
		this: IExecuteSingleFunctions,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		runCheck(this, () => transform(requestOptions.body as IDataObject, this));
		return requestOptions;
	};
}

/** Shared rules for the parameters several operations send. */
export const COMMON_RULES = {
	temperature: { key: 'temperature', label: 'Sampling Temperature', min: 0, max: 2 },
	topP: { key: 'top_p', label: 'Top P', min: 0, max: 1 },
	frequencyPenalty: { key: 'frequency_penalty', label: 'Frequency Penalty', min: -2, max: 2 },
	presencePenalty: { key: 'presence_penalty', label: 'Presence Penalty', min: -2, max: 2 },
	stop: { key: 'stop', label: 'Stop Sequences', maxItems: 4 },
	logitBias: {
		key: 'logit_bias',
		label: 'Logit Bias',
		json: 'object',
		valueMin: -100,
		valueMax: 100,
	},
	maxTokens: { key: 'max_tokens', label: 'Maximum Number of Tokens', min: 1, integer: true },
	seed: { key: 'seed', label: 'Seed', integer: true },
	completions: { key: 'n', label: 'Number of Completions', min: 1, max: 128, integer: true },
} satisfies Record<string, BodyRule>;

/** Rules of the sampling options Chat and Text completions share, in the order they are checked. */
export const SAMPLING_RULES: BodyRule[] = [
	COMMON_RULES.temperature,
	COMMON_RULES.topP,
	COMMON_RULES.frequencyPenalty,
	COMMON_RULES.presencePenalty,
	COMMON_RULES.stop,
	COMMON_RULES.logitBias,
];
