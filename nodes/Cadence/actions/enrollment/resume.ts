import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { showFor, type StoreAccess } from '../types';
import { enrollmentIdProperty, manageEnrollment } from './fields';

/** A step that fell due while paused goes out at the next open minute, not in a burst. */
export const description = showFor('enrollment', 'resume', [enrollmentIdProperty]);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
	store: StoreAccess,
) {
	return manageEnrollment(this, itemIndex, item, store, (s, { enrollmentId }) =>
		s.resume({ enrollmentId }),
	);
}
