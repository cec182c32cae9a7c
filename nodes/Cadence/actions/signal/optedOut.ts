import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { callStore, CONTACT_ID_FIX, readRequiredText, readText } from '../parameters';
import { readTime } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { exitedJson, signalContact } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';

/**
 * The contact asked not to be messaged: they go on the suppression list, every running enrollment
 * of theirs ends in every cadence, and Enroll In Cadence refuses them from now on.
 */
const properties: INodeProperties[] = [
	signalContact,
	optionsCollection([
		{
			displayName: 'Opted Out At',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When the contact opted out. Leave empty for now.',
		},
		{
			displayName: 'Reason',
			name: 'reason',
			type: 'string',
			default: '',
			placeholder: 'e.g. Replied STOP',
			description: 'Kept with the suppression, for your records',
		},
	]),
];

export const description = showFor('signal', 'optedOut', properties);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const contactKey = readRequiredText(this, itemIndex, 'contactKey', 'Contact ID', CONTACT_ID_FIX);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const reason = readText(this, itemIndex, 'reason', options);
	const at = readTime(this, itemIndex, 'Opted Out At', options.at);
	const labels = { contactKey: 'Contact ID', reason: 'Reason' };
	const { exited } = await callStore(this, itemIndex, labels, async () =>
		(await store()).optOut({ contactKey, at, ...(reason ? { reason } : {}) }),
	);
	return [{ signal: 'optedOut', contactKey, suppressed: true, ...exitedJson(exited) }];
};
