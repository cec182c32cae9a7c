import { N8nInstance } from '../../test/e2e/support/n8n-instance';
import { sleep } from '../../test/e2e/support/environment';
import { freshDatabase, type PostgresDatabase } from '../../test/e2e/support/services';
import { withClient } from '../lib/postgres';
import { compact, growth, postgresBytes, sqliteBytes } from './database';

/** What one run of one subject measured. */
export interface SubjectFigures {
	/** From the first request until every contact's step 1 went out and its execution was saved. */
	startMs: number;
	/** Steps 2 and 3: from the moment all N fell due until the last of them was sent. */
	stepMs: number[];
	/** Database growth while the N contacts wait between step 1 and step 2, by table. */
	bytesByTable: Array<[string, number]>;
}

export const totalBytes = (f: SubjectFigures) => f.bytesByTable.reduce((sum, [, b]) => sum + b, 0);

/**
 * n8n's default database pool is 2 connections. With it, 1,000 Wait-node executions resuming at
 * the same moment queue for a connection longer than n8n's 20 s connection timeout ("timeout
 * exceeded when trying to connect"): on this machine 621 could not be resumed and stayed marked
 * running, 374 ended in an error, 5 were still waiting. A self-hoster with that many contacts
 * raises the pool, so both subjects get 10.
 */
export const POOL_SIZE = 10;

/**
 * Both subjects run in the same n8n: the pinned one, on a fresh Postgres database of its own, with
 * n8n's defaults for everything but the pool (regular mode, executions saved on success and on
 * error, no progress saving, pruning after 14 days).
 */
export async function startN8n(
	name: string,
): Promise<{ n8n: N8nInstance; db: PostgresDatabase; stop(): Promise<void> }> {
	const db = await freshDatabase('cadence_bench');
	let n8n: N8nInstance;
	try {
		n8n = await N8nInstance.start({
			name,
			env: {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: db.host,
				DB_POSTGRESDB_PORT: String(db.port),
				DB_POSTGRESDB_DATABASE: db.name,
				DB_POSTGRESDB_USER: db.user,
				DB_POSTGRESDB_PASSWORD: db.password,
				DB_POSTGRESDB_POOL_SIZE: String(POOL_SIZE),
			},
		});
	} catch (error) {
		await db.drop();
		throw error;
	}
	return {
		n8n,
		db,
		stop: async () => {
			await n8n.stop();
			await db.drop();
		},
	};
}

/** n8n's Postgres database, compacted, plus the cadence store's SQLite file if there is one. */
export async function databaseBytes(url: string, sqlitePath?: string) {
	await compact(url);
	const bytes = await postgresBytes(url);
	if (sqlitePath) for (const [name, b] of sqliteBytes(sqlitePath)) bytes.set(name, b);
	return bytes;
}

export { growth };

/** One value from n8n's database. */
export async function scalar(url: string, sql: string, params: unknown[] = []): Promise<number> {
	return withClient(url, async (c) => {
		const { rows } = await c.query<{ v: unknown }>(sql, params);
		return Number(rows[0]?.v ?? Number.NaN);
	});
}

/** Waits until no execution is running, so what a step wrote is saved before it is measured. */
export async function settled(url: string): Promise<void> {
	await pollUntil('n8n to finish its running executions', async () => {
		const running = await scalar(
			url,
			`SELECT count(*) AS v FROM execution_entity WHERE status IN ('new', 'running')`,
		);
		return running === 0;
	});
}

/**
 * Polls every `intervalMs` until `probe` says done; fails after `timeoutMs`. The interval is
 * short so a completion is seen promptly; the figures themselves come from the databases'
 * timestamps, not from when the poll noticed.
 */
export async function pollUntil(
	what: string,
	probe: () => Promise<boolean>,
	{ timeoutMs = 600_000, intervalMs = 200 } = {},
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await probe())) {
		if (Date.now() > deadline)
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
	items: T[],
	limit: number,
	work: (item: T) => Promise<unknown>,
): Promise<void> {
	let next = 0;
	const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
		while (next < items.length) await work(items[next++]);
	});
	await Promise.all(lanes);
}

export const contactsOf = (n: number) =>
	Array.from({ length: n }, (_, i) => ({
		contact: `contact-${String(i).padStart(5, '0')}@example.com`,
		name: `Contact ${i}`,
	}));
