import { addWait, describeWait } from '../../../engine/timing';
import { at, BERLIN, context, NEW_YORK, utc } from './helpers';

const HOUR = 3_600_000;

describe('addWait: minutes and hours are elapsed time', () => {
	const ctx = context({ timeZone: NEW_YORK });

	it('adds minutes and hours exactly', () => {
		const from = at('2026-06-08T09:00', NEW_YORK);
		expect(addWait(from, { amount: 30, unit: 'minutes' }, ctx)).toBe(
			at('2026-06-08T09:30', NEW_YORK),
		);
		expect(addWait(from, { amount: 4, unit: 'hours' }, ctx)).toBe(at('2026-06-08T13:00', NEW_YORK));
	});

	it('keeps 4 hours as 4 hours across the New York spring change (2026-03-08)', () => {
		const from = at('2026-03-08T00:00', NEW_YORK); // 05:00Z, EST
		const result = addWait(from, { amount: 4, unit: 'hours' }, ctx);
		expect(utc(result)).toBe('2026-03-08T09:00:00.000Z');
		expect(result).toBe(at('2026-03-08T05:00', NEW_YORK)); // the clock skipped 02:00–03:00
	});

	it('keeps 4 hours as 4 hours across the New York autumn change (2026-11-01)', () => {
		const from = at('2026-11-01T00:00', NEW_YORK); // 04:00Z, EDT
		const result = addWait(from, { amount: 4, unit: 'hours' }, ctx);
		expect(utc(result)).toBe('2026-11-01T08:00:00.000Z');
		expect(result).toBe(at('2026-11-01T03:00', NEW_YORK)); // 01:00–02:00 happened twice
	});

	it('keeps hours absolute across both Berlin changes (2026-03-29, 2026-10-25)', () => {
		const berlin = context({ timeZone: BERLIN });
		const spring = addWait(at('2026-03-29T00:00', BERLIN), { amount: 4, unit: 'hours' }, berlin);
		expect(spring).toBe(at('2026-03-29T05:00', BERLIN));
		expect(utc(spring)).toBe('2026-03-29T03:00:00.000Z');
		const autumn = addWait(at('2026-10-25T00:00', BERLIN), { amount: 4, unit: 'hours' }, berlin);
		expect(autumn).toBe(at('2026-10-25T03:00', BERLIN));
		expect(utc(autumn)).toBe('2026-10-25T02:00:00.000Z');
	});
});

describe('addWait: days are calendar days that keep the wall-clock time', () => {
	it('1 day over the New York spring change is 10:00 to 10:00, 23 hours', () => {
		const ctx = context({ timeZone: NEW_YORK });
		const from = at('2026-03-07T10:00', NEW_YORK);
		const result = addWait(from, { amount: 1, unit: 'days' }, ctx);
		expect(result).toBe(at('2026-03-08T10:00', NEW_YORK));
		expect(utc(result)).toBe('2026-03-08T14:00:00.000Z');
		expect(result - from).toBe(23 * HOUR);
	});

	it('1 day over the New York autumn change is 10:00 to 10:00, 25 hours', () => {
		const ctx = context({ timeZone: NEW_YORK });
		const from = at('2026-10-31T10:00', NEW_YORK);
		const result = addWait(from, { amount: 1, unit: 'days' }, ctx);
		expect(utc(result)).toBe('2026-11-01T15:00:00.000Z');
		expect(result - from).toBe(25 * HOUR);
	});

	it('keeps 08:00 as 08:00 over both Berlin changes', () => {
		const ctx = context({ timeZone: BERLIN });
		const spring = addWait(at('2026-03-28T08:00', BERLIN), { amount: 2, unit: 'days' }, ctx);
		expect(utc(spring)).toBe('2026-03-30T06:00:00.000Z');
		const autumn = addWait(at('2026-10-24T08:00', BERLIN), { amount: 1, unit: 'days' }, ctx);
		expect(utc(autumn)).toBe('2026-10-25T07:00:00.000Z');
	});

	it('a day that lands inside the spring gap moves forward by the gap (02:30 → 03:30)', () => {
		const ctx = context({ timeZone: NEW_YORK });
		const result = addWait(at('2026-03-07T02:30', NEW_YORK), { amount: 1, unit: 'days' }, ctx);
		expect(utc(result)).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT; 02:30 never happened
	});

	it('reads days in the recipient zone when the schedule says so', () => {
		const ctx = context({ timeZone: 'UTC', timeZoneSource: 'recipient' }, NEW_YORK);
		const result = addWait(at('2026-03-07T10:00', NEW_YORK), { amount: 1, unit: 'days' }, ctx);
		expect(utc(result)).toBe('2026-03-08T14:00:00.000Z');
		const inUtc = addWait(at('2026-03-07T10:00', NEW_YORK), { amount: 1, unit: 'days' }, context());
		expect(utc(inUtc)).toBe('2026-03-08T15:00:00.000Z');
	});
});

describe('addWait: business days', () => {
	const oneBusinessDay = { amount: 1, unit: 'businessDays' } as const;

	it('Friday 10:00 + 1 business day is Monday 10:00', () => {
		const ctx = context({ timeZone: 'UTC' });
		const result = addWait(at('2026-05-08T10:00', 'UTC'), oneBusinessDay, ctx);
		expect(result).toBe(at('2026-05-11T10:00', 'UTC'));
	});

	it('skips a Monday holiday: Friday + 1 business day is Tuesday', () => {
		const ctx = context({ timeZone: 'UTC', holidays: ['2026-05-11'] });
		const result = addWait(at('2026-05-08T10:00', 'UTC'), oneBusinessDay, ctx);
		expect(result).toBe(at('2026-05-12T10:00', 'UTC'));
	});

	it('a holiday on a weekend costs nothing extra', () => {
		const ctx = context({ timeZone: 'UTC', holidays: ['2026-05-09', '2026-05-10'] });
		const result = addWait(at('2026-05-08T10:00', 'UTC'), oneBusinessDay, ctx);
		expect(result).toBe(at('2026-05-11T10:00', 'UTC'));
	});

	it('starting on a Saturday, 1 business day is Monday', () => {
		const result = addWait(at('2026-05-09T15:45', 'UTC'), oneBusinessDay, context());
		expect(result).toBe(at('2026-05-11T15:45', 'UTC'));
	});

	it('5 business days over Christmas in Berlin skip the weekend and both holidays', () => {
		const ctx = context({ timeZone: BERLIN, holidays: ['2026-12-24', '2026-12-25'] });
		const result = addWait(
			at('2026-12-21T09:00', BERLIN),
			{ amount: 5, unit: 'businessDays' },
			ctx,
		);
		expect(result).toBe(at('2026-12-30T09:00', BERLIN));
	});

	it('Friday + 1 business day over the New York spring change keeps 10:00', () => {
		const ctx = context({ timeZone: NEW_YORK });
		const result = addWait(at('2026-03-06T10:00', NEW_YORK), oneBusinessDay, ctx);
		expect(result).toBe(at('2026-03-09T10:00', NEW_YORK));
		expect(utc(result)).toBe('2026-03-09T14:00:00.000Z');
	});

	it('counts weekdays and holidays in the resolved zone, not in UTC', () => {
		// Thursday 20:00 in Los Angeles is already Friday in UTC.
		const zone = 'America/Los_Angeles';
		const ctx = context({ timeZone: zone, holidays: ['2026-05-11'] });
		const thursdayEvening = at('2026-05-07T20:00', zone);
		expect(utc(thursdayEvening)).toBe('2026-05-08T03:00:00.000Z');
		expect(addWait(thursdayEvening, oneBusinessDay, ctx)).toBe(at('2026-05-08T20:00', zone));
		const twoDays = addWait(thursdayEvening, { amount: 2, unit: 'businessDays' }, ctx);
		expect(twoDays).toBe(at('2026-05-12T20:00', zone)); // Monday the 11th is a holiday there
	});

	it('handles the largest allowed wait, 100,000 business days', () => {
		const result = addWait(
			at('2026-01-05T09:00', 'UTC'),
			{ amount: 100_000, unit: 'businessDays' },
			context(),
		);
		// 100,000 weekdays are exactly 20,000 weeks from a Monday.
		expect(result).toBe(at('2026-01-05T09:00', 'UTC') + 20_000 * 7 * 86_400_000);
	});
});

describe('addWait: zero waits', () => {
	it.each(['minutes', 'hours', 'days', 'businessDays'] as const)(
		'0 %s leaves the time unchanged',
		(unit) => {
			const saturday = at('2026-05-09T23:59:30', 'UTC');
			const ctx = context({ timeZone: BERLIN, holidays: ['2026-05-09'] });
			expect(addWait(saturday, { amount: 0, unit }, ctx)).toBe(saturday);
		},
	);
});

describe('describeWait', () => {
	it.each([
		[{ amount: 4, unit: 'hours' }, '4 hours'],
		[{ amount: 1, unit: 'hours' }, '1 hour'],
		[{ amount: 1, unit: 'businessDays' }, '1 business day'],
		[{ amount: 3, unit: 'businessDays' }, '3 business days'],
		[{ amount: 30, unit: 'minutes' }, '30 minutes'],
		[{ amount: 1, unit: 'days' }, '1 day'],
		[{ amount: 0, unit: 'minutes' }, '0 minutes'],
	] as const)('%o reads "%s"', (wait, text) => {
		expect(describeWait(wait)).toBe(text);
	});
});
