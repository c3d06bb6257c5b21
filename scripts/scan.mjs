#!/usr/bin/env node
/**
 * n8n's community-package scanner (`@n8n/scan-community-package`), run the way n8n's CLI runs it on a
 * published package, but on this checkout: once on the source tree (package.json, nodes/, credentials/),
 * once on the unpacked `npm pack` tarball (compiled .js and the shipped package.json). Any finding fails.
 * The scanner ignores eslint-disable comments; a canary package with a disabled finding proves it still
 * reports one, so a scanner that silently checks nothing cannot pass.
 */
import { spawnSync } from 'child_process';
import fs from 'fs';
import { createRequire } from 'module';
import os from 'os';
import path from 'path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const require = createRequire(import.meta.url);
const { packProject, REPO_ROOT } = require('./n8n-runtime.js');

/** The patterns n8n's CLI scans the downloaded tarball with (see analyzePackageByName). */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

function unpack(tarball, directory) {
	fs.mkdirSync(directory, { recursive: true });
	const result = spawnSync('tar', ['-xzf', tarball, '-C', directory, '--strip-components=1'], { stdio: 'inherit' });
	if (result.status !== 0) throw new Error(`tar exited with ${result.status}`);
	return directory;
}

/** A minimal package whose only finding hides behind an eslint-disable comment. */
function writeCanary(directory) {
	fs.mkdirSync(path.join(directory, 'nodes'), { recursive: true });
	fs.writeFileSync(
		path.join(directory, 'package.json'),
		JSON.stringify({ name: 'n8n-nodes-scan-canary', version: '0.0.0', keywords: ['n8n-community-node-package'] }),
	);
	fs.writeFileSync(
		path.join(directory, 'nodes', 'Canary.js'),
		'// eslint-disable-next-line no-console\nconsole.log("canary");\n',
	);
	return directory;
}

function report(label, result) {
	console.log(`${result.passed ? 'passed' : 'FAILED'}: ${label}${result.message ? ` (${result.message})` : ''}`);
	if (result.details) console.log(result.details);
	return result.passed;
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-openai-rest-scan-'));
try {
	const canary = await analyzePackage(writeCanary(path.join(workDir, 'canary')), TARBALL_FILE_PATTERNS);
	if (canary.passed || !/no-console/.test(canary.details ?? '')) {
		throw new Error('The scanner did not report the canary package\'s disabled no-console finding');
	}
	const tarball = packProject({ destination: workDir });
	const results = [
		report('source tree', await analyzePackage(REPO_ROOT, SOURCE_FILE_PATTERNS)),
		report(path.basename(tarball), await analyzePackage(unpack(tarball, path.join(workDir, 'package')), TARBALL_FILE_PATTERNS)),
	];
	if (results.includes(false)) process.exitCode = 1;
} finally {
	fs.rmSync(workDir, { recursive: true, force: true });
}
