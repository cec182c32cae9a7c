/**
 * Calling a chat model for a short JSON answer: with a time limit, and never throwing. The engine
 * knows nothing of n8n or LangChain: a model is anything with `invoke(messages)`, which every
 * LangChain chat model n8n hands a node already satisfies.
 */

export type PromptMessage = [role: 'system' | 'human' | 'ai', content: string];

export interface ChatModelLike {
	invoke(messages: PromptMessage[], options?: { signal?: AbortSignal }): Promise<unknown>;
}

export type ModelAnswer = { ok: true; text: string } | { ok: false; reason: string };

export async function askModel(
	model: ChatModelLike,
	messages: PromptMessage[],
	timeoutMs: number,
): Promise<ModelAnswer> {
	const controller = new AbortController();
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<ModelAnswer>((resolve) => {
		timer = setTimeout(() => {
			controller.abort();
			resolve({ ok: false, reason: `the model did not answer within ${timeoutMs / 1000} s` });
		}, timeoutMs);
	});
	const call = model
		.invoke(messages, { signal: controller.signal })
		.then((reply): ModelAnswer => {
			const text = contentText(reply);
			return text.trim() ? { ok: true, text } : { ok: false, reason: 'the model answered nothing' };
		})
		.catch(
			(error: unknown): ModelAnswer => ({
				ok: false,
				reason: `the model failed: ${(error as Error)?.message ?? String(error)}`,
			}),
		);
	try {
		return await Promise.race([call, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** The text of an AIMessage (a string, or content blocks), or of a plain string reply. */
function contentText(reply: unknown): string {
	if (typeof reply === 'string') return reply;
	const content = (reply as { content?: unknown } | null)?.content;
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
