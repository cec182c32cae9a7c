import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { StepRun } from '../../engine';
import { eachInput, readBatch, settled } from '../shared/items';
import { readStepItem, type StepRef } from '../shared/step-item';
import { withStore } from '../shared/store-provider';
import { CANNOT_SEND, outputOf } from './outputs';

interface Unsendable {
	json: IDataObject;
	ref: StepRef;
	reason: string;
}

/**
 * Each item leaves by the output its `channelRoute` names: the Follow-up Trigger decided it when
 * it claimed the step (engine/domain/channel.ts), so nothing is decided twice. A step no channel
 * can take is recorded as failed with the decision's reason, and the cadence's failure policy
 * applies, before it leaves by Cannot Send.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const batch = await readBatch<Unsendable>(this, {
		outputs: CANNOT_SEND + 1,
		read: (itemIndex, item) => {
			const output = outputOf(item.json.channelRoute);
			if (output === null) {
				throw new NodeOperationError(
					node,
					`Item ${itemIndex + 1} has no channel decision (its "channelRoute" is ${JSON.stringify(item.json.channelRoute ?? null)})`,
					{
						itemIndex,
						description:
							'Route by Channel sends the due steps of a Follow-up Trigger: connect it after the trigger (through Exit Check, Compose Follow-up and the like, which keep the item), not after another node that replaces the item.',
					},
				);
			}
			const ref = readStepItem(item.json);
			if (output !== CANNOT_SEND || !ref || ref.preview) {
				return settled({ output, json: item.json });
			}
			return { json: item.json, ref, reason: String(item.json.channelReason ?? '') };
		},
	});
	return batch.run(
		async (inputs) =>
			withStore(this, async (store) =>
				eachInput(this, inputs, async ({ ref, reason }) =>
					store.setStepStatus({
						stepRunId: ref.stepRunId,
						status: 'failed',
						detail: reason || null,
					}),
				),
			),
		(run: StepRun, { json }) => [
			{ output: CANNOT_SEND, json: { ...json, stepStatus: run.status, failure: run.detail } },
		],
	);
}
