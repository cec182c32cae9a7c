import { contentHash } from '../../engine/cadence/content-hash';
import { cadenceDefinitionSchema } from '../../engine/cadence/definition';
import type { SqlExecutor } from '../../engine/store/sql/driver';
import { parseOrThrow } from '../../engine/validation';

/**
 * Writes cadence 1 "Old" (one step, an hour after the anchor) straight into a store migrated
 * only part of the way, as an older release left it: the start of every upgrade test.
 */
export async function insertOldCadence(db: SqlExecutor): Promise<void> {
	const definition = parseOrThrow(
		cadenceDefinitionSchema,
		{ name: 'Old', steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'hi' }] },
		'cadence',
	);
	await db.run(
		`INSERT INTO cadences (id, name, latest_version, active, created_at, updated_at)
		VALUES (1, 'Old', 1, 1, 0, 0)`,
	);
	await db.run(
		`INSERT INTO cadence_versions (cadence_id, version, content_hash, definition, published_at)
		VALUES (1, 1, ?, ?, 0)`,
		[contentHash(definition), JSON.stringify(definition)],
	);
}

/**
 * Writes an active enrollment of cadence 1 with its own id, its first step next and due at
 * `nextDueAt`, as an older release (from version 2 on) left it.
 */
export async function insertOldEnrollment(
	db: SqlExecutor,
	id: number,
	contactKey: string,
	nextDueAt: number,
): Promise<void> {
	await db.run(
		`INSERT INTO enrollments (id, cadence_id, version, contact_key, conversation_key, contact_name,
			agent, variables, state, cycle, next_step, next_due_at, anchor_at, created_at, updated_at)
		VALUES (?, 1, 1, ?, '', '', '', '{}', 'active', 1, 0, ?, 0, 0, 0)`,
		[id, contactKey, nextDueAt],
	);
}
