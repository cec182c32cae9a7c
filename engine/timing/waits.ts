import { DateTime } from 'luxon';

import type { Wait } from '../cadence/definition';
import { holidayKeys } from './holidays';
import { LocalDay } from './local-day';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './constants';
import { zoneOffsets } from './zone-offsets';
import { resolveTimeZone, type TimingContext } from './zone';

const FRIDAY = 5;

/**
 * When a wait that starts at `fromMs` ends. Minutes and hours are elapsed time, so "4 hours"
 * is 4 real hours even across a DST change. Days and business days are calendar days in the
 * resolved zone and keep the wall-clock time: a follow-up written at 10:00 goes out at 10:00,
 * even when that day is 23 or 25 hours long.
 */
export function addWait(fromMs: number, wait: Wait, ctx: TimingContext): number {
	if (wait.amount === 0) return fromMs;
	switch (wait.unit) {
		case 'minutes':
			return fromMs + wait.amount * MINUTE_MS;
		case 'hours':
			return fromMs + wait.amount * HOUR_MS;
		case 'days':
			return addCalendarDays(fromMs, wait.amount, resolveTimeZone(ctx));
		case 'businessDays':
			return addBusinessDays(fromMs, wait.amount, ctx);
	}
}

/**
 * Luxon's `plus({ days })` in the zone: same wall-clock time, n dates later (a time that falls
 * in a spring-forward gap moves forward by the gap). When the offset is the same at both ends,
 * that is exactly n × 24 h, so the common case skips luxon's Intl offset lookups and gives the
 * identical answer.
 */
function addCalendarDays(fromMs: number, days: number, zone: string): number {
	const offsets = zoneOffsets(zone);
	const sameWallClockIfSteady = fromMs + days * DAY_MS;
	const offsetAtStart = offsets.steadyAround(utcDayKey(fromMs));
	if (
		offsetAtStart !== null &&
		offsetAtStart === offsets.steadyAround(utcDayKey(sameWallClockIfSteady))
	) {
		return sameWallClockIfSteady;
	}
	return DateTime.fromMillis(fromMs, { zone }).plus({ days }).toMillis();
}

function utcDayKey(atMs: number): number {
	return Math.floor(atMs / DAY_MS) * DAY_MS;
}

/**
 * Steps forward one date at a time and counts only Monday–Friday dates that are not holidays,
 * then moves that many calendar days so the wall-clock time is kept. Starting on a weekend or
 * holiday is fine: Saturday + 1 business day is Monday.
 */
function addBusinessDays(fromMs: number, amount: number, ctx: TimingContext): number {
	const zone = resolveTimeZone(ctx);
	const holidays = holidayKeys(ctx.schedule.holidays);
	let day = LocalDay.containing(fromMs, zone);
	let calendarDays = 0;
	let remaining = amount;
	// Even the largest allowed wait (100,000 business days) is only ~140,000 cheap steps.
	while (remaining > 0) {
		day = day.next();
		calendarDays++;
		if (day.weekday <= FRIDAY && !holidays.has(day.key)) remaining--;
	}
	return addCalendarDays(fromMs, calendarDays, zone);
}

const UNIT_NAMES: Record<Wait['unit'], [singular: string, plural: string]> = {
	minutes: ['minute', 'minutes'],
	hours: ['hour', 'hours'],
	days: ['day', 'days'],
	businessDays: ['business day', 'business days'],
};

/** "4 hours", "1 business day", "30 minutes": for reasons, timelines and node hints. */
export function describeWait(wait: Wait): string {
	const [singular, plural] = UNIT_NAMES[wait.unit];
	return `${wait.amount} ${wait.amount === 1 ? singular : plural}`;
}
