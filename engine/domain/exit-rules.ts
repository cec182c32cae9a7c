import { DAY_MS } from '../timing/constants';
import { isInFlight, isOnStep, isRunning } from './enrollment-state';
import type { Enrollment, ExitReason, Millis, StepStatus } from '../store/types';

/**
 * The exit rules Exit Check applies just before a step goes out. Pure: the node reads the facts
 * from the store, this decides, the node records the decision. Keeping the rules here means the
 * order in which they win is written down once and tested without a database.
 *
 * Order, most decisive first:
 *   1. opted out      – the contact must never be messaged again, whatever else is true;
 *   2. ended          – the store already stopped the enrollment (reply, goal, resolution…);
 *   3. goal condition – the user's own "Goal Reached" expression: final, so it beats a pause;
 *   4. replied        – a reply arrived after the claim and its policy paused or restarted the chain;
 *   5. not current    – paused, or the step was handled or rescheduled elsewhere meanwhile;
 *   6. sending limit  – too many messages to this contact in the last 24 hours.
 *
 * The optional AI judgement ("should we still follow up?") is asked by the Exit Check node after
 * these stored facts and before the sending limit, and fails open: no verdict means continue.
 */

export const EXIT_CHECKS = ['optOut', 'reply', 'running', 'limit'] as const;
export type ExitCheck = (typeof EXIT_CHECKS)[number];

/** What the node did with the item: ended it, put it back to wait, or dropped this one step. */
export type ExitAction = 'exited' | 'deferred' | 'skipped';

/**
 * Why the item left by Exit: an exit reason the store knows, or the state that stopped it.
 * 'superseded' means this step was already handled or moved on without it.
 */
export type ExitOutcome = ExitReason | 'completed' | 'failed' | 'paused' | 'superseded';

/** What to write to the store for the decision. */
export type ExitRecord =
	/** Nothing: the store already says what happens next. */
	| { kind: 'none' }
	/** End the enrollment with this reason (this also skips the step in flight). */
	| { kind: 'exit'; exitReason: ExitReason }
	/** Mark the step in flight skipped: the enrollment ended or moved on without it. */
	| { kind: 'skipStep' }
	/** Put the step back to wait until `until`. */
	| { kind: 'defer'; until: Millis }
	/** Put the step back to wait until the sending limit frees up (see `limitFreesUpAt`). */
	| { kind: 'deferForLimit' };

export type ExitDecision =
	| { exit: false }
	| {
			exit: true;
			reason: ExitOutcome;
			/** A sentence for the person reading the execution. */
			detail: string;
			action: ExitAction;
			/** For 'deferred': when the step goes out again, if known now. */
			deferredUntil: Millis | null;
			record: ExitRecord;
	  };

export type ExitVerdict = Extract<ExitDecision, { exit: true }>;

export type EnrollmentSnapshot = Pick<
	Enrollment,
	| 'state'
	| 'exitReason'
	| 'cycle'
	| 'nextStep'
	| 'nextDueAt'
	| 'pausedUntil'
	| 'lastInboundAt'
	| 'endedAt'
>;

export interface ExitFacts {
	/** The enrollment as the store has it now. */
	enrollment: EnrollmentSnapshot;
	/** The step run the item carries, as the store has it now, and when the item's claim happened. */
	step: { index: number; cycle: number; status: StepStatus; claimedAt: Millis };
	suppressed: boolean;
	/** The user's "Goal Reached" condition for this item. */
	goalReached: boolean;
	/** Steps sent to this contact (any cadence) in the last 24 hours. */
	sentLast24h: number;
	/** The cadence's per-contact daily limit; null for none. */
	perContactPerDay: number | null;
	now: Millis;
	/** Checks switched off by the user; all on by default. */
	disabled?: ReadonlySet<ExitCheck>;
}

const CONTINUE: ExitDecision = { exit: false };

export function decideExit(facts: ExitFacts): ExitDecision {
	const on = (check: ExitCheck) => !facts.disabled?.has(check);
	const { enrollment: e, step } = facts;
	const running = isRunning(e.state);
	const replied = e.lastInboundAt !== null && e.lastInboundAt > step.claimedAt;
	// A step can only be marked skipped before it was sent: statuses move forward only.
	const skipStep: ExitRecord =
		step.status === 'pending' || step.status === 'scheduled' ? { kind: 'skipStep' } : NOTHING;

	if (on('optOut') && facts.suppressed) {
		const record: ExitRecord = running ? { kind: 'exit', exitReason: 'optedOut' } : skipStep;
		return exited('optedOut', 'the contact opted out of all follow-ups', record);
	}

	if (!running && (on('running') || (on('reply') && replied))) {
		const when = e.endedAt === null ? '' : ` at ${iso(e.endedAt)}`;
		return exited(endedReason(e), `the enrollment already ${endedWords(e)}${when}`, skipStep);
	}

	if (facts.goalReached) {
		const record: ExitRecord = { kind: 'exit', exitReason: 'condition' };
		return exited('condition', 'the Goal Reached condition is true', record);
	}

	// A reply recorded after the claim has already been handled by the cadence's reply policy (or
	// by Record Reply's "What to Do"). Exit Check does not decide the enrollment's fate a second
	// time: ending it here would undo a "restart the chain" or "pause" policy. It only keeps this
	// stale step from going out. A reply the policy ignored (an auto-reply) leaves the enrollment on
	// this very step, and the step goes ahead.
	if (on('reply') && replied) {
		if (e.state === 'paused') return paused(e, 'replied', 'the contact replied; ');
		if (!isCurrent(e, step)) return movedOn(e, step, 'replied', skipStep);
	}

	if (on('running')) {
		if (e.state === 'paused') return paused(e, 'paused', '');
		if (!isCurrent(e, step)) return movedOn(e, step, 'superseded', skipStep);
	}

	const limit = facts.perContactPerDay;
	if (on('limit') && limit !== null && facts.sentLast24h >= limit) {
		// A limit is about pacing, not about the contact: ending the enrollment would silently drop
		// the rest of the cadence for someone who did nothing wrong. The step waits until the
		// 24-hour window has room again, and the trigger emits it then on the same idempotency key.
		return {
			exit: true,
			reason: 'limit',
			detail: `${facts.sentLast24h} of ${limit} messages per contact per day already sent; the step waits until the limit frees up`,
			action: 'deferred',
			deferredUntil: null,
			record: { kind: 'deferForLimit' },
		};
	}
	return CONTINUE;
}

/**
 * For items that did not come from a cadence (any other workflow): there is no enrollment to read
 * or to end, so only the user's own condition can stop them.
 */
export function decideWithoutEnrollment(goalReached: boolean): ExitDecision {
	if (!goalReached) return CONTINUE;
	return exited('condition', 'the Goal Reached condition is true', NOTHING);
}

/**
 * When fewer than `limit` of `sendTimes` fall in the trailing 24 hours again: just after the
 * send that has to age out does. `sendTimes` are the sends of the last 24 hours.
 */
export function limitFreesUpAt(sendTimes: readonly Millis[], limit: number, now: Millis): Millis {
	const sorted = [...sendTimes].sort((a, b) => a - b);
	const mustAgeOut = sorted.length - limit;
	if (mustAgeOut < 0) return now;
	return Math.max(now, sorted[mustAgeOut] + DAY_MS + 1);
}

const NOTHING: ExitRecord = { kind: 'none' };
const iso = (ms: Millis) => new Date(ms).toISOString();

/** The step the enrollment is waiting on, still in flight: the store's own test. */
function isCurrent(e: EnrollmentSnapshot, step: ExitFacts['step']): boolean {
	return isInFlight(e, { stepIndex: step.index, cycle: step.cycle });
}

function exited(reason: ExitOutcome, detail: string, record: ExitRecord): ExitDecision {
	return { exit: true, reason, detail, action: 'exited', deferredUntil: null, record };
}

function endedReason(e: EnrollmentSnapshot): ExitOutcome {
	if (e.state === 'exited') return (e.exitReason as ExitReason | null) ?? 'cancelled';
	return e.state === 'completed' ? 'completed' : 'failed';
}

function endedWords(e: EnrollmentSnapshot): string {
	if (e.state === 'completed') return 'completed';
	if (e.state === 'failed') return `failed (${e.exitReason ?? 'no reason recorded'})`;
	return `exited (${e.exitReason ?? 'cancelled'})`;
}

/**
 * A paused enrollment keeps this step for later. When the pause has an end but nothing is
 * scheduled (it was paused while this step was in flight), the step is put back to wait for that
 * end, so it is not lost.
 */
function paused(e: EnrollmentSnapshot, reason: ExitOutcome, prefix: string): ExitDecision {
	const until = e.nextDueAt ?? e.pausedUntil;
	const record: ExitRecord =
		e.nextDueAt === null && e.pausedUntil !== null
			? { kind: 'defer', until: e.pausedUntil }
			: NOTHING;
	const when =
		until === null
			? 'until someone resumes it'
			: `until ${iso(until)}, when this step goes out again`;
	return {
		exit: true,
		reason,
		detail: `${prefix}the enrollment is paused ${when}`,
		action: 'deferred',
		deferredUntil: until,
		record,
	};
}

/**
 * The enrollment no longer waits on this step in flight: it was rescheduled (it comes again
 * later), sent or skipped elsewhere, or the chain restarted (this step will never go out).
 */
function movedOn(
	e: EnrollmentSnapshot,
	step: ExitFacts['step'],
	reason: ExitOutcome,
	skipStep: ExitRecord,
): ExitDecision {
	const sameStep = isOnStep(e, { stepIndex: step.index, cycle: step.cycle });
	if (sameStep && e.nextDueAt !== null) {
		return {
			exit: true,
			reason,
			detail: `this step was rescheduled meanwhile; it goes out at ${iso(e.nextDueAt)}`,
			action: 'deferred',
			deferredUntil: e.nextDueAt,
			record: NOTHING,
		};
	}
	const why =
		e.cycle !== step.cycle
			? 'the chain restarted since this step was claimed'
			: `this step was already ${step.status} elsewhere`;
	const next = e.nextDueAt === null ? '' : `; the next step is due at ${iso(e.nextDueAt)}`;
	return {
		exit: true,
		reason,
		detail: `${reason === 'replied' ? 'the contact replied and ' : ''}${why}${next}`,
		action: 'skipped',
		deferredUntil: null,
		record: e.cycle !== step.cycle ? skipStep : NOTHING,
	};
}
