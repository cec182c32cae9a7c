import { isCurrentStep } from '../../domain/enrollment-state';
import { assertCanMove } from '../../domain/step-status';
import { CadenceTransitionError, CadenceValidationError } from '../../errors';
import { parseOrThrow } from '../../validation';
import {
	approvalInputSchema,
	stepStatusInputSchema,
	type ApprovalInput,
	type DeferInput,
	type StepStatusInput,
} from '../inputs';
import type { StepRun } from '../types';
import { appendEvents, type StoreContext } from './context';
import { deferSteps } from './defer';
import { advancePast, reloadEnrollment } from './chain';
import { applyFailure } from './delivery';
import { loadStepRun, moveStepRun } from './step-runs';
import { markSent } from './mark-sent';

/**
 * What happens to a claimed step: composed, approved, deferred, sent, delivered, read, failed or
 * skipped. Each is recorded on the step run and in the timeline.
 */

/** A reviewer's decision on a draft: approved or edited → scheduled to send; discarded → skipped. */
export async function recordApproval(ctx: StoreContext, input: ApprovalInput): Promise<StepRun> {
	const decision = parseOrThrow(approvalInputSchema, input, 'approval');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const before = await loadStepRun(db, { stepRunId: decision.stepRunId });
		// One decision per draft: a second reviewer, or a reused link, cannot overturn the first.
		if (before.approval !== null && !['awaiting', 'timedOut'].includes(before.approval)) {
			throw new CadenceTransitionError(
				`The draft of step run ${before.id} was already ${before.approval}` +
					`${before.decidedBy ? ` by ${before.decidedBy}` : ''}; a decision cannot be changed.`,
			);
		}
		const common = { approval: decision.decision, decided_by: decision.by };
		let run: StepRun;
		if (decision.decision === 'discarded') {
			({ run } = await moveStepRun(db, before.id, 'skipped', now, {
				...common,
				detail: 'draft discarded',
			}));
			const enrollment = await reloadEnrollment(db, run.enrollmentId);
			if (isCurrentStep(enrollment, run))
				await advancePast(ctx, db, enrollment, run.stepIndex, now, now);
		} else if (decision.decision === 'timedOut') {
			await db.run('UPDATE step_runs SET approval = ?, updated_at = ? WHERE id = ?', [
				'timedOut',
				now,
				before.id,
			]);
			run = await loadStepRun(db, { stepRunId: before.id });
		} else {
			const text =
				decision.decision === 'edited' && decision.text !== null ? decision.text : before.text;
			({ run } = await moveStepRun(db, before.id, 'scheduled', now, { ...common, text }));
			if (before.status === 'scheduled') {
				// Already queued (deferred by working hours and claimed again): the status stays, but
				// the decision and the edited text must still be recorded.
				await db.run(
					'UPDATE step_runs SET approval = ?, decided_by = ?, text = ?, updated_at = ? WHERE id = ?',
					[decision.decision, decision.by, text, now, before.id],
				);
				run = await loadStepRun(db, { stepRunId: before.id });
			}
		}
		await appendEvents(
			db,
			[
				{
					enrollmentId: run.enrollmentId,
					stepRunId: run.id,
					type: decision.decision,
					at: now,
					detail: { by: decision.by },
				},
			],
			ctx.driver.dialect.maxParams,
		);
		return run;
	});
}

/**
 * Puts a claimed step back to wait until `until` (outside working hours, over a sending limit).
 * The trigger emits it again then, on the same step run and idempotency key. The one-item form
 * of `deferSteps` (defer.ts), failing with its error.
 */
export async function deferStep(ctx: StoreContext, input: DeferInput): Promise<StepRun> {
	const [result] = await deferSteps(ctx, [input]);
	if (result instanceof Error) throw result;
	return result;
}

/** A step run id and an idempotency key given together must name the same run. */
async function assertSameRun(
	ctx: StoreContext,
	ref: { stepRunId?: number; idempotencyKey?: string },
): Promise<void> {
	if (ref.stepRunId === undefined || ref.idempotencyKey === undefined) return;
	const run = await loadStepRun(ctx.driver, { stepRunId: ref.stepRunId });
	if (run.idempotencyKey === ref.idempotencyKey) return;
	throw new CadenceValidationError('step status', [
		{
			field: 'idempotencyKey',
			message:
				'the step run id and the idempotency key point at different step runs; pass only one',
		},
	]);
}

/** Delivery reports from channels, and skip/fail decisions, by step run id or idempotency key. */
export async function setStepStatus(ctx: StoreContext, input: StepStatusInput): Promise<StepRun> {
	const update = parseOrThrow(stepStatusInputSchema, input, 'step status');
	const at = ctx.now(update.at);
	await assertSameRun(ctx, update);
	if (update.status === 'sent') {
		const { id } = await loadStepRun(ctx.driver, update);
		return markSent(ctx, { stepRunId: id, at });
	}
	return ctx.driver.transaction(async (db) => {
		const target = await loadStepRun(db, update);
		// One failure rule for every way a step fails (engine/store/ops/delivery.ts).
		if (update.status === 'failed' && target.status !== 'failed') {
			assertCanMove(target.id, target.status, 'failed');
			await applyFailure(ctx, db, target, at, update.detail, null);
			return loadStepRun(db, { stepRunId: target.id });
		}
		const extra: Record<string, string> = update.detail === null ? {} : { detail: update.detail };
		const { run, changed } = await moveStepRun(db, target.id, update.status, at, extra);
		if (!changed) return run;
		await appendEvents(
			db,
			[
				{
					enrollmentId: run.enrollmentId,
					stepRunId: run.id,
					type: update.status,
					at,
					detail: { detail: update.detail },
				},
			],
			ctx.driver.dialect.maxParams,
		);
		const enrollment = await reloadEnrollment(db, run.enrollmentId);
		if (!isCurrentStep(enrollment, run)) return run;
		if (update.status === 'skipped') await advancePast(ctx, db, enrollment, run.stepIndex, at, at);
		return run;
	});
}
