import { realpathSync, statSync } from 'node:fs';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { CadenceStoreError, type StoreProblem } from '../../errors';
import { refuseUnstorableParams } from '../text-rules';
import type { Dialect, Row, SqlDriver, SqlExecutor, SqlValue } from './driver';

export interface SqliteOptions {
	/** Path of the database file; created with its folder's permissions when missing. */
	path: string;
	/** How long a writer waits for another process's lock before giving up. */
	busyTimeoutMs?: number;
}

const SQLITE: Dialect = {
	name: 'sqlite',
	lockRow: '',
	lockForClaim: '',
	idColumn: 'INTEGER PRIMARY KEY',
	clusteredTable: ' WITHOUT ROWID',
	bigint: 'INTEGER',
	maxParams: 32_000,
	inIds: (column) => `${column} IN (SELECT value FROM json_each(?))`,
	idsParam: (ids) => JSON.stringify(ids),
	inTexts: (column) => `${column} IN (SELECT value FROM json_each(?))`,
	textsParam: (texts) => JSON.stringify(texts),
	dropsConstraints: false,
	writableCte: false,
	jsonObject: (pairs) => `json_object(${pairs})`,
	// SQLite binds values without a planning cost worth saving; a VALUES list it is.
	jsonRows: () => null,
};

/**
 * Writers on the same file in this process take turns here before BEGIN IMMEDIATE. Without it,
 * a second connection would wait for SQLite's lock synchronously (busy_timeout), freezing the
 * only JS thread — so the first connection could never reach its COMMIT. Other processes are
 * kept apart by SQLite's own lock.
 */
const fileTurns = new Map<string, Promise<unknown>>();

async function inFileTurn<T>(file: string | null, work: () => Promise<T> | T): Promise<T> {
	if (file === null) return work();
	const previous = fileTurns.get(file) ?? Promise.resolve();
	const mine = previous.then(work, work);
	const settled = mine.catch(() => undefined);
	fileTurns.set(file, settled);
	void settled.then(() => {
		if (fileTurns.get(file) === settled) fileTurns.delete(file);
	});
	return mine;
}

/**
 * WAL lets readers work while one writer commits. Switching a fresh file to it needs a moment of
 * exclusive access that SQLite does not wait for, so processes opening the same new file at once
 * retry briefly instead of failing.
 */
function useWriteAheadLog(db: DatabaseSync, timeoutMs: number): void {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const [row] = db.prepare('PRAGMA journal_mode').all() as Array<{ journal_mode: string }>;
			if (row?.journal_mode === 'wal' || row?.journal_mode === 'memory') return;
			db.exec('PRAGMA journal_mode = WAL');
			return;
		} catch (error) {
			if (!/locked|busy/i.test((error as Error).message) || Date.now() > deadline) throw error;
			// Opening is synchronous anyway; a short blocking pause keeps this constructor simple.
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
		}
	}
}

/** SQLite's primary result codes that say something the user can act on. */
const PROBLEMS: Record<number, StoreProblem> = {
	5: 'busy', // SQLITE_BUSY
	6: 'busy', // SQLITE_LOCKED
	8: 'readOnly', // SQLITE_READONLY
	13: 'diskFull', // SQLITE_FULL
	14: 'unreachable', // SQLITE_CANTOPEN
};

/**
 * How often a read checks that the file is still the one opened; writes check every time (a
 * stat costs microseconds, a durable commit milliseconds).
 */
const READ_CHECK_MS = 1000;

/**
 * node:sqlite is synchronous, so one connection can only run one transaction at a time; async
 * callers queue on `tail` instead of interleaving statements inside someone else's transaction.
 */
export class SqliteDriver implements SqlDriver {
	readonly dialect = SQLITE;
	private readonly db: DatabaseSync;
	private readonly statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
	private tail: Promise<unknown> = Promise.resolve();
	private closed = false;
	/** The file's real path (one key however it was spelled), or null for an in-memory database. */
	private readonly file: string | null;
	/** Device and inode of the file when it was opened, to notice it being deleted or replaced. */
	private readonly identity: { dev: number; ino: number } | null = null;
	private checkedAt = 0;
	/** Set once the file is found gone or replaced: every later call fails the same way. */
	private lost: CadenceStoreError | null = null;

	constructor(options: SqliteOptions) {
		try {
			this.db = new DatabaseSync(options.path);
			this.db.exec(`PRAGMA busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 10_000)}`);
			useWriteAheadLog(this.db, options.busyTimeoutMs ?? 10_000);
			// FULL: a commit is on disk before it returns, so a claim or a send record survives a crash.
			this.db.exec('PRAGMA synchronous = FULL');
			this.db.exec('PRAGMA foreign_keys = ON');
			this.file =
				options.path === ':memory:' || options.path === '' ? null : realpathSync(options.path);
			if (this.file !== null) {
				const { dev, ino } = statSync(this.file);
				this.identity = { dev, ino };
			}
		} catch (error) {
			const mapped = sqliteError(error, options.path);
			throw new CadenceStoreError(
				`Could not open the SQLite cadence store at "${options.path}": ${(error as Error).message}. ` +
					'Check that the folder exists and n8n may write to it.',
				error,
				mapped.problem === 'failed' ? 'unreachable' : mapped.problem,
			);
		}
	}

	/**
	 * Fails when the file at the store's path is no longer the one this connection has open: it
	 * was deleted, moved or replaced while n8n ran. SQLite would carry on writing into the
	 * unlinked file, and everything written from then on would vanish with the process.
	 */
	checkFile(force = true): void {
		if (this.lost) throw this.lost;
		if (this.file === null || this.identity === null) return;
		const now = Date.now();
		if (!force && now - this.checkedAt < READ_CHECK_MS) return;
		this.checkedAt = now;
		let stat: { dev: number; ino: number } | null;
		try {
			stat = statSync(this.file);
		} catch (error) {
			if ((error as { code?: string }).code !== 'ENOENT') return;
			stat = null;
		}
		if (stat && stat.dev === this.identity.dev && stat.ino === this.identity.ino) return;
		this.lost = new CadenceStoreError(
			`The SQLite cadence store file "${this.file}" was ${stat ? 'replaced by another file' : 'deleted or moved'} ` +
				'while n8n was running. Nothing more is written to it, so no enrollment or send goes ' +
				'into a file that is no longer there. Put the original file back (or restore it from a ' +
				'backup), then restart n8n.',
			undefined,
			'storeLost',
		);
		throw this.lost;
	}

	async all<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
		return this.serial(() => {
			this.checkFile(false);
			return this.allNow<T>(sql, params);
		});
	}

	/** Every statement is prepared once and cached here already. */
	async allPrepared<T = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
		return this.all<T>(sql, params);
	}

	async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
		return this.serial(() =>
			inFileTurn(this.file, () => {
				this.checkFile();
				return this.runNow(sql, params);
			}),
		);
	}

	async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		return this.serial(() => inFileTurn(this.file, () => this.transactionNow(work)));
	}

	private async transactionNow<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		this.checkFile();
		this.exec('BEGIN IMMEDIATE');
		const tx: SqlExecutor = {
			all: async <R = Row>(sql: string, params: readonly SqlValue[] = []) =>
				this.allNow<R>(sql, params),
			run: async (sql, params = []) => this.runNow(sql, params),
			// Every statement is prepared once and cached already.
			allPrepared: async <R = Row>(sql: string, params: readonly SqlValue[] = []) =>
				this.allNow<R>(sql, params),
		};
		try {
			const result = await work(tx);
			// A failed COMMIT leaves nothing behind: SQLite rolls back itself, or below.
			this.exec('COMMIT');
			return result;
		} catch (error) {
			if (this.db.isTransaction) this.exec('ROLLBACK');
			throw error;
		}
	}

	async withMigrationLock<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
		// BEGIN IMMEDIATE excludes writers in other processes; fileTurns those in this one.
		return this.transaction(work);
	}

	async close(): Promise<void> {
		// Closing twice (the idle timer, then a shutdown) is not an error.
		if (this.closed) return;
		await this.serial(async () => {
			if (this.closed) return;
			this.closed = true;
			this.statements.clear();
			this.guarded(() => this.db.close());
		});
	}

	private serial<T>(work: () => Promise<T> | T): Promise<T> {
		const next = this.tail.then(() => {
			if (this.closed) throw new CadenceStoreError('The SQLite cadence store is closed.');
			return work();
		});
		this.tail = next.catch(() => undefined);
		return next;
	}

	private prepare(sql: string) {
		let statement = this.statements.get(sql);
		if (!statement) {
			// Batch statements vary in length; a bound keeps the cache from growing without end.
			if (this.statements.size > 500) this.statements.clear();
			statement = this.db.prepare(sql);
			this.statements.set(sql, statement);
		}
		return statement;
	}

	private allNow<T>(sql: string, params: readonly SqlValue[]): T[] {
		refuseUnstorableParams(params);
		return this.guarded(() => this.prepare(sql).all(...(params as SQLInputValue[])) as T[]);
	}

	private runNow(sql: string, params: readonly SqlValue[]): { changes: number } {
		refuseUnstorableParams(params);
		const result = this.guarded(() => this.prepare(sql).run(...(params as SQLInputValue[])));
		return { changes: Number(result.changes) };
	}

	private exec(sql: string): void {
		this.guarded(() => this.db.exec(sql));
	}

	/**
	 * Every call into node:sqlite after opening goes through here, so what leaves the driver is a
	 * CadenceStoreError that says what went wrong (as the Postgres driver's), never a bare code.
	 */
	private guarded<T>(call: () => T): T {
		try {
			return call();
		} catch (error) {
			throw sqliteError(error, this.file);
		}
	}
}

/** An error from SQLite as the store reports it; anything else passes through unchanged. */
function sqliteError(error: unknown, file: string | null): CadenceStoreError {
	if (error instanceof CadenceStoreError) return error;
	const { errcode } = error as { errcode?: unknown };
	const problem = typeof errcode === 'number' ? (PROBLEMS[errcode & 0xff] ?? 'failed') : 'failed';
	const where = file ? ` at "${file}"` : '';
	return new CadenceStoreError(
		`The SQLite cadence store${where} refused a statement: ${(error as Error).message}`,
		error,
		problem,
	);
}
