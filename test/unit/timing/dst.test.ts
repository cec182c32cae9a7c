import { computeSendTime, isOpen, nextOpenTime } from '../../../engine/timing';
import { at, BERLIN, context, hours, NEW_YORK, utc } from './helpers';

/** Every day 08:00–17:00: the changes fall on Sundays, so the window must exist on Sundays. */
const officeIn = (zone: string) =>
	context({ timeZone: zone, workingHours: hours('08:00', '17:00') });

const CHANGE_DAYS = [
	{ change: 'New York spring', zone: NEW_YORK, day: '2026-03-08', dayBefore: '2026-03-07' },
	{ change: 'New York autumn', zone: NEW_YORK, day: '2026-11-01', dayBefore: '2026-10-31' },
	{ change: 'Berlin spring', zone: BERLIN, day: '2026-03-29', dayBefore: '2026-03-28' },
	{ change: 'Berlin autumn', zone: BERLIN, day: '2026-10-25', dayBefore: '2026-10-24' },
];
const OPENS_AT_UTC: Record<string, [changeDay: string, dayBefore: string]> = {
	'New York spring': ['2026-03-08T12:00:00.000Z', '2026-03-07T13:00:00.000Z'], // EDT / EST
	'New York autumn': ['2026-11-01T13:00:00.000Z', '2026-10-31T12:00:00.000Z'], // EST / EDT
	'Berlin spring': ['2026-03-29T06:00:00.000Z', '2026-03-28T07:00:00.000Z'], // CEST / CET
	'Berlin autumn': ['2026-10-25T07:00:00.000Z', '2026-10-24T06:00:00.000Z'], // CET / CEST
};

describe('a working-hours window on a DST change day opens at 08:00 local', () => {
	it.each(CHANGE_DAYS)('$change ($day, $zone)', ({ change, zone, day, dayBefore }) => {
		const ctx = officeIn(zone);
		const [opensOnChangeDay, opensDayBefore] = OPENS_AT_UTC[change];
		// 00:30 is before every change (they happen between 01:00 and 03:00 local).
		const afterMidnight = nextOpenTime(at(`${day}T00:30`, zone), ctx);
		expect(utc(afterMidnight.at)).toBe(opensOnChangeDay);
		expect(afterMidnight.at).toBe(at(`${day}T08:00`, zone));
		expect(afterMidnight.reason).toBe(
			`deferred: outside working hours (Mon–Sun 08:00–17:00, ${zone})`,
		);
		// From the evening before, the search crosses the change and still lands on 08:00.
		expect(utc(nextOpenTime(at(`${dayBefore}T20:00`, zone), ctx).at)).toBe(opensOnChangeDay);
		// The day before opened at 08:00 local too, under the other offset.
		expect(utc(nextOpenTime(at(`${dayBefore}T04:00`, zone), ctx).at)).toBe(opensDayBefore);
	});
});

describe('the spring-forward gap', () => {
	it('a New York window from 02:30 opens at 03:00 EDT on 2026-03-08, right after the gap', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('02:30', '05:00') });
		const result = nextOpenTime(at('2026-03-08T01:30', NEW_YORK), ctx); // 06:30Z, EST
		expect(utc(result.at)).toBe('2026-03-08T07:00:00.000Z');
		expect(result.at).toBe(at('2026-03-08T03:00', NEW_YORK));
		expect(isOpen(at('2026-03-08T01:59', NEW_YORK), ctx)).toBe(false);
	});

	it('a window starting at 02:30 on 2026-03-29 in Berlin opens at 03:00 CEST', () => {
		const ctx = context({ timeZone: BERLIN, workingHours: hours('02:30', '05:00') });
		const result = nextOpenTime(at('2026-03-29T01:00', BERLIN), ctx);
		expect(utc(result.at)).toBe('2026-03-29T01:00:00.000Z');
	});

	it('quiet hours ending inside the gap end when the gap does', () => {
		const ctx = context({ timeZone: NEW_YORK, quietHours: { from: '22:00', to: '02:30' } });
		const result = nextOpenTime(at('2026-03-08T01:45', NEW_YORK), ctx);
		expect(result).toEqual({
			at: at('2026-03-08T03:00', NEW_YORK),
			reason: 'deferred: quiet hours 22:00–02:30 in America/New_York',
		});
	});

	it('a one-day wait due at 02:30 (inside the gap) is due at 03:30 and is sent then', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('02:30', '05:00') });
		const send = computeSendTime(
			at('2026-03-07T02:30', NEW_YORK),
			{ amount: 1, unit: 'days' },
			ctx,
		);
		expect(utc(send.naturalAt)).toBe('2026-03-08T07:30:00.000Z');
		expect(send).toEqual({ at: send.naturalAt, naturalAt: send.naturalAt, reason: null });
	});
});

describe('the repeated autumn hour (New York, 2026-11-01: 01:00–02:00 happens twice)', () => {
	const firstPass = (time: string) => at(`2026-11-01T${time}-04:00`, NEW_YORK); // EDT
	const secondPass = (time: string) => at(`2026-11-01T${time}-05:00`, NEW_YORK); // EST

	it('a window ending at 01:30 closes at the first 01:30 and does not reopen', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('00:00', '01:30') });
		expect(isOpen(firstPass('01:10'), ctx)).toBe(true);
		expect(isOpen(firstPass('01:30'), ctx)).toBe(false);
		expect(isOpen(secondPass('01:10'), ctx)).toBe(false);
		expect(utc(nextOpenTime(firstPass('01:30'), ctx).at)).toBe('2026-11-02T05:00:00.000Z');
	});

	it('a window from 01:30 opens at the second 01:30: the clock never reads earlier after', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('01:30', '09:00') });
		expect(isOpen(firstPass('01:45'), ctx)).toBe(false);
		expect(isOpen(secondPass('01:10'), ctx)).toBe(false);
		expect(nextOpenTime(firstPass('01:45'), ctx).at).toBe(secondPass('01:30'));
		expect(utc(secondPass('01:30'))).toBe('2026-11-01T06:30:00.000Z');
	});

	it('a window inside the repeated hour opens once, on its second pass', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('01:15', '01:45') });
		expect(nextOpenTime(at('2026-11-01T00:30', NEW_YORK), ctx).at).toBe(secondPass('01:15'));
		expect(isOpen(firstPass('01:20'), ctx)).toBe(false);
		expect(isOpen(secondPass('01:20'), ctx)).toBe(true);
		expect(isOpen(secondPass('01:45'), ctx)).toBe(false);
	});

	it('quiet hours ending at 01:30 cover both passes of the hour', () => {
		const ctx = context({ timeZone: NEW_YORK, quietHours: { from: '21:00', to: '01:30' } });
		expect(isOpen(firstPass('01:40'), ctx)).toBe(false);
		expect(nextOpenTime(firstPass('01:40'), ctx).at).toBe(secondPass('01:30'));
	});

	it('quiet hours starting at 01:15 start on the first pass', () => {
		const ctx = context({ timeZone: NEW_YORK, quietHours: { from: '01:15', to: '06:00' } });
		expect(isOpen(firstPass('01:10'), ctx)).toBe(true);
		expect(isOpen(firstPass('01:20'), ctx)).toBe(false);
		expect(nextOpenTime(firstPass('01:20'), ctx).at).toBe(at('2026-11-01T06:00', NEW_YORK));
	});

	it('Berlin, 2026-10-25: a window from 02:30 opens at the second 02:30 (CET)', () => {
		const ctx = context({ timeZone: BERLIN, workingHours: hours('02:30', '09:00') });
		const result = nextOpenTime(at('2026-10-25T02:10+02:00', BERLIN), ctx);
		expect(utc(result.at)).toBe('2026-10-25T01:30:00.000Z');
	});
});
