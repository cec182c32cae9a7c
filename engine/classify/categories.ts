import type { InboundInput } from '../store/inputs';
import type { Millis } from '../store/types';

/**
 * What a contact's message can mean for their follow-ups, and what the cadence store does about
 * each. This table is the one place the meaning of a category is decided: the keyword classifier,
 * the model's answer and Record Reply all go through it.
 */
export const REPLY_CATEGORIES = [
	'goal',
	'positive',
	'objection',
	'busy',
	'outOfOffice',
	'stop',
	'autoReply',
	'other',
] as const;
export type ReplyCategory = (typeof REPLY_CATEGORIES)[number];

/**
 * - `policy`: whatever the cadence does on a reply (exit, restart, pause; a cadence set to
 *   "classify" falls back to exit in the store, the safest);
 * - `pause`: hold the cadence until the time the contact mentioned, or the cadence's pause length;
 * - `goal`: the goal is reached (booked, paid): each cadence that exits on its goal ends with
 *   reason "goal"; one that does not applies its reply policy;
 * - `optOut`: suppress the contact for every cadence, for good;
 * - `ignore`: record the message, change nothing (it was not a person answering).
 */
export type CategoryEffect = 'policy' | 'pause' | 'goal' | 'optOut' | 'ignore';

interface CategoryInfo {
	label: string;
	effect: CategoryEffect;
	/** For the prompt: what belongs in the category. */
	meaning: string;
}

export const CATEGORIES: Record<ReplyCategory, CategoryInfo> = {
	goal: {
		label: 'Goal reached',
		effect: 'goal',
		meaning:
			'says the goal is already reached: has booked, paid, signed, bought or done what the follow-ups ask for',
	},
	positive: {
		label: 'Positive',
		effect: 'policy',
		meaning: 'interested, agrees, wants to go ahead, books, says yes',
	},
	objection: {
		label: 'Question or objection',
		effect: 'policy',
		meaning: 'asks something, hesitates, raises price, timing or competitor concerns',
	},
	busy: {
		label: 'Busy',
		effect: 'pause',
		meaning: 'busy now, in a meeting, driving, asks to be contacted later or at a specific time',
	},
	outOfOffice: {
		label: 'Out of office',
		effect: 'pause',
		meaning: 'away, on holiday or on leave, often an automatic message with a return date',
	},
	stop: {
		label: 'Stop / not interested',
		effect: 'optOut',
		meaning: 'not interested, asks to stop messaging, unsubscribe, remove me',
	},
	autoReply: {
		label: 'Auto-reply',
		effect: 'ignore',
		meaning: 'an automatic answer that is not a person replying and not an out-of-office',
	},
	other: {
		label: 'Other',
		effect: 'policy',
		meaning: 'anything else',
	},
};

/** What Record Reply passes to the store: the action override and, for a pause, its end. */
export interface ReplyPlan {
	/** Undefined: each cadence applies its own reply policy. */
	action: InboundInput['action'];
	/** For a pause: when the follow-ups carry on; undefined uses the cadence's pause length. */
	pauseUntil: Millis | undefined;
}

export function planFor(category: ReplyCategory, resumeAt: Millis | null): ReplyPlan {
	switch (CATEGORIES[category].effect) {
		case 'pause':
			return { action: 'pause', pauseUntil: resumeAt ?? undefined };
		case 'goal':
			return { action: 'goal', pauseUntil: undefined };
		case 'optOut':
			return { action: 'optOut', pauseUntil: undefined };
		case 'ignore':
			return { action: 'ignore', pauseUntil: undefined };
		default:
			return { action: undefined, pauseUntil: undefined };
	}
}

/** Loose spellings a model (or a person writing an expression) may use for a category. */
const SYNONYMS: Record<string, ReplyCategory> = {
	goal: 'goal',
	goalreached: 'goal',
	booked: 'goal',
	paid: 'goal',
	converted: 'goal',
	positive: 'positive',
	interested: 'positive',
	yes: 'positive',
	objection: 'objection',
	question: 'objection',
	questionobjection: 'objection',
	questionorobjection: 'objection',
	busy: 'busy',
	later: 'busy',
	specifictime: 'busy',
	outofoffice: 'outOfOffice',
	ooo: 'outOfOffice',
	away: 'outOfOffice',
	vacation: 'outOfOffice',
	stop: 'stop',
	notinterested: 'stop',
	stopnotinterested: 'stop',
	unsubscribe: 'stop',
	optout: 'stop',
	autoreply: 'autoReply',
	automaticreply: 'autoReply',
	other: 'other',
	unknown: 'other',
};

/** The category a loosely written name means, or null. */
export function normalizeCategory(value: string): ReplyCategory | null {
	const key = value.toLowerCase().replace(/[^a-z]/g, '');
	return SYNONYMS[key] ?? null;
}
