import type { INodeProperties } from 'n8n-workflow';
import * as simulate from './simulate';

export const operations = { simulate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['simulation'] } },
		options: [
			{
				name: 'Simulate',
				value: 'simulate',
				description:
					'Play a cadence for a sandbox contact on a virtual clock and see every send, deferral and exit',
				action: 'Simulate a cadence',
			},
		],
		default: 'simulate',
	},
	...simulate.description,
];
