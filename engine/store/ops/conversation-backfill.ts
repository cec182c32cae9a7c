import { channelOf } from '../../domain/channels';
import type { SqlExecutor } from '../sql/driver';
import { chunk, valuesList } from './context';

/**
 * Migration 10's part that SQL alone cannot do: the channel names messages were recorded with
 * ("WhatsApp", "whatsapp cloud") are read as one channel by `channelOf`, so the per-channel times
 * and each conversation's channel are built here from the messages already stored.
 */
export async function backfillConversationChannels(db: SqlExecutor): Promise<void> {
	const rows = await db.all<{
		contact_key: string;
		conversation_key: string;
		channel: string;
		direction: string;
		at: number;
	}>(
		`SELECT contact_key, conversation_key, channel, direction, MAX(at) AS at FROM messages
		WHERE channel IS NOT NULL GROUP BY contact_key, conversation_key, channel, direction`,
	);
	type Times = { contactKey: string; conversationKey: string; channel: string } & {
		inbound: number | null;
		outbound: number | null;
	};
	const byKey = new Map<string, Times>();
	for (const row of rows) {
		const channel = channelOf(row.channel);
		if (!channel) continue;
		const key = JSON.stringify([row.contact_key, row.conversation_key, channel]);
		const times = byKey.get(key) ?? {
			contactKey: row.contact_key,
			conversationKey: row.conversation_key,
			channel,
			inbound: null,
			outbound: null,
		};
		const at = Number(row.at);
		if (row.direction === 'inbound') times.inbound = Math.max(times.inbound ?? at, at);
		else times.outbound = Math.max(times.outbound ?? at, at);
		byKey.set(key, times);
	}
	const all = [...byKey.values()];
	for (const part of chunk(all, 500)) {
		await db.run(
			`INSERT INTO conversation_channels (contact_key, conversation_key, channel, last_inbound_at,
				last_outbound_at) VALUES ${valuesList(part.length, 5)}`,
			part.flatMap((t) => [t.contactKey, t.conversationKey, t.channel, t.inbound, t.outbound]),
		);
	}
	// A conversation's channel is where the contact last wrote in it (what Automatic used to read).
	const latest = new Map<string, Times>();
	for (const t of all) {
		const key = JSON.stringify([t.contactKey, t.conversationKey]);
		const best = latest.get(key);
		const rank = (x: Times) => x.inbound ?? -1;
		if (!best || rank(t) > rank(best)) latest.set(key, t);
	}
	for (const t of latest.values()) {
		await db.run(
			'UPDATE conversations SET channel = ? WHERE contact_key = ? AND conversation_key = ?',
			[t.channel, t.contactKey, t.conversationKey],
		);
	}
}
