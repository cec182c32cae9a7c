import { CadenceValidationError } from '../errors';
import { checkDraft, expectedLanguage } from './guardrails';
import { callModel } from '../ai';
import { addCounts, extractText, modelNameOf, usageOf } from './model-output';
import { buildPrompt, regenerationPrompt } from './prompt';
import { renderMessage, renderTemplate } from './render-template';
import type { ChatModelLike, ComposeRequest, ComposeResult, PromptMessage } from './types';

/**
 * One follow-up, composed. Static mode fills the step's text. AI modes ask the model, check the
 * draft against the guardrails, ask once more with the failure fed back, and otherwise fall back
 * to the static text, marked degraded with the reason. A missing model, a model error and a
 * time-out fall back at once: the cadence never stalls on the AI. The fallback is sent as it is,
 * in AI assisted mode too (seed: "both AI assisted and AI full send the step's static fallback
 * text"), unless the request asks the reviewer to see it anyway.
 */

export interface ComposeDeps {
	/** The connected chat model; null or undefined when nothing is connected. */
	model?: ChatModelLike | null;
	/** The execution's cancel signal, passed on to the model call. */
	signal?: AbortSignal;
}

/** One draft and one regeneration: a third try rarely fixes what two did not, and costs tokens. */
const MAX_ATTEMPTS = 2;

interface Spent {
	attempts: number;
	model: string | null;
	promptTokens: number | null;
	completionTokens: number | null;
}

export async function compose(
	request: ComposeRequest,
	deps: ComposeDeps = {},
): Promise<ComposeResult> {
	if (request.mode === 'static') return composeStatic(request);
	const spent: Spent = { attempts: 0, model: null, promptTokens: null, completionTokens: null };
	const { model } = deps;
	if (!model) return fallback(request, 'no chat model is connected to the Chat Model input', spent);

	const earlier = earlierFollowUps(request);
	const language = expectedLanguage(request);
	const prompt = buildPrompt(
		{
			...request,
			instruction: renderTemplate(request.instruction, request.variables).text,
			persona: renderTemplate(request.persona, request.variables).text,
		},
		{ language, earlierFollowUps: earlier },
	);
	const deadline = Date.now() + request.timeoutMs;
	let messages: PromptMessage[] = prompt;
	let rejected: { draft: string; reason: string } | null = null;

	while (spent.attempts < MAX_ATTEMPTS) {
		const call = await callModel(model, messages, {
			timeoutMs: request.timeoutMs,
			deadline,
			signal: deps.signal,
		});
		if (!call.ok) return fallback(request, call.reason, spent, rejected?.draft);
		spent.attempts++;
		const usage = usageOf(call.reply);
		spent.promptTokens = addCounts(spent.promptTokens, usage.promptTokens);
		spent.completionTokens = addCounts(spent.completionTokens, usage.completionTokens);
		spent.model = modelNameOf(call.reply, model) ?? spent.model;

		const extracted = extractText(call.reply);
		// The model may use the template syntax itself ("Hi {{firstName}}"): fill what is known.
		const draft = extracted.ok ? renderTemplate(extracted.text, request.variables).text : '';
		const verdict = extracted.ok
			? checkDraft(draft, request, earlier, language)
			: { ok: false as const, reason: extracted.reason };
		if (verdict.ok) return result(request, draft, request.mode, spent, null);
		rejected = { draft, reason: verdict.reason };
		messages = regenerationPrompt(prompt, draft || '(no text)', verdict.reason);
	}
	return fallback(
		request,
		`the AI draft failed the checks twice; last: ${rejected?.reason}`,
		spent,
		rejected?.draft,
	);
}

/** Static mode: the step's text with the variables filled in, or an error naming what is missing. */
export function composeStatic(request: ComposeRequest): ComposeResult {
	const text = renderMessage(request.staticText, request.variables);
	if (text.trim() === '') {
		throw new CadenceValidationError('message text', [
			{
				field: 'staticText',
				message:
					'the step has no text to send; write its static text in the Follow-up Trigger, or switch the step to an AI mode',
			},
		]);
	}
	const none: Spent = { attempts: 0, model: null, promptTokens: null, completionTokens: null };
	return result(request, text, 'static', none, null);
}

/**
 * The static text instead of the AI's, sent without review unless an AI assisted request asks
 * for the reviewer anyway. When the step has none (or it cannot be filled in), a person has to
 * write this one: the item goes for approval, with the rejected draft if there was one, rather
 * than being sent empty or dropped.
 */
function fallback(
	request: ComposeRequest,
	reason: string,
	spent: Spent,
	rejectedDraft?: string,
): ComposeResult {
	let problem: string;
	try {
		const text = renderMessage(request.staticText, request.variables);
		if (text.trim() !== '') {
			const review = request.mode === 'aiAssisted' && request.whenAiFails === 'askReviewer';
			return result(request, text, 'static', spent, reason, review);
		}
		problem = 'the step has no static text';
	} catch (error) {
		problem = (error as Error).message;
	}
	const why = `${reason}; the static fallback cannot be used (${problem}), so a person must write or approve this message`;
	if (rejectedDraft) return result(request, rejectedDraft, 'aiAssisted', spent, why, true);
	return result(request, '', 'static', spent, why, true);
}

function result(
	request: ComposeRequest,
	text: string,
	modeUsed: ComposeResult['modeUsed'],
	spent: Spent,
	degradedReason: string | null,
	needsApproval = request.mode === 'aiAssisted',
): ComposeResult {
	return {
		text,
		requestedMode: request.mode,
		modeUsed,
		model: spent.model,
		promptTokens: spent.promptTokens,
		completionTokens: spent.completionTokens,
		attempts: spent.attempts,
		degraded: degradedReason !== null,
		degradedReason,
		needsApproval,
	};
}

/** Every follow-up sent before, from the history and from the caller, each once. */
function earlierFollowUps(request: ComposeRequest): string[] {
	const texts = [
		...request.history.filter((m) => m.author === 'followUp').map((m) => m.text),
		...(request.earlierFollowUps ?? []),
	];
	return [...new Set(texts.filter((t) => t.trim() !== ''))];
}
