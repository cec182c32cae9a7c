import { isCurrentStep } from '../../domain/enrollment-state';
import { assertCanMove, statusesThatMayBecome } from '../../domain/step-status';
import { parseOrThrow } from '../../validation';
import { deferInputSchema, type DeferInput } from '../inputs';
import type { SqlValue } from '../sql/driver';
import type { StepRun } from '../types';
import { appendEvents, type StoreContext } from './context';
import { ENROLLMENT_SELECT, toEnrollment, toStepRun } from './rows';
import { loadStepRuns } from './step-runs';
import { updateFromValues, type ValuesColumn } from './values-table';

type Deferral = ReturnType<typeof deferInputSchema.parse>;

const SCHEDULE_COLUMNS: ValuesColumn[] = [
	{ name: 'id', type: 'int' },
	{ name: 'next_due_at', type: 'int' },
	{ name: 'next_reason', type: 'text' },
	{ name: 'updated_at', type: 'int' },
];

/**
 * Puts claimed steps back to wait (outside working hours, over a sending limit), every item of a
 * call in one transaction with one statement per kind of write: what `deferStep` does for one,
 * for all of an execution's items. An item that cannot be deferred (bad input, an unknown step
 * run, one already sent or ended) gets its own error and writes nothing; the others are written.
 * A step run named twice in one call is deferred once, by its first item; the repeat gets the
 * same answer. A database error fails the whole call and leaves nothing half-written.
 */
export async function deferSteps(
	ctx: StoreContext,
	inputs: readonly DeferInput[],
): Promise<Array<StepRun | Error>> {
	const results: Array<StepRun | Error> = new Array(inputs.length);
	const deferrals = new Map<number, { index: number; deferral: Deferral }>();
	const repeats: Array<{ index: number; stepRunId: number }> = [];
	inputs.forEach((input, index) => {
		try {
			const deferral = parseOrThrow(deferInputSchema, input, 'deferral');
			if (deferrals.has(deferral.stepRunId)) {
				repeats.push({ index, stepRunId: deferral.stepRunId });
			} else deferrals.set(deferral.stepRunId, { index, deferral });
		} catch (error) {
			results[index] = error as Error;
		}
	});
	if (deferrals.size === 0) return results;
	const now = ctx.now();
	const { dialect } = ctx.driver;
	const outcomes = await ctx.driver.transaction(async (db) => {
		const ids = [...deferrals.keys()];
		// Forward only, in one conditional UPDATE: a step still pending becomes scheduled.
		const from = statusesThatMayBecome('scheduled').filter((s) => s !== 'scheduled');
		const moved = await db.all(
			`UPDATE step_runs SET status = 'scheduled', updated_at = ?
			WHERE ${dialect.inIds('id')} AND status IN (${from.map((s) => `'${s}'`).join(', ')})
			RETURNING *`,
			[now, dialect.idsParam(ids)],
		);
		const outcome = new Map<number, StepRun | Error>(
			moved.map((row) => [Number(row.id), toStepRun(row)]),
		);
		// The rest are already scheduled (deferred again: answered as they are), or cannot be.
		const rest = ids.filter((id) => !outcome.has(id));
		for (const [id, run] of await loadStepRuns(db, dialect, rest)) {
			try {
				if (run instanceof Error) throw run;
				if (run.status !== 'scheduled') assertCanMove(id, run.status, 'scheduled');
				outcome.set(id, run);
			} catch (error) {
				outcome.set(id, error as Error);
			}
		}
		const deferred = [...outcome.values()].filter((r): r is StepRun => !(r instanceof Error));
		if (deferred.length === 0) return outcome;
		const enrollments = new Map(
			(
				await db.all(`${ENROLLMENT_SELECT} WHERE ${dialect.inIds('e.id')}`, [
					dialect.idsParam([...new Set(deferred.map((r) => r.enrollmentId))]),
				])
			).map((row) => [Number(row.id), toEnrollment(row)]),
		);
		// Only a step that is still its enrollment's current one moves the enrollment's due time.
		const current = deferred.filter((run) => {
			const enrollment = enrollments.get(run.enrollmentId);
			return enrollment !== undefined && isCurrentStep(enrollment, run);
		});
		if (current.length > 0) {
			const enrollmentIds = dialect.idsParam(current.map((r) => r.enrollmentId));
			// The queue row goes with the mirror (see due-queue.ts): found through it before it changes.
			await db.run(
				`DELETE FROM due_steps WHERE (cadence_id, due_at, enrollment_id) IN (
					SELECT cadence_id, next_due_at, id FROM enrollments WHERE ${dialect.inIds('id')})`,
				[enrollmentIds],
			);
			await updateFromValues(
				db,
				dialect,
				'enrollments',
				SCHEDULE_COLUMNS,
				current.map((run): SqlValue[] => {
					const { deferral } = deferrals.get(run.id)!;
					return [run.enrollmentId, deferral.until, deferral.reason, now];
				}),
			);
			await db.run(
				`INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
				SELECT cadence_id, next_due_at, id FROM enrollments
				WHERE ${dialect.inIds('id')} AND next_due_at IS NOT NULL`,
				[enrollmentIds],
			);
		}
		await appendEvents(
			db,
			deferred.map((run) => {
				const { deferral } = deferrals.get(run.id)!;
				return {
					enrollmentId: run.enrollmentId,
					stepRunId: run.id,
					type: 'deferred',
					at: now,
					detail: { until: deferral.until, reason: deferral.reason },
				};
			}),
			dialect.maxParams,
		);
		return outcome;
	});
	for (const [id, { index }] of deferrals) results[index] = outcomes.get(id)!;
	for (const { index, stepRunId } of repeats) results[index] = outcomes.get(stepRunId)!;
	return results;
}
