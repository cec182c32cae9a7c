/**
 * The one boundary between the cadence store and a database. Every query is written once with `?`
 * placeholders; a driver adapts it. Dialect differences are capability flags, never
 * `if (dialect === …)` scattered through the store.
 */

export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

export interface SqlExecutor {
	all<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
	run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
	/**
	 * `all` for a statement the store runs again and again with the same text: where it pays,
	 * the database parses and plans it once per connection.
	 */
	allPrepared<T = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
}

export interface Dialect {
	readonly name: 'sqlite' | 'postgres';
	/** Appended to a claim's inner SELECT so concurrent claimers skip each other's rows. */
	readonly lockForClaim: string;
	/** Appended to a SELECT that must hold its row until the transaction ends. */
	readonly lockRow: string;
	/** Column type for an auto-assigned integer primary key. */
	readonly idColumn: string;
	/** Appended to CREATE TABLE for a table stored in its primary key's order (SQLite only). */
	readonly clusteredTable: string;
	/** Column type for epoch milliseconds and other 64-bit integers. */
	readonly bigint: string;
	/** The most bind parameters one statement may carry; batches are cut to fit. */
	readonly maxParams: number;
	/**
	 * `column` is one of a list of ids passed as one parameter (`idsParam`): the statement's text
	 * stays the same however many ids there are, so the database parses and plans it once.
	 */
	inIds(column: string): string;
	idsParam(ids: readonly number[]): string;
	/** The same for a list of texts (`textsParam`). */
	inTexts(column: string): string;
	textsParam(texts: readonly string[]): string;
	/** Whether ALTER TABLE can drop a constraint (SQLite keeps them in the table's definition). */
	readonly dropsConstraints: boolean;
	/** Whether one statement can chain writes (`WITH … DELETE … RETURNING`, then INSERT …). */
	readonly writableCte: boolean;
	/** A JSON object as text, built in SQL from `'key', value, …` pairs. */
	jsonObject(pairs: string): string;
	/**
	 * Rows given as one JSON parameter (an array of arrays, each row's values in column order),
	 * read as a table `v` with columns column1, column2, … of the given SQL types; null where a
	 * VALUES list of bind parameters is the cheaper way (see values-table.ts).
	 */
	jsonRows(types: readonly string[]): string | null;
}

export interface SqlDriver extends SqlExecutor {
	readonly dialect: Dialect;
	/**
	 * Runs `work` in one write transaction: all of it commits or none of it does. On SQLite the
	 * write lock is taken up front (BEGIN IMMEDIATE) so two processes never interleave a claim.
	 */
	transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	/** Serialises schema migrations across processes that open the store at the same moment. */
	withMigrationLock<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
	/**
	 * Fails when the database file this driver opened was deleted, moved or replaced (drivers
	 * over a file only).
	 */
	checkFile?(): void;
	close(): Promise<void>;
}
