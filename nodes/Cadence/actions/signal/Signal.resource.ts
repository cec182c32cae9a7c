import type { INodeProperties } from 'n8n-workflow';
import * as conversationStatus from './conversationStatus';
import * as deliveryStatus from './deliveryStatus';
import * as goalReached from './goalReached';
import * as markSent from './markSent';
import * as optedOut from './optedOut';
import * as resolved from './resolved';

export const operations = {
	conversationStatus,
	deliveryStatus,
	goalReached,
	markSent,
	optedOut,
	resolved,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['signal'] } },
		options: [
			{
				name: 'Conversation Status',
				value: 'conversationStatus',
				description: 'Set a conversation open, pending or resolved, as your inbox shows it',
				action: 'Set the status of a conversation',
			},
			{
				name: 'Delivery Status',
				value: 'deliveryStatus',
				description:
					'Record that a follow-up was sent, delivered, read or failed, found by its step or by the channel’s message ID',
				action: 'Record the delivery status of a follow up',
			},
			{
				name: 'Goal Reached',
				value: 'goalReached',
				description: 'The invoice was paid, the meeting booked…: end the matching cadences',
				action: 'Record that a goal was reached',
			},
			{
				name: 'Mark Sent',
				value: 'markSent',
				description: 'Confirm a follow-up went out and schedule the next step',
				action: 'Mark a follow up as sent',
			},
			{
				name: 'Opted Out',
				value: 'optedOut',
				description: 'Never message this contact again, in any cadence',
				action: 'Record that a contact opted out',
			},
			{
				name: 'Resolved',
				value: 'resolved',
				description: 'The conversation was resolved: end its follow-ups',
				action: 'Record that a conversation was resolved',
			},
		],
		default: 'markSent',
	},
	...conversationStatus.description,
	...deliveryStatus.description,
	...goalReached.description,
	...markSent.description,
	...optedOut.description,
	...resolved.description,
];
