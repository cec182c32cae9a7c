import { foldForSearch, foldedQuery } from '../search-text';
import type { SqlExecutor } from '../sql/driver';

/**
 * Free-text search over enrollments, the one rule for the dashboard and Cadence → Get Many: the
 * contact's name and key, the conversation, the agent and the variables (folded into the
 * enrollment's `search_text` when it is written), or the name of its cadence (folded into
 * `cadences.search_name` when the cadence is published). Fields are matched one at a time, never
 * across two of them, so matching the cadence's name apart finds exactly what one text with the
 * name in it did.
 */

/** LIKE treats % and _ as wildcards; a user searching for "50%" means the characters. */
export function escapeLike(text: string): string {
	return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The condition on `e` (enrollments) joined to `c` (its cadence) that a search as the user typed
 * it asks for, with its parameters; null when there is nothing to match.
 */
export function enrollmentSearch(search: string | undefined): {
	sql: string;
	params: string[];
} | null {
	const text = foldedQuery(search);
	if (!text) return null;
	const pattern = `%${escapeLike(text)}%`;
	return {
		sql: "(e.search_text LIKE ? ESCAPE '\\' OR c.search_name LIKE ? ESCAPE '\\')",
		params: [pattern, pattern],
	};
}

/** Keeps a cadence's searchable name in step with its name (on every publish). */
export async function writeCadenceSearchName(
	db: SqlExecutor,
	cadenceId: number,
	name: string,
): Promise<void> {
	await db.run('UPDATE cadences SET search_name = ? WHERE id = ?', [
		foldForSearch(name),
		cadenceId,
	]);
}

/** Run by the migration that adds the column: every cadence's name, folded as on publish. */
export async function fillCadenceSearchNames(db: SqlExecutor): Promise<void> {
	const rows = await db.all<{ id: number; name: string }>('SELECT id, name FROM cadences');
	for (const row of rows) await writeCadenceSearchName(db, Number(row.id), String(row.name));
}
