import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { toNodeError } from './errors';

/**
 * Runs `work` for every input item, pairing each output with its input. With "Continue On Fail",
 * an item that fails becomes an error item on the first output and the others carry on.
 * `work` returns the output index and the JSON to emit.
 */
export async function mapItems(
	context: IExecuteFunctions,
	outputs: number,
	work: (
		itemIndex: number,
		item: INodeExecutionData,
	) => Promise<Array<{ output: number; json: IDataObject }>>,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const result: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			for (const { output, json } of await work(itemIndex, items[itemIndex])) {
				result[output].push({ json, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			const nodeError = toNodeError(context.getNode(), error, { itemIndex });
			if (!context.continueOnFail()) throw nodeError;
			result[0].push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
		}
	}
	return result;
}
