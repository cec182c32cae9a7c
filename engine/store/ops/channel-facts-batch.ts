import type { ChannelActivity } from '../../domain/channel';
import type { Identity } from '../../domain/channels';
import type { SqlDriver } from '../sql/driver';
import type { StoredChannelFacts } from './channel-facts';
import { chunk, placeholders } from './context';

/**
 * The stored channel facts of many conversations in three reads, one per table, whatever their
 * number: what `channelFacts` reads for one conversation (its channel, its per-channel times, the
 * contact's identities), keyed the same way. The reads go by contact key (the leading column of
 * each table's key) and are cut to the parameter limit.
 */
export async function storedFactsOf(
	db: SqlDriver,
	refs: ReadonlyArray<{ contactKey: string; conversationKey: string }>,
): Promise<(contactKey: string, conversationKey: string) => StoredChannelFacts> {
	const contacts = [...new Set(refs.map((r) => r.contactKey))];
	const key = (contactKey: string, conversationKey: string) =>
		JSON.stringify([contactKey, conversationKey]);
	const channelOf = new Map<string, string | null>();
	const activity = new Map<string, ChannelActivity[]>();
	const identities = new Map<string, Identity[]>();
	const time = (v: unknown) => (v === null || v === undefined ? null : Number(v));
	for (const part of chunk(contacts, db.dialect.maxParams - 10)) {
		const list = placeholders(part.length);
		// Side by side: on Postgres each read takes a connection of its own.
		const [conversations, channels, known] = await Promise.all([
			db.all<Record<string, unknown>>(
				`SELECT contact_key, conversation_key, channel FROM conversations
				WHERE contact_key IN (${list})`,
				part,
			),
			// Ordered by channel within each conversation, as the one-conversation read is.
			db.all<Record<string, unknown>>(
				`SELECT contact_key, conversation_key, channel, last_inbound_at, last_outbound_at
				FROM conversation_channels WHERE contact_key IN (${list})
				ORDER BY contact_key, conversation_key, channel`,
				part,
			),
			// Oldest first within each kind, as identitiesOf reads them.
			db.all<{ contact_key: string; kind: Identity['kind']; value: string }>(
				`SELECT contact_key, kind, value FROM contact_identities WHERE contact_key IN (${list})
				ORDER BY contact_key, kind, created_at, value`,
				part,
			),
		]);
		for (const row of conversations) {
			const channel = row.channel === null ? null : String(row.channel);
			channelOf.set(key(String(row.contact_key), String(row.conversation_key)), channel);
		}
		for (const row of channels) {
			const k = key(String(row.contact_key), String(row.conversation_key));
			const list = activity.get(k) ?? [];
			list.push({
				channel: String(row.channel),
				lastInboundAt: time(row.last_inbound_at),
				lastOutboundAt: time(row.last_outbound_at),
			});
			activity.set(k, list);
		}
		for (const row of known) {
			const contact = String(row.contact_key);
			const list = identities.get(contact) ?? [];
			list.push({ kind: row.kind, value: row.value });
			identities.set(contact, list);
		}
	}
	return (contactKey, conversationKey) => {
		const k = key(contactKey, conversationKey);
		// A conversation's per-channel times count only while the conversation itself exists.
		const exists = channelOf.has(k);
		return {
			conversationChannel: channelOf.get(k) ?? null,
			activity: exists ? (activity.get(k) ?? []) : [],
			identities: identities.get(contactKey) ?? [],
		};
	};
}
