/** Cursor paging through n8n's engine: page sizes, the `after` cursor, Limit, and a server whose cursor never moves. */
import { runNode } from '../../../support/engine';
import { useOpenAiServer } from '../../../support/fixture';

const fixture = useOpenAiServer();

const listItems = (extra = {}) => ({ resource: 'conversation', operation: 'listItems', conversationId: 'conv_000001', ...extra });

describe('readCursorPages', () => {
	it('reads pages of 100 after the last ID of each, until the API has no more', async () => {
		fixture.server().conversations.seed(250);
		const { items } = await runNode(listItems({ conversationReturnAll: true, conversationOptions: { order: 'asc' } }), { credentials: fixture.credentials() });
		expect(items).toHaveLength(250);
		const queries = fixture.server().requests.map((request) => Object.fromEntries(new URLSearchParams(request.fullPath.split('?')[1])));
		expect(queries).toEqual([
			{ order: 'asc', limit: '100' },
			{ order: 'asc', limit: '100', after: items[99].json.id },
			{ order: 'asc', limit: '100', after: items[199].json.id },
		]);
	});

	it('asks only for what Limit still needs', async () => {
		fixture.server().conversations.seed(250);
		const { items } = await runNode(listItems({ conversationLimit: 130 }), { credentials: fixture.credentials() });
		expect(items).toHaveLength(130);
		expect(fixture.server().requests.map((request) => new URLSearchParams(request.fullPath.split('?')[1]).get('limit'))).toEqual(['100', '30']);
	});

	it('stops when a page does not move the cursor', async () => {
		fixture.server().conversations.seed(3);
		const stuck = { object: 'list', data: [{ type: 'message', id: 'msg_x', role: 'user', content: [] }], first_id: 'msg_x', last_id: 'msg_x', has_more: true };
		fixture.server().failAlways(() => true, { status: 200, body: stuck });
		const { items, error } = await runNode(listItems({ conversationReturnAll: true }), { credentials: fixture.credentials() });
		expect(error).toBeUndefined();
		expect(fixture.server().requests).toHaveLength(2);
		expect(items).toHaveLength(2);
	});
});
