import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { enrollInputSchema, type EnrollInput, type EnrollResult } from '../../engine';
import { CadenceValidationError } from '../../engine';
import { toProblems } from '../../engine';
import { variablesFrom } from '../shared/fragments/variables';
import { mapBatch } from '../shared/items';
import { enrollmentJson } from '../shared/output';
import { withStore } from '../shared/store-provider';
import { optionalIdentity, optionalText, requiredIdentity } from '../shared/identity';
import { cadenceNameFrom, readTime } from '../shared/parameters';
import { readChannelName, readIdentities } from '../shared/fragments/reach';

/**
 * Reads every item's parameters, then enrolls all valid items in ONE store transaction. An item
 * whose parameters are invalid fails on its own (or becomes an error item with Continue On Fail);
 * if the transaction fails, nothing at all is enrolled.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const channels = new Map<EnrollInput, string>();
	return mapBatch<EnrollInput, EnrollResult>(this, {
		outputs: 1,
		read: (itemIndex, item) => {
			const input = readItem(this, itemIndex, item.json);
			const checked = enrollInputSchema.safeParse(input);
			if (!checked.success)
				throw new CadenceValidationError('enrollment', toProblems(checked.error));
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const channel = readChannelName(
				this,
				itemIndex,
				'Conversation Channel',
				options.conversationChannel,
			);
			if (channel) channels.set(input, channel);
			return input;
		},
		call: async (inputs, itemIndexes) =>
			withStore(this, async (store) => {
				// The conversation's channel first: the channel decision reads it at the first claim.
				for (const input of inputs) {
					const channel = channels.get(input);
					if (channel === undefined) continue;
					await store.updateConversation({
						contactKey: input.contactKey,
						conversationKey: input.conversationKey ?? '',
						channel,
					});
				}
				// A cadence name two workflows share means the one whose trigger is in this workflow.
				// Messages name items as the node's input numbers them, not among the valid ones.
				return store.enroll(inputs, {
					workflowId: this.getWorkflow().id,
					itemNumbers: itemIndexes.map((index) => index + 1),
				});
			}),
		emit: (result, input) => [
			{
				output: 0,
				json: {
					outcome: result.outcome,
					message: result.message,
					contactKey: input.contactKey,
					...(result.enrollment ? enrollmentJson(result.enrollment) : {}),
				},
			},
		],
	});
}

const CONTACT_FIX =
	'Map it to what identifies the contact — a phone number, an email or a chat ID — e.g. {{ $json.phone }}.';
const CONVERSATION_FIX =
	'Map it to the chat or thread ID as text or a number, e.g. {{ $json.chatId }}, or leave it empty for any conversation.';
const TARGET_FIX =
	'Map it to the deal, invoice or appointment as text or a number, e.g. {{ $json.invoiceId }}, or leave it empty.';

function readItem(context: IExecuteFunctions, itemIndex: number, json: IDataObject): EnrollInput {
	const node = context.getNode();
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const variables: Record<string, unknown> = {
		...(options.includeInputFields ? json : {}),
		...variablesFrom(context.getNodeParameter('variables', itemIndex, {})),
	};
	const at = (label: string, fix?: string) => ({ node, itemIndex, label, fix });
	const parameter = (name: string) => context.getNodeParameter(name, itemIndex, '');
	const targetType = optionalIdentity(options.targetType, at('Target Type', TARGET_FIX));
	const targetId = optionalIdentity(options.targetId, at('Target ID', TARGET_FIX));
	const timeZone = optionalText(options.timeZone, at('Contact Time Zone')).trim();
	return {
		cadence: cadenceNameFrom(context.getNodeParameter('cadence', itemIndex), at('Cadence')),
		contactKey: requiredIdentity(parameter('contactKey'), at('Contact ID', CONTACT_FIX)),
		conversationKey: optionalIdentity(
			parameter('conversationKey'),
			at('Conversation ID', CONVERSATION_FIX),
		),
		contactName: optionalText(parameter('contactName'), at('Contact Name')),
		agent: optionalText(options.agent, at('Agent Name')),
		timeZone: timeZone || null,
		target: targetType || targetId ? { type: targetType, id: targetId } : null,
		variables,
		identities: readIdentities(
			context,
			itemIndex,
			context.getNodeParameter('reachAt', itemIndex, {}),
		),
		startAt: readTime(node, itemIndex, 'Start Time', options.startAt),
	};
}
