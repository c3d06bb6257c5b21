/**
 * Benchmark (`npm run bench`): per-item cost of the node inside n8n's real engine, against the local
 * OpenAI-like server. Machines here are shared and noisy, so every figure is a ratio of two
 * measurements taken in the same run, interleaved, median of several rounds.
 *
 *   ITEMS=2000 ROUNDS=5 npm run bench
 */
import { performance } from 'node:perf_hooks';

import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../test/support/engine';
import { startOpenAiServer } from '../test/support/openai-server';

const ITEMS = Number(process.env.ITEMS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const message = { values: [{ role: 'user', content: 'Benchmark question' }] };

const minimalChat: INodeParameters = {
	resource: 'chat',
	operation: 'create',
	chatModel: 'gpt-4o-mini',
	messages: message,
};

const fullChat: INodeParameters = {
	...minimalChat,
	chatOptions: {
		frequencyPenalty: 0.1,
		logitBias: '{"50256": -100}',
		maxCompletionTokens: 64,
		metadata: '{"run": "bench"}',
		n: 1,
		presencePenalty: 0.1,
		seed: 7,
		stop: ['END'],
		temperature: 0.7,
		topP: 0.9,
		user: 'bench-user',
		responseFormat: 'json_object',
		serviceTier: 'auto',
		store: false,
		verbosity: 'low',
	},
};

const expressionChat: INodeParameters = {
	...minimalChat,
	messages: { values: [{ role: 'user', content: '={{ $json.question }}' }] },
	chatOptions: { temperature: '={{ $json.temperature }}' },
};

const streamedChat: INodeParameters = { ...minimalChat, chatOptions: { stream: true } };

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}

async function main() {
	const server = await startOpenAiServer({ streamChunkDelayMs: 0 });
	const credentials = { apiKey: 'sk-test-key', baseUrl: server.baseUrl() };
	const input = Array.from({ length: ITEMS }, (_, index) => ({ question: `Question ${index}`, temperature: 0.5 }));

	async function rawHttp(): Promise<void> {
		const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark question' }] });
		await Promise.all(
			input.map(async () => {
				const response = await fetch(`${server.baseUrl()}/chat/completions`, {
					method: 'POST',
					headers: { authorization: 'Bearer sk-test-key', 'content-type': 'application/json' },
					body,
				});
				await response.json();
			}),
		);
	}

	async function node(parameters: INodeParameters): Promise<void> {
		const { items, error } = await runNode(parameters, { credentials, input });
		if (error || items.length !== ITEMS) throw new Error(`benchmark run failed: ${error?.message ?? items.length}`);
	}

	const cases: Record<string, () => Promise<void>> = {
		rawHttp,
		minimal: async () => await node(minimalChat),
		allOptions: async () => await node(fullChat),
		expressions: async () => await node(expressionChat),
		streamed: async () => await node(streamedChat),
	};
	const timings: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));

	await cases.minimal(); // warm-up: module loading and JIT
	for (let round = 0; round < ROUNDS; round++) {
		for (const [name, run] of Object.entries(cases)) {
			server.reset();
			const start = performance.now();
			await run();
			timings[name].push(performance.now() - start);
		}
	}
	await server.close();

	const m = Object.fromEntries(Object.entries(timings).map(([name, values]) => [name, median(values)]));
	const ratio = (a: string, b: string) => (m[a] / m[b]).toFixed(2);
	console.log(`${ITEMS} items, ${ROUNDS} rounds, medians in one run (absolute times are noise here, ratios are the result):`);
	console.log(`  node (minimal chat) / raw HTTP of the same requests: ${ratio('minimal', 'rawHttp')}`);
	console.log(`  all options set / minimal:                          ${ratio('allOptions', 'minimal')}`);
	console.log(`  two expressions per item / minimal:                 ${ratio('expressions', 'minimal')}`);
	console.log(`  streamed / minimal:                                 ${ratio('streamed', 'minimal')}`);
	console.log(`  per item, minimal chat: ${(m.minimal / ITEMS).toFixed(3)} ms (for scale only)`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
