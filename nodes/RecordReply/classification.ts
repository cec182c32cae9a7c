import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { classifyReply, matchGoalPhrase, type Classification } from '../../engine/classify';
import type { InboundInput } from '../../engine';
import type { CadenceStore } from '../../engine';
import { executionSignal, readChatModel } from '../shared/chat-model';
import { iso } from '../shared/output';

/**
 * The n8n side of "Let AI Classify": which cadences the message concerns, the contact's time
 * zone, the conversation so far, and the chat model if one is connected. The engine decides what
 * the message means and what that does (engine/classify); this only gathers and passes on.
 */

export interface ClassifiedReply {
	classification: Classification;
	/** The action to pass to the store (undefined: each cadence's own policy). */
	action: InboundInput['action'];
	pauseUntil: number | undefined;
	/** Set when the verdict could not be applied as it stands, saying why. */
	note: string | null;
}

interface RunningCadence {
	classifies: boolean;
	timeZone: string | null;
}

/**
 * What a cadence set to "classify" needs, even when What to Do is "each cadence's policy": the
 * store applies one action to every running cadence of the contact, so when some classify and
 * others do not, only a stop (which suppresses the contact everywhere anyway) and a reached goal
 * (each cadence then applies its own goal rule) are applied to all; the classifying ones
 * otherwise fall back to the store's safe default, stopping. With each cadence's policy and none
 * classifying, the message is read only for the user's goal phrases (Goal Phrases option).
 */
export async function classifyIfNeeded(
	context: IExecuteFunctions,
	store: CadenceStore,
	input: InboundInput,
	chosen: 'classify' | 'policy',
	options: { timeZone: string; timeoutMs: number; itemIndex: number; goalPhrases: string[] },
): Promise<ClassifiedReply | null> {
	const running = await runningCadences(store, input);
	const classifying = running.filter((r) => r.classifies).length;
	// With each cadence's own policy, only the user's goal phrases are read, and without a model.
	const byPhraseOnly = chosen === 'policy' && classifying === 0;
	if (byPhraseOnly && !matchGoalPhrase(input.text ?? '', options.goalPhrases)) return null;

	const history = await store.getConversation({
		contactKey: input.contactKey,
		conversationKey: input.conversationKey || undefined,
		limit: 10,
	});
	const timeZone =
		options.timeZone || running.find((r) => r.timeZone)?.timeZone || context.getTimezone() || 'UTC';
	const classification = await classifyReply({
		text: input.text ?? '',
		now: input.at ?? Date.now(),
		timeZone,
		history: history.map((m) => ({ author: m.author, text: m.text })),
		model: byPhraseOnly ? null : await readChatModel(context, options.itemIndex),
		timeoutMs: options.timeoutMs,
		signal: executionSignal(context),
		goalPhrases: options.goalPhrases,
	});
	const { action, pauseUntil } = classification.plan;
	const mixed = chosen === 'policy' && classifying < running.length;
	// A stop and a reached goal mean the same for every cadence; each applies its own exit rules.
	if (byPhraseOnly || !mixed || action === 'optOut' || action === 'goal') {
		return { classification, action, pauseUntil, note: null };
	}
	return {
		classification,
		action: undefined,
		pauseUntil: undefined,
		note:
			action === undefined
				? null
				: `Only some of the contact’s cadences classify replies, so each applied its own policy; those set to classify stopped instead of "${action}".`,
	};
}

async function runningCadences(
	store: CadenceStore,
	input: InboundInput,
): Promise<RunningCadence[]> {
	const conversation = input.conversationKey ?? '';
	const enrollments = [
		...(await store.listEnrollments({
			contactKey: input.contactKey,
			state: 'active',
			limit: 1000,
		})),
		...(await store.listEnrollments({
			contactKey: input.contactKey,
			state: 'paused',
			limit: 1000,
		})),
	].filter(
		// The same rule the store uses to pick the cadences a message concerns.
		(e) => !conversation || !e.conversationKey || e.conversationKey === conversation,
	);
	const result: RunningCadence[] = [];
	for (const e of enrollments) {
		const cadence = await store.getCadence(e.cadenceId, e.version);
		const definition = cadence?.definition;
		result.push({
			classifies: definition?.reply.action === 'classify',
			timeZone: e.timeZone ?? definition?.schedule.timeZone ?? null,
		});
	}
	return result;
}

/** The classification as it appears on every output item. */
export function classificationJson(reply: ClassifiedReply): IDataObject {
	const c = reply.classification;
	return {
		category: c.category,
		label: c.label,
		action: reply.action ?? 'policy',
		resumeAt: iso(c.resumeAt),
		resumeText: c.resumeText,
		confidence: c.confidence,
		by: c.source,
		reason: c.reason,
		fallbackReason: c.fallbackReason,
		...(reply.note ? { note: reply.note } : {}),
	};
}
