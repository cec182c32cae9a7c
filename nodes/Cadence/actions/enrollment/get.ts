import { enrollmentJson } from '../../../shared/output';
import { callStore, noSuchEnrollment, readEnrollmentId } from '../parameters';
import { previewResult } from '../preview';
import { showFor, type OperationExecute } from '../types';
import { enrollmentIdProperty } from './fields';

export const description = showFor('enrollment', 'get', [enrollmentIdProperty]);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	const enrollmentId = readEnrollmentId(this, itemIndex);
	if (enrollmentId === 0) return [previewResult(item.json)];
	const enrollment = await callStore(this, itemIndex, {}, async () =>
		(await store()).getEnrollment(enrollmentId),
	);
	if (!enrollment) throw noSuchEnrollment(this, itemIndex, enrollmentId);
	return [enrollmentJson(enrollment)];
};
