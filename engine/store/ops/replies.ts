import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import type { CadenceDefinition } from '../../cadence/definition';
import { openAt, waitEnd } from '../../domain/scheduling';
import { parseOrThrow } from '../../validation';
import {
	inboundInputSchema,
	outboundInputSchema,
	type InboundInput,
	type OutboundInput,
} from '../inputs';
import type { SqlExecutor } from '../sql/driver';
import type {
	AppliedReply,
	ConversationMessage,
	Enrollment,
	ReplyEffect,
	ReplyKind,
} from '../types';
import { appendEvents, type StoreContext } from './context';
import { writeSchedule } from './due-queue';
import { exitEnrollment, reanchorChain, reloadEnrollment, restartChain } from './chain';
import { saveIdentities, touchConversation } from './conversations';
import { suppressContact } from './signals';
import { ENROLLMENT_SELECT, toEnrollment, toMessage } from './rows';

/**
 * The running enrollments a message in this conversation concerns: the contact's, in the same
 * conversation or enrolled without one. A message without a conversation concerns all of them.
 */
export async function runningForContact(
	db: SqlExecutor,
	contactKey: string,
	conversationKey: string,
): Promise<Enrollment[]> {
	const rows = await db.all(
		`${ENROLLMENT_SELECT} WHERE e.contact_key = ? AND e.state IN ${RUNNING_STATES_SQL}
		AND (? = '' OR e.conversation_key = '' OR e.conversation_key = ?) ORDER BY e.id`,
		[contactKey, conversationKey, conversationKey],
	);
	return rows.map(toEnrollment);
}

/**
 * Records what the contact wrote and applies each running enrollment's reply policy: exit,
 * restart the chain (its wait counted from this reply), pause, ignore (auto-replies) or opt out.
 * `action` overrides the policy — an AI classification passes its verdict here.
 */
export async function recordInbound(
	ctx: StoreContext,
	input: InboundInput,
): Promise<{ message: ConversationMessage; effects: ReplyEffect[] }> {
	const reply = parseOrThrow(inboundInputSchema, input, 'reply');
	const at = ctx.now(reply.at);
	return ctx.driver.transaction(async (db) => {
		const [row] = await db.all(
			`INSERT INTO messages (contact_key, conversation_key, direction, author, text, channel, at)
			VALUES (?, ?, 'inbound', 'contact', ?, ?, ?) RETURNING *`,
			[reply.contactKey, reply.conversationKey, reply.text, reply.channel, at],
		);
		const effects: ReplyEffect[] = [];
		// The conversation and identity rows are written last, after the enrollments and step runs,
		// in the same order as Mark Sent, so two writers on Postgres never wait on each other in a
		// circle over them.
		const noteConversation = async () => {
			await touchConversation(db, { ...reply, direction: 'inbound', at });
			await saveIdentities(db, reply.contactKey, reply.identities, at);
			return { message: toMessage(row), effects };
		};
		if (reply.action === 'optOut') {
			const exited = await suppressContact(ctx, db, reply.contactKey, 'asked to stop', at);
			for (const e of exited) effects.push(effectOf(await reloadEnrollment(db, e.id), 'optOut'));
			return noteConversation();
		}
		for (const enrollment of await runningForContact(db, reply.contactKey, reply.conversationKey)) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			const action = appliedAction(reply.action, definition);
			const kind = reply.kind ?? (action === 'ignore' ? 'autoReply' : 'person');
			await db.run('UPDATE enrollments SET last_inbound_at = ?, updated_at = ? WHERE id = ?', [
				at,
				at,
				enrollment.id,
			]);
			if (await movesContactClock(db, definition, enrollment, action)) {
				await appendEvents(
					db,
					[
						{
							enrollmentId: enrollment.id,
							type: 'contactMessage',
							at,
							detail: { text: reply.text.slice(0, 200) },
						},
					],
					ctx.driver.dialect.maxParams,
				);
				await reanchorChain(ctx, db, enrollment, at, at);
				effects.push(effectOf(await reloadEnrollment(db, enrollment.id), 'reanchor'));
				continue;
			}
			await markLatestSendReplied(db, enrollment, kind, at);
			await appendEvents(
				db,
				[
					{
						enrollmentId: enrollment.id,
						type: 'replied',
						at,
						detail: { action, kind, text: reply.text.slice(0, 200) },
					},
				],
				ctx.driver.dialect.maxParams,
			);
			const after = await applyAction(
				ctx,
				db,
				enrollment,
				definition,
				action,
				at,
				reply.pauseUntil,
			);
			effects.push(effectOf(after, action));
		}
		return noteConversation();
	});
}

/** The cadence's own policy; "classify" without a verdict falls back to the safest: exit. */
function policyAction(definition: CadenceDefinition): AppliedReply {
	return definition.reply.action === 'classify' ? 'exit' : definition.reply.action;
}

/**
 * What this cadence does with the reply: the action asked for, else its own policy. "The goal is
 * reached" ends a cadence that exits on its goal; one that does not applies its reply policy.
 */
function appliedAction(
	requested: AppliedReply | undefined,
	definition: CadenceDefinition,
): AppliedReply {
	if (requested === 'goal' && !definition.exitOn.goal) return policyAction(definition);
	return requested ?? policyAction(definition);
}

async function applyAction(
	ctx: StoreContext,
	db: SqlExecutor,
	enrollment: Enrollment,
	definition: CadenceDefinition,
	action: AppliedReply,
	at: number,
	pauseUntil: number | undefined,
): Promise<Enrollment> {
	if (action === 'exit') await exitEnrollment(ctx, db, enrollment.id, 'replied', at);
	if (action === 'goal') {
		await exitEnrollment(ctx, db, enrollment.id, 'goal', at, {
			note: 'the contact wrote that the goal is reached',
		});
	}
	if (action === 'restart') return restartChain(ctx, db, enrollment, at, at, 'contact replied');
	if (action === 'pause') {
		const until = pauseUntil ?? pauseEnd(definition, enrollment, at);
		const open = openAt(definition, until, enrollment.timeZone);
		await writeSchedule(db, enrollment.id, open.at, {
			state: 'paused',
			paused_until: until,
			held_due_at: null,
			next_reason: open.reason ?? 'paused after the reply',
			updated_at: at,
		});
		await appendEvents(
			db,
			[{ enrollmentId: enrollment.id, type: 'paused', at, detail: { until, resumesAt: open.at } }],
			ctx.driver.dialect.maxParams,
		);
	}
	return reloadEnrollment(db, enrollment.id);
}

/** The cadence's pause length, through the timing engine's wait rule (business days skip weekends). */
function pauseEnd(definition: CadenceDefinition, enrollment: Enrollment, at: number): number {
	return waitEnd(definition, at, definition.reply.pauseFor, enrollment.timeZone);
}

/**
 * The reply answers the latest follow-up. A person's reply moves its funnel status on to
 * "replied"; an out-of-office note or an auto-reply is noted on it (reply_kind) and leaves the
 * status alone, so the funnel counts people only and shows the machines apart.
 */
async function markLatestSendReplied(
	db: SqlExecutor,
	enrollment: Enrollment,
	kind: ReplyKind,
	at: number,
): Promise<void> {
	const latest = `SELECT id FROM step_runs WHERE enrollment_id = ?
		AND status IN ('sent', 'delivered', 'read') ORDER BY sent_at DESC LIMIT 1`;
	if (kind === 'person') {
		await db.run(
			`UPDATE step_runs SET status = 'replied', reply_kind = 'person', replied_at = ?, updated_at = ?
			WHERE id = (${latest})`,
			[at, at, enrollment.id],
		);
		return;
	}
	await db.run(
		`UPDATE step_runs SET reply_kind = ?, updated_at = ? WHERE id = (${latest})
		AND (reply_kind IS NULL OR reply_kind <> 'person')`,
		[kind, at, enrollment.id],
	);
}

/**
 * For a cadence timed from the contact's last message, a message before the cycle's first
 * follow-up went out is not a reply to a follow-up: the contact is still talking, so the first
 * step's clock starts again from it, like the agent-message clock does. An opt-out or an
 * auto-reply is not the contact talking, and a paused enrollment keeps its pause.
 */
async function movesContactClock(
	db: SqlExecutor,
	definition: CadenceDefinition,
	enrollment: Enrollment,
	action: AppliedReply,
): Promise<boolean> {
	if (definition.startClock !== 'lastContactMessage') return false;
	if (action === 'optOut' || action === 'ignore' || enrollment.state !== 'active') return false;
	return !(await sentThisCycle(db, enrollment));
}

/** Whether a follow-up of the enrollment's current cycle already went out. */
async function sentThisCycle(db: SqlExecutor, enrollment: Enrollment): Promise<boolean> {
	const rows = await db.all(
		'SELECT 1 AS found FROM step_runs WHERE enrollment_id = ? AND cycle = ? AND sent_at IS NOT NULL LIMIT 1',
		[enrollment.id, enrollment.cycle],
	);
	return rows.length > 0;
}

function effectOf(enrollment: Enrollment, action: ReplyEffect['action']): ReplyEffect {
	return {
		enrollmentId: enrollment.id,
		cadenceName: enrollment.cadenceName,
		action,
		state: enrollment.state,
		nextDueAt: enrollment.nextDueAt,
	};
}

/**
 * Records a message the agent (not the cadence) sent. For cadences whose clock starts at the last
 * agent message, a chain that has not sent anything yet in this cycle is re-anchored to it.
 */
export async function recordOutbound(
	ctx: StoreContext,
	input: OutboundInput,
): Promise<ConversationMessage> {
	const message = parseOrThrow(outboundInputSchema, input, 'agent message');
	const at = ctx.now(message.at);
	return ctx.driver.transaction(async (db) => {
		const [row] = await db.all(
			`INSERT INTO messages (contact_key, conversation_key, direction, author, text, channel, at)
			VALUES (?, ?, 'outbound', 'agent', ?, ?, ?) RETURNING *`,
			[message.contactKey, message.conversationKey, message.text, message.channel, at],
		);
		for (const enrollment of await runningForContact(
			db,
			message.contactKey,
			message.conversationKey,
		)) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			if (definition.startClock !== 'lastAgentMessage') continue;
			if (enrollment.state !== 'active' || enrollment.nextDueAt === null) continue;
			if (await sentThisCycle(db, enrollment)) continue;
			await reanchorChain(ctx, db, enrollment, at, at);
		}
		// Last, as in recordInbound: the conversation row after the enrollments.
		await touchConversation(db, { ...message, direction: 'outbound', at });
		return toMessage(row);
	});
}
