import type { INodeProperties } from 'n8n-workflow';
import { modelTimeLimitProperty } from '../shared/fragments/model-time-limit';
import { optionsCollection } from '../shared/fragments/options';

export const properties: INodeProperties[] = [
	{
		displayName: 'Goal Reached',
		name: 'goalReached',
		type: 'boolean',
		default: false,
		description:
			'Whether the goal of the cadence is reached for this contact, so it should stop. Use an expression that is true once the goal is met. When true, the enrollment ends with reason "condition".',
		hint: 'e.g. {{ $json.invoice.status === "paid" }}',
	},
	{
		displayName: 'AI Judgement',
		name: 'aiJudgement',
		type: 'boolean',
		default: false,
		description:
			'Whether to also ask the chat model connected to the Chat Model input if, given the conversation, a follow-up still makes sense now. A clear no ends the cadence with reason "ai". If the model is missing, slow, failing or unsure, the other checks decide alone. Only for items from a Follow-up Trigger.',
	},
	{
		displayName: 'AI Criteria',
		name: 'aiCriteria',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. Stop once they booked a call or asked for a quote',
		description: 'Optional. Your own reasons to stop, added to what the model is asked.',
		displayOptions: { show: { aiJudgement: [true] } },
	},
	modelTimeLimitProperty({
		description:
			'How long to wait for the chat model. After that the follow-up goes ahead by the other checks.',
		displayOptions: { show: { aiJudgement: [true] } },
	}),
	optionsCollection([
		{
			displayName: 'Check Enrollment Is Running',
			name: 'checkRunning',
			type: 'boolean',
			default: true,
			description:
				'Whether to stop items whose enrollment ended, was paused, or moved on to another step since the trigger emitted them',
		},
		{
			displayName: 'Check Opt-Out',
			name: 'checkOptOut',
			type: 'boolean',
			default: true,
			description: 'Whether to stop when the contact opted out of all follow-ups',
		},
		{
			displayName: 'Check Replies',
			name: 'checkReplies',
			type: 'boolean',
			default: true,
			description:
				'Whether to stop when the contact replied after the trigger emitted the item. The reply policy of the cadence (stop, restart, pause) has already been applied; this keeps the old step from going out.',
		},
		{
			displayName: 'Check Sending Limit',
			name: 'checkLimit',
			type: 'boolean',
			default: true,
			description:
				'Whether to hold the step back when the contact already got as many messages in the last 24 hours as the cadence allows. The step is not lost: it goes out when the limit frees up.',
		},
		{
			displayName: 'Goal Note',
			name: 'goalNote',
			type: 'string',
			default: '',
			placeholder: 'e.g. invoice paid',
			description:
				'Saved in the timeline with the exit when Goal Reached is true, so you can see later why the cadence stopped',
		},
	]),
];
