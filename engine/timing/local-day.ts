import { DateTime, type Zone } from 'luxon';

import { DAY_MS, MINUTE_MS } from './constants';
import { wallClockAt, zoneOffsets, type ZoneOffsets } from './zone-offsets';

/**
 * Which instant a wall-clock time means on the autumn day it happens twice. Moments that open
 * something take the last occurrence and moments that close something the first, so nothing
 * opens before the clock shows the opening time for the last time, nothing stays open once the
 * clock first shows the closing time, and no window opens twice.
 */
export type Occurrence = 'first' | 'last';

/**
 * One calendar day in one time zone, able to turn its wall-clock times into instants.
 * Days are stepped through as UTC midnights because a UTC day is always exactly 24 hours,
 * so the date arithmetic never meets a DST change; the zone only matters when a wall time
 * becomes an instant.
 */
export class LocalDay {
	private steadyOffset: number | null | undefined;

	private constructor(
		private readonly offsets: ZoneOffsets,
		/** The calendar date as epoch ms of its UTC midnight: a zone-free identity for the day. */
		readonly key: number,
		/** ISO weekday: 1 = Monday … 7 = Sunday. */
		readonly weekday: number,
	) {}

	static containing(atMs: number, zoneName: string): LocalDay {
		const offsets = zoneOffsets(zoneName);
		const key = Math.floor(wallClockAt(offsets, atMs) / DAY_MS) * DAY_MS;
		return new LocalDay(offsets, key, DateTime.fromMillis(key, { zone: 'utc' }).weekday);
	}

	next(): LocalDay {
		return new LocalDay(this.offsets, this.key + DAY_MS, (this.weekday % 7) + 1);
	}

	isoDate(): string {
		return DateTime.fromMillis(this.key, { zone: 'utc' }).toISODate() as string;
	}

	/**
	 * The instant the wall clock shows `minuteOfDay` (0 … 1440) on this day. A time skipped by
	 * a spring-forward gap means the first instant after the gap: 02:30 on a day that jumps from
	 * 02:00 to 03:00 is 03:00, the first moment the clock reads 02:30 or later.
	 */
	instant(minuteOfDay: number, occurrence: Occurrence): number {
		const wall = this.key + minuteOfDay * MINUTE_MS;
		// Nearly every day keeps one offset throughout; then a wall time converts by subtraction.
		if (this.steadyOffset === undefined) this.steadyOffset = this.offsets.steadyAround(this.key);
		if (this.steadyOffset !== null) return wall - this.steadyOffset * MINUTE_MS;
		return wallToInstant(this.offsets.zone, wall, occurrence);
	}
}

/**
 * `wall` is a wall-clock reading written as epoch ms as if the zone were UTC. Around a change
 * there are two candidate offsets: the one before and the one after. A candidate is real when
 * the zone agrees it is in force at the instant it gives; two real ones mean the repeated hour,
 * none means the gap.
 */
function wallToInstant(zone: Zone, wall: number, occurrence: Occurrence): number {
	const offsetBefore = zone.offset(wall - DAY_MS);
	const offsetAfter = zone.offset(wall + DAY_MS);
	const underBefore = wall - offsetBefore * MINUTE_MS;
	const underAfter = wall - offsetAfter * MINUTE_MS;
	const beforeIsReal = zone.offset(underBefore) === offsetBefore;
	const afterIsReal = zone.offset(underAfter) === offsetAfter;
	if (beforeIsReal && afterIsReal) {
		return occurrence === 'first'
			? Math.min(underBefore, underAfter)
			: Math.max(underBefore, underAfter);
	}
	if (beforeIsReal) return underBefore;
	if (afterIsReal) return underAfter;
	return firstMinuteWithOffset(
		zone,
		Math.min(underBefore, underAfter),
		Math.max(underBefore, underAfter),
		offsetAfter,
	);
}

/**
 * The change instant inside a gap, found by halving the span between the two candidates
 * (at most a few hours, so a handful of lookups). `low` still has the old offset, `high` the new.
 */
function firstMinuteWithOffset(zone: Zone, low: number, high: number, offset: number): number {
	while (high - low > MINUTE_MS) {
		const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
		if (zone.offset(middle) === offset) high = middle;
		else low = middle;
	}
	return high;
}
