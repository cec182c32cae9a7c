import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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

const setHere = { show: { hoursFrom: ['here'] } };

export const properties: INodeProperties[] = [
	{
		displayName: 'Hours From',
		name: 'hoursFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Cadence Settings',
				value: 'cadence',
				description:
					'The working hours, quiet hours, holidays and time zone set in the Follow-up Trigger of the item’s cadence',
			},
			{
				name: 'Set Here',
				value: 'here',
				description: 'Hours set on this node; use this for items that do not come from a cadence',
			},
		],
		default: 'cadence',
	},
	{
		displayName: 'Time Zone',
		name: 'timeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. Europe/Berlin or {{ $json.contact.timeZone }}',
		description:
			'The IANA time zone the hours below are read in. Leave empty for the workflow’s time zone; map the contact’s zone with an expression to send in their local hours.',
		displayOptions: setHere,
	},
	{
		displayName: 'Working Hours',
		name: 'workingHours',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Working Hours',
		default: { window: [{ days: 'weekdays', from: '09:00', to: '17:00' }] },
		description:
			'When messages may go out. Add several windows for split days (09:00–12:00 and 13:00–17:00). Remove them all to allow any time of day.',
		displayOptions: setHere,
		options: [
			{
				displayName: 'Window',
				name: 'window',
				values: [
					{
						displayName: 'Days',
						name: 'days',
						type: 'options',
						options: DAY_OPTIONS,
						default: 'weekdays',
					},
					{
						displayName: 'From',
						name: 'from',
						type: 'string',
						default: '09:00',
						placeholder: 'HH:MM, e.g. 09:00',
					},
					{
						displayName: 'To',
						name: 'to',
						type: 'string',
						default: '17:00',
						placeholder: 'HH:MM, e.g. 17:00 (24:00 for midnight)',
					},
				],
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: setHere,
		options: [
			{
				displayName: 'Holidays',
				name: 'holidays',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2026-12-25, 2026-12-26',
				description: 'Dates on which nothing goes out, as YYYY-MM-DD separated by commas',
			},
			{
				displayName: 'Quiet Hours From',
				name: 'quietFrom',
				type: 'string',
				default: '',
				placeholder: 'e.g. 21:00',
				description:
					'Start of a nightly window in which nothing goes out, even inside working hours. It may wrap midnight (21:00 to 08:00).',
			},
			{
				displayName: 'Quiet Hours To',
				name: 'quietTo',
				type: 'string',
				default: '',
				placeholder: 'e.g. 08:00',
				description: 'End of the quiet hours',
			},
		],
	},
];
