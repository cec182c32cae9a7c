import { channelOf } from '../../domain/channels';
import { isRunning } from '../../domain/enrollment-state';
import { statusesThatMayBecome } from '../../domain/step-status';
import { parseOrThrow } from '../../validation';
import {
	deliveryInputSchema,
	type ChannelDeliveryStatus,
	type DeliveryInput,
} from '../channel-inputs';
import type { SqlExecutor } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import { appendEvents, placeholders, type StoreContext } from './context';
import { writeSchedule } from './due-queue';
import { reloadEnrollment } from './chain';
import { loadStepRun, moveStepRun } from './step-runs';
import { toStepRun } from './rows';

/**
 * Delivery reports from channels, matched by the id the channel gave the message, and what a
 * failed delivery does. Each send's id has its own status, forward only — queued < sent <
 * delivered < read, failed ends it — so a report arriving late ("delivered" after "read") or
 * twice changes nothing. Delivered and read move the step run on; failed applies the cadence's
 * failure policy (Channels → On Failure).
 */

const RANK: Record<Exclude<ChannelDeliveryStatus, 'failed'>, number> = {
	queued: 0,
	sent: 1,
	delivered: 2,
	read: 3,
};

export interface DeliveryResult {
	/** applied: the report moved something; ignored: it was late or repeated; unknown: no such id. */
	outcome: 'applied' | 'ignored' | 'unknown';
	stepRun: StepRun | null;
	/** What happened, in words ("already read; a late delivered is ignored"). */
	reason: string;
	/** For a failure: what the cadence did about it. */
	failure: FailureOutcome | null;
}

export type FailureOutcome =
	| { action: 'nextChannel'; failedChannels: string[] }
	| { action: 'endedEnrollment'; enrollmentId: number }
	| { action: 'stepOnly' };

export async function recordDelivery(
	ctx: StoreContext,
	input: DeliveryInput,
): Promise<DeliveryResult> {
	const report = parseOrThrow(deliveryInputSchema, input, 'delivery status');
	const at = ctx.now(report.at);
	return ctx.driver.transaction(async (db) => {
		const rows = await db.all<{ step_run_id: number; status: string; channel: string | null }>(
			`SELECT step_run_id, status, channel FROM channel_messages WHERE channel_message_id = ?${ctx.driver.dialect.lockRow}`,
			[report.channelMessageId],
		);
		if (rows.length === 0) {
			return {
				outcome: 'unknown',
				stepRun: null,
				reason: `no follow-up was sent with the channel message id ${JSON.stringify(report.channelMessageId)}`,
				failure: null,
			};
		}
		const [record] = rows;
		const before = record.status as ChannelDeliveryStatus;
		const run = await loadStepRun(db, { stepRunId: Number(record.step_run_id) });
		const late = lateReport(before, report.status);
		if (late) return { outcome: 'ignored', stepRun: run, reason: late, failure: null };
		await db.run(
			'UPDATE channel_messages SET status = ?, detail = COALESCE(?, detail), updated_at = ? WHERE channel_message_id = ?',
			[report.status, report.detail, at, report.channelMessageId],
		);
		if (report.status === 'failed') {
			const failure = await applyFailure(ctx, db, run, at, report.detail, record.channel);
			const after = await loadStepRun(db, { stepRunId: run.id });
			return {
				outcome: 'applied',
				stepRun: after,
				reason: `delivery failed${record.channel ? ` on ${record.channel}` : ''}`,
				failure,
			};
		}
		if (report.status === 'queued' || report.status === 'sent') {
			return {
				outcome: 'applied',
				stepRun: run,
				reason: `the channel says ${report.status}`,
				failure: null,
			};
		}
		return stepMovesOn(ctx, db, run, report.status, at, report.detail);
	});
}

/** Why a report changes nothing: the message's status is already at or past it. */
function lateReport(before: ChannelDeliveryStatus, after: ChannelDeliveryStatus): string | null {
	if (before === 'failed') return `already failed; a later ${after} report is ignored`;
	if (after === 'failed') {
		return before === 'delivered' || before === 'read'
			? `already ${before}; a failure reported after delivery is ignored`
			: null;
	}
	if (RANK[after] > RANK[before]) return null;
	return before === after
		? `already ${before}; the repeated report is ignored`
		: `already ${before}; a late ${after} is ignored`;
}

/** Delivered / read on the step run, forward only; a step already further on keeps its status. */
async function stepMovesOn(
	ctx: StoreContext,
	db: SqlExecutor,
	run: StepRun,
	status: 'delivered' | 'read',
	at: number,
	detail: string | null,
): Promise<DeliveryResult> {
	// The step statuses' own forward-only rule (engine/domain/step-status.ts), minus staying put.
	const from = statusesThatMayBecome(status).filter((s) => s !== status);
	const moved = await db.all(
		`UPDATE step_runs SET status = ?, ${status}_at = COALESCE(${status}_at, ?), updated_at = ?
		WHERE id = ? AND status IN (${placeholders(from.length)}) RETURNING *`,
		[status, at, at, run.id, ...from],
	);
	if (moved.length === 0) {
		return {
			outcome: 'applied',
			stepRun: run,
			reason: `the message is ${status}; the step is already ${run.status}`,
			failure: null,
		};
	}
	const after = toStepRun(moved[0]);
	await appendEvents(
		db,
		[{ enrollmentId: run.enrollmentId, stepRunId: run.id, type: status, at, detail: { detail } }],
		ctx.driver.dialect.maxParams,
	);
	return { outcome: 'applied', stepRun: after, reason: `the step is ${status}`, failure: null };
}

/**
 * A step that could not be delivered, by a delivery report or a node reporting it failed. The
 * cadence's policy applies while the step is the enrollment's latest in its cycle: "next
 * channel" puts the step back to go out again at once, the failed channel recorded on it so the
 * channel decision leaves it out (the failed attempt keeps its own terminal status); "end the
 * enrollment" — or nothing left to try — marks the step Failed and ends the enrollment as failed.
 * A failure of an older step (the enrollment moved on, or ended) marks only that step.
 */
export async function applyFailure(
	ctx: StoreContext,
	db: SqlExecutor,
	run: StepRun,
	at: number,
	detail: string | null,
	channel: string | null,
): Promise<FailureOutcome> {
	const enrollment = await reloadEnrollment(db, run.enrollmentId);
	const latest = await isLatestStep(db, enrollment, run);
	const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
	const failedOn = channelOf(channel ?? run.channel);
	const tried = [...new Set([...run.failedChannels, ...(failedOn ? [failedOn] : [])])];
	const why = `step ${run.stepIndex + 1} failed${failedOn ? ` on ${failedOn}` : ''}${detail ? `: ${detail}` : ''}`;
	if (
		latest &&
		definition.channels.onFailure === 'nextChannel' &&
		failedOn &&
		!run.failedChannels.includes(failedOn)
	) {
		await db.run(
			`UPDATE step_runs SET status = 'scheduled', failed_channels = ?, channel_message_id = NULL,
			sent_at = NULL, delivered_at = NULL, read_at = NULL, detail = ?, updated_at = ? WHERE id = ?`,
			[JSON.stringify(tried), why, at, run.id],
		);
		await writeSchedule(db, enrollment.id, at, {
			state: 'active',
			next_step: run.stepIndex,
			next_reason: `${why}; trying the next channel`,
			held_due_at: null,
			paused_until: null,
			ended_at: null,
			exit_reason: null,
			updated_at: at,
		});
		await failedEvent(ctx, db, run, at, { detail, channel: failedOn, policy: 'nextChannel' });
		return { action: 'nextChannel', failedChannels: tried };
	}
	await moveStepRun(db, run.id, 'failed', at, detail === null ? {} : { detail });
	await failedEvent(ctx, db, run, at, {
		detail,
		channel: failedOn,
		policy: latest ? 'endEnrollment' : 'stepOnly',
	});
	if (!latest) return { action: 'stepOnly' };
	await writeSchedule(db, enrollment.id, null, {
		state: 'failed',
		exit_reason: why,
		held_due_at: null,
		paused_until: null,
		ended_at: at,
		updated_at: at,
	});
	await appendEvents(
		db,
		[{ enrollmentId: enrollment.id, type: 'enrollmentFailed', at, detail: { reason: why } }],
		ctx.driver.dialect.maxParams,
	);
	return { action: 'endedEnrollment', enrollmentId: enrollment.id };
}

async function failedEvent(
	ctx: StoreContext,
	db: SqlExecutor,
	run: StepRun,
	at: number,
	detail: Record<string, unknown>,
): Promise<void> {
	await appendEvents(
		db,
		[{ enrollmentId: run.enrollmentId, stepRunId: run.id, type: 'failed', at, detail }],
		ctx.driver.dialect.maxParams,
	);
}

/**
 * The step is the last thing the enrollment did in its current cycle: in flight now, or the latest
 * sent with the next step still waiting (or the chain completed by it). Running or completed by
 * this very step; an enrollment that exited or failed is left as it ended.
 */
async function isLatestStep(db: SqlExecutor, e: Enrollment, run: StepRun): Promise<boolean> {
	if (e.cycle !== run.cycle) return false;
	if (!isRunning(e.state) && e.state !== 'completed') return false;
	if (e.nextStep === run.stepIndex) return isRunning(e.state);
	const later = await db.all(
		`SELECT 1 AS found FROM step_runs WHERE enrollment_id = ? AND cycle = ? AND step_index > ?
		AND status <> 'skipped' LIMIT 1`,
		[e.id, e.cycle, run.stepIndex],
	);
	return later.length === 0 && e.nextStep > run.stepIndex;
}

/** The step run a send with this channel message id belongs to, or null. */
export async function stepRunByChannelMessageId(
	ctx: StoreContext,
	channelMessageId: string,
): Promise<StepRun | null> {
	const rows = await ctx.driver.all(
		`SELECT r.* FROM channel_messages m JOIN step_runs r ON r.id = m.step_run_id
		WHERE m.channel_message_id = ?`,
		[channelMessageId.trim()],
	);
	return rows.length > 0 ? toStepRun(rows[0]) : null;
}
