/** ID fields that take an ID, an earlier output with an id, or that output as JSON text. */
import { idFrom } from '../../../../nodes/OpenAiRest/fields/references';
import { InvalidParameter } from '../../../../nodes/OpenAiRest/transport/errors';

describe('idFrom', () => {
	it('takes an ID, trimmed', () => {
		expect(idFrom(' conv_123 ', 'Conversation ID', 'conv_abc')).toBe('conv_123');
	});

	it('takes the id of an object or of its JSON text, such as the output of Create', () => {
		expect(idFrom({ id: 'conv_123', object: 'conversation', metadata: {} }, 'Conversation ID', 'conv_abc')).toBe('conv_123');
		expect(idFrom('{"id": "conv_123", "object": "conversation"}', 'Conversation ID', 'conv_abc')).toBe('conv_123');
	});

	it('refuses what is not an ID, naming the field and an example', () => {
		for (const value of ['', '  ', undefined, null, 42, {}, { id: 7 }, ['conv_1']]) {
			expect(() => idFrom(value, 'Conversation ID', 'conv_abc')).toThrow(InvalidParameter);
		}
		expect(() => idFrom({ name: 'x' }, 'Conversation ID', 'conv_abc')).toThrow('Conversation ID: must be an ID such as conv_abc, or an object with an "id"; got {"name":"x"}');
		expect(() => idFrom('conv_1/items', 'Conversation ID', 'conv_abc')).toThrow('Conversation ID: "conv_1/items" is not an ID such as conv_abc');
		expect(() => idFrom('{not json', 'Conversation ID', 'conv_abc')).toThrow('is not an ID');
	});
});
