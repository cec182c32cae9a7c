import type { INodeExecutionData } from 'n8n-workflow';
import type { CadenceStore } from '../../engine';
import type { ClaimedStep, ConversationMessage } from '../../engine';
import { stepItemJson } from '../shared/step-item';
import { channelDecisions } from './channel-decisions';
import type { TriggerSettings } from './settings';

/**
 * After downtime a backlog goes out over several checks instead of all at once; a check takes at
 * most this many batches.
 */
export const MAX_BATCHES_PER_CHECK = 10;

/**
 * The most due steps one execution carries, whatever the Claim Batch Size. n8n runs an
 * execution's nodes one after another, each handling all its items in one go on n8n's only
 * thread; with the store's synchronous SQLite calls nothing else (not even /healthz) runs until
 * the execution pauses for n8n's own database. So the longest pause n8n makes grows with this
 * number. With 50,000 due at Claim Batch Size 1,000, /healthz took up to 2.3 s with 200 (p95
 * 1.5 s) and up to 0.9 s with 50 (p95 0.4 s), for 31% less throughput (docs/benchmarks.md);
 * 10,000 had stalled n8n for 13–19 s. Since the flow's nodes call the store once per execution,
 * not once per item (issue 14), 100 is no worse than 50: with 5,000 due at the largest Claim
 * Batch Size (`--only=responsive`, quick mode, one after the other), /healthz p95 22 ms and
 * slowest 32 ms with 100, 53 ms and 166 ms with 50; and n8n's own work per execution, about
 * half of an execution's time at 50, is paid half as often.
 */
export const MAX_ITEMS_PER_EXECUTION = 100;

/** How many due steps one claim takes (and one execution carries). */
export function itemsPerExecution(settings: TriggerSettings): number {
	return Math.min(settings.batchSize, MAX_ITEMS_PER_EXECUTION);
}

/**
 * One item per claimed step, with the conversation so far (all of them read in one query) and its
 * channel decided.
 */
export async function claimedItems(
	store: CadenceStore,
	claimed: ClaimedStep[],
	settings: TriggerSettings,
	warn: (message: string) => void,
): Promise<INodeExecutionData[]> {
	// The histories and the channel facts side by side: on Postgres each read has its connection.
	const [histories, decisions] = await Promise.all([
		historiesOf(store, claimed, settings),
		channelDecisions(store, claimed, warn),
	]);
	return claimed.map((step, i) => {
		const history = histories[i];
		if (!(history instanceof Error)) return { json: stepItemJson(step, history, {}, decisions[i]) };
		// The step is already claimed: it goes out without its history rather than not at all.
		const reason = history.message;
		warn(`Could not read the conversation of ${step.enrollment.contactKey}: ${reason}`);
		return { json: stepItemJson(step, [], { historyError: reason }, decisions[i]) };
	});
}

/** Every claimed step's conversation so far, in one query; a failed read fails each step alike. */
async function historiesOf(
	store: CadenceStore,
	claimed: ClaimedStep[],
	settings: TriggerSettings,
): Promise<Array<ConversationMessage[] | Error>> {
	try {
		// An enrollment without a conversation concerns all of the contact's conversations.
		return await store.getConversations(
			claimed.map(({ enrollment }) => ({
				contactKey: enrollment.contactKey,
				conversationKey: enrollment.conversationKey || undefined,
				limit: settings.historyLength,
			})),
		);
	} catch (error) {
		return claimed.map(() => error as Error);
	}
}
