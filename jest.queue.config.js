/**
 * Queue-mode suite (`npm run test:queue`): the built package in n8n's queue mode (PostgreSQL, Redis, a main
 * process and two workers) on the pinned runtime. Shares the end-to-end setup (runtime installed once, package
 * packed once per run) and settings; see jest.e2e.config.js.
 */
const e2e = require('./jest.e2e.config');

module.exports = {
	...e2e,
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.queue.test.ts'],
	slowTestThreshold: 120,
};
