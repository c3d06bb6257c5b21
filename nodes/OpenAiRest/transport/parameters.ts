import type { IExecuteSingleFunctions } from 'n8n-workflow';

/**
 * RoutingNode resolves every top-level property for every item, so each user-set property has a name of
 * its own: a shared name would evaluate an expression once per property that carries it.
 */
export const optionsName = (resource: string) => `${resource}Options`;
export const simplifyName = (resource: string) => `${resource}Simplify`;

/** Reads an entry of the current resource's Options collection. */
export function readOption<T>(
	context: Pick<IExecuteSingleFunctions, 'getNodeParameter'>,
	key: string,
	fallback: T,
): T {
	const resource = context.getNodeParameter('resource', '') as string;
	return context.getNodeParameter(`${optionsName(resource)}.${key}`, fallback) as T;
}

/** Whether the current resource's Simplify toggle is on. */
export function isSimplified(context: Pick<IExecuteSingleFunctions, 'getNodeParameter'>): boolean {
	const resource = context.getNodeParameter('resource', '') as string;
	return context.getNodeParameter(simplifyName(resource), true) as boolean;
}
