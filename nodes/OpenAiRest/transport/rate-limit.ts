/** What ties the governor to n8n: the lane of a run's credential, an item's wait budget, answers and errors. */
import type {
	DeclarativeRestApiSettings,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from './constants';
import { readOption } from './parameters';
import { errorMessageFor } from './errors';
import { type Answer, governor, type Lane, laneKey, type RateLimitWaitExceeded, type WaitBudget } from './governor';

export const DEFAULT_MAX_WAIT_SECONDS = 600;

/** The lane of each node run, keyed by its execute data, so the credential is read once per run, not per item. */
const lanesOfRuns = new WeakMap<object, Promise<Lane>>();

async function readLane(context: IExecuteSingleFunctions): Promise<Lane> {
	const credentials = (await context.getCredentials(CREDENTIAL_TYPE).catch(() => undefined)) as
		| { apiKey?: string; baseUrl?: string; organizationId?: string }
		| undefined;
	const baseUrl = String(credentials?.baseUrl ?? '').trim() || DEFAULT_BASE_URL;
	const organization = String(credentials?.organizationId ?? '').trim();
	return governor.lane(laneKey(baseUrl, organization, credentials?.apiKey));
}

/** The governor's lane for the credential of this node run. */
export async function laneOf(context: IExecuteSingleFunctions): Promise<Lane> {
	// Optional call: contexts without execute data (older n8n) read the credential each time.
	const run = context.getExecuteData?.();
	if (!run) return await readLane(context);
	let lane = lanesOfRuns.get(run);
	if (!lane) {
		lane = readLane(context);
		lanesOfRuns.set(run, lane);
	}
	return await lane;
}

/** An item's allowance of waiting for rate limits; the option is read only if it ever has to wait. */
export function waitBudget(context: IExecuteSingleFunctions): WaitBudget {
	return {
		waitedMs: 0,
		maxMs: () => {
			const seconds = Number(readOption(context, 'maxRateLimitWait', DEFAULT_MAX_WAIT_SECONDS));
			return (Number.isFinite(seconds) && seconds >= 0 ? seconds : DEFAULT_MAX_WAIT_SECONDS) * 1000;
		},
	};
}

/**
 * Has the routed request report its answer's status and headers: a first post-receive action that
 * records them. When the operation has none of its own, it also does what n8n does then (an array body
 * gives one item per element).
 */
export function recordAnswer(requestData: DeclarativeRestApiSettings.ResultOptions): Answer {
	const answer: Answer = {};
	const postReceive = requestData.postReceive;
	// A hook that sends page after page with the same post-receive list gets one recorder, the latest.
	const previous = postReceive[0]?.actions[0];
	const replacing = typeof previous === 'function' && recorders.has(previous);
	const alone = replacing ? recorders.get(previous)! : postReceive.length === 0;
	async function record(items: INodeExecutionData[], response: IN8nHttpFullResponse): Promise<INodeExecutionData[]> {
		answer.status = response.statusCode;
		answer.headers = response.headers;
		if (alone && Array.isArray(response.body)) return (response.body as INodeExecutionData['json'][]).map((json) => ({ json }));
		return items;
	}
	recorders.set(record, alone);
	postReceive.splice(0, replacing ? 1 : 0, { actions: [record], data: { parameterValue: undefined } });
	return answer;
}

/** The recorders recordAnswer added, and whether each stands in for n8n's default output. */
const recorders = new WeakMap<object, boolean>();

/** "1 min 5 s", "12 s", "350 ms". */
export function formatWait(milliseconds: number): string {
	if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
	const seconds = Math.round(milliseconds / 1000);
	if (seconds < 60) return `${seconds} s`;
	const minutes = Math.floor(seconds / 60);
	return seconds % 60 ? `${minutes} min ${seconds % 60} s` : `${minutes} min`;
}

const WHAT_TO_DO =
	'To finish such runs: raise Max Wait for Rate Limits (in Options), send fewer items per run, move the API key to a higher ' +
	'usage tier (https://platform.openai.com/settings/organization/limits), or send large jobs through the Batch API.';

/** The error of an item that ran out of Max Wait for Rate Limits: the server's limit, the wait, what to do. */
export function waitExceededError(context: IExecuteSingleFunctions, error: RateLimitWaitExceeded, lastRefusal?: string): NodeApiError {
	const limit = error.limit ? `the server's limit of ${error.limit}` : "the server's rate limit";
	let message = `Rate limit: waited ${formatWait(error.waitedMs)} for ${limit}, as long as Max Wait for Rate Limits allows`;
	if (error.serverAskedMs !== undefined) {
		message = `Rate limit: ${limit} asks for a wait of ${formatWait(error.serverAskedMs)}, longer than Max Wait for Rate Limits allows`;
	} else if (error.waitedMs === 0) {
		message = `Rate limit: reached ${limit}, and Max Wait for Rate Limits allows no wait`;
	}
	const lines = [
		error.limit
			? `The server allows ${error.limit}.`
			: 'The server gave no limit: it answered 429 without x-ratelimit headers or a limit in its message.',
		`This item waited ${formatWait(error.waitedMs)} in total${error.serverAskedMs !== undefined ? `; the server asked for ${formatWait(error.serverAskedMs)} more` : ''}.`,
	];
	if (lastRefusal) lines.push(`The server's last refusal: ${lastRefusal}`);
	lines.push(WHAT_TO_DO);
	const description = lines.join('\n');
	const shown = errorMessageFor(context, message, description);
	return new NodeApiError(context.getNode(), { message: shown, description, status: 429 } as JsonObject, {
		message: shown,
		description,
		httpCode: '429',
		itemIndex: context.getItemIndex(),
	});
}
