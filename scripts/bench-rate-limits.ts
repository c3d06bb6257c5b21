/**
 * The benchmark's "rate limits" section: N chat items against a server limited like OpenAI (requests per
 * minute, a burst, latency per answer), with `x-ratelimit-*` headers and in bare mode, for this node,
 * n8n's built-in OpenAI node and n8n's LangChain OpenAI node v2 (Text → Response). Each run meets the
 * limited server cold: its warm-up goes to another server, and every run gets a fresh server and bucket.
 *
 *   SECTIONS=rate-limits RL_ITEMS=2000 RL_CONTENDERS=ours-limited npm run bench
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { startOpenAiServer } from '../test/support/openai-server';
import { RATE_LIMIT_CONTENDERS, type RateLimitContender, type WorkerResult, type WorkerTask } from './bench-worker';

const ITEMS = Number(process.env.RL_ITEMS ?? 2000);
const RPM = 3000;
const BURST = 50;
const LATENCY_MS = 200;
const MODES = (process.env.RL_MODES ?? 'headers,bare').split(',') as Mode[];
const SELECTED = (process.env.RL_CONTENDERS ?? RATE_LIMIT_CONTENDERS.join(',')).split(',') as RateLimitContender[];

type Mode = 'headers' | 'bare';

const LABELS: Record<RateLimitContender, string> = {
	'ours-limited': 'OpenAI REST (this node)',
	'builtin-limited': "n8n's built-in OpenAI node (nodes-base 1.1)",
	'langchain-limited': "n8n's LangChain OpenAI node v2 (Text → Response)",
};

const MODE_TEXT: Record<Mode, string> = {
	headers: "x-ratelimit-* headers, OpenAI's 429",
	bare: 'bare: no headers, generic 429',
};

interface Row {
	contender: RateLimitContender;
	mode: Mode;
	result?: WorkerResult;
	refused?: number;
	error?: string;
}

/** The shortest run the limit allows: the burst at once, the rest at the refill rate, plus one answer's latency. */
export const idealMs = (items: number) => (Math.max(0, items - BURST) / (RPM / 60_000)) + LATENCY_MS;

export async function runRateLimits(runtime: string | undefined, runWorker: (task: WorkerTask) => Promise<WorkerResult>): Promise<string> {
	const loadAtStart = loadavg()[0];
	const contenders = SELECTED.filter((contender) => runtime || contender === 'ours-limited');
	const warm = await startOpenAiServer({ streamChunkDelayMs: 0 });
	const rows: Row[] = [];
	try {
		for (const mode of MODES) {
			for (const contender of contenders) {
				const server = await startOpenAiServer({ responseDelayMs: LATENCY_MS, rateLimit: { rpm: RPM, burst: BURST, mode: mode === 'bare' ? 'bare' : 'openai' } });
				try {
					const result = await runWorker({ contender, items: ITEMS, baseUrl: server.baseUrl(), warmUpUrl: warm.baseUrl(), runtimeDir: runtime });
					const refused = server.rateLimitStats()?.refused ?? 0;
					rows.push({ contender, mode, result, refused });
					console.log(`rate limits  ${mode.padEnd(7)} ${contender.padEnd(18)} ok ${result.ok} failed ${result.failed} 429s ${refused} ${(result.ms / 1000).toFixed(1)} s`);
				} catch (error) {
					rows.push({ contender, mode, error: (error as Error).message.split('\n').slice(0, 3).join(' ') });
					console.log(`rate limits  ${mode} ${contender} failed: ${(error as Error).message}`);
				} finally {
					await server.close();
				}
			}
		}
	} finally {
		await warm.close();
	}
	writeFileSync(join(process.cwd(), 'docs', 'benchmarks-rate-limits.svg'), svgPlot(rows));
	const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadAtStart.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end`;
	return report(rows, machine);
}

function ratio(row: Row): number | undefined {
	return row.result ? row.result.ms / idealMs(ITEMS) : undefined;
}

function report(rows: Row[], machine: string): string {
	const ideal = idealMs(ITEMS);
	const table = rows.map((row) => {
		if (!row.result) return `| ${LABELS[row.contender]} | ${MODE_TEXT[row.mode]} | – | – | – | – | not measured: ${row.error} |`;
		const { ok = 0, failed = 0, ms } = row.result;
		return `| ${LABELS[row.contender]} | ${MODE_TEXT[row.mode]} | ${ok} | ${failed} | ${row.refused} (${((100 * row.refused!) / ITEMS).toFixed(1)} %) | ${(ms / 1000).toFixed(1)} | ${ratio(row)!.toFixed(2)} |`;
	});
	const ours = (mode: Mode) => rows.find((row) => row.contender === 'ours-limited' && row.mode === mode);
	const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'met' : 'missed');
	const headers = ours('headers');
	const bare = ours('bare');
	const targets = [
		['with headers: items ok', headers?.result ? `${headers.result.ok} of ${ITEMS}` : 'not measured', `${ITEMS} of ${ITEMS}`, verdict(headers?.result && headers.result.ok === ITEMS)],
		['with headers: 429 answers / items', headers?.result ? `${((100 * headers.refused!) / ITEMS).toFixed(1)} %` : 'not measured', '≤ 3 %', verdict(headers?.result && headers.refused! <= 0.03 * ITEMS)],
		['with headers: wall / ideal', headers?.result ? ratio(headers)!.toFixed(2) : 'not measured', '≤ 1.15', verdict(headers?.result && ratio(headers)! <= 1.15)],
		['bare: items ok', bare?.result ? `${bare.result.ok} of ${ITEMS}` : 'not measured', `${ITEMS} of ${ITEMS}`, verdict(bare?.result && bare.result.ok === ITEMS)],
		['bare: wall / ideal', bare?.result ? ratio(bare)!.toFixed(2) : 'not measured', '≤ 1.5', verdict(bare?.result && ratio(bare)! <= 1.5)],
	].map((cells) => `| ${cells.join(' | ')} |`);
	return [
		'## Rate limits',
		'',
		`${ITEMS} chat items in one execution against a server limited like OpenAI: ${RPM.toLocaleString('en-US')} requests per minute`,
		`(${RPM / 60} per second), a burst of ${BURST}, ${LATENCY_MS} ms per answer; a refused request is answered at once.`,
		`The ideal run takes (N − burst) / rate + latency = ${(ideal / 1000).toFixed(1)} s. Continue On Fail is on, so an item the`,
		"node gives up on comes out as an error item; n8n's own Retry On Fail is off. Every run meets a fresh server cold: its",
		`warm-up goes to another server. Run on ${new Date().toISOString().slice(0, 10)}: ${machine}.`,
		'',
		'![wall / ideal per node and mode](benchmarks-rate-limits.svg)',
		'',
		'| node | server | items ok | items failed | 429 answers | wall s | wall / ideal |',
		'| --- | --- | --- | --- | --- | --- | --- |',
		...table,
		'',
		'### Targets (this node)',
		'',
		'| measure | this run | target | |',
		'| --- | --- | --- | --- |',
		...targets,
		'',
		RATE_LIMIT_NOTES,
	].join('\n');
}

const RATE_LIMIT_NOTES = `### What the figures mean

- **This node** sends every request through its rate-limit governor (see the README, "Bulk runs and rate limits").
  The first request on a key the process has not seen goes alone; its answer tells the governor whether the server
  limits. With headers it mirrors the server's bucket and lets waiting items go in order, one per refill, keeping a
  tenth of the burst unused. In bare mode nothing tells it there is a limit until the first 429s: the first wave goes
  out at once, as it would without a limit, and is mostly refused; from then on the governor caps the requests in
  flight (halved after a 429, one more per round of successes), so the 429 count of a bare run is mostly that first
  wave. A 429 costs an item no retry, only waiting time.
- **The ideal leaves n8n out.** RoutingNode prepares every item (parameters, expressions, request options) in one
  synchronous loop before the first request leaves; for 2,000 items that takes seconds (see the chat section), and it
  adds to every contender's wall time. So does sending 2,000 requests at once in bare mode. On a loaded machine both
  grow; wall / ideal is then above what the governor itself costs.
- **n8n's built-in node** (nodes-base) sends all items at once and has no retry: every refused request is a failed item.
- **The LangChain node v2** sends one item at a time, so it never meets the limit; its wall time is N × latency.`;

/** Bars of wall / ideal per node, headers and bare side by side; failed items written on the bar. */
function svgPlot(rows: Row[]): string {
	const width = 720;
	const height = 360;
	const pad = { left: 60, right: 20, top: 40, bottom: 80 };
	const contenders = [...new Set(rows.map((row) => row.contender))];
	const maxRatio = Math.max(2, ...rows.map((row) => ratio(row) ?? 0));
	const groupWidth = (width - pad.left - pad.right) / Math.max(1, contenders.length);
	const barWidth = Math.min(60, groupWidth / 3);
	const y = (value: number) => height - pad.bottom - (value / maxRatio) * (height - pad.top - pad.bottom);
	const colors: Record<Mode, string> = { headers: '#1f77b4', bare: '#ff7f0e' };
	const bars = contenders.flatMap((contender, group) =>
		MODES.map((mode, index) => {
			const row = rows.find((candidate) => candidate.contender === contender && candidate.mode === mode);
			const value = row ? (ratio(row) ?? 0) : 0;
			const x = pad.left + group * groupWidth + groupWidth / 2 - barWidth + index * barWidth;
			const label = row?.result ? `${value.toFixed(2)}${row.result.failed ? `, ${row.result.failed} failed` : ''}` : 'n/a';
			return `<rect x="${x.toFixed(1)}" y="${y(value).toFixed(1)}" width="${barWidth - 4}" height="${(height - pad.bottom - y(value)).toFixed(1)}" fill="${colors[mode]}"/>` +
				`<text x="${(x + barWidth / 2 - 2).toFixed(1)}" y="${(y(value) - 4).toFixed(1)}" font-size="10" text-anchor="middle">${label}</text>`;
		}),
	);
	const names = contenders.map((contender, group) => {
		const x = pad.left + group * groupWidth + groupWidth / 2;
		return `<text x="${x.toFixed(1)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle">${LABELS[contender].replace(/ \(.*\)$/, '').replace(/'/g, '&#39;')}</text>`;
	});
	const ideal = `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(1)}" y2="${y(1)}" stroke="#2ca02c" stroke-dasharray="4 3"/>` +
		`<text x="${width - pad.right}" y="${y(1) - 4}" font-size="10" text-anchor="end">ideal</text>`;
	const legend = MODES.map((mode, index) =>
		`<rect x="${pad.left + index * 260}" y="${height - 30}" width="12" height="12" fill="${colors[mode]}"/><text x="${pad.left + 18 + index * 260}" y="${height - 20}" font-size="11">${MODE_TEXT[mode]}</text>`,
	);
	const ticks = [0, 0.5, 1, 1.5, 2, maxRatio > 2 ? maxRatio : undefined].filter((tick): tick is number => tick !== undefined).map(
		(tick) => `<text x="${pad.left - 6}" y="${y(tick) + 4}" font-size="10" text-anchor="end">${tick.toFixed(1)}</text>`,
	);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
		`<rect width="100%" height="100%" fill="white"/>` +
		`<text x="${pad.left}" y="20" font-size="13">${ITEMS} chat items, ${RPM} RPM, burst ${BURST}, ${LATENCY_MS} ms: wall time / ideal (lower is better)</text>` +
		`<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#333"/>` +
		`<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#333"/>` +
		`${ticks.join('')}${ideal}${bars.join('')}${names.join('')}${legend.join('')}</svg>\n`;
}
