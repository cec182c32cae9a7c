import type { IDataObject } from 'n8n-workflow';
import { callStore, readCadence } from '../parameters';
import { showFor, type OperationExecute } from '../types';
import { reportCadence } from './fields';

/** How many enrollments are active, paused, completed, exited or failed: one item per cadence and state. */
export const description = showFor('report', 'stateDistribution', [reportCadence]);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const cadence = readCadence(this, itemIndex);
	const rows = await callStore(this, itemIndex, { cadence: 'Cadence' }, async () =>
		(await store()).stateDistribution({ cadence }),
	);
	return rows.map(
		(row): IDataObject => ({
			cadence: row.cadenceName,
			cadenceId: row.cadenceId,
			state: row.state,
			count: row.count,
		}),
	);
};
