import type { INodeExecutionData } from 'n8n-workflow';
import type { CadenceStore } from '../../engine';
import type { ClaimedStep, ConversationMessage } from '../../engine';
import { stepItemJson } from '../shared/step-item';
import type { TriggerSettings } from './settings';

/**
 * After downtime a backlog goes out over several checks instead of all at once; a check takes at
 * most this many batches.
 */
export const MAX_BATCHES_PER_CHECK = 10;

/**
 * The most due steps one execution carries, whatever the Claim Batch Size. Every node of the flow
 * handles an execution's items in one go, and n8n saves them as one record: with 10,000 items
 * n8n stopped answering for seconds at a time and grew to 1.5 GB. Bigger batches are claimed in
 * one round trip and go out as several executions, one after another.
 */
export const MAX_ITEMS_PER_EXECUTION = 200;

/** How many due steps one claim takes (and one execution carries). */
export function itemsPerExecution(settings: TriggerSettings): number {
	return Math.min(settings.batchSize, MAX_ITEMS_PER_EXECUTION);
}

/** One item per claimed step, with the conversation so far. */
export async function claimedItems(
	store: CadenceStore,
	claimed: ClaimedStep[],
	settings: TriggerSettings,
	warn: (message: string) => void,
): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = [];
	for (const step of claimed) items.push(await stepItem(store, step, settings, warn));
	return items;
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
