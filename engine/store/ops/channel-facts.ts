import { decideChannel, type ChannelDecision, type ChannelFacts } from '../../domain/channel';
import { parseOrThrow } from '../../validation';
import { conversationRefSchema, type ConversationRef } from '../channel-inputs';
import type { ClaimedStep } from '../types';
import type { StoreContext } from './context';
import { conversationState, identitiesOf } from './conversations';
import { storedFactsOf } from './channel-facts-batch';

/** What the store knows for the channel decision: the conversation's channel and times, the identities. */
export type StoredChannelFacts = Pick<
	ChannelFacts,
	'conversationChannel' | 'activity' | 'identities'
>;

export async function channelFacts(
	ctx: StoreContext,
	input: ConversationRef,
): Promise<StoredChannelFacts> {
	const ref = parseOrThrow(conversationRefSchema, input, 'conversation');
	const conversation = await conversationState(ctx.driver, ref.contactKey, ref.conversationKey);
	return {
		conversationChannel: conversation?.channel ?? null,
		activity: conversation?.channels ?? [],
		identities: await identitiesOf(ctx.driver, ref.contactKey),
	};
}

/**
 * The channel decision for a claimed step, from what the store knows now (a router node's call).
 * `now` defaults to the store's clock.
 */
export async function decideStepChannel(
	ctx: StoreContext,
	claimed: ClaimedStep,
	now?: number,
): Promise<ChannelDecision> {
	const { enrollment } = claimed;
	const stored = await channelFacts(ctx, {
		contactKey: enrollment.contactKey,
		conversationKey: enrollment.conversationKey,
	});
	return decisionOf(ctx, claimed, stored, now);
}

/**
 * The channel decisions of a whole claim, as the Follow-up Trigger makes them: three reads for
 * all steps (conversations, their per-channel times, identities) instead of three per step. Each
 * step is decided at `now`, by default at its claim. A step whose conversation reference is not
 * valid gets its own error; the others are decided.
 */
export async function decideStepChannels(
	ctx: StoreContext,
	claimed: readonly ClaimedStep[],
	now?: number,
): Promise<Array<ChannelDecision | Error>> {
	const refs = claimed.map(({ enrollment }) => {
		try {
			return parseOrThrow(
				conversationRefSchema,
				{ contactKey: enrollment.contactKey, conversationKey: enrollment.conversationKey },
				'conversation',
			);
		} catch (error) {
			return error as Error;
		}
	});
	const valid = refs.filter((r): r is Exclude<typeof r, Error> => !(r instanceof Error));
	const stored = await storedFactsOf(ctx.driver, valid);
	return claimed.map((step, i) => {
		const ref = refs[i];
		if (ref instanceof Error) return ref;
		const at = now ?? step.stepRun.claimedAt;
		return decisionOf(ctx, step, stored(ref.contactKey, ref.conversationKey), at);
	});
}

function decisionOf(
	ctx: StoreContext,
	{ enrollment, stepRun, step, channels }: ClaimedStep,
	stored: StoredChannelFacts,
	now?: number,
): ChannelDecision {
	return decideChannel({
		step,
		settings: channels,
		facts: {
			...stored,
			now: ctx.now(now),
			variables: enrollment.variables,
			failedChannels: stepRun.failedChannels,
			timeZone: enrollment.timeZone,
		},
	});
}
