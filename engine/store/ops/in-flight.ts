import { z } from 'zod/v4';
import { parseOrThrow } from '../../validation';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import { advancePast, reloadEnrollment } from './chain';
import { appendEvents, placeholders, type StoreContext } from './context';
import { WAITING_DUE_AT, writeSchedule } from './due-queue';
import { toStepRun } from './rows';
import { moveStepRun } from './step-runs';

/**
 * Steps in flight: claimed and emitted, not yet confirmed. What may have happened to one decides
 * what the trigger's check does with it:
 * - never handed to the send path (no channel can have seen it): its execution died or failed
 *   before the channel, so it is safely due again, on the same step run and idempotency key;
 * - handed over and not confirmed: it may or may not have gone out, so it is reported stuck
 *   (never resent silently), and the alert is emitted until an execution carrying it has run;
 * - a draft whose approval time limit passed: the policy Await Approval stored is applied here,
 *   since n8n resumes a timed-out wait without running the node again.
 */

export const TIMEOUT_POLICIES = ['escalate', 'sendDraft', 'sendStatic', 'skip'] as const;
export type ApprovalTimeoutPolicy = (typeof TIMEOUT_POLICIES)[number];

const stepRunId = z.number().int().positive('give the step run id of the follow-up item');

export const handOffInputSchema = z.object({
	stepRunId,
	/** The claim the item came from: a step emitted again since then is not this item's to send. */
	claimedAt: z.number().int().nonnegative().optional(),
});
export type HandOffInput = z.input<typeof handOffInputSchema>;

export const approvalDeadlineInputSchema = z.object({
	stepRunId,
	deadline: z.number().int().positive('give the time limit as a moment in time'),
	onTimeout: z.enum(TIMEOUT_POLICIES, {
		message: `pick one of ${TIMEOUT_POLICIES.join(', ')}`,
	}),
});
export type ApprovalDeadlineInput = z.input<typeof approvalDeadlineInputSchema>;

export const inFlightInputSchema = z.object({
	cadence: z.union([z.string().trim().min(1).max(120), z.number().int().positive()]),
	/** A step not handed over within this long is due again; one handed over is stuck. */
	olderThanMs: z.number().int().min(1000, 'wait at least one second before calling a step stuck'),
	/** Whether stuck alerts are wanted; when not, a stuck step needs no alert delivered. */
	alerts: z.boolean().default(true),
	/**
	 * Whether the flow records the hand-off (Compose Follow-up or Exit Check before the channel).
	 * Without it no step is ever marked handed over, so none may be emitted again: every
	 * unconfirmed step is reported stuck instead, as any of them may have been sent.
	 */
	handOffInFlow: z.boolean().default(true),
	limit: z.number().int().min(1).max(1000).default(100),
});
export type InFlightInput = z.input<typeof inFlightInputSchema>;

export interface StuckStep {
	stepRun: StepRun;
	enrollment: Enrollment;
}

export interface InFlightReport {
	/** Claimed, never handed to the send path: due again now. */
	requeued: StepRun[];
	/** Drafts whose approval time limit passed, with the policy applied. */
	timedOut: Array<{ stepRun: StepRun; policy: ApprovalTimeoutPolicy }>;
	/** Newly reported stuck in this check (timeline event written once). */
	stuck: StuckStep[];
	/** Stuck steps whose alert has not been delivered yet (the new ones included). */
	alerts: StuckStep[];
}

/** The run is the step its running enrollment waits on, and it is not waiting in the queue. */
export const CURRENT_IN_FLIGHT = `r.status IN ('pending', 'scheduled') AND e.state IN ('active', 'paused')
	AND e.next_step = r.step_index AND e.cycle = r.cycle AND ${WAITING_DUE_AT} IS NULL`;

/** Await Approval's time limit and policy for a draft awaiting a reviewer. */
export async function setApprovalDeadline(
	ctx: StoreContext,
	input: ApprovalDeadlineInput,
): Promise<boolean> {
	const deadline = parseOrThrow(approvalDeadlineInputSchema, input, 'approval time limit');
	const { changes } = await ctx.driver.run(
		`UPDATE step_runs SET approval_deadline = ?, approval_timeout = ?, updated_at = ?
		WHERE id = ? AND approval = 'awaiting' AND status IN ('pending', 'scheduled')`,
		[deadline.deadline, deadline.onTimeout, ctx.now(), deadline.stepRunId],
	);
	return changes > 0;
}

/** One pass over a cadence's steps in flight, in one transaction: see the module comment. */
export async function checkInFlight(
	ctx: StoreContext,
	input: InFlightInput,
): Promise<InFlightReport> {
	const query = parseOrThrow(inFlightInputSchema, input, 'in-flight check');
	const now = ctx.now();
	const cutoff = now - query.olderThanMs;
	return ctx.driver.transaction(async (db) => {
		const cadenceId = await ctx.cadenceId(db, query.cadence);
		const timedOut = await applyDeadlines(ctx, db, cadenceId, now, query.limit);
		const requeued = query.handOffInFlow
			? await requeueUnsent(ctx, db, cadenceId, cutoff, now, query.limit)
			: [];
		const stuck = await reportStuck(
			ctx,
			db,
			cadenceId,
			cutoff,
			now,
			query.limit,
			query.handOffInFlow,
		);
		if (!query.alerts) {
			await db.run(
				`UPDATE step_runs SET stuck_alerted_at = ?
				WHERE cadence_id = ? AND stuck_at IS NOT NULL AND stuck_alerted_at IS NULL`,
				[now, cadenceId],
			);
			return { requeued, timedOut, stuck, alerts: [] };
		}
		const alerts = await pendingAlerts(db, cadenceId, query.limit);
		return { requeued, timedOut, stuck, alerts };
	});
}

async function inFlightRuns(
	db: SqlExecutor,
	cadenceId: number,
	condition: string,
	params: SqlValue[],
	limit: number,
): Promise<StepRun[]> {
	const rows = await db.all(
		`SELECT r.* FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		WHERE r.cadence_id = ? AND ${CURRENT_IN_FLIGHT} AND ${condition}
		ORDER BY r.claimed_at, r.id LIMIT ?`,
		[cadenceId, ...params, limit],
	);
	return rows.map(toStepRun);
}

const TIMEOUT_DETAIL: Record<ApprovalTimeoutPolicy, string> = {
	sendDraft: 'approval time limit passed: the AI draft is sent',
	sendStatic: 'approval time limit passed: the static text is sent',
	skip: 'approval time limit passed: the step is skipped',
	escalate: 'approval time limit passed: escalated, nothing is sent until someone acts',
};

/**
 * The approval time limit, applied as Await Approval's policy says. Sending policies hand the
 * step to the send path (the resumed execution sends it; if it never confirms, it is stuck);
 * skip moves the cadence on; escalate is reported stuck at once, so someone is alerted.
 */
async function applyDeadlines(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	now: number,
	limit: number,
): Promise<InFlightReport['timedOut']> {
	const runs = await inFlightRuns(
		db,
		cadenceId,
		"r.approval = 'awaiting' AND r.approval_deadline <= ?",
		[now],
		limit,
	);
	const result: InFlightReport['timedOut'] = [];
	for (const before of runs) {
		const policy = (before.approvalTimeout ?? 'escalate') as ApprovalTimeoutPolicy;
		const common = {
			approval: 'timedOut',
			decided_by: 'time limit',
			detail: TIMEOUT_DETAIL[policy],
		};
		let run: StepRun;
		if (policy === 'skip') {
			({ run } = await moveStepRun(db, before.id, 'skipped', now, common));
			const enrollment = await reloadEnrollment(db, run.enrollmentId);
			await advancePast(ctx, db, enrollment, run.stepIndex, now, now);
		} else {
			// The status stays or becomes "scheduled" (approved to send), which moveStepRun would
			// not write when it is already that; the in-flight condition above guards the write.
			const send = policy !== 'escalate';
			const [row] = await db.all(
				`UPDATE step_runs SET approval = ?, decided_by = ?, detail = ?, updated_at = ?,
				status = ${send ? "'scheduled'" : 'status'},
				handed_at = ${send ? 'COALESCE(handed_at, ?)' : 'handed_at'},
				stuck_at = ${send ? 'stuck_at' : '?'}
				WHERE id = ? RETURNING *`,
				[
					common.approval,
					common.decided_by,
					common.detail,
					now,
					send ? (before.approvalDeadline ?? now) : now,
					before.id,
				],
			);
			run = toStepRun(row);
		}
		const deadline = before.approvalDeadline;
		const events: Parameters<typeof appendEvents>[1] = [
			{
				enrollmentId: run.enrollmentId,
				stepRunId: run.id,
				type: 'timedOut',
				at: now,
				detail: { policy, deadline, step: run.stepIndex },
			},
		];
		if (policy === 'escalate') {
			events.push({
				enrollmentId: run.enrollmentId,
				stepRunId: run.id,
				type: 'stuck',
				at: now,
				detail: { claimedAt: run.claimedAt, reason: TIMEOUT_DETAIL.escalate },
			});
		}
		await appendEvents(db, events, ctx.driver.dialect.maxParams);
		result.push({ stepRun: run, policy });
	}
	return result;
}

/**
 * Claimed longer ago than the cutoff and never handed to the send path: its execution ended
 * (crashed, failed, the package was removed) before any channel saw it. Due again now, on the
 * same step run; the claim counts another attempt. Drafts with a reviewer are left alone, and
 * a paused enrollment already emits its held step again when it resumes.
 */
async function requeueUnsent(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	cutoff: number,
	now: number,
	limit: number,
): Promise<StepRun[]> {
	const runs = await inFlightRuns(
		db,
		cadenceId,
		"r.handed_at IS NULL AND r.approval IS NULL AND r.claimed_at <= ? AND e.state = 'active'",
		[cutoff],
		limit,
	);
	for (const run of runs) {
		await writeSchedule(
			db,
			run.enrollmentId,
			now,
			{ next_reason: 'emitted again: its last run ended before the send step', updated_at: now },
			"state = 'active'",
		);
	}
	await appendEvents(
		db,
		runs.map((run) => ({
			enrollmentId: run.enrollmentId,
			stepRunId: run.id,
			type: 'requeued',
			at: now,
			detail: { step: run.stepIndex, attempt: run.claims, claimedAt: run.claimedAt },
		})),
		ctx.driver.dialect.maxParams,
	);
	return runs;
}

/**
 * Handed to the send path (or decided by a reviewer) longer ago than the cutoff and not
 * confirmed: it may have gone out, so it is reported, once, and never resent silently. A draft
 * awaiting approval with no time limit running (Await Approval never started waiting on it) is
 * reported too: nothing would ever move it on.
 */
async function reportStuck(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	cutoff: number,
	now: number,
	limit: number,
	handOffInFlow: boolean,
): Promise<StuckStep[]> {
	const runs = await inFlightRuns(
		db,
		cadenceId,
		`r.stuck_at IS NULL AND (
			((r.approval IS NULL OR r.approval <> 'awaiting')
				AND (r.handed_at IS NOT NULL OR r.approval IS NOT NULL OR ? = 0)
				AND COALESCE(r.handed_at, r.claimed_at) <= ?)
			OR (r.approval = 'awaiting' AND r.approval_deadline IS NULL AND r.updated_at <= ?))`,
		[handOffInFlow ? 1 : 0, cutoff, cutoff],
		limit,
	);
	if (runs.length === 0) return [];
	await db.run(
		`UPDATE step_runs SET stuck_at = ?, stuck_alerted_at = NULL
		WHERE id IN (${placeholders(runs.length)})`,
		[now, ...runs.map((r) => r.id)],
	);
	await appendEvents(
		db,
		runs.map((run) => ({
			enrollmentId: run.enrollmentId,
			stepRunId: run.id,
			type: 'stuck',
			at: now,
			detail: { claimedAt: run.claimedAt, handedAt: run.handedAt },
		})),
		ctx.driver.dialect.maxParams,
	);
	const result: StuckStep[] = [];
	for (const run of runs) {
		result.push({
			stepRun: { ...run, stuckAt: now, stuckAlertedAt: null },
			enrollment: await reloadEnrollment(db, run.enrollmentId),
		});
	}
	return result;
}

async function pendingAlerts(db: SqlExecutor, cadenceId: number, limit: number) {
	const rows = await db.all(
		`SELECT * FROM step_runs WHERE cadence_id = ? AND stuck_at IS NOT NULL
		AND stuck_alerted_at IS NULL ORDER BY stuck_at, id LIMIT ?`,
		[cadenceId, limit],
	);
	const result: StuckStep[] = [];
	for (const row of rows) {
		const stepRun = toStepRun(row);
		result.push({ stepRun, enrollment: await reloadEnrollment(db, stepRun.enrollmentId) });
	}
	return result;
}

export const alertsDeliveredSchema = z
	.array(z.object({ stepRunId, stuckAt: z.number().int().nonnegative() }))
	.max(1000, 'confirm at most 1,000 alerts at once');
export type AlertsDelivered = z.input<typeof alertsDeliveredSchema>;

/**
 * The execution carrying these stuck alerts has run: they are not emitted again. An alert is
 * named by its step run and the moment it became stuck, so a later stuck report of the same run
 * (after an explicit retry) gets its own alert.
 */
export async function markAlertsDelivered(
	ctx: StoreContext,
	input: AlertsDelivered,
): Promise<number> {
	const alerts = parseOrThrow(alertsDeliveredSchema, input, 'delivered alerts');
	if (alerts.length === 0) return 0;
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		let count = 0;
		for (const alert of alerts) {
			const { changes } = await db.run(
				`UPDATE step_runs SET stuck_alerted_at = ?
				WHERE id = ? AND stuck_at = ? AND stuck_alerted_at IS NULL`,
				[now, alert.stepRunId, alert.stuckAt],
			);
			count += changes;
		}
		return count;
	});
}
