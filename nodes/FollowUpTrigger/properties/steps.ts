import type { INodeProperties } from 'n8n-workflow';
import { TIME_UNITS } from '../../shared/fragments/options';

/** A step's wait, and a pause's length: business days as well as clock time. */
export const WAIT_UNITS = [
	...TIME_UNITS,
	{
		name: 'Business Days',
		value: 'businessDays',
		description: 'Skips weekends and the holidays under Sending Window',
	},
];

/** Steps that can go out on WhatsApp, and so may need a template outside the 24 h window. */
const WHATSAPP_STEPS = ['whatsapp', 'automatic'];
const AI_MODES = ['aiAssisted', 'aiFull'];

/** One static step, three days after enrollment: a cadence that works the moment it is added. */
export const DEFAULT_STEP = {
	waitAmount: 3,
	waitUnit: 'days',
	composeMode: 'static',
	staticText: 'Hi! Just following up on my last message. Is this still of interest?',
};

export const stepsProperty: INodeProperties = {
	displayName: 'Steps',
	name: 'steps',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true, sortable: true },
	placeholder: 'Add Step',
	default: { step: [DEFAULT_STEP] },
	description: 'The follow-ups, in order. Drag to reorder them.',
	options: [
		{
			displayName: 'Step',
			name: 'step',
			// In the order a person plans a step: when (wait), how (mode), what (instruction, text),
			// where (channel), then the extras; alphabetical order put the wait after the step name.
			// eslint-disable-next-line n8n-nodes-base/node-param-fixed-collection-type-unsorted-items
			values: [
				{
					displayName: 'Wait',
					name: 'waitAmount',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 3,
					description:
						'How long to wait before this step: step 1 from the clock start, later steps from the previous follow-up',
				},
				{
					displayName: 'Wait Unit',
					name: 'waitUnit',
					type: 'options',
					default: 'days',
					options: WAIT_UNITS,
				},
				{
					displayName: 'Compose Mode',
					name: 'composeMode',
					type: 'options',
					default: 'static',
					options: [
						{
							name: 'AI Assisted (Draft for Approval)',
							value: 'aiAssisted',
							description: 'The AI writes a draft; a person approves or edits it before it is sent',
						},
						{
							name: 'AI Full (Send Directly)',
							value: 'aiFull',
							description: 'The AI writes the message and it is sent without review',
						},
						{
							name: 'Message Text (No AI)',
							value: 'static',
							description: 'The Message Text is sent as written, variables filled in',
						},
					],
				},
				{
					displayName: 'Instruction for the AI',
					name: 'instruction',
					type: 'string',
					// Filled per contact at send time ({{firstName}}), never an n8n expression: without
					// this, typing {{ switches the field to Expression mode and the text is evaluated once.
					noDataExpression: true,
					typeOptions: { rows: 3 },
					default: '',
					placeholder: 'e.g. Ask, in one short sentence, whether the question is still relevant',
					description:
						'What this follow-up should achieve: a task for the AI, not the message itself',
					displayOptions: { show: { composeMode: AI_MODES } },
				},
				{
					displayName: 'Message Text',
					name: 'staticText',
					type: 'string',
					// Filled per contact at send time ({{firstName}}), never an n8n expression: without
					// this, typing {{ switches the field to Expression mode and the text is evaluated once.
					noDataExpression: true,
					typeOptions: { rows: 3 },
					default: '',
					placeholder: 'e.g. Hi {{firstName}}, did you get a chance to look at my last message?',
					description:
						'Sent as written in Message Text (No AI) mode; in the AI modes it is sent if the AI is unavailable. {{firstName}} and other enrollment variables are filled in.',
				},
				{
					displayName: 'Channel',
					name: 'channel',
					type: 'options',
					default: 'automatic',
					description:
						'Where to send this step. Route by Channel sends each item to the output of the channel decided; channelReason says why.',
					options: [
						{
							name: 'Automatic',
							value: 'automatic',
							description:
								'The conversation’s channel when it can be used, else the first channel of Channels → Channel Preference the contact can be reached on',
						},
						{ name: 'Email', value: 'email' },
						{ name: 'Same Conversation', value: 'sameConversation' },
						{ name: 'SMS', value: 'sms' },
						{ name: 'WhatsApp', value: 'whatsapp' },
					],
				},
				{
					displayName: 'WhatsApp Template',
					name: 'whatsappTemplate',
					type: 'string',
					noDataExpression: true,
					default: '',
					placeholder: 'e.g. follow_up_reminder',
					description:
						'The approved template (its name in WhatsApp Manager) to send when the contact is outside WhatsApp’s 24-hour window',
					displayOptions: { show: { channel: WHATSAPP_STEPS } },
				},
				{
					displayName: 'Template Language',
					name: 'whatsappTemplateLanguage',
					type: 'string',
					noDataExpression: true,
					default: 'en',
					placeholder: 'e.g. en_US or pt_BR',
					description: 'The language code the template was approved in',
					displayOptions: { show: { channel: WHATSAPP_STEPS } },
				},
				{
					displayName: 'Template Parameters',
					name: 'whatsappTemplateParameters',
					type: 'string',
					// Filled per contact at send time, like Message Text.
					noDataExpression: true,
					typeOptions: { rows: 3 },
					default: '',
					placeholder: 'e.g. {{firstName}}\nINV-{{invoiceNumber}}',
					description:
						'The template’s {{1}}, {{2}}, … one per line, in order. Enrollment variables like {{firstName}} are filled in.',
					displayOptions: { show: { channel: WHATSAPP_STEPS } },
				},
				{
					displayName: 'Run Once per Contact',
					name: 'runOnce',
					type: 'boolean',
					default: false,
					description:
						'Whether this step is sent only once per contact and conversation, even when a reply restarts the chain',
				},
				{
					displayName: 'Step Name',
					name: 'name',
					type: 'string',
					default: '',
					placeholder: 'e.g. Gentle nudge',
					description: 'Optional; shown in the items and reports instead of "Step 2"',
				},
			],
		},
	],
};
