import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import type { TimeoutPolicy } from './state';
import { optionsCollection, TIME_UNITS } from '../shared/fragments/options';

const ON_TIMEOUT_OPTIONS: Array<INodePropertyOptions & { value: TimeoutPolicy }> = [
	{
		name: 'Leave by Timed Out (Escalate)',
		value: 'escalate',
		description: 'Send nothing; the item leaves by the Timed Out output so you can alert someone',
	},
	{
		name: 'Send the AI Draft',
		value: 'sendDraft',
		description: 'The draft leaves by Approved as it is',
	},
	{
		name: 'Send the Message Text',
		value: 'sendStatic',
		description: 'The step’s Message Text leaves by Approved instead of the draft',
	},
	{
		name: 'Skip the Step',
		value: 'skip',
		description: 'Send nothing; the item leaves by Discarded',
	},
];

export const properties: INodeProperties[] = [
	{
		displayName:
			'Put the node that notifies the reviewer (Slack, email, Telegram…) right before this one, with the approval link <code>{{ $execution.resumeUrl }}</code> in its message. The workflow waits here until the reviewer approves, edits and approves, or discards the draft on that page, or until the time limit.',
		name: 'howItWorks',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Draft to Review',
		name: 'draft',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. {{ $json.message.text }}',
		description:
			'The message the reviewer approves or edits. Leave empty to use the draft Compose Follow-up wrote: this node finds the follow-up item by following the items back through the notify node.',
	},
	{
		displayName: 'Time Limit',
		name: 'timeLimit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 24,
		description: 'How long the reviewer has to decide',
	},
	{
		displayName: 'Time Limit Unit',
		name: 'timeLimitUnit',
		type: 'options',
		options: TIME_UNITS,
		default: 'hours',
	},
	{
		displayName: 'When Nobody Decides in Time',
		name: 'onTimeout',
		type: 'options',
		options: ON_TIMEOUT_OPTIONS,
		default: 'escalate',
		description: 'What happens once the time limit has passed without a decision',
	},
	optionsCollection([
		{
			displayName: 'Ask for the Reviewer’s Name',
			name: 'askName',
			type: 'boolean',
			default: true,
			description:
				'Whether the page asks who is deciding, so the timeline shows who approved. A reviewer= parameter added to the link fills it in.',
		},
		{
			displayName: 'Contact Shown to the Reviewer',
			name: 'contact',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.name }}',
			description: 'Who the message goes to. Leave empty to use the contact of the follow-up item.',
		},
		{
			displayName: 'Message Text',
			name: 'staticText',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description:
				'What "Send the Message Text" sends. Leave empty to use the Message Text of the cadence step.',
		},
		{
			displayName: 'Note for the Reviewer',
			name: 'note',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Shown at the top of the page, e.g. what to look out for',
		},
		{
			displayName: 'Page Title',
			name: 'title',
			type: 'string',
			default: 'Review this follow-up',
		},
	]),
];
