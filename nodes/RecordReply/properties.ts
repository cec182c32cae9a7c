import { assignedToProperty, reachAtProperty, STATUS_OPTIONS } from '../shared/fragments/reach';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { modelTimeLimitProperty } from '../shared/fragments/model-time-limit';
import { contactIdProperty, conversationIdProperty } from '../shared/fragments/contact';
import { optionsCollection } from '../shared/fragments/options';

/**
 * The store's reply actions, plus "policy" for each cadence's own setting and "classify" for the
 * action the message itself calls for.
 */
export const WHAT_TO_DO = [
	'policy',
	'classify',
	'exit',
	'restart',
	'pause',
	'ignore',
	'optOut',
] as const;
export type WhatToDo = (typeof WHAT_TO_DO)[number];

/** From the default to the most drastic, not alphabetical: that is how people choose. */
const WHAT_TO_DO_OPTIONS: Array<INodePropertyOptions & { value: WhatToDo }> = [
	{
		name: 'Use Each Cadence’s Reply Policy',
		value: 'policy',
		description:
			'Do what each running cadence is set to do on a reply: stop, restart the chain, pause, or let AI classify the message',
	},
	{
		name: 'Let AI Classify the Message',
		value: 'classify',
		description:
			'Read the message (with the connected chat model, or keywords without one): booked or paid ends the cadence as goal reached, busy or “follow up next week” pauses until the time mentioned, out of office pauses until the return date, stop opts out, an auto-reply is ignored, anything else follows each cadence’s policy',
	},
	{
		name: 'Stop the Cadence',
		value: 'exit',
		description: 'End the running follow-ups for this contact',
	},
	{
		name: 'Restart the Chain',
		value: 'restart',
		description: 'Start the follow-ups over from the first step, counted from this reply',
	},
	{
		name: 'Pause Until…',
		value: 'pause',
		description: 'Hold the follow-ups until a date, then carry on',
	},
	{
		name: 'Ignore (Auto-Reply)',
		value: 'ignore',
		description: 'Record the message but change nothing, e.g. for an out-of-office reply',
	},
	{
		name: 'Opt Out (Never Message Again)',
		value: 'optOut',
		description: 'Stop every cadence and never enroll or message this contact again',
	},
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Message From',
		name: 'author',
		type: 'options',
		options: [
			{
				name: 'The Contact (a Reply)',
				value: 'contact',
				description: 'The contact wrote: the running cadences react as set below',
			},
			{
				name: 'Your Agent (Outgoing)',
				value: 'agent',
				description:
					'Your agent or bot wrote to the contact: kept for the AI’s history, and cadences that start the clock at the last agent message count from it',
			},
		],
		default: 'contact',
	},
	contactIdProperty({
		placeholder: 'e.g. {{ $json.from }}',
		description: 'Who wrote: the same phone number, email or chat ID the contact was enrolled with',
	}),
	conversationIdProperty({
		description:
			'Optional. With it, only cadences in that conversation (or enrolled without one) react; without it, all of the contact’s cadences do.',
	}),
	{
		displayName: 'Message Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. {{ $json.message.text }}',
		description: 'What was written. It is kept so the AI sees the whole conversation.',
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '',
		placeholder: 'e.g. whatsapp',
		description:
			'Where the message came from (WhatsApp, SMS, Email, Telegram, Live Chat…): the conversation’s channel, and for WhatsApp the start of its 24 h window',
	},
	reachAtProperty,
	{
		displayName: 'What to Do',
		name: 'action',
		type: 'options',
		options: WHAT_TO_DO_OPTIONS,
		default: 'policy',
		description: 'How the contact’s running cadences react to this message',
		displayOptions: { show: { author: ['contact'] } },
	},
	{
		displayName:
			'Connect a chat model to the Chat Model input to classify any wording in any language. Without one, keywords recognise stop and not interested, booked / paid / done (the goal), busy and requests like “follow up next Tuesday at 3pm” or “after the holidays”, and out of office (English, plus common Spanish, Portuguese, French and German words). Add your own goal words under Options → Goal Phrases.',
		name: 'classifyNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { author: ['contact'], action: ['classify'] } },
	},
	{
		displayName: 'Pause Until',
		name: 'pauseUntil',
		type: 'dateTime',
		default: '',
		description:
			'When the follow-ups carry on. Leave empty to use the pause length set in each cadence.',
		displayOptions: { show: { author: ['contact'], action: ['pause'] } },
	},
	optionsCollection([
		assignedToProperty,
		{
			displayName: 'Conversation Status',
			name: 'conversationStatus',
			type: 'options',
			options: STATUS_OPTIONS,
			default: 'open',
			description:
				'The conversation’s status in your inbox after this message. Resolved ends the cadences that exit on resolution; inactivity enrollment counts the statuses the Follow-up Trigger names.',
		},
		{
			displayName: 'Received At',
			name: 'receivedAt',
			type: 'dateTime',
			default: '',
			description: 'When the contact wrote. Leave empty for now.',
		},
		{
			displayName: 'Contact Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. America/New_York',
			description:
				'Where the contact lives, so "call me tomorrow at 3" means 3 PM there. Leave empty to use the time zone they were enrolled with, else the cadence’s, else the workflow’s.',
		},
		{
			displayName: 'Goal Phrases',
			name: 'goalPhrases',
			type: 'string',
			default: '',
			placeholder: 'e.g. booked, paid, signed the contract',
			displayOptions: { show: { '/author': ['contact'], '/action': ['policy', 'classify'] } },
			description:
				'Words that mean the contact reached the goal, separated by commas. A message containing one ends each cadence that stops on its goal (others apply their reply policy), with no chat model needed. A stop or unsubscribe in the same message still wins.',
		},
		modelTimeLimitProperty({
			description:
				'How long to wait for the chat model when classifying. When it takes longer, fails or answers nonsense, the keywords decide and the output says why.',
		}),
	]),
];
