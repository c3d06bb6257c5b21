/**
 * The transfer section of the benchmark: a large file uploaded and downloaded through this node and
 * through n8n's HTTP Request node inside a real n8n (filesystem binary mode), each run in an n8n
 * process of its own, its peak RSS set against a run that only reads the file.
 *
 *   BENCH=transfers npm run bench        (this section only; TRANSFER_MB=300, TRANSFER_ROUNDS=3 by default)
 *
 * n8n's own start moves its peak by tens of MB from run to run, so every case runs in each round,
 * interleaved, and the figures are medians.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { startOpenAiServer } from '../test/support/openai-server';
import { type TransferCase, TransferLab, type TransferResult } from '../test/support/transfer-memory';

const TRANSFER_MB = Number(process.env.TRANSFER_MB ?? 300);
const ROUNDS = Number(process.env.TRANSFER_ROUNDS ?? 3);
const TARGET_MB = 32;
const START = '<!-- transfers: written by npm run bench (BENCH=transfers for this section only) -->';
const END = '<!-- /transfers -->';

interface Runtime {
	ensureRuntime(): { nodeBin: string; n8nBin: string; version: string };
	packProject(options: { destination: string }): string;
}

/** Order of the runs in a round: each contender next to the other, after a baseline. */
const ORDER: TransferCase[] = ['baseline', 'ours-upload', 'http-upload', 'http-upload-no-redirects', 'ours-download', 'http-download'];

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export async function transferSection(repo: string): Promise<string> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const runtime = require(join(repo, 'scripts', 'n8n-runtime.js')) as Runtime;
	const { nodeBin, n8nBin, version } = runtime.ensureRuntime();
	const workDir = mkdtempSync(join(tmpdir(), 'bench-transfers-'));
	const server = await startOpenAiServer();
	const loadAtStart = loadavg()[0].toFixed(1);
	const results: TransferResult[] = [];
	try {
		const tarball = runtime.packProject({ destination: workDir });
		const lab = await TransferLab.create({ nodeBin, n8nBin, tarball, workDir }, server, TRANSFER_MB);
		for (let round = 1; round <= ROUNDS; round++) {
			for (const which of [...ORDER, ...(round === ROUNDS ? (['baseline'] as const) : [])]) {
				const result = await lab.run(which);
				if (result.error) throw new Error(`${which} failed:\n${result.error}`);
				results.push(result);
				console.log(`transfer round ${round}/${ROUNDS} ${which.padEnd(26)} peak ${result.peakMb.toFixed(0).padStart(5)} MB  ${(result.ms / 1000).toFixed(1)} s  bytes ${result.bytesUnchanged ? 'unchanged' : 'CHANGED'}`);
			}
		}
		lab.close();
	} finally {
		await server.close();
		rmSync(workDir, { recursive: true, force: true });
	}
	return report(results, version, loadAtStart);
}

function report(results: TransferResult[], version: string, loadAtStart: string): string {
	const runs = (which: TransferCase) => results.filter((result) => result.case === which);
	const peaks = (which: TransferCase) => runs(which).map((result) => result.peakMb);
	const baseline = median(peaks('baseline'));
	const above = (which: TransferCase) => median(peaks(which)) - baseline;
	const unchanged = (which: TransferCase) => runs(which).every((result) => result.bytesUnchanged);
	const signed = (mb: number) => `${mb < 0 ? '−' : '+'}${Math.abs(mb).toFixed(0)} MB`;
	const ratio = (which: TransferCase) => `${above(which) < 0 ? '−' : ''}${Math.abs(above(which) / TRANSFER_MB).toFixed(2)} ×`;
	const cell = (which: TransferCase) => `${signed(above(which))} (${ratio(which)})${unchanged(which) ? '' : ', bytes CHANGED'}`;
	const verdict = (which: TransferCase) => (above(which) <= TARGET_MB && unchanged(which) ? 'met' : 'missed');
	const spread = (which: TransferCase) => `${Math.min(...peaks(which)).toFixed(0)}–${Math.max(...peaks(which)).toFixed(0)}`;
	const date = new Date().toISOString().slice(0, 10);
	return [
		START,
		'## Large files (streamed transfers)',
		'',
		`A ${TRANSFER_MB} MiB file of random bytes, in n8n ${version} (filesystem binary mode, \`n8n execute\`, one process per run), on ${date};`,
		`load average ${loadAtStart} at the start and ${loadavg()[0].toFixed(1)} at the end. Peak RSS is the n8n process's VmHWM, the median`,
		`of ${ROUNDS} interleaved rounds; "above baseline" is it minus the median of the runs that only read the file (Read/Write Files`,
		`from Disk): ${baseline.toFixed(0)} MB (${spread('baseline')} MB). Single runs vary by tens of MB (the ranges below), mostly in n8n's`,
		'own start, so only medians are compared. Uploads read the file from disk first (as the baseline does), downloads write it',
		'to disk after (Write Files to Disk streams it); sha256 is checked both ways in every run.',
		'',
		'| operation | this node | HTTP Request node | HTTP Request, Follow Redirects off | target (this node) | |',
		'| --- | --- | --- | --- | --- | --- |',
		`| File → Upload (multipart) | ${cell('ours-upload')} | ${cell('http-upload')} | ${cell('http-upload-no-redirects')} | ≤ +${TARGET_MB} MB | ${verdict('ours-upload')} |`,
		`| File → Download | ${cell('ours-download')} | ${cell('http-download')} | – | ≤ +${TARGET_MB} MB | ${verdict('ours-download')} |`,
		'',
		'| run | peak RSS MB, median (range) | wall s, median (n8n start included) |',
		'| --- | --- | --- |',
		...(['baseline', ...ORDER.slice(1)] as TransferCase[]).map(
			(which) => `| ${which} | ${median(peaks(which)).toFixed(0)} (${spread(which)}) | ${(median(runs(which).map((result) => result.ms)) / 1000).toFixed(1)} |`,
		),
		END,
	].join('\n');
}

/** The section as the last run wrote it into `file`; empty when there is none. */
export function currentSection(file: string): string {
	const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
	const start = text.indexOf(START);
	const end = text.indexOf(END);
	return start >= 0 && end > start ? text.slice(start, end + END.length) : '';
}

/** Puts the section into docs/benchmarks.md, in place of the one there, else before the notes. */
export function spliceSection(file: string, section: string): void {
	const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
	const start = text.indexOf(START);
	const end = text.indexOf(END);
	let next: string;
	if (start >= 0 && end > start) next = text.slice(0, start) + section + text.slice(end + END.length);
	else if (text.includes('\n## Notes')) next = text.replace('\n## Notes', `\n${section}\n\n## Notes`);
	else next = `${text.trimEnd()}\n\n${section}\n`;
	writeFileSync(file, next);
}
