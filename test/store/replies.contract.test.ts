import { DateTime } from 'luxon';
import { inactivityChain, prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

describe.each(BACKENDS)('replies and signals on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	async function sendFirstStep(cadence: string, after: number) {
		clock.advance(after);
		const [claimed] = await t.store.claimDue({ cadence });
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'follow-up 1' });
		return claimed;
	}

	it('exits on reply by default, marks the last follow-up replied, and cancels the rest', async () => {
		await t.store.publishCadence(prospecting);
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const claimed = await sendFirstStep('Prospecting', 3 * DAY);
		clock.advance(HOUR);
		const { message, effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'Thanks, not now',
		});
		expect(message).toMatchObject({
			direction: 'inbound',
			author: 'contact',
			text: 'Thanks, not now',
		});
		expect(effects).toEqual([
			{
				enrollmentId: enrollment!.id,
				cadenceName: 'Prospecting',
				action: 'exit',
				state: 'exited',
				nextDueAt: null,
			},
		]);
		const after = await t.store.getEnrollment(enrollment!.id);
		expect(after).toMatchObject({
			state: 'exited',
			exitReason: 'replied',
			lastInboundAt: clock.nowMs,
		});
		expect((await t.store.getStepRuns(enrollment!.id))[0]).toMatchObject({
			id: claimed.stepRun.id,
			status: 'replied',
		});
		clock.advance(30 * DAY);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
	});

	it('restarts the chain at the next silence when the policy is restart', async () => {
		await t.store.publishCadence(inactivityChain);
		const [{ enrollment }] = await t.store.enroll([
			{ cadence: inactivityChain.name, contactKey: 'c' },
		]);
		await sendFirstStep(inactivityChain.name, 4 * HOUR);
		clock.advance(HOUR);
		const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'I am back' });
		expect(effects[0]).toMatchObject({
			action: 'restart',
			state: 'active',
			nextDueAt: clock.nowMs + 4 * HOUR,
		});
		// The agent answers; the clock of a chain that starts at the last agent message follows it.
		clock.advance(10 * MINUTE);
		await t.store.recordOutbound({ contactKey: 'c', text: 'Great, how can I help?' });
		const after = await t.store.getEnrollment(enrollment!.id);
		expect(after).toMatchObject({
			cycle: 2,
			nextStep: 0,
			anchorAt: clock.nowMs,
			nextDueAt: clock.nowMs + 4 * HOUR,
		});
		const types = (await t.store.getTimeline(enrollment!.id)).map((e) => e.type);
		expect(types).toEqual(['enrolled', 'claimed', 'sent', 'replied', 'restarted', 'reanchored']);
		const history = await t.store.getConversation({ contactKey: 'c' });
		expect(history.map((m) => m.author)).toEqual(['followUp', 'contact', 'agent']);
	});

	it('pauses until a given time ("call me tomorrow at 3") and then continues', async () => {
		await t.store.publishCadence(prospecting);
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		await sendFirstStep('Prospecting', 3 * DAY);
		const threePm = DateTime.fromISO('2026-03-06T15:00:00', { zone: 'Europe/Berlin' }).toMillis();
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'call me tomorrow at 3',
			action: 'pause',
			pauseUntil: threePm,
		});
		expect(effects[0]).toMatchObject({ action: 'pause', state: 'paused', nextDueAt: threePm });
		clock.set(new Date(threePm - 1).toISOString());
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		clock.set(new Date(threePm).toISOString());
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(claimed.enrollment).toMatchObject({ id: enrollment!.id, state: 'active', nextStep: 1 });
	});

	it('pauses for the cadence’s default duration when no time is given', async () => {
		await t.store.publishCadence({
			...prospecting,
			reply: { action: 'pause', pauseFor: { amount: 2, unit: 'days' } },
		});
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'busy' });
		expect(effects[0]).toMatchObject({
			action: 'pause',
			state: 'paused',
			nextDueAt: clock.nowMs + 2 * DAY,
		});
	});

	it('ignores auto-replies but records them', async () => {
		await t.store.publishCadence(prospecting);
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'Out of office',
			action: 'ignore',
		});
		expect(effects[0]).toMatchObject({
			action: 'ignore',
			state: 'active',
			nextDueAt: enrollment!.nextDueAt,
		});
	});

	it('opts a contact out of every cadence, for good', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.publishCadence({ ...prospecting, name: 'Other' });
		await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'c' },
			{ cadence: 'Other', contactKey: 'c', conversationKey: 'x' },
			{ cadence: 'Other', contactKey: 'someone else' },
		]);
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'STOP',
			action: 'optOut',
		});
		expect(effects.map((e) => [e.cadenceName, e.state])).toEqual([
			['Prospecting', 'exited'],
			['Other', 'exited'],
		]);
		expect(
			(await t.store.listEnrollments({ state: 'exited' })).every(
				(e) => e.exitReason === 'optedOut',
			),
		).toBe(true);
		expect((await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]))[0].outcome).toBe(
			'suppressed',
		);
		expect((await t.store.listEnrollments({ state: 'active' })).map((e) => e.contactKey)).toEqual([
			'someone else',
		]);
	});

	it('applies a reply only to the contact’s enrollments in that conversation (or without one)', async () => {
		await t.store.publishCadence(prospecting);
		const results = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'c', conversationKey: 'chat-1' },
			{ cadence: 'Prospecting', contactKey: 'c', conversationKey: 'chat-2' },
		]);
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			conversationKey: 'chat-2',
			text: 'hi',
		});
		expect(effects.map((e) => e.enrollmentId)).toEqual([results[1].enrollment!.id]);
	});

	it('exits on goal by target or contact, and on resolution, when the cadence says so', async () => {
		await t.store.publishCadence({ ...prospecting, name: 'Billing' });
		await t.store.publishCadence({
			...prospecting,
			name: 'No goal exit',
			exitOn: { goal: false, resolved: false },
		});
		const results = await t.store.enroll([
			{ cadence: 'Billing', contactKey: 'c', target: { type: 'charge', id: 'ch_1' } },
			{ cadence: 'Billing', contactKey: 'd', conversationKey: 'chat' },
			{ cadence: 'No goal exit', contactKey: 'c', target: { type: 'charge', id: 'ch_1' } },
		]);
		const paid = await t.store.recordGoal({ target: { type: 'charge', id: 'ch_1' }, note: 'paid' });
		expect(paid.exited).toEqual([results[0].enrollment!.id]);
		expect((await t.store.getEnrollment(results[0].enrollment!.id))!.exitReason).toBe('goal');
		const resolved = await t.store.markResolved({ contactKey: 'd', conversationKey: 'chat' });
		expect(resolved.exited).toEqual([results[1].enrollment!.id]);
		expect((await t.store.getEnrollment(results[2].enrollment!.id))!.state).toBe('active');
	});

	it('records a send confirmed after the contact replied without restarting the chain', async () => {
		await t.store.publishCadence(prospecting);
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		clock.advance(3 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		await t.store.recordInbound({ contactKey: 'c', text: 'reply wins' });
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'raced' });
		expect(await t.store.getEnrollment(enrollment!.id)).toMatchObject({
			state: 'exited',
			nextDueAt: null,
		});
	});
});
