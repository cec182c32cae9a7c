import type { IDataObject } from 'n8n-workflow';
import { readStepItem } from '../../shared/step-item';

/**
 * A manual run of the Follow-up Trigger in the editor emits a preview step for a sandbox contact,
 * with id 0 and nothing real behind it. Operations that write must let it pass untouched, so a
 * user can test the whole flow without changing any real enrollment.
 */
export function isPreviewItem(json: IDataObject): boolean {
	return json.preview === true || readStepItem(json)?.preview === true;
}

export function previewResult(json: IDataObject): IDataObject {
	return {
		...json,
		preview: true,
		note: 'Preview item from the Follow-up Trigger’s manual run: nothing was written to the cadence store.',
	};
}
