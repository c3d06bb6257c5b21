import { type ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import fs from 'fs';
import path from 'path';

/** The parts of scripts/n8n-runtime.js (plain CommonJS, shared with `npm start`) the tests use. */
interface RuntimeTools {
	installCommunityPackage(tarball: string, userFolder: string): { name: string; version: string; directory: string };
	n8nEnvironment(options: {
		userFolder: string;
		port: number;
		brokerPort: number;
		encryptionKey?: string;
		logLevel?: string;
	}): NodeJS.ProcessEnv;
	freePort(): Promise<number>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const runtimeTools = require('../../../scripts/n8n-runtime.js') as RuntimeTools;

/** What the global setup prepared once for the whole run; see global-setup.ts. */
export interface E2eEnvironment {
	nodeBin: string;
	n8nBin: string;
	tarball: string;
	workDir: string;
}

export const E2E_ENV_KEYS = {
	nodeBin: 'E2E_N8N_NODE_BIN',
	n8nBin: 'E2E_N8N_BIN',
	tarball: 'E2E_PACKAGE_TARBALL',
	workDir: 'E2E_WORK_DIR',
	processGroups: 'E2E_PROCESS_GROUPS_FILE',
} as const;

/**
 * Records a process group a suite started (one pid a line in a file the global setup names), so that the
 * runner's own process can end it on Ctrl-C or SIGTERM, which test code cannot reliably catch (see global-setup.ts).
 */
export function recordProcessGroup(pid: number | undefined): void {
	const file = process.env[E2E_ENV_KEYS.processGroups];
	if (file && pid) fs.appendFileSync(file, `${pid}\n`);
}

/** Forgets a process group that has ended, so that a later kill can never hit a reused process id. */
export function forgetProcessGroup(pid: number | undefined): void {
	const file = process.env[E2E_ENV_KEYS.processGroups];
	if (!file || !pid || !fs.existsSync(file)) return;
	const kept = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line && line !== String(pid));
	fs.writeFileSync(file, kept.map((line) => `${line}\n`).join(''));
}

/** Sends SIGKILL to every recorded process group still there. Synchronous: it runs in signal and exit handlers. */
export function killRecordedProcessGroups(): void {
	const file = process.env[E2E_ENV_KEYS.processGroups];
	if (!file || !fs.existsSync(file)) return;
	for (const pid of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
		try {
			process.kill(-Number(pid), 'SIGKILL');
		} catch {
			// already gone
		}
	}
}

export function e2eEnvironment(): E2eEnvironment {
	const read = (key: keyof E2eEnvironment) => {
		const value = process.env[E2E_ENV_KEYS[key]];
		if (!value) throw new Error(`${E2E_ENV_KEYS[key]} is not set: run the suite with "npm run test:e2e"`);
		return value;
	};
	return {
		nodeBin: read('nodeBin'),
		n8nBin: read('n8nBin'),
		tarball: read('tarball'),
		workDir: read('workDir'),
	};
}

export interface CliResult {
	code: number | null;
	/** The signal that ended the process, when no exit code did. */
	signal?: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** The slice of n8n's IRun that `n8n execute --rawOutput` prints and the tests read. */
export interface ExecutionResult {
	finished?: boolean;
	status?: string;
	data: {
		resultData: {
			error?: { name?: string; message: string; description?: string; httpCode?: string };
			lastNodeExecuted?: string;
			runData: Record<string, Array<{ data?: { main: Array<Array<NodeOutputItem> | null> } }>>;
		};
	};
}

export interface NodeOutputItem {
	json: Record<string, unknown>;
	binary?: Record<string, { mimeType: string; fileName?: string; fileSize?: string; data?: string; id?: string }>;
}

/**
 * Parses the last complete JSON object printed by an n8n command: n8n prints log lines before it,
 * and the object itself is pretty-printed, so it starts on a line holding only "{".
 */
export function parseLastJsonDocument(output: string): unknown {
	const lines = output.split(/\r?\n/);
	for (let start = lines.length - 1; start >= 0; start--) {
		if (lines[start] !== '{') continue;
		for (let end = lines.length - 1; end > start; end--) {
			if (lines[end] !== '}') continue;
			try {
				return JSON.parse(lines.slice(start, end + 1).join('\n'));
			} catch {
				// a brace line inside log output; keep looking
			}
		}
	}
	throw new Error(`No JSON document in n8n output:\n${output.slice(-2000)}`);
}

/** Output items of a node's first run, first output. */
export function nodeOutput(result: ExecutionResult, nodeName: string): NodeOutputItem[] {
	const runs = result.data.resultData.runData[nodeName];
	if (!runs?.length) {
		const ran = Object.keys(result.data.resultData.runData).join(', ');
		throw new Error(`Node "${nodeName}" did not run; nodes that ran: ${ran}`);
	}
	return runs[0].data?.main[0] ?? [];
}

const STOP_GRACE_MS = 20_000;

/** Ends a process group this suite started (n8n starts task-runner children of its own). */
async function stopProcessGroup(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const signalGroup = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// already gone
		}
	};
	signalGroup('SIGTERM');
	const timer = setTimeout(() => signalGroup('SIGKILL'), STOP_GRACE_MS);
	await exited;
	clearTimeout(timer);
}

/**
 * One real n8n with a fresh user folder and SQLite database, our package installed as a community package.
 * CLI commands (`import:*`, `execute`) and the server use the same folder, one after the other.
 */
export class N8nInstance {
	readonly url: string;

	private server: ChildProcess | undefined;

	private serverLog = '';

	private constructor(
		readonly userFolder: string,
		readonly port: number,
		/** The environment every process of this instance runs with. */
		readonly env: NodeJS.ProcessEnv,
		private readonly e2e: E2eEnvironment,
	) {
		this.url = `http://127.0.0.1:${port}`;
	}

	/**
	 * A fresh user folder with the package installed. `env` adds to or overrides n8n's settings (e.g. a
	 * database or queue mode); instances that must read each other's data share an `encryptionKey`.
	 */
	static async create(
		name: string,
		options: { env?: NodeJS.ProcessEnv; encryptionKey?: string; logLevel?: string } = {},
	): Promise<N8nInstance> {
		const e2e = e2eEnvironment();
		const userFolder = fs.mkdtempSync(path.join(e2e.workDir, `${name}-`));
		runtimeTools.installCommunityPackage(e2e.tarball, userFolder);
		const port = await runtimeTools.freePort();
		const brokerPort = await runtimeTools.freePort();
		const env = runtimeTools.n8nEnvironment({
			userFolder,
			port,
			brokerPort,
			encryptionKey: options.encryptionKey ?? randomBytes(24).toString('hex'),
			logLevel: options.logLevel ?? process.env.E2E_N8N_LOG_LEVEL ?? 'warn',
		});
		return new N8nInstance(userFolder, port, { ...env, ...options.env }, e2e);
	}

	/** Command and arguments that run `n8n <args>` with the pinned runtime. */
	command(args: string[]): [string, string[]] {
		return [this.e2e.nodeBin, [this.e2e.n8nBin, ...args]];
	}

	/** Runs one n8n CLI command to completion. */
	async runCli(args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeoutMs = 120_000): Promise<CliResult> {
		const [command, commandArgs] = this.command(args);
		const child = spawn(command, commandArgs, {
			cwd: this.userFolder,
			env: { ...this.env, ...extraEnv },
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		recordProcessGroup(child.pid);
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
		const timer = setTimeout(() => void stopProcessGroup(child), timeoutMs);
		const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
			child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
		);
		clearTimeout(timer);
		forgetProcessGroup(child.pid);
		return { code, signal, stdout, stderr };
	}

	async runCliOrThrow(args: string[]): Promise<CliResult> {
		const result = await this.runCli(args);
		if (result.code !== 0) {
			throw new Error(`n8n ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`);
		}
		return result;
	}

	private writeInput(fileName: string, content: unknown): string {
		const file = path.join(this.userFolder, fileName);
		fs.writeFileSync(file, JSON.stringify(content, null, '\t'));
		return file;
	}

	/** `n8n import:credentials`: plain `data` is encrypted with this instance's key. */
	async importCredentials(credentials: CredentialImport[]): Promise<void> {
		const input = this.writeInput('import-credentials.json', credentials);
		await this.runCliOrThrow(['import:credentials', `--input=${input}`]);
	}

	async importWorkflows(workflows: object[]): Promise<void> {
		const input = this.writeInput('import-workflows.json', workflows);
		await this.runCliOrThrow(['import:workflow', `--input=${input}`]);
	}

	/**
	 * `n8n execute --id`: the exit code and the run data n8n prints, for failed runs too
	 * (then `data.resultData.error` says why). Rejects only when n8n printed no run data at all.
	 */
	async execute(workflowId: string): Promise<{ exitCode: number | null; signal?: NodeJS.Signals | null; run: ExecutionResult }> {
		// The CLI prints the run data through its logger at level info.
		const result = await this.runCli(['execute', `--id=${workflowId}`, '--rawOutput'], { N8N_LOG_LEVEL: 'info' });
		try {
			const run = parseLastJsonDocument(result.stdout) as ExecutionResult;
			return { exitCode: result.code, signal: result.signal, run };
		} catch (error) {
			throw new Error(`${(error as Error).message}\nstderr:\n${result.stderr.slice(-2000)}`);
		}
	}

	/** Starts `n8n start` and waits until it reports ready. */
	async start(timeoutMs = 180_000): Promise<void> {
		const child = spawn(this.e2e.nodeBin, [this.e2e.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.server = child;
		recordProcessGroup(child.pid);
		const collect = (chunk: Buffer) => (this.serverLog = (this.serverLog + chunk.toString()).slice(-50_000));
		child.stdout!.on('data', collect);
		child.stderr!.on('data', collect);

		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (child.exitCode !== null) throw new Error(`n8n exited with ${child.exitCode}:\n${this.serverLog}`);
			if (await this.isReady()) return;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		await this.stop();
		throw new Error(`n8n was not ready within ${timeoutMs} ms:\n${this.serverLog}`);
	}

	private async isReady(): Promise<boolean> {
		try {
			return (await fetch(`${this.url}/healthz/readiness`)).ok;
		} catch {
			return false;
		}
	}

	/** The server's recent output, for failure messages. */
	get log(): string {
		return this.serverLog;
	}

	async stop(): Promise<void> {
		if (this.server) await stopProcessGroup(this.server);
		forgetProcessGroup(this.server?.pid);
		this.server = undefined;
	}
}

export interface RestResponse<T = unknown> {
	status: number;
	body: T;
}

export const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2eOwner-Passw0rd',
};

/** n8n's internal REST API (/rest), authenticated by the session cookie like the editor is. */
export class N8nRestClient {
	private cookie = '';

	constructor(private readonly baseUrl: string) {}

	async request<T = unknown>(method: string, route: string, body?: unknown): Promise<RestResponse<T>> {
		const response = await fetch(`${this.baseUrl}${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				// n8n binds the session to a browser id header
				'browser-id': 'n8n-openai-rest-e2e',
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookies = response.headers.getSetCookie();
		if (setCookies.length > 0) this.cookie = setCookies.map((entry) => entry.split(';')[0]).join('; ');
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text
		}
		return { status: response.status, body: parsed as T };
	}

	/** A GET whose body is kept as bytes (e.g. binary data). */
	async bytes(route: string): Promise<{ status: number; body: Buffer; contentType: string | null }> {
		const response = await fetch(`${this.baseUrl}${route}`, {
			headers: { 'browser-id': 'n8n-openai-rest-e2e', ...(this.cookie ? { cookie: this.cookie } : {}) },
		});
		return { status: response.status, body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
	}

	/** Like request, but returns the `data` envelope of a 2xx response and throws otherwise. */
	async data<T>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await this.request<{ data: T }>(method, route, body);
		if (response.status < 200 || response.status >= 300) {
			throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(response.body)}`);
		}
		return response.body.data;
	}

	/** Creates the instance owner (first run only) and signs in. */
	async setUpOwnerAndLogin(): Promise<void> {
		await this.data('POST', '/rest/owner/setup', OWNER);
		await this.data('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
	}
}
