import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { stepRunJson } from '../../../shared/output';
import { callStore, readCadence } from '../parameters';
import { parameterError, readWholeNumber } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { reportCadence } from './fields';

const MINUTE = 60_000;
const MINUTES_LABEL = 'Unconfirmed For (Minutes)';

/**
 * Steps the trigger emitted that nobody confirmed: the send node failed quietly or the flow
 * stopped before "Mark Sent". Delivery is at-most-once, so these are never resent by themselves;
 * this list is for alerting and for deciding by hand. Drafts waiting for a reviewer and deferred
 * steps are waiting on purpose and are not listed. Reading the list writes nothing.
 */
const properties: INodeProperties[] = [
	reportCadence,
	{
		displayName: MINUTES_LABEL,
		name: 'unconfirmedForMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 60,
		required: true,
		description:
			'A step counts as stuck when it was emitted this many minutes ago and is still not marked sent, skipped or failed',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1000 },
		default: 50,
		description: 'Max number of results to return',
	},
];

export const description = showFor('report', 'stuckSteps', properties);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const raw = this.getNodeParameter('unconfirmedForMinutes', itemIndex, 60);
	const minutes = Number(raw);
	if (raw === '' || !Number.isFinite(minutes) || minutes < 1) {
		throw parameterError(
			this,
			itemIndex,
			MINUTES_LABEL,
			`must be at least 1, not ${JSON.stringify(raw)}`,
			'Enter how long a step may stay unconfirmed before it counts as stuck, e.g. 60.',
		);
	}
	const limit = Math.min(
		readWholeNumber(this, itemIndex, 'Limit', this.getNodeParameter('limit', itemIndex, 50), 1) ??
			50,
		1000,
	);
	const cadence = readCadence(this, itemIndex);
	const stuck = await callStore(this, itemIndex, { cadence: 'Cadence' }, async () =>
		(await store()).findStuck({ cadence, olderThanMs: Math.round(minutes * MINUTE), limit }),
	);
	const now = Date.now();
	return stuck.map(
		({ stepRun, enrollment }): IDataObject => ({
			enrollmentId: enrollment.id,
			cadence: enrollment.cadenceName,
			contactKey: enrollment.contactKey,
			contactName: enrollment.contactName,
			conversationKey: enrollment.conversationKey,
			...stepRunJson(stepRun),
			unconfirmedForMinutes: Math.floor((now - stepRun.claimedAt) / MINUTE),
		}),
	);
};
