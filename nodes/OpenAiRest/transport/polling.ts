import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { errorMessageFor } from './errors';
import { canceled } from './send';

export const FIRST_POLL_DELAY_MS = 1000;
export const POLL_DELAY_GROWTH = 1.5;
export const MAX_POLL_DELAY_MS = 20_000;
/** Less time than this left before Max Wait is not worth another poll. */
const LAST_POLL_MARGIN_MS = 50;

/** The pause before poll number `attempt + 1`: 1 s, 1.5 s, 2.25 s, … up to 20 s. */
export function pollDelayMs(attempt: number): number {
	return Math.min(MAX_POLL_DELAY_MS, Math.round(FIRST_POLL_DELAY_MS * POLL_DELAY_GROWTH ** attempt));
}

export interface PollPlan<T> {
	/** One poll: a request that reads the job's state. */
	poll: () => Promise<T>;
	isDone: (state: T) => boolean;
	maxWaitMs: number;
	/** What is waited for, e.g. 'Video video_123'. */
	what: string;
	/** Its state in words, e.g. 'in_progress (40%)'. */
	describe: (state: T) => string;
	/** Which parameter sets the limit, for the timeout message. */
	maxWaitLabel: string;
}

/**
 * Waits until a job is done: from its latest known state, pauses with growing lengths and polls again, never past
 * Max Wait (the last pause ends at the limit, one last poll follows). Stopping the execution ends a pause at once
 * and sends nothing more.
 */
export async function pollUntilDone<T>(context: IExecuteSingleFunctions, initial: T, plan: PollPlan<T>, now: () => number = Date.now): Promise<T> {
	const deadline = now() + plan.maxWaitMs;
	const cancelSignal = context.getExecutionCancelSignal?.();
	let state = initial;
	for (let attempt = 0; !plan.isDone(state); attempt++) {
		const remaining = deadline - now();
		if (remaining < LAST_POLL_MARGIN_MS) {
			const seconds = Math.round(plan.maxWaitMs / 1000);
			const message = `${plan.what} is still ${plan.describe(state)} after ${seconds} s`;
			const description = `The wait ended at ${plan.maxWaitLabel} (${seconds} s). The job goes on at OpenAI: raise ${plan.maxWaitLabel}, or read it later with its ID.`;
			throw new NodeOperationError(context.getNode(), errorMessageFor(context, message, description), {
				itemIndex: context.getItemIndex(),
				description,
			});
		}
		const delayMs = Math.min(pollDelayMs(attempt), remaining);
		try {
			await sleep(delayMs, cancelSignal);
		} catch {
			throw canceled(context, `Stopped while waiting for ${plan.what}, which was ${plan.describe(state)}.`);
		}
		state = await plan.poll();
	}
	return state;
}
