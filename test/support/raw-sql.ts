import type { StoreConfig } from '../../engine/store/open';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from '../../engine/store/sql/driver';
import { PostgresDriver } from '../../engine/store/sql/postgres';
import { SqliteDriver } from '../../engine/store/sql/sqlite';
import { CadenceStore } from '../../engine/store/store';
import type { Clock } from '../../engine/store/types';

/**
 * A bare driver on a store's location, for looking at the tables behind the public API: row
 * counts after a failure, the migration bookkeeping, what a claim left behind.
 * It never migrates; open a store on the location first.
 */
export function rawDriver(config: StoreConfig): SqlDriver {
	return config.kind === 'sqlite' ? new SqliteDriver(config) : new PostgresDriver(config);
}

export async function count(
	db: SqlExecutor,
	sql: string,
	params: SqlValue[] = [],
): Promise<number> {
	const [row] = await db.all<{ n: unknown }>(sql, params);
	return Number(row.n);
}

/** Names of the tables in the store's own namespace (the SQLite file, or the Postgres schema). */
export async function tableNames(driver: SqlDriver, config: StoreConfig): Promise<string[]> {
	const rows =
		config.kind === 'sqlite'
			? await driver.all<{ name: string }>(
					"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
				)
			: await driver.all<{ name: string }>(
					'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ?',
					[config.schema ?? 'cadence'],
				);
	return rows.map((r) => r.name).sort();
}

/**
 * Wraps a real driver and throws on the first statement that `failOn` matches while armed — the
 * database error a crash, a dropped connection or a constraint would raise half-way through an
 * operation. Statements outside a transaction count too: an operation written as one statement
 * (a Postgres claim) is atomic on its own.
 */
export class FaultyDriver implements SqlDriver {
	readonly dialect: SqlDriver['dialect'];
	/** Statements run since the last `arm`, in order. */
	readonly seen: string[] = [];
	/** Every statement run, with its parameters, in order. */
	readonly statements: Array<{ sql: string; params: readonly SqlValue[] }> = [];
	private failOn: ((sql: string, index: number) => boolean) | null = null;
	private fired = 0;

	constructor(private readonly inner: SqlDriver) {
		this.dialect = inner.dialect;
	}

	/** Fail the next statement for which `failOn(sql, indexWithinThisArming)` is true, once. */
	arm(failOn: (sql: string, index: number) => boolean): void {
		this.failOn = failOn;
		this.seen.length = 0;
	}

	disarm(): void {
		this.failOn = null;
	}

	get faultsFired(): number {
		return this.fired;
	}

	all = async <T = Row>(sql: string, params?: readonly SqlValue[]) => {
		this.check(sql, params);
		return this.inner.all<T>(sql, params);
	};
	allPrepared = async <T = Row>(sql: string, params?: readonly SqlValue[]) => {
		this.check(sql, params);
		return this.inner.allPrepared<T>(sql, params);
	};
	run: SqlDriver['run'] = async (sql, params) => {
		this.check(sql, params);
		return this.inner.run(sql, params);
	};
	withMigrationLock: SqlDriver['withMigrationLock'] = (work) => this.inner.withMigrationLock(work);
	close = () => this.inner.close();

	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return this.inner.transaction((tx) =>
			work({
				all: async <R = Row>(sql: string, params?: readonly SqlValue[]) => {
					this.check(sql, params);
					return tx.all<R>(sql, params);
				},
				run: async (sql, params) => {
					this.check(sql, params);
					return tx.run(sql, params);
				},
				allPrepared: async <R = Row>(sql: string, params?: readonly SqlValue[]) => {
					this.check(sql, params);
					return tx.allPrepared<R>(sql, params);
				},
			}),
		);
	}

	private check(sql: string, params: readonly SqlValue[] = []): void {
		this.statements.push({ sql, params });
		const index = this.seen.push(sql) - 1;
		if (this.failOn && this.failOn(sql, index)) {
			this.failOn = null;
			this.fired++;
			throw new Error(`injected fault on: ${sql.replace(/\s+/g, ' ').slice(0, 60)}`);
		}
	}
}

/**
 * A store on a driver of its own whose statements are recorded (a FaultyDriver never armed), for
 * tests of which statements an operation runs and how Postgres or SQLite plans them; `db` is the
 * bare driver under it, for EXPLAIN. Closed after `work`.
 */
export async function withRecordedStore<T>(
	config: StoreConfig,
	clock: Clock,
	work: (store: CadenceStore, recorder: FaultyDriver, db: SqlDriver) => Promise<T>,
): Promise<T> {
	const db = rawDriver(config);
	try {
		const recorder = new FaultyDriver(db);
		return await work(new CadenceStore(recorder, clock), recorder, db);
	} finally {
		await db.close();
	}
}

/**
 * How the database would run a statement recorded from a store, as one string to match against:
 * Postgres's EXPLAIN or SQLite's EXPLAIN QUERY PLAN. `withoutSeqScans` prices table scans out on
 * Postgres, which would scan a table of a few rows rather than use any index.
 */
export async function planOf(
	db: SqlDriver,
	{ sql, params }: { sql: string; params: readonly SqlValue[] },
	options: { withoutSeqScans?: boolean } = {},
): Promise<string> {
	if (db.dialect.name !== 'postgres')
		return JSON.stringify(await db.all(`EXPLAIN QUERY PLAN ${sql}`, params));
	if (!options.withoutSeqScans) return JSON.stringify(await db.all(`EXPLAIN ${sql}`, params));
	return JSON.stringify(
		await db.transaction(async (tx) => {
			await tx.run('SET LOCAL enable_seqscan = off');
			return tx.all(`EXPLAIN ${sql}`, params);
		}),
	);
}
