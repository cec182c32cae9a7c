import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { judgeFollowUp, type Judgement } from '../../engine/classify';
import type { ExitDecision } from '../../engine';
import type { CadenceStore } from '../../engine';
import { executionSignal, readChatModel } from '../shared/chat-model';
import type { ReadFacts } from './store-facts';

/**
 * Exit Check's optional AI judgement: "given the conversation, does a follow-up make sense now?"
 *
 * It ranks after the facts in the store (opt-out, an ended enrollment, the goal, a reply, a pause
 * or a step handled elsewhere: those are certain, the model is not) and before the sending limit
 * (a "no" from the AI ends the cadence, which makes waiting for the limit moot). Fail-open: no
 * model, an error, a time-out, an unsure or malformed answer all leave the decision to the rules.
 */

export interface JudgementSettings {
	guidance: string;
	timeoutMs: number;
}

export interface JudgedDecision {
	decision: ExitDecision;
	judgement: Judgement | null;
}

export async function withJudgement(
	context: IExecuteFunctions,
	store: CadenceStore,
	read: ReadFacts,
	decision: ExitDecision,
	item: IDataObject,
	settings: JudgementSettings & { itemIndex: number },
): Promise<JudgedDecision> {
	if (decision.exit && decision.reason !== 'limit') return { decision, judgement: null };
	const model = await readChatModel(context, settings.itemIndex);
	if (!model) {
		const reason = 'no chat model is connected to the Chat Model input';
		return { decision, judgement: { verdict: 'unavailable', reason } };
	}
	const { enrollment } = read;
	const history = await store.getConversation({
		contactKey: enrollment.contactKey,
		conversationKey: enrollment.conversationKey || undefined,
		limit: 30,
	});
	const cadence = await store.getCadence(enrollment.cadenceId, enrollment.version);
	const judgement = await judgeFollowUp({
		history: history.map((m) => ({ author: m.author, text: m.text, at: m.at })),
		now: read.facts.now,
		timeZone:
			enrollment.timeZone ??
			cadence?.definition.schedule.timeZone ??
			context.getTimezone() ??
			'UTC',
		step: {
			number: read.facts.step.index + 1,
			count: cadence?.definition.steps.length ?? read.facts.step.index + 1,
			name: typeof item.stepName === 'string' ? item.stepName : undefined,
			instruction: typeof item.instruction === 'string' ? item.instruction : undefined,
		},
		guidance: settings.guidance,
		model,
		timeoutMs: settings.timeoutMs,
		signal: executionSignal(context),
	});
	if (judgement.verdict !== 'stop') return { decision, judgement };
	return {
		judgement,
		decision: {
			exit: true,
			reason: 'ai',
			detail: `AI judgement: ${judgement.reason ?? 'a follow-up does not make sense now'}`,
			action: 'exited',
			deferredUntil: null,
			record: { kind: 'exit', exitReason: 'ai' },
		},
	};
}

/** The judgement as it appears on the item, whichever output it leaves by. */
export function judgementJson(judgement: Judgement | null): IDataObject {
	if (!judgement)
		return { verdict: 'notAsked', reason: 'the rules decided before the AI was asked' };
	if (judgement.verdict === 'unavailable') {
		return {
			verdict: 'unavailable',
			reason: `${judgement.reason}; the rules decided alone`,
		};
	}
	return { verdict: judgement.verdict, reason: judgement.reason, confidence: judgement.confidence };
}
