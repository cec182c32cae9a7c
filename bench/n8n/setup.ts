import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from '../lib/report';

/**
 * What the end-to-end suite's global setup (test/e2e/support/global-setup.mjs) prepares, done
 * once for the section: the pinned n8n (installed when missing), this package built, packed and
 * installed into a user-folder template the way Settings → Community Nodes installs it, and the
 * Postgres that fresh databases are made on. The harness in test/e2e/support reads it all from
 * CADENCE_E2E_SETUP, so the benchmark starts n8n exactly as the end-to-end tests do.
 */

interface RuntimeScript {
	ensureRuntime(): Promise<{ dir: string; n8nBin: string; node: string; version: string }>;
}
interface PackageScript {
	buildAndInstall(userFolder: string, options: { build: boolean }): string;
}

export interface PreparedN8n {
	n8nVersion: string;
	packageVersion: string;
	cleanUp(): void;
}

export async function prepareN8n(ctx: BenchContext): Promise<PreparedN8n> {
	// Node 24 loads these ES modules with require() (they have no top-level await).
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ensureRuntime } = require('../../scripts/n8n-runtime.mjs') as RuntimeScript;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { buildAndInstall } = require('../../scripts/n8n-package.mjs') as PackageScript;
	const runtime = await ensureRuntime();
	const workRoot = mkdtempSync(join(tmpdir(), 'cadence-bench-n8n-'));
	const templateUserFolder = join(workRoot, 'template');
	mkdirSync(templateUserFolder);
	// CADENCE_BENCH_BUILD=0 measures the dist/ that is there instead of building first.
	const build = process.env.CADENCE_BENCH_BUILD !== '0';
	ctx.log(`n8n: ${build ? 'building, packing' : 'packing'} and installing n8n-nodes-cadence`);
	const packageVersion = buildAndInstall(templateUserFolder, { build });
	// freshDatabase() (test/e2e/support/services.ts) creates its databases on this server.
	process.env.CADENCE_TEST_PG_URL = await ctx.postgresUrl();
	process.env.CADENCE_E2E_SETUP = JSON.stringify({
		runtimeDir: runtime.dir,
		n8nBin: runtime.n8nBin,
		node: runtime.node,
		templateUserFolder,
		workRoot,
		packageVersion,
	});
	return {
		n8nVersion: runtime.version,
		packageVersion,
		cleanUp: () => rmSync(workRoot, { recursive: true, force: true }),
	};
}
