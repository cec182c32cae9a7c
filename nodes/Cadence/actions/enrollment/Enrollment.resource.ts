import type { INodeProperties } from 'n8n-workflow';
import * as cancel from './cancel';
import * as get from './get';
import * as getAll from './getAll';
import * as getTimeline from './getTimeline';
import * as pause from './pause';
import * as resume from './resume';
import * as skipStep from './skipStep';

export const operations = { cancel, get, getAll, getTimeline, pause, resume, skipStep };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['enrollment'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Stop an enrollment by hand; nothing more is sent',
				action: 'Cancel an enrollment',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get one enrollment: its state, next step and when it is due',
				action: 'Get an enrollment',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'List or search enrollments by cadence, state, contact, agent or text',
				action: 'Get many enrollments',
			},
			{
				name: 'Get Timeline',
				value: 'getTimeline',
				description: 'Everything that happened to one enrollment, or its sends',
				action: 'Get the timeline of an enrollment',
			},
			{
				name: 'Pause',
				value: 'pause',
				description: 'Hold an enrollment until resumed or until a time',
				action: 'Pause an enrollment',
			},
			{
				name: 'Resume',
				value: 'resume',
				description: 'Continue a paused enrollment',
				action: 'Resume an enrollment',
			},
			{
				name: 'Skip Step',
				value: 'skipStep',
				description: 'Skip the step that goes out next; the following wait counts from now',
				action: 'Skip the next step of an enrollment',
			},
		],
		default: 'get',
	},
	...cancel.description,
	...get.description,
	...getAll.description,
	...getTimeline.description,
	...pause.description,
	...resume.description,
	...skipStep.description,
];
