import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { callStore, readCadence } from '../parameters';
import { showFor, type StoreAccess } from '../types';
import { reportCadence } from './fields';

/** How many enrollments are active, paused, completed, exited or failed: one item per cadence and state. */
export const description = showFor('report', 'stateDistribution', [reportCadence]);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	_item: INodeExecutionData,
	store: StoreAccess,
) {
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
}
