import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { CadenceTransitionError } from '../../../../engine';
import { DELIVERY_STATUSES, type StepStatusInput } from '../../../../engine';
import { stepRunJson } from '../../../shared/output';
import { callStore, readText } from '../parameters';
import { parameterError, readTime } from '../../../shared/parameters';
import { previewResult } from '../preview';
import { readStepRunRef, STEP_RUN_LABEL, stepRunProperty, type StepRunRef } from '../step-run-ref';
import { showFor, type OperationExecute, type StoreAccess } from '../types';
import { optionsCollection } from '../../../shared/fragments/options';

/**
 * A channel's delivery report (a WhatsApp or Twilio status webhook, an email bounce). Statuses
 * only move forward and a repeated report is harmless; the store refuses a move backwards.
 */
const STATUSES = ['delivered', 'failed', 'read', 'sent'] as const;

/** What channels' webhooks call the same statuses: Twilio says "undelivered" for a failure. */
const CHANNEL_WORDS: Record<string, string> = { undelivered: 'failed', seen: 'read' };

const properties: INodeProperties[] = [
	{
		displayName: 'Find the Follow-up By',
		name: 'findBy',
		type: 'options',
		default: 'stepRun',
		options: [
			{
				name: 'Step Run ID or Idempotency Key',
				value: 'stepRun',
				description: 'What the Follow-up Trigger emitted; for channels that echo it back',
			},
			{
				name: 'Channel Message ID',
				value: 'channelMessageId',
				description:
					'The ID the channel gave the message (WhatsApp wamid, Twilio SID), as Mark Sent stored it',
			},
		],
	},
	{ ...stepRunProperty, displayOptions: { show: { findBy: ['stepRun'] } } },
	{
		displayName: 'Channel Message ID',
		name: 'channelMessageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.body.MessageSid }}',
		description:
			'The message ID the status webhook names: Twilio sends it as MessageSid, WhatsApp in the message’s entry of statuses',
		displayOptions: { show: { findBy: ['channelMessageId'] } },
	},
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		default: 'delivered',
		options: [
			{ name: 'Delivered', value: 'delivered', description: 'It reached the contact’s device' },
			{
				name: 'Failed',
				value: 'failed',
				description: 'It could not be sent; the enrollment stops as failed',
			},
			{ name: 'Read', value: 'read', description: 'The contact opened it' },
			{
				name: 'Sent',
				value: 'sent',
				description: 'It went out; the next step is scheduled from now',
			},
		],
	},
	optionsCollection([
		{
			displayName: 'Detail',
			name: 'detail',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ $json.errors[0].title }}',
			description: 'What the channel said, e.g. why it failed; kept on the step run',
		},
		{
			displayName: 'Ignore Late Reports',
			name: 'ignoreLate',
			type: 'boolean',
			default: true,
			description:
				'Whether a report arriving after a later one (e.g. "delivered" after "read") is ignored instead of failing. Channels often send status webhooks out of order.',
		},
		{
			displayName: 'Status Time',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When the channel reported the status. Leave empty for now.',
		},
	]),
];

export const description = showFor('signal', 'deliveryStatus', properties);

const LABELS = {
	stepRunId: STEP_RUN_LABEL,
	idempotencyKey: STEP_RUN_LABEL,
	status: 'Status',
	detail: 'Detail',
	at: 'Status Time',
};

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	if (this.getNodeParameter('findBy', itemIndex, 'stepRun') === 'channelMessageId') {
		return byChannelMessageId.call(this, itemIndex, store);
	}
	const ref = readStepRunRef(this, itemIndex);
	if (ref === null) return [previewResult(item.json)];
	const status = readStatus(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return byStepRun(this, itemIndex, ref, status, options, store);
};

/**
 * A status webhook names the message, not the step: the step is the one whose send the channel
 * gave that id (Mark Sent → Channel Message ID). Forward only, per message: a late or repeated
 * report is ignored and says so; failed applies the cadence's failure policy. An id no follow-up
 * was sent with (your agent's own messages) is reported as unknown, not an error.
 */
async function byChannelMessageId(
	this: IExecuteFunctions,
	itemIndex: number,
	store: StoreAccess,
): Promise<IDataObject[]> {
	const channelMessageId = readText(this, itemIndex, 'channelMessageId');
	if (channelMessageId === '') {
		throw parameterError(
			this,
			itemIndex,
			'Channel Message ID',
			'is empty',
			'Map it to the message ID in the status webhook, e.g. {{ $json.body.MessageSid }} for Twilio.',
		);
	}
	const status = readStatus(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const detail = readText(this, itemIndex, 'detail', options);
	const at = readTime(this, itemIndex, 'Status Time', options.at);
	const labels = {
		channelMessageId: 'Channel Message ID',
		status: 'Status',
		detail: 'Detail',
		at: 'Status Time',
	};
	const result = await callStore(this, itemIndex, labels, async () =>
		(await store()).recordDelivery({ channelMessageId, status, detail: detail || null, at }),
	);
	return [
		{
			outcome: result.outcome,
			reason: result.reason,
			channelMessageId,
			reportedStatus: status,
			...(result.failure ? { failure: result.failure as unknown as IDataObject } : {}),
			...(result.stepRun
				? { enrollmentId: result.stepRun.enrollmentId, ...stepRunJson(result.stepRun) }
				: {}),
		},
	];
}

/** The status: one of the list, or the word a channel uses for it (Twilio's "undelivered"). */
function readStatus(context: IExecuteFunctions, itemIndex: number): (typeof STATUSES)[number] {
	const raw = String(context.getNodeParameter('status', itemIndex, 'delivered')).trim();
	const status = CHANNEL_WORDS[raw.toLowerCase()] ?? raw;
	if (!(STATUSES as readonly string[]).includes(status)) {
		throw parameterError(
			context,
			itemIndex,
			'Status',
			`must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(raw)}`,
			'Pick a status from the list, or map it to one of those words.',
		);
	}
	return status as (typeof STATUSES)[number];
}

async function byStepRun(
	context: IExecuteFunctions,
	itemIndex: number,
	ref: StepRunRef,
	status: (typeof STATUSES)[number],
	options: IDataObject,
	store: StoreAccess,
): Promise<IDataObject[]> {
	const detail = readText(context, itemIndex, 'detail', options);
	const update: StepStatusInput = {
		...ref,
		status: status as (typeof DELIVERY_STATUSES)[number],
		detail: detail || null,
		at: readTime(context, itemIndex, 'Status Time', options.at),
	};
	const ignoreLate = options.ignoreLate !== false;
	const { run, late } = await callStore(context, itemIndex, LABELS, async () => {
		const cadenceStore = await store();
		// The store refuses a move backwards; out-of-order webhooks are normal, so by default the
		// late report is dropped and the item says so instead of failing the execution.
		const isLate = (error: unknown) => ignoreLate && error instanceof CadenceTransitionError;
		const moved = await cadenceStore.setStepStatus(update).then(
			(updated) => updated,
			async (error: unknown) => (isLate(error) ? null : Promise.reject(error)),
		);
		if (moved) return { run: moved, late: false };
		return { run: await cadenceStore.getStepRun(ref), late: true };
	});
	const json: IDataObject = { enrollmentId: run.enrollmentId, ...stepRunJson(run) };
	if (late) Object.assign(json, { ignoredLateReport: true, reportedStatus: status });
	return [json];
}
