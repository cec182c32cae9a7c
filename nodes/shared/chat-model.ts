import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeInputConfiguration,
} from 'n8n-workflow';
import type { ChatModelLike } from '../../engine/ai';

/** The optional "Chat Model" input of the nodes that can ask an AI (Record Reply, Exit Check). */
export const CHAT_MODEL_INPUT: INodeInputConfiguration = {
	type: NodeConnectionTypes.AiLanguageModel,
	displayName: 'Chat Model',
	required: false,
	maxConnections: 1,
};

const models = new WeakMap<IExecuteFunctions, Promise<ChatModelLike | null>>();

/**
 * The connected chat model, or null when none is. Asked once per node run: the model does not
 * change between items, and loading it again per item costs time for nothing.
 *
 * A model that cannot be loaded (a missing credential, say) must not stop the node, whose AI is
 * always optional: it comes back as a model whose every call fails with that reason, so the
 * engine falls back and the output says why.
 */
export function readChatModel(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<ChatModelLike | null> {
	let model = models.get(context);
	if (!model) {
		model = load(context, itemIndex);
		models.set(context, model);
	}
	return model;
}

async function load(context: IExecuteFunctions, itemIndex: number): Promise<ChatModelLike | null> {
	try {
		const model = await context.getInputConnectionData(
			NodeConnectionTypes.AiLanguageModel,
			itemIndex,
		);
		return isChatModel(model) ? model : null;
	} catch (error) {
		const reason = (error as Error)?.message ?? String(error);
		// Run as an agent's tool, the node has no inputs at all: that is "no model", not a fault.
		if (/does not have input/i.test(reason)) return null;
		return { invoke: async () => Promise.reject(new Error(reason)) };
	}
}

function isChatModel(value: unknown): value is ChatModelLike {
	return typeof (value as { invoke?: unknown } | null)?.invoke === 'function';
}

/**
 * The execution's cancel signal, handed to every model call (engine/ai): stopping an execution in
 * n8n stops waiting on its AI at once instead of at the time limit.
 */
export function executionSignal(context: IExecuteFunctions): AbortSignal | undefined {
	return context.getExecutionCancelSignal?.() ?? undefined;
}
