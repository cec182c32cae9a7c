/**
 * The user's own words for "the contact reached the goal" (Record Reply's Goal Phrases): how they
 * are written in the parameter, checked, and found in a message.
 */

export const GOAL_PHRASE_LIMITS = { count: 50, length: 100 } as const;

export type ParsedGoalPhrases = { ok: true; phrases: string[] } | { ok: false; problem: string };

/** Phrases separated by commas or new lines; blanks ignored, duplicates dropped. */
export function parseGoalPhrases(value: unknown): ParsedGoalPhrases {
	if (value === undefined || value === null || value === '') return { ok: true, phrases: [] };
	const list = Array.isArray(value)
		? value
		: typeof value === 'string'
			? value.split(/[,\n]/)
			: null;
	if (!list || list.some((p) => typeof p !== 'string')) {
		return { ok: false, problem: 'write the phrases as text, separated by commas or new lines' };
	}
	const phrases = [
		...new Set((list as string[]).map((p) => p.trim().replace(/\s+/g, ' ')).filter(Boolean)),
	];
	const { count, length } = GOAL_PHRASE_LIMITS;
	if (phrases.length > count) return { ok: false, problem: `use at most ${count} phrases` };
	for (const phrase of phrases) {
		if (!/[\p{L}\d]/u.test(phrase)) {
			return { ok: false, problem: `"${phrase}" has no letters or digits; write words, e.g. paid` };
		}
		if (phrase.length > length) {
			return {
				ok: false,
				problem: `"${phrase.slice(0, 20)}…" is longer than ${length} characters`,
			};
		}
	}
	return { ok: true, phrases };
}

const L = '(?<![\\p{L}\\d])';
const R = '(?![\\p{L}\\d])';

/** The first of `phrases` the message contains as whole words, in any case, or null. */
export function matchGoalPhrase(text: string, phrases: string[]): string | null {
	for (const phrase of phrases) {
		const words = phrase.trim();
		if (!words) continue;
		const escaped = words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
		const found = new RegExp(`${L}${escaped}${R}`, 'iu').exec(text);
		if (found) return found[0];
	}
	return null;
}
