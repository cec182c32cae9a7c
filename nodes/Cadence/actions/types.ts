import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { CadenceStore } from '../../../engine';

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

export interface OperationModule {
	description: INodeProperties[];
	execute: OperationExecute;
}

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
