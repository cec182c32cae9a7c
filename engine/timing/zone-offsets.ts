import type { Zone } from 'luxon';

import { DAY_MS, MINUTE_MS } from './constants';
import { zoneFor } from './zone';

/**
 * A zone's UTC offsets, remembered per UTC day. Asking the runtime for an offset formats a date
 * through Intl, and that dominated the cost of every scheduling call; but offsets only change
 * at DST transitions, a few times a year, so nearly every answer can be reused.
 */
export class ZoneOffsets {
	readonly zone: Zone;
	private readonly atMidnight = new Map<number, number>();

	constructor(zoneName: string) {
		this.zone = zoneFor(zoneName);
	}

	/** Offset in minutes at `atMs`. */
	offsetAt(atMs: number): number {
		const steady = this.steadyAround(Math.floor(atMs / DAY_MS) * DAY_MS);
		return steady ?? this.zone.offset(atMs);
	}

	/**
	 * The offset in force from one day before `dayKey` (a UTC midnight) to two days after it, or
	 * null when it changes in that stretch. Transitions are months apart, so equal offsets at
	 * both ends mean no change in between; the stretch is wide enough to hold every instant of
	 * the local day with that date, whatever the zone's offset (±14 h at most).
	 */
	steadyAround(dayKey: number): number | null {
		const before = this.offsetAtMidnight(dayKey - DAY_MS);
		return before === this.offsetAtMidnight(dayKey + 2 * DAY_MS) ? before : null;
	}

	private offsetAtMidnight(dayKey: number): number {
		let offset = this.atMidnight.get(dayKey);
		if (offset === undefined) {
			offset = this.zone.offset(dayKey);
			// Each entry is one day; the bound only matters for callers sweeping centuries.
			if (this.atMidnight.size >= MIDNIGHT_CACHE_LIMIT) this.atMidnight.clear();
			this.atMidnight.set(dayKey, offset);
		}
		return offset;
	}
}

const MIDNIGHT_CACHE_LIMIT = 100_000;
const byZone = new Map<string, ZoneOffsets>();

/** Only zones that passed resolveTimeZone get here, so the map stays as small as the zone list. */
export function zoneOffsets(zoneName: string): ZoneOffsets {
	let offsets = byZone.get(zoneName);
	if (!offsets) {
		offsets = new ZoneOffsets(zoneName);
		byZone.set(zoneName, offsets);
	}
	return offsets;
}

/** Epoch ms of the wall-clock reading at `atMs`, written as if the zone were UTC. */
export function wallClockAt(offsets: ZoneOffsets, atMs: number): number {
	return atMs + offsets.offsetAt(atMs) * MINUTE_MS;
}
