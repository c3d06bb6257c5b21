/**
 * Memory of large transfers in a real n8n (filesystem binary mode): a file made on the fly is uploaded
 * and downloaded through a workflow run by `n8n execute`, one process per run, whose peak RSS (VmHWM in
 * /proc/<pid>/status) is set against a run that only reads the file. Used by the end-to-end test (a
 * generous bound) and by `npm run bench` (figures beside n8n's HTTP Request node doing the same).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

import type { OpenAiServer } from './openai-server';

interface RuntimeTools {
	installCommunityPackage(tarball: string, userFolder: string): unknown;
	n8nEnvironment(options: { userFolder: string; port: number; brokerPort: number; encryptionKey?: string; logLevel?: string }): NodeJS.ProcessEnv;
	freePort(): Promise<number>;
}

/** The pinned n8n, the packed package, and a folder to work in. */
export interface TransferSetup {
	nodeBin: string;
	n8nBin: string;
	tarball: string;
	workDir: string;
	/** Told of each process group started, so a test runner can end it on an interrupt. */
	onSpawn?: (pid: number | undefined) => void;
	onExit?: (pid: number | undefined) => void;
}

/** The workflows measured; `baseline` only reads the file. */
export type TransferCase = 'baseline' | 'ours-upload' | 'ours-download' | 'http-upload' | 'http-upload-no-redirects' | 'http-download';

export interface TransferResult {
	case: TransferCase;
	/** Peak resident set of the n8n process, MiB. */
	peakMb: number;
	/** Wall time of the whole `n8n execute`, n8n's start included. */
	ms: number;
	/** Whether the bytes arrived unchanged (sha256) at the server (uploads) or on disk (downloads). */
	bytesUnchanged: boolean;
	error?: string;
}

const MIB = 1024 * 1024;
const CREDENTIAL = { id: 'transferCred0001', name: 'OpenAI REST (transfers)' };
const API_KEY = 'sk-test-key';
const SEEDED_FILE_ID = 'file-transfer-source';

/** Writes `bytes` random bytes to `path` in 1 MiB pieces; returns their sha256. */
export function makeFile(path: string, bytes: number): string {
	const hash = createHash('sha256');
	const fd = openSync(path, 'w');
	try {
		for (let written = 0; written < bytes; ) {
			const piece = randomBytes(Math.min(MIB, bytes - written));
			hash.update(piece);
			writeSync(fd, piece);
			written += piece.length;
		}
	} finally {
		closeSync(fd);
	}
	return hash.digest('hex');
}

async function sha256OfFile(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
	return hash.digest('hex');
}

/** Peak and current resident set of a process, in KiB; undefined once it is gone. */
function memoryOf(pid: number): number | undefined {
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) : undefined;
	} catch {
		return undefined;
	}
}

const manualTrigger = { parameters: {}, id: 'trigger', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0] };

function node(name: string, type: string, typeVersion: number, parameters: object, x: number, credentials?: object) {
	return { parameters, id: name.toLowerCase().replace(/\W+/g, '-'), name, type, typeVersion, position: [x, 0], ...(credentials ? { credentials } : {}) };
}

function chain(id: string, nodes: Array<ReturnType<typeof node>>) {
	const all = [manualTrigger, ...nodes];
	const connections = Object.fromEntries(
		all.slice(0, -1).map((from, index) => [from.name, { main: [[{ node: all[index + 1].name, type: 'main', index: 0 }]] }]),
	);
	return { id, name: `Transfer ${id}`, nodes: all, connections, settings: { executionOrder: 'v1' }, active: false };
}

/** The workflows of each case, reading from and writing to files in `folder`. */
function workflows(source: string, folder: string, baseUrl: string) {
	const read = node('Read File', 'n8n-nodes-base.readWriteFile', 1, { operation: 'read', fileSelector: source, options: {} }, 200);
	const write = (target: string) => node('Write File', 'n8n-nodes-base.readWriteFile', 1, { operation: 'write', fileName: target, dataPropertyName: 'data', options: {} }, 400);
	const ours = (parameters: object) => node('OpenAI REST', 'n8n-nodes-openai-rest.openAiRest', 1, parameters, 300, { openAiRestApi: CREDENTIAL });
	const auth = { sendHeaders: true, headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${API_KEY}` }] } };
	const httpUpload = (followRedirects: boolean) =>
		node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, {
			method: 'POST',
			url: `${baseUrl}/files`,
			...auth,
			sendBody: true,
			contentType: 'multipart-form-data',
			bodyParameters: { parameters: [{ parameterType: 'formBinaryData', name: 'file', inputDataFieldName: 'data' }, { name: 'purpose', value: 'user_data' }] },
			options: followRedirects ? {} : { redirect: { redirect: { followRedirects: false } } },
		}, 300);
	const httpDownload = node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, {
		url: `${baseUrl}/files/${SEEDED_FILE_ID}/content`,
		...auth,
		options: { response: { response: { responseFormat: 'file' } } },
	}, 200);
	return {
		baseline: chain('baseline', [read]),
		'ours-upload': chain('ours-upload', [read, ours({ resource: 'file', operation: 'upload', filePurpose: 'user_data' })]),
		'ours-download': chain('ours-download', [ours({ resource: 'file', operation: 'download', fileId: SEEDED_FILE_ID }), write(join(folder, 'ours-download.bin'))]),
		'http-upload': chain('http-upload', [read, httpUpload(true)]),
		'http-upload-no-redirects': chain('http-upload-no-redirects', [read, httpUpload(false)]),
		'http-download': chain('http-download', [httpDownload, write(join(folder, 'http-download.bin'))]),
	} satisfies Record<TransferCase, unknown>;
}

/** One n8n user folder with the package installed, its workflows imported, run one process at a time. */
export class TransferLab {
	private constructor(
		private readonly setup: TransferSetup,
		private readonly env: NodeJS.ProcessEnv,
		private readonly folder: string,
		private readonly source: string,
		private readonly sourceSha: string,
		private readonly server: OpenAiServer,
	) {}

	/** Makes a file of `megabytes` MiB, installs the package and imports the workflows. */
	static async create(setup: TransferSetup, server: OpenAiServer, megabytes: number): Promise<TransferLab> {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const tools = require(join(process.cwd(), 'scripts', 'n8n-runtime.js')) as RuntimeTools;
		const folder = mkdtempSync(join(setup.workDir, 'transfers-'));
		const userFolder = join(folder, 'user');
		mkdirSync(userFolder);
		tools.installCommunityPackage(setup.tarball, userFolder);
		const env = {
			...tools.n8nEnvironment({ userFolder, port: await tools.freePort(), brokerPort: await tools.freePort(), encryptionKey: randomBytes(24).toString('hex') }),
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			N8N_RESTRICT_FILE_ACCESS_TO: folder,
		};
		const source = join(folder, 'source.bin');
		const sourceSha = makeFile(source, megabytes * MIB);
		const lab = new TransferLab(setup, env, folder, source, sourceSha, server);
		const credentials = [{ ...CREDENTIAL, type: 'openAiRestApi', data: { apiKey: API_KEY, baseUrl: server.baseUrl() } }];
		writeFileSync(join(folder, 'credentials.json'), JSON.stringify(credentials));
		writeFileSync(join(folder, 'workflows.json'), JSON.stringify(Object.values(workflows(source, folder, server.baseUrl()))));
		for (const args of [['import:credentials', `--input=${join(folder, 'credentials.json')}`], ['import:workflow', `--input=${join(folder, 'workflows.json')}`]]) {
			const result = await lab.cli(args);
			if (result.code !== 0) throw new Error(`n8n ${args[0]} exited with ${result.code}:\n${result.output.slice(-3000)}`);
		}
		return lab;
	}

	/** Runs `n8n <args>`, sampling the process's peak RSS until it exits. */
	private async cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string; peakKb: number; ms: number }> {
		const started = Date.now();
		const child = spawn(this.setup.nodeBin, [this.setup.n8nBin, ...args], {
			cwd: this.folder,
			env: { ...this.env, ...extraEnv },
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.setup.onSpawn?.(child.pid);
		let output = '';
		child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		let peakKb = 0;
		const sampler = setInterval(() => (peakKb = Math.max(peakKb, memoryOf(child.pid!) ?? 0)), 20);
		const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15 * 60_000);
		const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
		clearInterval(sampler);
		clearTimeout(killer);
		this.setup.onExit?.(child.pid);
		return { code, output, peakKb, ms: Date.now() - started };
	}

	/** Runs one case and checks its bytes. */
	async run(which: TransferCase): Promise<TransferResult> {
		this.server.reset();
		this.server.files.files.set(SEEDED_FILE_ID, {
			object: { id: SEEDED_FILE_ID, object: 'file', filename: 'source.bin', purpose: 'user_data', bytes: 0, created_at: 0, status: 'processed' },
			data: Buffer.alloc(0),
			path: this.source,
		});
		const target = join(this.folder, `${which}.bin`);
		rmSync(target, { force: true });
		const { code, output, peakKb, ms } = await this.cli(['execute', `--id=${which}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info' });
		const failed = code !== 0 || /"status":\s*"error"|NodeApiError|NodeOperationError/.test(output.slice(-20_000));
		let bytesUnchanged = which === 'baseline';
		if (which.includes('upload')) bytesUnchanged = this.uploadedSha() === this.sourceSha;
		if (which.includes('download')) bytesUnchanged = (await sha256OfFile(target).catch(() => '')) === this.sourceSha;
		// Each execution keeps its copy of the file in n8n's binary store; drop it before the next run.
		rmSync(join(this.env.N8N_USER_FOLDER!, '.n8n', 'storage'), { recursive: true, force: true });
		rmSync(target, { force: true });
		return { case: which, peakMb: peakKb / 1024, ms, bytesUnchanged, ...(failed ? { error: output.slice(-3000) } : {}) };
	}

	private uploadedSha(): string | undefined {
		const upload = this.server.requests.find((request) => request.method === 'POST' && request.path === '/files');
		const file = upload?.form?.file as { sha256?: string } | undefined;
		return file?.sha256;
	}

	close(): void {
		rmSync(this.folder, { recursive: true, force: true });
	}
}
