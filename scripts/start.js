#!/usr/bin/env node
'use strict';
/**
 * `npm start`: builds and packs this package, installs it into a project-local n8n user folder (.n8n-user/)
 * the way n8n installs community packages, and runs a real n8n (see scripts/n8n-runtime.js) on loopback.
 * Ctrl-C stops n8n. Workflows, credentials and the owner account persist in .n8n-user/ between runs.
 *
 * Environment: N8N_PORT (default 5678); any other N8N_* / DB_* variable is passed through to n8n.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');

const { ensureRuntime, installCommunityPackage, n8nEnvironment, packProject, REPO_ROOT } = require('./n8n-runtime');

const DEFAULT_PORT = 5678;
const USER_FOLDER = path.join(REPO_ROOT, '.n8n-user');

function parsePort(value, fallback) {
	const port = Number(value ?? fallback);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid port: ${value}`);
	return port;
}

function installPackage() {
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-openai-rest-pack-'));
	try {
		const tarball = packProject({ destination: packDir });
		const installed = installCommunityPackage(tarball, USER_FOLDER);
		console.log(`Installed ${installed.name}@${installed.version} into ${path.relative(REPO_ROOT, installed.directory)}`);
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

async function waitUntilReady(url, child) {
	const deadline = Date.now() + 180_000;
	while (Date.now() < deadline && child.exitCode === null) {
		try {
			const response = await fetch(`${url}/healthz/readiness`);
			if (response.ok) return true;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	return false;
}

async function main() {
	const port = parsePort(process.env.N8N_PORT, DEFAULT_PORT);
	const runtime = ensureRuntime();
	installPackage();

	const env = n8nEnvironment({
		userFolder: USER_FOLDER,
		port,
		brokerPort: parsePort(process.env.N8N_RUNNERS_BROKER_PORT, port + 1),
		logLevel: 'info',
		inheritN8nSettings: true,
	});
	const url = `http://127.0.0.1:${port}`;
	console.log(`Starting n8n ${runtime.version} (Node ${runtime.nodeVersion}) with user folder .n8n-user/ ...`);
	const child = spawn(runtime.nodeBin, [runtime.n8nBin, 'start'], { cwd: USER_FOLDER, env, stdio: 'inherit' });

	const stop = (signal) => {
		if (child.exitCode === null) child.kill(signal);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
	child.on('exit', (code, signal) => {
		process.exitCode = signal ? 0 : (code ?? 0);
	});

	if (await waitUntilReady(url, child)) {
		console.log(`\nn8n is ready: ${url}  (first visit: create the owner account; Ctrl-C stops n8n)\n`);
		console.log('Add the node: open a workflow, press "+", search "OpenAI REST".');
	}
}

main().catch((error) => {
	console.error(error.message);
	process.exitCode = 1;
});
