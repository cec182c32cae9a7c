import type { ComposeMode } from '../cadence/definition';

/**
 * The compose engine's vocabulary. It knows nothing of n8n or LangChain; the chat model types come
 * from the one AI call module (engine/ai).
 */

export type { ChatModelLike, ModelReply, PromptMessage } from '../ai';

/** One message of the conversation, oldest first. `followUp` marks what a cadence sent earlier. */
export interface HistoryMessage {
	author: 'contact' | 'agent' | 'followUp';
	text: string;
	/** ISO time, when the source knows it (the store does, an agent's memory does not). */
	at?: string | null;
}

/** Languages the guardrail can recognise by their common words (see language.ts). */
export const LANGUAGE_NAMES = {
	en: 'English',
	es: 'Spanish',
	pt: 'Portuguese',
	fr: 'French',
	de: 'German',
	it: 'Italian',
	nl: 'Dutch',
} as const;
export type LanguageCode = keyof typeof LANGUAGE_NAMES;

/** `auto` follows the conversation; `any` neither asks for nor checks a language. */
export type LanguageChoice = 'auto' | 'any' | LanguageCode;

export interface ComposeRequest {
	mode: ComposeMode;
	/** A task for the AI ("ask whether the question is still relevant"), never the text itself. */
	instruction: string;
	/** The step's own text: sent in static mode, and the fallback whenever the AI cannot deliver. */
	staticText: string;
	persona: string;
	variables: Record<string, unknown>;
	history: HistoryMessage[];
	/**
	 * Follow-ups sent earlier that `history` may not show (an agent's memory rarely stores them).
	 * The prompt lists those missing from `history`, and the repeat check always sees them.
	 */
	earlierFollowUps?: string[];
	channel?: string;
	step?: { number: number; count: number } | null;
	maxLength: number;
	language: LanguageChoice;
	/** The whole budget for the model, retry included: the cadence never waits longer on the AI. */
	timeoutMs: number;
	/**
	 * An AI assisted step whose AI cannot deliver: send the static fallback text at once (the
	 * default: the cadence never stops because of an AI outage), or still ask the reviewer.
	 */
	whenAiFails?: WhenAiFails;
}

export const WHEN_AI_FAILS = ['sendFallback', 'askReviewer'] as const;
export type WhenAiFails = (typeof WHEN_AI_FAILS)[number];

export interface ComposeResult {
	text: string;
	requestedMode: ComposeMode;
	/** What actually produced the text: `static` whenever the fallback was used. */
	modeUsed: ComposeMode;
	model: string | null;
	promptTokens: number | null;
	completionTokens: number | null;
	/** How many times the model was called (0, 1 or 2). */
	attempts: number;
	degraded: boolean;
	degradedReason: string | null;
	/**
	 * The item must wait for a person: an AI-assisted draft, an AI assisted fallback when the
	 * request says "ask the reviewer anyway", or no usable text at all (the AI failed and the
	 * step has no static fallback), so a human writes it instead of nobody.
	 */
	needsApproval: boolean;
}
