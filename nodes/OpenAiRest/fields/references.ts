import { InvalidParameter } from '../transport/errors';

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The ID an ID field was given: the ID itself, or an object with an `id` (such as the output of the
 * operation that created it), or that object as JSON text. Throws naming the field otherwise.
 */
export function idFrom(value: unknown, label: string, example: string): string {
	let candidate = value;
	if (typeof candidate === 'string' && candidate.trim().startsWith('{')) {
		try {
			candidate = JSON.parse(candidate) as unknown;
		} catch {
			// Not JSON: checked as an ID below.
		}
	}
	if (isRecord(candidate)) candidate = candidate.id;
	const id = typeof candidate === 'string' ? candidate.trim() : '';
	if (!id) {
		throw new InvalidParameter(label, `must be an ID such as ${example}, or an object with an "id"; got ${JSON.stringify(value) ?? 'nothing'}`);
	}
	if (/[\s/?#]/.test(id)) throw new InvalidParameter(label, `"${id}" is not an ID such as ${example}`);
	return id;
}
