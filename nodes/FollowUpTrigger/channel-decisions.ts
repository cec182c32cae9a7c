import type { CadenceStore, ChannelDecision, ClaimedStep } from '../../engine';

/**
 * Each claimed step's channel, decided at its claim from what the store knows: the contact's
 * identities, the conversation's channel and its last inbound and outbound time per channel
 * (engine/domain/channel.ts), read for the whole claim at once. A step whose facts cannot be read
 * gets undefined: its item then carries the decision from its history alone, rather than not
 * going out at all.
 */
export async function channelDecisions(
	store: CadenceStore,
	claimed: ClaimedStep[],
	warn: (message: string) => void,
): Promise<Array<ChannelDecision | undefined>> {
	if (claimed.length === 0) return [];
	let decided: Array<ChannelDecision | Error>;
	try {
		// Each step decided at its own claim.
		decided = await store.decideStepChannels(claimed);
	} catch (error) {
		decided = claimed.map(() => error as Error);
	}
	return claimed.map((step, i) => {
		const decision = decided[i];
		if (!(decision instanceof Error)) return decision;
		warn(`Could not read the channels of ${step.enrollment.contactKey}: ${decision.message}`);
		return undefined;
	});
}
