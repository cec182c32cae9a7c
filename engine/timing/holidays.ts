import { DateTime } from 'luxon';

/**
 * Holidays as a set of day keys (UTC midnight of the date, see LocalDay.key), so checking a day
 * is a set lookup. A holiday is a calendar date, read in whatever zone the cadence resolves to.
 * Dates that do not exist (2026-02-30) cannot match any day and are left out.
 */
export type HolidayKeys = ReadonlySet<number>;

/**
 * The same holidays array is checked for every step of every enrollment, so its set is built
 * once per array. Validated definitions are never mutated in place, only replaced.
 */
const keysByList = new WeakMap<readonly string[], HolidayKeys>();

export function holidayKeys(holidays: readonly string[]): HolidayKeys {
	let keys = keysByList.get(holidays);
	if (!keys) {
		const built = new Set<number>();
		for (const date of holidays) {
			const day = DateTime.fromISO(date, { zone: 'utc' });
			if (day.isValid) built.add(day.startOf('day').toMillis());
		}
		keys = built;
		keysByList.set(holidays, keys);
	}
	return keys;
}
