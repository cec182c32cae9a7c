import { rmSync } from 'node:fs';
import type { BenchContext } from '../lib/report';

/**
 * What the end-to-end suite's global setup prepares (test/e2e/support/prepare.mjs), done once for
 * the section: the pinned n8n (installed when missing) and this package built, packed and
 * installed into a user-folder template, plus the Postgres that fresh databases are made on. The
 * harness in test/e2e/support reads it from CADENCE_E2E_SETUP, so the benchmark starts n8n exactly
 * as the end-to-end tests do.
 */

interface PrepareScript {
	prepareN8nRun(options: { prefix: string; build: boolean }): Promise<{
		n8nVersion: string;
		setup: { workRoot: string; packageVersion: string };
	}>;
}

export interface PreparedN8n {
	n8nVersion: string;
	packageVersion: string;
	cleanUp(): void;
}

export async function prepareN8n(ctx: BenchContext): Promise<PreparedN8n> {
	// Node 24 loads this ES module with require() (it has no top-level await).
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { prepareN8nRun } = require('../../test/e2e/support/prepare.mjs') as PrepareScript;
	// CADENCE_BENCH_BUILD=0 measures the dist/ that is there instead of building first.
	const build = process.env.CADENCE_BENCH_BUILD !== '0';
	ctx.log(`n8n: ${build ? 'building, packing' : 'packing'} and installing n8n-nodes-cadence`);
	const { n8nVersion, setup } = await prepareN8nRun({ prefix: 'cadence-bench-n8n-', build });
	// freshDatabase() (test/e2e/support/services.ts) creates its databases on this server.
	process.env.CADENCE_TEST_PG_URL = await ctx.postgresUrl();
	process.env.CADENCE_E2E_SETUP = JSON.stringify(setup);
	return {
		n8nVersion,
		packageVersion: setup.packageVersion,
		cleanUp: () => rmSync(setup.workRoot, { recursive: true, force: true }),
	};
}
