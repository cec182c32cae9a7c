import type { IDataObject, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { WEEKDAYS, type Weekday } from '../../../engine';

/**
 * The working-hours window as every node shows and reads it: rows of days and hours, 24-hour
 * times. The Follow-up Trigger keeps it in the cadence's Sending Window; Wait Until Working Hours
 * sets it for its own items.
 */

/** Week order, not alphabetical: that is how people read a working week. */
const DAY_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Weekdays (Monday–Friday)', value: 'weekdays' },
	{ name: 'Every Day', value: 'everyDay' },
	{ name: 'Weekend (Saturday–Sunday)', value: 'weekend' },
	{ name: 'Monday', value: 'monday' },
	{ name: 'Tuesday', value: 'tuesday' },
	{ name: 'Wednesday', value: 'wednesday' },
	{ name: 'Thursday', value: 'thursday' },
	{ name: 'Friday', value: 'friday' },
	{ name: 'Saturday', value: 'saturday' },
	{ name: 'Sunday', value: 'sunday' },
];

/** The "Days" choices of a row, as the weekdays they cover. */
const DAY_GROUPS: Record<string, readonly Weekday[]> = {
	everyDay: WEEKDAYS,
	weekdays: WEEKDAYS.slice(0, 5),
	weekend: WEEKDAYS.slice(5),
	...Object.fromEntries(WEEKDAYS.map((day) => [day, [day]])),
};

export function timeOfDayProperty(
	displayName: string,
	name: string,
	example: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'string',
		default: example,
		placeholder: `e.g. ${example}`,
		description: '24-hour time, HH:MM (24:00 for midnight)',
	};
}

export function workingHoursProperty(
	property: Pick<INodeProperties, 'description' | 'displayOptions'>,
): INodeProperties {
	return {
		displayName: 'Working Hours',
		name: 'workingHours',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Working Hours',
		default: { window: [{ days: 'weekdays', from: '09:00', to: '17:00' }] },
		...property,
		options: [
			{
				displayName: 'Hours',
				name: 'window',
				values: [
					{
						displayName: 'Days',
						name: 'days',
						type: 'options',
						default: 'weekdays',
						options: DAY_OPTIONS,
					},
					timeOfDayProperty('From', 'from', '09:00'),
					timeOfDayProperty('To', 'to', '17:00'),
				],
			},
		],
	};
}

export type WorkingWeekInput = Partial<Record<Weekday, Array<{ from: string; to: string }>>>;

/**
 * The rows of a Working Hours parameter as a week: each row opens its days, days without a row
 * stay closed, and no rows at all means "any time" (null). An unknown choice (from an expression)
 * stays a key, so the schedule's validation names it. `onWindow` learns which row each day's
 * window came from, for errors that point at the row.
 */
export function workingWeekFrom(
	rows: IDataObject[],
	onWindow?: (day: string, windowIndex: number, rowIndex: number) => void,
): WorkingWeekInput | null {
	if (rows.length === 0) return null;
	const week: Record<string, Array<{ from: string; to: string }>> = {};
	rows.forEach((row, rowIndex) => {
		const choice = row.days === undefined || row.days === null ? 'weekdays' : text(row.days);
		for (const day of DAY_GROUPS[choice] ?? [choice]) {
			const windows = (week[day] ??= []);
			onWindow?.(day, windows.length, rowIndex);
			windows.push({ from: text(row.from).trim(), to: text(row.to).trim() });
		}
	});
	return week as WorkingWeekInput;
}

/** Holiday dates from a list or from text separated by commas, semicolons or spaces. */
export function holidaysFrom(value: unknown): string[] {
	const list = Array.isArray(value) ? value.map((v) => text(v)) : text(value).split(/[\s,;]+/);
	return list.map((date) => date.trim()).filter(Boolean);
}

function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}
