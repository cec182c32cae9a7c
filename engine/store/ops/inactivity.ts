import { CadenceValidationError } from '../../errors';
import { parseOrThrow } from '../../validation';
import { idleInputSchema, type IdleInput } from '../channel-inputs';
import { enrollInputSchema } from '../inputs';
import type { SqlExecutor } from '../sql/driver';
import type { EnrollResult } from '../types';
import { valuesList, type CadenceScope, type StoreContext } from './context';
import { enrollWithin } from './enroll';

/**
 * Inactivity enrollment: conversations idle longer than the cadence's Idle Minutes, in the
 * statuses it counts (by default open and pending), are enrolled — each conversation once per
 * cadence, ever.
 *
 * Bounded: a call reads at most `limit` conversations, in (activity_at, id) order from where the
 * cadence's previous call stopped (its cursor), through the conversations_activity index. So a
 * call costs the same with 100 or 10 million conversations idle for good. A conversation that
 * becomes active again moves past the cursor and is read again once idle; the same holds for a
 * status change (it counts as activity).
 *
 * Once per cadence: the inactivity_enrollments primary key (cadence, conversation). A call claims
 * a conversation by inserting that row; a second caller's insert finds it and does nothing, so
 * two callers at the same moment never enroll the same conversation twice. On Postgres the
 * cursor row is also locked for the call, so concurrent callers take turns instead of reading the
 * same slice.
 */

export interface IdleEnrollment {
	contactKey: string;
	conversationKey: string;
	/** The conversation's latest activity (message or status change). */
	idleSince: number;
	result: EnrollResult;
}

export interface IdleScan {
	enrolled: IdleEnrollment[];
	/** Conversations read by this call (idle or not, matching or not). */
	scanned: number;
	/** True when the call stopped at its limit: more idle conversations may be waiting. */
	more: boolean;
}

export async function enrollIdleConversations(
	ctx: StoreContext,
	input: IdleInput,
	scope: CadenceScope = {},
): Promise<IdleScan> {
	const request = parseOrThrow(idleInputSchema, input, 'inactivity enrollment');
	const now = ctx.now();
	return ctx.driver.transaction(async (db) => {
		const cadenceId = await ctx.cadenceId(db, request.cadence, scope);
		const [cadence] = await db.all<{ latest_version: number; active: number }>(
			'SELECT latest_version, active FROM cadences WHERE id = ?',
			[cadenceId],
		);
		const definition = await ctx.definition(db, cadenceId, Number(cadence.latest_version));
		const rule = definition.channels.inactivity;
		if (!rule.enabled) {
			throw new CadenceValidationError('inactivity enrollment', [
				{
					field: 'channels.inactivity.enabled',
					message: `the cadence "${definition.name}" does not enroll idle conversations; turn on inactivity enrollment on its Follow-up Trigger`,
				},
			]);
		}
		if (Number(cadence.active) !== 1) return { enrolled: [], scanned: 0, more: false };
		const cursor = await lockCursor(ctx, db, cadenceId, rule.statuses, now);
		const idleBefore = now - rule.idleMinutes * 60_000;
		const rows = await db.all<{
			id: number;
			contact_key: string;
			conversation_key: string;
			status: string;
			activity_at: number;
		}>(
			`SELECT id, contact_key, conversation_key, status, activity_at FROM conversations
			WHERE (activity_at, id) > (?, ?) AND activity_at <= ?
			ORDER BY activity_at, id LIMIT ?`,
			[cursor.activityAt, cursor.conversationId, idleBefore, request.limit],
		);
		if (rows.length === 0) return { enrolled: [], scanned: 0, more: false };
		const last = rows[rows.length - 1];
		await db.run(
			'UPDATE inactivity_cursors SET activity_at = ?, conversation_id = ?, updated_at = ? WHERE cadence_id = ?',
			[Number(last.activity_at), Number(last.id), now, cadenceId],
		);
		const counted = new Set<string>(rule.statuses);
		const matching = rows.filter((r) => counted.has(r.status));
		const claimed = await claimConversations(
			db,
			cadenceId,
			matching.map((r) => Number(r.id)),
			now,
		);
		const chosen = matching.filter((r) => claimed.has(Number(r.id)));
		if (chosen.length === 0)
			return { enrolled: [], scanned: rows.length, more: rows.length === request.limit };
		const inputs = chosen.map((r) =>
			enrollInputSchema.parse({
				cadence: cadenceId,
				contactKey: r.contact_key,
				conversationKey: r.conversation_key,
			}),
		);
		const results = await enrollWithin(ctx, db, inputs, scope, now);
		for (const [index, row] of chosen.entries()) {
			const enrollment = results[index].enrollment;
			if (enrollment) {
				await db.run(
					'UPDATE inactivity_enrollments SET enrollment_id = ? WHERE cadence_id = ? AND conversation_id = ?',
					[enrollment.id, cadenceId, Number(row.id)],
				);
			}
		}
		return {
			enrolled: chosen.map((r, index) => ({
				contactKey: r.contact_key,
				conversationKey: r.conversation_key,
				idleSince: Number(r.activity_at),
				result: results[index],
			})),
			scanned: rows.length,
			more: rows.length === request.limit,
		};
	});
}

/**
 * The cadence's cursor, created at the start on first use, held until the transaction ends. A
 * cursor that scanned for fewer statuses than the cadence counts now starts over: the
 * conversations it passed in a newly counted status are idle candidates it never considered.
 */
async function lockCursor(
	ctx: StoreContext,
	db: SqlExecutor,
	cadenceId: number,
	statuses: readonly string[],
	now: number,
): Promise<{ activityAt: number; conversationId: number }> {
	const counted = JSON.stringify([...statuses].sort());
	await db.run(
		`INSERT INTO inactivity_cursors (cadence_id, activity_at, conversation_id, updated_at, statuses)
		VALUES (?, -1, 0, ?, ?) ON CONFLICT (cadence_id) DO NOTHING`,
		[cadenceId, now, counted],
	);
	const [row] = await db.all<{
		activity_at: number;
		conversation_id: number;
		statuses: string | null;
	}>(
		`SELECT activity_at, conversation_id, statuses FROM inactivity_cursors WHERE cadence_id = ?${ctx.driver.dialect.lockRow}`,
		[cadenceId],
	);
	if (row.statuses === counted) {
		return { activityAt: Number(row.activity_at), conversationId: Number(row.conversation_id) };
	}
	const scanned = new Set(row.statuses === null ? [] : (JSON.parse(row.statuses) as string[]));
	const start = statuses.some((status) => !scanned.has(status));
	await db.run(
		`UPDATE inactivity_cursors SET statuses = ?${start ? ', activity_at = -1, conversation_id = 0' : ''}
		WHERE cadence_id = ?`,
		[counted, cadenceId],
	);
	return start
		? { activityAt: -1, conversationId: 0 }
		: { activityAt: Number(row.activity_at), conversationId: Number(row.conversation_id) };
}

/** Inserts the once-per-cadence rows; returns the conversations this call won. */
async function claimConversations(
	db: SqlExecutor,
	cadenceId: number,
	conversationIds: number[],
	now: number,
): Promise<Set<number>> {
	if (conversationIds.length === 0) return new Set();
	const rows = await db.all<{ conversation_id: number }>(
		`INSERT INTO inactivity_enrollments (cadence_id, conversation_id, at)
		VALUES ${valuesList(conversationIds.length, 3)}
		ON CONFLICT (cadence_id, conversation_id) DO NOTHING RETURNING conversation_id`,
		conversationIds.flatMap((id) => [cadenceId, id, now]),
	);
	return new Set(rows.map((r) => Number(r.conversation_id)));
}
