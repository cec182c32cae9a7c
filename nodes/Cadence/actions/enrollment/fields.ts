import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import type { EnrollmentAction } from '../../../../engine';
import type { CadenceStore } from '../../../../engine';
import type { Enrollment } from '../../../../engine';
import { enrollmentJson } from '../../../shared/output';
import { previewResult } from '../preview';
import { callStore, readEnrollmentId, readText } from '../parameters';
import { readTime } from '../../../shared/parameters';
import type { StoreAccess } from '../types';

export const enrollmentIdProperty: INodeProperties = {
	displayName: 'Enrollment ID',
	name: 'enrollmentId',
	type: 'string',
	default: '={{ $json.enrollmentId }}',
	required: true,
	placeholder: 'e.g. 42',
	description:
		'The enrollment to act on. By default the enrollmentId of the incoming item, as the Follow-up Trigger and Enroll In Cadence output it.',
};

export const reasonOption: INodeProperties = {
	displayName: 'Reason',
	name: 'reason',
	type: 'string',
	default: '',
	placeholder: 'e.g. Customer asked to talk next month',
	description: 'Why, in words; it is written to the enrollment’s timeline',
};

const LABELS = { enrollmentId: 'Enrollment ID', reason: 'Reason', until: 'Pause Until' };

/**
 * Pause, resume, skip and cancel share one shape: an enrollment ID, a few options, one store call
 * and the enrollment as it is afterwards. Preview items pass through untouched (the router
 * passes the trigger's preview items; an enrollment id 0 is one too).
 */
export async function manageEnrollment(
	context: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
	act: (store: CadenceStore, action: EnrollmentAction) => Promise<Enrollment>,
): Promise<IDataObject[]> {
	const enrollmentId = readEnrollmentId(context, itemIndex);
	if (enrollmentId === 0) return [previewResult(item.json)];
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const reason = readText(context, itemIndex, 'reason', options);
	const action: EnrollmentAction = {
		enrollmentId,
		until: readTime(context, itemIndex, 'Pause Until', options.until),
		...(reason ? { reason } : {}),
	};
	const enrollment = await callStore(context, itemIndex, LABELS, async () =>
		act(await store(), action),
	);
	return [enrollmentJson(enrollment)];
}
