import { parseOrThrow } from '../../validation';
import { claimInputSchema, type ClaimInput } from '../inputs';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { ClaimedStep, Enrollment, StepRun } from '../types';
import { appendEvents, valuesList, type StoreContext } from './context';
import { toEnrollment, toStepRun } from './rows';

const HOUR = 3_600_000;
const RUN_COLUMNS = 10;

/**
 * Atomically takes up to `limit` due steps of one cadence and hands each out exactly once.
 *
 * The enrollment row carries the schedule: `next_due_at` is set only while a step waits. The
 * claim clears it in the same statement that selects it, so a second claimer — another tick, or
 * another n8n process — can never see the same step. Postgres claimers skip each other's locked
 * rows; SQLite claimers queue on the write lock.
 */
export async function claimDue(ctx: StoreContext, input: ClaimInput): Promise<ClaimedStep[]> {
	const { cadence, limit } = parseOrThrow(claimInputSchema, input, 'claim');
	const now = ctx.now();
	const { dialect } = ctx.driver;
	return ctx.driver.transaction(async (db) => {
		const cadenceId = await ctx.cadenceId(db, cadence);
		const budget = await claimBudget(ctx, db, cadenceId, limit, now);
		if (budget <= 0) return [];

		const claimed = (
			await db.all(
				`UPDATE enrollments SET claimed_due_at = next_due_at, next_due_at = NULL, claimed_at = ?,
					state = 'active', paused_until = NULL, held_due_at = NULL, updated_at = ?
				WHERE next_due_at IS NOT NULL AND id IN (
					SELECT id FROM enrollments WHERE cadence_id = ? AND next_due_at <= ?
					ORDER BY next_due_at LIMIT ?${dialect.lockForClaim})
				RETURNING *`,
				[now, now, cadenceId, now, budget],
			)
		).map((row) => ({
			...toEnrollment({ ...row, cadence_name: '' }),
			dueAt: Number(row.claimed_due_at),
		}));
		if (claimed.length === 0) return [];

		const runs = await upsertStepRuns(ctx, db, claimed, now);
		const name = await cadenceName(db, cadenceId);
		await appendEvents(
			db,
			claimed.map((e) => ({
				enrollmentId: e.id,
				stepRunId: runs.get(e.id)!.id,
				type: 'claimed',
				at: now,
				detail: { step: e.nextStep, attempt: runs.get(e.id)!.claims, reason: e.nextReason },
			})),
			dialect.maxParams,
		);

		const result: ClaimedStep[] = [];
		for (const { dueAt: _dueAt, ...enrollment } of claimed) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			result.push({
				stepRun: runs.get(enrollment.id)!,
				enrollment: { ...enrollment, cadenceName: name },
				step: definition.steps[enrollment.nextStep],
				stepCount: definition.steps.length,
				persona: definition.persona,
				isLastStep: enrollment.nextStep === definition.steps.length - 1,
			});
		}
		return result.sort((a, b) => a.stepRun.dueAt - b.stepRun.dueAt || a.stepRun.id - b.stepRun.id);
	});
}

/** How many steps this claim may take: the limit, cut by the cadence's hourly sending cap. */
async function claimBudget(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	limit: number,
	now: number,
): Promise<number> {
	const [row] = await db.all<{ active: number; latest_version: number }>(
		'SELECT active, latest_version FROM cadences WHERE id = ?',
		[cadenceId],
	);
	// A paused cadence keeps its enrollments waiting; they go out once it is switched back on.
	if (Number(row.active) !== 1) return 0;
	const definition = await ctx.definition(db, cadenceId, Number(row.latest_version));
	const perHour = definition.limits.perCadencePerHour;
	if (perHour === null) return limit;
	const [{ recent }] = await db.all<{ recent: number }>(
		'SELECT COUNT(*) AS recent FROM step_runs WHERE cadence_id = ? AND claimed_at > ?',
		[cadenceId, now - HOUR],
	);
	return Math.min(limit, perHour - Number(recent));
}

/**
 * One step run per claimed step. A step that was deferred already has its run; claiming it again
 * counts another attempt on the same run, so its idempotency key stays the same.
 */
async function upsertStepRuns(
	ctx: StoreContext,
	db: SqlExecutor,
	claimed: Array<Enrollment & { dueAt: number }>,
	now: number,
): Promise<Map<number, StepRun>> {
	const params: SqlValue[] = [];
	for (const e of claimed) {
		const definition = await ctx.definition(db, e.cadenceId, e.version);
		const mode = definition.steps[e.nextStep].composeMode;
		params.push(e.id, e.cadenceId, e.nextStep, e.cycle, 'pending', e.dueAt, now, 1, mode, now);
	}
	const rows = await db.all(
		`INSERT INTO step_runs (enrollment_id, cadence_id, step_index, cycle, status, due_at, claimed_at,
			claims, compose_mode, updated_at)
		VALUES ${valuesList(claimed.length, RUN_COLUMNS)}
		ON CONFLICT (enrollment_id, step_index, cycle) DO UPDATE SET claimed_at = excluded.claimed_at,
			claims = step_runs.claims + 1, due_at = excluded.due_at, stuck_at = NULL,
			updated_at = excluded.updated_at
		RETURNING *`,
		params,
	);
	return new Map(rows.map((row) => [Number(row.enrollment_id), toStepRun(row)]));
}

async function cadenceName(db: SqlExecutor, cadenceId: number): Promise<string> {
	const [row] = await db.all<{ name: string }>('SELECT name FROM cadences WHERE id = ?', [
		cadenceId,
	]);
	return row.name;
}
