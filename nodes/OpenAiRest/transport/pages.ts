import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, INodeExecutionData } from 'n8n-workflow';

import { runsAsTool } from './errors';
import { sendWithRetries } from './send';

/** The largest page OpenAI's cursor-paged lists serve. */
export const MAX_PAGE_SIZE = 100;

type Send = (this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions) => Promise<INodeExecutionData[]>;

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a cursor-paged list (`data`, `has_more`, `last_id`) in pages of up to 100, each after the last ID of
 * the one before, until `limit` rows are in or the API has no more. A page that does not move the cursor
 * ends the list, so a faulty server cannot loop it.
 */
export async function readCursorPages(
	context: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
	limit: number,
	send: Send = sendWithRetries,
): Promise<IDataObject[]> {
	const rows: IDataObject[] = [];
	let after: string | undefined;
	for (;;) {
		const qs = { ...requestData.options.qs, limit: Math.min(MAX_PAGE_SIZE, limit - rows.length), ...(after ? { after } : {}) };
		const [page] = await send.call(context, { ...requestData, options: { ...requestData.options, qs } });
		const body = page?.json ?? {};
		const data = Array.isArray(body.data) ? body.data.filter(isRecord) : [];
		rows.push(...data);
		const last = typeof body.last_id === 'string' ? body.last_id : undefined;
		if (body.has_more !== true || !data.length || !last || last === after || rows.length >= limit) break;
		after = last;
	}
	return rows.slice(0, limit);
}

export interface PageOptions {
	/** The `limit` asked for with Return All: the endpoint's largest page. Unset, the API's default page. */
	pageSize?: number;
	/** An entry as an agent's tool shows it. */
	compact?: (entry: IDataObject) => IDataObject;
}

interface CursorPage {
	data?: IDataObject[];
	has_more?: boolean;
	last_id?: string | null;
}

/**
 * The pagination hook of a List on a cursor-paged endpoint: one item per entry. With the Return All
 * parameter on it asks for pages of `pageSize` and follows `after` = `last_id` while the API says
 * `has_more`; otherwise the routed Limit decides and one page is read.
 */
export function cursorPages(returnAllParameter: string, { pageSize, compact }: PageOptions = {}) {
	return async function readPages(
		this: IExecutePaginationFunctions,
		requestData: DeclarativeRestApiSettings.ResultOptions,
	): Promise<INodeExecutionData[]> {
		const returnAll = this.getNodeParameter(returnAllParameter, false) as boolean;
		const entries: IDataObject[] = [];
		let after: string | undefined;
		for (;;) {
			const qs = { ...requestData.options.qs, ...(returnAll && pageSize ? { limit: pageSize } : {}), ...(after ? { after } : {}) };
			const [page] = await sendWithRetries.call(this, { ...requestData, options: { ...requestData.options, qs } });
			const body = (page?.json ?? {}) as CursorPage;
			entries.push(...(body.data ?? []));
			const last = body.last_id ?? (body.data?.at(-1)?.id as string | undefined);
			// A page that does not move the cursor would repeat forever.
			if (!returnAll || body.has_more !== true || !last || last === after) break;
			after = last;
		}
		const item = this.getItemIndex();
		const rows = compact && runsAsTool(this) ? entries.map(compact) : entries;
		return rows.map((json) => ({ json, pairedItem: { item } }));
	};
}
