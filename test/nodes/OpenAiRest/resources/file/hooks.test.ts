import type { IDataObject } from 'n8n-workflow';

import { fileExpiry, mimeTypeFromName } from '../../../../../nodes/OpenAiRest/resources/file/hooks';

describe('fileExpiry', () => {
	it('wraps seconds into the expires_after object and leaves a body without it alone', () => {
		const body: IDataObject = { purpose: 'batch', expires_after: 3600 };
		fileExpiry(body);
		expect(body).toStrictEqual({ purpose: 'batch', expires_after: { anchor: 'created_at', seconds: 3600 } });
		const plain: IDataObject = { purpose: 'batch' };
		fileExpiry(plain);
		expect(plain).toStrictEqual({ purpose: 'batch' });
	});
});

describe('mimeTypeFromName', () => {
	it.each([
		['train.jsonl', 'application/jsonl'],
		['Report.PDF', 'application/pdf'],
		['photo.jpeg', 'image/jpeg'],
		['archive.tar.gz', 'application/octet-stream'],
		['no-extension', 'application/octet-stream'],
	])('%s is %s', (name, mimeType) => {
		expect(mimeTypeFromName(name)).toBe(mimeType);
	});
});
