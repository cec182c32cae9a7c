import type { Channel } from '../cadence/definition';

/**
 * Where a step goes, decided once and explained, so "Automatic" means something definite.
 *
 * A step set to a channel goes there. A step set to Automatic goes where the contact last wrote
 * from (the channel Record Reply recorded on their latest message in this conversation); without
 * one, to the enrollment's `channel` variable (Enroll In Cadence → Variables); without that, to
 * the same conversation. The step item carries the result as `channel`, the step's own setting as
 * `channelSetting` and the reason as `channelReason`, so one Switch on `channel` routes every step.
 * (Channel switching and the WhatsApp window come with the channels work; this is the base rule.)
 */

export interface ChannelFacts {
	/** The conversation so far, any order; only the contact's messages with a channel count. */
	history: ReadonlyArray<{ direction: string; channel: string | null; at: number }>;
	/** The enrollment's variables; `channel` is read when it is a non-empty string. */
	variables: Record<string, unknown> | null;
}

export interface ChannelDecision {
	/** Where to send: a step channel, or the channel name as it was recorded ("telegram"). */
	channel: string;
	/** What the step says: a channel, or 'automatic'. */
	setting: Channel;
	reason: string;
}

export function decideChannel(setting: Channel, facts: ChannelFacts): ChannelDecision {
	if (setting !== 'automatic') {
		return { channel: setting, setting, reason: `set on the step: ${setting}` };
	}
	const lastWritten = latestInboundChannel(facts.history);
	if (lastWritten) {
		return {
			channel: lastWritten.channel,
			setting,
			reason: `automatic: the contact last wrote on ${lastWritten.channel} (${new Date(lastWritten.at).toISOString()})`,
		};
	}
	const variable = facts.variables?.channel;
	if (typeof variable === 'string' && variable.trim() !== '') {
		return {
			channel: variable.trim(),
			setting,
			reason: `automatic: no channel recorded for the contact's messages; the enrollment's channel variable says ${variable.trim()}`,
		};
	}
	return {
		channel: 'sameConversation',
		setting,
		reason:
			'automatic: no channel recorded for the contact and no channel variable; the same conversation',
	};
}

function latestInboundChannel(
	history: ChannelFacts['history'],
): { channel: string; at: number } | null {
	let latest: { channel: string; at: number } | null = null;
	for (const message of history) {
		const channel = message.channel?.trim();
		if (message.direction !== 'inbound' || !channel) continue;
		if (!latest || message.at >= latest.at) latest = { channel, at: message.at };
	}
	return latest;
}
