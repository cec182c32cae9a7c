import { WEEKDAYS, type Schedule, type TimeWindow } from '../cadence/definition';
import type { HolidayKeys } from './holidays';
import { MINUTES_PER_DAY } from './constants';
import type { LocalDay } from './local-day';

/** A half-open stretch of time [start, end) as epoch ms. */
export type Span = readonly [start: number, end: number];

type QuietHours = NonNullable<Schedule['quietHours']>;

/** 'HH:MM' (validated by the definition schema, '24:00' included) as minutes after midnight. */
export function minuteOfDay(time: string): number {
	return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** The day's working windows; a weekday missing from a hand-built week counts as closed. */
export function windowsOn(day: LocalDay, workingHours: Schedule['workingHours']): TimeWindow[] {
	return workingHours ? (workingHours[WEEKDAYS[day.weekday - 1]] ?? []) : [];
}

/**
 * Every instant of `day` at which the schedule lets a message go out. Computed as instants, not
 * wall times, so each window is one continuous stretch even on a day with a repeated hour.
 */
export function openSpansOn(day: LocalDay, schedule: Schedule, holidays: HolidayKeys): Span[] {
	if (holidays.has(day.key)) return [];
	const working = workingSpans(day, schedule.workingHours);
	if (working.length === 0 || !schedule.quietHours) return working;
	return subtract(working, quietSpans(day, schedule.quietHours));
}

/** No working hours means the whole day is open. */
export function workingSpans(day: LocalDay, workingHours: Schedule['workingHours']): Span[] {
	if (!workingHours) return [openingSpan(day, 0, MINUTES_PER_DAY)];
	return windowsOn(day, workingHours).map((window) =>
		openingSpan(day, minuteOfDay(window.from), minuteOfDay(window.to)),
	);
}

/**
 * Quiet hours may wrap midnight (21:00–08:00); then this day holds two pieces of them, its early
 * morning and its late evening. Equal from and to is read as no quiet time at all.
 */
export function quietSpans(day: LocalDay, quiet: QuietHours): Span[] {
	const from = minuteOfDay(quiet.from);
	const to = minuteOfDay(quiet.to);
	if (from === to) return [];
	if (from < to) return [closingSpan(day, from, to)];
	return [closingSpan(day, 0, to), closingSpan(day, from, MINUTES_PER_DAY)];
}

function openingSpan(day: LocalDay, from: number, to: number): Span {
	const start = day.instant(from, 'last');
	const end = day.instant(to, 'first');
	// A window lying wholly inside the repeated hour would otherwise end before it starts;
	// it then runs once, during the second pass of that hour.
	return [start, end > start ? end : day.instant(to, 'last')];
}

/**
 * Closed stretches take the widest reading, from the first time the clock shows `from` to the
 * last time it shows `to`, so nothing goes out while the clock reads a quiet time.
 */
function closingSpan(day: LocalDay, from: number, to: number): Span {
	return [day.instant(from, 'first'), day.instant(to, 'last')];
}

function subtract(open: Span[], closed: Span[]): Span[] {
	let remaining = open;
	for (const [closedStart, closedEnd] of closed) {
		const next: Span[] = [];
		for (const [start, end] of remaining) {
			if (closedEnd <= start || closedStart >= end) {
				next.push([start, end]);
				continue;
			}
			if (start < closedStart) next.push([start, closedStart]);
			if (closedEnd < end) next.push([closedEnd, end]);
		}
		remaining = next;
	}
	return remaining;
}

export function contains(spans: readonly Span[], atMs: number): boolean {
	return spans.some(([start, end]) => start <= atMs && atMs < end);
}
