import fs from 'fs';
import os from 'os';
import path from 'path';

import { E2E_ENV_KEYS } from './support/n8n';

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
	const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
	process.stderr.write(`\n[e2e] n8n ${runtime.version} on Node ${runtime.nodeVersion}; setup took ${seconds}s\n`);
}
