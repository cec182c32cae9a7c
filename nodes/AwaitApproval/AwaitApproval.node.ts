import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import { execute } from './execute';
import { OUTPUT_NAMES } from './outcome';
import { properties } from './properties';
import { APPROVAL_WEBHOOKS, webhook } from './webhook';
import { storeCredentials } from '../shared/fragments/store-credential';
import { afterRunHint, beforeRunHint } from '../shared/fragments/hints';

// Not an AI tool, on purpose: it waits for a person, which an agent's tool call cannot do. And no
// webhookMethods: its webhooks are n8n's own waiting-execution URLs, nothing to register elsewhere.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class AwaitApproval implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Await Approval',
		name: 'awaitApproval',
		icon: { light: 'file:awaitApproval.svg', dark: 'file:awaitApproval.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{"on timeout: " + {"escalate": "escalate", "sendDraft": "send the draft", "sendStatic": "send the message text", "skip": "skip"}[$parameter["onTimeout"]]}}',
		description:
			'Wait until a reviewer approves, edits or discards a follow-up on a link sent before this node',
		defaults: { name: 'Await Approval' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: OUTPUT_NAMES,
		credentials: storeCredentials,
		webhooks: APPROVAL_WEBHOOKS,
		waitingNodeTooltip:
			'={{ "Waiting for a reviewer on <a href=\\"" + $execution.resumeUrl + "\\" target=\\"_blank\\">" + $execution.resumeUrl + "</a>" }}',
		hints: [
			beforeRunHint(
				'Send the reviewer {{ $execution.resumeUrl }} from the node before this one. If the time limit sends the draft or the Message Text, put Exit Check between Approved and the send node: a reply that arrives during the wait then still stops the send.',
			),
			afterRunHint(
				'Approved items carry the text to send in text; every item says what happened in approval (decision: approved, edited, discarded, timedOut or stopped; by; at; recorded).',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return webhook.call(this);
	}
}
