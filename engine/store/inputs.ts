import { z } from 'zod/v4';
import {
	cleanText,
	freeText,
	keyText,
	optionalKeyText,
	unstorable,
	variablesSchema,
} from './text-rules';
import { COMPOSE_MODES, timeZoneSchema } from '../cadence/definition';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/idempotency-key';
import { ENROLLMENT_STATES, EXIT_REASONS, REPLY_KINDS } from './types';
import { identitiesSchema } from './channel-inputs';

/**
 * Every input the store accepts, validated before anything is written. Messages say how to fix
 * the value, because they reach a no-code user through the node that passed it on.
 */

const key = (what: string) => keyText(what);

const optionalKey = (what: string) => optionalKeyText(what).default('');
/** The longest message, draft or note text the store keeps. */
const MAX_MESSAGE_CHARS = 100_000;

function noUnstorable(value: string, ctx: z.RefinementCtx): void {
	const problem = unstorable(value);
	if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

const millis = z
	.number({ message: 'give the time as epoch milliseconds (a number)' })
	.int()
	.min(0)
	.max(32503680000000, 'that time is after the year 3000');
const id = (what: string) =>
	z
		.number({ message: `give the ${what} id as a number` })
		.int()
		.positive(`the ${what} id must be positive`);
const cadenceRef = z
	.union([z.string().trim().min(1).max(120), z.number().int().positive()], {
		message: 'give the cadence name (as in its Follow-up Trigger) or its id',
	})
	.superRefine((ref, ctx) => {
		if (typeof ref === 'string') noUnstorable(ref, ctx);
	});

export const enrollInputSchema = z.object({
	cadence: cadenceRef,
	contactKey: key('contact key'),
	conversationKey: optionalKey('conversation key'),
	contactName: freeText('contact name', 512).default(''),
	agent: freeText('agent name', 512).default(''),
	target: z
		.object({ type: key('target type'), id: key('target id') })
		.nullable()
		.default(null),
	variables: variablesSchema.default({}),
	timeZone: timeZoneSchema.nullable().default(null),
	/** When the clock starts (default now). */
	startAt: millis.optional(),
	/** Where the contact can be reached (phone, email, WhatsApp, …), kept for the channel decision. */
	identities: identitiesSchema.default([]),
});
export type EnrollInput = z.input<typeof enrollInputSchema>;

export const claimInputSchema = z.object({
	cadence: cadenceRef,
	limit: z.number().int().min(1).max(1000, 'claim at most 1,000 steps at once').default(100),
});
export type ClaimInput = z.input<typeof claimInputSchema>;

const tokens = z.number().int().min(0).nullable().default(null);

export const sentInputSchema = z.object({
	stepRunId: id('step run'),
	text: freeText('message text', MAX_MESSAGE_CHARS).nullable().default(null),
	composeMode: z.enum(COMPOSE_MODES).optional(),
	model: freeText('model name', 200).nullable().default(null),
	promptTokens: tokens,
	completionTokens: tokens,
	degraded: z.boolean().default(false),
	channel: freeText('channel', 100).nullable().default(null),
	/** The id the channel gave the message (WhatsApp wamid, Twilio SID): delivery reports name it. */
	channelMessageId: keyText('channel message id', 300).optional(),
	at: millis.optional(),
});
export type SentInput = z.input<typeof sentInputSchema>;

export const draftInputSchema = sentInputSchema
	.omit({ channel: true, channelMessageId: true, at: true })
	.extend({
		text: freeText('message text', MAX_MESSAGE_CHARS),
		awaitingApproval: z.boolean().default(false),
		/** Why the AI text was replaced by the static fallback (model down, timeout, guardrail). */
		degradedReason: freeText('fallback reason', 2000).nullable().default(null),
	});
export type DraftInput = z.input<typeof draftInputSchema>;

export const APPROVAL_DECISIONS = ['approved', 'edited', 'discarded', 'timedOut'] as const;
export const approvalInputSchema = z
	.object({
		stepRunId: id('step run'),
		decision: z.enum(APPROVAL_DECISIONS, {
			message: `use one of: ${APPROVAL_DECISIONS.join(', ')}`,
		}),
		text: freeText('message text', MAX_MESSAGE_CHARS).nullable().default(null),
		by: freeText('reviewer name', 200).nullable().default(null),
	})
	.refine((v) => v.decision !== 'edited' || (v.text ?? '').trim() !== '', {
		path: ['text'],
		message:
			"an edited approval needs the edited text; pass it, or use 'approved' to send the draft as it is",
	});
export type ApprovalInput = z.input<typeof approvalInputSchema>;

export const deferInputSchema = z.object({
	stepRunId: id('step run'),
	until: millis,
	reason: freeText('reason', 500).trim().min(1, 'say why the step is deferred'),
});
export type DeferInput = z.input<typeof deferInputSchema>;

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed', 'skipped'] as const;
export const stepStatusInputSchema = z
	.object({
		stepRunId: id('step run').optional(),
		idempotencyKey: z
			.string()
			.regex(IDEMPOTENCY_KEY_PATTERN, 'use the idempotency key the trigger emitted, e.g. 42-0-1')
			.optional(),
		status: z.enum(DELIVERY_STATUSES, { message: `use one of: ${DELIVERY_STATUSES.join(', ')}` }),
		detail: freeText('detail', 2000).nullable().default(null),
		at: millis.optional(),
	})
	.refine((v) => v.stepRunId !== undefined || v.idempotencyKey !== undefined, {
		message: 'give the step run id or its idempotency key',
		path: ['stepRunId'],
		// Only when the fields themselves are fine: a malformed key is reported as such, once.
		when: (payload) => payload.issues.length === 0,
	});
export type StepStatusInput = z.input<typeof stepStatusInputSchema>;

/** 'goal': the contact says the goal is reached; cadences that exit on their goal end so. */
export const REPLY_ACTIONS_INPUT = [
	'exit',
	'restart',
	'pause',
	'ignore',
	'optOut',
	'goal',
] as const;
export const inboundInputSchema = z.object({
	contactKey: key('contact key'),
	conversationKey: optionalKey('conversation key'),
	/** A reply is recorded whatever its length (it must stop the cadence); the log keeps the start. */
	text: z
		.string({ message: 'give the message text as text' })
		.overwrite((text) => cleanText(text).slice(0, MAX_MESSAGE_CHARS))
		.default(''),
	channel: freeText('channel', 100).nullable().default(null),
	at: millis.optional(),
	/** Overrides the cadence's reply policy, e.g. from an AI classification. */
	action: z.enum(REPLY_ACTIONS_INPUT).optional(),
	/** For pause: when to resume (default: the cadence's pause duration from now). */
	pauseUntil: millis.optional(),
	/**
	 * Who wrote it: a person, an out-of-office note or another auto-reply. Only a person's reply
	 * counts as replied in the funnel. Default: an auto-reply when ignored, else a person.
	 */
	kind: z.enum(REPLY_KINDS, { message: `use one of: ${REPLY_KINDS.join(', ')}` }).optional(),
	/** Where the contact can be reached, as the channel's trigger reported it. */
	identities: identitiesSchema.default([]),
});
export type InboundInput = z.input<typeof inboundInputSchema>;

export const outboundInputSchema = z.object({
	contactKey: key('contact key'),
	conversationKey: optionalKey('conversation key'),
	text: freeText('message text', MAX_MESSAGE_CHARS).default(''),
	channel: freeText('channel', 100).nullable().default(null),
	at: millis.optional(),
});
export type OutboundInput = z.input<typeof outboundInputSchema>;

export const goalInputSchema = z
	.object({
		contactKey: optionalKeyText('contact key').optional(),
		target: z.object({ type: key('target type'), id: key('target id') }).optional(),
		cadence: cadenceRef.optional(),
		note: freeText('note', 2000).nullable().default(null),
		at: millis.optional(),
	})
	.refine((v) => Boolean(v.contactKey) || v.target !== undefined, {
		message: 'give the contact key or the target (type and id) whose goal was reached',
		path: ['contactKey'],
	});
export type GoalInput = z.input<typeof goalInputSchema>;

export const conversationInputSchema = z.object({
	contactKey: key('contact key'),
	conversationKey: optionalKey('conversation key'),
	at: millis.optional(),
});
export type ConversationInput = z.input<typeof conversationInputSchema>;

export const optOutInputSchema = z.object({
	contactKey: key('contact key'),
	reason: freeText('reason', 500).default('opted out'),
	at: millis.optional(),
});
export type OptOutInput = z.input<typeof optOutInputSchema>;

export const enrollmentActionSchema = z.object({
	enrollmentId: id('enrollment'),
	/** pause: resume automatically at this time (omit to pause until resumed). */
	until: millis.optional(),
	reason: freeText('reason', 500).optional(),
	/** exit: which rule stopped the enrollment. */
	exitReason: z.enum(EXIT_REASONS).optional(),
	/** Who did it (e.g. the dashboard's signed-in user), kept in the timeline event. */
	by: z.string().trim().max(200).optional(),
});
export type EnrollmentAction = z.input<typeof enrollmentActionSchema>;

export const listInputSchema = z.object({
	cadence: cadenceRef.optional(),
	state: z.enum(ENROLLMENT_STATES).optional(),
	contactKey: optionalKeyText('contact key').optional(),
	agent: freeText('agent name', 512).optional(),
	/** Free text matched against contact, conversation, agent, cadence name and variables. */
	search: freeText('search', 200).optional(),
	limit: z.number().int().min(1).max(1000).default(50),
	offset: z.number().int().min(0).default(0),
});
export type ListInput = z.input<typeof listInputSchema>;

export const stuckInputSchema = z.object({
	cadence: cadenceRef.optional(),
	/** A claimed step not confirmed within this long counts as stuck. */
	olderThanMs: z.number().int().min(1000, 'wait at least one second before calling a step stuck'),
	limit: z.number().int().min(1).max(1000).default(100),
});
export type StuckInput = z.input<typeof stuckInputSchema>;

/** retryStep: the stuck step run to emit again. */
export const retryInputSchema = z.object({ stepRunId: id('step run') });

export const historyInputSchema = z.object({
	contactKey: key('contact key'),
	conversationKey: optionalKeyText('conversation key').optional(),
	limit: z.number().int().min(1).max(1000).default(100),
});
export type HistoryInput = z.input<typeof historyInputSchema>;

export const reportInputSchema = z.object({ cadence: cadenceRef.optional() });
export type ReportInput = z.input<typeof reportInputSchema>;

export const REPLY_RATE_GROUPS = ['step', 'composeMode', 'version', 'agent'] as const;
export const replyRatesInputSchema = reportInputSchema.extend({
	by: z
		.enum(REPLY_RATE_GROUPS, { message: `group by one of: ${REPLY_RATE_GROUPS.join(', ')}` })
		.default('step'),
});
export type ReplyRatesInput = z.input<typeof replyRatesInputSchema>;
