import type { INodeProperties } from 'n8n-workflow';
import * as funnel from './funnel';
import * as replyRates from './replyRates';
import * as stateDistribution from './stateDistribution';
import * as stuckSteps from './stuckSteps';

export const operations = { funnel, replyRates, stateDistribution, stuckSteps };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['report'] } },
		options: [
			{
				name: 'Funnel',
				value: 'funnel',
				description:
					'Per cadence, step and compose mode: how many follow-ups were sent, delivered, read, replied to by a person',
				action: 'Get the funnel of a cadence',
			},
			{
				name: 'Reply Rates',
				value: 'replyRates',
				description:
					'How often people reply, per step, compose mode, cadence version or agent (out-of-office and auto-replies shown apart)',
				action: 'Get reply rates of a cadence',
			},
			{
				name: 'State Distribution',
				value: 'stateDistribution',
				description:
					'Per cadence: how many enrollments are active, paused, completed, exited, failed',
				action: 'Get how many enrollments are in each state',
			},
			{
				name: 'Stuck Steps',
				value: 'stuckSteps',
				description: 'Follow-ups that were emitted but never confirmed as sent',
				action: 'List stuck steps',
			},
		],
		default: 'funnel',
	},
	...funnel.description,
	...replyRates.description,
	...stateDistribution.description,
	...stuckSteps.description,
];
