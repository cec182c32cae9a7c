import { isOpen, nextOpenTime, type TimingContext } from '../../../engine/timing';
import { at, BERLIN, CHICAGO, context, hours, MONDAY_TO_FRIDAY, schedule } from './helpers';

const OFFICE_CHICAGO = context({
	timeZone: CHICAGO,
	workingHours: hours('08:00', '17:00', MONDAY_TO_FRIDAY),
});
const OUTSIDE_OFFICE = 'deferred: outside working hours (Mon–Fri 08:00–17:00, America/Chicago)';

describe('working hours', () => {
	it('a follow-up due at 21:00 goes out at 08:00 the next day (hours 8–17)', () => {
		const due = at('2026-06-09T21:00', CHICAGO); // Tuesday
		expect(nextOpenTime(due, OFFICE_CHICAGO)).toEqual({
			at: at('2026-06-10T08:00', CHICAGO),
			reason: OUTSIDE_OFFICE,
		});
	});

	it('inside the window the time is returned unchanged, with no reason', () => {
		const due = at('2026-06-09T10:17:42.123', CHICAGO);
		expect(nextOpenTime(due, OFFICE_CHICAGO)).toEqual({ at: due, reason: null });
		expect(isOpen(due, OFFICE_CHICAGO)).toBe(true);
	});

	it('windows are half-open: 08:00 is open, 17:00 is not', () => {
		expect(isOpen(at('2026-06-09T08:00', CHICAGO), OFFICE_CHICAGO)).toBe(true);
		expect(isOpen(at('2026-06-09T16:59:59.999', CHICAGO), OFFICE_CHICAGO)).toBe(true);
		expect(isOpen(at('2026-06-09T17:00', CHICAGO), OFFICE_CHICAGO)).toBe(false);
		expect(nextOpenTime(at('2026-06-09T17:00', CHICAGO), OFFICE_CHICAGO).at).toBe(
			at('2026-06-10T08:00', CHICAGO),
		);
	});

	it('early morning waits for the same day', () => {
		const result = nextOpenTime(at('2026-06-09T07:59:30', CHICAGO), OFFICE_CHICAGO);
		expect(result).toEqual({ at: at('2026-06-09T08:00', CHICAGO), reason: OUTSIDE_OFFICE });
	});

	it('Friday evening waits for Monday, and the reason is about Friday evening', () => {
		const result = nextOpenTime(at('2026-06-12T21:00', CHICAGO), OFFICE_CHICAGO);
		expect(result).toEqual({ at: at('2026-06-15T08:00', CHICAGO), reason: OUTSIDE_OFFICE });
	});

	it('a weekday without windows is closed all day', () => {
		const result = nextOpenTime(at('2026-06-13T10:00', CHICAGO), OFFICE_CHICAGO);
		expect(result).toEqual({
			at: at('2026-06-15T08:00', CHICAGO),
			reason: 'deferred: closed on Saturday in America/Chicago',
		});
		expect(isOpen(at('2026-06-13T10:00', CHICAGO), OFFICE_CHICAGO)).toBe(false);
	});

	it('jumps over a lunch break and names every window in the reason', () => {
		const split = context({
			timeZone: 'UTC',
			workingHours: {
				monday: [
					{ from: '13:00', to: '17:00' },
					{ from: '08:00', to: '12:00' },
				],
				tuesday: [{ from: '08:00', to: '12:00' }],
				saturday: [{ from: '10:00', to: '24:00' }],
			},
		});
		expect(nextOpenTime(at('2026-06-08T12:30', 'UTC'), split)).toEqual({
			at: at('2026-06-08T13:00', 'UTC'),
			reason:
				'deferred: outside working hours (Mon 13:00–17:00, 08:00–12:00; Tue 08:00–12:00; ' +
				'Sat 10:00–24:00, UTC)',
		});
		expect(nextOpenTime(at('2026-06-08T07:00', 'UTC'), split).at).toBe(
			at('2026-06-08T08:00', 'UTC'),
		);
	});

	it("'24:00' keeps a window open until midnight", () => {
		const late = context({ timeZone: 'UTC', workingHours: hours('18:00', '24:00') });
		expect(isOpen(at('2026-06-08T23:59:59', 'UTC'), late)).toBe(true);
		expect(nextOpenTime(at('2026-06-09T00:00', 'UTC'), late).at).toBe(
			at('2026-06-09T18:00', 'UTC'),
		);
	});

	it('no working hours means any time is open', () => {
		const anyTime = context({ timeZone: CHICAGO });
		const sundayNight = at('2026-06-14T03:00', CHICAGO);
		expect(nextOpenTime(sundayNight, anyTime)).toEqual({ at: sundayNight, reason: null });
	});
});

describe('holidays', () => {
	const BERLIN_OFFICE = context({
		timeZone: BERLIN,
		workingHours: hours('09:00', '17:00', MONDAY_TO_FRIDAY),
		holidays: ['2026-12-24', '2026-12-25'],
	});

	it('a holiday is closed all day, and the reason names it', () => {
		expect(nextOpenTime(at('2026-12-25T10:00', BERLIN), BERLIN_OFFICE)).toEqual({
			at: at('2026-12-28T09:00', BERLIN),
			reason: 'deferred: holiday 2026-12-25 in Europe/Berlin',
		});
	});

	it('the evening before a run of holidays waits past all of them', () => {
		const result = nextOpenTime(at('2026-12-23T18:00', BERLIN), BERLIN_OFFICE);
		expect(result.at).toBe(at('2026-12-28T09:00', BERLIN));
		expect(result.reason).toBe(
			'deferred: outside working hours (Mon–Fri 09:00–17:00, Europe/Berlin)',
		);
	});

	it('holidays close the day even without working hours', () => {
		const holidaysOnly = context({ timeZone: BERLIN, holidays: ['2026-12-25'] });
		expect(nextOpenTime(at('2026-12-25T15:00', BERLIN), holidaysOnly)).toEqual({
			at: at('2026-12-26T00:00', BERLIN),
			reason: 'deferred: holiday 2026-12-25 in Europe/Berlin',
		});
		expect(isOpen(at('2026-12-24T23:59', BERLIN), holidaysOnly)).toBe(true);
	});

	it('a holiday is a date in the resolved zone, not in UTC', () => {
		const holidaysOnly = context({ timeZone: BERLIN, holidays: ['2026-12-25'] });
		// 23:30 UTC on the 24th is already 00:30 on the 25th in Berlin.
		expect(isOpen(at('2026-12-24T23:30', 'UTC'), holidaysOnly)).toBe(false);
		expect(isOpen(at('2026-12-25T23:30', 'UTC'), holidaysOnly)).toBe(true);
	});

	it('looks into next year when holidays block every open day this year', () => {
		const mondaysOnly = context({
			timeZone: 'UTC',
			workingHours: { monday: [{ from: '09:00', to: '10:00' }] },
			holidays: ['2026-06-08', '2026-06-15', '2026-06-22'],
		});
		expect(nextOpenTime(at('2026-06-07T12:00', 'UTC'), mondaysOnly).at).toBe(
			at('2026-06-29T09:00', 'UTC'),
		);
	});
});

describe('a schedule with no open time', () => {
	// Built by hand: validation may refuse such a schedule, but the engine must not hang on one
	// that slipped through (or that a holiday list and quiet hours close in other ways).
	const noWindows: TimingContext = {
		schedule: {
			...schedule({ timeZone: BERLIN }),
			workingHours: {
				monday: [],
				tuesday: [],
				wednesday: [],
				thursday: [],
				friday: [],
				saturday: [],
				sunday: [],
			},
		},
	};

	it('throws a clear error instead of searching forever', () => {
		expect(() => nextOpenTime(at('2026-06-08T10:00', BERLIN), noWindows)).toThrow(
			/schedule has no open time within 400 days .* Add working hours to at least one weekday/,
		);
	});

	it('also when quiet hours cover the whole day (which the schema refuses up front)', () => {
		const quietAllDay = { from: '00:00', to: '24:00' };
		expect(() => schedule({ timeZone: 'UTC', quietHours: quietAllDay })).toThrow(
			/quiet hours 00:00–24:00 cover the whole day/,
		);
		// A schedule that bypassed the schema still cannot make the search loop for ever.
		const alwaysQuiet = { schedule: { ...schedule({ timeZone: 'UTC' }), quietHours: quietAllDay } };
		expect(() => nextOpenTime(at('2026-06-08T10:00', 'UTC'), alwaysQuiet)).toThrow(/no open time/);
	});

	it('isOpen just answers false', () => {
		expect(isOpen(at('2026-06-08T10:00', BERLIN), noWindows)).toBe(false);
	});
});
