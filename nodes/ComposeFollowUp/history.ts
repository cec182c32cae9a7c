import type { IExecuteFunctions } from 'n8n-workflow';
import type { ComposeRequest, HistoryMessage } from '../../engine/compose';
import type { CadenceStore } from '../../engine';
import { memoryHistory } from './connections';
import type { ItemPlan } from './item-request';
import type { ComposeParameters } from './parameters';

export interface ItemHistory {
	request: ComposeRequest;
	/** Where the conversation the AI read came from; `none` for static text, which reads none. */
	source: 'memory' | 'store' | 'item' | 'none';
	warning?: string;
}

/**
 * The conversation the AI reads. The trigger's item already carries the store's history; an item
 * stripped of it on the way gets it from the store again. With a memory connected (and History
 * Source on auto) the agent's own conversation is used instead, and the store's earlier
 * follow-ups go along so the repeat check still sees them. A memory that fails or is empty for
 * this item does not stop the message: the store's history is used and the item says why.
 */
export async function historyFor(
	context: IExecuteFunctions,
	itemIndex: number,
	plan: ItemPlan,
	params: ComposeParameters,
	store: CadenceStore | null,
): Promise<ItemHistory> {
	let history = plan.request.history;
	if (!plan.hasHistory && store && plan.contact?.key) {
		const messages = await store.getConversation({
			contactKey: plan.contact.key,
			conversationKey: plan.contact.conversationKey || undefined,
		});
		history = messages.map((m) => ({
			author: m.author,
			text: m.text,
			at: new Date(m.at).toISOString(),
		}));
	}
	const request = { ...plan.request, history };
	const source = plan.ref && !plan.ref.preview ? 'store' : 'item';
	if (params.historySource !== 'auto') return { request, source };

	const followUps = history.filter((m) => m.author === 'followUp').map((m) => m.text);
	let memory: HistoryMessage[] | null;
	try {
		memory = await memoryHistory(context, itemIndex, followUps);
	} catch (error) {
		const warning = `The connected memory could not be read (${(error as Error).message}); the cadence store's history was used instead.`;
		context.logger.warn(`Compose Follow-up: item ${itemIndex}: ${warning}`);
		return { request, source, warning };
	}
	if (memory === null) return { request, source };
	if (memory.length === 0 && history.length > 0) {
		return {
			request,
			source,
			warning:
				"The connected memory has no messages for this item (check its session key, e.g. {{ $json.contact.conversationKey }}); the cadence store's history was used instead.",
		};
	}
	return {
		request: { ...request, history: memory, earlierFollowUps: followUps },
		source: 'memory',
	};
}
