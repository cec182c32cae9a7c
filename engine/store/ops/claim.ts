import { parseOrThrow } from '../../validation';
import { claimInputSchema, type ClaimInput } from '../inputs';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { ClaimedStep, Enrollment, StepRun } from '../types';
import { CadenceNotFoundError } from '../../errors';
import { placeholders, type StoreContext } from './context';
import { takeDue } from './due-queue';
import { ENROLLMENT_SELECT, toEnrollment, toStepRun } from './rows';

const HOUR = 3_600_000;

/**
 * Atomically takes up to `limit` due steps of one cadence and hands each out exactly once.
 *
 * A waiting step is a row of the due queue (see due-queue.ts). The claim deletes the rows it
 * takes in the same transaction that creates their step runs, so a second claimer — another tick,
 * or another n8n process — can never see the same step, and a crash leaves either both or neither.
 */
export async function claimDue(ctx: StoreContext, input: ClaimInput): Promise<ClaimedStep[]> {
	const { cadence, limit } = parseOrThrow(claimInputSchema, input, 'claim');
	const now = ctx.now();
	const { dialect } = ctx.driver;
	return ctx.driver.transaction(async (db) => {
		const target = await claimTarget(db, cadence);
		const budget = await claimBudget(ctx, db, target, limit, now);
		if (budget <= 0) return [];

		const taken = await takeDue(db, dialect, target.id, now, budget);
		if (taken.length === 0) return [];
		const ids = dialect.idsParam(taken.map((t) => t.enrollmentId));
		const claimed = (await db.all(`${ENROLLMENT_SELECT} WHERE ${dialect.inIds('e.id')}`, [ids])).map(
			toEnrollment,
		);
		await endTimedPauses(db, claimed, now);
		const runs = await upsertStepRuns(ctx, db, target, ids, now);

		const result: ClaimedStep[] = [];
		for (const enrollment of claimed) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			result.push({
				stepRun: runs.get(enrollment.id)!,
				enrollment,
				step: definition.steps[enrollment.nextStep],
				stepCount: definition.steps.length,
				persona: definition.persona,
				isLastStep: enrollment.nextStep === definition.steps.length - 1,
			});
		}
		return result.sort((a, b) => a.stepRun.dueAt - b.stepRun.dueAt || a.stepRun.id - b.stepRun.id);
	});
}

interface ClaimTarget {
	id: number;
	active: boolean;
	latestVersion: number;
}

/** The cadence by name or id, with what the claim needs of it, in one read. */
async function claimTarget(db: SqlExecutor, ref: string | number): Promise<ClaimTarget> {
	const rows = await db.all<{ id: number; active: number; latest_version: number }>(
		`SELECT id, active, latest_version FROM cadences WHERE ${typeof ref === 'number' ? 'id' : 'name'} = ?`,
		[ref],
	);
	if (rows.length === 0) {
		throw new CadenceNotFoundError(
			'cadence (activate the workflow holding its Follow-up Trigger to publish it)',
			ref,
		);
	}
	const [row] = rows;
	return {
		id: Number(row.id),
		active: Number(row.active) === 1,
		latestVersion: Number(row.latest_version),
	};
}

/** How many steps this claim may take: the limit, cut by the cadence's hourly sending cap. */
async function claimBudget(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	limit: number,
	now: number,
): Promise<number> {
	// A paused cadence keeps its enrollments waiting; they go out once it is switched back on.
	if (!target.active) return 0;
	const definition = await ctx.definition(db, target.id, target.latestVersion);
	const perHour = definition.limits.perCadencePerHour;
	if (perHour === null) return limit;
	const [{ recent }] = await db.all<{ recent: number }>(
		'SELECT COUNT(*) AS recent FROM step_runs WHERE cadence_id = ? AND claimed_at > ?',
		[target.id, now - HOUR],
	);
	return Math.min(limit, perHour - Number(recent));
}

/** A pause with an end is over once its step comes due: those enrollments run again. */
async function endTimedPauses(db: SqlExecutor, claimed: Enrollment[], now: number): Promise<void> {
	const paused = claimed.filter((e) => e.state === 'paused');
	if (paused.length === 0) return;
	await db.run(
		`UPDATE enrollments SET state = 'active', paused_until = NULL, held_due_at = NULL, updated_at = ?
		WHERE id IN (${placeholders(paused.length)})`,
		[now, ...paused.map((e) => e.id)],
	);
	for (const e of paused) Object.assign(e, { state: 'active', pausedUntil: null, updatedAt: now });
}

/**
 * One step run per claimed step, and a "claimed" event on each timeline. A step that was deferred
 * already has its run; claiming it again counts another attempt on the same run, so its
 * idempotency key stays the same. Both statements are built from the enrollment rows in SQL, so
 * their text does not depend on how many steps were taken.
 */
async function upsertStepRuns(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	ids: string,
	now: number,
): Promise<Map<number, StepRun>> {
	const { dialect } = ctx.driver;
	const modes = await composeModes(ctx, db, target);
	const rows = await db.all(
		`INSERT INTO step_runs (enrollment_id, cadence_id, step_index, cycle, status, due_at, claimed_at,
			claims, compose_mode, updated_at)
		SELECT e.id, e.cadence_id, e.next_step, e.cycle, 'pending', e.next_due_at, ?, 1, ${modes.sql}, ?
		FROM enrollments e WHERE ${dialect.inIds('e.id')}
		ON CONFLICT (enrollment_id, step_index, cycle) DO UPDATE SET claimed_at = excluded.claimed_at,
			claims = step_runs.claims + 1, due_at = excluded.due_at, stuck_at = NULL,
			updated_at = excluded.updated_at
		RETURNING *`,
		[now, ...modes.params, now, ids],
	);
	const runs = new Map(rows.map((row) => [Number(row.enrollment_id), toStepRun(row)]));
	await db.run(
		`INSERT INTO events (enrollment_id, step_run_id, type, at, detail)
		SELECT r.enrollment_id, r.id, 'claimed', ?,
			${dialect.jsonObject("'step', r.step_index, 'attempt', r.claims, 'reason', e.next_reason")}
		FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		WHERE ${dialect.inIds('r.id')} ORDER BY r.due_at, r.id`,
		[now, dialect.idsParam([...runs.values()].map((r) => r.id))],
	);
	return runs;
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
