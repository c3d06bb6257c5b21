import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { MAX_POLL_DELAY_MS, pollDelayMs, pollUntilDone } from '../../../../nodes/OpenAiRest/transport/polling';

/** The parts of a hook's context polling uses. */
function contextWith(signal?: AbortSignal): IExecuteSingleFunctions {
	return {
		getNode: () => ({ name: 'OpenAI', type: 'n8n-nodes-openai-rest.openAiRest' }),
		getItemIndex: () => 2,
		getExecutionCancelSignal: () => signal,
	} as unknown as IExecuteSingleFunctions;
}

/** A job that answers the polls with `states` in turn (the last one repeats). */
const plan = (states: string[], maxWaitMs: number) => {
	let polls = 0;
	return {
		polls: () => polls,
		plan: {
			poll: async () => states[Math.min(polls++, states.length - 1)],
			isDone: (state: string) => state === 'done',
			maxWaitMs,
			what: 'Job job_1',
			describe: (state: string) => state,
			maxWaitLabel: 'Max Wait (Seconds)',
		},
	};
};

describe('pollDelayMs', () => {
	it('grows by half each time from 1 s and stops at 20 s', () => {
		expect([0, 1, 2, 3].map(pollDelayMs)).toEqual([1000, 1500, 2250, 3375]);
		expect(pollDelayMs(8)).toBe(MAX_POLL_DELAY_MS);
		expect(pollDelayMs(50)).toBe(MAX_POLL_DELAY_MS);
	});
});

describe('pollUntilDone', () => {
	it('returns a job that is already done without polling', async () => {
		const { plan: job, polls } = plan(['done'], 1000);
		await expect(pollUntilDone(contextWith(), 'done', job)).resolves.toBe('done');
		expect(polls()).toBe(0);
	});

	it('polls after growing pauses until done', async () => {
		const { plan: job, polls } = plan(['running', 'done'], 10_000);
		const started = Date.now();
		await expect(pollUntilDone(contextWith(), 'queued', job)).resolves.toBe('done');
		expect(polls()).toBe(2);
		// 1 s, then 1.5 s
		expect(Date.now() - started).toBeGreaterThanOrEqual(2450);
	});

	it('cuts the last pause to Max Wait, polls once more and fails naming the job and its state', async () => {
		const { plan: job, polls } = plan(['running'], 1000);
		const started = Date.now();
		await expect(pollUntilDone(contextWith(), 'queued', job)).rejects.toMatchObject({
			message: 'Job job_1 is still running after 1 s',
			description: expect.stringContaining('raise Max Wait (Seconds)'),
		});
		expect(polls()).toBe(1);
		expect(Date.now() - started).toBeLessThan(1500);
	});

	it('ends a pause at once when the execution is stopped, and polls no more', async () => {
		const stop = new AbortController();
		const { plan: job, polls } = plan(['running'], 60_000);
		const waiting = pollUntilDone(contextWith(stop.signal), 'queued', job);
		await new Promise((resolve) => setTimeout(resolve, 50));
		const stoppedAt = Date.now();
		stop.abort();
		await expect(waiting).rejects.toMatchObject({
			message: 'The execution was canceled',
			description: expect.stringContaining('Stopped while waiting for Job job_1, which was queued.'),
		});
		expect(Date.now() - stoppedAt).toBeLessThan(1000);
		expect(polls()).toBe(0);
	});
});
