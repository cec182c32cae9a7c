import { contactIdProperty } from '../../../shared/fragments/contact';

/** The contact a signal is about. */
export const signalContact = contactIdProperty({
	description:
		'The contact, by the same ID they were enrolled with: a phone number, email or chat ID',
});

/** What a signal did: the enrollments it ended, so a flow can branch on "did this stop anything". */
export function exitedJson(exited: number[]) {
	return { exited: exited.length, exitedEnrollmentIds: exited };
}
