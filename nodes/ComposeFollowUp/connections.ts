import { NodeConnectionTypes, type IExecuteFunctions } from 'n8n-workflow';
import type { HistoryMessage } from '../../engine/compose';
import { normalise } from '../../engine/compose';

/**
 * The memory on the Memory input (the chat model comes through nodes/shared/chat-model, like
 * every node's). n8n hands over its own LangChain BaseChatMemory wrapped in a logging proxy; it
 * is used through its public methods only, so the package follows n8n's copy at run time.
 */

/**
 * The conversation the user's agent keeps in the connected memory, or null when none is
 * connected. Asked per item: a memory's session key is usually an expression on the item.
 */
export async function memoryHistory(
	context: IExecuteFunctions,
	itemIndex: number,
	earlierFollowUps: string[],
): Promise<HistoryMessage[] | null> {
	const memory = await context.getInputConnectionData(NodeConnectionTypes.AiMemory, itemIndex);
	if (!memory) return null;
	const raw = await readMemory(memory as MemoryLike);
	// The agent's memory may hold follow-ups too (when the workflow saves them): mark those.
	const followUps = new Set(earlierFollowUps.map(normalise));
	return raw.map((m) =>
		m.author === 'agent' && followUps.has(normalise(m.text)) ? { ...m, author: 'followUp' } : m,
	);
}

interface MemoryLike {
	memoryKey?: string;
	loadMemoryVariables?: (values: Record<string, unknown>) => Promise<Record<string, unknown>>;
	chatHistory?: { getMessages?: () => Promise<unknown[]> };
	getMessages?: () => Promise<unknown[]>;
}

/**
 * Either shape n8n's memories take: `loadMemoryVariables` (what agents call, which also applies the
 * memory's window and shows in the execution log) returning messages or a "Human: … AI: …" buffer
 * string; otherwise the raw `chatHistory.getMessages()`; or a message history given directly.
 */
async function readMemory(memory: MemoryLike): Promise<HistoryMessage[]> {
	if (typeof memory.loadMemoryVariables === 'function') {
		const variables = (await memory.loadMemoryVariables({})) ?? {};
		const value =
			variables[memory.memoryKey ?? 'chat_history'] ??
			variables.chat_history ??
			variables.history ??
			Object.values(variables)[0];
		if (Array.isArray(value)) return fromMessages(value);
		if (typeof value === 'string') return fromBuffer(value);
	}
	if (typeof memory.chatHistory?.getMessages === 'function')
		return fromMessages(await memory.chatHistory.getMessages());
	if (typeof memory.getMessages === 'function') return fromMessages(await memory.getMessages());
	return [];
}

function fromMessages(messages: unknown[]): HistoryMessage[] {
	const history: HistoryMessage[] = [];
	for (const message of messages) {
		const author = authorOf(roleOf(message));
		const body = contentText((message as { content?: unknown })?.content);
		if (author && body) history.push({ author, text: body });
	}
	return history;
}

/** LangChain messages say their role in several ways depending on version and serialisation. */
function roleOf(message: unknown): string {
	if (!message || typeof message !== 'object') return '';
	const m = message as Record<string, unknown>;
	for (const method of ['getType', '_getType']) {
		const fn = m[method];
		if (typeof fn === 'function') {
			try {
				const value: unknown = fn.call(message);
				if (typeof value === 'string') return value;
			} catch {
				// Fall through to the plain fields.
			}
		}
	}
	if (typeof m.type === 'string') return m.type;
	if (typeof m.role === 'string') return m.role;
	const id = m.id ?? m.lc_id;
	return Array.isArray(id) ? String(id[id.length - 1]) : '';
}

function authorOf(role: string): HistoryMessage['author'] | null {
	const r = role.toLowerCase().replace(/message(chunk)?$/, '');
	if (r === 'human' || r === 'user') return 'contact';
	if (r === 'ai' || r === 'assistant') return 'agent';
	return null; // system prompts and tool calls are not part of the conversation
}

function contentText(content: unknown): string {
	if (typeof content === 'string') return content.trim();
	if (!Array.isArray(content)) return '';
	return content
		.map((part) =>
			typeof part === 'string'
				? part
				: part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string'
					? (part as { text: string }).text
					: '',
		)
		.join('')
		.trim();
}

/** A buffer string as LangChain writes it: "Human: …\nAI: …", continuation lines included. */
function fromBuffer(buffer: string): HistoryMessage[] {
	const turns: Array<{ author: HistoryMessage['author'] | null; lines: string[] }> = [];
	for (const line of buffer.split(/\r?\n/)) {
		const turn = /^(Human|AI|System|Tool|Function)\s*:\s?(.*)$/.exec(line);
		if (turn) turns.push({ author: authorOf(turn[1]), lines: [turn[2]] });
		else turns.at(-1)?.lines.push(line);
	}
	return turns.flatMap(({ author, lines }) => {
		const text = lines.join('\n').trim();
		return author && text ? [{ author, text }] : [];
	});
}
