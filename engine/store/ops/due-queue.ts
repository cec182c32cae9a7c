import type { Dialect, SqlExecutor, SqlValue } from '../sql/driver';
import { placeholders } from './context';

/**
 * The due queue: one narrow row (cadence, due time, enrollment) for every step waiting to be
 * claimed. A claim deletes rows from it and touches nothing else of the enrollment, which is what
 * keeps claiming cheap however wide an enrollment is.
 *
 * `enrollments.next_due_at` mirrors the row's due time and is left as it was when a claim takes
 * the row. So the mirror alone cannot say whether a step still waits: an enrollment's next due
 * time is the mirror only while its queue row exists (WAITING_DUE_AT). Every write that sets
 * `next_due_at` goes through `writeSchedule`, which moves the queue row with it.
 */

/** The enrollment `e`'s next due time while its step waits to be claimed, else NULL. */
export const WAITING_DUE_AT = `(SELECT d.due_at FROM due_steps d WHERE d.cadence_id = e.cadence_id
	AND d.due_at = e.next_due_at AND d.enrollment_id = e.id)`;

/**
 * Updates one enrollment row and sets its next due time (null: nothing waits), keeping the queue
 * in step. `onlyIf` is an extra condition on the enrollment; when it does not hold, nothing is
 * written and false is returned.
 */
export async function writeSchedule(
	db: SqlExecutor,
	enrollmentId: number,
	dueAt: number | null,
	assignments: Record<string, SqlValue>,
	onlyIf = '',
): Promise<boolean> {
	const guard = onlyIf === '' ? '' : ` AND ${onlyIf}`;
	// The old row is found through the mirror before the mirror changes. A step already claimed
	// has no row left, so nothing is deleted for it.
	await db.run(
		`DELETE FROM due_steps WHERE (cadence_id, due_at, enrollment_id) IN (
			SELECT cadence_id, next_due_at, id FROM enrollments WHERE id = ?${guard})`,
		[enrollmentId],
	);
	const columns = Object.keys(assignments);
	const { changes } = await db.run(
		`UPDATE enrollments SET next_due_at = ?${columns.map((c) => `, ${c} = ?`).join('')}
		WHERE id = ?${guard}`,
		[dueAt, ...Object.values(assignments), enrollmentId],
	);
	if (changes > 0 && dueAt !== null) {
		await db.run(
			`INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
			SELECT cadence_id, next_due_at, id FROM enrollments WHERE id = ?`,
			[enrollmentId],
		);
	}
	return changes > 0;
}

/** Queues the first steps of freshly inserted enrollments. */
export async function queueEnrolled(db: SqlExecutor, enrollmentIds: number[]): Promise<void> {
	if (enrollmentIds.length === 0) return;
	await db.run(
		`INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
		SELECT cadence_id, next_due_at, id FROM enrollments
		WHERE id IN (${placeholders(enrollmentIds.length)}) AND next_due_at IS NOT NULL`,
		enrollmentIds,
	);
}

/**
 * Takes up to `limit` steps of one cadence due by `now`, earliest first, off the queue, and
 * returns their enrollments' ids. Postgres claimers skip rows another claimer has locked; SQLite
 * claimers hold the write lock.
 */
export async function takeDue(
	db: SqlExecutor,
	dialect: Dialect,
	cadenceId: number,
	now: number,
	limit: number,
): Promise<number[]> {
	const rows = await db.all<{ enrollment_id: number }>(
		`DELETE FROM due_steps WHERE cadence_id = ? AND (due_at, enrollment_id) IN (
			SELECT due_at, enrollment_id FROM due_steps WHERE cadence_id = ? AND due_at <= ?
			ORDER BY due_at, enrollment_id LIMIT ?${dialect.lockForClaim})
		RETURNING enrollment_id`,
		[cadenceId, cadenceId, now, limit],
	);
	return rows.map((r) => Number(r.enrollment_id));
}
