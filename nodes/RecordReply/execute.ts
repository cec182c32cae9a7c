import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { InboundInput } from '../../engine/store/inputs';
import type { ReplyEffect } from '../../engine/store/types';
import { mapItems } from '../shared/items';
import { iso } from '../shared/output';
import { withStore } from '../shared/store-provider';
import { toMillis } from '../shared/values';
import { WHAT_TO_DO, type WhatToDo } from './properties';

/**
 * Records each incoming message and lets the store apply the reply rules to every running
 * enrollment of the contact, in one transaction per message. One output item per enrollment it
 * changed, so the flow can branch on what happened; one item saying so when none was running.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return mapItems(this, 1, async (itemIndex) => {
		const input = readReply(this, itemIndex);
		const { message, effects } = await withStore(this, async (store) => store.recordInbound(input));
		const base: IDataObject = {
			contactKey: message.contactKey,
			conversationKey: message.conversationKey,
			messageId: message.id,
			effects: effects.length,
		};
		if (effects.length === 0) {
			return [{ output: 0, json: { ...base, message: nothingRan(input.action) } }];
		}
		return effects.map((effect) => ({
			output: 0,
			json: {
				...base,
				enrollmentId: effect.enrollmentId,
				cadence: effect.cadenceName,
				action: effect.action,
				state: effect.state,
				nextDueAt: iso(effect.nextDueAt),
				message: describe(effect),
			},
		}));
	});
}

/**
 * The message and the action to force on every running cadence (none: each cadence's policy).
 *
 * Extension point: classifying the message with AI (interested, objection, busy until a time,
 * stop, auto-reply) is a later feature. It will produce this same `action` and `pauseUntil` from
 * the text; the store already takes them as an override of the cadence's policy.
 */
function readReply(context: IExecuteFunctions, itemIndex: number): InboundInput {
	const node = context.getNode();
	const chosen = String(context.getNodeParameter('action', itemIndex, 'policy'));
	if (!(WHAT_TO_DO as readonly string[]).includes(chosen)) {
		throw new NodeOperationError(node, `The "What to Do" parameter has no choice "${chosen}"`, {
			itemIndex,
			description: `Pick one of the choices in the list; from an expression, use one of: ${WHAT_TO_DO.join(', ')}.`,
		});
	}
	const action = chosen as WhatToDo;
	let pauseUntil: number | undefined;
	if (action === 'pause') {
		const value = context.getNodeParameter('pauseUntil', itemIndex, '');
		pauseUntil = toMillis(node, 'Pause Until', value, itemIndex);
		if (pauseUntil !== undefined && pauseUntil <= Date.now()) {
			throw new NodeOperationError(node, 'The "Pause Until" parameter is in the past', {
				itemIndex,
				description:
					'Pick a future date, or leave it empty to use the pause length set in each cadence.',
			});
		}
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const channel = String(context.getNodeParameter('channel', itemIndex, '')).trim();
	return {
		contactKey: String(context.getNodeParameter('contactKey', itemIndex, '')),
		conversationKey: String(context.getNodeParameter('conversationKey', itemIndex, '')),
		text: String(context.getNodeParameter('text', itemIndex, '')),
		channel: channel || null,
		at: toMillis(node, 'Received At', options.receivedAt, itemIndex),
		action: action === 'policy' ? undefined : action,
		pauseUntil,
	};
}

function describe(effect: ReplyEffect): string {
	const cadence = `"${effect.cadenceName}"`;
	const next = effect.nextDueAt === null ? '' : `; next follow-up at ${iso(effect.nextDueAt)}`;
	switch (effect.action) {
		case 'exit':
			return `Stopped ${cadence}: the contact replied.`;
		case 'restart':
			return `Restarted ${cadence} from its first step, counted from this reply${next}.`;
		case 'pause':
			return `Paused ${cadence}${effect.nextDueAt === null ? '' : ` until ${iso(effect.nextDueAt)}`}.`;
		case 'ignore':
			return `Ignored for ${cadence} (auto-reply): the follow-ups carry on${next}.`;
		case 'optOut':
			return `Opted out: ${cadence} stopped, and no cadence will message this contact again.`;
	}
}

function nothingRan(action: InboundInput['action']): string {
	if (action === 'optOut') {
		return 'Recorded the message and opted the contact out: no cadence will message them again. None was running.';
	}
	return 'Recorded the message. No cadence was running for this contact, so nothing changed.';
}
