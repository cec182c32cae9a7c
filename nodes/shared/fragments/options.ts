import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/** The "Options" collection every node puts its optional settings in. */
export function optionsCollection(
	options: INodeProperties[],
	extra: Pick<INodeProperties, 'displayOptions'> = {},
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...extra,
		options,
	};
}

/** Units of a duration a user types as a number and a unit, shortest first. */
export const TIME_UNITS: INodePropertyOptions[] = [
	{ name: 'Minutes', value: 'minutes' },
	{ name: 'Hours', value: 'hours' },
	{ name: 'Days', value: 'days' },
];
