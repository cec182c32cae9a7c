import type { IDataObject, INodeProperties } from 'n8n-workflow';
import {
	channelOf,
	CONVERSATION_STATUSES,
	isContactChannel,
	normalizeIdentity,
	type ConversationStatus,
	type Identity,
	type IdentityKind,
} from '../../../engine';
import { parameterError } from '../parameters';

/**
 * Where a contact can be reached (phone, email, WhatsApp, chat ids) and the conversation's
 * channel and status: the same fields on Enroll In Cadence and Record Reply, read by one reader,
 * so the channel decision finds a phone number for SMS however the contact came in.
 */

const IDENTITY_FIELDS: Array<{ kind: IdentityKind; label: string; hint: string }> = [
	{ kind: 'phone', label: 'Phone Number', hint: 'With its country code, e.g. +5511987654321' },
	{ kind: 'email', label: 'Email', hint: 'e.g. ana@example.com' },
	{ kind: 'whatsapp', label: 'WhatsApp Number', hint: 'When it differs from the phone number' },
	{ kind: 'telegram', label: 'Telegram Chat ID', hint: 'e.g. {{ $json.message.chat.id }}' },
	{
		kind: 'liveChat',
		label: 'Live Chat ID',
		hint: 'The visitor or contact ID of your chat widget',
	},
	{ kind: 'facebook', label: 'Facebook (Messenger) ID', hint: 'The page-scoped sender ID' },
	{ kind: 'instagram', label: 'Instagram ID', hint: 'The Instagram-scoped sender ID' },
];

export const REACH_AT = 'Reach Contact At';

export const reachAtProperty: INodeProperties = {
	displayName: REACH_AT,
	name: 'reachAt',
	type: 'collection',
	placeholder: 'Add Phone, Email or Chat ID',
	default: {},
	description:
		'Where the cadence may send follow-ups: a step on Automatic or switching to SMS needs the phone number, Email needs the email',
	options: IDENTITY_FIELDS.map(({ kind, label, hint }) => ({
		displayName: label,
		name: kind,
		type: 'string',
		default: '',
		placeholder: hint,
	})),
};

/** The identities in the collection's value, normalised; a bad one fails naming its field. */
export function readIdentities(
	context: Parameters<typeof parameterError>[0],
	itemIndex: number,
	value: unknown,
): Identity[] {
	const fields = (value && typeof value === 'object' ? value : {}) as IDataObject;
	const identities: Identity[] = [];
	for (const { kind, label } of IDENTITY_FIELDS) {
		const raw = fields[kind];
		if (raw === undefined || raw === null || String(raw).trim() === '') continue;
		if (typeof raw !== 'string' && typeof raw !== 'number') {
			throw parameterError(
				context,
				itemIndex,
				`${REACH_AT} → ${label}`,
				`must be text or a number, not ${Array.isArray(raw) ? 'a list' : typeof raw}`,
				'Map it to one field of the incoming item, e.g. {{ $json.phone }}.',
			);
		}
		const normal = normalizeIdentity(kind, String(raw));
		if ('problem' in normal) {
			throw parameterError(
				context,
				itemIndex,
				`${REACH_AT} → ${label}`,
				`is not usable: ${normal.problem}`,
				'Fix the value or remove the field.',
			);
		}
		identities.push({ kind, value: normal.value });
	}
	return identities;
}

export const CHANNEL_OPTIONS = [
	{ name: 'WhatsApp', value: 'whatsapp' },
	{ name: 'SMS', value: 'sms' },
	{ name: 'Email', value: 'email' },
	{ name: 'Telegram', value: 'telegram' },
	{ name: 'Live Chat', value: 'liveChat' },
	{ name: 'Facebook Messenger', value: 'facebook' },
	{ name: 'Instagram', value: 'instagram' },
];

export const STATUS_OPTIONS = [
	{ name: 'Open', value: 'open' },
	{ name: 'Pending', value: 'pending' },
	{ name: 'Resolved', value: 'resolved' },
];

/**
 * A channel name as the user or an expression gave it ("WhatsApp Cloud" → whatsapp); a name
 * that is none of the known channels fails naming the parameter and listing them.
 */
export function readChannelName(
	context: Parameters<typeof parameterError>[0],
	itemIndex: number,
	label: string,
	value: unknown,
): string | null {
	const written = typeof value === 'string' ? value.trim() : '';
	if (written === '') return null;
	const channel = channelOf(written);
	if (channel && isContactChannel(channel)) return channel;
	throw parameterError(
		context,
		itemIndex,
		label,
		`names an unknown channel: ${JSON.stringify(written)}`,
		`Use one of: ${CHANNEL_OPTIONS.map((o) => o.name).join(', ')}.`,
	);
}

export function readConversationStatus(
	context: Parameters<typeof parameterError>[0],
	itemIndex: number,
	label: string,
	value: unknown,
): ConversationStatus | null {
	const written = typeof value === 'string' ? value.trim().toLowerCase() : '';
	if (written === '') return null;
	if ((CONVERSATION_STATUSES as readonly string[]).includes(written))
		return written as ConversationStatus;
	throw parameterError(
		context,
		itemIndex,
		label,
		`is not a conversation status: ${JSON.stringify(value)}`,
		'Use open, pending or resolved.',
	);
}

export const ASSIGNED_TO = 'Assigned To';

/** Who handles the conversation: the reviewer of drafts for the contact (Record Reply, Cadence). */
export const assignedToProperty: INodeProperties = {
	displayName: ASSIGNED_TO,
	name: 'assignee',
	type: 'string',
	default: '',
	placeholder: 'e.g. {{ $json.conversation.assignee.email }}',
	description:
		'Who handles this conversation, e.g. the agent’s name or email. Leave empty to keep the one already set.',
	hint: 'Used as the reviewer of drafts for this contact when the enrollment names no agent',
};

/** The assignee, trimmed; '' keeps the one set. Objects and lists fail naming the option. */
export function readAssignee(
	context: Parameters<typeof parameterError>[0],
	itemIndex: number,
	value: unknown,
): string {
	if (value === undefined || value === null) return '';
	if (typeof value === 'string' || typeof value === 'number') return String(value).trim();
	throw parameterError(
		context,
		itemIndex,
		ASSIGNED_TO,
		`must be text, not ${Array.isArray(value) ? 'a list' : typeof value}`,
		'Map it to the agent’s name or email, e.g. {{ $json.assignee.name }}.',
		'option',
	);
}
