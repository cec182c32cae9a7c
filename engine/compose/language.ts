import { LANGUAGE_NAMES, type LanguageCode } from './types';

/**
 * A small, dependency-free language guess, good enough for one guardrail: "the draft is not in
 * the conversation's language". Two signals:
 *
 * - the writing system (Cyrillic, Greek, Arabic, Hebrew, CJK, Hangul, Thai, Devanagari): a
 *   Cyrillic draft in a Latin-script conversation is wrong whatever the languages are;
 * - for Latin script, counts of very common words in seven languages.
 *
 * Limits, on purpose: a text needs a handful of common words to be recognised (a two-word "Thanks!"
 * is not); languages outside the lists are "unknown" and never fail the check; close pairs
 * (Spanish/Portuguese, Dutch/German) need a clear margin, and when unsure the guess is `null`.
 * A `null` on either side means "do not judge", so the check can only miss, never wrongly reject.
 */

export type DetectedLanguage = LanguageCode | ScriptName;
type ScriptName = keyof typeof SCRIPTS;

const SCRIPTS = {
	cyrillic: /\p{Script=Cyrillic}/u,
	greek: /\p{Script=Greek}/u,
	arabic: /\p{Script=Arabic}/u,
	hebrew: /\p{Script=Hebrew}/u,
	japanese: /[\p{Script=Hiragana}\p{Script=Katakana}]/u,
	korean: /\p{Script=Hangul}/u,
	chinese: /\p{Script=Han}/u,
	thai: /\p{Script=Thai}/u,
	devanagari: /\p{Script=Devanagari}/u,
} as const;

const STOP_WORDS: Record<LanguageCode, string> = {
	en: 'the and you is are to of it that for with have this your be not was we what just do can will would about there hi thanks been if our how when',
	es: 'el la los las que de y es en un una por para con no se su lo como pero más está hola gracias usted tu muy sí también del al sus esto todavía',
	pt: 'o os as que de e é em um uma não com para por se do da dos das você obrigado olá está mas também muito ao isso ainda tudo bem seu sua',
	fr: 'le la les de et est un une que vous pas pour dans ce il je sur avec ne au du des bonjour merci oui mais très nous votre toujours',
	de: 'der die das und ist nicht ich sie du ein eine zu mit den auf für es auch noch wir hallo danke ihr bitte haben sind wie dem ihnen',
	it: 'il lo la che di e è un una per non con sono mi ti ci ma anche del della grazie ciao sei questo come più molto gli ancora',
	nl: 'de het een en is van ik je niet dat op te met voor zijn er maar ook wat hoe bedankt hallo jij u we naar dit nog wel',
};

const WORD_SETS = Object.fromEntries(
	Object.entries(STOP_WORDS).map(([code, words]) => [code, new Set(words.split(' '))]),
) as Record<LanguageCode, Set<string>>;

/** At least this many common-word hits before a Latin-script text counts as recognised. */
const MIN_HITS = 3;
/** The winner must beat the runner-up by this factor (Spanish and Portuguese share many words). */
const MARGIN = 1.3;

export function detectLanguage(text: string): DetectedLanguage | null {
	const letters = [...text].filter((c) => /\p{L}/u.test(c));
	if (letters.length === 0) return null;
	const script = dominantScript(letters);
	if (script) return script;
	const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
	const scores = (Object.keys(WORD_SETS) as LanguageCode[])
		.map((code) => ({ code, hits: words.filter((w) => WORD_SETS[code].has(w)).length }))
		.sort((a, b) => b.hits - a.hits);
	const [best, second] = scores;
	if (best.hits < MIN_HITS || best.hits < second.hits * MARGIN) return null;
	return best.code;
}

/** A non-Latin writing system used by at least 40% of the letters, checked most specific first. */
function dominantScript(letters: string[]): ScriptName | null {
	for (const [name, pattern] of Object.entries(SCRIPTS) as Array<[ScriptName, RegExp]>) {
		const count = letters.filter((c) => pattern.test(c)).length;
		if (count / letters.length >= 0.4) return name;
	}
	return null;
}

/** The conversation's language: what the contact writes, else the whole thread, else `extra`. */
export function conversationLanguage(
	history: Array<{ author: string; text: string }>,
	extra = '',
): DetectedLanguage | null {
	const join = (messages: Array<{ text: string }>) => messages.map((m) => m.text).join('\n');
	return (
		detectLanguage(join(history.filter((m) => m.author === 'contact'))) ??
		detectLanguage(join(history)) ??
		detectLanguage(extra)
	);
}

export function isLanguageCode(language: DetectedLanguage): language is LanguageCode {
	return language in LANGUAGE_NAMES;
}

/** "Spanish", or for a writing system "Cyrillic script": both read well after "is in". */
export function languageName(language: DetectedLanguage): string {
	if (isLanguageCode(language)) return LANGUAGE_NAMES[language];
	return `${language[0].toUpperCase()}${language.slice(1)} script`;
}
