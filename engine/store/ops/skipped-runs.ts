import type { SqlExecutor } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import type { StoreContext } from './context';
import { toStepRun } from './rows';

/**
 * A step skipped before it was ever emitted still gets its step run, with status "skipped", so
 * the funnel and the timeline count it like a skipped send. `claims` stays 0: it never went out,
 * so it does not count against the hourly sending cap. When the step already has a run (it was
 * in flight), that run is moved to skipped instead and this writes nothing.
 */
export async function recordSkippedStep(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	detail: string,
	now: number,
): Promise<StepRun | null> {
	const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
	const step = definition.steps[enrollment.nextStep];
	if (!step) return null;
	const rows = await db.all(
		`INSERT INTO step_runs (enrollment_id, cadence_id, step_index, cycle, status, due_at, claimed_at,
			claims, compose_mode, ended_at, detail, updated_at)
		VALUES (?, ?, ?, ?, 'skipped', ?, ?, 0, ?, ?, ?, ?)
		ON CONFLICT (enrollment_id, step_index, cycle) DO NOTHING
		RETURNING *`,
		[
			enrollment.id,
			enrollment.cadenceId,
			enrollment.nextStep,
			enrollment.cycle,
			enrollment.nextDueAt ?? now,
			now,
			step.composeMode,
			now,
			detail,
			now,
		],
	);
	return rows.length > 0 ? toStepRun(rows[0]) : null;
}
