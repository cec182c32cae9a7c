import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { SentInput, StepRun } from '../../../../engine';
import { eachInput, settled } from '../../../shared/items';
import { stepRunJson } from '../../../shared/output';
import { callStore, readText, storeError } from '../parameters';
import { readTime, readWholeNumber } from '../../../shared/parameters';
import { previewResult } from '../preview';
import {
	readStepRunRef,
	STEP_RUN_LABEL,
	stepRunIdOf,
	stepRunProperty,
	type StepRunRef,
} from '../step-run-ref';
import { showFor, type BatchOperation } from '../types';
import { optionsCollection } from '../../../shared/fragments/options';

/**
 * The last node of the send path: confirms the follow-up went out and schedules the next step,
 * its wait counted from now. Confirming twice changes nothing the second time, so a retried
 * execution cannot skip a step. Text, model and tokens recorded by Compose Follow-up are kept
 * unless given here.
 */
const properties: INodeProperties[] = [
	stepRunProperty,
	{
		displayName: 'Channel Message ID',
		name: 'channelMessageId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.sid }} (Twilio)',
		description:
			'The ID the send node returned for the message: for WhatsApp the first entry of messages in its output, for Twilio sid. Delivery reports (WhatsApp status webhooks, Twilio status callbacks) name it, so Cadence → Delivery Status finds this step by it.',
	},
	optionsCollection([
		{
			displayName: 'Channel',
			name: 'channel',
			type: 'string',
			default: '',
			placeholder: 'e.g. whatsapp',
			description: 'Where it was sent; kept with the message in the conversation history',
		},
		{
			displayName: 'Completion Tokens',
			name: 'completionTokens',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Tokens the model wrote, for cost reports',
		},
		{
			displayName: 'Degraded to Static Text',
			name: 'degraded',
			type: 'boolean',
			default: false,
			description: 'Whether the AI failed and the step’s static text went out instead',
		},
		{
			displayName: 'Model',
			name: 'model',
			type: 'string',
			default: '',
			placeholder: 'e.g. gpt-4o-mini',
			description: 'The model that wrote the message',
		},
		{
			displayName: 'Prompt Tokens',
			name: 'promptTokens',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Tokens the model read, for cost reports',
		},
		{
			displayName: 'Sent At',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When it went out. Leave empty for now.',
		},
		{
			displayName: 'Sent Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'e.g. {{ $json.message.text }}',
			description:
				'The message exactly as sent, if it differs from what Compose Follow-up recorded. The AI sees it in later steps.',
		},
	]),
];

export const description = showFor('signal', 'markSent', properties);

const LABELS = {
	stepRunId: STEP_RUN_LABEL,
	text: 'Sent Text',
	model: 'Model',
	promptTokens: 'Prompt Tokens',
	completionTokens: 'Completion Tokens',
	channel: 'Channel',
	channelMessageId: 'Channel Message ID',
	at: 'Sent At',
};

interface SentItem {
	itemIndex: number;
	ref: StepRunRef;
	sent: Omit<SentInput, 'stepRunId'>;
}

function read(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData) {
	const ref = readStepRunRef(this, itemIndex);
	if (ref === null) return settled({ output: 0, json: previewResult(item.json) });
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const text = readText(this, itemIndex, 'text', options);
	const model = readText(this, itemIndex, 'model', options);
	const channel = readText(this, itemIndex, 'channel', options);
	const channelMessageId = readText(this, itemIndex, 'channelMessageId');
	const sent: Omit<SentInput, 'stepRunId'> = {
		text: text || null,
		model: model || null,
		promptTokens: readWholeNumber(this, itemIndex, 'Prompt Tokens', options.promptTokens, 0),
		completionTokens: readWholeNumber(
			this,
			itemIndex,
			'Completion Tokens',
			options.completionTokens,
			0,
		),
		degraded: options.degraded === true,
		channel: channel || null,
		...(channelMessageId ? { channelMessageId } : {}),
		at: readTime(this, itemIndex, 'Sent At', options.at),
	};
	return { itemIndex, ref, sent };
}

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const batch: BatchOperation<SentItem, StepRun> = {
	read,
	/**
	 * Every item's send in one store call (one transaction). An idempotency key is resolved to its
	 * step run first; an item whose step run cannot be found or confirmed fails alone.
	 */
	async call(inputs, store) {
		const s = await store();
		const resolved = await eachInput(this, inputs, async ({ itemIndex, ref, sent }) =>
			callStore(this, itemIndex, LABELS, async () => ({
				...sent,
				stepRunId: await stepRunIdOf(s, ref),
			})),
		);
		const ready = resolved.filter((r): r is SentInput => !(r instanceof Error));
		const confirmed = ready.length === 0 ? [] : await s.markSentMany(ready);
		let next = 0;
		return resolved.map((r, i) => {
			if (r instanceof Error) return r;
			const result = confirmed[next++];
			return result instanceof Error
				? storeError(this, inputs[i].itemIndex, LABELS, result)
				: result;
		});
	},
	emit: (run) => [{ enrollmentId: run.enrollmentId, ...stepRunJson(run) } as IDataObject],
};
