import type { CadenceDefinition } from '../../cadence/definition';
import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import { dueTimeFor } from '../../domain/scheduling';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment } from '../types';
import { appendEvents, type StoreContext } from './context';
import { writeSchedule } from './due-queue';
import { runnableStepFrom } from './run-once';
import { ENROLLMENT_SELECT, toEnrollment } from './rows';

/**
 * Moving an enrollment along its chain. Every place that decides "what goes out next, and when"
 * comes through here, so the rules (waits from the previous send, run-once steps, working hours)
 * live once.
 */

export async function reloadEnrollment(db: SqlExecutor, id: number): Promise<Enrollment> {
	const rows = await db.all(`${ENROLLMENT_SELECT} WHERE e.id = ?`, [id]);
	return toEnrollment(rows[0]);
}

/** Starts the chain over from its first runnable step, counting the wait from `anchorAt`. */
export async function restartChain(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	anchorAt: number,
	now: number,
	why: string,
): Promise<Enrollment> {
	const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
	const stepIndex = await runnableStepFrom(db, definition, enrollment, 0);
	await db.run(`UPDATE enrollments SET cycle = cycle + 1, anchor_at = ? WHERE id = ?`, [
		anchorAt,
		enrollment.id,
	]);
	await scheduleStep(
		ctx,
		db,
		{ ...enrollment, cycle: enrollment.cycle + 1 },
		definition,
		stepIndex,
		anchorAt,
		now,
	);
	await appendEvents(
		db,
		[
			{
				enrollmentId: enrollment.id,
				type: 'restarted',
				at: now,
				detail: { why, cycle: enrollment.cycle + 1 },
			},
		],
		ctx.driver.dialect.maxParams,
	);
	return reloadEnrollment(db, enrollment.id);
}

/** Counts the waiting step's wait from a new anchor (the agent's latest message). */
export async function reanchorChain(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	anchorAt: number,
	now: number,
): Promise<void> {
	const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
	const due = dueTimeFor(definition, enrollment.nextStep, anchorAt, enrollment.timeZone);
	await writeSchedule(db, enrollment.id, due.at, {
		anchor_at: anchorAt,
		next_reason: due.reason,
		updated_at: now,
	});
	await appendEvents(
		db,
		[{ enrollmentId: enrollment.id, type: 'reanchored', at: now, detail: { dueAt: due.at } }],
		ctx.driver.dialect.maxParams,
	);
}

/**
 * After step `doneIndex` went out (or was skipped) at `at`, schedules the following one. `also`
 * are further columns of the enrollment to write in the same update (the send's timestamp).
 */
export async function advancePast(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	doneIndex: number,
	at: number,
	now: number,
	also: Record<string, SqlValue> = {},
): Promise<void> {
	const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
	const stepIndex = await runnableStepFrom(db, definition, enrollment, doneIndex + 1);
	await scheduleStep(ctx, db, enrollment, definition, stepIndex, at, now, {
		keepPause: true,
		also,
	});
}

/**
 * Points the enrollment at `stepIndex`, due its wait after `from`; or completes it when the chain
 * has no step left. With `keepPause`, a paused enrollment stays paused: the new due time is held
 * until it is resumed, or pushed to the end of a timed pause.
 */
async function scheduleStep(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	definition: CadenceDefinition,
	stepIndex: number,
	from: number,
	now: number,
	options: { keepPause?: boolean; also?: Record<string, SqlValue> } = {},
): Promise<void> {
	const also = options.also ?? {};
	if (stepIndex >= definition.steps.length) {
		await writeSchedule(db, enrollment.id, null, {
			...also,
			state: 'completed',
			next_step: stepIndex,
			next_reason: null,
			held_due_at: null,
			paused_until: null,
			ended_at: now,
			updated_at: now,
		});
		await appendEvents(
			db,
			[{ enrollmentId: enrollment.id, type: 'completed', at: now }],
			ctx.driver.dialect.maxParams,
		);
		return;
	}
	const due = dueTimeFor(definition, stepIndex, from, enrollment.timeZone);
	if (options.keepPause && enrollment.state === 'paused') {
		const until = enrollment.pausedUntil;
		await writeSchedule(db, enrollment.id, until === null ? null : Math.max(until, due.at), {
			...also,
			next_step: stepIndex,
			held_due_at: until === null ? due.at : null,
			next_reason: due.reason,
			updated_at: now,
		});
		return;
	}
	await writeSchedule(db, enrollment.id, due.at, {
		...also,
		state: 'active',
		next_step: stepIndex,
		next_reason: due.reason,
		held_due_at: null,
		paused_until: null,
		updated_at: now,
	});
}

/** Ends an enrollment by an exit rule. Returns false when it had already ended. */
export async function exitEnrollment(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollmentId: number,
	reason: string,
	now: number,
	detail?: Record<string, unknown>,
): Promise<boolean> {
	const exited = await writeSchedule(
		db,
		enrollmentId,
		null,
		{
			state: 'exited',
			exit_reason: reason,
			held_due_at: null,
			paused_until: null,
			ended_at: now,
			updated_at: now,
		},
		`state IN ${RUNNING_STATES_SQL}`,
	);
	if (!exited) return false;
	await appendEvents(
		db,
		[{ enrollmentId, type: 'exited', at: now, detail: { reason, ...detail } }],
		ctx.driver.dialect.maxParams,
	);
	return true;
}
