import { DateTime } from 'luxon';

import { addWait, nextOpenTime } from '../../../engine/timing';
import { context, hours, MONDAY_TO_FRIDAY } from './helpers';

/**
 * The engine converts wall times with cached offsets instead of asking luxon every time. These
 * checks compare it with plain luxon on many pseudo-random instants (fixed seed, so failures
 * reproduce), away from DST change days, where "open" simply means the local clock reads a time
 * inside the schedule.
 */
const ZONES = [
	'UTC',
	'America/New_York',
	'Europe/Berlin',
	'Asia/Kolkata', // +05:30
	'Pacific/Chatham', // +12:45 / +13:45
	'Australia/Lord_Howe', // a 30-minute DST shift
	'America/Santiago', // southern hemisphere, changes at midnight
];
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_MS = 365 * 86_400_000;
const QUARTER_HOUR = 15 * 60_000;

function* randomInstants(seed: number, count: number): Generator<number> {
	let state = seed;
	for (let i = 0; i < count; i++) {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		yield YEAR_START + Math.floor((state / 2_147_483_648) * YEAR_MS);
	}
}

function awayFromChanges(atMs: number, zone: string, daysAfter: number): boolean {
	const offset = (ms: number) => DateTime.fromMillis(ms, { zone }).offset;
	return offset(atMs - 2 * 86_400_000) === offset(atMs + daysAfter * 86_400_000);
}

const schedule = {
	workingHours: {
		...hours('08:00', '17:00', MONDAY_TO_FRIDAY),
		saturday: [{ from: '10:00', to: '12:30' }],
	},
	quietHours: { from: '16:45', to: '08:15' },
	holidays: ['2026-05-01', '2026-12-25'],
};

/** Open by the local clock; every boundary above is a multiple of 15 minutes. */
function openByLocalClock(atMs: number, zone: string): boolean {
	const local = DateTime.fromMillis(atMs, { zone });
	if (schedule.holidays.includes(local.toISODate() as string)) return false;
	const time = local.toFormat('HH:mm');
	const windows =
		local.weekday <= 5
			? [{ from: '08:00', to: '17:00' }]
			: local.weekday === 6
				? [{ from: '10:00', to: '12:30' }]
				: [];
	const inWindow = windows.some((w) => w.from <= time && time < w.to);
	const quiet = time >= schedule.quietHours.from || time < schedule.quietHours.to;
	return inWindow && !quiet;
}

/** The obvious search: the instant itself, else the next quarter hour that is open. */
function referenceNextOpen(atMs: number, zone: string): number {
	if (openByLocalClock(atMs, zone)) return atMs;
	let candidate = Math.ceil((atMs + 1) / QUARTER_HOUR) * QUARTER_HOUR;
	while (!openByLocalClock(candidate, zone)) candidate += QUARTER_HOUR;
	return candidate;
}

describe.each(ZONES)('agrees with plain luxon in %s', (zone) => {
	const ctx = context({ timeZone: zone, ...schedule });
	const instants = [...randomInstants(zone.length * 7919, 150)];

	it('nextOpenTime finds the same instant as a quarter-hour search by the local clock', () => {
		for (const atMs of instants.filter((ms) => awayFromChanges(ms, zone, 5))) {
			expect([atMs, nextOpenTime(atMs, ctx).at]).toEqual([atMs, referenceNextOpen(atMs, zone)]);
		}
	});

	it('days and business days end where luxon plus({ days }) puts them', () => {
		for (const atMs of instants) {
			const local = DateTime.fromMillis(atMs, { zone });
			expect(addWait(atMs, { amount: 3, unit: 'days' }, ctx)).toBe(
				local.plus({ days: 3 }).toMillis(),
			);
			expect(addWait(atMs, { amount: 7, unit: 'businessDays' }, ctx)).toBe(
				local.plus({ days: calendarDaysFor(local, 7) }).toMillis(),
			);
		}
	});
});

/** Counts dates forward with luxon until `businessDays` weekdays that are not holidays passed. */
function calendarDaysFor(from: DateTime, businessDays: number): number {
	let date = from.startOf('day');
	let calendarDays = 0;
	for (let counted = 0; counted < businessDays; ) {
		date = date.plus({ days: 1 });
		calendarDays++;
		if (date.weekday <= 5 && !schedule.holidays.includes(date.toISODate() as string)) counted++;
	}
	return calendarDays;
}
