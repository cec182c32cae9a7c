import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { showFor, type StoreAccess } from '../types';
import { enrollmentIdProperty, manageEnrollment, reasonOption } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';

const properties: INodeProperties[] = [
	enrollmentIdProperty,
	optionsCollection([
		{
			displayName: 'Pause Until',
			name: 'until',
			type: 'dateTime',
			default: '',
			description:
				'Resume by itself at this time. Leave empty to stay paused until a Resume operation.',
		},
		reasonOption,
	]),
];

export const description = showFor('enrollment', 'pause', properties);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	return manageEnrollment(this, itemIndex, item, store, (s, action) => s.pause(action));
}
