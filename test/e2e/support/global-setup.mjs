// Once per end-to-end run: the pinned n8n and this package installed into a user-folder template
// (prepare.mjs), and a real PostgreSQL for the queue-mode test. Test files read it all from
// CADENCE_E2E_SETUP.
import findPostgres from '../../support/postgres-global-setup.js';
import { prepareN8nRun } from './prepare.mjs';

export default async function globalSetup() {
	// CADENCE_E2E_BUILD=0 tests the dist/ that is there (CI has just built it).
	const { n8nVersion, setup, seconds } = await prepareN8nRun({
		prefix: 'cadence-e2e-',
		build: process.env.CADENCE_E2E_BUILD !== '0',
	});
	process.stdout.write(
		`\n[e2e] n8n-nodes-cadence ${setup.packageVersion} built, packed and installed in ` +
			`${seconds.toFixed(1)} s; n8n ${n8nVersion} from ${setup.runtimeDir}\n`,
	);
	await findPostgres();
	process.env.CADENCE_E2E_SETUP = JSON.stringify(setup);
}
