import type { INodeExecutionData } from 'n8n-workflow';
import type { CadenceStore } from '../../engine/store/store';
import type { ClaimedStep, ConversationMessage } from '../../engine/store/types';
import { stepItemJson } from '../shared/step-item';
import type { TriggerSettings } from './settings';

/**
 * After downtime a backlog goes out over several checks instead of as one giant execution; a
 * check takes at most this many batches.
 */
export const MAX_BATCHES_PER_CHECK = 10;

/**
 * Claims due steps batch by batch until a batch comes back short, pushing one item per step onto
 * `into` as it goes: a claimed step is never handed out again (at-most-once), so whatever was
 * claimed before a later batch fails must still reach the flow.
 */
export async function claimDueSteps(
	store: CadenceStore,
	cadence: string,
	settings: TriggerSettings,
	into: INodeExecutionData[],
	warn: (message: string) => void,
): Promise<void> {
	for (let batch = 0; batch < MAX_BATCHES_PER_CHECK; batch++) {
		const claimed = await store.claimDue({ cadence, limit: settings.batchSize });
		for (const step of claimed) into.push(await stepItem(store, step, settings, warn));
		if (claimed.length < settings.batchSize) return;
	}
}

async function stepItem(
	store: CadenceStore,
	step: ClaimedStep,
	settings: TriggerSettings,
	warn: (message: string) => void,
): Promise<INodeExecutionData> {
	const { contactKey, conversationKey } = step.enrollment;
	let history: ConversationMessage[] = [];
	try {
		// An enrollment without a conversation concerns all of the contact's conversations.
		history = await store.getConversation({
			contactKey,
			conversationKey: conversationKey || undefined,
			limit: settings.historyLength,
		});
	} catch (error) {
		// The step is already claimed: it goes out without its history rather than not at all.
		const reason = (error as Error).message;
		warn(`Could not read the conversation of ${contactKey}: ${reason}`);
		return { json: stepItemJson(step, [], { historyError: reason }) };
	}
	return { json: stepItemJson(step, history) };
}
