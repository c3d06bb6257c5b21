/**
 * Benchmark (`npm run bench`): the node's per-item cost inside n8n's real engine against the local
 * OpenAI-like server, beside the engine floor, n8n's built-in OpenAI node and raw HTTP. Machines here are
 * shared and noisy, so contenders run interleaved in one run, each measurement in a process of its own
 * (for its peak RSS), and the results are medians and ratios. Writes docs/benchmarks.md and its SVG plot.
 *
 *   ROUNDS=3 SIZES=200,2000 npm run bench
 *   SECTIONS=rate-limits npm run bench      (some sections: chat, rate-limits, transfers; the report keeps the others' text)
 *   BENCH=transfers npm run bench           (only the large-file section, see bench-transfers.ts)
 *   BASELINE=main                           (git ref of "this node before the change", default main)
 *   BASELINE='3d66dda=before the governor;bf31095=before the new resources'
 *                                           (several, `;` between, each `ref` or `ref=what it is`; the first is held to 5 %)
 *   CHAT_CONTENDERS=ours-fixed,baseline-fixed (a subset of the chat section's contenders)
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

import { DirectoryLoader } from 'n8n-core';
import type { INodeProperties, INodeType } from 'n8n-workflow';

import { loadOptions, nodeType } from '../test/support/engine';
import { startOpenAiServer } from '../test/support/openai-server';
import { CONTENDERS, type Contender, median, type StreamResult, type WorkerResult, type WorkerTask } from './bench-worker';
import { runRateLimits } from './bench-rate-limits';
import { currentSection, spliceSection, transferSection } from './bench-transfers';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SIZES = (process.env.SIZES ?? '200,2000').split(',').map(Number);
const REPO = process.cwd();
const LATENCY_MS = 50;
const BATCH_SIZE = 10;
const LOAD_AT_START = loadavg()[0].toFixed(1);
const SECTIONS = (process.env.SECTIONS ?? 'chat,rate-limits,transfers').split(',');
/** This node on other git refs, each run as a contender of its own ("baseline-fixed@<ref>"). */
const BASELINES = (process.env.BASELINE ?? 'main')
	.split(';')
	.map((spec) => spec.trim())
	.filter(Boolean)
	.map((spec) => {
		const [ref, ...what] = spec.split('=');
		return { ref: ref.trim(), what: what.join('=').trim() };
	});

/** A chat contender, or this node on one of the baselines. */
type Entry = Contender | `baseline-fixed@${string}`;
const baselineEntry = (ref: string): Entry => `baseline-fixed@${ref}`;
const refOf = (entry: Entry) => (entry.startsWith('baseline-fixed@') ? entry.slice('baseline-fixed@'.length) : undefined);

const LABELS: Record<Contender, string> = {
	'ours-fixed': 'OpenAI REST (this node), fixed values',
	'ours-expr': 'OpenAI REST (this node), model and content by expression',
	'floor-fixed': 'engine floor (4-property declarative node), fixed values',
	'floor-expr': 'engine floor, model and content by expression',
	'floor-wide-fixed': 'engine floor with as many top-level properties as this node (the rest hidden), fixed values',
	'builtin-fixed': "n8n's built-in OpenAI node, fixed values",
	'builtin-expr': "n8n's built-in OpenAI node, model and content by expression",
	'raw-http': 'raw HTTP (fetch, same concurrency)',
	'ours-batched': `OpenAI REST, Batching ${BATCH_SIZE} items per ${LATENCY_MS} ms, ${LATENCY_MS} ms server latency`,
	'baseline-fixed': 'OpenAI REST on a baseline, fixed values',
};

function labelOf(entry: Entry): string {
	const ref = refOf(entry);
	if (ref === undefined) return LABELS[entry as Contender];
	const what = BASELINES.find((baseline) => baseline.ref === ref)?.what;
	return `OpenAI REST as on ${ref}${what ? ` (${what})` : ''}, fixed values`;
}

/** The pinned n8n runtime that `npm start` installs, if it is there. */
function runtimeDir(): string | undefined {
	const runtime = require(join(REPO, 'scripts', 'n8n-runtime.js')) as { resolveSettings: () => { dir: string; version: string } };
	const { dir } = runtime.resolveSettings();
	return existsSync(join(dir, '.runtime-complete.json')) ? dir : undefined;
}

/** This package's node as it is on `ref`, compiled into a temporary folder; undefined when git cannot give it. */
function buildBaseline(ref: string): string | undefined {
	const folder = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
	try {
		execFileSync('sh', ['-c', `git archive ${JSON.stringify(ref)} nodes credentials tsconfig.json tsconfig.build.json | tar -x -C ${JSON.stringify(folder)}`], { cwd: REPO });
		symlinkSync(join(REPO, 'node_modules'), join(folder, 'node_modules'));
		execFileSync(join(REPO, 'node_modules', '.bin', 'tsc'), ['-p', join(folder, 'tsconfig.build.json'), '--outDir', join(folder, 'dist')], { cwd: folder });
		return join(folder, 'dist', 'nodes', 'OpenAiRest', 'OpenAiRest.node.js');
	} catch (error) {
		console.log(`No baseline from ${ref}: ${(error as Error).message.split('\n')[0]}`);
		return undefined;
	}
}

/** How many top-level properties a compiled node has as n8n loads it (with the Request Options n8n adds), like this node's count. */
function widthOf(file: string): number {
	const { OpenAiRest: Node } = require(file) as { OpenAiRest: new () => INodeType };
	const node = new Node();
	DirectoryLoader.applyDeclarativeNodeOptionParameters(node);
	return node.description.properties.length;
}

/** Runs one measurement in a child process; asynchronously, since the servers live in this process. */
function runWorker(task: WorkerTask, nodeFlags: string[] = []): Promise<WorkerResult> {
	return new Promise((resolve, reject) => {
		const args = [...nodeFlags, join(__dirname, 'bench-worker.js'), JSON.stringify(task)];
		const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (data: Buffer) => (stdout += data));
		child.stderr.on('data', (data: Buffer) => (stderr += data));
		// A measurement that takes this long is broken, not slow (one item at a time against a limit takes minutes).
		const timer = setTimeout(() => child.kill('SIGKILL'), 20 * 60_000);
		child.on('error', reject);
		child.on('close', (code) => {
			clearTimeout(timer);
			if (code !== 0) reject(new Error(`${task.contender} × ${task.items} failed:\n${stderr}`));
			else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as WorkerResult);
		});
	});
}

interface CpuProfile {
	nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
	samples: number[];
	timeDeltas: number[];
}

/** Where a function's code lives, in the words of the report. */
function partOf(url: string, functionName: string): string {
	if (functionName === '(garbage collector)') return 'garbage collection';
	if (/nodes\/OpenAiRest|credentials\/OpenAiApi/.test(url)) return "this node's hooks";
	if (url.includes('routing-node')) return 'n8n-core RoutingNode';
	if (url.includes('n8n-workflow')) return 'n8n-workflow (expressions, parameters, display rules)';
	if (url.includes('n8n-core')) return 'n8n-core, other';
	if (/axios|follow-redirects|node:_?http|node:net|node:stream|node:internal\/(http|net|stream)/.test(url)) return 'HTTP client';
	if (url.includes('lodash')) return 'lodash (merging request options)';
	return 'other (Node.js, module loading, idle)';
}

/** Self time (ms) per part of the code in a CPU profile of one worker run. */
async function profileShares(task: WorkerTask): Promise<Map<string, number>> {
	const folder = mkdtempSync(join(tmpdir(), 'bench-profile-'));
	try {
		await runWorker(task, ['--cpu-prof', '--cpu-prof-dir', folder]);
		const file = readdirSync(folder).find((name) => name.endsWith('.cpuprofile'))!;
		const profile = JSON.parse(readFileSync(join(folder, file), 'utf8')) as CpuProfile;
		const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
		const shares = new Map<string, number>();
		profile.samples.forEach((id, index) => {
			const frame = frames.get(id)!;
			const delta = profile.timeDeltas[index] ?? 0;
			const part = partOf(frame.url, frame.functionName);
			shares.set(part, (shares.get(part) ?? 0) + delta);
		});
		return new Map([...shares].map(([part, time]) => [part, time / 1000]));
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

async function dropdownMs(): Promise<number> {
	const server = await startOpenAiServer();
	server.models.splice(0, server.models.length, ...Array.from({ length: 1000 }, (_, index) => ({
		id: index % 2 ? `gpt-bench-${index}` : `other-model-${index}`,
		object: 'model' as const,
		created: index,
		owned_by: 'bench',
	})));
	const picker = nodeType.description.properties.find((property) => property.name === 'chatModel') as INodeProperties;
	const credentials = { apiKey: 'sk-test-key', baseUrl: server.baseUrl() };
	const parameters = { resource: 'chat', operation: 'create' };
	const times: number[] = [];
	for (let round = 0; round < 7; round++) {
		const started = performance.now();
		const options = await loadOptions(picker, parameters, credentials);
		times.push(performance.now() - started);
		if (options.length !== 500) throw new Error(`dropdown returned ${options.length} models`);
	}
	await server.close();
	return median(times.slice(1));
}

function tarballBytes(): number {
	execFileSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'ignore' });
	const folder = mkdtempSync(join(tmpdir(), 'bench-pack-'));
	try {
		const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', folder], { cwd: REPO, encoding: 'utf8' })) as Array<{ size: number }>;
		return packed.size;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}

type Table = Map<string, WorkerResult[]>;
const key = (contender: Entry, items: number) => `${contender}@${items}`;

/** Hand-drawn SVG: wall time against N, one line per contender. */
function svgPlot(table: Table, contenders: Entry[]): string {
	const width = 720;
	const height = 420;
	const pad = { left: 70, right: 250, top: 30, bottom: 50 };
	const colors = ['#d62728', '#ff9896', '#1f77b4', '#aec7e8', '#9467bd', '#2ca02c', '#98df8a', '#7f7f7f'];
	const maxN = Math.max(...SIZES);
	const maxMs = Math.max(...contenders.flatMap((c) => SIZES.map((n) => median((table.get(key(c, n)) ?? []).map((r) => r.ms)) || 0)));
	const x = (n: number) => pad.left + (n / maxN) * (width - pad.left - pad.right);
	const y = (ms: number) => height - pad.bottom - (ms / maxMs) * (height - pad.top - pad.bottom);
	const lines = contenders.map((contender, index) => {
		const points = SIZES.map((n) => [n, median((table.get(key(contender, n)) ?? []).map((r) => r.ms))] as const).filter(([, ms]) => ms > 0);
		const color = colors[index % colors.length];
		const path = points.map(([n, ms], i) => `${i ? 'L' : 'M'}${x(n).toFixed(1)},${y(ms).toFixed(1)}`).join(' ');
		const dots = points.map(([n, ms]) => `<circle cx="${x(n).toFixed(1)}" cy="${y(ms).toFixed(1)}" r="3" fill="${color}"/>`).join('');
		const legendY = pad.top + index * 18;
		return `<path d="${path}" stroke="${color}" fill="none" stroke-width="2"${contender.endsWith('expr') ? ' stroke-dasharray="6 3"' : ''}/>${dots}` +
			`<rect x="${width - pad.right + 15}" y="${legendY - 9}" width="12" height="3" fill="${color}"/>` +
			`<text x="${width - pad.right + 32}" y="${legendY - 4}" font-size="11">${contender}</text>`;
	});
	const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
		const ms = maxMs * f;
		return `<line x1="${pad.left}" x2="${width - pad.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#eee"/><text x="${pad.left - 6}" y="${y(ms) + 4}" font-size="11" text-anchor="end">${Math.round(ms)}</text>`;
	});
	const xTicks = SIZES.map((n) => `<text x="${x(n)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle">${n}</text>`);
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
		`<rect width="100%" height="100%" fill="white"/>${ticks.join('')}${xTicks.join('')}` +
		`<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#333"/>` +
		`<line x1="${pad.left}" x2="${width - pad.right}" y1="${height - pad.bottom}" y2="${height - pad.bottom}" stroke="#333"/>` +
		`<text x="${(pad.left + width - pad.right) / 2}" y="${height - 12}" font-size="12" text-anchor="middle">items (N)</text>` +
		`<text x="16" y="${height / 2}" font-size="12" transform="rotate(-90 16 ${height / 2})" text-anchor="middle">wall time (ms), median</text>` +
		`<text x="${pad.left}" y="18" font-size="13">Chat items through n8n's engine (dashed: model and content by expression)</text>` +
		`${lines.join('')}</svg>\n`;
}

function versions(runtime?: string): string {
	const version = (name: string) => (require(join(REPO, 'node_modules', name, 'package.json')) as { version: string }).version;
	const n8n = runtime ? (require(join(runtime, 'node_modules', 'n8n', 'package.json')) as { version: string }).version : 'absent';
	return `Node ${process.version}, n8n-core ${version('n8n-core')}, n8n-workflow ${version('n8n-workflow')}, built-in node from n8n ${n8n}`;
}

/** The large-file section, written into docs/benchmarks.md; skipped without the pinned n8n. */
async function transfers(runtime: string | undefined): Promise<void> {
	if (!runtime) {
		console.log('Skipping large-file transfers: the pinned n8n runtime is not installed (npm start installs it).');
		return;
	}
	console.log('large-file transfers in a real n8n ...');
	spliceSection(join(REPO, 'docs', 'benchmarks.md'), await transferSection(REPO));
	console.log('Wrote the large-file section of docs/benchmarks.md');
}

async function main(): Promise<void> {
	const runtime = runtimeDir();
	if (process.env.BENCH === 'transfers') return await transfers(runtime);
	if (!runtime) console.log("Skipping n8n's built-in OpenAI nodes: the pinned n8n runtime is not installed (npm start installs it).");
	if (SECTIONS.includes('rate-limits')) {
		const section = await runRateLimits(runtime, runWorker);
		replaceSection('rate-limits', section);
	}
	if (!SECTIONS.includes('chat')) {
		if (SECTIONS.includes('transfers')) await transfers(runtime);
		return;
	}
	const chosen = process.env.CHAT_CONTENDERS?.split(',');
	const widths = new Map<Entry, number>([['ours-fixed', nodeType.description.properties.length]]);
	const baselineNodes = new Map<string, string>();
	if (!chosen || chosen.includes('baseline-fixed')) {
		for (const { ref } of BASELINES) {
			const node = buildBaseline(ref);
			if (node) baselineNodes.set(ref, node);
			if (node) widths.set(baselineEntry(ref), widthOf(node));
		}
	}
	const contenders: Entry[] = CONTENDERS.filter(
		(contender) => (runtime || !contender.startsWith('builtin')) && contender !== 'baseline-fixed' && (!chosen || chosen.includes(contender)),
	);
	contenders.push(...[...baselineNodes.keys()].map(baselineEntry));

	const server = await startOpenAiServer({ streamChunkDelayMs: 0 });
	const slowServer = await startOpenAiServer({ responseDelayMs: LATENCY_MS });
	const table: Table = new Map();
	try {
		for (let round = 1; round <= ROUNDS; round++) {
			for (const items of SIZES) {
				// Each round starts at another contender: the first run after a change of size is slower.
				const shift = (round - 1) % contenders.length;
				for (const contender of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
					const baseUrl = (contender === 'ours-batched' ? slowServer : server).baseUrl();
					server.reset();
					slowServer.reset();
					const ref = refOf(contender);
					const task = ref === undefined ? { contender: contender as Contender } : { contender: 'baseline-fixed' as const, baselineNode: baselineNodes.get(ref) };
					const result = await runWorker({ ...task, items, baseUrl, runtimeDir: runtime });
					table.set(key(contender, items), [...(table.get(key(contender, items)) ?? []), result]);
					console.log(`round ${round}/${ROUNDS}  N=${items}  ${contender.padEnd(22)} ${result.ms.toFixed(0).padStart(6)} ms  ${result.rssMb.toFixed(0)} MB`);
				}
			}
		}
	} finally {
		await server.close();
		await slowServer.close();
	}
	console.log('profiling this node and the engine floor ...');
	const profiles = new Map<Contender, Map<string, number>>();
	const profiled = await startOpenAiServer({ streamChunkDelayMs: 0 });
	try {
		for (const contender of ['ours-fixed', 'floor-fixed'] as const) {
			profiles.set(contender, await profileShares({ contender, items: Math.max(...SIZES), baseUrl: profiled.baseUrl() }));
		}
	} finally {
		await profiled.close();
	}
	console.log('stream assembly ...');
	const stream = await runWorker({ contender: 'stream-assembly', items: 0, baseUrl: '' })
		.then((result) => result.stream ?? [])
		.catch((error: Error) => {
			console.log(`stream assembly was not measured: ${error.message}`);
			return [];
		});
	console.log('1,000-model dropdown ...');
	const dropdown = await dropdownMs();
	console.log('tarball ...');
	const tarball = tarballBytes();
	writeReport({ table, contenders, stream, dropdown, tarball, runtime, profiles, widths });
	if (SECTIONS.includes('transfers')) await transfers(runtime);
}

interface Report {
	table: Table;
	contenders: Entry[];
	stream: StreamResult[];
	dropdown: number;
	tarball: number;
	runtime?: string;
	profiles: Map<Contender, Map<string, number>>;
	/** Top-level properties of this node and of each baseline. */
	widths: Map<Entry, number>;
}

function writeReport({ table, contenders, stream, dropdown, tarball, runtime, profiles, widths }: Report): void {
	const ms = (contender: Entry, items: number) => median((table.get(key(contender, items)) ?? []).map((r) => r.ms));
	const largest = Math.max(...SIZES);
	const rows = SIZES.flatMap((items) =>
		contenders.map((contender) => {
			const results = table.get(key(contender, items)) ?? [];
			const wall = ms(contender, items);
			return `| ${labelOf(contender)} | ${items} | ${wall.toFixed(0)} | ${((items / wall) * 1000).toFixed(0)} | ${Math.max(...results.map((r) => r.rssMb)).toFixed(0)} |`;
		}),
	);
	const latencyFloor = Math.ceil(largest / BATCH_SIZE) * LATENCY_MS;
	type Target = [string, number | undefined, string, (value: number) => boolean, string];
	const targets: Target[] = [
		['expressions, N = ' + largest + ': this node / built-in node', runtime ? ms('ours-expr', largest) / ms('builtin-expr', largest) : undefined, '≤ 0.6', (v) => v <= 0.6, 'ratio'],
		['expressions / fixed values, this node', ms('ours-expr', largest) / ms('ours-fixed', largest), '≤ 1.3', (v) => v <= 1.3, 'ratio'],
		['fixed values: this node / engine floor', ms('ours-fixed', largest) / ms('floor-fixed', largest), '≤ 1.05', (v) => v <= 1.05, 'ratio'],
		['fixed values: this node / engine floor as wide as this node', ms('ours-fixed', largest) / ms('floor-wide-fixed', largest), '(explains the line above)', () => true, 'ratio'],
		...BASELINES.map(({ ref, what }, index): Target => [
			`fixed values: this node / this node on ${ref}${what ? ` (${what})` : ''}`,
			contenders.includes(baselineEntry(ref)) ? ms('ours-fixed', largest) / ms(baselineEntry(ref), largest) : undefined,
			index === 0 ? '≤ 1.05' : '(for comparison)',
			index === 0 ? (v) => v <= 1.05 : () => true,
			'ratio',
		]),
		['this node / raw HTTP, fixed values', ms('ours-fixed', largest) / ms('raw-http', largest), '(for scale)', () => true, 'ratio'],
		[`batching ${BATCH_SIZE} × ${LATENCY_MS} ms: wall / latency floor ${latencyFloor} ms`, ms('ours-batched', largest) / latencyFloor, '≤ 1.2', (v) => v <= 1.2, 'ratio'],
		['stream assembly, slowest of 1/10/100 MB', stream.length ? Math.min(...stream.map((s) => s.mbPerS)) : undefined, '≥ 50 MB/s', (v) => v >= 50, 'MB/s'],
		['1,000-model GET /models through a dropdown', dropdown, '< 50 ms', (v) => v < 50, 'ms'],
		['npm pack tarball', tarball / 1024, '< 100 kB', (v) => v < 100, 'kB'],
	];
	const targetRows = targets.map(([name, value, target, ok, unit]) =>
		value === undefined
			? `| ${name} | not measured | ${target} | – |`
			: `| ${name} | ${value.toFixed(2)} ${unit} | ${target} | ${ok(value) ? 'met' : 'missed'} |`,
	);
	const date = new Date().toISOString().slice(0, 10);
	const markdown = [
		'# Benchmarks',
		'',
		`Written by \`npm run bench\` on ${date}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,`,
		`load average ${LOAD_AT_START} at the start and ${loadavg()[0].toFixed(1)} at the end;`,
		`${versions(runtime)}. ${ROUNDS} rounds, interleaved, each starting at the next contender, each measurement in its own process after a 50-item warm-up;`,
		'times are medians, RSS the peak of any round. The machines are shared, so the ratios in one run are the result,',
		'not the absolute times.',
		'',
		'## Targets',
		'',
		'| measure | this run | target | |',
		'| --- | --- | --- | --- |',
		...targetRows,
		'',
		'Top-level properties, each resolved twice per item by RoutingNode whether shown or not: ' +
			[...widths].map(([entry, width]) => `${entry === 'ours-fixed' ? 'this node' : `on ${refOf(entry)}`} ${width}`).join(', ') +
			'.',
		'',
		'## Chat items through n8n\'s engine',
		'',
		'![wall time against N](benchmarks.svg)',
		'',
		'| contender | N | wall ms | items/s | peak RSS MB |',
		'| --- | --- | --- | --- | --- |',
		...rows,
		'',
		'## Where the time goes',
		'',
		`CPU profiles (\`node --cpu-prof\`) of one ${Math.max(...SIZES)}-item run with fixed values, warm-up included; self time`,
		'by the part of the code it is spent in, in ms.',
		'',
		'| part | this node | engine floor |',
		'| --- | --- | --- |',
		...[...new Set([...profiles.values()].flatMap((shares) => [...shares.keys()]))]
			.sort((a, b) => (profiles.get('ours-fixed')?.get(b) ?? 0) - (profiles.get('ours-fixed')?.get(a) ?? 0))
			.map((part) => `| ${part} | ${milliseconds(profiles.get('ours-fixed')?.get(part))} | ${milliseconds(profiles.get('floor-fixed')?.get(part))} |`),
		'',
		'## Stream assembly',
		'',
		'| body | ms | MB/s |',
		'| --- | --- | --- |',
		...stream.map((s) => `| ${s.mb.toFixed(1)} MB | ${s.ms.toFixed(0)} | ${s.mbPerS.toFixed(0)} |`),
		'',
		notes(tarball),
	].join('\n');
	mkdirSync(join(REPO, 'docs'), { recursive: true });
	const transfersBefore = currentSection(REPORT);
	writeFileSync(REPORT, `${markdown}\n\n${sectionOf('rate-limits')}\n`);
	if (transfersBefore) spliceSection(REPORT, transfersBefore);
	writeFileSync(join(REPO, 'docs', 'benchmarks.svg'), svgPlot(table, contenders.filter((c) => c !== 'ours-batched')));
	console.log(`\n${targetRows.join('\n')}\n\nWrote docs/benchmarks.md and docs/benchmarks.svg`);
}

const milliseconds = (ms?: number) => (ms ?? 0).toFixed(0);

const REPORT = join(REPO, 'docs', 'benchmarks.md');
const marker = (name: string, end = false) => `<!-- ${end ? '/' : ''}section: ${name} -->`;

/** A section of the report between its markers, as the last run of it wrote it; empty when there is none. */
function sectionOf(name: string): string {
	const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
	const start = text.indexOf(marker(name));
	const end = text.indexOf(marker(name, true));
	return start >= 0 && end > start ? text.slice(start, end + marker(name, true).length) : '';
}

/** Writes a section of the report in place (or at its end), leaving the rest as it was. */
function replaceSection(name: string, body: string): void {
	const text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '# Benchmarks\n';
	const block = `${marker(name)}\n${body.trim()}\n${marker(name, true)}`;
	const old = sectionOf(name);
	writeFileSync(REPORT, old ? text.replace(old, block) : `${text.trimEnd()}\n\n${block}\n`);
}

/** What the figures mean; kept with the script so every run writes it again. */
const NOTES = `## Notes

- **What runs.** Every contender sends the same request, \`POST /chat/completions\` with one user message, to the
  same local server, for N input items; the engine sends all items' requests at once, and raw HTTP does the same.
  The engine floor is the smallest declarative node that sends that request: resource, operation, and a routed
  model and content. n8n's built-in node is \`n8n-nodes-base.openAi\` version 1.1 from the pinned runtime.
- **Expressions.** n8n-core's RoutingNode resolves every top-level property for every item, in its item loop and
  again in \`resolveBaseUrl\`, so a routed property's expression runs 4 times per item (the floor); a test in
  \`npm test\` (expression-cost) holds this node to that for every operation.
- **Batching.** n8n sleeps the batch interval after each batch *and* spends the batch's own preparation time, so
  the wall time is about ⌈N/10⌉ × (interval + time to prepare 10 items).
- **Baselines.** \`BASELINE\` names earlier commits of this node; each is compiled from git and runs as a contender
  in the same rounds, so "this node / this node on <commit>" is the change in per-item cost since then. The counts of
  top-level properties under the targets show what grew: RoutingNode resolves each of them for every item of every
  operation, shown or not, and the wide engine floor measures what that costs without any of this node's code.
  A baseline of \`HEAD\` is this very code compiled the same way: its ratio shows how far one run's noise reaches.

## Misses, and whose they are

- **Fixed values against the floor.** RoutingNode visits every top-level property of a declarative node twice per
  item (its item loop and \`resolveBaseUrl\`), shown or not. This node has one property per field of its
  resources (the count is under the targets); the floor has four. The floor padded with hidden properties to the same count ("as wide as this node")
  takes most of the difference, and the profile puts the rest of it in n8n-core, n8n-workflow's display rules and
  lodash's merging of request options, not in this node's hooks. Keeping the editor as it is needs the properties.
- **Expressions.** The expression-cost test holds every expression in this node to RoutingNode's floor of 4
  evaluations per item. Each evaluation builds a data proxy and a sandbox in n8n-workflow, so the engine floor
  itself slows down by about as much with two expressions; the ratios against fixed values and against the built-in
  node are n8n's per-evaluation cost, which this node can only keep from multiplying. One small expression per message
  row (handing the resolved row to the body) is this node's own: it spares a second evaluation of the user's content.
- **Batching.** See above: the preparation time of each batch adds to n8n's sleep.
- **Stream assembly** is linear in the body size (the table above) but below the target: every event is parsed
  with \`JSON.parse\` into its own chunk object, and the SSE parser reads each character once. A parser that found
  line ends with \`indexOf\` was tried; it was no faster in a profile (parsing JSON and collecting garbage dominated)
  and once hung inside this benchmark, so the character loop stays.
`;

/** The notes, with the tarball's miss explained only when it is one. */
function notes(tarball: number): string {
	if (tarball / 1024 < 100) return NOTES.trimEnd();
	const readme = readFileSync(join(REPO, 'README.md'));
	const kb = (bytes: number) => (bytes / 1024).toFixed(0);
	return `${NOTES}
- **Tarball.** The compiled files carry no comments, and the developer notes live in \`docs/\`, outside the package.
  The README is ${kb(readme.length)} kB (${kb(gzipSync(readme).length)} kB packed); the rest is the compiled node.`;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
