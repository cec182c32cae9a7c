import {
	conversationLanguage,
	detectLanguage,
	languageName,
	type DetectedLanguage,
} from './language';
import { placeholdersIn } from './render-template';
import { likeness, trigrams } from './similarity';
import type { ComposeRequest } from './types';

/**
 * The checks an AI draft must pass before it may go out. Each failure carries a reason written
 * for the model (it is fed back for the one regeneration) and for the person reading the step run.
 */

/** Trigram Jaccard at or above this means "the same message, lightly reworded". */
export const NEAR_REPEAT_JACCARD = 0.6;
/** This much of the draft's trigrams already in one earlier follow-up is a shortened copy. */
export const NEAR_REPEAT_CONTAINMENT = 0.85;
/** Below this many trigrams (about 15 characters) containment says nothing: "Hi Ann!" is fine. */
const MIN_TRIGRAMS_FOR_CONTAINMENT = 15;

export type Verdict = { ok: true } | { ok: false; rule: GuardrailRule; reason: string };
export type GuardrailRule = 'empty' | 'length' | 'placeholder' | 'repeat' | 'language';

/** The language the draft must be in, or null when it cannot or need not be checked. */
export function expectedLanguage(request: ComposeRequest): DetectedLanguage | null {
	if (request.language === 'any') return null;
	if (request.language !== 'auto') return request.language;
	return conversationLanguage(request.history, request.staticText);
}

export function checkDraft(
	draft: string,
	request: ComposeRequest,
	earlierFollowUps: string[],
	language: DetectedLanguage | null,
): Verdict {
	if (draft.trim() === '') return fail('empty', 'the reply was empty; write the message itself');
	if (draft.length > request.maxLength) {
		return fail(
			'length',
			`the draft is ${draft.length} characters long; the limit is ${request.maxLength}. Write a shorter message`,
		);
	}
	const placeholders = placeholdersIn(draft);
	if (placeholders.length > 0) {
		return fail(
			'placeholder',
			`the draft contains the placeholder {{${placeholders[0]}}}; write the actual words, or leave that detail out`,
		);
	}
	const repeated = nearRepeat(draft, earlierFollowUps);
	if (repeated !== null) {
		return fail(
			'repeat',
			`the draft repeats an earlier follow-up ("${clip(repeated)}"); take a different angle and different wording`,
		);
	}
	if (language) {
		const draftLanguage = detectLanguage(draft);
		if (draftLanguage && draftLanguage !== language) {
			return fail(
				'language',
				`the draft is in ${languageName(draftLanguage)}, but the conversation is in ${languageName(language)}; write it in ${languageName(language)}`,
			);
		}
	}
	return { ok: true };
}

/** The earlier follow-up the draft repeats or nearly repeats, or null. */
export function nearRepeat(draft: string, earlier: string[]): string | null {
	const size = trigrams(draft).size;
	for (const previous of earlier) {
		const { jaccard, containment } = likeness(draft, previous);
		if (jaccard >= NEAR_REPEAT_JACCARD) return previous;
		if (size >= MIN_TRIGRAMS_FOR_CONTAINMENT && containment >= NEAR_REPEAT_CONTAINMENT)
			return previous;
	}
	return null;
}

function fail(rule: GuardrailRule, reason: string): Verdict {
	return { ok: false, rule, reason };
}

function clip(text: string): string {
	return text.length <= 80 ? text : `${text.slice(0, 77)}…`;
}
