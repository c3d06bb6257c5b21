import {
	describeHttpFailure,
	describeNetworkFailure,
	extractOpenAiError,
	hostOf,
	parseRetryAfter,
	redact,
	retryDelayMs,
} from '../../../../nodes/OpenAiRest/transport/errors';

const KEY = 'canary-SECRET-key-0123456789abcdef';
const NOW = Date.parse('2025-03-10T12:00:00Z');

function openAiError(message: string, type: string, code: string | null, param: string | null = null) {
	return { error: { message, type, param, code } };
}

describe('extractOpenAiError', () => {
	const error = { message: 'Bad', type: 'invalid_request_error', code: 'x', param: 'p' };

	it('reads the error object from a parsed body, JSON text and a buffer', () => {
		expect(extractOpenAiError({ error })).toEqual(error);
		expect(extractOpenAiError(JSON.stringify({ error }))).toEqual(error);
		expect(extractOpenAiError(Buffer.from(JSON.stringify({ error })))).toEqual(error);
	});

	it('accepts a plain string error, as some compatible servers send', () => {
		expect(extractOpenAiError({ error: 'model not loaded' })).toEqual({ message: 'model not loaded' });
	});

	it('returns undefined for bodies that are not OpenAI errors', () => {
		expect(extractOpenAiError('<html>Bad gateway</html>')).toBeUndefined();
		expect(extractOpenAiError('{"error": {')).toBeUndefined();
		expect(extractOpenAiError({ detail: 'Not Found' })).toBeUndefined();
		expect(extractOpenAiError(null)).toBeUndefined();
		expect(extractOpenAiError(42)).toBeUndefined();
	});
});

describe('parseRetryAfter', () => {
	it('prefers retry-after-ms over retry-after', () => {
		expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '20' }, NOW)).toBe(250);
		expect(parseRetryAfter({ 'retry-after-ms': '1.5' }, NOW)).toBe(1.5);
	});

	it('reads retry-after in seconds and as an HTTP date', () => {
		expect(parseRetryAfter({ 'retry-after': '20' }, NOW)).toBe(20_000);
		expect(parseRetryAfter({ 'retry-after': '0.5' }, NOW)).toBe(500);
		expect(parseRetryAfter({ 'retry-after': 'Mon, 10 Mar 2025 12:00:30 GMT' }, NOW)).toBe(30_000);
	});

	it('reads the first value of a repeated header and mixed-case names', () => {
		expect(parseRetryAfter({ 'retry-after': ['3', '9'] }, NOW)).toBe(3000);
		expect(parseRetryAfter({ 'Retry-After': '4' }, NOW)).toBe(4000);
	});

	it('ignores absent, negative, past, unparsable and over-60-second values', () => {
		expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
		expect(parseRetryAfter({}, NOW)).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': '-1' }, NOW)).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': 'Mon, 10 Mar 2025 11:59:00 GMT' }, NOW)).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': '61' }, NOW)).toBeUndefined();
		expect(parseRetryAfter({ 'retry-after': '60' }, NOW)).toBe(60_000);
		expect(parseRetryAfter({ 'retry-after-ms': 'abc', 'retry-after': '2' }, NOW)).toBe(2000);
	});
});

describe('retryDelayMs', () => {
	const noJitter = () => 0;
	const fullJitter = () => 1;

	it('doubles from 0.5 s and caps at 8 s', () => {
		const delays = [0, 1, 2, 3, 4, 5, 9].map((attempt) => retryDelayMs(attempt, undefined, noJitter));
		expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
	});

	it('takes off at most 25 % as jitter', () => {
		const delays = [0, 1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, undefined, fullJitter));
		expect(delays).toEqual([375, 750, 1500, 3000, 6000]);
		expect(retryDelayMs(1, undefined, () => 0.5)).toBe(875);
	});

	it('uses the delay the server asked for as is', () => {
		expect(retryDelayMs(0, 1, fullJitter)).toBe(1);
		expect(retryDelayMs(3, 20_000, fullJitter)).toBe(20_000);
		expect(retryDelayMs(2, 0, fullJitter)).toBe(0);
	});
});

describe('describeHttpFailure', () => {
	it('names OpenAI\'s message, type, code, param and status for a 400', () => {
		const body = openAiError("Invalid value for 'temperature'.", 'invalid_request_error', 'invalid_value', 'temperature');
		expect(describeHttpFailure(400, {}, body)).toEqual({
			status: 400,
			message: "Invalid value for 'temperature'.",
			description: 'type: invalid_request_error, code: invalid_value, param: temperature, HTTP status: 400',
			retryable: false,
			retryAfterMs: undefined,
		});
	});

	it('points a 401 at the credential', () => {
		const body = openAiError('Incorrect API key provided: sk-wro***890.', 'invalid_request_error', 'invalid_api_key');
		const failure = describeHttpFailure(401, {}, body);
		expect(failure.description).toBe(
			'type: invalid_request_error, code: invalid_api_key, HTTP status: 401\n' +
				'Check the API key (and organization ID) in the OpenAI REST API credential.',
		);
		expect(failure.retryable).toBe(false);
	});

	it('explains a 403 as missing permission', () => {
		const failure = describeHttpFailure(403, {}, openAiError('Forbidden.', 'invalid_request_error', 'forbidden'));
		expect(failure.description).toBe(
			'type: invalid_request_error, code: forbidden, HTTP status: 403\n' +
				'The key is valid but not allowed to do this: check the project, organization or region of the credential.',
		);
	});

	it('names the model of a 404', () => {
		const body = openAiError('The model `gpt-9` does not exist.', 'invalid_request_error', 'model_not_found');
		expect(describeHttpFailure(404, {}, body, { model: 'gpt-9' }).description).toBe(
			'type: invalid_request_error, code: model_not_found, HTTP status: 404\n' +
				'The model "gpt-9" does not exist on this server or your key has no access to it. Pick another model.',
		);
		expect(describeHttpFailure(404, {}, openAiError('Not found.', 'invalid_request_error', null)).description).toBe(
			'type: invalid_request_error, HTTP status: 404',
		);
	});

	it('tells a rate limit (retryable) from a used-up quota (not retryable), with Retry-After', () => {
		const rate = describeHttpFailure(
			429,
			{ 'retry-after': '20' },
			openAiError('Rate limit reached.', 'requests', 'rate_limit_exceeded'),
		);
		expect(rate).toEqual({
			status: 429,
			message: 'Rate limit reached.',
			description:
				'type: requests, code: rate_limit_exceeded, HTTP status: 429\n' +
				'Rate limit reached: the node waits for the limit, up to Max Wait for Rate Limits (in Options).\n' +
				'Retry-After: 20 s.',
			retryable: true,
			retryAfterMs: 20_000,
		});
		const quota = describeHttpFailure(
			429,
			{ 'retry-after-ms': '250' },
			openAiError('You exceeded your current quota.', 'insufficient_quota', 'insufficient_quota'),
		);
		expect(quota.retryable).toBe(false);
		expect(quota.description).toBe(
			'type: insufficient_quota, code: insufficient_quota, HTTP status: 429\n' +
				'Your OpenAI quota is used up: add credit or raise the limit in your OpenAI billing settings. Retrying will not help.\n' +
				'Retry-After: 250 ms.',
		);
	});

	it('says 5xx errors are on OpenAI\'s side and retryable, like 408 and 409', () => {
		for (const status of [500, 502, 503]) {
			const failure = describeHttpFailure(status, {}, openAiError('Oops', 'server_error', null));
			expect(failure.retryable).toBe(true);
			expect(failure.description).toBe(
				`type: server_error, HTTP status: ${status}\n` +
					"This is a problem on OpenAI's side (or the compatible server's), not in your workflow. Try again later.",
			);
		}
		expect(describeHttpFailure(408, {}, '').retryable).toBe(true);
		expect(describeHttpFailure(409, {}, '').retryable).toBe(true);
		expect(describeHttpFailure(422, {}, '').retryable).toBe(false);
	});

	it('shows the status and the start of a body that is not an OpenAI error', () => {
		const html = `<html>\n  <body>Bad gateway ${'x'.repeat(300)}</body></html>`;
		const failure = describeHttpFailure(502, {}, html);
		expect(failure.message).toBe(
			`The server answered with HTTP status 502 and a body that is not an OpenAI error: ${
				`<html> <body>Bad gateway ${'x'.repeat(300)}`.slice(0, 200)
			}…`,
		);
		expect(describeHttpFailure(400, {}, '{"error": {').message).toBe(
			'The server answered with HTTP status 400 and a body that is not an OpenAI error: {"error": {',
		);
		expect(describeHttpFailure(404, {}, { detail: 'Not Found' }).message).toBe(
			'The server answered with HTTP status 404 and a body that is not an OpenAI error: {"detail":"Not Found"}',
		);
		expect(describeHttpFailure(500, {}, '').message).toBe('The server answered with HTTP status 500 and an empty body');
	});

	it('masks the key in the message even where the excerpt would cut it in half', () => {
		const padding = 'p'.repeat(190);
		const failure = describeHttpFailure(502, {}, `${padding}Authorization: Bearer ${KEY}`, { secret: KEY });
		expect(failure.message).toBe(
			`The server answered with HTTP status 502 and a body that is not an OpenAI error: ${
				`${padding}Authorization: Bearer [redacted]`.slice(0, 200)
			}…`,
		);
		expect(failure.message).not.toContain('canary-SECRET');
		const echoed = describeHttpFailure(400, {}, openAiError(`Bad key ${KEY}`, 'invalid_request_error', null, KEY), {
			secret: KEY,
		});
		expect(echoed.message).toBe('Bad key [redacted]');
		expect(echoed.description).toBe('type: invalid_request_error, param: [redacted], HTTP status: 400');
	});
});

describe('describeNetworkFailure', () => {
	it('names the host and what happened', () => {
		expect(describeNetworkFailure('ECONNREFUSED', '127.0.0.1:1')).toEqual({
			message: 'The server 127.0.0.1:1 refused the connection',
			description:
				'Network error (ECONNREFUSED): no response was received.\n' +
				'Check the Base URL in the credential, your network and any proxy.',
			retryable: true,
		});
		expect(describeNetworkFailure('ECONNRESET', 'api.openai.com').message).toBe(
			'The server api.openai.com closed the connection unexpectedly',
		);
	});

	it.each(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT'])('suggests a longer timeout for %s', (code) => {
		expect(describeNetworkFailure(code, 'api.openai.com')).toEqual({
			message: 'The server api.openai.com did not answer in time',
			description: `Network error (${code}): no response was received.\nRaise the Timeout under Request Options, or lower Max Tokens.`,
			retryable: true,
		});
	});

	it('does not retry DNS failures or cancellations', () => {
		expect(describeNetworkFailure('ENOTFOUND', 'nope.invalid').retryable).toBe(false);
		expect(describeNetworkFailure('ERR_CANCELED', 'api.openai.com').retryable).toBe(false);
		expect(describeNetworkFailure(undefined, undefined)).toEqual({
			message: 'The server could not be reached',
			description:
				'Network error: no response was received.\nCheck the Base URL in the credential, your network and any proxy.',
			retryable: true,
		});
	});
});

describe('hostOf and redact', () => {
	it('takes the host and port of a URL, never its user info', () => {
		expect(hostOf('https://user:pw@api.example.com:8443/v1/')).toBe('api.example.com:8443');
		expect(hostOf('not a url')).toBeUndefined();
		expect(hostOf(undefined)).toBeUndefined();
	});

	it('masks every occurrence of the secret, ignoring empty or tiny secrets', () => {
		expect(redact(`${KEY} and ${KEY}`, KEY)).toBe('[redacted] and [redacted]');
		expect(redact('abc', undefined)).toBe('abc');
		expect(redact('abc', '')).toBe('abc');
		expect(redact('abc', 'ab')).toBe('abc');
	});
});
