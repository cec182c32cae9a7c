import { isOpen, nextOpenTime } from '../../../engine/timing';
import { at, CHICAGO, context, hours } from './helpers';

const QUIET_NIGHTS = context({ timeZone: CHICAGO, quietHours: { from: '21:00', to: '08:00' } });
const QUIET = 'deferred: quiet hours 21:00–08:00 in America/Chicago';

describe('quiet hours that wrap midnight', () => {
	it('late evening waits for 08:00 the next morning', () => {
		expect(nextOpenTime(at('2026-06-09T22:30', CHICAGO), QUIET_NIGHTS)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: QUIET,
		});
	});

	it('early morning waits for 08:00 the same day', () => {
		expect(nextOpenTime(at('2026-06-10T03:00', CHICAGO), QUIET_NIGHTS)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: QUIET,
		});
	});

	it('the boundaries: 20:59 and 08:00 are open, 21:00 and 07:59 are not', () => {
		expect(isOpen(at('2026-06-09T20:59', CHICAGO), QUIET_NIGHTS)).toBe(true);
		expect(isOpen(at('2026-06-09T21:00', CHICAGO), QUIET_NIGHTS)).toBe(false);
		expect(isOpen(at('2026-06-10T07:59', CHICAGO), QUIET_NIGHTS)).toBe(false);
		expect(isOpen(at('2026-06-10T08:00', CHICAGO), QUIET_NIGHTS)).toBe(true);
	});

	it('weekends are open when there are no working hours', () => {
		const saturdayNoon = at('2026-06-13T12:00', CHICAGO);
		expect(nextOpenTime(saturdayNoon, QUIET_NIGHTS)).toEqual({ at: saturdayNoon, reason: null });
	});
});

describe('quiet hours inside the day', () => {
	it('a midday quiet hour defers to its end', () => {
		const lunch = context({ timeZone: 'UTC', quietHours: { from: '12:00', to: '13:00' } });
		expect(nextOpenTime(at('2026-06-09T12:15', 'UTC'), lunch)).toEqual({
			at: at('2026-06-09T13:00', 'UTC'),
			reason: 'deferred: quiet hours 12:00–13:00 in UTC',
		});
	});

	it('equal from and to means no quiet time', () => {
		const none = context({ timeZone: 'UTC', quietHours: { from: '09:00', to: '09:00' } });
		expect(isOpen(at('2026-06-09T09:00', 'UTC'), none)).toBe(true);
	});
});

describe('quiet hours on top of working hours: both must allow', () => {
	const longDay = context({
		timeZone: CHICAGO,
		workingHours: hours('07:00', '22:00'),
		quietHours: { from: '21:00', to: '08:00' },
	});

	it('inside working hours but in quiet hours is closed, and the reason is quiet hours', () => {
		expect(nextOpenTime(at('2026-06-09T21:30', CHICAGO), longDay)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: QUIET,
		});
	});

	it('working hours that start inside quiet hours open when the quiet hours end', () => {
		expect(nextOpenTime(at('2026-06-10T07:00', CHICAGO), longDay)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: QUIET,
		});
	});

	it('outside working hours is reported as such even during quiet hours', () => {
		expect(nextOpenTime(at('2026-06-10T05:00', CHICAGO), longDay)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: 'deferred: outside working hours (Mon–Sun 07:00–22:00, America/Chicago)',
		});
	});
});
