/** Unit and in-process engine tests (`npm test`). The end-to-end suite has its own config. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/test/e2e/', '/test/queue/'],
	// Every request the node sends in any test is checked against OpenAI's spec.
	setupFilesAfterEnv: ['<rootDir>/test/conformance/every-request.ts'],
	testTimeout: 30000,
};
