import { WEEKDAYS, type Schedule, type WorkingWeek } from '../cadence/definition';
import type { HolidayKeys } from './holidays';
import type { LocalDay } from './local-day';
import { contains, windowsOn, workingSpans } from './spans';

const SHORT_DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * Why `atMs` (which lies on `day`) is not open, as the sentence the timeline and the Deferred
 * output show. The most fundamental cause wins: a holiday before a closed weekday, before the
 * working window, before quiet hours; the zone is always named because "08:00" means nothing
 * without it.
 */
export function deferralReason(
	atMs: number,
	day: LocalDay,
	schedule: Schedule,
	holidays: HolidayKeys,
	zone: string,
): string {
	if (holidays.has(day.key)) return `deferred: holiday ${day.isoDate()} in ${zone}`;
	const { workingHours, quietHours } = schedule;
	if (workingHours) {
		if (windowsOn(day, workingHours).length === 0) {
			return `deferred: closed on ${DAY_NAMES[day.weekday - 1]} in ${zone}`;
		}
		if (!contains(workingSpans(day, workingHours), atMs)) {
			return `deferred: outside working hours (${describeWorkingWeek(workingHours)}, ${zone})`;
		}
	}
	if (quietHours) return `deferred: quiet hours ${quietHours.from}–${quietHours.to} in ${zone}`;
	return `deferred: outside the sending schedule in ${zone}`;
}

/** Building the summary is string work repeated for every deferral; the week rarely changes. */
const summaries = new WeakMap<WorkingWeek, string>();

/**
 * "Mon–Fri 08:00–17:00", "Mon–Thu 09:00–12:00, 13:00–17:00; Fri 09:00–12:00": consecutive
 * weekdays with the same windows are grouped, closed days are left out.
 */
export function describeWorkingWeek(week: WorkingWeek): string {
	let summary = summaries.get(week);
	if (summary === undefined) {
		const groups = groupDays(week).map(describeGroup);
		summary = groups.length > 0 ? groups.join('; ') : 'closed every day';
		summaries.set(week, summary);
	}
	return summary;
}

interface DayGroup {
	first: number;
	last: number;
	windows: string;
}

function groupDays(week: WorkingWeek): DayGroup[] {
	const groups: DayGroup[] = [];
	WEEKDAYS.forEach((weekday, index) => {
		const windows = (week[weekday] ?? []).map((window) => `${window.from}–${window.to}`).join(', ');
		const previous = groups[groups.length - 1];
		if (windows === '') return;
		if (previous && previous.last === index - 1 && previous.windows === windows) {
			previous.last = index;
		} else {
			groups.push({ first: index, last: index, windows });
		}
	});
	return groups;
}

function describeGroup({ first, last, windows }: DayGroup): string {
	const days =
		first === last ? SHORT_DAY_NAMES[first] : `${SHORT_DAY_NAMES[first]}–${SHORT_DAY_NAMES[last]}`;
	return `${days} ${windows}`;
}
