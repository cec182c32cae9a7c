import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { leaseStore, type StoreLease } from '../../../engine';
import { mapBatch, mapItems, settled } from '../../shared/items';
import { isPreviewItem, previewResult } from './preview';
import { storeConfigFor } from '../../shared/store-provider';
import * as enrollment from './enrollment/Enrollment.resource';
import * as report from './report/Report.resource';
import * as signal from './signal/Signal.resource';
import * as simulation from './simulation/Simulation.resource';
import type { OperationModule, StoreAccess } from './types';

const resources: Record<string, Record<string, OperationModule>> = {
	enrollment: enrollment.operations,
	report: report.operations,
	signal: signal.operations,
	simulation: simulation.operations,
};

/**
 * Runs the chosen operation through the shared item loop: once per input item, or, for a batched
 * operation, one call for all items (each output item paired with its input; with Continue On
 * Fail a failing item becomes an error item and the rest carry on).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const chosen = resources[resource]?.[operation];
	if (!chosen) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" is not supported for the resource "${resource}"`,
			{ description: 'Pick the resource and operation again from the lists.' },
		);
	}
	const { store, release } = lazyLease(this);
	try {
		const { batch, execute, passesPreview } = chosen;
		// A preview item passes even when its ids were dropped on the way (e.g. by a send node).
		const preview = (item: INodeExecutionData) =>
			passesPreview && isPreviewItem(item.json)
				? settled({ output: 0, json: previewResult(item.json) })
				: null;
		if (batch) {
			return await mapBatch(this, {
				outputs: 1,
				read: (itemIndex, item) => preview(item) ?? batch.read.call(this, itemIndex, item),
				call: async (inputs) => batch.call.call(this, inputs, store),
				emit: (result, input) => batch.emit(result, input).map((json) => ({ output: 0, json })),
			});
		}
		return await mapItems(this, 1, async (itemIndex, item) => {
			const passed = preview(item);
			if (passed) return passed.emits;
			const results = await execute.call(this, itemIndex, item, store);
			return results.map((json) => ({ output: 0, json }));
		});
	} finally {
		await release();
	}
}

/**
 * One store lease for the whole execution, taken on first use. A store that cannot be opened fails
 * every item with the same error instead of retrying the connection item by item.
 */
function lazyLease(context: IExecuteFunctions): {
	store: StoreAccess;
	release: () => Promise<void>;
} {
	let lease: Promise<StoreLease> | undefined;
	return {
		store: async () => {
			lease ??= storeConfigFor(context).then(leaseStore);
			return (await lease).store;
		},
		release: async () => {
			if (!lease) return;
			await lease.then(
				(l) => l.release(),
				() => undefined,
			);
		},
	};
}
