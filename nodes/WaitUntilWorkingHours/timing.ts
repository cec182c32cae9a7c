import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
} from 'n8n-workflow';
import { scheduleSchema } from '../../engine';
import { holidaysFrom, workingWeekFrom } from '../shared/fragments/working-hours';
import type { CadenceReader } from '../shared/cadence-cache';
import { isValidTimeZone, TIME_ZONE_ADVICE, type TimingContext } from '../../engine/timing';
import { cadenceNameFrom, parameterError } from '../shared/parameters';

/** Schedule fields as the parameters that set them are labelled on this node. */
const LABELS: Record<string, string> = {
	timeZone: 'Time Zone',
	workingHours: 'Working Hours',
	holidays: 'Holidays',
};

/** The hours set on the node for one item (parameters may be expressions, so per item). */
export function timingSetHere(context: IExecuteFunctions, itemIndex: number): TimingContext {
	const node = context.getNode();
	const zoneParameter = String(context.getNodeParameter('timeZone', itemIndex, '')).trim();
	const timeZone = zoneParameter || context.getTimezone();
	if (!isValidTimeZone(timeZone)) {
		throw parameterError(
			node,
			itemIndex,
			'Time Zone',
			`is not a time zone: "${timeZone}"`,
			`${TIME_ZONE_ADVICE}, or leave it empty for the workflow’s time zone.`,
		);
	}
	const windows = context.getNodeParameter('workingHours.window', itemIndex, []) as IDataObject[];
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const quietFrom = String(options.quietFrom ?? '').trim();
	const quietTo = String(options.quietTo ?? '').trim();
	if (Boolean(quietFrom) !== Boolean(quietTo)) {
		throw new NodeOperationError(
			node,
			'The "Quiet Hours From" and "Quiet Hours To" options go together; only one is set',
			{ itemIndex, description: 'Set both, e.g. 21:00 and 08:00, or remove both.' },
		);
	}
	const parsed = scheduleSchema.safeParse({
		timeZone,
		workingHours: workingWeekFrom(windows),
		quietHours: quietFrom ? { from: quietFrom, to: quietTo } : null,
		holidays: holidaysFrom(options.holidays),
	});
	if (!parsed.success) {
		const { path, message } = parsed.error.issues[0];
		const label =
			path[0] === 'quietHours'
				? `Quiet Hours ${path[1] === 'to' ? 'To' : 'From'}`
				: (LABELS[String(path[0])] ?? 'Working Hours');
		throw parameterError(
			node,
			itemIndex,
			label,
			`is not valid: ${message}`,
			'Times are 24-hour HH:MM (09:00, 17:30, 24:00 for midnight), a window ends after it starts, and holidays are dates as YYYY-MM-DD.',
		);
	}
	return { schedule: parsed.data };
}

/** The hours of the item's cadence, at the version the enrollment is pinned to. */
export async function timingOfCadence(
	node: INode,
	getCadence: CadenceReader,
	json: IDataObject,
	itemIndex: number,
): Promise<TimingContext> {
	const name = cadenceNameFrom(json.cadence);
	const version = typeof json.cadenceVersion === 'number' ? json.cadenceVersion : undefined;
	// By id when the item has it (another workflow's cadence may have the same name), as long as
	// that id is this cadence in this store: ids of another store mean something else.
	const byId =
		typeof json.cadenceId === 'number' ? await getCadence(json.cadenceId, version) : null;
	const cadence = byId?.name === name ? byId : await getCadence(name, version);
	if (!cadence) {
		throw new NodeOperationError(
			node,
			`Cadence "${name}"${version ? ` version ${version}` : ''} is not in the cadence store`,
			{
				itemIndex,
				description:
					'Use the same Cadence Store credential here as on the Follow-up Trigger (or none on both), or set "Hours From" to "Set Here".',
			},
		);
	}
	const contact = json.contact as IDataObject | undefined;
	const zone = contact?.timeZone;
	return {
		schedule: cadence.definition.schedule,
		recipientTimeZone: typeof zone === 'string' ? zone : null,
	};
}
