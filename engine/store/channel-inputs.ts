import { z } from 'zod/v4';
import {
	CONVERSATION_STATUSES,
	IDENTITY_KINDS,
	normalizeIdentity,
	type Identity,
} from '../domain/channels';
import { freeText, keyText, optionalKeyText } from './text-rules';

/**
 * Inputs of the channel and conversation operations, validated before anything is written; each
 * message names the field and how to fix it.
 */

const millis = z
	.number({ message: 'give the time as epoch milliseconds (a number)' })
	.int()
	.min(0)
	.max(32503680000000, 'that time is after the year 3000');

/** One identity, its value normalised by the one rule (engine/domain/channels.ts). */
export const identitySchema = z
	.object({
		kind: z.enum(IDENTITY_KINDS, { message: `use one of: ${IDENTITY_KINDS.join(', ')}` }),
		value: z.string({ message: 'give the value as text' }),
	})
	.transform((identity, ctx): Identity => {
		const normal = normalizeIdentity(identity.kind, identity.value);
		if ('value' in normal) return { kind: identity.kind, value: normal.value };
		ctx.addIssue({ code: 'custom', path: ['value'], message: normal.problem });
		return z.NEVER;
	});

export const identitiesSchema = z
	.array(identitySchema, { message: 'give the identities as a list of { kind, value }' })
	.max(50, 'give at most 50 identities per contact at once');

export const identitiesInputSchema = z.object({
	contactKey: keyText('contact key'),
	identities: identitiesSchema.min(1, 'give at least one identity (kind and value)'),
});
export type IdentitiesInput = z.input<typeof identitiesInputSchema>;

export const conversationUpdateSchema = z
	.object({
		contactKey: keyText('contact key'),
		conversationKey: optionalKeyText('conversation key').default(''),
		/** The channel the conversation lives on, as a trigger names it ("WhatsApp", "telegram"). */
		channel: freeText('channel', 100).trim().min(1, 'give the channel or leave it out').optional(),
		status: z
			.enum(CONVERSATION_STATUSES, { message: `use one of: ${CONVERSATION_STATUSES.join(', ')}` })
			.optional(),
		/**
		 * Who handles the conversation (an agent's name or email): the reviewer of drafts for this
		 * contact when the enrollment names no agent. Empty leaves the one already set.
		 */
		assignee: freeText('assignee', 512)
			.trim()
			.optional()
			.transform((v) => v || undefined),
		at: millis.optional(),
	})
	.refine((v) => v.channel !== undefined || v.status !== undefined || v.assignee !== undefined, {
		message: 'give the conversation status, its channel or its assignee',
		path: ['status'],
	});
export type ConversationUpdate = z.input<typeof conversationUpdateSchema>;

export const conversationRefSchema = z.object({
	contactKey: keyText('contact key'),
	conversationKey: optionalKeyText('conversation key').default(''),
});
export type ConversationRef = z.input<typeof conversationRefSchema>;

/** Channel delivery statuses, in their only order: queued < sent < delivered < read; failed ends. */
export const CHANNEL_DELIVERY_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type ChannelDeliveryStatus = (typeof CHANNEL_DELIVERY_STATUSES)[number];

export const deliveryInputSchema = z.object({
	channelMessageId: keyText('channel message id', 300),
	status: z.enum(CHANNEL_DELIVERY_STATUSES, {
		message: `use one of: ${CHANNEL_DELIVERY_STATUSES.join(', ')}`,
	}),
	detail: freeText('detail', 2000).nullable().default(null),
	at: millis.optional(),
});
export type DeliveryInput = z.input<typeof deliveryInputSchema>;

export const idleInputSchema = z.object({
	cadence: z.union([z.string().trim().min(1).max(120), z.number().int().positive()], {
		message: 'give the cadence name (as in its Follow-up Trigger) or its id',
	}),
	/** Conversations read per call (idle or not); the call enrolls at most this many. */
	limit: z
		.number()
		.int()
		.min(1)
		.max(1000, 'scan at most 1,000 conversations per call')
		.default(200),
});
export type IdleInput = z.input<typeof idleInputSchema>;
