import type { INodeProperties } from 'n8n-workflow';

export const contactIdProperty: INodeProperties = {
	displayName: 'Contact ID',
	name: 'contactKey',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. {{ $json.phone }}',
	description:
		'The contact, by the same ID they were enrolled with: a phone number, email or chat ID',
};

/** What a signal did: the enrollments it ended, so a flow can branch on "did this stop anything". */
export function exitedJson(exited: number[]) {
	return { exited: exited.length, exitedEnrollmentIds: exited };
}
