import { CadenceValidationError } from '../../engine/errors';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { VirtualClock } from '../support/virtual-clock';

/**
 * The one time-zone rule on the enrollment path, on both backends: a contact's zone written as a
 * fixed offset ("+01:00") is accepted, stored in its normal form and used for working hours;
 * a zone that is neither a name nor an offset is refused naming the field, and nothing is written.
 */
describe.each(BACKENDS)('enrollment time zones on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		// Monday 05:00 UTC: 06:00 at +01:00, 23:00 on Sunday in Chicago.
		clock = VirtualClock.at('2026-03-09T05:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence({
			...prospecting,
			steps: [{ wait: { amount: 0, unit: 'minutes' }, staticText: 'Hi' }],
			schedule: {
				timeZone: 'America/Chicago',
				timeZoneSource: 'recipient',
				workingHours: {
					monday: [{ from: '09:00', to: '17:00' }],
					tuesday: [{ from: '09:00', to: '17:00' }],
				},
			},
		});
	});
	afterEach(async () => t.dispose());

	it.each(['+01:00', 'UTC+1', 'GMT+01:00'])(
		'a contact at %s gets the first step at 09:00 at that offset, not in the cadence’s zone',
		async (timeZone) => {
			const [{ enrollment }] = await t.store.enroll([
				{ cadence: 'Prospecting', contactKey: 'c', timeZone },
			]);
			expect(enrollment).toMatchObject({ timeZone: 'UTC+1' });
			expect(new Date(enrollment!.nextDueAt!).toISOString()).toBe('2026-03-09T08:00:00.000Z');
			const stored = await t.store.getEnrollment(enrollment!.id);
			expect(stored).toMatchObject({ timeZone: 'UTC+1', nextDueAt: enrollment!.nextDueAt });
		},
	);

	it('refuses a zone that is neither a name nor an offset, naming the field, writing nothing', async () => {
		const attempt = t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c', timeZone: '+1h' }]);
		await expect(attempt).rejects.toThrow(CadenceValidationError);
		await expect(attempt).rejects.toThrow(/timeZone: use an IANA time zone name .* or an offset/);
		expect(await t.store.listEnrollments({ contactKey: 'c' })).toEqual([]);
	});
});
