import fs from 'fs';

import { E2E_ENV_KEYS } from './support/n8n';

/** Removes the run's temporary user folders, unless E2E_KEEP=1 asks to keep them for inspection. */
export default async function globalTeardown(): Promise<void> {
	const workDir = process.env[E2E_ENV_KEYS.workDir];
	if (!workDir) return;
	if (process.env.E2E_KEEP === '1') {
		process.stderr.write(`[e2e] kept ${workDir}\n`);
		return;
	}
	fs.rmSync(workDir, { recursive: true, force: true });
}
