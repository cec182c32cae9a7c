import { channelOf, type ConversationStatus, type Identity } from '../../domain/channels';
import type { ChannelActivity } from '../../domain/channel';
import { parseOrThrow } from '../../validation';
import {
	conversationRefSchema,
	conversationUpdateSchema,
	identitiesInputSchema,
	type ConversationRef,
	type ConversationUpdate,
	type IdentitiesInput,
} from '../channel-inputs';
import type { SqlExecutor } from '../sql/driver';
import type { StoreContext } from './context';
import { chunk, valuesList } from './context';
import { resolveConversation } from './signals';

/**
 * A contact's identities and conversations: where they can be reached, which channel each
 * conversation is on, its status (open, pending, resolved) and when they last wrote and were
 * written to on each channel. Record Reply, Mark Sent and the agent's messages keep the times;
 * Enroll In Cadence and Record Reply pass identities; the channel decision reads all of it.
 */

export interface ConversationState {
	contactKey: string;
	conversationKey: string;
	/** The conversation's channel; null until a message with a channel or an update names one. */
	channel: string | null;
	status: ConversationStatus;
	lastInboundAt: number | null;
	lastOutboundAt: number | null;
	/** The latest message or status change: inactivity counts from here. */
	activityAt: number;
	/** Who handles the conversation (Record Reply / Conversation Status → Assigned To); null if unset. */
	assignee: string | null;
	channels: ChannelActivity[];
}

/** Keeps identities; one already known is only touched. */
export async function saveIdentities(
	db: SqlExecutor,
	contactKey: string,
	identities: readonly Identity[],
	at: number,
): Promise<void> {
	await saveIdentitiesOf(db, [{ contactKey, identities }], at);
}

/**
 * The same for many contacts (a batch of enrollments): one upsert per 200 identities instead of
 * one per contact. Each identity is written once, where it first appears, as one call per
 * contact in turn would have left it.
 */
export async function saveIdentitiesOf(
	db: SqlExecutor,
	owners: ReadonlyArray<{ contactKey: string; identities: readonly Identity[] }>,
	at: number,
): Promise<void> {
	const unique = new Map<string, { contactKey: string; identity: Identity }>();
	for (const { contactKey, identities } of owners) {
		for (const identity of identities)
			unique.set(JSON.stringify([contactKey, identity.kind, identity.value]), {
				contactKey,
				identity,
			});
	}
	for (const part of chunk([...unique.values()], 200)) {
		await db.run(
			`INSERT INTO contact_identities (contact_key, kind, value, created_at, updated_at)
			VALUES ${valuesList(part.length, 5)}
			ON CONFLICT (contact_key, kind, value) DO UPDATE SET updated_at = excluded.updated_at`,
			part.flatMap(({ contactKey, identity }) => [
				contactKey,
				identity.kind,
				identity.value,
				at,
				at,
			]),
		);
	}
}

export async function recordIdentities(
	ctx: StoreContext,
	input: IdentitiesInput,
): Promise<Identity[]> {
	const request = parseOrThrow(identitiesInputSchema, input, 'identities');
	const at = ctx.now();
	return ctx.driver.transaction(async (db) => {
		await saveIdentities(db, request.contactKey, request.identities, at);
		return identitiesOf(db, request.contactKey);
	});
}

/** A contact's identities, oldest first within each kind (the first one given is used first). */
export async function identitiesOf(db: SqlExecutor, contactKey: string): Promise<Identity[]> {
	const rows = await db.all<{ kind: Identity['kind']; value: string }>(
		`SELECT kind, value FROM contact_identities WHERE contact_key = ?
		ORDER BY kind, created_at, value`,
		[contactKey],
	);
	return rows.map((r) => ({ kind: r.kind, value: r.value }));
}

/** The contacts known by this identity (a webhook that only carries a phone number). */
export async function contactsByIdentity(ctx: StoreContext, identity: Identity): Promise<string[]> {
	const rows = await ctx.driver.all<{ contact_key: string }>(
		'SELECT contact_key FROM contact_identities WHERE kind = ? AND value = ? ORDER BY contact_key',
		[identity.kind, identity.value],
	);
	return rows.map((r) => r.contact_key);
}

export interface ConversationMessageNote {
	contactKey: string;
	conversationKey: string;
	channel: string | null;
	direction: 'inbound' | 'outbound';
	at: number;
}

/**
 * Notes a message in a conversation: creates the conversation (open) on its first message, keeps
 * the latest inbound / outbound and activity times and the per-channel times, and gives the
 * conversation the message's channel if it had none. A message from the contact reopens a
 * resolved conversation (as help desks do), so its idle time counts again.
 */
export async function touchConversation(
	db: SqlExecutor,
	message: ConversationMessageNote,
): Promise<void> {
	await touchConversations(db, [message]);
}

interface Times {
	contactKey: string;
	conversationKey: string;
	channel: string | null;
	inbound: number | null;
	outbound: number | null;
	at: number;
}

const later = (column: string, table: string) =>
	`${column} = CASE WHEN ${table}.${column} IS NULL OR ${table}.${column} < excluded.${column}
	THEN excluded.${column} ELSE ${table}.${column} END`;

/**
 * The same for many messages (Mark Sent for a whole execution): one upsert per table for every
 * conversation they touch, whatever their number. Messages of one conversation (and channel) are
 * folded first, since one statement may not change a row twice.
 */
export async function touchConversations(
	db: SqlExecutor,
	messages: readonly ConversationMessageNote[],
): Promise<void> {
	const conversations = new Map<string, Times>();
	const channels = new Map<string, Times>();
	for (const m of messages) {
		const channel = channelOf(m.channel);
		const inbound = m.direction === 'inbound' ? m.at : null;
		const outbound = m.direction === 'outbound' ? m.at : null;
		fold(conversations, JSON.stringify([m.contactKey, m.conversationKey]), {
			...m,
			channel,
			inbound,
			outbound,
		});
		if (channel !== null) {
			fold(channels, JSON.stringify([m.contactKey, m.conversationKey, channel]), {
				...m,
				channel,
				inbound,
				outbound,
			});
		}
	}
	// In key order, so concurrent calls lock shared rows in the same order (no deadlock).
	const byKey = (m: Map<string, Times>) =>
		[...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
	for (const part of chunk(byKey(conversations), 500)) {
		await db.run(
			`INSERT INTO conversations (contact_key, conversation_key, channel, status, last_inbound_at,
				last_outbound_at, activity_at, created_at, updated_at)
			VALUES ${part.map(() => "(?, ?, ?, 'open', ?, ?, ?, ?, ?)").join(', ')}
			ON CONFLICT (contact_key, conversation_key) DO UPDATE SET
				channel = COALESCE(conversations.channel, excluded.channel),
				status = CASE WHEN excluded.last_inbound_at IS NOT NULL AND conversations.status = 'resolved'
					THEN 'open' ELSE conversations.status END,
				${later('last_inbound_at', 'conversations')},
				${later('last_outbound_at', 'conversations')},
				${later('activity_at', 'conversations')},
				updated_at = excluded.updated_at`,
			part.flatMap((t) => [
				t.contactKey,
				t.conversationKey,
				t.channel,
				t.inbound,
				t.outbound,
				t.at,
				t.at,
				t.at,
			]),
		);
	}
	for (const part of chunk(byKey(channels), 500)) {
		await db.run(
			`INSERT INTO conversation_channels (contact_key, conversation_key, channel, last_inbound_at,
				last_outbound_at) VALUES ${valuesList(part.length, 5)}
			ON CONFLICT (contact_key, conversation_key, channel) DO UPDATE SET
				${later('last_inbound_at', 'conversation_channels')},
				${later('last_outbound_at', 'conversation_channels')}`,
			part.flatMap((t) => [t.contactKey, t.conversationKey, t.channel, t.inbound, t.outbound]),
		);
	}
}

/** Keeps the latest of each time; the conversation's channel is its latest message's that has one. */
function fold(into: Map<string, Times>, key: string, next: Times): void {
	const had = into.get(key);
	if (!had) {
		into.set(key, next);
		return;
	}
	const max = (a: number | null, b: number | null) =>
		a === null ? b : b === null ? a : Math.max(a, b);
	into.set(key, {
		...had,
		channel:
			next.channel !== null && next.at >= had.at ? next.channel : (had.channel ?? next.channel),
		inbound: max(had.inbound, next.inbound),
		outbound: max(had.outbound, next.outbound),
		at: Math.max(had.at, next.at),
	});
}

/**
 * Sets a conversation's status, channel and/or assignee (Record Reply, the Cadence node). A
 * status change counts as activity; naming the assignee of an existing conversation does not.
 * Resolving applies the exit-on-resolution rule to its enrollments.
 */
export async function updateConversation(
	ctx: StoreContext,
	input: ConversationUpdate,
): Promise<{ conversation: ConversationState; exited: number[] }> {
	const update = parseOrThrow(conversationUpdateSchema, input, 'conversation');
	const at = ctx.now(update.at);
	return ctx.driver.transaction(async (db) => {
		const exited =
			update.status === 'resolved'
				? await resolveConversation(ctx, db, update.contactKey, update.conversationKey, at)
				: [];
		// The conversation row after the enrollments, the order every writer keeps (no lock cycles).
		await setConversation(db, { ...update, channel: channelOf(update.channel) }, at);
		const conversation = await conversationState(db, update.contactKey, update.conversationKey);
		return { conversation: conversation!, exited };
	});
}

export async function setConversation(
	db: SqlExecutor,
	update: {
		contactKey: string;
		conversationKey: string;
		channel?: string | null;
		status?: ConversationStatus;
		assignee?: string;
	},
	at: number,
): Promise<void> {
	const status = update.status ?? null;
	const channel = update.channel ?? null;
	const assignee = update.assignee ?? null;
	await db.run(
		`INSERT INTO conversations (contact_key, conversation_key, channel, status, assignee,
			activity_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (contact_key, conversation_key) DO UPDATE SET
			channel = COALESCE(?, conversations.channel),
			assignee = COALESCE(?, conversations.assignee),
			activity_at = CASE WHEN CAST(? AS TEXT) <> conversations.status
				AND conversations.activity_at < excluded.activity_at
				THEN excluded.activity_at ELSE conversations.activity_at END,
			status = COALESCE(?, conversations.status),
			updated_at = excluded.updated_at`,
		[
			update.contactKey,
			update.conversationKey,
			channel,
			status ?? 'open',
			assignee,
			at,
			at,
			at,
			channel,
			assignee,
			status,
			status,
		],
	);
}

export async function getConversationState(
	ctx: StoreContext,
	input: ConversationRef,
): Promise<ConversationState | null> {
	const ref = parseOrThrow(conversationRefSchema, input, 'conversation');
	return conversationState(ctx.driver, ref.contactKey, ref.conversationKey);
}

export async function conversationState(
	db: SqlExecutor,
	contactKey: string,
	conversationKey: string,
): Promise<ConversationState | null> {
	const rows = await db.all<Record<string, unknown>>(
		'SELECT * FROM conversations WHERE contact_key = ? AND conversation_key = ?',
		[contactKey, conversationKey],
	);
	if (rows.length === 0) return null;
	const [row] = rows;
	const channels = await db.all<Record<string, unknown>>(
		`SELECT channel, last_inbound_at, last_outbound_at FROM conversation_channels
		WHERE contact_key = ? AND conversation_key = ? ORDER BY channel`,
		[contactKey, conversationKey],
	);
	const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
	return {
		contactKey,
		conversationKey,
		channel: row.channel === null ? null : String(row.channel),
		status: String(row.status) as ConversationStatus,
		lastInboundAt: time(row.last_inbound_at),
		lastOutboundAt: time(row.last_outbound_at),
		activityAt: Number(row.activity_at),
		assignee: row.assignee === null || row.assignee === undefined ? null : String(row.assignee),
		channels: channels.map((c) => ({
			channel: String(c.channel),
			lastInboundAt: time(c.last_inbound_at),
			lastOutboundAt: time(c.last_outbound_at),
		})),
	};
}
