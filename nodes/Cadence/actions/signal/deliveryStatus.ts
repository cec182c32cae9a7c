import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { DELIVERY_STATUSES, type StepStatusInput } from '../../../../engine/store/inputs';
import { stepRunJson } from '../../../shared/output';
import { callStore, parameterError, readText, readTime } from '../parameters';
import { isPreviewItem, previewResult } from '../preview';
import { readStepRunRef, STEP_RUN_LABEL, stepRunProperty } from '../step-run-ref';
import { showFor, type StoreAccess } from '../types';

/**
 * A channel's delivery report (a WhatsApp or Twilio status webhook, an email bounce). Statuses
 * only move forward and a repeated report is harmless; the store refuses a move backwards.
 */
const STATUSES = ['delivered', 'failed', 'read', 'sent'] as const;

const properties: INodeProperties[] = [
	stepRunProperty,
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Detail',
				name: 'detail',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.errors[0].title }}',
				description: 'What the channel said, e.g. why it failed; kept on the step run',
			},
			{
				displayName: 'Status Time',
				name: 'at',
				type: 'dateTime',
				default: '',
				description: 'When the channel reported the status. Leave empty for now.',
			},
		],
	},
];

export const description = showFor('signal', 'deliveryStatus', properties);

const LABELS = {
	stepRunId: STEP_RUN_LABEL,
	idempotencyKey: STEP_RUN_LABEL,
	status: 'Status',
	detail: 'Detail',
	at: 'Status Time',
};

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	if (isPreviewItem(item.json)) return [previewResult(item.json)];
	const ref = readStepRunRef(this, itemIndex);
	if (ref === null) return [previewResult(item.json)];
	const status = this.getNodeParameter('status', itemIndex, 'delivered') as string;
	if (!(STATUSES as readonly string[]).includes(status)) {
		throw parameterError(
			this,
			itemIndex,
			'Status',
			`must be one of ${STATUSES.join(', ')}, not ${JSON.stringify(status)}`,
			'Pick a status from the list, or map it to one of those words.',
		);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const detail = readText(this, itemIndex, 'detail', options);
	const update: StepStatusInput = {
		...ref,
		status: status as (typeof DELIVERY_STATUSES)[number],
		detail: detail || null,
		at: readTime(this, itemIndex, 'Status Time', options.at),
	};
	const run = await callStore(this, itemIndex, LABELS, async () =>
		(await store()).setStepStatus(update),
	);
	return [{ enrollmentId: run.enrollmentId, ...stepRunJson(run) } as IDataObject];
}
