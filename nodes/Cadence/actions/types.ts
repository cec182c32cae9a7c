import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { CadenceStore } from '../../../engine';
import type { Settled } from '../../shared/items';

/**
 * The store is opened on first use, not up front: simulating a cadence given as JSON never needs
 * it, and a node that only simulates should not create the default SQLite file.
 */
export type StoreAccess = () => Promise<CadenceStore>;

/** Runs one operation for one input item and returns the JSON of the items it outputs. */
export type OperationExecute = (
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) => Promise<IDataObject[]>;

/**
 * An operation that works on all of an execution's items at once: each item's parameters are
 * read first (a bad one fails alone), then one call answers one result or one Error per input.
 */
export interface BatchOperation<Input, Result> {
	read(this: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): Input | Settled;
	call(
		this: IExecuteFunctions,
		inputs: Input[],
		store: StoreAccess,
	): Promise<Array<Result | Error>>;
	emit(result: Result, input: Input): IDataObject[];
}

/**
 * Exactly one of the two forms: item by item, or batched. `passesPreview`: the operation acts on
 * one enrollment or step, so the Follow-up Trigger's editor preview items pass it untouched.
 */
export type OperationModule = { description: INodeProperties[]; passesPreview?: boolean } & (
	| { execute: OperationExecute; batch?: undefined }
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each operation has its own types
	| { batch: BatchOperation<any, any>; execute?: undefined }
);

/** Scopes an operation's parameters to its resource and operation, as every n8n action node does. */
export function showFor(
	resource: string,
	operation: string,
	properties: INodeProperties[],
): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: {
				resource: [resource],
				operation: [operation],
				...property.displayOptions?.show,
			},
		},
	}));
}
