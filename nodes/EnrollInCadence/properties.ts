import type { INodeProperties } from 'n8n-workflow';
import { variablesProperty } from '../shared/fragments/variables';
import { cadenceLocator } from '../shared/cadence-locator';
import { contactIdProperty, conversationIdProperty } from '../shared/fragments/contact';
import { optionsCollection } from '../shared/fragments/options';
import { CHANNEL_OPTIONS, reachAtProperty } from '../shared/fragments/reach';

export const properties: INodeProperties[] = [
	cadenceLocator(),
	contactIdProperty({
		description:
			'What identifies the contact across channels: a phone number, an email, or a chat or CRM ID',
	}),
	conversationIdProperty({
		description:
			'Optional. With it, a contact can run the cadence once per conversation, and a reply only affects that conversation.',
	}),
	{
		displayName: 'Contact Name',
		name: 'contactName',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.firstName }}',
	},
	variablesProperty({
		displayName: 'Variables',
		name: 'variables',
		description:
			'Values the messages can use as {{name}}, e.g. firstName or invoiceLink. Filled in when each message is sent.',
	}),
	reachAtProperty,
	optionsCollection([
		{
			displayName: 'Agent Name',
			name: 'agent',
			type: 'string',
			default: '',
			description: 'Who the follow-ups speak for; you can search and filter enrollments by it',
		},
		{
			displayName: 'Conversation Channel',
			name: 'conversationChannel',
			type: 'options',
			options: CHANNEL_OPTIONS,
			default: 'whatsapp',
			description:
				'Where the conversation takes place. A step on Automatic or Same Conversation goes there first, and WhatsApp’s 24 h window counts from the contact’s last message on it.',
		},
		{
			displayName: 'Contact Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. America/Chicago',
			description:
				'Used when the cadence sends in the recipient’s working hours. An IANA zone name.',
		},
		{
			displayName: 'Include Input Fields as Variables',
			name: 'includeInputFields',
			type: 'boolean',
			default: false,
			description: 'Whether every field of the incoming item becomes a variable too',
		},
		{
			displayName: 'Start Time',
			name: 'startAt',
			type: 'dateTime',
			default: '',
			description: 'When the clock starts. Leave empty for now.',
		},
		{
			displayName: 'Target ID',
			name: 'targetId',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.invoiceId }}',
		},
		{
			displayName: 'Target Type',
			name: 'targetType',
			type: 'string',
			default: '',
			placeholder: 'e.g. charge, deal, appointment',
			description: 'What the cadence is about, so "goal reached" for it ends the cadence',
		},
	]),
];
