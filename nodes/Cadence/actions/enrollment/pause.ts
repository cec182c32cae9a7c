import type { INodeProperties } from 'n8n-workflow';
import { showFor, type OperationExecute } from '../types';
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

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	return manageEnrollment(this, itemIndex, item, store, (s, action) => s.pause(action));
};
