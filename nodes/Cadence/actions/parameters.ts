import type { IDataObject, IExecuteFunctions, NodeOperationError } from 'n8n-workflow';
import { toNodeError } from '../../shared/errors';
import { optionalIdentity, optionalText, requiredIdentity } from '../../shared/identity';
import { cadenceNameFrom, parameterError, readId } from '../../shared/parameters';

export const ENROLLMENT_ID_FIX =
	'Map it to the enrollment’s ID, e.g. {{ $json.enrollmentId }}: items from the Follow-up Trigger, Enroll In Cadence and this node’s enrollment operations carry it.';

/** An Enrollment ID the store does not have: most often one from another store. */
export function noSuchEnrollment(
	context: IExecuteFunctions,
	itemIndex: number,
	enrollmentId: number,
): NodeOperationError {
	return parameterError(
		context,
		itemIndex,
		'Enrollment ID',
		`names no enrollment: ${enrollmentId} does not exist in this cadence store`,
		`${ENROLLMENT_ID_FIX} If it came from another n8n instance, pick the same Cadence Store credential here.`,
	);
}

export function readEnrollmentId(context: IExecuteFunctions, itemIndex: number): number {
	return readId(context, itemIndex, 'enrollmentId', 'Enrollment ID', ENROLLMENT_ID_FIX);
}

/** Labels of the text parameters, as the editor shows them, for errors about their values. */
const TEXT_LABELS: Record<string, string> = {
	contactKey: 'Contact ID',
	conversationKey: 'Conversation ID',
	targetType: 'Target Type',
	targetId: 'Target ID',
	agent: 'Agent Name',
	contactName: 'Sandbox Contact Name',
	contactTimeZone: 'Sandbox Contact Time Zone',
	text: 'Sent Text',
	channelMessageId: 'Channel Message ID',
};

/** Parameters that identify something: text or a number, never an object or a list. */
const IDENTITIES = new Set([
	'contactKey',
	'conversationKey',
	'targetType',
	'targetId',
	'cadence',
	'channelMessageId',
]);

/**
 * A text parameter, trimmed; '' when unset or resolving to nothing. An object or a list fails
 * naming the parameter instead of being read as "[object Object]" (shared/identity).
 */
export function readText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	source?: IDataObject,
): string {
	const raw = source ? source[name] : context.getNodeParameter(name, itemIndex, '');
	const at = { node: context.getNode(), itemIndex, label: labelOf(name) };
	return (IDENTITIES.has(name) ? optionalIdentity(raw, at) : optionalText(raw, at)).trim();
}

function labelOf(name: string): string {
	return TEXT_LABELS[name] ?? name.charAt(0).toUpperCase() + name.slice(1);
}

/** A required identity parameter such as Contact ID: text or a number, not empty. */
export function readRequiredText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	fix: string,
): string {
	const raw = context.getNodeParameter(name, itemIndex, '');
	const text = requiredIdentity(raw, { node: context.getNode(), itemIndex, label, fix });
	if (text === '') throw parameterError(context, itemIndex, label, 'is empty', fix);
	return text;
}

export const CONTACT_ID_FIX =
	'Map it to what identifies the contact, as it was given to Enroll In Cadence: a phone number, an email or a chat ID, e.g. {{ $json.phone }}.';

/** The cadence a locator points at, or undefined when an optional one is left empty. */
export function readCadence(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const name = cadenceNameFrom(context.getNodeParameter('cadence', itemIndex, ''), {
		node: context.getNode(),
		itemIndex,
		label: 'Cadence',
	}).trim();
	return name === '' ? undefined : name;
}

/**
 * Calls the store, naming the node parameter behind any field the engine rejects. `labels` maps
 * engine field names to parameter labels; the shared error mapping does the rest.
 */
export async function callStore<T>(
	context: IExecuteFunctions,
	itemIndex: number,
	labels: Record<string, string>,
	call: () => Promise<T>,
): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw storeError(context, itemIndex, labels, error);
	}
}

/** A store error for one item as the node reports it: bad fields named by their parameter labels. */
export function storeError(
	context: IExecuteFunctions,
	itemIndex: number,
	labels: Record<string, string>,
	error: unknown,
): Error {
	return toNodeError(context.getNode(), error, { itemIndex, labels });
}
