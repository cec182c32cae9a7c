import type { INodeProperties } from 'n8n-workflow';
import { LANGUAGE_NAMES } from '../../engine/compose';
import { optionsCollection } from '../shared/fragments/options';

export const LIMITS = {
	maxLength: { min: 20, max: 10_000 },
	timeoutSeconds: { min: 1, max: 600 },
	concurrency: { min: 1, max: 50 },
} as const;

export const properties: INodeProperties[] = [
	{
		displayName: 'Compose Mode',
		name: 'mode',
		type: 'options',
		default: 'fromStep',
		options: [
			{
				name: 'From Cadence Step',
				value: 'fromStep',
				description: 'Use the mode set on the step in the Follow-up Trigger',
			},
			{
				name: 'Message Text (No AI)',
				value: 'static',
				description: 'Send the step’s Message Text with the contact’s variables filled in',
			},
			{
				name: 'AI Assisted (Draft for Approval)',
				value: 'aiAssisted',
				description: 'The AI writes a draft that leaves by the Needs Approval output',
			},
			{
				name: 'AI Full (Send Directly)',
				value: 'aiFull',
				description: 'The AI writes the message and it leaves by the Send output',
			},
		],
	},
	{
		displayName: 'Instruction for the AI',
		name: 'instruction',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		placeholder: 'e.g. Ask whether the question is still relevant',
		description:
			'What the AI should do in this message: a task, not the text to send. Leave empty to use the instruction of the cadence step. Variables such as {{firstName}} are filled in.',
		displayOptions: { hide: { mode: ['static'] } },
	},
	optionsCollection([
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: LIMITS.concurrency.min, maxValue: LIMITS.concurrency.max },
			default: 4,
			description:
				'How many messages are written at the same time. Lower it if your AI provider reports rate limits.',
		},
		{
			displayName: 'History Source',
			name: 'historySource',
			type: 'options',
			default: 'auto',
			options: [
				{
					name: 'Memory When Connected, Else Cadence Store',
					value: 'auto',
					description:
						'With a memory connected, the AI reads the conversation your AI agent keeps there',
				},
				{
					name: 'Cadence Store',
					value: 'store',
					description: 'The messages recorded in the cadence store (Record Reply, sent follow-ups)',
				},
			],
			description:
				'Where the AI reads the conversation from. Earlier follow-ups always come from the cadence store, so they are never repeated.',
		},
		{
			displayName: 'If the AI Fails on an AI Assisted Step',
			name: 'whenAiFails',
			type: 'options',
			default: 'sendFallback',
			options: [
				{
					name: 'Send the Message Text',
					value: 'sendFallback',
					description:
						'The step’s Message Text goes out by the Send output, so the cadence never stops because of an AI outage',
				},
				{
					name: 'Ask the Reviewer Anyway',
					value: 'askReviewer',
					description:
						'The Message Text leaves by the Needs Approval output, so a person checks it before it is sent',
				},
			],
			description:
				'What happens when no chat model is connected, it fails, it is too slow, or its drafts fail the checks. AI full steps always send the Message Text.',
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'options',
			default: 'auto',
			options: [
				{
					name: 'Same as Conversation',
					value: 'auto',
					description: 'Write in the language the contact uses, and check the draft is in it',
				},
				{
					name: 'Any (Do Not Check)',
					value: 'any',
					description: 'Leave the language to the AI',
				},
				...Object.entries(LANGUAGE_NAMES).map(([value, name]) => ({ name, value })),
			],
		},
		{
			displayName: 'Maximum Length',
			name: 'maxLength',
			type: 'number',
			typeOptions: { minValue: LIMITS.maxLength.min, maxValue: LIMITS.maxLength.max },
			default: 600,
			description:
				'Longest AI message allowed, in characters. A longer draft is rewritten once, then the Message Text is used.',
		},
		{
			displayName: 'Message Text',
			name: 'staticText',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			placeholder: 'e.g. Hi {{firstName|there}}, just checking in!',
			description:
				'Sent in Message Text (No AI) mode, and whenever the AI cannot deliver. Leave empty to use the Message Text of the cadence step. Write {{name|default}} for a variable that may be missing.',
		},
		{
			displayName: 'Model Time Limit (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: LIMITS.timeoutSeconds.min, maxValue: LIMITS.timeoutSeconds.max },
			default: 30,
			description:
				'How long the AI may take for one message, a rewrite included. After that the Message Text is used, so the cadence never waits on the AI.',
		},
		{
			displayName: 'Persona',
			name: 'persona',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. Anna from Acme support: warm, brief, never pushy',
			description:
				'Who the AI writes as and in what tone. Leave empty to use the persona of the cadence.',
		},
	]),
];

/** An option's default as the editor shows it, so the code never disagrees with the UI. */
export function optionDefault(name: string): unknown {
	const options = properties.find((p) => p.name === 'options')?.options ?? [];
	return (options as INodeProperties[]).find((o) => o.name === name)?.default;
}
