import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import { properties } from './properties';
import { DASHBOARD_WEBHOOKS, webhook } from './webhook';

export class CadenceDashboard implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Cadence Dashboard',
		name: 'cadenceDashboard',
		icon: { light: 'file:cadenceDashboard.svg', dark: 'file:cadenceDashboard.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"/" + $parameter["path"]}}',
		description:
			'A page in your browser with every contact awaiting a follow-up, their conversations and the reports',
		defaults: { name: 'Cadence Dashboard' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		outputNames: ['Changes'],
		// n8n's own Basic Auth and Header Auth credentials, as its Webhook node offers them: people
		// log in with a credential type they already know, and the page stays closed until one is
		// picked. (The package rules below are meant for API credentials that belong to a service.)
		credentials: [
			{
				// eslint-disable-next-line n8n-nodes-base/node-class-description-credentials-name-unsuffixed, @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
				name: 'httpBasicAuth',
				required: true,
				displayOptions: { show: { authentication: ['basicAuth'] } },
			},
			{
				// eslint-disable-next-line @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
				name: 'httpHeaderAuth',
				required: true,
				displayOptions: { show: { authentication: ['headerAuth'] } },
			},
			// Written out: the lint rules read this list literally.
			{ name: 'cadenceStoreApi', required: false, testedBy: 'cadenceStoreTest' },
		],
		webhooks: DASHBOARD_WEBHOOKS,
		eventTriggerDescription: 'Waiting for a change made on the dashboard page',
		activationMessage: 'Your dashboard is live: open its Production URL in your browser.',
		hints: [
			{
				message:
					'Open the Production URL once this workflow is published. Each pause, resume, skip, cancel or retry made on the page leaves this node as an item (action, by, enrollmentId…), e.g. to tell your team.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'always',
			},
		],
		properties,
	};

	methods = sharedMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return webhook.call(this);
	}
}
