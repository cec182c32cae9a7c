// What a run against real n8n needs, prepared once: the pinned n8n (installed when missing) and
// this package built, packed and installed into a user-folder template the way Settings →
// Community Nodes installs it. The end-to-end global setup and the benchmark's n8n section both
// hand the result to the harness as CADENCE_E2E_SETUP (read by environment.ts).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndInstall } from '../../../scripts/n8n-package.mjs';
import { ensureRuntime } from '../../../scripts/n8n-runtime.mjs';

/**
 * @param {{ prefix: string, build: boolean }} options `prefix` names the temporary work folder;
 *   `build: false` packs the dist/ that is there.
 * @returns {Promise<{ n8nVersion: string, setup: Record<string, string>, seconds: number }>}
 */
export async function prepareN8nRun({ prefix, build }) {
	const runtime = await ensureRuntime();
	const workRoot = mkdtempSync(join(tmpdir(), prefix));
	const templateUserFolder = join(workRoot, 'template');
	mkdirSync(templateUserFolder);
	const started = Date.now();
	const packageVersion = buildAndInstall(templateUserFolder, { build });
	return {
		n8nVersion: runtime.version,
		seconds: (Date.now() - started) / 1000,
		setup: {
			runtimeDir: runtime.dir,
			n8nBin: runtime.n8nBin,
			node: runtime.node,
			templateUserFolder,
			workRoot,
			packageVersion,
		},
	};
}
