/**
 * The channels a contact can be reached on, the identities that address them, and the
 * conversation statuses — the vocabulary the store, the channel decision and the definition
 * share. Written once here so "WhatsApp", "whatsapp" and "WA" recorded by three different
 * trigger nodes all mean the same channel.
 */

/** Channels a conversation can live on, and a message can go out on. */
export const CONTACT_CHANNELS = [
	'whatsapp',
	'sms',
	'email',
	'telegram',
	'liveChat',
	'facebook',
	'instagram',
] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** What a contact can be reached at: a kind and a normalised value. */
export const IDENTITY_KINDS = [
	'phone',
	'email',
	'whatsapp',
	'telegram',
	'facebook',
	'instagram',
	'liveChat',
] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface Identity {
	kind: IdentityKind;
	value: string;
}

/**
 * Which identities address a channel, best first: WhatsApp goes to the contact's WhatsApp id, or
 * else their phone number (a WhatsApp id is a phone number); SMS needs a phone number.
 */
export const ADDRESSED_BY: Record<ContactChannel, readonly IdentityKind[]> = {
	whatsapp: ['whatsapp', 'phone'],
	sms: ['phone'],
	email: ['email'],
	telegram: ['telegram'],
	liveChat: ['liveChat'],
	facebook: ['facebook'],
	instagram: ['instagram'],
};

/**
 * Channels a follow-up can start on from a stored identity alone. Live chat, Facebook and
 * Instagram only allow answering inside a conversation the contact opened, so a cadence can only
 * continue there (same conversation), never switch to them.
 */
export const STARTABLE_CHANNELS = ['whatsapp', 'sms', 'email', 'telegram'] as const;
export type StartableChannel = (typeof STARTABLE_CHANNELS)[number];

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

const ALIASES: Record<string, ContactChannel> = {
	whatsapp: 'whatsapp',
	whatsappcloud: 'whatsapp',
	whatsappweb: 'whatsapp',
	whatsappbusiness: 'whatsapp',
	wa: 'whatsapp',
	sms: 'sms',
	text: 'sms',
	twilio: 'sms',
	email: 'email',
	mail: 'email',
	gmail: 'email',
	telegram: 'telegram',
	livechat: 'liveChat',
	webchat: 'liveChat',
	website: 'liveChat',
	widget: 'liveChat',
	facebook: 'facebook',
	messenger: 'facebook',
	facebookmessenger: 'facebook',
	instagram: 'instagram',
};

/**
 * The channel a recorded name means ("WhatsApp Cloud" → whatsapp, "Live chat" → liveChat), or
 * the name itself, trimmed, when it is none of ours (a custom channel stays as the user wrote
 * it, so a conversation on it can still be continued in place). Null for an empty name.
 */
export function channelOf(name: string | null | undefined): string | null {
	const trimmed = name?.trim() ?? '';
	if (trimmed === '') return null;
	return ALIASES[trimmed.toLowerCase().replace(/[\s_-]+/g, '')] ?? trimmed;
}

export function isContactChannel(name: string): name is ContactChannel {
	return (CONTACT_CHANNELS as readonly string[]).includes(name);
}

/**
 * An identity's value as the store keeps it, or a message saying how to give it. Phone numbers
 * and WhatsApp ids become `+` and digits (spaces, dashes, dots and brackets dropped, a leading 00
 * read as +, a WhatsApp Web suffix such as @s.whatsapp.net dropped); emails are lower-cased;
 * chat ids are kept as given, trimmed.
 */
export function normalizeIdentity(
	kind: IdentityKind,
	raw: string,
): { value: string } | { problem: string } {
	const value = raw.trim();
	if (value === '') return { problem: `the ${kind} is empty; leave it out or give a value` };
	if (kind === 'phone' || kind === 'whatsapp') return phoneNumber(kind, value);
	if (kind === 'email') {
		const email = value.toLowerCase();
		if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) && email.length <= 320) return { value: email };
		return { problem: `"${value}" is not an email address; give it as name@example.com` };
	}
	if (value.length > 200) return { problem: `the ${kind} id is longer than 200 characters` };
	return { value };
}

function phoneNumber(kind: IdentityKind, value: string): { value: string } | { problem: string } {
	const bare = value.replace(/@[a-z.]*whatsapp\.net$/i, '').replace(/@c\.us$/i, '');
	const compact = bare.replace(/[\s().-]/g, '').replace(/^00/, '+');
	const digits = compact.replace(/^\+/, '');
	if (/^[1-9]\d{6,14}$/.test(digits)) return { value: `+${digits}` };
	return {
		problem:
			`"${value}" is not a ${kind === 'phone' ? 'phone number' : 'WhatsApp number'}; give it ` +
			'with its country code, digits only or with +, for example +5511987654321',
	};
}
