import type { IDataObject } from 'n8n-workflow';

import {
	checkAttributes,
	checkFilter,
	fileContentRow,
	fileIdList,
	searchHits,
	shapeVectorStoreBody,
} from '../../../../../nodes/OpenAiRest/resources/vectorStore/hooks';
import { readExample, requireSpec } from '../../../../support/spec';

const withSpec = requireSpec('vector store hooks against OpenAI examples') ? it : it.skip;
const shaped = (body: IDataObject, operation: string) => {
	shapeVectorStoreBody(body, operation);
	return body;
};

describe('shapeVectorStoreBody', () => {
	it('puts the expiry, the chunk sizes and the lists in the API\'s shapes', () => {
		expect(
			shaped({ name: 'kb', file_ids: ' a, b ,\nc ', expires_after: 3, chunking_strategy: { static: { max_chunk_size_tokens: 600 } }, metadata: '{"k": "v"}' }, 'create'),
		).toEqual({
			name: 'kb',
			file_ids: ['a', 'b', 'c'],
			expires_after: { anchor: 'last_active_at', days: 3 },
			chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 600, chunk_overlap_tokens: 300 } },
			metadata: { k: 'v' },
		});
	});

	it('leaves out what is empty, but sends empty attributes to clear them', () => {
		expect(shaped({ name: '', description: '', file_ids: '', metadata: '{}', attributes: '' }, 'create')).toEqual({ metadata: {} });
		expect(shaped({ attributes: '{}' }, 'updateFile')).toEqual({ attributes: {} });
		expect(shaped({ filters: '{}', query: 'x' }, 'search')).toEqual({ query: 'x' });
	});

	it('takes an overlap alone with the default size, and refuses one above half the size', () => {
		expect(shaped({ chunking_strategy: { static: { chunk_overlap_tokens: 100 } } }, 'addFile').chunking_strategy).toEqual({
			type: 'static',
			static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 100 },
		});
		expect(() => shaped({ chunking_strategy: { static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 51 } } }, 'create')).toThrow(
			'Chunk Overlap (Tokens): must be at most half of Chunk Size (100), got 51',
		);
	});

	it('limits the number of files per operation', () => {
		const ids = Array.from({ length: 501 }, (_, index) => `file-${index}`);
		expect(() => shaped({ file_ids: ids.join(',') }, 'create')).toThrow('Options: File IDs: allows at most 500 files, got 501');
		expect(shaped({ file_ids: ids }, 'addFiles').file_ids).toHaveLength(501);
		expect(() => shaped({ file_ids: [] }, 'addFiles')).toThrow('File IDs: must name at least one file');
	});
});

describe('checks', () => {
	it('takes attributes as text or object, and refuses nested values and long strings', () => {
		expect(checkAttributes('Attributes', { a: 1, b: true, c: 'x' })).toEqual({ a: 1, b: true, c: 'x' });
		expect(() => checkAttributes('Attributes', '[1]')).toThrow('Attributes: must be a JSON object, got an array');
		expect(() => checkAttributes('Attributes', { a: null })).toThrow('the value of "a" must be a string, number or boolean, got null');
		expect(() => checkAttributes('Attributes', { a: 'x'.repeat(513) })).toThrow('the value of "a" is longer than 512 characters');
		expect(() => checkAttributes('Attributes', { ['k'.repeat(65)]: 1 })).toThrow('is longer than 64 characters');
	});

	it('checks nested filters down to the comparison at fault', () => {
		expect(() => checkFilter({ type: 'and', filters: [{ type: 'eq', key: 'a', value: 1 }, { type: 'or', filters: [{ type: 'gt', key: 'b' }] }] })).toThrow(
			'Filters: Filters.filters[1].filters[0] needs a "value"',
		);
		expect(() => checkFilter({ type: 'or', filters: [] })).toThrow('needs a non-empty "filters" array');
		expect(() => checkFilter({ type: 'nin', key: 'a', value: ['x', 1] })).not.toThrow();
		expect(() => checkFilter({ key: 'a', value: 'x' })).not.toThrow();
	});

	it('reads file IDs from text or an array', () => {
		expect(fileIdList('File IDs', ['a ', ' b'], 5)).toEqual(['a', 'b']);
		expect(fileIdList('File IDs', ' ,\n', 5)).toBeUndefined();
	});
});

describe('output rows', () => {
	withSpec('gives one row per hit of OpenAI\'s search example, with its score, file and text', () => {
		const example = JSON.parse(readExample('latest', 'searchVectorStore-0-Default.json')!) as IDataObject;
		expect(searchHits(example)).toEqual([
			{ score: 0.95, file_id: 'file_123', filename: 'document.pdf', text: 'Relevant chunk', attributes: { author: 'John Doe', date: '2023-01-01' } },
			{ score: 0.89, file_id: 'file_456', filename: 'notes.txt', text: 'Sample text content from the vector store.', attributes: { author: 'Jane Smith', date: '2023-01-02' } },
		]);
	});

	it('reads file content from the spec\'s data or the older example\'s content', () => {
		expect(fileContentRow({ data: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], has_more: false })).toEqual({ text: 'a\n\nb' });
		expect(fileContentRow({ file_id: 'file-abc123', filename: 'example.txt', attributes: { key: 'value' }, content: [{ type: 'text', text: '...' }] })).toEqual({
			file_id: 'file-abc123',
			filename: 'example.txt',
			attributes: { key: 'value' },
			text: '...',
		});
	});
});
