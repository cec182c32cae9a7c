import { CadenceValidationError } from '../../errors';
import type { Dialect, SqlExecutor, SqlValue } from '../sql/driver';
import { chunk, placeholders } from './context';
import { updateFromValues, type ValuesColumn } from './values-table';

/** The id a channel gave one send (Mark Sent → Channel Message ID). */
export interface ChannelMessage {
	stepRunId: number;
	channelMessageId: string;
	channel: string | null;
	at: number;
}

const STEP_RUN_COLUMNS: ValuesColumn[] = [
	{ name: 'id', type: 'int' },
	{ name: 'channel_message_id', type: 'text' },
	{ name: 'channel', type: 'text', assign: 'COALESCE($, channel)' },
];

/**
 * Stores the ids sends returned, on their step runs and as delivery records of their own (which
 * delivery reports are matched by, delivery.ts), one statement per table for all of them. The
 * ids are distinct (Mark Sent refuses an id given to two sends before it gets here); an id that
 * already belongs to the same step run (a repeated confirmation) changes nothing. One that a
 * concurrent call gave another step run since fails the call, which then writes nothing.
 */
export async function recordChannelMessages(
	db: SqlExecutor,
	dialect: Dialect,
	messages: readonly ChannelMessage[],
): Promise<void> {
	if (messages.length === 0) return;
	const inserted = new Set<string>();
	for (const part of chunk(messages, Math.floor(dialect.maxParams / 5))) {
		const rows = await db.all<{ channel_message_id: string }>(
			`INSERT INTO channel_messages (channel_message_id, step_run_id, channel, status, sent_at, updated_at)
			VALUES ${part.map(() => "(?, ?, ?, 'sent', ?, ?)").join(', ')}
			ON CONFLICT (channel_message_id) DO NOTHING
			RETURNING channel_message_id`,
			part.flatMap((m): SqlValue[] => [m.channelMessageId, m.stepRunId, m.channel, m.at, m.at]),
		);
		for (const row of rows) inserted.add(String(row.channel_message_id));
	}
	const existing = messages.filter((m) => !inserted.has(m.channelMessageId));
	for (const part of chunk(existing, dialect.maxParams)) {
		const owners = await db.all<{ channel_message_id: string; step_run_id: unknown }>(
			`SELECT channel_message_id, step_run_id FROM channel_messages
			WHERE channel_message_id IN (${placeholders(part.length)})`,
			part.map((m) => m.channelMessageId),
		);
		const ownerOf = new Map(owners.map((o) => [o.channel_message_id, Number(o.step_run_id)]));
		for (const m of part) {
			const owner = ownerOf.get(m.channelMessageId);
			if (owner === m.stepRunId) continue;
			throw new CadenceValidationError('sent step', [
				{
					field: 'channelMessageId',
					message: `the channel message id ${JSON.stringify(m.channelMessageId)} already belongs to step run ${owner}; pass the id the channel returned for this send`,
				},
			]);
		}
	}
	await updateFromValues(
		db,
		dialect,
		'step_runs',
		STEP_RUN_COLUMNS,
		messages
			.filter((m) => inserted.has(m.channelMessageId))
			.map((m) => [m.stepRunId, m.channelMessageId, m.channel]),
	);
}
