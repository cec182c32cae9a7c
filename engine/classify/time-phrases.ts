import { DateTime } from 'luxon';
import type { Millis } from '../store/types';

/**
 * Finds when a contact asked to be contacted again ("call me tomorrow at 3", "back on Monday",
 * "after 5pm", "in 2 hours") and turns it into an instant in their time zone.
 *
 * This is the fallback for when no chat model is connected or its answer had no usable time; the
 * model is asked for an ISO time computed from a "now" we give it, which handles far more. Limits,
 * on purpose, so that a guess never moves a follow-up somewhere surprising:
 * - English phrasing, plus "tomorrow", "next week", the weekdays and "after the holidays" in
 *   Spanish, Portuguese, French and German;
 * - numeric dates only as ISO (2026-03-05): 03/05 means different days in different countries;
 * - an hour without am/pm from 1 to 7 is read as afternoon ("call me at 3" → 15:00), the way
 *   people talk about business hours;
 * - a weekday means its next occurrence after today; "next Monday" means the same;
 * - a day without a time means the start of that day's business (`dayStartHour`, 9:00);
 * - "next week" means its Monday; "after the holidays" (Christmas, New Year) said from December
 *   to 6 January means 7 January, the first day after the season in every language covered;
 *   said at any other time of year it is not a date, and the cadence's pause length applies;
 * - anything that resolves to the past, or that is not recognised, gives null.
 */

export interface PhraseContext {
	now: Millis;
	/** IANA zone the contact lives in: "tomorrow at 3" is 15:00 there. */
	timeZone: string;
	/** The hour a day-only phrase ("on Monday") means. */
	dayStartHour?: number;
}

export interface ResolvedTime {
	at: Millis;
	/** The words that were understood, for the output and the timeline. */
	phrase: string;
}

const L = '(?<![\\p{L}\\d])';
const R = '(?![\\p{L}\\d])';
const rx = (source: string) => new RegExp(`${L}(?:${source})${R}`, 'iu');

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
/**
 * The weekdays in Spanish, Portuguese, French and German, Monday first. Portuguese working days
 * need "-feira": a bare "segunda" or "quinta" is also "second" or "fifth".
 */
const FOREIGN_WEEKDAYS: string[][] = [
	['lunes', 'segunda-feira', 'lundi', 'montag'],
	['martes', 'terça-feira', 'terca-feira', 'mardi', 'dienstag'],
	['miércoles', 'miercoles', 'quarta-feira', 'mercredi', 'mittwoch'],
	['jueves', 'quinta-feira', 'jeudi', 'donnerstag'],
	['viernes', 'sexta-feira', 'vendredi', 'freitag'],
	['sábado', 'sabado', 'samedi', 'samstag', 'sonnabend'],
	['domingo', 'dimanche', 'sonntag'],
];
const WEEKDAY_NAMES = [...WEEKDAYS, ...FOREIGN_WEEKDAYS.flat()];
function weekdayNumber(name: string): number {
	const lower = name.toLowerCase();
	const english = WEEKDAYS.indexOf(lower);
	return (english >= 0 ? english : FOREIGN_WEEKDAYS.findIndex((d) => d.includes(lower))) + 1;
}
const MONTHS: Record<string, number> = {
	jan: 1,
	feb: 2,
	mar: 3,
	apr: 4,
	may: 5,
	jun: 6,
	jul: 7,
	aug: 8,
	sep: 9,
	oct: 10,
	nov: 11,
	dec: 12,
};
const MONTH =
	'(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?';
const ORDINAL = '(\\d{1,2})(?:st|nd|rd|th)?';
const NUMBER_WORDS: Record<string, number> = {
	a: 1,
	an: 1,
	one: 1,
	two: 2,
	three: 3,
	four: 4,
	five: 5,
	six: 6,
	seven: 7,
	eight: 8,
	nine: 9,
	ten: 10,
	'a couple of': 2,
	'a few': 3,
};

/** Parts of the day: their usual hour. */
const DAY_PARTS: Record<string, number> = {
	morning: 9,
	noon: 12,
	midday: 12,
	lunchtime: 12,
	afternoon: 14,
	evening: 18,
	tonight: 19,
	eod: 17,
	'end of day': 17,
	'end of the day': 17,
};

const PATTERNS = {
	iso: /(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{1,2}):(\d{2}))?/i,
	relative: rx(
		`in\\s+(\\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|half an)\\s+(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)`,
	),
	dayAfterTomorrow: rx('(?:the\\s+)?day after tomorrow'),
	// "Guten Morgen" is good morning and "por la mañana" in the morning: not tomorrow.
	tomorrow: rx('tomorrow|tmrw|amanhã|demain|(?<!guten\\s)morgen|(?<!la\\s)mañana'),
	today: rx('today|tonight|this\\s+(?:morning|afternoon|evening)'),
	nextWeek: rx(
		'next\\s+week|(?:la\\s+)?(?:próxima|proxima)\\s+semana|la\\s+semana\\s+que\\s+viene|semana\\s+que\\s+vem|(?:la\\s+)?semaine\\s+prochaine|nächste\\s+woche|kommende\\s+woche',
	),
	afterHolidays: rx(
		"(?:after|past)\\s+(?:the\\s+)?(?:holidays|christmas|new\\s+year(?:['’]s)?|festive\\s+season)|después\\s+de\\s+(?:las\\s+fiestas|navidad|año\\s+nuevo)|depois\\s+(?:das\\s+festas|do\\s+natal|do\\s+ano\\s+novo)|après\\s+(?:les\\s+fêtes|noël|le\\s+nouvel\\s+an)|nach\\s+(?:den\\s+feiertagen|weihnachten|neujahr)",
	),
	weekday: rx(
		`(?:(?:next|this|on|until|till|el|le|am|na|no|o|la)\\s+)?(${WEEKDAY_NAMES.join('|')})`,
	),
	dayMonth: rx(`${ORDINAL}(?:\\s+of)?\\s+${MONTH}`),
	monthDay: rx(`${MONTH}\\s+${ORDINAL}`),
	dayOfMonth: rx('the\\s+(\\d{1,2})(?:st|nd|rd|th)'),
	// "a las", "às", "à", "um": the same "at" in Spanish, Portuguese, French and German.
	clock: rx(
		'(?:(at|around|after|by|from|@|a las|às|à|um)\\s*)?(\\d{1,2})(?:[:h](\\d{2})|(h))?\\s*(a\\.?m\\.?|p\\.?m\\.?)?',
	),
	dayPart: rx(Object.keys(DAY_PARTS).join('|')),
};

interface Day {
	date: DateTime;
	/** The day part that came with it ("tonight"), used when no clock time is given. */
	hour?: number;
	phrase: string;
	index: number;
}

export function resolveTimePhrase(text: string, context: PhraseContext): ResolvedTime | null {
	const now = DateTime.fromMillis(context.now, { zone: context.timeZone });
	if (!now.isValid || !text.trim()) return null;
	const iso = isoTime(text, context.timeZone);
	if (iso) return future(iso.date, iso.phrase, now);

	const relative = PATTERNS.relative.exec(text);
	if (relative) {
		const at = now.plus(duration(relative[1], relative[2]));
		// "In 2 hours" and "in 3 days" are exact; "in 3 days at 10" takes the clock time given.
		const span: Day = { date: at, phrase: relative[0], index: relative.index };
		const clock = /^(min|hour|hr)/i.test(relative[2]) ? undefined : findTime(text, span);
		if (!clock) return future(at, relative[0], now);
		return future(at.set({ hour: clock.hour, minute: clock.minute }), join(span, clock), now);
	}
	const day = findDay(text, now);
	const clock = findTime(text, day);
	if (!day && !clock) return null;
	const hour = clock?.hour ?? day?.hour ?? context.dayStartHour ?? 9;
	const minute = clock?.minute ?? 0;
	let at = (day?.date ?? now).startOf('day').set({ hour, minute });
	// A time alone is the next time the clock shows it: "at 3" said at 16:00 means tomorrow.
	if (!day && at <= now) at = at.plus({ days: 1 });
	return future(at, join(day, clock), now);
}

function join(...parts: Array<{ phrase: string; index: number } | undefined>): string {
	return parts
		.filter((p): p is { phrase: string; index: number } => p !== undefined)
		.sort((a, b) => a.index - b.index)
		.map((p) => p.phrase)
		.join(' … ');
}

function future(at: DateTime, phrase: string, now: DateTime): ResolvedTime | null {
	return at.isValid && at > now ? { at: at.toMillis(), phrase: phrase.trim() } : null;
}

function isoTime(text: string, zone: string): { date: DateTime; phrase: string } | null {
	const m = PATTERNS.iso.exec(text);
	if (!m) return null;
	const [, y, mo, d, h, mi] = m;
	const date = DateTime.fromObject(
		{ year: +y, month: +mo, day: +d, hour: h ? +h : 9, minute: mi ? +mi : 0 },
		{ zone },
	);
	return date.isValid ? { date, phrase: m[0] } : null;
}

function duration(amount: string, unit: string): Record<string, number> {
	const key = amount.toLowerCase();
	const n = key === 'half an' ? 0.5 : (NUMBER_WORDS[key] ?? Number(key));
	const u = unit.toLowerCase();
	if (u.startsWith('min')) return { minutes: n };
	if (u.startsWith('h')) return { minutes: Math.round(n * 60) };
	if (u.startsWith('d')) return { days: n };
	if (u.startsWith('w')) return { weeks: n };
	return { months: n };
}

/** The first day named in the text, by position. */
function findDay(text: string, now: DateTime): Day | undefined {
	const candidates: Day[] = [];
	const add = (m: RegExpExecArray | null, date: DateTime | null, hour?: number) => {
		if (m && date?.isValid) candidates.push({ date, hour, phrase: m[0], index: m.index });
	};
	const today = now.startOf('day');
	// "The day after tomorrow" starts before the "tomorrow" inside it, so it wins the sort below.
	add(PATTERNS.dayAfterTomorrow.exec(text), today.plus({ days: 2 }));
	add(PATTERNS.tomorrow.exec(text), today.plus({ days: 1 }));
	const todayMatch = PATTERNS.today.exec(text);
	add(todayMatch, today, todayMatch ? partHour(todayMatch[0]) : undefined);
	add(PATTERNS.nextWeek.exec(text), today.plus({ weeks: 1 }).startOf('week'));
	add(PATTERNS.afterHolidays.exec(text), afterTheHolidays(today));
	const weekday = PATTERNS.weekday.exec(text);
	if (weekday) {
		const target = weekdayNumber(weekday[1]);
		add(weekday, today.plus({ days: ((target - today.weekday + 6) % 7) + 1 }));
	}
	const dm = PATTERNS.dayMonth.exec(text);
	if (dm) add(dm, calendarDay(today, monthOf(dm[2]), +dm[1]));
	const md = PATTERNS.monthDay.exec(text);
	if (md) add(md, calendarDay(today, monthOf(md[1]), +md[2]));
	const dom = PATTERNS.dayOfMonth.exec(text);
	if (dom) {
		const inMonth = today.set({ day: +dom[1] });
		const date =
			+dom[1] > today.daysInMonth! || inMonth <= today ? nextMonthDay(today, +dom[1]) : inMonth;
		add(dom, date);
	}
	return candidates.sort((a, b) => a.index - b.index)[0];
}

/** 7 January after the Christmas and New Year season, when said during it; otherwise null. */
function afterTheHolidays(today: DateTime): DateTime | null {
	if (today.month === 12) return today.set({ day: 7 }).plus({ years: 1 }).set({ month: 1 });
	if (today.month === 1 && today.day <= 6) return today.set({ day: 7 });
	return null;
}

function partHour(words: string): number | undefined {
	const lower = words.toLowerCase();
	// Longest first: "afternoon" contains "noon".
	const part = Object.keys(DAY_PARTS)
		.sort((a, b) => b.length - a.length)
		.find((p) => lower.includes(p));
	return part ? DAY_PARTS[part] : undefined;
}

function monthOf(name: string): number {
	return MONTHS[name.toLowerCase().slice(0, 3)];
}

/** That calendar day this year, or next year once it has passed. */
function calendarDay(today: DateTime, month: number, day: number): DateTime | null {
	const date = DateTime.fromObject({ year: today.year, month, day }, { zone: today.zone });
	if (!date.isValid) return null;
	return date < today ? date.plus({ years: 1 }) : date;
}

function nextMonthDay(today: DateTime, day: number): DateTime {
	let month = today.startOf('month').plus({ months: 1 });
	while (day > month.daysInMonth!) month = month.plus({ months: 1 });
	return month.set({ day });
}

interface Time {
	hour: number;
	minute: number;
	phrase: string;
	index: number;
}

/** A clock time ("at 3", "3:30pm", "15:00", "after 5") or a part of the day ("morning"). */
function findTime(text: string, day: Day | undefined): Time | undefined {
	const clock = new RegExp(PATTERNS.clock.source, 'giu');
	for (let m = clock.exec(text); m; m = clock.exec(text)) {
		const [, prefix, h, mi, hours, meridiem] = m;
		// A bare number is not a time ("2 apples"); it needs "at", minutes, "h" or am/pm.
		if (!prefix && !mi && !hours && !meridiem) continue;
		// Part of a date already understood ("March 3", "the 5th").
		if (day && m.index >= day.index && m.index < day.index + day.phrase.length) continue;
		const hour = to24h(+h, meridiem);
		const minute = mi ? +mi : 0;
		if (hour === null || minute > 59) continue;
		return { hour, minute, phrase: m[0].trim(), index: m.index };
	}
	const part = PATTERNS.dayPart.exec(text);
	if (part && !(day && day.phrase.toLowerCase().includes(part[0].toLowerCase()))) {
		return {
			hour: DAY_PARTS[part[0].toLowerCase()],
			minute: 0,
			phrase: part[0],
			index: part.index,
		};
	}
	return undefined;
}

function to24h(hour: number, meridiem: string | undefined): number | null {
	if (meridiem) {
		if (hour < 1 || hour > 12) return null;
		const pm = meridiem.toLowerCase().startsWith('p');
		return (hour % 12) + (pm ? 12 : 0);
	}
	if (hour > 23) return null;
	// "Call me at 3" during business talk means 15:00, not 3 in the night.
	return hour >= 1 && hour <= 7 ? hour + 12 : hour;
}
