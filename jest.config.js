/** Test layers: `unit` (pure engine rules and node classes), `store` (both real backends). */
/**
 * ts-jest compiles each file on its own (tsconfig.jest.json: isolatedModules), without building a
 * type-checked program per worker: the types are checked once for the whole project by
 * `npm run typecheck`, which `npm test` runs first.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: { warnOnly: false } }];

/** @type {import('jest').Config} */
module.exports = {
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
		},
		{
			displayName: 'store',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/store/**/*.test.ts'],
			globalSetup: '<rootDir>/test/support/postgres-global-setup.js',
			globalTeardown: '<rootDir>/test/support/postgres-global-teardown.js',
		},
	],
};
