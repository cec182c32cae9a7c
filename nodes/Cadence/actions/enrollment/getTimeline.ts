import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { eventJson, stepRunJson } from '../../../shared/output';
import { callStore, noSuchEnrollment, readEnrollmentId } from '../parameters';
import { previewResult } from '../preview';
import { showFor, type OperationExecute } from '../types';
import { enrollmentIdProperty } from './fields';

/**
 * An enrollment's history as rows: either what happened (events, oldest first) or the sends
 * themselves (step runs, with text, model and delivery times). Two views rather than one mixed
 * list, because every row of an n8n output should have the same columns.
 */
const properties: INodeProperties[] = [
	enrollmentIdProperty,
	{
		displayName: 'Output',
		name: 'view',
		type: 'options',
		default: 'events',
		options: [
			{
				name: 'Events',
				value: 'events',
				description:
					'One item per event, oldest first: enrolled, deferred, composed, sent, delivered, replied, exited…',
			},
			{
				name: 'Step Runs',
				value: 'stepRuns',
				description:
					'One item per send: its status, text, compose mode, model, tokens and delivery times',
			},
		],
	},
];

export const description = showFor('enrollment', 'getTimeline', properties);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	const enrollmentId = readEnrollmentId(this, itemIndex);
	if (enrollmentId === 0) return [previewResult(item.json)];
	const view = this.getNodeParameter('view', itemIndex, 'events') as string;
	const { enrollment, events, runs } = await callStore(this, itemIndex, {}, async () => {
		const s = await store();
		return {
			enrollment: await s.getEnrollment(enrollmentId),
			events: view === 'stepRuns' ? [] : await s.getTimeline(enrollmentId),
			runs: await s.getStepRuns(enrollmentId),
		};
	});
	if (!enrollment) throw noSuchEnrollment(this, itemIndex, enrollmentId);
	const common = {
		enrollmentId,
		cadence: enrollment.cadenceName,
		contactKey: enrollment.contactKey,
	};
	if (view === 'stepRuns')
		return runs.map((run): IDataObject => ({ ...common, ...stepRunJson(run) }));
	// Events about a send name its step, so a row reads "step 2 sent" without a lookup.
	const stepOf = new Map(runs.map((run) => [run.id, run.stepIndex + 1]));
	return events.map(
		(event): IDataObject => ({
			...common,
			...eventJson(event),
			step: event.stepRunId === null ? null : (stepOf.get(event.stepRunId) ?? null),
		}),
	);
};
