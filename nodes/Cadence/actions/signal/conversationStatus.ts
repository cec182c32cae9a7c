import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { conversationIdProperty } from '../../../shared/fragments/contact';
import { optionsCollection } from '../../../shared/fragments/options';
import {
	assignedToProperty,
	CHANNEL_OPTIONS,
	readAssignee,
	readChannelName,
	readConversationStatus,
	STATUS_OPTIONS,
} from '../../../shared/fragments/reach';
import { iso } from '../../../shared/output';
import { parameterError, readTime } from '../../../shared/parameters';
import { callStore, CONTACT_ID_FIX, readRequiredText, readText } from '../parameters';
import { showFor, type OperationExecute } from '../types';
import { exitedJson, signalContact } from './fields';

/**
 * Your inbox changed a conversation's status (Chatwoot, a help desk): open, pending or resolved.
 * Resolved ends the cadences that exit on resolution; inactivity enrollment counts the statuses
 * the Follow-up Trigger names.
 */
const properties: INodeProperties[] = [
	signalContact,
	conversationIdProperty({
		placeholder: 'e.g. {{ $json.conversation.id }}',
		description:
			'The conversation, by the same ID Record Reply or Enroll In Cadence got. Leave empty for the contact’s conversation without an ID.',
	}),
	{
		displayName: 'Conversation Status',
		name: 'conversationStatus',
		type: 'options',
		options: STATUS_OPTIONS,
		default: 'open',
		description: 'The conversation’s status now',
	},
	optionsCollection([
		assignedToProperty,
		{
			displayName: 'Conversation Channel',
			name: 'conversationChannel',
			type: 'options',
			options: CHANNEL_OPTIONS,
			default: 'whatsapp',
			description: 'Where the conversation takes place, when your inbox says so',
		},
		{
			displayName: 'Changed At',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When the status changed. Leave empty for now.',
		},
	]),
];

export const description = showFor('signal', 'conversationStatus', properties);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const contactKey = readRequiredText(this, itemIndex, 'contactKey', 'Contact ID', CONTACT_ID_FIX);
	const conversationKey = readText(this, itemIndex, 'conversationKey');
	const raw = this.getNodeParameter('conversationStatus', itemIndex, '');
	const status = readConversationStatus(this, itemIndex, 'Conversation Status', raw);
	if (status === null) {
		throw parameterError(
			this,
			itemIndex,
			'Conversation Status',
			'is empty',
			'Use open, pending or resolved.',
		);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const channel = readChannelName(
		this,
		itemIndex,
		'Conversation Channel',
		options.conversationChannel,
	);
	const assignee = readAssignee(this, itemIndex, options.assignee);
	const at = readTime(this, itemIndex, 'Changed At', options.at);
	const labels = {
		contactKey: 'Contact ID',
		conversationKey: 'Conversation ID',
		status: 'Conversation Status',
		assignee: 'Assigned To',
	};
	const { conversation, exited } = await callStore(this, itemIndex, labels, async () =>
		(await store()).updateConversation({
			contactKey,
			conversationKey,
			status,
			...(channel ? { channel } : {}),
			...(assignee ? { assignee } : {}),
			at,
		}),
	);
	return [
		{
			signal: 'conversationStatus',
			contactKey,
			conversationKey,
			status: conversation.status,
			channel: conversation.channel,
			assignee: conversation.assignee,
			lastInboundAt: iso(conversation.lastInboundAt),
			lastOutboundAt: iso(conversation.lastOutboundAt),
			...exitedJson(exited),
		},
	];
};
