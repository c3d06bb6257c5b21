/** The governor's ties to n8n: recording a routed answer, the wait budget, the wording of waits. */
import type { DeclarativeRestApiSettings, IExecuteSingleFunctions, IN8nHttpFullResponse, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_MAX_WAIT_SECONDS, formatWait, recordAnswer, waitBudget } from '../../../../nodes/OpenAiRest/transport/rate-limit';

type Action = (this: unknown, items: INodeExecutionData[], response: IN8nHttpFullResponse) => Promise<INodeExecutionData[]>;

const requestData = (postReceive: DeclarativeRestApiSettings.ResultOptions['postReceive'] = []) =>
	({ options: {}, postReceive }) as unknown as DeclarativeRestApiSettings.ResultOptions;

const response = (body: unknown): IN8nHttpFullResponse => ({ body: body as IN8nHttpFullResponse['body'], statusCode: 200, headers: { 'x-ratelimit-remaining-requests': '7' } });

async function runFirst(data: DeclarativeRestApiSettings.ResultOptions, body: unknown): Promise<INodeExecutionData[]> {
	const action = data.postReceive[0].actions[0] as Action;
	return await action.call({}, [{ json: body as INodeExecutionData['json'] }], response(body));
}

describe('recordAnswer', () => {
	it("records status and headers, and splits an array body as n8n does when the operation has no post-receive of its own", async () => {
		const data = requestData();
		const answer = recordAnswer(data);
		expect(data.postReceive).toHaveLength(1);
		expect(await runFirst(data, [{ id: 'a' }, { id: 'b' }])).toEqual([{ json: { id: 'a' } }, { json: { id: 'b' } }]);
		expect(answer).toEqual({ status: 200, headers: { 'x-ratelimit-remaining-requests': '7' } });
	});

	it("passes the items on untouched before the operation's own post-receive actions", async () => {
		const own = { actions: [{ type: 'rootProperty', properties: { property: 'data' } }], data: { parameterValue: undefined } };
		const data = requestData([own] as DeclarativeRestApiSettings.ResultOptions['postReceive']);
		recordAnswer(data);
		expect(data.postReceive[1]).toBe(own);
		expect(await runFirst(data, [{ id: 'a' }])).toEqual([{ json: [{ id: 'a' }] }]);
	});

	it('keeps one recorder, the latest, when a hook sends page after page with the same list', async () => {
		const data = requestData();
		const first = recordAnswer(data);
		const second = recordAnswer({ ...data, options: {} } as DeclarativeRestApiSettings.ResultOptions);
		expect(data.postReceive).toHaveLength(1);
		expect(await runFirst(data, [{ id: 'a' }])).toEqual([{ json: { id: 'a' } }]);
		expect(second.status).toBe(200);
		expect(first.status).toBeUndefined();
	});
});

describe('waitBudget', () => {
	it('reads Max Wait for Rate Limits only when asked, in seconds, falling back to the default', () => {
		const getNodeParameter = jest.fn((name: string, fallback: unknown) => (name === 'resource' ? 'chat' : fallback));
		const budget = waitBudget({ getNodeParameter } as unknown as IExecuteSingleFunctions);
		expect(getNodeParameter).not.toHaveBeenCalled();
		expect(budget.maxMs()).toBe(DEFAULT_MAX_WAIT_SECONDS * 1000);
		getNodeParameter.mockImplementation((name: string) => (name === 'resource' ? 'chat' : name === 'chatOptions.maxRateLimitWait' ? 2.5 : -1));
		expect(budget.maxMs()).toBe(2500);
		getNodeParameter.mockImplementation((name: string) => (name === 'resource' ? 'chat' : -1));
		expect(budget.maxMs()).toBe(DEFAULT_MAX_WAIT_SECONDS * 1000);
	});
});

describe('formatWait', () => {
	it.each([
		[350.4, '350 ms'],
		[1000, '1 s'],
		[59_400, '59 s'],
		[60_000, '1 min'],
		[65_000, '1 min 5 s'],
		[600_000, '10 min'],
	])('%d ms reads "%s"', (ms, text) => {
		expect(formatWait(ms)).toBe(text);
	});
});
