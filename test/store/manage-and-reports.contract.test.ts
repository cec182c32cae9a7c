import { CadenceTransitionError } from '../../engine/errors';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, HOUR, VirtualClock } from '../support/virtual-clock';

describe.each(BACKENDS)('managing and reporting on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	const enrollOne = async (contactKey = 'c') =>
		(await t.store.enroll([{ cadence: 'Prospecting', contactKey }]))[0].enrollment!;

	it('pauses without end, holds the due step, and resumes at the next open time', async () => {
		const enrollment = await enrollOne();
		const paused = await t.store.pause({ enrollmentId: enrollment.id });
		expect(paused).toMatchObject({ state: 'paused', nextDueAt: null, pausedUntil: null });
		clock.advance(5 * DAY);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		const resumed = await t.store.resume({ enrollmentId: enrollment.id });
		// Overdue while paused: it goes out now, not at its old time.
		expect(resumed).toMatchObject({ state: 'active', nextDueAt: clock.nowMs });
		expect((await t.store.claimDue({ cadence: 'Prospecting' })).length).toBe(1);
	});

	it('pauses until a time and resumes by itself', async () => {
		const enrollment = await enrollOne();
		const until = clock.nowMs + 5 * DAY;
		expect(await t.store.pause({ enrollmentId: enrollment.id, until })).toMatchObject({
			state: 'paused',
			pausedUntil: until,
			nextDueAt: until,
		});
		clock.advance(5 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(claimed.enrollment.state).toBe('active');
	});

	it('keeps a paused enrollment paused when its in-flight step is confirmed', async () => {
		const enrollment = await enrollOne();
		clock.advance(3 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		await t.store.pause({ enrollmentId: enrollment.id });
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'x' });
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({
			state: 'paused',
			nextStep: 1,
			nextDueAt: null,
		});
		const resumed = await t.store.resume({ enrollmentId: enrollment.id });
		expect(resumed.nextDueAt).toBe(clock.nowMs + 3 * DAY);
	});

	it('holds a step claimed but unconfirmed when paused, and emits it again on the same run', async () => {
		const enrollment = await enrollOne();
		clock.advance(3 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		const until = clock.nowMs + DAY;
		const paused = await t.store.pause({ enrollmentId: enrollment.id, until });
		expect(paused).toMatchObject({ state: 'paused', nextDueAt: until });
		clock.advance(DAY);
		const [again] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(again.stepRun).toMatchObject({ id: claimed.stepRun.id, claims: 2 });
		await t.store.markSent({ stepRunId: again.stepRun.id, text: 'x' });
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({
			nextStep: 1,
			nextDueAt: clock.nowMs + 3 * DAY,
		});

		const other = await enrollOne('d');
		clock.advance(3 * DAY);
		const [inFlight] = (await t.store.claimDue({ cadence: 'Prospecting' })).filter(
			(c) => c.enrollment.id === other.id,
		);
		await t.store.pause({ enrollmentId: other.id });
		const resumed = await t.store.resume({ enrollmentId: other.id });
		expect(resumed.nextDueAt).toBe(clock.nowMs);
		const [reclaimed] = (await t.store.claimDue({ cadence: 'Prospecting' })).filter(
			(c) => c.enrollment.id === other.id,
		);
		expect(reclaimed.stepRun.id).toBe(inFlight.stepRun.id);
	});

	it('moves the chain on when a step waiting to be re-emitted is confirmed sent after all', async () => {
		const enrollment = await enrollOne();
		clock.advance(3 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		await t.store.deferStep({
			stepRunId: claimed.stepRun.id,
			until: clock.nowMs + HOUR,
			reason: 'later',
		});
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'went out anyway' });
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({
			nextStep: 1,
			nextDueAt: clock.nowMs + 3 * DAY,
		});
		clock.advance(HOUR);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
	});

	it('skips the waiting step, counting the next wait from now', async () => {
		const enrollment = await enrollOne();
		clock.advance(HOUR);
		const skipped = await t.store.skipStep({ enrollmentId: enrollment.id, reason: 'not relevant' });
		expect(skipped).toMatchObject({ nextStep: 1, nextDueAt: clock.nowMs + 3 * DAY });
		const last = await t.store.skipStep({ enrollmentId: enrollment.id });
		await t.store.skipStep({ enrollmentId: last.id });
		expect(await t.store.getEnrollment(enrollment.id)).toMatchObject({
			state: 'completed',
			nextStep: 3,
		});
	});

	it('cancels, and refuses to manage an enrollment that has ended', async () => {
		const enrollment = await enrollOne();
		clock.advance(3 * DAY);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		const cancelled = await t.store.cancel({ enrollmentId: enrollment.id, reason: 'deal lost' });
		expect(cancelled).toMatchObject({ state: 'exited', exitReason: 'cancelled' });
		expect((await t.store.getStepRuns(enrollment.id))[0]).toMatchObject({
			id: claimed.stepRun.id,
			status: 'skipped',
		});
		await expect(t.store.resume({ enrollmentId: enrollment.id })).rejects.toThrow(
			CadenceTransitionError,
		);
		await expect(t.store.pause({ enrollmentId: enrollment.id })).rejects.toThrow(
			/has ended \(exited\)/,
		);
	});

	it('records an exit decided by a rule (Exit Check) with its reason', async () => {
		const enrollment = await enrollOne();
		const exited = await t.store.exit({
			enrollmentId: enrollment.id,
			exitReason: 'condition',
			reason: 'invoice paid',
		});
		expect(exited).toMatchObject({ state: 'exited', exitReason: 'condition' });
		const last = (await t.store.getTimeline(enrollment.id)).at(-1);
		expect(last).toMatchObject({
			type: 'exited',
			detail: { reason: 'condition', note: 'invoice paid' },
		});
	});

	it('lists and searches enrollments by cadence, state, contact, agent and free text', async () => {
		await t.store.publishCadence({ ...prospecting, name: 'Billing' });
		await t.store.enroll([
			{
				cadence: 'Prospecting',
				contactKey: '+15550001',
				contactName: 'Michael Scott',
				agent: 'Alexey',
			},
			{
				cadence: 'Prospecting',
				contactKey: '+15550002',
				contactName: 'Pam',
				agent: 'Dwight',
				variables: { company: 'Dunder Mifflin' },
			},
			{ cadence: 'Billing', contactKey: '+15550003', contactName: 'Jim', agent: 'Alexey' },
		]);
		const names = async (filter: Parameters<typeof t.store.listEnrollments>[0]) =>
			(await t.store.listEnrollments(filter)).map((e) => e.contactName).sort();
		expect(await names({ search: 'michael' })).toEqual(['Michael Scott']);
		expect(await names({ search: 'alexey' })).toEqual(['Jim', 'Michael Scott']);
		expect(await names({ search: 'billing' })).toEqual(['Jim']);
		expect(await names({ search: 'dunder' })).toEqual(['Pam']);
		expect(await names({ agent: 'dwight' })).toEqual(['Pam']);
		expect(await names({ cadence: 'Prospecting', state: 'active' })).toEqual([
			'Michael Scott',
			'Pam',
		]);
		expect(await names({ contactKey: '+15550003' })).toEqual(['Jim']);
		expect((await t.store.listEnrollments({ limit: 1, offset: 1 })).length).toBe(1);
	});

	it('reports the funnel by cadence, step and compose mode, and the distribution by state', async () => {
		const [a, b, c] = await t.store.enroll(
			['a', 'b', 'c'].map((contactKey) => ({ cadence: 'Prospecting', contactKey })),
		);
		clock.advance(3 * DAY);
		const claimed = await t.store.claimDue({ cadence: 'Prospecting' });
		const run = (contact: string) =>
			claimed.find((x) => x.enrollment.contactKey === contact)!.stepRun.id;
		await t.store.markSent({ stepRunId: run('a'), text: 'x' });
		await t.store.setStepStatus({ stepRunId: run('a'), status: 'delivered' });
		await t.store.markSent({ stepRunId: run('b'), text: 'x' });
		await t.store.recordInbound({ contactKey: 'b', text: 'yes!' });
		await t.store.setStepStatus({ stepRunId: run('c'), status: 'failed' });
		const [row] = await t.store.funnel({ cadence: 'Prospecting' });
		expect(row).toMatchObject({
			cadenceName: 'Prospecting',
			stepIndex: 0,
			composeMode: 'static',
			total: 3,
		});
		expect(row.counts).toMatchObject({ delivered: 1, replied: 1, failed: 1, sent: 0, pending: 0 });
		const states = await t.store.stateDistribution();
		expect(states.map((s) => [s.state, s.count])).toEqual([
			['active', 1],
			['exited', 1],
			['failed', 1],
		]);
		expect(a.enrollment && b.enrollment && c.enrollment).toBeTruthy();
		expect(await t.store.countSentToContact('a', clock.nowMs - DAY)).toBe(1);
	});

	it('reads the conversation history oldest first, limited to the most recent messages', async () => {
		for (let i = 1; i <= 5; i++) {
			clock.advance(HOUR);
			await t.store.recordOutbound({
				contactKey: 'c',
				conversationKey: 'chat',
				text: `agent ${i}`,
			});
		}
		await t.store.recordInbound({ contactKey: 'c', conversationKey: 'other', text: 'elsewhere' });
		const recent = await t.store.getConversation({
			contactKey: 'c',
			conversationKey: 'chat',
			limit: 3,
		});
		expect(recent.map((m) => m.text)).toEqual(['agent 3', 'agent 4', 'agent 5']);
		expect((await t.store.getConversation({ contactKey: 'c' })).length).toBe(6);
	});
});
