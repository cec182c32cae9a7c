/**
 * The end-to-end layer: real n8n processes (the pinned runtime in .n8n-runtime/) with this
 * package installed from `npm pack` output. Kept apart from jest.config.js because it needs the
 * runtime (3 GB, scripts/n8n-runtime.mjs) and minutes, not seconds. Run it --runInBand: each test
 * file starts its own n8n (and workers), which is all two cores can take at once.
 */
/**
 * ts-jest compiles each file on its own (tsconfig.jest.json: isolatedModules), without building a
 * type-checked program per worker: the types are checked once for the whole project by
 * `npm run typecheck`, which `npm test` runs first.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: { warnOnly: false } }];

/** @type {import('jest').Config} */
module.exports = {
	displayName: 'e2e',
	testEnvironment: 'node',
	transform: { '^.+\\.ts$': tsJest },
	testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
	globalSetup: '<rootDir>/test/e2e/support/global-setup.mjs',
	globalTeardown: '<rootDir>/test/e2e/support/global-teardown.mjs',
	// Starting n8n takes 15-30 s; a whole cadence with ticks and executions a minute or more.
	testTimeout: 180_000,
};
