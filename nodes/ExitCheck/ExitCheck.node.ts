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

// Not an AI tool, on purpose: it is a gate on the send path that acts on items from the
// Follow-up Trigger; an agent has nothing to pass it.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class ExitCheck implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Exit Check',
		name: 'exitCheck',
		icon: { light: 'file:exitCheck.svg', dark: 'file:exitCheck.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ ($parameter["goalReached"] === true ? "goal reached" : "reply, opt-out, limits") + ($parameter["aiJudgement"] === true ? ", AI judgement" : "") }}',
		description:
			'Stop a follow-up right before it is sent when the contact replied, opted out or reached the goal',
		defaults: { name: 'Exit Check' },
		inputs: [NodeConnectionTypes.Main, CHAT_MODEL_INPUT],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Continue', 'Exit'],
		credentials: storeCredentials,
		hints: [
			beforeRunHint(
				'Put Exit Check right before the node that sends: it re-reads the cadence store, so a reply that arrived a second ago still stops the send.',
			),
			afterRunHint(
				'Items on Exit say why in exit.reason and what happened in exit.action: exited (the cadence ended for this contact), deferred (the step goes out again later by itself) or skipped (only this step is dropped). With AI Judgement on, aiJudgement says what the model answered (followUp, stop, unavailable or notAsked).',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
