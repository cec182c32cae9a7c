import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import stopPostgres from '../../support/postgres-global-teardown.js';

export default async function globalTeardown() {
	await stopPostgres();
	const raw = process.env.CADENCE_E2E_SETUP;
	// CADENCE_E2E_KEEP=1 leaves the user folders and n8n logs for a look after a failure.
	if (!raw || process.env.CADENCE_E2E_KEEP === '1') return;
	const { workRoot } = JSON.parse(raw);
	// The browser suite's screenshots of failures stay (their paths are in the failure messages).
	const screenshots = join(workRoot, 'screenshots');
	if (existsSync(screenshots) && readdirSync(screenshots).length > 0) {
		for (const entry of readdirSync(workRoot)) {
			if (entry !== 'screenshots') rmSync(join(workRoot, entry), { recursive: true, force: true });
		}
		process.stdout.write(`\n[e2e] screenshots of failures kept in ${screenshots}\n`);
		return;
	}
	rmSync(workRoot, { recursive: true, force: true });
}
