import { DateTime } from 'luxon';
import { resolveTimePhrase } from '../../../engine/classify/time-phrases';

/** Monday 2 March 2026, 10:00 in Berlin (09:00 UTC). */
const zone = 'Europe/Berlin';
const now = DateTime.fromISO('2026-03-02T10:00', { zone }).toMillis();
const at = (text: string, timeZone = zone, from = now) => {
	const found = resolveTimePhrase(text, { now: from, timeZone });
	return (
		found && DateTime.fromMillis(found.at, { zone: timeZone }).toFormat('ccc yyyy-MM-dd HH:mm')
	);
};

describe('resolveTimePhrase', () => {
	it.each([
		['call me tomorrow at 3', 'Tue 2026-03-03 15:00'],
		['Tomorrow 10am works', 'Tue 2026-03-03 10:00'],
		['at 3 tomorrow please', 'Tue 2026-03-03 15:00'],
		['tomorrow morning', 'Tue 2026-03-03 09:00'],
		['tomorrow', 'Tue 2026-03-03 09:00'],
		['the day after tomorrow at 11:30', 'Wed 2026-03-04 11:30'],
		['after 5pm', 'Mon 2026-03-02 17:00'],
		['after 5', 'Mon 2026-03-02 17:00'],
		['at 9', 'Tue 2026-03-03 09:00'],
		['call me at 15:30', 'Mon 2026-03-02 15:30'],
		['tonight', 'Mon 2026-03-02 19:00'],
		['this afternoon', 'Mon 2026-03-02 14:00'],
		['in 2 hours', 'Mon 2026-03-02 12:00'],
		['in half an hour', 'Mon 2026-03-02 10:30'],
		['in 3 days', 'Thu 2026-03-05 10:00'],
		['in a couple of days at 4pm', 'Wed 2026-03-04 16:00'],
		['next Monday', 'Mon 2026-03-09 09:00'],
		['on friday at noon', 'Fri 2026-03-06 12:00'],
		['Wednesday 2:30 pm', 'Wed 2026-03-04 14:30'],
		['next week', 'Mon 2026-03-09 09:00'],
		['back on March 16', 'Mon 2026-03-16 09:00'],
		['out until 3rd of April', 'Fri 2026-04-03 09:00'],
		['back on the 20th', 'Fri 2026-03-20 09:00'],
		['back on the 1st', 'Wed 2026-04-01 09:00'],
		['2026-03-10', 'Tue 2026-03-10 09:00'],
		['2026-03-10 14:00', 'Tue 2026-03-10 14:00'],
		['llámame mañana a las 4', 'Tue 2026-03-03 16:00'],
		['demain à 15h', 'Tue 2026-03-03 15:00'],
		['morgen um 14:30', 'Tue 2026-03-03 14:30'],
		['mañana at 4pm', 'Tue 2026-03-03 16:00'],
		['amanhã', 'Tue 2026-03-03 09:00'],
		['demain', 'Tue 2026-03-03 09:00'],
	])('%s → %s', (text, expected) => {
		expect(at(text)).toBe(expected);
	});

	it('reads "tomorrow at 3" in the contact’s own time zone', () => {
		const found = resolveTimePhrase('tomorrow at 3', { now, timeZone: 'America/New_York' });
		expect(new Date(found!.at).toISOString()).toBe('2026-03-03T20:00:00.000Z');
	});

	it('is DST-safe: "tomorrow at 9" across the spring change is 9:00 local', () => {
		const before = DateTime.fromISO('2026-03-28T12:00', { zone }).toMillis();
		expect(at('tomorrow at 9', zone, before)).toBe('Sun 2026-03-29 09:00');
	});

	it('understands nothing that is not a time, and nothing in the past', () => {
		for (const text of [
			'',
			'ok thanks',
			'I have 2 kids',
			'Guten Morgen!',
			'this morning',
			'today',
		]) {
			expect([text, at(text)]).toEqual([text, null]);
		}
	});

	it('says which words it understood', () => {
		expect(
			resolveTimePhrase('Busy now, call me tomorrow at 3', { now, timeZone: zone })?.phrase,
		).toBe('tomorrow … at 3');
	});
});
