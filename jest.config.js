/** Test layers: `unit` (pure engine rules and node classes), `store` (both real backends). */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

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
