import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { type BodyRule, checkBody, COMMON_RULES, parseJsonText, transformBody, validateBody } from '../../../../nodes/OpenAiRest/fields/validation';
import { InvalidParameter, invalidParameterError } from '../../../../nodes/OpenAiRest/transport/errors';

const NODE: INode = {
	id: 'n1',
	name: 'OpenAI',
	type: 'n8n-nodes-openai-rest.openAiRest',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function contextFor(itemIndex: number): IExecuteSingleFunctions {
	return { getItemIndex: () => itemIndex, getNode: () => NODE } as unknown as IExecuteSingleFunctions;
}

/** The InvalidParameter a check throws, or undefined when it passes. */
function problemOf(check: () => void): InvalidParameter | undefined {
	try {
		check();
	} catch (error) {
		if (error instanceof InvalidParameter) return error;
		throw error;
	}
	return undefined;
}

function checked(body: IDataObject, rules: BodyRule[]): IDataObject {
	checkBody(body, rules);
	return body;
}

describe('checkBody ranges', () => {
	const { temperature, topP, frequencyPenalty, presencePenalty, maxTokens, seed } = COMMON_RULES;

	it('accepts the bounds themselves', () => {
		const body = { temperature: 2, top_p: 0, frequency_penalty: -2, presence_penalty: 2, max_tokens: 1, seed: -5 };
		expect(checked({ ...body }, [temperature, topP, frequencyPenalty, presencePenalty, maxTokens, seed])).toEqual(body);
	});

	it('names the parameter, the allowed range and the value', () => {
		expect(problemOf(() => checkBody({ temperature: 2.01 }, [temperature]))?.message).toBe(
			'Sampling Temperature: must be between 0 and 2, got 2.01',
		);
		expect(problemOf(() => checkBody({ top_p: -0.1 }, [topP]))?.message).toBe('Top P: must be between 0 and 1, got -0.1');
		expect(problemOf(() => checkBody({ presence_penalty: -3 }, [presencePenalty]))?.message).toBe(
			'Presence Penalty: must be between -2 and 2, got -3',
		);
		expect(problemOf(() => checkBody({ max_tokens: 0 }, [maxTokens]))?.message).toBe(
			'Maximum Number of Tokens: must be at least 1, got 0',
		);
		expect(problemOf(() => checkBody({ n: 9 }, [{ key: 'n', label: 'N', max: 8 }]))?.message).toBe(
			'N: must be at most 8, got 9',
		);
	});

	it('rejects fractions for whole-number parameters and non-numbers everywhere', () => {
		expect(problemOf(() => checkBody({ max_tokens: 1.5 }, [maxTokens]))?.problem).toBe('must be a whole number, got 1.5');
		expect(problemOf(() => checkBody({ seed: 0.5 }, [seed]))?.problem).toBe('must be a whole number, got 0.5');
		expect(problemOf(() => checkBody({ temperature: '0.5' }, [temperature]))?.problem).toBe(
			'must be a number, got "0.5"',
		);
		expect(problemOf(() => checkBody({ temperature: Number.NaN }, [temperature]))?.problem).toBe(
			'must be a number, got null',
		);
	});

	it('drops empty values instead of sending them', () => {
		const body = { temperature: null, stop: [], logit_bias: '', top_p: undefined, model: 'm' };
		expect(checked(body, [temperature, topP, COMMON_RULES.stop, COMMON_RULES.logitBias])).toEqual({ model: 'm' });
	});
});

describe('checkBody lists and JSON', () => {
	const { stop, logitBias } = COMMON_RULES;
	const tools: BodyRule = { key: 'tools', label: 'Tools', json: 'array' };

	it('allows at most 4 stop sequences', () => {
		expect(checked({ stop: ['a', 'b', 'c', 'd'] }, [stop])).toEqual({ stop: ['a', 'b', 'c', 'd'] });
		expect(problemOf(() => checkBody({ stop: ['a', 'b', 'c', 'd', 'e'] }, [stop]))?.message).toBe(
			'Stop Sequences: allows at most 4 entries, got 5',
		);
	});

	it('parses JSON text in place and keeps JSON from expressions', () => {
		expect(checked({ logit_bias: '{"50256": -100}' }, [logitBias])).toEqual({ logit_bias: { '50256': -100 } });
		expect(checked({ logit_bias: { '1': 100 } }, [logitBias])).toEqual({ logit_bias: { '1': 100 } });
		expect(checked({ tools: '[{"type":"function"}]' }, [tools])).toEqual({ tools: [{ type: 'function' }] });
	});

	it('reports invalid JSON with the parser\'s reason', () => {
		expect(problemOf(() => checkBody({ logit_bias: '{50256: -100}' }, [logitBias]))?.message).toBe(
			"Logit Bias: is not valid JSON (Expected property name or '}' in JSON at position 1)",
		);
	});

	it('checks the JSON type, also of values that came from an expression', () => {
		expect(problemOf(() => checkBody({ logit_bias: '[1]' }, [logitBias]))?.message).toBe(
			'Logit Bias: must be a JSON object, got an array',
		);
		expect(problemOf(() => checkBody({ tools: '{"type":"function"}' }, [tools]))?.message).toBe(
			'Tools: must be a JSON array, got an object',
		);
		expect(problemOf(() => checkBody({ tools: { type: 'function' } }, [tools]))?.message).toBe(
			'Tools: must be a JSON array, got an object',
		);
		expect(problemOf(() => checkBody({ logit_bias: 5 }, [logitBias]))?.message).toBe(
			'Logit Bias: must be a JSON object, got a number',
		);
		expect(problemOf(() => checkBody({ logit_bias: 'null' }, [logitBias]))?.message).toBe(
			'Logit Bias: must be a JSON object, got null',
		);
	});

	it('checks every logit bias value is between -100 and 100', () => {
		expect(problemOf(() => checkBody({ logit_bias: '{"1": 101}' }, [logitBias]))?.message).toBe(
			'Logit Bias: the value for "1" must be a number between -100 and 100, got 101',
		);
		expect(problemOf(() => checkBody({ logit_bias: '{"1": "x"}' }, [logitBias]))?.problem).toBe(
			'the value for "1" must be a number between -100 and 100, got "x"',
		);
	});
});

describe('parseJsonText', () => {
	it('returns the parsed value or names the parameter', () => {
		expect(parseJsonText('Schema', '{"a":[1]}')).toEqual({ a: [1] });
		const problem = problemOf(() => parseJsonText('Schema', ''));
		expect(problem?.label).toBe('Schema');
		expect(problem?.problem).toBe('is not valid JSON (Unexpected end of JSON input)');
	});
});

describe('node errors', () => {
	it('names the parameter, the item and that nothing was sent', () => {
		const error = invalidParameterError(contextFor(4), new InvalidParameter('Top P', 'must be between 0 and 1, got 2'));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Invalid "Top P" in item 4: must be between 0 and 1, got 2');
		expect(error.description).toBe('Parameter "Top P" must be between 0 and 1, got 2. Nothing was sent to the API.');
		expect(error.context.itemIndex).toBe(4);
	});

	it('validateBody passes valid options through and turns problems into node errors', async () => {
		const hook = validateBody([COMMON_RULES.temperature]);
		const options: IHttpRequestOptions = { url: '/x', body: { temperature: 1 } };
		await expect(hook.call(contextFor(0), options)).resolves.toBe(options);
		const failing = hook.call(contextFor(2), { url: '/x', body: { temperature: 3 } });
		await expect(failing).rejects.toThrow('Invalid "Sampling Temperature" in item 2: must be between 0 and 2, got 3');
	});

	it('transformBody runs the transform and rethrows other errors unchanged', async () => {
		const hook = transformBody((body) => {
			body.added = true;
		});
		const options: IHttpRequestOptions = { url: '/x', body: {} };
		await hook.call(contextFor(0), options);
		expect(options.body).toEqual({ added: true });
		const bug = new TypeError('bug');
		const throwing = transformBody(() => {
			throw bug;
		});
		await expect(throwing.call(contextFor(0), { url: '/x', body: {} })).rejects.toBe(bug);
	});
});
