import type { INodeProperties } from 'n8n-workflow';
import { workingHoursProperty } from '../shared/fragments/working-hours';
import { optionsCollection } from '../shared/fragments/options';

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
	workingHoursProperty({
		description:
			'When messages may go out. Add several windows for split days (09:00–12:00 and 13:00–17:00). Remove them all to allow any time of day.',
		displayOptions: setHere,
	}),
	optionsCollection(
		[
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
		{ displayOptions: setHere },
	),
];
