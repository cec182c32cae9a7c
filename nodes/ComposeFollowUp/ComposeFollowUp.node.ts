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

// Not an AI tool, on purpose: it works on items from the Follow-up Trigger and records on their
// step runs; an agent that wants a message written already has its own model.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class ComposeFollowUp implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Compose Follow-up',
		name: 'composeFollowUp',
		icon: { light: 'file:composeFollowUp.svg', dark: 'file:composeFollowUp.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["mode"] === "static" ? "static text" : $parameter["mode"] === "aiAssisted" ? "AI draft for approval" : $parameter["mode"] === "aiFull" ? "AI, send directly" : "mode from the step" }}',
		description:
			'Write the next follow-up: the step’s text, or an AI message from the step’s instruction',
		defaults: { name: 'Compose Follow-up' },
		inputs: [
			NodeConnectionTypes.Main,
			{
				type: NodeConnectionTypes.AiLanguageModel,
				displayName: 'Chat Model',
				required: false,
				maxConnections: 1,
			},
			{
				type: NodeConnectionTypes.AiMemory,
				displayName: 'Memory',
				required: false,
				maxConnections: 1,
			},
		],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Send', 'Needs Approval'],
		credentials: [{ name: 'cadenceStoreApi', required: false, testedBy: 'cadenceStoreTest' }],
		hints: [
			{
				message:
					'The text to send is in message.text. message.degraded is true when the AI could not deliver and the static text was used instead; message.degradedReason says why.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'afterExecution',
			},
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
