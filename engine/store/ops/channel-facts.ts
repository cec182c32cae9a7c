import { decideChannel, type ChannelDecision, type ChannelFacts } from '../../domain/channel';
import { parseOrThrow } from '../../validation';
import { conversationRefSchema, type ConversationRef } from '../channel-inputs';
import type { ClaimedStep } from '../types';
import type { StoreContext } from './context';
import { conversationState, identitiesOf } from './conversations';

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
 * The channel decision for a claimed step, from what the store knows now: the one call the
 * Follow-up Trigger (or a router node) makes per step. `now` defaults to the store's clock.
 */
export async function decideStepChannel(
	ctx: StoreContext,
	claimed: ClaimedStep,
	now?: number,
): Promise<ChannelDecision> {
	const { enrollment, stepRun, step } = claimed;
	const stored = await channelFacts(ctx, {
		contactKey: enrollment.contactKey,
		conversationKey: enrollment.conversationKey,
	});
	return decideChannel({
		step,
		settings: claimed.channels,
		facts: {
			...stored,
			now: ctx.now(now),
			variables: enrollment.variables,
			failedChannels: stepRun.failedChannels,
			timeZone: enrollment.timeZone,
		},
	});
}
