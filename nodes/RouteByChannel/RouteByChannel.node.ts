import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { afterRunHint } from '../shared/fragments/hints';
import { storeCredentials } from '../shared/fragments/store-credential';
import { execute } from './execute';
import { ROUTE_OUTPUTS } from './outputs';
import { sharedMethods } from '../shared/methods';

// Not an AI tool, on purpose: it routes the Follow-up Trigger's due steps to send nodes; an
// agent has nothing to pass it.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class RouteByChannel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Route by Channel',
		name: 'routeByChannel',
		icon: { light: 'file:routeByChannel.svg', dark: 'file:routeByChannel.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'WhatsApp, SMS, email or same conversation',
		description:
			'Send each follow-up to the output of its channel: WhatsApp text or template, SMS, email or the same conversation',
		defaults: { name: 'Route by Channel' },
		inputs: [NodeConnectionTypes.Main],
		outputs: ROUTE_OUTPUTS.map(() => NodeConnectionTypes.Main),
		outputNames: ROUTE_OUTPUTS.map((o) => o.name),
		credentials: storeCredentials,
		hints: [
			afterRunHint(
				'Connect one send node to each output you use. Each item carries channelAddress (the phone number or email to send to), template (name, language and parameters) on WhatsApp Template, and channelReason (why this channel). Steps on Cannot Send are recorded as failed with the reason; the cadence ends as failed or tries the next channel, as its Channels settings say.',
			),
		],
		properties: [
			{
				displayName:
					'The Follow-up Trigger decides each step’s channel from the contact’s conversation, what is known about them and the cadence’s Channels settings (WhatsApp’s 24 h window, switching channels). This node only sends each item to its output.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
