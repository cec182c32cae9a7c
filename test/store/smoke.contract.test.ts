import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { HOUR, VirtualClock } from '../support/virtual-clock';

describe.each(BACKENDS)('smoke on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	it('enrolls, claims, sends and completes', async () => {
		await t.store.publishCadence({
			name: 'Smoke',
			steps: [
				{ wait: { amount: 4, unit: 'hours' }, staticText: 'one' },
				{ wait: { amount: 24, unit: 'hours' }, staticText: 'two' },
			],
		});
		const [result] = await t.store.enroll([{ cadence: 'Smoke', contactKey: 'c1' }]);
		expect(result.outcome).toBe('enrolled');
		expect(result.enrollment!.nextDueAt).toBe(clock.nowMs + 4 * HOUR);
		expect(await t.store.claimDue({ cadence: 'Smoke' })).toEqual([]);
		clock.advance(4 * HOUR);
		const [claimed] = await t.store.claimDue({ cadence: 'Smoke' });
		expect(claimed.step.staticText).toBe('one');
		expect(claimed.stepRun.idempotencyKey).toBe(`${result.enrollment!.id}-0-1`);
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'one' });
		const after = await t.store.getEnrollment(result.enrollment!.id);
		expect(after!.nextDueAt).toBe(clock.nowMs + 24 * HOUR);
		clock.advance(24 * HOUR);
		const [second] = await t.store.claimDue({ cadence: 'Smoke' });
		await t.store.markSent({ stepRunId: second.stepRun.id, text: 'two' });
		expect((await t.store.getEnrollment(result.enrollment!.id))!.state).toBe('completed');
		const types = (await t.store.getTimeline(result.enrollment!.id)).map((e) => e.type);
		expect(types).toEqual(['enrolled', 'claimed', 'sent', 'claimed', 'sent', 'completed']);
	});
});
