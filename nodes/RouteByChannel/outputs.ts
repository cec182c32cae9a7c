import type { ChannelRoute } from '../../engine';

/**
 * The outputs, in order: one per way a follow-up can go out, then the steps no channel can take.
 * The names are what a user wires a send node to, so they say the channel and the form.
 */
export const ROUTE_OUTPUTS: ReadonlyArray<{ route: ChannelRoute | 'cannotSend'; name: string }> = [
	{ route: 'whatsappText', name: 'WhatsApp Text' },
	{ route: 'whatsappTemplate', name: 'WhatsApp Template' },
	{ route: 'sms', name: 'SMS' },
	{ route: 'email', name: 'Email' },
	{ route: 'sameConversation', name: 'Same Conversation' },
	{ route: 'cannotSend', name: 'Cannot Send' },
];

export const CANNOT_SEND = ROUTE_OUTPUTS.length - 1;

/** The output an item's `channelRoute` names, or null when it names none. */
export function outputOf(route: unknown): number | null {
	const index = ROUTE_OUTPUTS.findIndex((o) => o.route === route);
	return index < 0 ? null : index;
}
