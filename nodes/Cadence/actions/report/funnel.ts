import type { IDataObject } from 'n8n-workflow';
import type { FunnelRow } from '../../../../engine';
import { callStore, readCadence } from '../parameters';
import { showFor, type OperationExecute } from '../types';
import { reportCadence } from './fields';
import { percent } from './replyRates';

/**
 * One item per cadence, step and compose mode, flat so it drops into a spreadsheet or chart. The
 * store counts each send by its current status; since statuses only move forward, "reached"
 * columns add up everything at or past a stage: a read message was also sent and delivered.
 * "replied" and the reply rate count people's replies only; out-of-office notes and auto-replies
 * have their own columns.
 */
export const description = showFor('report', 'funnel', [reportCadence]);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const cadence = readCadence(this, itemIndex);
	const rows = await callStore(this, itemIndex, { cadence: 'Cadence' }, async () =>
		(await store()).funnel({ cadence }),
	);
	return rows.map(funnelJson);
};

export function funnelJson(row: FunnelRow): IDataObject {
	const c = row.counts;
	const reached = c.sent + c.delivered + c.read + c.replied;
	return {
		cadence: row.cadenceName,
		cadenceId: row.cadenceId,
		step: row.stepIndex + 1,
		composeMode: row.composeMode,
		total: row.total,
		...c,
		reachedSent: c.sent + c.delivered + c.read + c.replied,
		reachedDelivered: c.delivered + c.read + c.replied,
		reachedRead: c.read + c.replied,
		// "replied" counts people only; machines that answered are shown apart.
		outOfOffice: row.outOfOffice,
		autoReplies: row.autoReplies,
		replyRatePercent: percent(reached === 0 ? null : c.replied / reached),
	};
}
