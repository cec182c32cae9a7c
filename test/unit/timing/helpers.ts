import { DateTime } from 'luxon';

import {
	scheduleSchema,
	WEEKDAYS,
	type Schedule,
	type TimeWindow,
	type Weekday,
} from '../../../engine/cadence/definition';
import type { TimingContext } from '../../../engine/timing';

export const NEW_YORK = 'America/New_York';
export const BERLIN = 'Europe/Berlin';
export const CHICAGO = 'America/Chicago';

/**
 * The instant a local ISO time names in `zone`. Times that occur twice (the repeated autumn
 * hour) must carry an explicit offset, because luxon would otherwise pick one by the season of
 * the day the test runs.
 */
export function at(iso: string, zone: string): number {
	const parsed = DateTime.fromISO(iso, { zone });
	if (!parsed.isValid) throw new Error(`bad test time ${iso}: ${parsed.invalidExplanation}`);
	return parsed.toMillis();
}

export function utc(ms: number): string {
	return new Date(ms).toISOString();
}

type ScheduleInput = Parameters<typeof scheduleSchema.parse>[0];

/** A schedule exactly as the engine receives it: validated and defaults-filled. */
export function schedule(input: ScheduleInput = {}): Schedule {
	return scheduleSchema.parse(input);
}

export function context(
	input: ScheduleInput = {},
	recipientTimeZone?: string | null,
): TimingContext {
	return { schedule: schedule(input), recipientTimeZone };
}

/** The same window on each of `days` (every day by default); the other days stay closed. */
export function hours(
	from: string,
	to: string,
	days: readonly Weekday[] = WEEKDAYS,
): Partial<Record<Weekday, TimeWindow[]>> {
	return Object.fromEntries(days.map((day) => [day, [{ from, to }]]));
}

export const MONDAY_TO_FRIDAY: readonly Weekday[] = WEEKDAYS.slice(0, 5);
