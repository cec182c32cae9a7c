import type { ModelReply } from './types';

/**
 * Reading what a chat model returned. Providers differ (a plain string, an array of content parts,
 * reasoning parts, JSON the model was not asked for, usage under three different names), so every
 * field is read defensively and a reply without usable text is reported, not thrown.
 */

export type ExtractedText = { ok: true; text: string } | { ok: false; reason: string };

const JSON_TEXT_KEYS = ['message', 'text', 'content', 'reply', 'followUp', 'follow_up'];

export function extractText(reply: ModelReply | null | undefined): ExtractedText {
	const content = reply?.content;
	let raw: string;
	if (typeof content === 'string') raw = content;
	else if (Array.isArray(content)) raw = content.map(partText).join('');
	else return malformed(`the reply had no text content (got ${describe(content)})`);
	const text = unwrap(raw);
	if (text === '') return malformed('the reply was empty; write the message itself');
	return { ok: true, text };
}

/** Only text parts count: reasoning, tool calls and images are not part of the message. */
function partText(part: unknown): string {
	if (typeof part === 'string') return part;
	if (part && typeof part === 'object') {
		const { type, text } = part as { type?: unknown; text?: unknown };
		if ((type === undefined || type === 'text') && typeof text === 'string') return text;
	}
	return '';
}

/** Takes off what models wrap a message in: code fences, a JSON envelope, surrounding quotes. */
function unwrap(raw: string): string {
	let text = raw.trim();
	const fenced = /^```[\w-]*\s*\n?([\s\S]*?)\n?```$/.exec(text);
	if (fenced) text = fenced[1].trim();
	if (text.startsWith('{') && text.endsWith('}')) {
		try {
			const parsed = JSON.parse(text) as Record<string, unknown>;
			const key = JSON_TEXT_KEYS.find((k) => typeof parsed[k] === 'string');
			if (key) text = String(parsed[key]).trim();
		} catch {
			// Not JSON after all: a message that happens to use braces.
		}
	}
	const quoted = /^(["“'])([\s\S]*)(["”'])$/.exec(text);
	if (quoted && closes(quoted[1], quoted[3]) && !quoted[2].includes(quoted[1])) {
		text = quoted[2].trim();
	}
	return text;
}

function closes(open: string, close: string): boolean {
	return open === '“' ? close === '”' : open === close;
}

function malformed(reason: string): ExtractedText {
	return { ok: false, reason };
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value;
}

export interface Usage {
	promptTokens: number | null;
	completionTokens: number | null;
}

export function usageOf(reply: ModelReply | null | undefined): Usage {
	const meta = (reply?.usage_metadata ?? {}) as Record<string, unknown>;
	const response = (reply?.response_metadata ?? {}) as Record<string, unknown>;
	const tokenUsage = record(response.tokenUsage);
	const usage = record(response.usage);
	return {
		promptTokens: firstCount(
			meta.input_tokens,
			tokenUsage.promptTokens,
			usage.prompt_tokens,
			usage.input_tokens,
		),
		completionTokens: firstCount(
			meta.output_tokens,
			tokenUsage.completionTokens,
			usage.completion_tokens,
			usage.output_tokens,
		),
	};
}

/** The model's name: what the provider says it answered with, else what the model was set to. */
export function modelNameOf(reply: ModelReply | null | undefined, model: unknown): string | null {
	const response = (reply?.response_metadata ?? {}) as Record<string, unknown>;
	const configured = record(model);
	const candidates = [
		response.model_name,
		response.model,
		response.modelId,
		configured.model,
		configured.modelName,
		configured.modelId,
	];
	const name = candidates.find((c) => typeof c === 'string' && c.trim() !== '');
	if (typeof name === 'string') return name.slice(0, 200);
	const type = (configured as { _llmType?: unknown })._llmType;
	if (typeof type === 'function') {
		try {
			const value: unknown = type.call(model);
			if (typeof value === 'string' && value) return value.slice(0, 200);
		} catch {
			// A proxy or a model that cannot say: the name is only informative.
		}
	}
	return null;
}

export function addCounts(a: number | null, b: number | null): number | null {
	return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function record(value: unknown): Record<string, unknown> {
	return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function firstCount(...values: unknown[]): number | null {
	const found = values.find((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
	return typeof found === 'number' ? Math.round(found) : null;
}
