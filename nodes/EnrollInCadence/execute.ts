import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { enrollInputSchema, type EnrollInput } from '../../engine/store/inputs';
import { CadenceValidationError } from '../../engine/errors';
import { toProblems } from '../../engine/validation';
import { toNodeError } from '../shared/errors';
import { enrollmentJson } from '../shared/output';
import { withStore } from '../shared/store-provider';
import { cadenceNameFrom, toMillis } from '../shared/values';

/**
 * Reads every item's parameters, then enrolls all valid items in ONE store transaction. An item
 * whose parameters are invalid fails on its own (or becomes an error item with Continue On Fail);
 * if the transaction fails, nothing at all is enrolled.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const output: INodeExecutionData[] = new Array(items.length);
	const batch: Array<{ itemIndex: number; input: EnrollInput }> = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const input = readItem(this, itemIndex, items[itemIndex].json);
			const checked = enrollInputSchema.safeParse(input);
			if (!checked.success)
				throw new CadenceValidationError('enrollment', toProblems(checked.error));
			batch.push({ itemIndex, input });
		} catch (error) {
			const nodeError = toNodeError(node, error, { itemIndex });
			if (!this.continueOnFail()) throw nodeError;
			output[itemIndex] = { json: { error: nodeError.message }, pairedItem: { item: itemIndex } };
		}
	}

	if (batch.length > 0) {
		try {
			const results = await withStore(this, async (store) =>
				store.enroll(batch.map((b) => b.input)),
			);
			results.forEach((result, i) => {
				const { itemIndex, input } = batch[i];
				const json: IDataObject = {
					outcome: result.outcome,
					message: result.message,
					contactKey: input.contactKey,
					...(result.enrollment ? enrollmentJson(result.enrollment) : {}),
				};
				output[itemIndex] = { json, pairedItem: { item: itemIndex } };
			});
		} catch (error) {
			const nodeError = toNodeError(node, error);
			if (!this.continueOnFail()) throw nodeError;
			for (const { itemIndex } of batch) {
				output[itemIndex] = { json: { error: nodeError.message }, pairedItem: { item: itemIndex } };
			}
		}
	}
	return [output];
}

function readItem(context: IExecuteFunctions, itemIndex: number, json: IDataObject): EnrollInput {
	const node = context.getNode();
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const defined = context.getNodeParameter('variables.variable', itemIndex, []) as Array<{
		name: string;
		value: unknown;
	}>;
	const variables: Record<string, unknown> = options.includeInputFields ? { ...json } : {};
	for (const { name, value } of defined) if (name) variables[name] = value;
	const targetType = String(options.targetType ?? '').trim();
	const targetId = String(options.targetId ?? '').trim();
	return {
		cadence: cadenceNameFrom(context.getNodeParameter('cadence', itemIndex)),
		contactKey: String(context.getNodeParameter('contactKey', itemIndex, '')),
		conversationKey: String(context.getNodeParameter('conversationKey', itemIndex, '')),
		contactName: String(context.getNodeParameter('contactName', itemIndex, '')),
		agent: String(options.agent ?? ''),
		timeZone: options.timeZone ? String(options.timeZone) : null,
		target: targetType || targetId ? { type: targetType, id: targetId } : null,
		variables,
		startAt: toMillis(node, 'Start Time', options.startAt, itemIndex),
	};
}
