import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import { execute } from './execute';
import { properties } from './properties';
import { storeCredentials } from '../shared/fragments/store-credential';
import { afterRunHint, beforeRunHint } from '../shared/fragments/hints';

// Not an AI tool, on purpose: it is a gate on the send path that acts on items from the
// Follow-up Trigger; an agent has nothing to pass it.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class WaitUntilWorkingHours implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Wait Until Working Hours',
		name: 'waitUntilWorkingHours',
		icon: { light: 'file:waitUntilWorkingHours.svg', dark: 'file:waitUntilWorkingHours.dark.svg' },
		group: ['organization'],
		version: 1,
		subtitle: '={{$parameter["hoursFrom"] === "here" ? "hours set here" : "cadence hours"}}',
		description:
			'Let items through inside working hours; reschedule the others to the next open time',
		defaults: { name: 'Wait Until Working Hours' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Now', 'Deferred'],
		credentials: storeCredentials,
		hints: [
			afterRunHint(
				'Follow-up steps outside working hours leave by Deferred with deferredUntil and reason: the cadence store reschedules them and the Follow-up Trigger emits them again when the window opens. You can leave Deferred unconnected.',
			),
			beforeRunHint(
				'Items from other workflows have nowhere to be rescheduled: the run waits until the window opens and then continues on Now.',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
