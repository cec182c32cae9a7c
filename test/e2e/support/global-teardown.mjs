import { rmSync } from 'node:fs';
import stopPostgres from '../../support/postgres-global-teardown.js';

export default async function globalTeardown() {
	await stopPostgres();
	const raw = process.env.CADENCE_E2E_SETUP;
	// CADENCE_E2E_KEEP=1 leaves the user folders and n8n logs for a look after a failure.
	if (raw && process.env.CADENCE_E2E_KEEP !== '1') {
		rmSync(JSON.parse(raw).workRoot, { recursive: true, force: true });
	}
}
