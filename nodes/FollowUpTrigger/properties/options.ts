import type { INodeProperties } from 'n8n-workflow';
import { variablesProperty } from '../../shared/fragments/variables';
import { optionsCollection } from '../../shared/fragments/options';
import { WAIT_UNITS } from './steps';

/** Reply policies that pause the cadence, and so need a pause length. */
const PAUSING = ['pause', 'classify'];

/** Everything with a good default: AI persona, exits, re-enrollment, limits, ticking, events. */
export const optionsProperty: INodeProperties = optionsCollection([
	{
		displayName: 'Check Every',
		name: 'checkInterval',
		type: 'options',
		default: 10,
		description:
			'How often the trigger looks for due follow-ups. Shorter is more punctual and reads the store more often.',
		options: [
			{ name: '5 Seconds', value: 5 },
			{ name: '10 Seconds', value: 10 },
			{ name: '15 Seconds', value: 15 },
			{ name: '30 Seconds', value: 30 },
			{ name: '60 Seconds', value: 60 },
		],
	},
	{
		displayName: 'Claim Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description:
			'How many due follow-ups one check hands out: up to ten times this many, in executions of at most this many (never more than 50, so n8n stays responsive), each started once the previous one ended. The rest follow on the next check.',
	},
	{
		displayName: 'Default Reviewer',
		name: 'defaultReviewer',
		type: 'string',
		default: '',
		placeholder: 'e.g. sales-team@example.com',
		description:
			'Who reviews an AI draft when the enrollment names no agent and the conversation no assignee (Record Reply → Assigned To): the Draft Awaiting Approval event carries it as reviewer, so a notification needs no lookup',
	},
	{
		displayName: 'Emit Events',
		name: 'emitEvents',
		type: 'multiOptions',
		default: [],
		description:
			'Also start the workflow for these moments, on a second output named Events (for alerts, CRM updates or reviewer notifications)',
		options: [
			{
				name: 'Contact Enrolled',
				value: 'enrolled',
				description:
					'A contact started the cadence (by Enroll In Cadence or as an idle conversation)',
			},
			{
				name: 'Draft Awaiting Approval',
				value: 'draftPending',
				description: 'An AI draft waits for a reviewer',
			},
			{
				name: 'Enrollment Completed',
				value: 'completed',
				description: 'A contact received the last step',
			},
			{
				name: 'Enrollment Exited',
				value: 'exited',
				description: 'A cadence stopped early: reply, goal, resolved, opt-out or by hand',
			},
			{
				name: 'Enrollment Failed',
				value: 'enrollmentFailed',
				description: 'A failed step ended the cadence for a contact',
			},
			{
				name: 'Follow-Up Deferred',
				value: 'deferred',
				description: 'A follow-up was moved to later (working hours, quiet hours, a sending limit)',
			},
			{
				name: 'Follow-Up Failed',
				value: 'failed',
				description: 'A follow-up could not be sent or its delivery failed',
			},
			{
				name: 'Follow-Up Sent',
				value: 'sent',
				description: 'A follow-up was confirmed as sent (Cadence → Mark Sent)',
			},
			{ name: 'Reply Received', value: 'replied', description: 'A contact replied' },
			{
				name: 'Step Stuck',
				value: 'stuck',
				description:
					'A follow-up was emitted but never confirmed as sent within Stuck After (it is not resent)',
			},
		],
	},
	{
		displayName: 'Exit When Goal Reached',
		name: 'exitOnGoal',
		type: 'boolean',
		default: true,
		description:
			'Whether the cadence stops once a goal is recorded for the contact or its target (paid, booked, won)',
	},
	{
		displayName: 'Exit When Resolved',
		name: 'exitOnResolved',
		type: 'boolean',
		default: true,
		description: 'Whether the cadence stops once the conversation is marked resolved',
	},
	{
		displayName: 'History Length',
		name: 'historyLength',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 20,
		description:
			'How many recent messages of the conversation each item carries for the AI, earlier follow-ups included',
	},
	{
		displayName: 'If Enrolled Again After It Ended',
		name: 'afterEnd',
		type: 'options',
		default: 'allow',
		options: [
			{ name: 'Start a New Run', value: 'allow' },
			{ name: 'Never Enroll the Contact Again', value: 'never' },
		],
	},
	{
		displayName: 'If Enrolled Again While Running',
		name: 'whileActive',
		type: 'options',
		default: 'ignore',
		options: [
			{ name: 'Ignore the New Enrollment', value: 'ignore' },
			{ name: 'Restart the Running One’s Clock', value: 'restart' },
		],
	},
	{
		displayName: 'Max Follow-Ups per Cadence per Hour',
		name: 'perCadencePerHour',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'A safe sending pace for this cadence; the rest wait for the next hour. 0 means no limit.',
	},
	{
		displayName: 'Max Follow-Ups per Contact per Day',
		name: 'perContactPerDay',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description:
			'Counted across all cadences, so a contact in several cadences is not flooded. 0 means no limit.',
	},
	{
		displayName: 'Pause Length',
		name: 'pauseAmount',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'How long a reply pauses the cadence (and a "busy" reply under Let AI Classify)',
		displayOptions: { show: { '/replyAction': PAUSING } },
	},
	{
		displayName: 'Pause Length Unit',
		name: 'pauseUnit',
		type: 'options',
		default: 'days',
		options: WAIT_UNITS,
		displayOptions: { show: { '/replyAction': PAUSING } },
	},
	{
		displayName: 'Persona',
		name: 'persona',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		placeholder: 'e.g. You are Sam, a friendly support agent at Acme. Keep messages short.',
		description: 'Who the AI writes as; passed to Compose Follow-up with every step',
	},
	{
		displayName: 'Sandbox Contact Name',
		name: 'sandboxContactName',
		type: 'string',
		default: 'Alex',
		description: 'The made-up contact the editor preview is for',
	},
	{
		displayName: 'Sandbox Contact Time Zone',
		name: 'sandboxTimeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. America/Chicago',
		description:
			'The sandbox contact’s time zone, for a cadence that sends in the recipient’s working hours. Leave empty for the cadence’s own.',
	},
	{
		displayName: 'Sandbox Step',
		name: 'sandboxStep',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'Which step the editor preview shows, as if the earlier ones had gone out',
	},
	variablesProperty({
		displayName: 'Sandbox Variables',
		name: 'sandboxVariables',
		description: 'Variables of the sandbox contact, e.g. firstName, for the editor preview',
	}),
	{
		displayName: 'Stuck After (Minutes)',
		name: 'stuckAfterMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
		description:
			'A follow-up emitted but not confirmed as sent within this time is reported as stuck (never resent on its own)',
	},
]);
