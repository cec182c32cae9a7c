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

export class RecordReply implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Record Reply',
		name: 'recordReply',
		icon: { light: 'file:recordReply.svg', dark: 'file:recordReply.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ { policy: "each cadence’s reply policy", classify: "AI classifies the message", exit: "stop the cadence", restart: "restart the chain", pause: "pause", ignore: "ignore (auto-reply)", optOut: "opt out" }[$parameter["action"]] }}',
		description: 'Record a message from a contact and stop, restart or pause their follow-ups',
		defaults: { name: 'Record Reply' },
		inputs: [NodeConnectionTypes.Main, CHAT_MODEL_INPUT],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: storeCredentials,
		hints: [
			beforeRunHint(
				'Put Record Reply right after the trigger that receives the contact’s messages (WhatsApp, Telegram, email…), before your AI agent answers.',
			),
			afterRunHint(
				'One item per cadence the message changed, with its action (exit, restart, pause, ignore, optOut) and nextDueAt; effects is 0 when none was running. When the message was classified, classification says what it meant (category), what was done (action) and whether the chat model or the keywords decided.',
			),
		],
		properties,
	};

	methods = sharedMethods;

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return execute.call(this);
	}
}
