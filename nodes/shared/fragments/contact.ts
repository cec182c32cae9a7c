import type { INodeProperties } from 'n8n-workflow';

/**
 * Who a message or an enrollment is about, on every node that asks: the same names, labels and
 * kinds of value, so a contact enrolled in one node is the same contact in the next.
 */

export function contactIdProperty(
	property: Pick<INodeProperties, 'description' | 'placeholder'>,
): INodeProperties {
	return {
		displayName: 'Contact ID',
		name: 'contactKey',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.phone }}',
		...property,
	};
}

export function conversationIdProperty(
	property: Pick<INodeProperties, 'description' | 'placeholder'>,
): INodeProperties {
	return {
		displayName: 'Conversation ID',
		name: 'conversationKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.chatId }}',
		...property,
	};
}
