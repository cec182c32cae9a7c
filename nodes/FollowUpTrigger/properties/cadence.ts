import type { INodeProperties } from 'n8n-workflow';

/** What the cadence is called, whether it runs, and how the clock and replies behave. */
export const cadenceProperties: INodeProperties[] = [
	{
		displayName:
			'Activate the workflow to publish this cadence, then enroll contacts with the Enroll In Cadence node using the same name. Running it here shows a preview for a sandbox contact; nothing is sent or stored.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Cadence Name',
		name: 'cadenceName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Inactivity follow-ups',
		description:
			'A unique name: the other cadence nodes find the cadence by it. Two Follow-up Triggers with the same name would overwrite each other’s steps.',
	},
	{
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		description:
			'Whether the cadence runs. When off, nothing is sent and no one new is enrolled; contacts already enrolled wait until it is switched back on.',
	},
];

export const clockAndReplyProperties: INodeProperties[] = [
	{
		displayName: 'Start the Clock',
		name: 'startClock',
		type: 'options',
		default: 'enrollment',
		description:
			'What the first step’s wait is counted from. Later steps wait from the previous follow-up.',
		options: [
			{
				name: 'After the Last Agent Message',
				value: 'lastAgentMessage',
				description:
					'Counted from the last message your agent (not the cadence) sent to the contact',
			},
			{
				name: 'After the Last Contact Message',
				value: 'lastContactMessage',
				description:
					'Counted from the last message the contact sent (recorded with Record Reply), even one from before enrolling. A new message before the first follow-up starts the count again.',
			},
			{
				name: 'When Enrolled',
				value: 'enrollment',
				description:
					'Counted from the moment the contact is enrolled (or the Start Time given there)',
			},
		],
	},
	{
		displayName: 'When the Contact Replies',
		name: 'replyAction',
		type: 'options',
		default: 'exit',
		description: 'What a reply recorded with Record Reply does to this cadence',
		options: [
			{
				name: 'Let AI Classify',
				value: 'classify',
				description:
					'Record Reply lets the AI decide: stop, pause until a time the contact names, ignore an auto-reply, or opt the contact out',
			},
			{
				name: 'Pause',
				value: 'pause',
				description: 'Hold the cadence for the Pause Length (see Options), then carry on',
			},
			{
				name: 'Restart the Chain at the Next Silence',
				value: 'restart',
				description: 'Start again from step 1, its wait counted from the reply',
			},
			{
				name: 'Stop the Cadence',
				value: 'exit',
				description: 'No more follow-ups for this contact (the safest choice)',
			},
		],
	},
];
