import { isRunning } from '../../domain/enrollment-state';
import { openAt } from '../../domain/scheduling';
import { CadenceNotFoundError, CadenceTransitionError } from '../../errors';
import { parseOrThrow } from '../../validation';
import {
	enrollmentActionSchema,
	retryInputSchema,
	stuckInputSchema,
	type EnrollmentAction,
	type StuckInput,
} from '../inputs';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import { appendEvents, type StoreContext } from './context';
import { WAITING_DUE_AT, writeSchedule } from './due-queue';
import { advancePast, exitEnrollment, reloadEnrollment } from './chain';
import { recordSkippedStep } from './skipped-runs';
import { moveStepRun } from './step-runs';
import { ENROLLMENT_SELECT, toEnrollment, toStepRun } from './rows';

/** Manual control of one enrollment: pause, resume, skip the waiting step, cancel, exit by a rule. */

async function running(db: SqlExecutor, enrollmentId: number, what: string): Promise<Enrollment> {
	const rows = await db.all(`${ENROLLMENT_SELECT} WHERE e.id = ?`, [enrollmentId]);
	if (rows.length === 0) throw new CadenceNotFoundError('enrollment', enrollmentId);
	const enrollment = toEnrollment(rows[0]);
	if (!isRunning(enrollment.state)) {
		throw new CadenceTransitionError(
			`Enrollment ${enrollmentId} has ${enrollment.state === 'completed' ? 'completed' : `ended (${enrollment.state})`}; only a running enrollment can be ${what}.`,
		);
	}
	return enrollment;
}

/** The step run in flight for the waiting step, if it was claimed and not yet confirmed. */
async function inFlightRun(db: SqlExecutor, enrollment: Enrollment): Promise<StepRun | null> {
	const rows = await db.all(
		`SELECT * FROM step_runs WHERE enrollment_id = ? AND step_index = ? AND cycle = ?
		AND status IN ('pending', 'scheduled')`,
		[enrollment.id, enrollment.nextStep, enrollment.cycle],
	);
	return rows.length > 0 ? toStepRun(rows[0]) : null;
}

export async function pauseEnrollment(
	ctx: StoreContext,
	input: EnrollmentAction,
): Promise<Enrollment> {
	const action = parseOrThrow(enrollmentActionSchema, input, 'pause');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const enrollment = await running(db, action.enrollmentId, 'paused');
		const [{ held_due_at: held }] = await db.all<{ held_due_at: number | null }>(
			'SELECT held_due_at FROM enrollments WHERE id = ?',
			[enrollment.id],
		);
		// A step claimed but not yet confirmed is held too: if its flow never confirms it, it is
		// emitted again (same step run and key) when the pause ends, instead of being lost.
		const inFlight =
			enrollment.nextDueAt === null && held === null && (await inFlightRun(db, enrollment));
		const due = enrollment.nextDueAt ?? held ?? (inFlight ? now : null);
		const waiting = due === null ? null : Number(due);
		// Without an end the step is held until resumed; with one, it is due when the pause ends,
		// moved to the next open minute like every other wait (working hours, quiet hours).
		const until = action.until;
		const open =
			until === undefined || waiting === null
				? null
				: openAt(
						await ctx.definition(db, enrollment.cadenceId, enrollment.version),
						Math.max(until, waiting),
						enrollment.timeZone,
					);
		await writeSchedule(db, enrollment.id, open?.at ?? null, {
			state: 'paused',
			paused_until: until ?? null,
			held_due_at: until === undefined ? waiting : null,
			next_reason:
				until === undefined
					? 'paused until resumed'
					: (open?.reason ?? `paused until ${new Date(until).toISOString()}`),
			updated_at: now,
		});
		await appendEvents(
			db,
			[
				{
					enrollmentId: enrollment.id,
					type: 'paused',
					at: now,
					detail: {
						until: action.until ?? null,
						reason: action.reason ?? null,
						by: action.by ?? null,
					},
				},
			],
			ctx.driver.dialect.maxParams,
		);
		return reloadEnrollment(db, enrollment.id);
	});
}

export async function resumeEnrollment(
	ctx: StoreContext,
	input: EnrollmentAction,
): Promise<Enrollment> {
	const action = parseOrThrow(enrollmentActionSchema, input, 'resume');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const enrollment = await running(db, action.enrollmentId, 'resumed');
		if (enrollment.state === 'active') return enrollment;
		const [{ held_due_at: held }] = await db.all<{ held_due_at: number | null }>(
			'SELECT held_due_at FROM enrollments WHERE id = ?',
			[enrollment.id],
		);
		const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
		// A step overdue while paused goes out at the next open minute, not in a burst at resume.
		const waiting = held ?? enrollment.nextDueAt;
		const due =
			waiting === null
				? null
				: openAt(definition, Math.max(now, Number(waiting)), enrollment.timeZone);
		await writeSchedule(db, enrollment.id, due?.at ?? null, {
			state: 'active',
			paused_until: null,
			held_due_at: null,
			next_reason: due?.reason ?? null,
			updated_at: now,
		});
		await appendEvents(
			db,
			[
				{
					enrollmentId: enrollment.id,
					type: 'resumed',
					at: now,
					detail: { dueAt: due?.at ?? null, by: action.by ?? null },
				},
			],
			ctx.driver.dialect.maxParams,
		);
		return reloadEnrollment(db, enrollment.id);
	});
}

/** Skips the waiting step: the next one is scheduled with its wait counted from now. */
export async function skipStep(ctx: StoreContext, input: EnrollmentAction): Promise<Enrollment> {
	const action = parseOrThrow(enrollmentActionSchema, input, 'skip');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const enrollment = await running(db, action.enrollmentId, 'skipped forward');
		const inFlight = await inFlightRun(db, enrollment);
		const detail = action.reason ?? 'skipped by hand';
		if (inFlight) await moveStepRun(db, inFlight.id, 'skipped', now, { detail });
		// A step skipped while it waited has no run yet: it gets one, so the funnel counts it.
		const run = inFlight ?? (await recordSkippedStep(ctx, db, enrollment, detail, now));
		await appendEvents(
			db,
			[
				{
					enrollmentId: enrollment.id,
					stepRunId: run?.id ?? null,
					type: 'skipped',
					at: now,
					detail: {
						step: enrollment.nextStep,
						reason: action.reason ?? null,
						by: action.by ?? null,
					},
				},
			],
			ctx.driver.dialect.maxParams,
		);
		await advancePast(ctx, db, { ...enrollment, nextDueAt: null }, enrollment.nextStep, now, now);
		return reloadEnrollment(db, enrollment.id);
	});
}

/** Stops an enrollment: `cancelled` by hand, or an exit rule's reason (Exit Check records these). */
export async function exitByRule(ctx: StoreContext, input: EnrollmentAction): Promise<Enrollment> {
	const action = parseOrThrow(enrollmentActionSchema, input, 'exit');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const enrollment = await running(db, action.enrollmentId, 'stopped');
		const run = await inFlightRun(db, enrollment);
		const reason = action.exitReason ?? 'cancelled';
		if (run)
			await moveStepRun(db, run.id, 'skipped', now, { detail: `enrollment exited: ${reason}` });
		await exitEnrollment(ctx, db, enrollment.id, reason, now, {
			note: action.reason ?? null,
			by: action.by ?? null,
		});
		return reloadEnrollment(db, enrollment.id);
	});
}

/**
 * Steps claimed but never confirmed within `olderThanMs`. Drafts awaiting a reviewer and deferred
 * steps are waiting on purpose and are not stuck. With `report`, newly stuck steps are marked and
 * written to the timeline once, so an alert fires once per step.
 */
export async function stuckSteps(
	ctx: StoreContext,
	input: StuckInput,
	report: boolean,
): Promise<Array<{ stepRun: StepRun; enrollment: Enrollment }>> {
	const query = parseOrThrow(stuckInputSchema, input, 'stuck step query');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const params: SqlValue[] = [now - query.olderThanMs];
		let cadenceFilter = '';
		if (query.cadence !== undefined) {
			cadenceFilter = ' AND r.cadence_id = ?';
			params.push(await ctx.cadenceId(db, query.cadence));
		}
		const rows = await db.all(
			`SELECT r.* FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			WHERE r.status IN ('pending', 'scheduled') AND r.claimed_at <= ?${cadenceFilter}
			AND (r.approval IS NULL OR r.approval <> 'awaiting') AND ${WAITING_DUE_AT} IS NULL
			AND e.state IN ('active', 'paused') AND e.next_step = r.step_index AND e.cycle = r.cycle
			${report ? 'AND r.stuck_at IS NULL' : ''} ORDER BY r.claimed_at LIMIT ?`,
			[...params, query.limit],
		);
		const result = [];
		for (const row of rows) {
			const stepRun = toStepRun(row);
			if (report) {
				await db.run('UPDATE step_runs SET stuck_at = ? WHERE id = ?', [now, stepRun.id]);
				await appendEvents(
					db,
					[
						{
							enrollmentId: stepRun.enrollmentId,
							stepRunId: stepRun.id,
							type: 'stuck',
							at: now,
							detail: { claimedAt: stepRun.claimedAt },
						},
					],
					ctx.driver.dialect.maxParams,
				);
				stepRun.stuckAt = now;
			}
			result.push({ stepRun, enrollment: await reloadEnrollment(db, stepRun.enrollmentId) });
		}
		return result;
	});
}

/**
 * Opt-in retry of a stuck step: it is emitted again on the next claim, on the same step run and
 * idempotency key, so a channel that dedupes by key still sends it at most once.
 */
export async function retryStep(ctx: StoreContext, input: number): Promise<Enrollment> {
	const { stepRunId } = parseOrThrow(retryInputSchema, { stepRunId: input }, 'retry');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const rows = await db.all('SELECT * FROM step_runs WHERE id = ?', [stepRunId]);
		if (rows.length === 0) throw new CadenceNotFoundError('step run', stepRunId);
		const run = toStepRun(rows[0]);
		const enrollment = await running(db, run.enrollmentId, 'retried');
		const inFlight = await inFlightRun(db, enrollment);
		if (!inFlight || inFlight.id !== run.id || enrollment.nextDueAt !== null) {
			throw new CadenceTransitionError(
				`Step run ${stepRunId} is not waiting for confirmation, so there is nothing to retry.`,
			);
		}
		await writeSchedule(db, enrollment.id, now, {
			next_reason: 'retry of an unconfirmed step',
			updated_at: now,
		});
		await appendEvents(
			db,
			[{ enrollmentId: enrollment.id, stepRunId, type: 'retried', at: now }],
			ctx.driver.dialect.maxParams,
		);
		return reloadEnrollment(db, enrollment.id);
	});
}

export { exitEnrollment };
