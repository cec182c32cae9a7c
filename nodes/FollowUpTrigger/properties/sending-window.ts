import type { INodeProperties } from 'n8n-workflow';
import { timeOfDayProperty, workingHoursProperty } from '../../shared/fragments/working-hours';

/** When follow-ups may go out: a send that falls outside moves to the next open minute. */
export const sendingWindowProperty: INodeProperties = {
	displayName: 'Sending Window',
	name: 'sendingWindow',
	type: 'collection',
	placeholder: 'Add Rule',
	default: {},
	description:
		'When follow-ups may go out. One due outside the window moves to the next open minute, and the later steps move with it.',
	options: [
		{
			displayName: 'Holidays',
			name: 'holidays',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2026-12-25, 2026-12-26, 2027-01-01',
			description:
				'Dates (YYYY-MM-DD, separated by commas) on which nothing is sent and that business days skip',
		},
		{
			displayName: 'Quiet Hours',
			name: 'quietHours',
			type: 'fixedCollection',
			placeholder: 'Set Quiet Hours',
			default: { window: { from: '21:00', to: '08:00' } },
			description: 'A nightly window in which nothing is sent; it may run past midnight',
			options: [
				{
					displayName: 'Quiet Hours',
					name: 'window',
					values: [
						timeOfDayProperty('From', 'from', '21:00'),
						timeOfDayProperty('To', 'to', '08:00'),
					],
				},
			],
		},
		{
			displayName: 'Time Zone',
			name: 'timeZone',
			type: 'string',
			default: '',
			placeholder: 'e.g. America/Chicago',
			description:
				'The zone working hours, quiet hours, holidays and business days are read in. Leave empty for the workflow’s time zone (Workflow Settings).',
		},
		{
			displayName: 'Use the Recipient’s Time Zone',
			name: 'useRecipientTimeZone',
			type: 'boolean',
			default: false,
			description:
				'Whether to read the window in the contact’s own time zone (Contact Time Zone in Enroll In Cadence) when it is known',
		},
		workingHoursProperty({
			description:
				'When follow-ups may be sent. Days without hours here are closed. Add several rows for split days or different hours per day.',
		}),
	],
};
