import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { asResource } from '../../../../../nodes/OpenAiRest/resources/batch/context';
import { duplicateIds, nextPollMs } from '../../../../../nodes/OpenAiRest/resources/batch/hooks';

const line = (id: string) => ({ custom_id: id, method: 'POST' as const, url: '/v1/chat/completions', body: {} });

describe('batch hooks, pure parts', () => {
	it('finds custom IDs an earlier item already uses', () => {
		const entries = [{ item: 0, line: line('a') }, { item: 1, line: line('b') }, { item: 2, line: line('a') }, { item: 4, line: line('b') }];
		expect([...duplicateIds(entries)]).toEqual([[2, 0], [4, 1]]);
	});

	it('polls at growing intervals, at most every five minutes', () => {
		const waits = [1000];
		for (let i = 0; i < 20; i++) waits.push(nextPollMs(waits.at(-1)!));
		expect(waits.slice(0, 4)).toEqual([1000, 1500, 2250, 3375]);
		expect(Math.max(...waits)).toBe(300_000);
	});

	it('shows a synchronous hook the batched resource, keeping every other method bound to the real context', () => {
		class Context {
			#secret = 'bound';
			getNodeParameter(name: string, fallback?: unknown) {
				return name === 'batchSimplify' ? false : fallback;
			}
			secret() {
				return this.#secret;
			}
		}
		const real = new Context() as unknown as IExecuteSingleFunctions & { secret(): string };
		const view = asResource(real, 'chat', (name) => (name === 'chatSimplify' ? { value: real.getNodeParameter('batchSimplify') } : undefined)) as typeof real;
		expect(view.getNodeParameter('resource')).toBe('chat');
		expect(view.getNodeParameter('chatSimplify')).toBe(false);
		expect(view.getNodeParameter('chatOptions.temperature', 1)).toBe(1);
		expect(view.secret()).toBe('bound');
	});
});
