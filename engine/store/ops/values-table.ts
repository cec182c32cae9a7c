import type { Dialect, SqlExecutor, SqlValue } from '../sql/driver';
import { refuseUnstorableParams } from '../text-rules';
import { chunk } from './context';

/**
 * Writes that give every row its own values in one statement: `UPDATE … FROM (VALUES …) AS v`.
 * Both databases name the columns of an unaliased VALUES list column1, column2, …; each value is
 * cast, because Postgres would otherwise type a column of bind parameters as text.
 */

export type ValueType = 'int' | 'text';

export interface ValuesColumn {
	/** The target table's column this value is assigned to (the first column is the row's id). */
	name: string;
	type: ValueType;
	/** How the value is assigned; `$` stands for the value (default: the value itself). */
	assign?: string;
}

function castTo(dialect: Dialect, type: ValueType): string {
	return type === 'int' ? dialect.bigint : 'TEXT';
}

/** `(VALUES (CAST(? AS …), …), …) AS v` for `rows`, each as long as `types`. */
export function valuesTable(
	dialect: Dialect,
	types: readonly ValueType[],
	rowCount: number,
): string {
	const row = `(${types.map((t) => `CAST(? AS ${castTo(dialect, t)})`).join(', ')})`;
	return `(VALUES ${new Array(rowCount).fill(row).join(', ')}) AS v`;
}

/**
 * `UPDATE table SET column = v.columnN, … FROM (VALUES …) WHERE table.id = v.column1` for every
 * row; `fixed` are further assignments the same for every row, `where` a further condition.
 * Returns the updated rows; Postgres adds the given columns to each, which the row readers ignore
 * (SQLite cannot return `table.*`). Postgres takes the rows as one JSON parameter in a prepared
 * statement (`dialect.jsonRows`); SQLite binds them in VALUES lists cut to its parameter limit.
 */
export async function updateFromValues(
	db: SqlExecutor,
	dialect: Dialect,
	table: string,
	columns: readonly ValuesColumn[],
	rows: readonly SqlValue[][],
	options: { fixed?: string; where?: string } = {},
): Promise<Array<Record<string, unknown>>> {
	const assignments = columns.slice(1).map((c, i) => {
		const value = `v.column${i + 2}`;
		return `${c.name} = ${c.assign ? c.assign.replaceAll('$', value) : value}`;
	});
	if (options.fixed) assignments.push(options.fixed);
	const where = options.where ? ` AND ${options.where}` : '';
	const types = columns.map((c) => c.type);
	const id = `${table}.${columns[0].name}`;
	// The id list as well as the join: the rows are found by their primary key whatever the
	// planner guesses about the rows given (else Postgres may scan a partial index instead).
	const update = (from: string) =>
		`UPDATE ${table} SET ${assignments.join(', ')} FROM ${from}
		WHERE ${dialect.inIds(id)} AND ${id} = v.column1${where} RETURNING *`;
	const idsOf = (part: readonly SqlValue[][]) =>
		dialect.idsParam(part.map((row) => Number(row[0])));
	if (rows.length === 0) return [];
	const fromJson = dialect.jsonRows(types.map((t) => castTo(dialect, t)));
	if (fromJson !== null) {
		// The driver's last check cannot see into the JSON text, so it runs on the values here.
		for (const row of rows) refuseUnstorableParams(row);
		return db.allPrepared(update(fromJson), [JSON.stringify(rows), idsOf(rows)]);
	}
	const updated: Array<Record<string, unknown>> = [];
	for (const part of chunk(rows, Math.floor((dialect.maxParams - 1) / columns.length))) {
		updated.push(
			...(await db.all(update(valuesTable(dialect, types, part.length)), [
				...part.flat(),
				idsOf(part),
			])),
		);
	}
	return updated;
}
