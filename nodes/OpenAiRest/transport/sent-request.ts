import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

/**
 * The body each item's request was sent with, for that item's postReceive hooks. RoutingNode hands
 * preSend and postReceive the same context object, so output hooks need not read (and evaluate) the
 * parameters again.
 */
const sentBodies = new WeakMap<object, IDataObject>();

/** preSend: remembers the final request body of the item. */
export async function rememberSentBody(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	sentBodies.set(this, { ...(requestOptions.body as IDataObject) });
	return requestOptions;
}

/** The body remembered for the item, or an empty object. */
export function sentBody(context: object): IDataObject {
	return sentBodies.get(context) ?? {};
}
