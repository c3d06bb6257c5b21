/** Stopping a run while a node waits for a job: the run ends at once, and nothing more reaches the server. */
import type { INodeParameters } from 'n8n-workflow';

import { runNode, type TestCredentials } from './engine';
import type { OpenAiServer } from './openai-server';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the node, stops the execution once the server has `requests` requests and has answered them (so the node is
 * in a pause between polls), and expects a quick cancel and no request after it, not even at the next poll's time.
 */
export async function expectStopMidWait(server: OpenAiServer, credentials: TestCredentials, parameters: INodeParameters, requests: number): Promise<void> {
	const stop = new AbortController();
	const running = runNode(parameters, { credentials, stopSignal: stop.signal });
	while (server.requests.length < requests || !server.requests.every((request) => request.answered)) await pause(5);
	const stoppedAt = Date.now();
	stop.abort();
	const result = await running;
	expect(Date.now() - stoppedAt).toBeLessThan(500);
	expect(result.run.status).toBe('canceled');
	expect(result.error?.message).toBe('The execution was canceled');
	expect(result.error?.description).toContain('Stopped while waiting for');
	await pause(1600);
	expect(server.requests).toHaveLength(requests);
}
