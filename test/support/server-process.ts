/** The OpenAI-like server in a child process (see server-process-child.js), for load tests. */
import { fork } from 'node:child_process';
import { join } from 'node:path';

import type { Fault, OpenAiServerOptions } from './openai-server';

export interface ServerProcessOptions {
	server?: OpenAiServerOptions;
	/** Chat requests whose first message starts with this text get `rejectFault`. */
	rejectContentPrefix?: string;
	rejectFault?: Fault;
}

export interface ServerProcess {
	baseUrl: string;
	/** How many requests the server received. */
	requestCount(): Promise<number>;
	close(): Promise<void>;
}

export async function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
	const child = fork(join(__dirname, 'server-process-child.js'), [JSON.stringify(options)], { execArgv: [], stdio: 'inherit' });
	const next = <T>() =>
		new Promise<T>((resolve, reject) => {
			child.once('message', (message) => resolve(message as T));
			child.once('exit', (code) => reject(new Error(`the server process exited with code ${code}`)));
		});
	const { baseUrl } = await next<{ baseUrl: string }>();
	return {
		baseUrl,
		requestCount: async () => {
			const answer = next<{ requests: number }>();
			child.send('requests');
			return (await answer).requests;
		},
		close: async () => {
			if (child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.send('close');
			await exited;
		},
	};
}
