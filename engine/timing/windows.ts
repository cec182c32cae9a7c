import { DateTime } from 'luxon';

import type { Schedule } from '../cadence/definition';
import { CadenceValidationError } from '../errors';
import { holidayKeys } from './holidays';
import { LocalDay } from './local-day';
import { deferralReason } from './reasons';
import { contains, openSpansOn, type Span } from './spans';
import { resolveTimeZone, type TimingContext } from './zone';

/** When a message may go out, and why it had to wait (null when it did not). */
export interface OpenTime {
	at: number;
	reason: string | null;
}

/**
 * How far ahead to look before declaring a schedule impossible: over a year, so a schedule
 * whose only open day is blocked by a holiday this year still finds next year's.
 */
const SEARCH_DAYS = 400;

/**
 * The earliest instant at or after `atMs` at which the schedule allows sending. It walks day by
 * day and, within a day, from open stretch to open stretch, so the cost does not depend on how
 * long the wait is (a weekend is three steps, not thousands of minutes).
 */
export function nextOpenTime(atMs: number, ctx: TimingContext): OpenTime {
	const { schedule } = ctx;
	if (!restrictsSending(schedule)) return { at: atMs, reason: null };
	const zone = resolveTimeZone(ctx);
	const holidays = holidayKeys(schedule.holidays);
	const firstDay = LocalDay.containing(atMs, zone);
	let day = firstDay;
	for (let searched = 0; searched <= SEARCH_DAYS; searched++, day = day.next()) {
		const opening = earliestOpening(openSpansOn(day, schedule, holidays), atMs);
		if (opening === atMs) return { at: atMs, reason: null };
		if (opening !== null) {
			return { at: opening, reason: deferralReason(atMs, firstDay, schedule, holidays, zone) };
		}
	}
	throw new CadenceValidationError('schedule', [
		{
			field: 'schedule.workingHours',
			message:
				`the schedule has no open time within ${SEARCH_DAYS} days of ` +
				`${DateTime.fromMillis(atMs, { zone }).toISO()} in ${zone}; every day is closed by its ` +
				'working hours, quiet hours or holidays. Add working hours to at least one weekday ' +
				'(or turn working hours off) and make sure quiet hours leave part of that day open',
		},
	]);
}

/** True when a message could go out at exactly `atMs`; never throws for impossible schedules. */
export function isOpen(atMs: number, ctx: TimingContext): boolean {
	const { schedule } = ctx;
	if (!restrictsSending(schedule)) return true;
	const day = LocalDay.containing(atMs, resolveTimeZone(ctx));
	return contains(openSpansOn(day, schedule, holidayKeys(schedule.holidays)), atMs);
}

/** With no working hours, no quiet hours and no holidays every instant is open. */
function restrictsSending(schedule: Schedule): boolean {
	return (
		schedule.workingHours !== null || schedule.quietHours !== null || schedule.holidays.length > 0
	);
}

/**
 * The first instant at or after `atMs` inside one of the day's spans, or null when they are all
 * over. Users may list windows in any order or overlapping, so every span is considered.
 */
function earliestOpening(spans: readonly Span[], atMs: number): number | null {
	let earliest: number | null = null;
	for (const [start, end] of spans) {
		if (end <= atMs || start >= end) continue;
		const candidate = Math.max(start, atMs);
		if (earliest === null || candidate < earliest) earliest = candidate;
	}
	return earliest;
}
