import type { INodeProperties } from 'n8n-workflow';
import { CHANNEL_OPTIONS, STATUS_OPTIONS } from '../../shared/fragments/reach';

/** Channels a follow-up can switch to: those reachable from what is known about the contact. */
const STARTABLE = CHANNEL_OPTIONS.filter((o) =>
	['whatsapp', 'sms', 'email', 'telegram'].includes(o.value),
);

/**
 * The cadence's channel settings (engine/cadence/channel-settings.ts): where Automatic looks,
 * WhatsApp's 24 h window, switching after silence, failed deliveries, and idle conversations
 * enrolled on their own. Every default keeps what a cadence did before these settings existed.
 */
export const channelsProperty: INodeProperties = {
	displayName: 'Channels',
	name: 'channels',
	type: 'collection',
	placeholder: 'Add Channel Setting',
	default: {},
	options: [
		{
			displayName: 'Channel Preference',
			name: 'preference',
			type: 'string',
			default: 'WhatsApp, SMS, Email',
			description:
				'For steps on Automatic: after the conversation’s own channel, the first of these the contact can be reached on (Reach Contact At), in this order. Separate with commas.',
		},
		{
			displayName: 'Enroll Idle Conversations',
			name: 'idleEnroll',
			type: 'boolean',
			default: false,
			description:
				'Whether conversations with no message or status change for Idle Minutes are enrolled in this cadence on their own, each conversation once. Record Reply records the messages they count from.',
		},
		{
			displayName: 'Idle Minutes',
			name: 'idleMinutes',
			type: 'number',
			default: 60,
			description: 'How long a conversation is quiet before it is enrolled',
			displayOptions: { show: { idleEnroll: [true] } },
		},
		{
			displayName: 'Idle Statuses',
			name: 'idleStatuses',
			type: 'multiOptions',
			options: STATUS_OPTIONS,
			default: ['open', 'pending'],
			description: 'Which conversations count: by their status in your inbox',
			displayOptions: { show: { idleEnroll: [true] } },
		},
		{
			displayName: 'On Delivery Failure',
			name: 'onFailure',
			type: 'options',
			default: 'endEnrollment',
			options: [
				{
					name: 'End the Enrollment as Failed',
					value: 'endEnrollment',
					description: 'A failed step ends the cadence for this contact, with an event saying so',
				},
				{
					name: 'Try the Next Channel',
					value: 'nextChannel',
					description: 'The step goes out again on the next channel the contact can be reached on',
				},
			],
			description: 'What a delivery report of "failed" does',
		},
		{
			displayName: 'Outside the WhatsApp Window Without a Template',
			name: 'outsideWindow',
			type: 'options',
			default: 'fail',
			options: [
				{
					name: 'Fail the Step',
					value: 'fail',
					description: 'The step leaves Route by Channel by Cannot Send, with the reason',
				},
				{
					name: 'Try the Next Channel',
					value: 'nextChannel',
					description: 'The next channel of Channel Preference the contact can be reached on',
				},
			],
			description:
				'WhatsApp Cloud only takes an approved template more than 24 h after the contact’s last message; what a step without one does then',
		},
		{
			displayName: 'Switch After (Hours)',
			name: 'switchAfterHours',
			type: 'number',
			default: 24,
			description: 'How long without a response on the conversation’s channel before switching',
			displayOptions: { show: { switchChannels: [true] } },
		},
		{
			displayName: 'Switch Channels When No Response',
			name: 'switchChannels',
			type: 'boolean',
			default: false,
			description:
				'Whether steps on Automatic move to another channel when the contact does not answer, e.g. from live chat to SMS when a phone number is known',
		},
		{
			displayName: 'Switch From',
			name: 'switchFrom',
			type: 'string',
			default: 'Live Chat, Facebook, Instagram, WhatsApp',
			description: 'The channels to switch away from. Separate with commas.',
			displayOptions: { show: { switchChannels: [true] } },
		},
		{
			displayName: 'Switch To',
			name: 'switchTo',
			type: 'options',
			options: STARTABLE,
			default: 'sms',
			description: 'Used only when the contact can be reached there (a phone number for SMS)',
			displayOptions: { show: { switchChannels: [true] } },
		},
		{
			displayName: 'WhatsApp Connection',
			name: 'whatsappConnection',
			type: 'options',
			default: 'cloud',
			options: [
				{
					name: 'WhatsApp Cloud API',
					value: 'cloud',
					description: 'Free text within 24 h of the contact’s last message, else a template',
				},
				{
					name: 'WhatsApp Web',
					value: 'web',
					description: 'No 24 h window: always free text',
				},
			],
			description: 'How your workflow sends WhatsApp messages',
		},
	],
};
