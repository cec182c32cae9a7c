// Once per end-to-end run: the pinned n8n (installed when missing), a fresh build of this
// package installed into a user-folder template the way Settings → Community Nodes installs it,
// and a real PostgreSQL for the queue-mode test. Test files read it all from CADENCE_E2E_SETUP.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAndInstall } from '../../../scripts/n8n-package.mjs';
import { ensureRuntime } from '../../../scripts/n8n-runtime.mjs';
import findPostgres from '../../support/postgres-global-setup.js';

export default async function globalSetup() {
	const runtime = await ensureRuntime();
	const workRoot = mkdtempSync(join(tmpdir(), 'cadence-e2e-'));
	const templateUserFolder = join(workRoot, 'template');
	mkdirSync(templateUserFolder);
	const started = Date.now();
	// CADENCE_E2E_BUILD=0 tests the dist/ that is there (CI has just built it).
	const packageVersion = buildAndInstall(templateUserFolder, {
		build: process.env.CADENCE_E2E_BUILD !== '0',
	});
	process.stdout.write(
		`\n[e2e] n8n-nodes-cadence ${packageVersion} built, packed and installed in ` +
			`${((Date.now() - started) / 1000).toFixed(1)} s; n8n ${runtime.version} from ${runtime.dir}\n`,
	);
	await findPostgres();
	process.env.CADENCE_E2E_SETUP = JSON.stringify({
		runtimeDir: runtime.dir,
		n8nBin: runtime.n8nBin,
		node: runtime.node,
		templateUserFolder,
		workRoot,
		packageVersion,
	});
}
