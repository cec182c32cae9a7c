import {
	decideExit,
	decideWithoutEnrollment,
	limitFreesUpAt,
	type EnrollmentSnapshot,
	type ExitCheck,
	type ExitFacts,
} from '../../engine/domain/exit-rules';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CLAIMED = Date.UTC(2026, 2, 2, 9, 0);
const NOW = CLAIMED + 1000;

/** An enrollment waiting on step 2 (index 1) of cycle 1, claimed at CLAIMED: the normal case. */
const inFlight: EnrollmentSnapshot = {
	state: 'active',
	exitReason: null,
	cycle: 1,
	nextStep: 1,
	nextDueAt: null,
	pausedUntil: null,
	lastInboundAt: null,
	endedAt: null,
};

function facts(
	enrollment: Partial<EnrollmentSnapshot> = {},
	extra: Partial<Omit<ExitFacts, 'enrollment'>> & { off?: ExitCheck[] } = {},
): ExitFacts {
	const { off, ...rest } = extra;
	return {
		enrollment: { ...inFlight, ...enrollment },
		step: { index: 1, cycle: 1, status: 'pending', claimedAt: CLAIMED },
		suppressed: false,
		goalReached: false,
		sentLast24h: 0,
		perContactPerDay: null,
		now: NOW,
		disabled: new Set(off ?? []),
		...rest,
	};
}

describe('decideExit', () => {
	it('lets a step through when nothing stands in its way', () => {
		expect(decideExit(facts())).toEqual({ exit: false });
	});

	describe('opt-out', () => {
		it('ends a running enrollment with reason optedOut', () => {
			expect(decideExit(facts({}, { suppressed: true }))).toMatchObject({
				exit: true,
				reason: 'optedOut',
				action: 'exited',
				record: { kind: 'exit', exitReason: 'optedOut' },
			});
		});

		it('only skips the step of an enrollment that already ended, and wins over other reasons', () => {
			const decision = decideExit(
				facts({ state: 'exited', exitReason: 'goal' }, { suppressed: true, goalReached: true }),
			);
			expect(decision).toMatchObject({ reason: 'optedOut', record: { kind: 'skipStep' } });
		});

		it('writes nothing for a step that was already sent', () => {
			const f = facts({ state: 'exited', exitReason: 'optedOut' }, { suppressed: true });
			f.step.status = 'sent';
			expect(decideExit(f)).toMatchObject({ reason: 'optedOut', record: { kind: 'none' } });
		});

		it('can be switched off', () => {
			expect(decideExit(facts({}, { suppressed: true, off: ['optOut'] }))).toEqual({
				exit: false,
			});
		});
	});

	describe('an enrollment that already ended', () => {
		it.each([
			[{ state: 'exited', exitReason: 'replied' }, 'replied', /already exited \(replied\)/],
			[{ state: 'exited', exitReason: 'resolved' }, 'resolved', /exited \(resolved\)/],
			[{ state: 'exited', exitReason: null }, 'cancelled', /exited \(cancelled\)/],
			[{ state: 'completed' }, 'completed', /already completed/],
			[{ state: 'failed', exitReason: 'step 1 failed: bounce' }, 'failed', /failed \(step 1/],
		] as const)('%o exits with the store’s reason', (enrollment, reason, detail) => {
			const decision = decideExit(facts({ ...enrollment, endedAt: NOW - 10 }));
			expect(decision).toMatchObject({
				exit: true,
				reason,
				action: 'exited',
				record: { kind: 'skipStep' },
			});
			expect(decision.exit && decision.detail).toMatch(detail);
			expect(decision.exit && decision.detail).toMatch(new Date(NOW - 10).toISOString());
		});

		it('beats the goal condition: the reason the store recorded is the one reported', () => {
			const decision = decideExit(
				facts({ state: 'exited', exitReason: 'goal' }, { goalReached: true }),
			);
			expect(decision).toMatchObject({ reason: 'goal', record: { kind: 'skipStep' } });
		});

		it('is still caught by the reply check when the running check is off', () => {
			const ended = { state: 'exited', exitReason: 'replied', lastInboundAt: NOW } as const;
			expect(decideExit(facts(ended, { off: ['running'] }))).toMatchObject({
				reason: 'replied',
				action: 'exited',
			});
			expect(decideExit(facts(ended, { off: ['running', 'reply'] }))).toEqual({ exit: false });
		});
	});

	describe('a reply after the claim', () => {
		it('skips this step when the reply restarted the chain, and leaves the enrollment running', () => {
			const restarted = { cycle: 2, nextStep: 0, nextDueAt: NOW + DAY, lastInboundAt: NOW };
			const decision = decideExit(facts(restarted));
			expect(decision).toMatchObject({
				exit: true,
				reason: 'replied',
				action: 'skipped',
				record: { kind: 'skipStep' },
			});
			expect(decision.exit && decision.detail).toMatch(/replied and the chain restarted/);
			expect(decision.exit && decision.detail).toMatch(new Date(NOW + DAY).toISOString());
		});

		it('defers to the end of a pause the reply policy set', () => {
			const paused = {
				state: 'paused',
				pausedUntil: NOW + DAY,
				nextDueAt: NOW + DAY,
				lastInboundAt: NOW,
			} as const;
			expect(decideExit(facts(paused))).toMatchObject({
				reason: 'replied',
				action: 'deferred',
				deferredUntil: NOW + DAY,
				record: { kind: 'none' },
			});
		});

		it('goes ahead when the reply policy ignored the message (an auto-reply)', () => {
			expect(decideExit(facts({ lastInboundAt: NOW }))).toEqual({ exit: false });
		});

		it('only counts replies strictly after the claim', () => {
			const restarted = { cycle: 2, nextStep: 0, nextDueAt: NOW + DAY };
			expect(decideExit(facts({ ...restarted, lastInboundAt: CLAIMED }))).toMatchObject({
				reason: 'superseded',
			});
		});

		it('without the reply check, a restart is still a step that moved on', () => {
			const restarted = { cycle: 2, nextStep: 0, nextDueAt: NOW + DAY, lastInboundAt: NOW };
			expect(decideExit(facts(restarted, { off: ['reply'] }))).toMatchObject({
				reason: 'superseded',
				action: 'skipped',
				record: { kind: 'skipStep' },
			});
			expect(decideExit(facts(restarted, { off: ['reply', 'running'] }))).toEqual({
				exit: false,
			});
		});
	});

	describe('the Goal Reached condition', () => {
		it('ends the enrollment with reason condition', () => {
			expect(decideExit(facts({}, { goalReached: true }))).toMatchObject({
				exit: true,
				reason: 'condition',
				action: 'exited',
				record: { kind: 'exit', exitReason: 'condition' },
			});
		});

		it('wins over a reply that restarted the chain: the goal is final', () => {
			const restarted = { cycle: 2, nextStep: 0, nextDueAt: NOW + DAY, lastInboundAt: NOW };
			expect(decideExit(facts(restarted, { goalReached: true }))).toMatchObject({
				reason: 'condition',
				record: { kind: 'exit', exitReason: 'condition' },
			});
		});

		it('ends a paused enrollment too: the goal is final, a pause is not', () => {
			expect(
				decideExit(facts({ state: 'paused', pausedUntil: NOW + DAY }, { goalReached: true })),
			).toMatchObject({ reason: 'condition', record: { kind: 'exit' } });
		});
	});

	describe('an enrollment that no longer waits on this step', () => {
		it('puts a step paused in flight back to wait for the end of the pause', () => {
			expect(decideExit(facts({ state: 'paused', pausedUntil: NOW + HOUR }))).toMatchObject({
				reason: 'paused',
				action: 'deferred',
				deferredUntil: NOW + HOUR,
				record: { kind: 'defer', until: NOW + HOUR },
			});
		});

		it('says a pause without end waits for someone to resume it, and writes nothing', () => {
			const decision = decideExit(facts({ state: 'paused' }));
			expect(decision).toMatchObject({
				reason: 'paused',
				action: 'deferred',
				deferredUntil: null,
				record: { kind: 'none' },
			});
			expect(decision.exit && decision.detail).toMatch(/until someone resumes it/);
		});

		it('reports a step rescheduled meanwhile as deferred, writing nothing', () => {
			expect(decideExit(facts({ nextDueAt: NOW + HOUR }))).toMatchObject({
				reason: 'superseded',
				action: 'deferred',
				deferredUntil: NOW + HOUR,
				record: { kind: 'none' },
			});
		});

		it('skips a step already sent elsewhere without touching it', () => {
			const f = facts({ nextStep: 2, nextDueAt: NOW + DAY });
			f.step.status = 'sent';
			const decision = decideExit(f);
			expect(decision).toMatchObject({
				reason: 'superseded',
				action: 'skipped',
				record: { kind: 'none' },
			});
			expect(decision.exit && decision.detail).toMatch(/already sent elsewhere/);
		});

		it('can be switched off', () => {
			expect(decideExit(facts({ state: 'paused' }, { off: ['running'] }))).toEqual({
				exit: false,
			});
		});
	});

	describe('the sending limit', () => {
		it('defers, never exits, when the contact already got the day’s messages', () => {
			expect(decideExit(facts({}, { perContactPerDay: 2, sentLast24h: 2 }))).toMatchObject({
				exit: true,
				reason: 'limit',
				action: 'deferred',
				record: { kind: 'deferForLimit' },
			});
		});

		it.each([
			[2, 1, []],
			[null, 50, []],
			[2, 5, ['limit']],
		] as const)('limit %p with %p sent (off: %p) continues', (limit, sent, off) => {
			expect(
				decideExit(facts({}, { perContactPerDay: limit, sentLast24h: sent, off: [...off] })),
			).toEqual({ exit: false });
		});
	});
});

describe('decideWithoutEnrollment', () => {
	it('only the Goal Reached condition can stop an item from elsewhere, and nothing is written', () => {
		expect(decideWithoutEnrollment(false)).toEqual({ exit: false });
		expect(decideWithoutEnrollment(true)).toMatchObject({
			exit: true,
			reason: 'condition',
			action: 'exited',
			record: { kind: 'none' },
		});
	});
});

describe('limitFreesUpAt', () => {
	it('is just after the send that has to age out for the count to drop below the limit', () => {
		const sends = [NOW - 3 * HOUR, NOW - 20 * HOUR, NOW - 10 * HOUR];
		// limit 2 with 3 sends: two must age out, the later of them (10 h ago) decides.
		expect(limitFreesUpAt(sends, 2, NOW)).toBe(NOW - 10 * HOUR + DAY + 1);
		// limit 3 with 3 sends: the oldest (20 h ago) is enough.
		expect(limitFreesUpAt(sends, 3, NOW)).toBe(NOW - 20 * HOUR + DAY + 1);
	});

	it('is now when the limit is not reached', () => {
		expect(limitFreesUpAt([NOW - HOUR], 2, NOW)).toBe(NOW);
	});
});
