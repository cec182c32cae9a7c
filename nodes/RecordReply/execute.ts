import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { normalizeTimeZone, TIME_ZONE_ADVICE } from '../../engine/timing';
import { parseGoalPhrases } from '../../engine/classify';
import type { InboundInput } from '../../engine';
import type { CadenceStore } from '../../engine';
import type { ConversationStatus, ReplyEffect } from '../../engine';
import { readAssignee, readConversationStatus, readIdentities } from '../shared/fragments/reach';
import { mapItems } from '../shared/items';
import { iso } from '../shared/output';
import { optionalIdentity, optionalText, requiredIdentity } from '../shared/identity';
import { withStore } from '../shared/store-provider';
import { parameterError, readTime } from '../shared/parameters';
import { readModelTimeLimit } from '../shared/fragments/model-time-limit';
import { classificationJson, classifyIfNeeded, type ClassifiedReply } from './classification';
import { WHAT_TO_DO, type WhatToDo } from './properties';

/**
 * Records each incoming message and lets the store apply the reply rules to every running
 * enrollment of the contact, in one transaction per message. One output item per enrollment it
 * changed, so the flow can branch on what happened; one item saying so when none was running.
 * With "Let AI Classify" (or a cadence whose reply policy is to classify), the message is read
 * first and its meaning becomes the action; every output item then carries the classification.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return mapItems(this, 1, async (itemIndex) => {
		if (this.getNodeParameter('author', itemIndex, 'contact') === 'agent') {
			return [{ output: 0, json: await recordAgentMessage(this, itemIndex) }];
		}
		const reply = readReply(this, itemIndex);
		const conversation = readConversation(this, itemIndex);
		const { message, effects, input, classified } = await withStore(this, async (store) => {
			const classified = await classify(this, store, reply, itemIndex);
			const input: InboundInput = classified
				? {
						...reply.input,
						action: classified.action,
						pauseUntil: classified.pauseUntil,
						kind: replyKindOf(classified.classification.category),
					}
				: reply.input;
			const recorded = await store.recordInbound(input);
			await setConversation(store, recorded.message, conversation);
			return { ...recorded, input, classified };
		});
		const base: IDataObject = {
			contactKey: message.contactKey,
			conversationKey: message.conversationKey,
			messageId: message.id,
			effects: effects.length,
		};
		const extra: IDataObject = classified ? { classification: classificationJson(classified) } : {};
		if (effects.length === 0) {
			return [{ output: 0, json: { ...base, message: nothingRan(input.action), ...extra } }];
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
				...extra,
			},
		}));
	});
}

/**
 * A message your agent sent (not a follow-up): kept in the conversation log, and the clock of
 * cadences that start at the last agent message is counted from it.
 */
async function recordAgentMessage(
	context: IExecuteFunctions,
	itemIndex: number,
): Promise<IDataObject> {
	const node = context.getNode();
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const identities = readIdentities(
		context,
		itemIndex,
		context.getNodeParameter('reachAt', itemIndex, {}),
	);
	const conversation = readConversation(context, itemIndex);
	const input = {
		...readMessage(context, itemIndex),
		at: readTime(node, itemIndex, 'Received At', options.receivedAt),
	};
	const message = await withStore(context, async (store) => {
		const recorded = await store.recordOutbound(input);
		if (identities.length > 0)
			await store.recordIdentities({ contactKey: input.contactKey, identities });
		await setConversation(store, recorded, conversation);
		return recorded;
	});
	return {
		contactKey: message.contactKey,
		conversationKey: message.conversationKey,
		messageId: message.id,
		direction: 'outbound',
		message:
			'Recorded your agent’s message. Cadences that start the clock at the last agent message now count from it.',
	};
}

interface Reply {
	input: InboundInput;
	chosen: WhatToDo;
	timeZone: string;
	timeoutMs: number;
	goalPhrases: string[];
}

async function classify(
	context: IExecuteFunctions,
	store: CadenceStore,
	reply: Reply,
	itemIndex: number,
): Promise<ClassifiedReply | null> {
	const { chosen, input } = reply;
	if (chosen !== 'classify' && chosen !== 'policy') return null;
	// An empty contact is reported by the store's own validation, naming the parameter.
	if (!input.contactKey.trim()) return null;
	return classifyIfNeeded(context, store, input, chosen, {
		timeZone: reply.timeZone,
		timeoutMs: reply.timeoutMs,
		itemIndex,
		goalPhrases: reply.goalPhrases,
	});
}

/** The message and the action to force on every running cadence (none: each cadence's policy). */
function readReply(context: IExecuteFunctions, itemIndex: number): Reply {
	const node = context.getNode();
	const chosen = String(context.getNodeParameter('action', itemIndex, 'policy'));
	if (!(WHAT_TO_DO as readonly string[]).includes(chosen)) {
		throw parameterError(
			node,
			itemIndex,
			'What to Do',
			`has no choice "${chosen}"`,
			`Pick one of the choices in the list; from an expression, use one of: ${WHAT_TO_DO.join(', ')}.`,
		);
	}
	const action = chosen as WhatToDo;
	let pauseUntil: number | undefined;
	if (action === 'pause') {
		const value = context.getNodeParameter('pauseUntil', itemIndex, '');
		pauseUntil = readTime(node, itemIndex, 'Pause Until', value);
		if (pauseUntil !== undefined && pauseUntil <= Date.now()) {
			throw parameterError(
				node,
				itemIndex,
				'Pause Until',
				'is in the past',
				'Pick a future date, or leave it empty to use the pause length set in each cadence.',
			);
		}
	}
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const input: InboundInput = {
		...readMessage(context, itemIndex),
		identities: readIdentities(
			context,
			itemIndex,
			context.getNodeParameter('reachAt', itemIndex, {}),
		),
		at: readTime(node, itemIndex, 'Received At', options.receivedAt),
		action: action === 'policy' || action === 'classify' ? undefined : action,
		pauseUntil,
	};
	return {
		input,
		chosen: action,
		timeZone: readTimeZone(context, options.timeZone, itemIndex),
		timeoutMs: readModelTimeLimit(context, itemIndex, options.modelTimeout, 'option'),
		goalPhrases: readGoalPhrases(context, options.goalPhrases, itemIndex),
	};
}

function readGoalPhrases(context: IExecuteFunctions, value: unknown, itemIndex: number): string[] {
	const parsed = parseGoalPhrases(value);
	if (parsed.ok) return parsed.phrases;
	throw parameterError(
		context,
		itemIndex,
		'Goal Phrases',
		`is not usable: ${parsed.problem}`,
		'List the words that mean the contact reached the goal, separated by commas, e.g. booked, paid, signed the contract.',
		'option',
	);
}

interface ConversationFields {
	status: ConversationStatus | null;
	/** '' keeps the assignee already set. */
	assignee: string;
}

function readConversation(context: IExecuteFunctions, itemIndex: number): ConversationFields {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return {
		status: readConversationStatus(
			context,
			itemIndex,
			'Conversation Status',
			options.conversationStatus,
		),
		assignee: readAssignee(context, itemIndex, options.assignee),
	};
}

/**
 * The conversation's status and assignee after the message; resolved ends the cadences that exit
 * on it. The change is dated with the message, so a message recorded with an earlier Received At
 * does not make the conversation look active now (inactivity counts from its latest activity).
 */
async function setConversation(
	store: CadenceStore,
	message: { contactKey: string; conversationKey: string; at: number },
	fields: ConversationFields,
): Promise<void> {
	if (!fields.status && !fields.assignee) return;
	await store.updateConversation({
		contactKey: message.contactKey,
		conversationKey: message.conversationKey,
		...(fields.status ? { status: fields.status } : {}),
		...(fields.assignee ? { assignee: fields.assignee } : {}),
		at: message.at,
	});
}

/** Who and what, for both directions; identities must be text or numbers (shared/identity). */
function readMessage(context: IExecuteFunctions, itemIndex: number) {
	const at = (label: string, fix?: string) => ({ node: context.getNode(), itemIndex, label, fix });
	const parameter = (name: string) => context.getNodeParameter(name, itemIndex, '');
	const channel = optionalText(parameter('channel'), at('Channel')).trim();
	return {
		contactKey: requiredIdentity(parameter('contactKey'), at('Contact ID', CONTACT_FIX)),
		conversationKey: optionalIdentity(
			parameter('conversationKey'),
			at('Conversation ID', CONVERSATION_FIX),
		),
		text: optionalText(parameter('text'), at('Message Text')),
		channel: channel || null,
	};
}

const CONTACT_FIX =
	'Map it to the sender as Enroll In Cadence got them — a phone number, an email or a chat ID — e.g. {{ $json.from }}.';
const CONVERSATION_FIX =
	'Map it to the chat or thread ID as text or a number, e.g. {{ $json.chatId }}, or leave it empty.';

function readTimeZone(context: IExecuteFunctions, value: unknown, itemIndex: number): string {
	const written = String(value ?? '').trim();
	const zone = written && normalizeTimeZone(written);
	if (!written || zone) return zone || '';
	throw parameterError(
		context,
		itemIndex,
		'Contact Time Zone',
		`is not a time zone: ${JSON.stringify(written)}`,
		`${TIME_ZONE_ADVICE}, or leave it empty.`,
		'option',
	);
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
		case 'goal':
			return `Stopped ${cadence}: the contact says the goal is reached.`;
		case 'reanchor':
			return `${cadence} counts its first follow-up from this message${next}.`;
	}
}

function nothingRan(action: InboundInput['action']): string {
	if (action === 'optOut') {
		return 'Recorded the message and opted the contact out: no cadence will message them again. None was running.';
	}
	return 'Recorded the message. No cadence was running for this contact, so nothing changed.';
}

/** Out-of-office notes and auto-replies are kept apart from people's replies in the funnel. */
function replyKindOf(category: string): InboundInput['kind'] {
	if (category === 'outOfOffice') return 'outOfOffice';
	if (category === 'autoReply') return 'autoReply';
	return 'person';
}
