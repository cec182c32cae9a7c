import { DateTime } from 'luxon';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { VirtualClock } from '../support/virtual-clock';

/**
 * What a reply does, on both backends: a pause goes through the timing engine's wait rule (one
 * rule for every wait), and "the goal is reached" (keywords or the user's goal phrases) ends a
 * cadence that exits on its goal, with reason "goal".
 */
describe.each(BACKENDS)('reply semantics on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		// A Friday, 10:00 in Berlin.
		clock = VirtualClock.at('2026-03-06T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	const pausing = (holidays: string[] = []) => ({
		...prospecting,
		reply: { action: 'pause' as const, pauseFor: { amount: 1, unit: 'businessDays' as const } },
		schedule: { timeZone: 'Europe/Berlin', holidays },
	});
	const berlin = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Berlin' }).toMillis();

	it('a pause of 1 business day set on a Friday resumes on Monday, not Saturday', async () => {
		await t.store.publishCadence(pausing());
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'busy' });
		expect(effects[0]).toMatchObject({
			action: 'pause',
			state: 'paused',
			nextDueAt: berlin('2026-03-09T10:00'),
		});
	});

	it('skips the cadence’s holidays too: Friday + 1 business day over a Monday holiday is Tuesday', async () => {
		await t.store.publishCadence(pausing(['2026-03-09']));
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'busy' });
		expect(effects[0].nextDueAt).toBe(berlin('2026-03-10T10:00'));
	});

	it('a manual pause until Saturday resumes at the next open minute, Monday 09:00, saying why', async () => {
		await t.store.publishCadence({
			...prospecting,
			schedule: {
				timeZone: 'Europe/Berlin',
				workingHours: {
					monday: [{ from: '09:00', to: '17:00' }],
					friday: [{ from: '09:00', to: '17:00' }],
				},
			},
		});
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const paused = await t.store.pause({
			enrollmentId: enrollment!.id,
			until: berlin('2026-03-14T10:00'),
		});
		expect(paused).toMatchObject({ state: 'paused', nextDueAt: berlin('2026-03-16T09:00') });
		expect(paused.nextReason).toBe('deferred: closed on Saturday in Europe/Berlin');
	});

	it('"the goal is reached" ends the cadence with reason goal, not replied', async () => {
		await t.store.publishCadence({ ...prospecting, reply: { action: 'restart' } });
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'just paid',
			action: 'goal',
		});
		expect(effects[0]).toMatchObject({ action: 'goal', state: 'exited', nextDueAt: null });
		expect(await t.store.getEnrollment(enrollment!.id)).toMatchObject({
			state: 'exited',
			exitReason: 'goal',
		});
	});

	it('a cadence that does not exit on its goal applies its own reply policy instead', async () => {
		await t.store.publishCadence({
			...prospecting,
			reply: { action: 'restart' },
			exitOn: { goal: false },
		});
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const { effects } = await t.store.recordInbound({
			contactKey: 'c',
			text: 'just paid',
			action: 'goal',
		});
		expect(effects[0]).toMatchObject({ action: 'restart', state: 'active' });
	});
});
