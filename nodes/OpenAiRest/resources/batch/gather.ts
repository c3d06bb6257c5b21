import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/**
 * Gathering the items of one node run into one batch. RoutingNode starts every item's request in one
 * synchronous loop (the Batching option aside) before it awaits any: each item's first preSend joins the
 * gathering synchronously, then records its finished request line or its failure. The items' pagination
 * hooks wait until the gathering is settled; the lowest item with a line submits for all.
 */

export interface BatchLine {
	custom_id: string;
	method: 'POST';
	url: string;
	body: unknown;
}

type Entry = { state: 'pending' } | { state: 'line'; line: BatchLine } | { state: 'failed' };

export interface Spacing {
	/** n8n's Batching option: items per group and milliseconds between groups (0: no spacing). */
	size: number;
	intervalMs: number;
}

export interface Gathering {
	total: number;
	spacing: Spacing;
	entries: Map<number, Entry>;
	lastJoinAt: number;
	settled?: Promise<Settled>;
	submission?: Promise<unknown>;
}

export interface Settled {
	/** Lines in item order, with their item index. */
	lines: Array<{ item: number; line: BatchLine }>;
	/** Items that failed in their preSend or never started (a parameter that could not be resolved). */
	lost: number[];
}

/** How long past the next expected group of the Batching option a gathering waits for it. */
export const GROUP_GRACE_MS = 5000;
const POLL_MS = 5;

const runs = new WeakMap<object, Gathering>();

/** One run's key: the execute data RoutingNode shares among the items of one node run. */
function runKey(context: IExecuteSingleFunctions): object {
	return context.getExecuteData?.() ?? context.getNode();
}

export function newGathering(total: number, spacing: Spacing, now = Date.now()): Gathering {
	return { total, spacing, entries: new Map(), lastJoinAt: now };
}

/** Joins the item to its run's gathering; a second join of an index means a new run (Retry On Fail). */
export function joinGathering(context: IExecuteSingleFunctions, create: () => Gathering): Gathering {
	const key = runKey(context);
	const item = context.getItemIndex();
	let gathering = runs.get(key);
	if (!gathering || gathering.entries.has(item)) {
		gathering = create();
		runs.set(key, gathering);
	}
	gathering.entries.set(item, { state: 'pending' });
	gathering.lastJoinAt = Date.now();
	return gathering;
}

export function gatheringOf(context: IExecuteSingleFunctions): Gathering | undefined {
	return runs.get(runKey(context));
}

export function recordLine(gathering: Gathering, item: number, line: BatchLine): void {
	gathering.entries.set(item, { state: 'line', line });
}

export function recordFailure(gathering: Gathering, item: number): void {
	gathering.entries.set(item, { state: 'failed' });
}

/** Whether RoutingNode's loop has started every item it will start. */
export function loopDone(gathering: Gathering, now = Date.now()): boolean {
	const { total, spacing, entries } = gathering;
	const highest = Math.max(...entries.keys());
	if (highest === total - 1 || spacing.intervalMs <= 0) return true;
	const group = (index: number) => Math.floor(index / Math.max(1, spacing.size));
	if (group(highest) === group(total - 1)) return true;
	// A later group may consist only of items that failed before their request started.
	return now - gathering.lastJoinAt > spacing.intervalMs + GROUP_GRACE_MS;
}

export function isSettled(gathering: Gathering, now = Date.now()): boolean {
	for (const entry of gathering.entries.values()) if (entry.state === 'pending') return false;
	return loopDone(gathering, now);
}

export function settledView(gathering: Gathering): Settled {
	const lines: Settled['lines'] = [];
	const lost: number[] = [];
	for (let item = 0; item < gathering.total; item++) {
		const entry = gathering.entries.get(item);
		if (entry?.state === 'line') lines.push({ item, line: entry.line });
		else lost.push(item);
	}
	return { lines, lost };
}

/** Waits until the gathering is settled; stopping the execution ends the wait at once. */
export async function whenSettled(gathering: Gathering, signal?: AbortSignal): Promise<Settled> {
	gathering.settled ??= (async () => {
		while (!isSettled(gathering)) await sleep(POLL_MS, signal);
		return settledView(gathering);
	})();
	return await gathering.settled;
}

/** Forgets a finished run. */
export function leaveGathering(context: IExecuteSingleFunctions, gathering: Gathering): void {
	const key = runKey(context);
	if (runs.get(key) === gathering) runs.delete(key);
}
