import type { IExecuteSingleFunctions } from 'n8n-workflow';

/**
 * The context a synchronous operation's hooks expect, for a batch: `resource` reads as the batched
 * resource, so its hooks find their own Options and Simplify; `override` may answer other names.
 * Methods stay bound to n8n's context, whose private state a proxy cannot reach.
 */
export function asResource(
	context: IExecuteSingleFunctions,
	resource: string,
	override?: (name: string) => { value: unknown } | undefined,
): IExecuteSingleFunctions {
	const getNodeParameter = (name: string, fallback?: unknown, options?: object) => {
		if (name === 'resource') return resource;
		const replaced = override?.(name);
		if (replaced) return replaced.value === undefined ? fallback : replaced.value;
		return context.getNodeParameter(name, fallback as never, options as never);
	};
	return new Proxy(context, {
		get(target, property) {
			if (property === 'getNodeParameter') return getNodeParameter;
			const value = Reflect.get(target, property, target) as unknown;
			return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
		},
	});
}
