import { DateTime } from 'luxon';
import { timeZoneSchema } from '../../../engine/cadence/definition';
import {
	addWait,
	isValidTimeZone,
	nextOpenTime,
	normalizeTimeZone,
	resolveTimeZone,
} from '../../../engine/timing';
import { at, CHICAGO, context, hours, MONDAY_TO_FRIDAY } from './helpers';

/**
 * One time-zone rule: a fixed UTC offset ("+01:00", "UTC+1") is accepted wherever a zone is
 * written and then used, the same way, by every timing function; anything else is rejected.
 */
describe('normalizeTimeZone', () => {
	it.each([
		['Europe/Berlin', 'Europe/Berlin'],
		['  America/New_York ', 'America/New_York'],
		['UTC', 'UTC'],
		['Etc/GMT-1', 'Etc/GMT-1'],
		['+01:00', 'UTC+1'],
		['+0100', 'UTC+1'],
		['+1', 'UTC+1'],
		['UTC+1', 'UTC+1'],
		['utc+01:00', 'UTC+1'],
		['GMT+1', 'UTC+1'],
		['-03:30', 'UTC-3:30'],
		['+05:45', 'UTC+5:45'],
		['+14:00', 'UTC+14'],
		['+00:00', 'UTC'],
		['-00:00', 'UTC'],
	])('%j → %j', (written, zone) => {
		expect(normalizeTimeZone(written)).toBe(zone);
		expect(isValidTimeZone(written)).toBe(true);
		expect(timeZoneSchema.parse(written)).toBe(zone);
	});

	it.each(['', 'Berlin', 'Mars/Olympus_Mons', '+15:00', '+01:60', '01:00', 'CET+1', '1+'])(
		'%j is not a time zone, and the schema says how to write one',
		(written) => {
			expect(normalizeTimeZone(written)).toBeNull();
			const parsed = timeZoneSchema.safeParse(written);
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0].message).toMatch(/IANA time zone name .* or an offset/);
		},
	);
});

describe('a fixed offset drives the timing exactly like a zone name', () => {
	const office = {
		timeZone: CHICAGO,
		timeZoneSource: 'recipient' as const,
		workingHours: hours('09:00', '17:00', MONDAY_TO_FRIDAY),
	};

	it.each(['+01:00', 'UTC+1'])('a recipient at %s is resolved, not ignored', (written) => {
		expect(resolveTimeZone(context(office, written))).toBe('UTC+1');
	});

	it('working hours open at 09:00 at the offset (08:00 UTC), all year, with no DST', () => {
		for (const day of ['2026-01-14', '2026-07-15']) {
			const early = at(`${day}T06:00`, 'UTC');
			expect(new Date(nextOpenTime(early, context(office, '+01:00')).at).toISOString()).toBe(
				`${day}T08:00:00.000Z`,
			);
		}
	});

	it('business days count weekdays at the offset: Friday 23:30 UTC is already Saturday at +01:00', () => {
		const fridayNightUtc = at('2026-03-06T23:30', 'UTC');
		const ctx = context({ ...office, workingHours: null }, '+01:00');
		const end = addWait(fridayNightUtc, { amount: 1, unit: 'businessDays' }, ctx);
		expect(DateTime.fromMillis(end, { zone: 'UTC+1' }).toFormat('ccc HH:mm')).toBe('Mon 00:30');
	});

	it('a cadence whose own zone is an offset works too', () => {
		const ctx = context({ ...office, timeZone: '-03:00', timeZoneSource: 'cadence' }, null);
		const monday = at('2026-03-09T10:00', 'UTC');
		expect(new Date(nextOpenTime(monday, ctx).at).toISOString()).toBe('2026-03-09T12:00:00.000Z');
	});
});
