import type {
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { sharedMethods } from '../shared/methods';
import { activate } from './activate';
import { OUTPUTS_EXPRESSION } from './outputs';
import { properties } from './properties';
import { storeCredentials } from '../shared/fragments/store-credential';

export class FollowUpTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Follow-up Trigger',
		name: 'followUpTrigger',
		icon: { light: 'file:followUpTrigger.svg', dark: 'file:followUpTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["cadenceName"] || "no cadence name yet" }}',
		description:
			'Holds a follow-up cadence and starts the workflow for every follow-up that is due',
		eventTriggerDescription: 'Waiting for follow-ups to fall due',
		activationMessage:
			'The cadence is published. Contacts you enroll now get their follow-ups on schedule.',
		defaults: { name: 'Follow-up Trigger' },
		inputs: [],
		outputs: OUTPUTS_EXPRESSION,
		credentials: storeCredentials,
		hints: [
			{
				message:
					'Test step previews the next follow-up for a sandbox contact. Activate the workflow to publish the cadence and start sending.',
				type: 'info',
				location: 'outputPane',
				whenToDisplay: 'always',
			},
		],
		properties,
	};

	methods = sharedMethods;

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return activate.call(this);
	}
}
