import fs from 'fs';
import os from 'os';
import path from 'path';

import { E2E_ENV_KEYS, killRecordedProcessGroups } from './support/n8n';

interface RuntimeInstaller {
	ensureRuntime(): { nodeBin: string; n8nBin: string; version: string; nodeVersion: string };
	packProject(options: { destination: string }): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureRuntime, packProject } = require('../../scripts/n8n-runtime.js') as RuntimeInstaller;

/**
 * Once per run: makes sure the pinned n8n is installed (minutes the first time, cached afterwards),
 * then builds and packs this package. Test files install the tarball into fresh user folders.
 * The results travel to the tests through environment variables, which Jest's workers inherit.
 */
export default async function globalSetup(): Promise<void> {
	const startedAt = Date.now();
	const runtime = ensureRuntime();
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-openai-rest-e2e-'));
	const tarball = packProject({ destination: workDir });

	process.env[E2E_ENV_KEYS.nodeBin] = runtime.nodeBin;
	process.env[E2E_ENV_KEYS.n8nBin] = runtime.n8nBin;
	process.env[E2E_ENV_KEYS.tarball] = tarball;
	process.env[E2E_ENV_KEYS.workDir] = workDir;
	process.env[E2E_ENV_KEYS.processGroups] = path.join(workDir, 'process-groups');
	endProcessGroupsWithTheRunner();
	const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
	process.stderr.write(`\n[e2e] n8n ${runtime.version} on Node ${runtime.nodeVersion}; setup took ${seconds}s\n`);
}

/**
 * The suites start n8n, PostgreSQL and Redis in process groups of their own, which a Ctrl-C on the runner does
 * not reach. This runs in Jest's own process (test code runs in a sandbox and may be ended first), so that a
 * SIGINT, a SIGTERM or any exit of the runner ends them too.
 */
function endProcessGroupsWithTheRunner(): void {
	process.once('exit', killRecordedProcessGroups);
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			killRecordedProcessGroups();
			const workDir = process.env[E2E_ENV_KEYS.workDir];
			if (workDir && process.env.E2E_KEEP !== '1') fs.rmSync(workDir, { recursive: true, force: true });
			process.exit(signal === 'SIGINT' ? 130 : 143);
		});
	}
}
