import { showFor, type OperationExecute } from '../types';
import { enrollmentIdProperty, manageEnrollment } from './fields';

/** A step that fell due while paused goes out at the next open minute, not in a burst. */
export const description = showFor('enrollment', 'resume', [enrollmentIdProperty]);

/** Items from the Follow-up Trigger's editor preview pass through untouched (see router). */
export const passesPreview = true;

export const execute: OperationExecute = async function (itemIndex, item, store) {
	return manageEnrollment(this, itemIndex, item, store, (s, { enrollmentId }) =>
		s.resume({ enrollmentId }),
	);
};
