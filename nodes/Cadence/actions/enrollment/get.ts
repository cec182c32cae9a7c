import { enrollmentJson } from '../../../shared/output';
import { callStore, ENROLLMENT_ID_FIX, readEnrollmentId } from '../parameters';
import { parameterError } from '../../../shared/parameters';
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
	if (!enrollment) {
		throw parameterError(
			this,
			itemIndex,
			'Enrollment ID',
			`names no enrollment: ${enrollmentId} does not exist in this cadence store`,
			`${ENROLLMENT_ID_FIX} If it came from another n8n instance, pick the same Cadence Store credential here.`,
		);
	}
	return [enrollmentJson(enrollment)];
};
