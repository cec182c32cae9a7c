import { DateTime } from 'luxon';
import { CadenceTransitionError } from '../../engine/errors';
import { inactivityChain, prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

const at = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();

describe.each(BACKENDS)('the send cycle on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	async function claimOne(cadence: string) {
		const claimed = await t.store.claimDue({ cadence });
		expect(claimed).toHaveLength(1);
		return claimed[0];
	}

	it('runs the 4 h / 24 h / 48 h chain, each wait counted from the previous send', async () => {
		await t.store.publishCadence(inactivityChain);
		const [{ enrollment }] = await t.store.enroll([
			{ cadence: inactivityChain.name, contactKey: 'c' },
		]);
		const sends: number[] = [];
		for (const wait of [4 * HOUR, 24 * HOUR, 48 * HOUR]) {
			const due = (await t.store.getEnrollment(enrollment!.id))!.nextDueAt!;
			expect(due).toBe((sends.at(-1) ?? clock.nowMs) + wait);
			clock.set(new Date(due + 7 * MINUTE).toISOString()); // the flow took 7 minutes to send
			const claimed = await claimOne(inactivityChain.name);
			expect(claimed.persona).toBe('Friendly support agent');
			await t.store.markSent({ stepRunId: claimed.stepRun.id, text: claimed.step.staticText });
			sends.push(clock.nowMs);
		}
		expect((await t.store.getEnrollment(enrollment!.id))!.state).toBe('completed');
		const history = await t.store.getConversation({ contactKey: 'c' });
		expect(history.map((m) => [m.author, m.text])).toEqual([
			['followUp', 'Still there?'],
			['followUp', 'Is this still relevant?'],
			['followUp', 'Goodbye for now!'],
		]);
	});

	it('moves a follow-up due at 21:00 to 08:00 the next day with working hours 8–17, and says why', async () => {
		const week = { from: '08:00', to: '17:00' };
		await t.store.publishCadence({
			name: 'Working hours',
			schedule: {
				timeZone: 'America/Chicago',
				workingHours: {
					monday: [week],
					tuesday: [week],
					wednesday: [week],
					thursday: [week],
					friday: [week],
				},
			},
			steps: [{ wait: { amount: 4, unit: 'hours' }, staticText: 'hi' }],
		});
		clock.set('2026-03-03T17:00:00-06:00'); // Tuesday 17:00 in Chicago; due 21:00
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Working hours', contactKey: 'c' }]);
		expect(enrollment!.nextDueAt).toBe(at('2026-03-04T08:00:00', 'America/Chicago'));
		expect(enrollment!.nextReason).toMatch(/working hours/);
		expect(enrollment!.nextReason).toMatch(/America\/Chicago/);
	});

	it('defers a claimed step and emits it again later on the same step run and key', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(3 * DAY);
		const first = await claimOne('Prospecting');
		const until = clock.nowMs + 10 * HOUR;
		const deferred = await t.store.deferStep({
			stepRunId: first.stepRun.id,
			until,
			reason: 'outside working hours',
		});
		expect(deferred.status).toBe('scheduled');
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		clock.set(new Date(until).toISOString());
		const again = await claimOne('Prospecting');
		expect(again.stepRun.id).toBe(first.stepRun.id);
		expect(again.stepRun.idempotencyKey).toBe(first.stepRun.idempotencyKey);
		expect(again.stepRun.claims).toBe(2);
		expect(again.enrollment.nextReason).toBe('outside working hours');
		await t.store.markSent({ stepRunId: again.stepRun.id, text: 'x' });
		// The next wait counts from the real send, so a deferral shifts later steps instead of bunching them.
		expect((await t.store.getEnrollment(first.enrollment.id))!.nextDueAt).toBe(
			clock.nowMs + 3 * DAY,
		);
		const types = (await t.store.getTimeline(first.enrollment.id)).map((e) => e.type);
		expect(types).toEqual(['enrolled', 'claimed', 'deferred', 'claimed', 'sent']);
	});

	it('moves step statuses forward only; a repeated report of the same status changes nothing', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(3 * DAY);
		const { stepRun } = await claimOne('Prospecting');
		expect(stepRun.status).toBe('pending');
		await t.store.markSent({
			stepRunId: stepRun.id,
			text: 'hello',
			model: 'gpt',
			promptTokens: 10,
			completionTokens: 5,
		});
		const confirmedTwice = await t.store.markSent({ stepRunId: stepRun.id, text: 'hello' });
		expect(confirmedTwice.status).toBe('sent');
		const delivered = await t.store.setStepStatus({
			idempotencyKey: stepRun.idempotencyKey,
			status: 'delivered',
		});
		expect(delivered.status).toBe('delivered');
		const read = await t.store.setStepStatus({ stepRunId: stepRun.id, status: 'read' });
		expect(read).toMatchObject({
			status: 'read',
			text: 'hello',
			model: 'gpt',
			promptTokens: 10,
			completionTokens: 5,
		});
		const lateDelivered = t.store.setStepStatus({ stepRunId: stepRun.id, status: 'delivered' });
		await expect(lateDelivered).rejects.toThrow(CadenceTransitionError);
		await expect(lateDelivered).rejects.toThrow(/already "read".*only move forward/);
		await expect(t.store.markSent({ stepRunId: stepRun.id })).rejects.toThrow(
			CadenceTransitionError,
		);
		const enrollment = await t.store.getEnrollment(stepRun.enrollmentId);
		expect(enrollment!.nextStep).toBe(1); // confirming twice did not skip a step
	});

	it('marks a failed send and fails the enrollment with the reason', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(3 * DAY);
		const { stepRun } = await claimOne('Prospecting');
		await t.store.setStepStatus({
			stepRunId: stepRun.id,
			status: 'failed',
			detail: 'no WhatsApp template',
		});
		const enrollment = await t.store.getEnrollment(stepRun.enrollmentId);
		expect(enrollment).toMatchObject({
			state: 'failed',
			exitReason: 'step 1 failed: no WhatsApp template',
		});
	});

	it('reports a step handed to the send path and never confirmed as stuck once, never resends it, and retries only on request', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(3 * DAY);
		const { stepRun } = await claimOne('Prospecting');
		await t.store.handOff({ stepRunId: stepRun.id });
		const reportStuck = async () =>
			(await t.store.checkInFlight({ cadence: 'Prospecting', olderThanMs: 15 * MINUTE })).stuck;
		clock.advance(10 * MINUTE);
		expect(await reportStuck()).toEqual([]);
		clock.advance(10 * MINUTE);
		const stuck = await reportStuck();
		expect(stuck.map((s) => s.stepRun.id)).toEqual([stepRun.id]);
		expect(await reportStuck()).toEqual([]);
		expect((await t.store.findStuck({ olderThanMs: 15 * MINUTE })).length).toBe(1);
		clock.advance(DAY);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		await t.store.retryStep(stepRun.id);
		const retried = await claimOne('Prospecting');
		expect(retried.stepRun).toMatchObject({
			id: stepRun.id,
			idempotencyKey: stepRun.idempotencyKey,
			claims: 2,
			stuckAt: null,
		});
		const types = (await t.store.getTimeline(stepRun.enrollmentId)).map((e) => e.type);
		expect(types).toEqual(['enrolled', 'claimed', 'stuck', 'retried', 'claimed']);
	});

	it('does not count drafts awaiting approval as stuck, and sends the approved, edited text', async () => {
		await t.store.publishCadence({
			...prospecting,
			steps: [
				{
					wait: { amount: 1, unit: 'days' },
					instruction: 'Nudge',
					composeMode: 'aiAssisted',
					staticText: 'fallback',
				},
			],
		});
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(DAY);
		const { stepRun } = await claimOne('Prospecting');
		expect(stepRun.composeMode).toBe('aiAssisted');
		const draft = await t.store.recordDraft({
			stepRunId: stepRun.id,
			text: 'AI draft',
			model: 'm',
			awaitingApproval: true,
		});
		expect(draft).toMatchObject({ status: 'pending', approval: 'awaiting', text: 'AI draft' });
		clock.advance(DAY);
		expect(await t.store.findStuck({ olderThanMs: HOUR })).toEqual([]);
		const approved = await t.store.recordApproval({
			stepRunId: stepRun.id,
			decision: 'edited',
			text: 'Human text',
			by: 'ana@example.com',
		});
		expect(approved).toMatchObject({
			status: 'scheduled',
			approval: 'edited',
			decidedBy: 'ana@example.com',
			text: 'Human text',
		});
		const sent = await t.store.markSent({ stepRunId: stepRun.id });
		expect(sent).toMatchObject({ status: 'sent', text: 'Human text' });
		const types = (await t.store.getTimeline(stepRun.enrollmentId)).map((e) => e.type);
		expect(types).toEqual(['enrolled', 'claimed', 'draftPending', 'edited', 'sent', 'completed']);
	});

	it('records a decision on a deferred draft, and refuses a second decision', async () => {
		await t.store.publishCadence({
			...prospecting,
			steps: [
				{ wait: { amount: 1, unit: 'days' }, instruction: 'Nudge', composeMode: 'aiAssisted' },
			],
		});
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(DAY);
		const { stepRun } = await claimOne('Prospecting');
		await t.store.recordDraft({ stepRunId: stepRun.id, text: 'draft', awaitingApproval: true });
		await t.store.deferStep({ stepRunId: stepRun.id, until: clock.nowMs + HOUR, reason: 'night' });
		clock.advance(HOUR);
		await claimOne('Prospecting');
		const edited = await t.store.recordApproval({
			stepRunId: stepRun.id,
			decision: 'edited',
			text: 'better',
			by: 'bob',
		});
		expect(edited).toMatchObject({
			status: 'scheduled',
			approval: 'edited',
			decidedBy: 'bob',
			text: 'better',
		});
		await expect(
			t.store.recordApproval({ stepRunId: stepRun.id, decision: 'discarded', by: 'eve' }),
		).rejects.toThrow(/already edited by bob; a decision cannot be changed/);
	});

	it('skips a discarded draft and moves on to the next step', async () => {
		await t.store.publishCadence({
			...prospecting,
			steps: [
				{ wait: { amount: 1, unit: 'days' }, instruction: 'Nudge', composeMode: 'aiAssisted' },
				{ wait: { amount: 2, unit: 'days' }, staticText: 'second' },
			],
		});
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(DAY);
		const { stepRun } = await claimOne('Prospecting');
		const discarded = await t.store.recordApproval({
			stepRunId: stepRun.id,
			decision: 'discarded',
		});
		expect(discarded.status).toBe('skipped');
		const enrollment = await t.store.getEnrollment(stepRun.enrollmentId);
		expect(enrollment).toMatchObject({ nextStep: 1, nextDueAt: clock.nowMs + 2 * DAY });
	});

	it('never fires a run-once step twice for the same contact, even after the chain restarts', async () => {
		await t.store.publishCadence({
			name: 'Once per chat',
			reply: { action: 'restart' },
			steps: [
				{ wait: { amount: 30, unit: 'minutes' }, staticText: 'check-in', runOnce: true },
				{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
			],
		});
		await t.store.enroll([{ cadence: 'Once per chat', contactKey: 'c', conversationKey: 's1' }]);
		clock.advance(30 * MINUTE);
		const first = await claimOne('Once per chat');
		expect(first.step.staticText).toBe('check-in');
		await t.store.markSent({ stepRunId: first.stepRun.id, text: 'check-in' });
		await t.store.recordInbound({ contactKey: 'c', conversationKey: 's1', text: 'hi' });
		const enrollment = await t.store.getEnrollment(first.enrollment.id);
		expect(enrollment).toMatchObject({ cycle: 2, nextStep: 1, nextDueAt: clock.nowMs + 2 * HOUR });
	});

	it('lets only one claim hand out a due step, and caps claims per cadence per hour', async () => {
		await t.store.publishCadence({ ...prospecting, limits: { perCadencePerHour: 3 } });
		await t.store.enroll(
			['a', 'b', 'c', 'd', 'e'].map((contactKey) => ({ cadence: 'Prospecting', contactKey })),
		);
		clock.advance(3 * DAY);
		expect((await t.store.claimDue({ cadence: 'Prospecting', limit: 2 })).length).toBe(2);
		expect((await t.store.claimDue({ cadence: 'Prospecting' })).length).toBe(1);
		expect((await t.store.claimDue({ cadence: 'Prospecting' })).length).toBe(0);
		clock.advance(HOUR + 1);
		expect((await t.store.claimDue({ cadence: 'Prospecting' })).length).toBe(2);
	});
});
