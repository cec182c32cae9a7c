import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../sql/driver';
import { enrollmentSearchText } from '../search-text';
import type { StoreContext } from './context';

/**
 * The store's identity: a random id made when its tables are created. A file or schema that
 * turns up with another id (or none) is not the store that was used before, which is how a
 * deleted or replaced SQLite file is told apart from the one n8n had.
 */
export async function storeId(ctx: StoreContext): Promise<string> {
	const rows = await ctx.driver.all<{ id: string }>('SELECT id FROM store_info');
	return String(rows[0]?.id ?? '');
}

/** Run by the migration that adds the store's id and its search column. */
export async function createStoreInfo(db: SqlExecutor, now: number): Promise<void> {
	await db.run('INSERT INTO store_info (id, created_at) VALUES (?, ?)', [randomUUID(), now]);
	await fillSearchText(db);
}

/** Enrollments written before the search column: folded in JavaScript, as new ones are. */
async function fillSearchText(db: SqlExecutor): Promise<void> {
	const rows = await db.all<Record<string, unknown>>(
		'SELECT id, contact_name, contact_key, conversation_key, agent, variables FROM enrollments',
	);
	for (const row of rows) {
		const text = enrollmentSearchText({
			contactName: String(row.contact_name ?? ''),
			contactKey: String(row.contact_key ?? ''),
			conversationKey: String(row.conversation_key ?? ''),
			agent: String(row.agent ?? ''),
			variables: String(row.variables ?? ''),
		});
		await db.run('UPDATE enrollments SET search_text = ? WHERE id = ?', [text, Number(row.id)]);
	}
}
