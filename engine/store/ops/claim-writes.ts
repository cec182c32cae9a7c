import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import type { StoreContext } from './context';
import { takeDue } from './due-queue';
import { ENROLLMENT_SELECT, toEnrollment, toStepRun } from './rows';

/**
 * The writes of a claim: take due steps off the queue, end timed pauses that ran out, create or
 * count the step runs, and put a "claimed" entry on each timeline. A step that was deferred
 * already has its run; claiming it again counts another attempt on the same run, so its
 * idempotency key stays the same. Two ways to the same rows: one statement where the database
 * can chain writes (Postgres), a few statements in the caller's transaction elsewhere.
 */

export interface ClaimTarget {
	id: number;
	name: string;
	active: boolean;
	latestVersion: number;
	/** Found by its plain name, which must still be its own and no other cadence's. */
	byName: boolean;
}

export interface ClaimedRow {
	enrollment: Enrollment;
	run: StepRun;
}

/** How many steps a claim takes. */
export interface ClaimSize {
	count: number;
	/**
	 * A count that changes from claim to claim — cut to the room left under the cadence's hourly
	 * cap, or the rest of a claim that came back short — rather than the batch size asked for.
	 */
	varies: boolean;
}

export type ClaimWrites = (
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	size: ClaimSize,
	now: number,
) => Promise<ClaimedRow[]>;

/**
 * The conflict clause both ways share: a second claim of the same step is another attempt, not
 * yet handed to the send path.
 */
const UPSERT_RUN = `ON CONFLICT (enrollment_id, step_index, cycle) DO UPDATE SET
	claimed_at = excluded.claimed_at, claims = step_runs.claims + 1, due_at = excluded.due_at,
	stuck_at = NULL, stuck_alerted_at = NULL, handed_at = NULL, updated_at = excluded.updated_at`;

const RUN_COLUMNS = `enrollment_id, cadence_id, step_index, cycle, status, due_at, claimed_at, claims,
	compose_mode, updated_at`;

const CLAIMED_DETAIL = "'step', r.step_index, 'attempt', r.claims, 'reason', e.next_reason";

/** Step by step, inside the caller's transaction (SQLite holds the write lock throughout). */
export const claimInSteps: ClaimWrites = async (ctx, db, target, { count }, now) => {
	const { dialect } = ctx.driver;
	const taken = await takeDue(db, dialect, target.id, now, count);
	if (taken.length === 0) return [];
	const ids = dialect.idsParam(taken);
	const enrollments = (
		await db.all(`${ENROLLMENT_SELECT} WHERE ${dialect.inIds('e.id')}`, [ids])
	).map(toEnrollment);
	await endTimedPauses(ctx, db, enrollments, ids, now);

	const modes = await composeModes(ctx, db, target);
	const runs = new Map(
		(
			await db.all(
				`INSERT INTO step_runs (${RUN_COLUMNS})
				SELECT e.id, e.cadence_id, e.next_step, e.cycle, 'pending', e.next_due_at, ?, 1, ${modes.sql}, ?
				FROM enrollments e WHERE ${dialect.inIds('e.id')}
				${UPSERT_RUN}
				RETURNING *`,
				[now, ...modes.params, now, ids],
			)
		).map((row) => [Number(row.enrollment_id), toStepRun(row)]),
	);
	await db.run(
		`INSERT INTO events (enrollment_id, step_run_id, type, at, detail)
		SELECT r.enrollment_id, r.id, 'claimed', ?, ${dialect.jsonObject(CLAIMED_DETAIL)}
		FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		WHERE ${dialect.inIds('r.id')} ORDER BY r.due_at, r.id`,
		[now, dialect.idsParam([...runs.values()].map((r) => r.id))],
	);
	return enrollments.map((enrollment) => ({ enrollment, run: runs.get(enrollment.id)! }));
};

/**
 * All of it in one statement of chained writes (Postgres: `dialect.writableCte`): one round trip,
 * atomic on its own. Every part reads the rows as they were before the statement, so the
 * enrollments come back as read — a timed pause that just ended is marked active here, as the
 * statement also wrote it. The run comes back as one JSON column beside the enrollment's. Rows
 * are addressed by their physical id (ctid, stable while locked) and arrays, so each part is an
 * index or row lookup whatever the planner guesses about the chained results.
 *
 * The target may come from an earlier claim (see claim.ts): the statement takes nothing unless
 * the cadence is still active, on the same latest version, and (found by name) still the only
 * one of that name — checked in the statement's own snapshot, as a separate read would be.
 *
 * A first claim's timeline entry is its step run (schema version 13: the `events` view shows it,
 * at `claim_event_at` with `claim_reason`); its id comes from the events' sequence, drawn here in
 * due order. Only another claim of an existing run writes a "claimed" event.
 */
export function claimInOneStatement(after: QueuePosition | null = null): ClaimWrites {
	return (ctx, db, target, size, now) => claimAllInOne(ctx, db, target, size, now, after);
}

/** A place in the due queue, in the queue's own order: due time, then enrollment. */
export interface QueuePosition {
	dueAt: number;
	enrollmentId: number;
}

/** Where a claim got to: the last of its steps in queue order. */
export function lastPosition(claimed: ClaimedRow[]): QueuePosition | null {
	let last: QueuePosition | null = null;
	for (const { enrollment, run } of claimed) {
		if (
			last === null ||
			run.dueAt > last.dueAt ||
			(run.dueAt === last.dueAt && enrollment.id > last.enrollmentId)
		)
			last = { dueAt: run.dueAt, enrollmentId: enrollment.id };
	}
	return last;
}

async function claimAllInOne(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	size: ClaimSize,
	now: number,
	after: QueuePosition | null,
): Promise<ClaimedRow[]> {
	const { dialect } = ctx.driver;
	// The batch size is written into the statement: Postgres then plans it once per connection
	// and keeps the plan. As a parameter (`LIMIT $n`) its generic plan guesses a tenth of the
	// queue and is priced out, so every claim was planned anew — a fifth of a claim's time. A
	// count that varies stays a parameter, so its changing values add no prepared statements.
	const limit = size.varies ? '?' : String(size.count);
	const modes = await composeModes(ctx, db, target);
	const onlyName = target.byName
		? ' AND NOT EXISTS (SELECT 1 FROM cadences o WHERE o.name = c.name AND o.id <> c.id)'
		: '';
	const rows = await ctx.driver.allPrepared<Record<string, unknown> & { run: string | null }>(
		`WITH taken AS (
			DELETE FROM due_steps WHERE ctid = ANY(ARRAY(
				SELECT ctid FROM due_steps WHERE cadence_id = ? AND due_at <= ?${after ? AFTER_POSITION : ''}
				AND EXISTS (SELECT 1 FROM cadences c WHERE c.id = ? AND c.active = 1
					AND c.latest_version = ? AND c.name = ?${onlyName})
				ORDER BY due_at, enrollment_id LIMIT ${limit}${dialect.lockForClaim}))
			RETURNING enrollment_id, due_at
		), resumed AS (
			UPDATE enrollments SET state = 'active', paused_until = NULL, held_due_at = NULL, updated_at = ?
			WHERE id = ANY(ARRAY(SELECT enrollment_id FROM taken)) AND state = 'paused'
			RETURNING id
		), runs AS (
			INSERT INTO step_runs (${RUN_COLUMNS}, claim_event_at, claim_reason)
			SELECT e.id, e.cadence_id, e.next_step, e.cycle, 'pending', t.due_at, ?, 1, ${modes.sql}, ?,
				?, e.next_reason
			FROM taken t JOIN enrollments e ON e.id = t.enrollment_id ORDER BY t.due_at, t.enrollment_id
			${UPSERT_RUN}
			RETURNING *
		), claimed_again AS (
			INSERT INTO events (enrollment_id, step_run_id, type, at, detail)
			SELECT r.enrollment_id, r.id, 'claimed', ?, ${dialect.jsonObject(CLAIMED_DETAIL)}
			FROM runs r JOIN enrollments e ON e.id = r.enrollment_id
			WHERE ${RECORDED_ELSEWHERE}
			ORDER BY r.due_at, r.id
		)
		SELECT r.id AS run_id, r.due_at AS run_due_at, r.compose_mode AS run_compose_mode,
			CASE WHEN ${RECORDED_ELSEWHERE} THEN CAST(row_to_json(r) AS TEXT) END AS run,
			${CLAIMED_ENROLLMENT}
		FROM runs r JOIN enrollments e ON e.id = r.enrollment_id`,
		[
			target.id,
			now,
			...(after ? [after.dueAt, after.enrollmentId] : []),
			target.id,
			target.latestVersion,
			target.name,
			...(size.varies ? [size.count] : []),
			now,
			now,
			...modes.params,
			now,
			now,
			now,
		],
	);
	return rows.map((row) => {
		const enrollment = toEnrollment({ ...row, cadence_name: target.name });
		if (enrollment.state === 'paused') {
			Object.assign(enrollment, { state: 'active', pausedUntil: null, updatedAt: now });
		}
		const run =
			row.run === null
				? firstClaimRun(row, now)
				: toStepRun(JSON.parse(row.run) as Record<string, unknown>);
		return { enrollment, run };
	});
}

/**
 * Only steps after a queue position: an index condition, so the claim starts reading the queue
 * there rather than stepping over what was taken before it (see claim.ts `Backlog`).
 */
const AFTER_POSITION = ' AND (due_at, enrollment_id) > (?, ?)';

/**
 * A run this statement inserted holds only what the insert wrote (the rest is NULL, `degraded`
 * its default 0), all of it known here: the enrollment as read (the insert read the same row)
 * and the three columns the statement returns. Sending every run back as JSON cost a sixth of a
 * claim; only runs claimed again, which carry what happened to them, still come back whole.
 */
function firstClaimRun(row: Record<string, unknown>, now: number): StepRun {
	return toStepRun({
		id: row.run_id,
		enrollment_id: row.id,
		cadence_id: row.cadence_id,
		step_index: row.next_step,
		cycle: row.cycle,
		status: 'pending',
		due_at: row.run_due_at,
		claimed_at: now,
		claims: 1,
		compose_mode: row.run_compose_mode,
		degraded: 0,
		updated_at: now,
	});
}

/**
 * Runs this statement did not insert: their first claim is already on the timeline, so this one
 * needs an event. (`claim_event_at` is only ever set by that insert, with `claims` = 1, and a run
 * counted again keeps it; runs from before version 13, or skipped ones, have none.)
 */
const RECORDED_ELSEWHERE = 'r.claims > 1 OR r.claim_event_at IS NULL';

/**
 * What toEnrollment reads, and nothing else (not the search text): the claim's answer is most
 * of its cost after the writes. Every claimed enrollment is still waiting for nothing (its
 * queue row was just taken), and the cadence name is the target's.
 */
const CLAIMED_ENROLLMENT = `e.id, e.cadence_id, e.version, e.contact_key, e.conversation_key,
	e.contact_name, e.agent, e.target_type, e.target_id, e.variables, e.time_zone, e.state,
	e.exit_reason, e.cycle, e.next_step, e.next_reason, e.paused_until, e.anchor_at, e.last_sent_at,
	e.last_inbound_at, e.created_at, e.updated_at, e.ended_at`;

/** A pause with an end is over once its step comes due: those enrollments run again. */
async function endTimedPauses(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollments: Enrollment[],
	ids: string,
	now: number,
): Promise<void> {
	const paused = enrollments.filter((e) => e.state === 'paused');
	if (paused.length === 0) return;
	await db.run(
		`UPDATE enrollments SET state = 'active', paused_until = NULL, held_due_at = NULL, updated_at = ?
		WHERE ${ctx.driver.dialect.inIds('id')} AND state = 'paused'`,
		[now, ids],
	);
	for (const e of paused) Object.assign(e, { state: 'active', pausedUntil: null, updatedAt: now });
}

/**
 * Each step's compose mode as an SQL expression over `e`, for every published version of the
 * cadence (an enrollment keeps the version it was enrolled on).
 */
async function composeModes(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
): Promise<{ sql: string; params: SqlValue[] }> {
	const params: SqlValue[] = [];
	for (let version = 1; version <= target.latestVersion; version++) {
		const definition = await ctx.definition(db, target.id, version);
		definition.steps.forEach((step, index) => params.push(version, index, step.composeMode));
	}
	const cases = 'WHEN e.version = ? AND e.next_step = ? THEN ? '.repeat(params.length / 3);
	return { sql: `CASE ${cases}END`, params };
}
