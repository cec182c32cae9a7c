import { parseOrThrow } from '../../validation';
import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import {
	conversationInputSchema,
	goalInputSchema,
	optOutInputSchema,
	type ConversationInput,
	type GoalInput,
	type OptOutInput,
} from '../inputs';
import type { SqlExecutor } from '../sql/driver';
import type { Enrollment } from '../types';
import type { StoreContext } from './context';
import { exitEnrollment } from './chain';
import { setConversation } from './conversations';
import { ENROLLMENT_SELECT, toEnrollment } from './rows';

/**
 * Signals from outside the cadence: the goal was reached (paid, booked, won), the conversation
 * was resolved, or the contact opted out. Each ends the enrollments its exit rules say it should.
 */

/** Adds the contact to the suppression list and exits every running enrollment in any cadence. */
export async function suppressContact(
	ctx: StoreContext,
	db: SqlExecutor,
	contactKey: string,
	reason: string,
	at: number,
): Promise<Enrollment[]> {
	await db.run(
		'INSERT INTO suppressions (contact_key, reason, at) VALUES (?, ?, ?) ON CONFLICT (contact_key) DO NOTHING',
		[contactKey, reason, at],
	);
	const running = (
		await db.all(
			`${ENROLLMENT_SELECT} WHERE e.contact_key = ? AND e.state IN ${RUNNING_STATES_SQL}`,
			[contactKey],
		)
	).map(toEnrollment);
	for (const enrollment of running) {
		await exitEnrollment(ctx, db, enrollment.id, 'optedOut', at, { why: reason });
	}
	return running;
}

export async function optOut(ctx: StoreContext, input: OptOutInput): Promise<{ exited: number[] }> {
	const request = parseOrThrow(optOutInputSchema, input, 'opt-out');
	const at = ctx.now(request.at);
	return ctx.driver.transaction(async (db) => {
		const exited = await suppressContact(ctx, db, request.contactKey, request.reason, at);
		return { exited: exited.map((e) => e.id) };
	});
}

export async function isSuppressed(ctx: StoreContext, contactKey: string): Promise<boolean> {
	const rows = await ctx.driver.all('SELECT 1 AS found FROM suppressions WHERE contact_key = ?', [
		contactKey,
	]);
	return rows.length > 0;
}

/** Records that a goal was reached and exits matching enrollments whose cadence exits on goal. */
export async function recordGoal(
	ctx: StoreContext,
	input: GoalInput,
): Promise<{ exited: number[] }> {
	const goal = parseOrThrow(goalInputSchema, input, 'goal');
	const at = ctx.now(goal.at);
	return ctx.driver.transaction(async (db) => {
		await db.run(
			'INSERT INTO goals (contact_key, target_type, target_id, note, at) VALUES (?, ?, ?, ?, ?)',
			[goal.contactKey || null, goal.target?.type ?? null, goal.target?.id ?? null, goal.note, at],
		);
		const conditions: string[] = [`e.state IN ${RUNNING_STATES_SQL}`];
		const params: Array<string | number> = [];
		if (goal.target) {
			conditions.push('e.target_type = ? AND e.target_id = ?');
			params.push(goal.target.type, goal.target.id);
		}
		if (goal.contactKey) {
			conditions.push('e.contact_key = ?');
			params.push(goal.contactKey);
		}
		if (goal.cadence !== undefined) {
			conditions.push('e.cadence_id = ?');
			params.push(await ctx.cadenceId(db, goal.cadence));
		}
		const candidates = (
			await db.all(`${ENROLLMENT_SELECT} WHERE ${conditions.join(' AND ')}`, params)
		).map(toEnrollment);
		const exited: number[] = [];
		for (const enrollment of candidates) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			if (!definition.exitOn.goal) continue;
			if (await exitEnrollment(ctx, db, enrollment.id, 'goal', at, { note: goal.note }))
				exited.push(enrollment.id);
		}
		return { exited };
	});
}

/** The conversation was resolved: exits its enrollments whose cadence exits on resolution. */
export async function markResolved(
	ctx: StoreContext,
	input: ConversationInput,
): Promise<{ exited: number[] }> {
	const request = parseOrThrow(conversationInputSchema, input, 'resolution');
	const at = ctx.now(request.at);
	return ctx.driver.transaction(async (db) => {
		const exited = await resolveConversation(
			ctx,
			db,
			request.contactKey,
			request.conversationKey,
			at,
		);
		// The conversation rows after the enrollments, the order every writer keeps (no lock cycles).
		await setConversation(db, { ...request, status: 'resolved' }, at);
		// No conversation named: every conversation of the contact, as for its enrollments above.
		if (request.conversationKey === '') {
			await db.run(
				`UPDATE conversations SET status = 'resolved', updated_at = ?,
				activity_at = CASE WHEN activity_at < ? THEN ? ELSE activity_at END
				WHERE contact_key = ? AND status <> 'resolved'`,
				[at, at, at, request.contactKey],
			);
		}
		return { exited };
	});
}

/**
 * The exit-on-resolution rule, for every way a conversation gets resolved (Cadence → Resolved,
 * a conversation status update): its running enrollments end when their cadence exits on it.
 * An empty conversation key means all of the contact's conversations.
 */
export async function resolveConversation(
	ctx: StoreContext,
	db: SqlExecutor,
	contactKey: string,
	conversationKey: string,
	at: number,
): Promise<number[]> {
	const candidates = (
		await db.all(
			`${ENROLLMENT_SELECT} WHERE e.contact_key = ? AND e.state IN ${RUNNING_STATES_SQL}
			AND (? = '' OR e.conversation_key = ?)`,
			[contactKey, conversationKey, conversationKey],
		)
	).map(toEnrollment);
	const exited: number[] = [];
	for (const enrollment of candidates) {
		const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
		if (!definition.exitOn.resolved) continue;
		if (await exitEnrollment(ctx, db, enrollment.id, 'resolved', at)) exited.push(enrollment.id);
	}
	return exited;
}
