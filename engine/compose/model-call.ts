import type { ChatModelLike, ModelReply, PromptMessage } from './types';

export type ModelCall =
	| { ok: true; reply: ModelReply }
	| { ok: false; kind: 'timeout' | 'cancelled' | 'error'; reason: string };

const MAX_REASON_CHARS = 300;

/**
 * One model call that always settles by `deadline`: on time-out the request is aborted (LangChain
 * passes the signal on to the provider's HTTP call) and the caller gets a reason, not a hang.
 * Errors, including a connected sub-node that is not a chat model at all, become reasons too.
 */
export async function callModel(
	model: ChatModelLike,
	messages: PromptMessage[],
	deadline: number,
	outer?: AbortSignal,
): Promise<ModelCall> {
	const budget = deadline - Date.now();
	if (budget <= 0) return timeout();
	if (outer?.aborted) return cancelled();
	const controller = new AbortController();
	// Settles on its own, whether or not the model honours the abort signal.
	let settle: (why: 'timeout' | 'cancelled') => void = () => undefined;
	const stopped = new Promise<'timeout' | 'cancelled'>((resolve) => (settle = resolve));
	const onCancel = () => settle('cancelled');
	const timer = setTimeout(() => settle('timeout'), budget);
	outer?.addEventListener('abort', onCancel, { once: true });
	try {
		const reply = await Promise.race([
			Promise.resolve().then(() => model.invoke(messages, { signal: controller.signal })),
			stopped,
		]);
		if (reply === 'timeout' || reply === 'cancelled') {
			controller.abort();
			return reply === 'timeout' ? timeout() : cancelled();
		}
		return { ok: true, reply };
	} catch (error) {
		if (outer?.aborted) return cancelled();
		const message = (error as Error)?.message || String(error);
		return { ok: false, kind: 'error', reason: `the model failed: ${clip(message)}` };
	} finally {
		clearTimeout(timer);
		outer?.removeEventListener('abort', onCancel);
	}
}

function timeout(): ModelCall {
	return { ok: false, kind: 'timeout', reason: 'the model did not answer in time' };
}

function cancelled(): ModelCall {
	return { ok: false, kind: 'cancelled', reason: 'the execution was cancelled' };
}

function clip(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length <= MAX_REASON_CHARS ? line : `${line.slice(0, MAX_REASON_CHARS - 1)}…`;
}
