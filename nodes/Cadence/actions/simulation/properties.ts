import type { INodeProperties } from 'n8n-workflow';
import { variablesProperty } from '../../../shared/fragments/variables';
import { cadenceLocator } from '../../../shared/cadence-locator';
import { optionsCollection, TIME_UNITS } from '../../../shared/fragments/options';

export const DEFINITION_LABEL = 'Cadence Definition (JSON)';

const EXAMPLE_DEFINITION = `{
  "name": "Inactivity follow-ups",
  "steps": [
    { "wait": { "amount": 4, "unit": "hours" }, "staticText": "Still there, {{firstName}}?" },
    { "wait": { "amount": 24, "unit": "hours" }, "staticText": "Is this still relevant?" },
    { "wait": { "amount": 48, "unit": "hours" }, "staticText": "Goodbye for now!" }
  ]
}`;

const fromJson = { show: { cadenceSource: ['json'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Cadence Source',
		name: 'cadenceSource',
		type: 'options',
		default: 'published',
		options: [
			{
				name: 'From JSON Definition',
				value: 'json',
				description: 'A definition written here, e.g. to try a change before publishing it',
			},
			{
				name: 'From Published Cadence',
				value: 'published',
				description: 'The cadence as its Follow-up Trigger last published it',
			},
		],
	},
	cadenceLocator({ displayOptions: { show: { cadenceSource: ['published'] } } }),
	{
		displayName: DEFINITION_LABEL,
		name: 'definition',
		type: 'json',
		default: EXAMPLE_DEFINITION,
		required: true,
		displayOptions: fromJson,
		description:
			'A cadence definition: a name, steps with a wait and a text or AI instruction, and optional reply, schedule and limit settings',
	},
	{
		displayName: 'Sandbox Contact Name',
		name: 'contactName',
		type: 'string',
		default: 'Alex',
		description: 'The made-up contact the cadence is played for, as {{contactName}} in messages',
	},
	{
		displayName: 'Sandbox Contact Time Zone',
		name: 'contactTimeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. America/Chicago',
		description:
			'Used when the cadence sends in the recipient’s working hours. An IANA zone name; leave empty for the cadence’s own.',
	},
	variablesProperty({
		displayName: 'Sandbox Variables',
		name: 'variables',
		description:
			'Variables of the sandbox contact, e.g. firstName, used as {{firstName}} in messages as Enroll In Cadence would store them',
	}),
	{
		displayName: 'Start Time',
		name: 'startAt',
		type: 'dateTime',
		default: '',
		description: 'When the sandbox contact is enrolled on the virtual clock. Leave empty for now.',
	},
	{
		displayName: 'Simulated Replies',
		name: 'replies',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Reply',
		default: {},
		description: 'Replies from the sandbox contact, to see what the cadence does with them',
		options: [
			{
				displayName: 'Reply',
				name: 'reply',
				values: [
					{
						displayName: 'After Step',
						name: 'afterStep',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 1,
						description: 'The contact answers after this follow-up (1 is the first)',
					},
					{
						displayName: 'Delay',
						name: 'delay',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 1,
						description: 'How long after that follow-up the reply comes',
					},
					{
						displayName: 'Delay Unit',
						name: 'delayUnit',
						type: 'options',
						default: 'hours',
						options: TIME_UNITS,
					},
					{
						displayName: 'Reply Handling',
						name: 'handling',
						type: 'options',
						default: 'policy',
						description: 'What the reply does; an AI classification would pick one of these',
						options: [
							{
								name: 'Ignore (Auto-Reply)',
								value: 'ignore',
								description: 'Treat it as an auto-reply',
							},
							{
								name: 'Opt Out (Never Message Again)',
								value: 'optOut',
								description: 'The contact said stop',
							},
							{
								name: 'Pause',
								value: 'pause',
								description: 'Hold the cadence for its Pause Length',
							},
							{
								name: 'Restart the Chain',
								value: 'restart',
								description: 'Start the chain again at the next silence',
							},
							{ name: 'Stop the Cadence', value: 'exit', description: 'End the cadence' },
							{
								name: 'Use the Cadence’s Reply Policy',
								value: 'policy',
								description: 'The cadence’s own reply setting (exit, restart, pause…)',
							},
						],
					},
					{
						displayName: 'Reply Text',
						name: 'text',
						type: 'string',
						default: '',
						placeholder: 'e.g. Thanks, I will look tomorrow',
					},
				],
			},
		],
	},
	optionsCollection([
		{
			displayName: 'Max Sends',
			name: 'maxSends',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description:
				'Stop the simulation after this many follow-ups, for cadences that restart on every reply',
		},
	]),
];
