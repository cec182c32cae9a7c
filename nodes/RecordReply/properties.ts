import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The store's reply actions, plus "policy" for each cadence's own setting. */
export const WHAT_TO_DO = ['policy', 'exit', 'restart', 'pause', 'ignore', 'optOut'] as const;
export type WhatToDo = (typeof WHAT_TO_DO)[number];

/** From the default to the most drastic, not alphabetical: that is how people choose. */
const WHAT_TO_DO_OPTIONS: Array<INodePropertyOptions & { value: WhatToDo }> = [
	{
		name: 'Use Each Cadence’s Reply Policy',
		value: 'policy',
		description:
			'Do what each running cadence is set to do on a reply: stop, restart the chain or pause',
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
		displayName: 'Contact ID',
		name: 'contactKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.from }}',
		description: 'Who wrote: the same phone number, email or chat ID the contact was enrolled with',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.chatId }}',
		description:
			'Optional. With it, only cadences in that conversation (or enrolled without one) react; without it, all of the contact’s cadences do.',
	},
	{
		displayName: 'Message Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. {{ $json.message.text }}',
		description: 'What the contact wrote. It is kept so the AI sees the whole conversation.',
	},
	{
		displayName: 'Channel',
		name: 'channel',
		type: 'string',
		default: '',
		placeholder: 'e.g. whatsapp',
		description: 'Where the message came from, for the conversation history',
	},
	{
		displayName: 'What to Do',
		name: 'action',
		type: 'options',
		options: WHAT_TO_DO_OPTIONS,
		default: 'policy',
		description: 'How the contact’s running cadences react to this message',
	},
	{
		displayName: 'Pause Until',
		name: 'pauseUntil',
		type: 'dateTime',
		default: '',
		description:
			'When the follow-ups carry on. Leave empty to use the pause length set in each cadence.',
		displayOptions: { show: { action: ['pause'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Received At',
				name: 'receivedAt',
				type: 'dateTime',
				default: '',
				description: 'When the contact wrote. Leave empty for now.',
			},
		],
	},
];
