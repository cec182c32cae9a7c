import { existsSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { withClient } from '../lib/postgres';

/**
 * What a subject keeps on disk: every table of n8n's Postgres database (n8n's own tables and, for
 * the package on its Postgres store, the store's schema), plus the package's SQLite file when the
 * store is the default one. Measured compacted, so the figure is what the waiting contacts take
 * rather than where the table files happen to stand after their updates.
 */

export type TableBytes = Map<string, number>;

/**
 * VACUUM FULL rewrites every user table and its indexes without dead rows: over the days the
 * contacts wait, autovacuum would make that space reusable by later rows anyway.
 */
export async function compact(url: string): Promise<void> {
	await withClient(url, async (c) => {
		for (const name of await userTables(c)) await c.query(`VACUUM (FULL, ANALYZE) ${name}`);
	});
}

/** Bytes on disk of every user table, with its indexes and TOAST, by schema-qualified name. */
export async function postgresBytes(url: string): Promise<TableBytes> {
	return withClient(url, async (c) => {
		const { rows } = await c.query<{ name: string; bytes: string }>(
			`SELECT n.nspname || '.' || c.relname AS name, pg_total_relation_size(c.oid) AS bytes
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
				AND n.nspname NOT LIKE 'pg_toast%'`,
		);
		return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
	});
}

async function userTables(c: { query<R>(sql: string): Promise<{ rows: R[] }> }): Promise<string[]> {
	const { rows } = await c.query<{ name: string }>(
		`SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS name FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
	);
	return rows.map((r) => r.name);
}

/**
 * The store's SQLite file after a WAL checkpoint, plus any WAL left (n8n keeps the file open).
 * No VACUUM: it would lock the store under the running trigger, and the store's rows are
 * written once and updated in place, so the file has little free space to give back.
 */
export function sqliteBytes(path: string): TableBytes {
	if (!existsSync(path)) return new Map();
	const db = new DatabaseSync(path);
	try {
		db.exec('PRAGMA busy_timeout = 5000');
		db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
	} finally {
		db.close();
	}
	const wal = `${path}-wal`;
	const bytes = statSync(path).size + (existsSync(wal) ? statSync(wal).size : 0);
	return new Map([['cadence store (SQLite file)', bytes]]);
}

/** Growth per table between two measurements, largest first, dropping what did not grow. */
export function growth(before: TableBytes, after: TableBytes): Array<[string, number]> {
	return [...after.entries()]
		.map(([name, bytes]): [string, number] => [name, bytes - (before.get(name) ?? 0)])
		.filter(([, bytes]) => bytes !== 0)
		.sort((a, b) => b[1] - a[1]);
}
