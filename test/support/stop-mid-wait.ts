/** Stopping a run while a node waits for a job: the run ends at once, and nothing more reaches the server. */
import type { INodeParameters } from 'n8n-workflow';

import { runNode, type TestCredentials } from './engine';
import type { OpenAiServer } from './openai-server';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How soon after the stop the run must have ended: before the pause it interrupts (2.25 s, the third, begun just
 * before the stop) would have. The engine's own wind-down takes most of it on a loaded 2-core machine; that no poll
 * follows is checked separately.
 */
const STOP_BUDGET_MS = 1800;

/**
 * Runs the node, stops the execution once the server has `requests` requests and has answered them (so the node is
 * in a pause between polls; pass the count after which the third pause, 2.25 s, begins), and expects the run to end
 * within STOP_BUDGET_MS and no request after it, not even when the next poll was due.
 */
export async function expectStopMidWait(server: OpenAiServer, credentials: TestCredentials, parameters: INodeParameters, requests: number): Promise<void> {
	const stop = new AbortController();
	const running = runNode(parameters, { credentials, stopSignal: stop.signal });
	while (server.requests.length < requests || !server.requests.every((request) => request.answered)) await pause(5);
	// The answer is sent; give the node a moment to read it and start its pause.
	await pause(150);
	const stoppedAt = Date.now();
	stop.abort();
	const result = await running;
	expect(Date.now() - stoppedAt).toBeLessThan(STOP_BUDGET_MS);
	expect(result.run.status).toBe('canceled');
	expect(result.error?.message).toBe('The execution was canceled');
	expect(result.error?.description).toContain('Stopped while waiting for');
	await pause(2500);
	expect(server.requests).toHaveLength(requests);
}
