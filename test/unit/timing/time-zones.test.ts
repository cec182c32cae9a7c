import { isOpen, nextOpenTime, resolveTimeZone } from '../../../engine/timing';
import { at, BERLIN, CHICAGO, context, hours, MONDAY_TO_FRIDAY, schedule } from './helpers';

describe('resolveTimeZone', () => {
	it('uses the cadence zone when the source is the cadence, whatever the contact has', () => {
		expect(resolveTimeZone(context({ timeZone: CHICAGO }, BERLIN))).toBe(CHICAGO);
	});

	it("uses the recipient's zone when the source is the recipient", () => {
		const ctx = context({ timeZone: CHICAGO, timeZoneSource: 'recipient' }, ' Europe/Berlin ');
		expect(resolveTimeZone(ctx)).toBe(BERLIN);
	});

	it.each([null, undefined, '', 'Mars/Olympus_Mons', '+25:00', 'CET+1'])(
		'falls back to the cadence zone when the recipient zone is %p',
		(recipientZone) => {
			const ctx = context({ timeZone: CHICAGO, timeZoneSource: 'recipient' }, recipientZone);
			expect(resolveTimeZone(ctx)).toBe(CHICAGO);
		},
	);

	it('rejects a cadence zone that slipped past validation with a fixable message', () => {
		const broken = { ...schedule(), timeZone: 'Nowhere/Special' };
		expect(() => resolveTimeZone({ schedule: broken })).toThrow(/not a known time zone/);
	});
});

describe('working hours in the recipient zone vs the cadence zone', () => {
	const input = {
		timeZone: CHICAGO,
		timeZoneSource: 'recipient' as const,
		workingHours: hours('08:00', '17:00', MONDAY_TO_FRIDAY),
	};
	// Wednesday 09:00 in Berlin is 02:00 in Chicago.
	const berlinMorning = at('2026-06-10T09:00', BERLIN);

	it('a contact in Berlin gets the message in Berlin office hours', () => {
		expect(isOpen(berlinMorning, context(input, BERLIN))).toBe(true);
	});

	it('without a usable recipient zone the Chicago hours apply, and the reason says Chicago', () => {
		for (const fallback of [context(input, 'Not/AZone'), context(input, null)]) {
			expect(nextOpenTime(berlinMorning, fallback)).toEqual({
				at: at('2026-06-10T08:00', CHICAGO),
				reason: 'deferred: outside working hours (Mon–Fri 08:00–17:00, America/Chicago)',
			});
		}
	});

	it('a deferral in the recipient zone names that zone', () => {
		const berlinEvening = at('2026-06-10T18:00', BERLIN);
		expect(nextOpenTime(berlinEvening, context(input, BERLIN))).toEqual({
			at: at('2026-06-11T08:00', BERLIN),
			reason: 'deferred: outside working hours (Mon–Fri 08:00–17:00, Europe/Berlin)',
		});
	});
});
