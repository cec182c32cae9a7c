import { computeSendTime, isOpen, nextOpenTime } from '../../../engine/timing';
import { at, BERLIN, context, hours, NEW_YORK, utc } from './helpers';

/** Every day 08:00–17:00: the changes fall on Sundays, so the window must exist on Sundays. */
const officeIn = (zone: string) => context({ timeZone: zone, workingHours: hours('08:00', '17:00') });

describe('a working-hours window opening on a DST change day opens at 08:00 local', () => {
	it.each([
		['New York spring', NEW_YORK, '2026-03-08', '2026-03-08T12:00:00.000Z', '2026-03-07T13:00:00.000Z'],
		['New York autumn', NEW_YORK, '2026-11-01', '2026-11-01T13:00:00.000Z', '2026-10-31T12:00:00.000Z'],
		['Berlin spring', BERLIN, '2026-03-29', '2026-03-29T06:00:00.000Z', '2026-03-28T07:00:00.000Z'],
		['Berlin autumn', BERLIN, '2026-10-25', '2026-10-25T07:00:00.000Z', '2026-10-24T06:00:00.000Z'],
	])('%s (%s, %s)', (_name, zone, day, opensAtUtc, dayBeforeOpensAtUtc) => {
		const ctx = officeIn(zone);
		// 00:30 is before every change (they happen at 01:00–03:00 local), so each case crosses one.
		const fromMidnight = nextOpenTime(at(`${day}T00:30`, zone), ctx);
		expect(utc(fromMidnight.at)).toBe(opensAtUtc);
		expect(fromMidnight.at).toBe(at(`${day}T08:00`, zone));
		expect(fromMidnight.reason).toBe(
			`deferred: outside working hours (Mon–Sun 08:00–17:00, ${zone})`,
		);
		// The evening before, the window of the change day is what opens next.
		const dayBefore = at(`${day}T00:00`, zone) - 4 * 3_600_000;
		expect(utc(nextOpenTime(dayBefore, ctx).at)).toBe(opensAtUtc);
		// And the day before opened at 08:00 local under the old offset.
		expect(utc(nextOpenTime(at(`${day}T00:00`, zone) - 20 * 3_600_000, ctx).at)).toBe(
			dayBeforeOpensAtUtc,
		);
	});
});

describe('the spring-forward gap', () => {
	it('a window starting at 02:30 on 2026-03-08 in New York opens at 03:00 EDT, right after the gap', () => {
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
		const send = computeSendTime(at('2026-03-07T02:30', NEW_YORK), { amount: 1, unit: 'days' }, ctx);
		expect(utc(send.naturalAt)).toBe('2026-03-08T07:30:00.000Z');
		expect(send).toEqual({ at: send.naturalAt, naturalAt: send.naturalAt, reason: null });
	});
});

describe('the repeated autumn hour (New York, 2026-11-01: 01:00–02:00 happens twice)', () => {
	const firstPass = (time: string) => at(`2026-11-01T${time}-04:00`, NEW_YORK); // EDT
	const secondPass = (time: string) => at(`2026-11-01T${time}-05:00`, NEW_YORK); // EST

	it('a window ending at 01:30 closes the first time the clock shows 01:30 and does not reopen', () => {
		const ctx = context({ timeZone: NEW_YORK, workingHours: hours('00:00', '01:30') });
		expect(isOpen(firstPass('01:10'), ctx)).toBe(true);
		expect(isOpen(firstPass('01:30'), ctx)).toBe(false);
		expect(isOpen(secondPass('01:10'), ctx)).toBe(false);
		expect(utc(nextOpenTime(firstPass('01:30'), ctx).at)).toBe('2026-11-02T05:00:00.000Z');
	});

	it('a window starting at 01:30 opens at the second 01:30, never while the clock will still read earlier', () => {
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
