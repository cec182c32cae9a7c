import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { GoalInput } from '../../../../engine';
import { callStore, CONTACT_ID_FIX, readText } from '../parameters';
import { parameterError, readTime } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { exitedJson, signalContact } from './fields';
import { optionsCollection } from '../../../shared/fragments/options';

/**
 * The goal a cadence works towards was reached: the invoice was paid, the meeting booked, the
 * deal won. Running enrollments of the contact, or about the target, stop in every cadence whose
 * exit rules include the goal.
 */
const properties: INodeProperties[] = [
	{
		...signalContact,
		required: false,
		description:
			'Whose goal was reached, by the ID they were enrolled with. Leave empty to match by target only.',
	},
	{
		displayName: 'Target Type',
		name: 'targetType',
		type: 'string',
		default: '',
		placeholder: 'e.g. invoice, deal, appointment',
		description: 'With Target ID: the object the goal is about, as given to Enroll In Cadence',
	},
	{
		displayName: 'Target ID',
		name: 'targetId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.invoiceId }}',
	},
	optionsCollection([
		{
			displayName: 'Note',
			name: 'note',
			type: 'string',
			default: '',
			placeholder: 'e.g. Paid by card',
			description: 'Written to the timeline of each enrollment this ends',
		},
		{
			displayName: 'Cadence',
			name: 'cadence',
			type: 'string',
			default: '',
			placeholder: 'e.g. Unpaid invoices',
			description:
				'Only end the contact’s enrollment in this cadence (its name). Leave empty to end every matching one.',
		},
		{
			displayName: 'Reached At',
			name: 'at',
			type: 'dateTime',
			default: '',
			description: 'When the goal was reached. Leave empty for now.',
		},
	]),
];

export const description = showFor('signal', 'goalReached', properties);

const LABELS = {
	contactKey: 'Contact ID',
	'target.type': 'Target Type',
	'target.id': 'Target ID',
	cadence: 'Cadence',
	note: 'Note',
};

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const contactKey = readText(this, itemIndex, 'contactKey');
	const targetType = readText(this, itemIndex, 'targetType');
	const targetId = readText(this, itemIndex, 'targetId');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	if (Boolean(targetType) !== Boolean(targetId)) {
		const missing = targetType ? 'Target ID' : 'Target Type';
		throw parameterError(
			this,
			itemIndex,
			missing,
			'is empty while its partner is set',
			'A target needs both its type and its ID (e.g. invoice + INV-1001); fill in both or clear both.',
		);
	}
	if (!contactKey && !targetType) {
		throw parameterError(
			this,
			itemIndex,
			'Contact ID',
			'is empty and no target is given',
			`Say whose goal was reached: ${CONTACT_ID_FIX} Or fill in Target Type and Target ID.`,
		);
	}
	const cadence = readText(this, itemIndex, 'cadence', options);
	const note = readText(this, itemIndex, 'note', options);
	const goal: GoalInput = {
		...(contactKey ? { contactKey } : {}),
		...(targetType ? { target: { type: targetType, id: targetId } } : {}),
		...(cadence ? { cadence } : {}),
		note: note || null,
		at: readTime(this, itemIndex, 'Reached At', options.at),
	};
	const { exited } = await callStore(this, itemIndex, LABELS, async () =>
		(await store()).recordGoal(goal),
	);
	return [
		{
			signal: 'goalReached',
			contactKey: contactKey || null,
			target: targetType ? { type: targetType, id: targetId } : null,
			...exitedJson(exited),
		},
	];
};
