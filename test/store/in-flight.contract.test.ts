import { CadenceValidationError } from '../../engine/errors';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, MINUTE, VirtualClock } from '../support/virtual-clock';

/**
 * Steps in flight after a crash, a removed package, or an approval nobody answered: every step
 * claimed either gets sent, ends, or is reported — never left where nothing moves it on.
 */
describe.each(BACKENDS)('steps in flight on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	const check = (olderThanMs = 15 * MINUTE, alerts = true) =>
		t.store.checkInFlight({ cadence: 'Prospecting', olderThanMs, alerts });

	async function claimed(contactKey = 'c') {
		await t.store.enroll([{ cadence: 'Prospecting', contactKey }]);
		clock.advance(3 * DAY);
		const [step] = await t.store.claimDue({ cadence: 'Prospecting' });
		return step;
	}

	async function eventTypes(enrollmentId: number) {
		return (await t.store.getTimeline(enrollmentId)).map((e) => e.type);
	}

	it('emits a step again, same key, when its execution ended before handing it to the send path', async () => {
		const { stepRun } = await claimed();
		clock.advance(10 * MINUTE);
		expect((await check()).requeued).toEqual([]);
		clock.advance(6 * MINUTE);
		const report = await check();
		expect(report.requeued.map((r) => r.id)).toEqual([stepRun.id]);
		expect(report.stuck).toEqual([]);
		const [again] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(again.stepRun).toMatchObject({
			id: stepRun.id,
			idempotencyKey: stepRun.idempotencyKey,
			claims: 2,
			handedAt: null,
		});
		expect(await eventTypes(stepRun.enrollmentId)).toEqual([
			'enrolled',
			'claimed',
			'requeued',
			'claimed',
		]);
	});

	it('reports a handed-over step that was never confirmed as stuck, once, and never resends it', async () => {
		const { stepRun } = await claimed();
		clock.advance(MINUTE);
		expect(await t.store.handOff({ stepRunId: stepRun.id, claimedAt: stepRun.claimedAt })).toBe(
			true,
		);
		clock.advance(15 * MINUTE);
		const report = await check();
		expect(report.requeued).toEqual([]);
		expect(report.stuck.map((s) => s.stepRun.id)).toEqual([stepRun.id]);
		expect((await check()).stuck).toEqual([]);
		clock.advance(DAY);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		expect((await eventTypes(stepRun.enrollmentId)).filter((e) => e === 'stuck')).toHaveLength(1);
	});

	it('reports every unconfirmed step stuck, and emits none again, in a flow that records no hand-off', async () => {
		const { stepRun } = await claimed();
		clock.advance(16 * MINUTE);
		const report = await t.store.checkInFlight({
			cadence: 'Prospecting',
			olderThanMs: 15 * MINUTE,
			handOffInFlow: false,
		});
		expect(report.requeued).toEqual([]);
		expect(report.stuck.map((s) => s.stepRun.id)).toEqual([stepRun.id]);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
	});

	it('refuses the hand-off of an item whose step was emitted again since its claim', async () => {
		const { stepRun } = await claimed();
		clock.advance(16 * MINUTE);
		await check();
		// The first execution was only slow: it must not send what is now due again.
		expect(await t.store.handOff({ stepRunId: stepRun.id, claimedAt: stepRun.claimedAt })).toBe(
			false,
		);
		const [again] = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(await t.store.handOff({ stepRunId: stepRun.id, claimedAt: stepRun.claimedAt })).toBe(
			false,
		);
		expect(
			await t.store.handOff({ stepRunId: stepRun.id, claimedAt: again.stepRun.claimedAt }),
		).toBe(true);
	});

	it('keeps every stuck alert pending until it is confirmed delivered', async () => {
		const { stepRun } = await claimed();
		await t.store.handOff({ stepRunId: stepRun.id });
		clock.advance(16 * MINUTE);
		const first = await check();
		expect(first.alerts.map((a) => a.stepRun.id)).toEqual([stepRun.id]);
		// A crash before the alert's execution ran: the next check (any process) still has it.
		clock.advance(MINUTE);
		const second = await check();
		expect(second.stuck).toEqual([]);
		expect(second.alerts.map((a) => a.stepRun.id)).toEqual([stepRun.id]);
		const { stuckAt } = second.alerts[0].stepRun;
		expect(await t.store.markAlertsDelivered([{ stepRunId: stepRun.id, stuckAt: stuckAt! }])).toBe(
			1,
		);
		expect((await check()).alerts).toEqual([]);
	});

	it('needs no alert delivered for steps stuck while alerts are off', async () => {
		const { stepRun } = await claimed();
		await t.store.handOff({ stepRunId: stepRun.id });
		clock.advance(16 * MINUTE);
		expect((await check(15 * MINUTE, false)).stuck).toHaveLength(1);
		expect((await check()).alerts).toEqual([]);
	});

	describe('approval time limits', () => {
		async function awaiting(onTimeout: 'escalate' | 'sendDraft' | 'sendStatic' | 'skip') {
			const { stepRun } = await claimed();
			await t.store.recordDraft({ stepRunId: stepRun.id, text: 'Draft', awaitingApproval: true });
			expect(
				await t.store.setApprovalDeadline({
					stepRunId: stepRun.id,
					deadline: clock.nowMs + 2 * DAY,
					onTimeout,
				}),
			).toBe(true);
			return stepRun;
		}

		it('leaves a draft alone until its time limit', async () => {
			const stepRun = await awaiting('escalate');
			clock.advance(2 * DAY - MINUTE);
			expect(await check()).toEqual({ requeued: [], timedOut: [], stuck: [], alerts: [] });
			expect((await t.store.getStepRun({ stepRunId: stepRun.id })).approval).toBe('awaiting');
		});

		it('skip: the step is skipped and the next one scheduled', async () => {
			const stepRun = await awaiting('skip');
			clock.advance(2 * DAY + MINUTE);
			const report = await check();
			expect(report.timedOut.map((x) => [x.stepRun.id, x.policy])).toEqual([[stepRun.id, 'skip']]);
			expect(await t.store.getStepRun({ stepRunId: stepRun.id })).toMatchObject({
				status: 'skipped',
				approval: 'timedOut',
				decidedBy: 'time limit',
			});
			const enrollment = (await t.store.getEnrollment(stepRun.enrollmentId))!;
			expect(enrollment).toMatchObject({ state: 'active', nextStep: 1 });
			expect(enrollment.nextDueAt).toBe(clock.nowMs + 3 * DAY);
			expect(await eventTypes(stepRun.enrollmentId)).toContain('timedOut');
			const funnel = await t.store.funnel({ cadence: 'Prospecting' });
			expect(JSON.stringify(funnel)).toMatch(/skipped/);
		});

		it('send draft or static: handed to the send path, and stuck if the send is never confirmed', async () => {
			for (const policy of ['sendDraft', 'sendStatic'] as const) {
				const stepRun = await awaiting(policy);
				const deadline = clock.nowMs + 2 * DAY;
				clock.advance(2 * DAY + MINUTE);
				expect((await check()).timedOut.map((x) => x.policy)).toEqual([policy]);
				expect(await t.store.getStepRun({ stepRunId: stepRun.id })).toMatchObject({
					status: 'scheduled',
					approval: 'timedOut',
					handedAt: deadline,
				});
				// The resumed execution sends it and confirms: the chain moves on as usual.
				if (policy === 'sendDraft') {
					await t.store.markSent({ stepRunId: stepRun.id });
					clock.advance(20 * MINUTE);
					expect((await check()).stuck).toEqual([]);
					await t.store.cancel({ enrollmentId: stepRun.enrollmentId });
				} else {
					clock.advance(20 * MINUTE);
					expect((await check()).stuck.map((s) => s.stepRun.id)).toEqual([stepRun.id]);
				}
			}
		});

		it('escalate: reported stuck at once, so someone is alerted, and nothing is sent', async () => {
			const stepRun = await awaiting('escalate');
			clock.advance(2 * DAY + MINUTE);
			const report = await check();
			expect(report.timedOut.map((x) => x.policy)).toEqual(['escalate']);
			expect(report.alerts.map((a) => a.stepRun)).toEqual([
				expect.objectContaining({ id: stepRun.id, approval: 'timedOut', status: 'pending' }),
			]);
			expect(await eventTypes(stepRun.enrollmentId)).toEqual(
				expect.arrayContaining(['draftPending', 'timedOut', 'stuck']),
			);
			clock.advance(DAY);
			expect(await check()).toMatchObject({ requeued: [], timedOut: [], stuck: [] });
			expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		});

		it('reports a draft awaiting approval with no time limit running', async () => {
			const { stepRun } = await claimed();
			await t.store.recordDraft({ stepRunId: stepRun.id, text: 'Draft', awaitingApproval: true });
			clock.advance(16 * MINUTE);
			expect((await check()).stuck.map((s) => s.stepRun.id)).toEqual([stepRun.id]);
		});

		it('refuses a time limit with an unknown policy, naming it', async () => {
			const { stepRun } = await claimed();
			await expect(
				t.store.setApprovalDeadline({
					stepRunId: stepRun.id,
					deadline: clock.nowMs,
					onTimeout: 'later' as 'skip',
				}),
			).rejects.toThrow(CadenceValidationError);
			await expect(
				t.store.setApprovalDeadline({
					stepRunId: stepRun.id,
					deadline: clock.nowMs,
					onTimeout: 'later' as 'skip',
				}),
			).rejects.toThrow(/onTimeout/);
		});
	});
});
