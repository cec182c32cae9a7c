import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { CHAT_MODEL_INPUT } from '../shared/chat-model';
import { sharedMethods } from '../shared/methods';
import { execute } from './execute';
import { properties } from './properties';
import { storeCredentials } from '../shared/fragments/store-credential';
import { afterRunHint, beforeRunHint } from '../shared/fragments/hints';

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
			'={{ $parameter["mode"] === "static" ? "message text, no AI" : $parameter["mode"] === "aiAssisted" ? "AI draft for approval" : $parameter["mode"] === "aiFull" ? "AI, send directly" : "mode from the step" }}',
		description:
			'Write the next follow-up: the step’s text, or an AI message from the step’s instruction',
		defaults: { name: 'Compose Follow-up' },
		inputs: [
			NodeConnectionTypes.Main,
			CHAT_MODEL_INPUT,
			{
				type: NodeConnectionTypes.AiMemory,
				displayName: 'Memory',
				required: false,
				maxConnections: 1,
			},
		],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Send', 'Needs Approval'],
		credentials: storeCredentials,
		hints: [
			// True with or without a model connected: the editor cannot show a parameter notice
			// depending on the Chat Model connection.
			beforeRunHint(
				'AI steps are written by the chat model on the Chat Model input (any of n8n’s chat model nodes). When none is connected, or it fails or is too slow, the step’s Message Text is used instead and the message is marked degraded.',
			),
			afterRunHint(
				'The text to send is in message.text. message.degraded is true when the AI could not deliver and the Message Text was used instead; message.degradedReason says why.',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
