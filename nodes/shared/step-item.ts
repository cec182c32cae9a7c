import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod/v4';
import type { ClaimedStep, ConversationMessage } from '../../engine';
import {
	activityFromMessages,
	decideChannel,
	DEFAULT_CHANNEL_SETTINGS,
	type ChannelDecision,
} from '../../engine';
import { iso } from './output';

/**
 * The channel decision on the item: where the step goes (`channel`, `channelRoute`, the
 * `channelAddress` to send to), `template` (the WhatsApp template to send outside the 24 h
 * window, its parameters filled in), and why. Route by Channel sends the item to the output
 * named after `channelRoute`; a send node maps the address and template from here.
 */
export function channelFields(decision: ChannelDecision): IDataObject {
	return {
		channel: decision.channel,
		channelSetting: decision.setting,
		channelRoute: decision.outcome === 'send' ? decision.route : 'cannotSend',
		channelAddress: decision.address?.value ?? null,
		channelAddressKind: decision.address?.kind ?? null,
		template: decision.template
			? {
					name: decision.template.name,
					language: decision.template.language,
					parameters: decision.template.parameters,
				}
			: null,
		switchedFrom: decision.switchedFrom,
		channelReason: decision.reason,
	};
}

/** Without the store's facts (the editor's preview): the decision from the messages shown. */
function decisionFromHistory(claimed: ClaimedStep, history: ConversationMessage[]) {
	const { enrollment: e, stepRun: r, step } = claimed;
	return decideChannel({
		step,
		settings: claimed.channels ?? DEFAULT_CHANNEL_SETTINGS,
		facts: {
			now: r.claimedAt,
			conversationChannel: null,
			activity: activityFromMessages(history),
			identities: [],
			variables: e.variables,
			failedChannels: r.failedChannels,
			timeZone: e.timeZone,
		},
	});
}

/**
 * The item the Follow-up Trigger emits for each due step: everything the nodes after it need,
 * flat enough to map in expressions ({{ $json.contact.name }}, {{ $json.instruction }}). The
 * other cadence nodes recognise such an item by its ids and act on the step run in the store.
 */
export function stepItemJson(
	claimed: ClaimedStep,
	history: ConversationMessage[],
	extra: IDataObject = {},
	decision?: ChannelDecision,
): IDataObject {
	const { enrollment: e, stepRun: r, step } = claimed;
	return {
		cadence: e.cadenceName,
		cadenceId: e.cadenceId,
		cadenceVersion: e.version,
		enrollmentId: e.id,
		stepRunId: r.id,
		idempotencyKey: r.idempotencyKey,
		attempt: r.claims,
		step: r.stepIndex + 1,
		stepCount: claimed.stepCount,
		isLastStep: claimed.isLastStep,
		stepName: step.name ?? `Step ${r.stepIndex + 1}`,
		instruction: step.instruction,
		staticText: step.staticText,
		composeMode: r.composeMode,
		...channelFields(decision ?? decisionFromHistory(claimed, history)),
		whatsappTemplate: step.whatsappTemplate,
		persona: claimed.persona,
		contact: {
			key: e.contactKey,
			name: e.contactName,
			conversationKey: e.conversationKey,
			timeZone: e.timeZone,
			variables: e.variables as IDataObject,
			target: e.target as IDataObject | null,
		},
		agent: e.agent,
		dueAt: iso(r.dueAt),
		claimedAt: iso(r.claimedAt),
		reason: e.nextReason,
		history: history.map((m) => ({
			direction: m.direction,
			author: m.author,
			text: m.text,
			channel: m.channel,
			at: iso(m.at),
		})),
		...extra,
	};
}

const stepItemSchema = z.object({
	cadence: z.string().min(1),
	// 0 for the trigger's manual preview, which has nothing real behind it.
	enrollmentId: z.number().int().nonnegative(),
	stepRunId: z.number().int().nonnegative(),
	idempotencyKey: z.string(),
	step: z.number().int().positive(),
	claimedAt: z.string(),
	composeMode: z.string(),
	preview: z.boolean().optional(),
});

export interface StepRef {
	cadence: string;
	enrollmentId: number;
	stepRunId: number;
	idempotencyKey: string;
	/** 1-based, as shown to users. */
	step: number;
	claimedAt: number;
	composeMode: string;
	/** From the trigger's manual preview: nothing real behind it, so nothing is written. */
	preview: boolean;
}

/** The step an item is about, or null when the item did not come from a Follow-up Trigger. */
export function readStepItem(json: IDataObject): StepRef | null {
	const parsed = stepItemSchema.safeParse(json);
	if (!parsed.success) return null;
	const claimedAt = Date.parse(parsed.data.claimedAt);
	if (Number.isNaN(claimedAt)) return null;
	const preview = parsed.data.preview === true || parsed.data.stepRunId === 0;
	return { ...parsed.data, claimedAt, preview };
}
