import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { showFor, type StoreAccess } from '../types';
import { enrollmentIdProperty, manageEnrollment, reasonOption } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';

/** Stops the enrollment by hand: it exits with reason "cancelled" and sends nothing more. */
const properties: INodeProperties[] = [enrollmentIdProperty, optionsCollection([reasonOption])];

export const description = showFor('enrollment', 'cancel', properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	return manageEnrollment(this, itemIndex, item, store, (s, action) => s.cancel(action));
}
