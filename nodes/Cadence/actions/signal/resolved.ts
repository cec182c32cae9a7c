import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { callStore, CONTACT_ID_FIX, readRequiredText, readText } from '../parameters';
import { readTime } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { exitedJson, signalContact } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';
import { conversationIdProperty } from '../../../shared/fragments/contact';

/** The conversation was resolved (closed in the help desk): its follow-ups are no longer needed. */
const properties: INodeProperties[] = [
	signalContact,
	conversationIdProperty({
		placeholder: 'e.g. {{ $json.conversationId }}',
		description:
			'Only the enrollments of this conversation. Leave empty for every conversation of the contact.',
	}),
	optionsCollection([
		{
			displayName: 'Resolved At',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When the conversation was resolved. Leave empty for now.',
		},
	]),
];

export const description = showFor('signal', 'resolved', properties);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const contactKey = readRequiredText(this, itemIndex, 'contactKey', 'Contact ID', CONTACT_ID_FIX);
	const conversationKey = readText(this, itemIndex, 'conversationKey');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const at = readTime(this, itemIndex, 'Resolved At', options.at);
	const labels = { contactKey: 'Contact ID', conversationKey: 'Conversation ID' };
	const { exited } = await callStore(this, itemIndex, labels, async () =>
		(await store()).markResolved({ contactKey, conversationKey, at }),
	);
	return [{ signal: 'resolved', contactKey, conversationKey, ...exitedJson(exited) }];
};
