/**
 * The one way the engine calls a chat model: compose, reply classification and Exit Check's
 * judgement all go through `callModel`, so each of them can be cancelled with the execution,
 * stops waiting at the same kind of time limit, and reports a failure in the same words.
 *
 * The engine knows nothing of n8n or LangChain: a model is anything with `invoke(messages)`,
 * which every LangChain chat model n8n hands a node already satisfies.
 */

/** A chat message as LangChain accepts it in `invoke`: a [role, text] pair. */
export type PromptMessage = [role: 'system' | 'human' | 'ai', content: string];

/** What a chat model's `invoke` resolves to: LangChain's AIMessage, read defensively. */
export interface ModelReply {
	content?: unknown;
	usage_metadata?: { input_tokens?: number; output_tokens?: number } | null;
	response_metadata?: Record<string, unknown> | null;
}

export interface ChatModelLike {
	invoke(messages: PromptMessage[], options?: { signal?: AbortSignal }): Promise<unknown>;
}

export type ModelFailure = 'timeout' | 'cancelled' | 'error';

export type ModelCall =
	| { ok: true; reply: ModelReply }
	| { ok: false; kind: ModelFailure; reason: string };

export interface CallOptions {
	/** The time the caller allows, for the reason text ("did not answer within 20 s"). */
	timeoutMs: number;
	/** When to give up (epoch ms); defaults to now + `timeoutMs`. A retry passes the first deadline. */
	deadline?: number;
	/** The execution's cancel signal: a cancelled execution stops waiting on the model at once. */
	signal?: AbortSignal;
}

const MAX_REASON_CHARS = 300;

/**
 * One model call that always settles by its deadline: on time-out or cancel the request is
 * aborted (LangChain passes the signal on to the provider's HTTP call) and the caller gets a
 * reason, not a hang. Errors, including a connected sub-node that is not a chat model at all,
 * become reasons too. Never throws.
 */
export async function callModel(
	model: ChatModelLike,
	messages: PromptMessage[],
	options: CallOptions,
): Promise<ModelCall> {
	const { timeoutMs, signal } = options;
	const deadline = options.deadline ?? Date.now() + timeoutMs;
	const budget = deadline - Date.now();
	if (signal?.aborted) return cancelled();
	if (budget <= 0) return timedOut(timeoutMs);
	const controller = new AbortController();
	// Settles on its own, whether or not the model honours the abort signal.
	let settle: (why: 'timeout' | 'cancelled') => void = () => undefined;
	const stopped = new Promise<'timeout' | 'cancelled'>((resolve) => (settle = resolve));
	const onCancel = () => settle('cancelled');
	const timer = setTimeout(() => settle('timeout'), budget);
	signal?.addEventListener('abort', onCancel, { once: true });
	try {
		const reply = await Promise.race([
			Promise.resolve().then(() => model.invoke(messages, { signal: controller.signal })),
			stopped,
		]);
		if (reply === 'timeout' || reply === 'cancelled') {
			controller.abort();
			return reply === 'timeout' ? timedOut(timeoutMs) : cancelled();
		}
		return { ok: true, reply: asReply(reply) };
	} catch (error) {
		if (signal?.aborted) return cancelled();
		const message = (error as Error)?.message || String(error);
		return { ok: false, kind: 'error', reason: `the model failed: ${clip(message)}` };
	} finally {
		clearTimeout(timer);
		signal?.removeEventListener('abort', onCancel);
	}
}

function asReply(reply: unknown): ModelReply {
	if (typeof reply === 'string') return { content: reply };
	return (reply ?? {}) as ModelReply;
}

function timedOut(timeoutMs: number): ModelCall {
	return {
		ok: false,
		kind: 'timeout',
		reason: `the model did not answer within ${seconds(timeoutMs)}`,
	};
}

function cancelled(): ModelCall {
	return { ok: false, kind: 'cancelled', reason: 'the execution was cancelled' };
}

function seconds(ms: number): string {
	return `${Number((ms / 1000).toFixed(3))} s`;
}

function clip(text: string): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length <= MAX_REASON_CHARS ? line : `${line.slice(0, MAX_REASON_CHARS - 1)}…`;
}

/** The plain text of a reply (a string, or content blocks); '' when it has none. */
export function replyText(reply: ModelReply): string {
	const content = reply.content;
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		return content
			.map((part) =>
				typeof part === 'string' ? part : String((part as { text?: unknown })?.text ?? ''),
			)
			.join('');
	}
	return '';
}

/**
 * The first JSON object in a model's answer. Models wrap JSON in code fences or a sentence now
 * and then; anything that still does not parse is "malformed" and the caller falls back.
 */
export function extractJsonObject(text: string): unknown {
	const unfenced = text.replace(/```(?:json)?/gi, '');
	const start = unfenced.indexOf('{');
	const end = unfenced.lastIndexOf('}');
	if (start < 0 || end <= start) return null;
	try {
		return JSON.parse(unfenced.slice(start, end + 1));
	} catch {
		return null;
	}
}

/** A short, single-line excerpt of what the model said, for error notes. */
export function excerpt(text: string, max = 120): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > max ? `${line.slice(0, max)}…` : line;
}

export type TextAnswer = { ok: true; text: string } | { ok: false; reason: string };

/** `callModel` for callers that only want the answer's text (classification, judgement). */
export async function askForText(
	model: ChatModelLike,
	messages: PromptMessage[],
	options: CallOptions,
): Promise<TextAnswer> {
	const call = await callModel(model, messages, options);
	if (!call.ok) return { ok: false, reason: call.reason };
	const text = replyText(call.reply);
	return text.trim() ? { ok: true, text } : { ok: false, reason: 'the model answered nothing' };
}
