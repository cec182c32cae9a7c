import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import * as enrollment from './actions/enrollment/Enrollment.resource';
import * as report from './actions/report/Report.resource';
import { router } from './actions/router';
import * as signal from './actions/signal/Signal.resource';
import * as simulation from './actions/simulation/Simulation.resource';
import { storeCredentials } from '../shared/fragments/store-credential';

export class Cadence implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Cadence',
		name: 'cadence',
		icon: { light: 'file:cadence.svg', dark: 'file:cadence.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Manage enrollments, record signals, report on and simulate follow-up cadences',
		defaults: { name: 'Cadence' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: storeCredentials,
		hints: [
			{
				message:
					'Put Signal → Mark Sent right after the node that sends the follow-up: it schedules the next step from that moment.',
				type: 'info',
				location: 'inputPane',
				whenToDisplay: 'always',
				displayCondition:
					'={{ $parameter["resource"] === "signal" && $parameter["operation"] === "markSent" }}',
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Enrollment', value: 'enrollment' },
					{ name: 'Report', value: 'report' },
					{ name: 'Signal', value: 'signal' },
					{ name: 'Simulation', value: 'simulation' },
				],
				default: 'enrollment',
			},
			...enrollment.description,
			...report.description,
			...signal.description,
			...simulation.description,
		],
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return router.call(this);
	}
}
