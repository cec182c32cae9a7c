import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { CadenceTransitionError } from '../../../../engine';
import { DELIVERY_STATUSES, type StepStatusInput } from '../../../../engine';
import { stepRunJson } from '../../../shared/output';
import { callStore, readText } from '../parameters';
import { parameterError, readTime } from '../../../shared/parameters';
import { previewResult } from '../preview';
import { readStepRunRef, STEP_RUN_LABEL, stepRunProperty } from '../step-run-ref';
import { showFor, type OperationExecute } from '../types';
import { optionsCollection } from '../../../shared/fragments/options';

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
	const ignoreLate = options.ignoreLate !== false;
	const { run, late } = await callStore(this, itemIndex, LABELS, async () => {
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
};
