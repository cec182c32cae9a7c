import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { enrollmentJson } from '../../../shared/output';
import { callStore, ENROLLMENT_ID_FIX, readEnrollmentId } from '../parameters';
import { parameterError } from '../../../shared/parameters';
import { isPreviewItem, previewResult } from '../preview';
import { showFor, type StoreAccess } from '../types';
import { enrollmentIdProperty } from './fields';

export const description = showFor('enrollment', 'get', [enrollmentIdProperty]);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	if (isPreviewItem(item.json)) return [previewResult(item.json)];
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
}
