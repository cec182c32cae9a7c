import type { INodeProperties } from 'n8n-workflow';
import { showFor, type OperationExecute } from '../types';
import { enrollmentIdProperty, manageEnrollment, reasonOption } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';

/** Stops the enrollment by hand: it exits with reason "cancelled" and sends nothing more. */
const properties: INodeProperties[] = [enrollmentIdProperty, optionsCollection([reasonOption])];

export const description = showFor('enrollment', 'cancel', properties);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	return manageEnrollment(this, itemIndex, item, store, (s, action) => s.cancel(action));
};
