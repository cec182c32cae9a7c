import type { CadenceStore, ChannelDecision, ClaimedStep } from '../../engine';

/**
 * Each claimed step's channel, decided at its claim from what the store knows: the contact's
 * identities, the conversation's channel and its last inbound and outbound time per channel
 * (engine/domain/channel.ts). A step whose facts cannot be read gets undefined: its item then
 * carries the decision from its history alone, rather than not going out at all.
 */
export async function channelDecisions(
	store: CadenceStore,
	claimed: ClaimedStep[],
	warn: (message: string) => void,
): Promise<Array<ChannelDecision | undefined>> {
	const decisions: Array<ChannelDecision | undefined> = [];
	for (const step of claimed) {
		try {
			decisions.push(await store.decideStepChannel(step, step.stepRun.claimedAt));
		} catch (error) {
			const contact = step.enrollment.contactKey;
			warn(`Could not read the channels of ${contact}: ${(error as Error).message}`);
			decisions.push(undefined);
		}
	}
	return decisions;
}
