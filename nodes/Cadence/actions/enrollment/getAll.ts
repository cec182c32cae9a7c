import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { ListInput } from '../../../../engine';
import { ENROLLMENT_STATES, type Enrollment } from '../../../../engine';
import { cadenceLocator } from '../../../shared/cadence-locator';
import { enrollmentJson } from '../../../shared/output';
import { callStore, readCadence, readText } from '../parameters';
import { parameterError, readWholeNumber } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';

/** The store returns at most this many enrollments per query; "Return All" pages through. */
const PAGE = 1000;

const properties: INodeProperties[] = [
	cadenceLocator({
		required: false,
		description: 'Only enrollments in this cadence. Leave empty to search every cadence.',
	}),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Agent Name',
				name: 'agent',
				type: 'string',
				default: '',
				description: 'Only enrollments made for this agent (not case-sensitive)',
			},
			{
				displayName: 'Contact ID',
				name: 'contactKey',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $json.phone }}',
				description: 'Only this contact’s enrollments, by the Contact ID they were enrolled with',
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'e.g. Acme',
				description:
					'Text found in the contact’s name or ID, the conversation ID, the agent, the cadence name or the variables',
			},
			{
				displayName: 'State',
				name: 'state',
				type: 'options',
				default: 'active',
				options: [
					{ name: 'Active', value: 'active', description: 'Running: a follow-up is scheduled' },
					{ name: 'Completed', value: 'completed', description: 'Every step went out' },
					{
						name: 'Exited',
						value: 'exited',
						description: 'Stopped by a reply, goal, resolution, opt-out or by hand',
					},
					{ name: 'Failed', value: 'failed', description: 'A send failed' },
					{ name: 'Paused', value: 'paused', description: 'On hold until resumed or a set time' },
				],
			},
		],
	},
];

export const description = showFor('enrollment', 'getAll', properties);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll
		? Infinity
		: (readWholeNumber(
				this,
				itemIndex,
				'Limit',
				this.getNodeParameter('limit', itemIndex, 50),
				1,
			) ?? 50);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const state = readText(this, itemIndex, 'state', filters);
	if (state && !(ENROLLMENT_STATES as readonly string[]).includes(state)) {
		throw parameterError(
			this,
			itemIndex,
			'State',
			`must be one of ${ENROLLMENT_STATES.join(', ')}, not ${JSON.stringify(state)}`,
			'Pick a state from the list, or remove the State filter to see every state.',
		);
	}
	const filter: ListInput = {
		cadence: readCadence(this, itemIndex),
		state: (state || undefined) as Enrollment['state'] | undefined,
		contactKey: readText(this, itemIndex, 'contactKey', filters) || undefined,
		agent: readText(this, itemIndex, 'agent', filters) || undefined,
		search: readText(this, itemIndex, 'search', filters) || undefined,
	};
	const found: Enrollment[] = [];
	const labels = {
		cadence: 'Cadence',
		contactKey: 'Contact ID',
		agent: 'Agent Name',
		search: 'Search',
	};
	await callStore(this, itemIndex, labels, async () => {
		const s = await store();
		// Newest first, page by page, until the limit or the last (short) page.
		for (;;) {
			const size = Math.min(PAGE, limit - found.length);
			const page = await s.listEnrollments({ ...filter, limit: size, offset: found.length });
			found.push(...page);
			if (page.length < size || found.length >= limit) break;
		}
	});
	return found.map((enrollment): IDataObject => enrollmentJson(enrollment));
};
