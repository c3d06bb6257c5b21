/**
 * End-to-end suite (`npm run test:e2e`): the built package inside a real, pinned n8n (see scripts/n8n-runtime.js).
 * The first run installs n8n into a cache folder (about 5 minutes); later runs reuse it.
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
	globalSetup: '<rootDir>/test/e2e/global-setup.ts',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
	// One n8n at a time: each boots a full server and the machine has two cores.
	maxWorkers: 1,
	testTimeout: 180000,
	slowTestThreshold: 60,
	verbose: true,
};
