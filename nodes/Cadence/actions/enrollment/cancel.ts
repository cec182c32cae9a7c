import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { showFor, type StoreAccess } from '../types';
import { enrollmentIdProperty, manageEnrollment, reasonOption } from './fields';

/** Stops the enrollment by hand: it exits with reason "cancelled" and sends nothing more. */
const properties: INodeProperties[] = [
	enrollmentIdProperty,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [reasonOption],
	},
];

export const description = showFor('enrollment', 'cancel', properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	return manageEnrollment(this, itemIndex, item, store, (s, action) => s.cancel(action));
}
