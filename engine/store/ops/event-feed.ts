import { z } from 'zod/v4';
import { parseOrThrow } from '../../validation';
import type { Dialect, SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment, TimelineEvent } from '../types';
import { placeholders, type StoreContext } from './context';
import { ENROLLMENT_COLUMNS, idempotencyKey, toEnrollment, toEvent } from './rows';
import { TIMELINE_IDS } from '../schema/migrations';

/**
 * The timeline as a feed: every event after a cursor, oldest first, with the enrollment it is
 * about. The Follow-up Trigger reads it on each tick to emit "replied", "exited", "completed" and
 * "draft pending" events; anything that wants to follow the timeline can do the same.
 */

export const eventFeedInputSchema = z.object({
	/** Only events of this cadence's enrollments (name or id); all cadences when left out. */
	cadence: z
		.union([z.string().trim().min(1).max(120), z.number().int().positive()], {
			message: 'give the cadence name (as in its Follow-up Trigger) or its id',
		})
		.optional(),
	/** The cursor: 0 for the whole timeline, else the `cursor` the previous page returned. */
	afterId: z
		.number({ message: 'give the cursor as a number: 0, or the cursor the last page returned' })
		.int('give the cursor as a whole number')
		.min(0, 'the cursor cannot be negative'),
	/** Only these event types (e.g. replied, exited); every type when left out. */
	types: z
		.array(z.string().trim().min(1).max(50))
		.min(1, 'name at least one event type, or leave the types out for all of them')
		.max(50)
		.optional(),
	limit: z.number().int().min(1).max(1000, 'read at most 1,000 events at once').default(100),
});
export type EventFeedInput = z.input<typeof eventFeedInputSchema>;

export interface FeedEvent {
	event: TimelineEvent;
	/** The enrollment as it is now, which may have moved on since the event. */
	enrollment: Enrollment;
	/** The step run the event is about (0-based step index), when it is about one. */
	step: { index: number; cycle: number; idempotencyKey: string } | null;
	/** Who handles the enrollment's conversation now (its assignee), or null: a draft's reviewer. */
	conversationAssignee: string | null;
}

export interface EventPage {
	events: FeedEvent[];
	/**
	 * Pass as `afterId` next time. It moves past events the filters left out as well, so a quiet
	 * cadence does not rescan a busy store's timeline on every read.
	 */
	cursor: number;
}

/**
 * Event ids come from a sequence, but on Postgres transactions commit in any order: an event
 * with id 100 can become visible after id 101 has been read, and a reader whose cursor already
 * passed 101 would never see it. Taking a SHARE lock first waits for every transaction that is
 * inserting events to finish (and holds new inserts back for the milliseconds the read takes), so
 * every id up to MAX(id) is final when it is read. On Postgres `events` is a view (schema
 * version 13), and locking it locks what it reads: the event log and the step runs, whose first
 * claims are timeline entries numbered from the same sequence. Writers queue behind a waiting
 * lock request, so the wait is capped: if a long transaction keeps the table busy, the read gives up after a
 * second and reports nothing new, and the next read tries again from the same cursor.
 * SQLite has one writer at a time, so its ids always commit in order and a plain read is enough.
 */
interface Barrier {
	statements: string[];
	/** The error code of a lock wait that timed out. */
	busyCode: string;
}

const SETTLE_EVENTS: Record<Dialect['name'], Barrier | null> = {
	sqlite: null,
	postgres: {
		statements: ["SET LOCAL lock_timeout = '1s'", 'LOCK TABLE events IN SHARE MODE'],
		busyCode: '55P03',
	},
};

/** Runs `read` once every event id up to MAX(id) is final; null if writers kept it too busy. */
async function settled<T>(
	ctx: StoreContext,
	read: (db: SqlExecutor) => Promise<T>,
): Promise<T | null> {
	const barrier = SETTLE_EVENTS[ctx.driver.dialect.name];
	if (barrier === null) return read(ctx.driver);
	try {
		return await ctx.driver.transaction(async (db) => {
			for (const statement of barrier.statements) await db.run(statement);
			return read(db);
		});
	} catch (error) {
		if (codeOf(error) === barrier.busyCode) return null;
		throw error;
	}
}

function codeOf(error: unknown): unknown {
	const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
	return code ?? cause?.code;
}

/**
 * The newest id: on Postgres the last one drawn from the sequence that numbers events and step
 * runs (see schema version 13), which the barrier above has made final; it costs nothing however
 * the `events` view is made up. SQLite has the events table itself.
 */
const NEWEST_ID: Record<Dialect['name'], string> = {
	sqlite: 'SELECT MAX(id) AS id FROM events',
	postgres: `SELECT CASE WHEN is_called THEN last_value END AS id FROM ${TIMELINE_IDS}`,
};

async function maxEventId(db: SqlExecutor, dialect: Dialect): Promise<number> {
	const [row] = await db.all<{ id: unknown }>(NEWEST_ID[dialect.name]);
	return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
}

/** The newest event id now: a cursor from which only events that happen later are read. */
export async function lastEventId(ctx: StoreContext): Promise<number> {
	// Too busy to settle: an event still being written now happened "before" anyway.
	const { dialect } = ctx.driver;
	return (await settled(ctx, (db) => maxEventId(db, dialect))) ?? maxEventId(ctx.driver, dialect);
}

/** Up to `limit` events after `afterId`, in id order, with their enrollments. */
export async function eventsAfter(ctx: StoreContext, input: EventFeedInput): Promise<EventPage> {
	const query = parseOrThrow(eventFeedInputSchema, input, 'event feed query');
	const page = await settled(ctx, async (db): Promise<EventPage> => {
		const upTo = await maxEventId(db, ctx.driver.dialect);
		const conditions = ['ev.id > ?', 'ev.id <= ?'];
		const params: SqlValue[] = [query.afterId, upTo];
		if (query.cadence !== undefined) {
			conditions.push('e.cadence_id = ?');
			params.push(await ctx.cadenceId(db, query.cadence));
		}
		if (query.types) {
			conditions.push(`ev.type IN (${placeholders(query.types.length)})`);
			params.push(...query.types);
		}
		// Event columns are renamed so that `e.*` keeps the names toEnrollment reads.
		const rows = await db.all(
			`SELECT ev.id AS ev_id, ev.enrollment_id AS ev_enrollment_id,
				ev.step_run_id AS ev_step_run_id, ev.type AS ev_type, ev.at AS ev_at, ev.detail AS ev_detail,
				r.step_index AS run_step_index, r.cycle AS run_cycle, cv.assignee AS conversation_assignee,
				${ENROLLMENT_COLUMNS}
			FROM events ev
			JOIN enrollments e ON e.id = ev.enrollment_id
			JOIN cadences c ON c.id = e.cadence_id
			LEFT JOIN step_runs r ON r.id = ev.step_run_id
			LEFT JOIN conversations cv ON cv.contact_key = e.contact_key
				AND cv.conversation_key = e.conversation_key
			WHERE ${conditions.join(' AND ')}
			ORDER BY ev.id LIMIT ?`,
			[...params, query.limit],
		);
		const events = rows.map((row): FeedEvent => {
			const event = toEvent({
				id: row.ev_id,
				enrollment_id: row.ev_enrollment_id,
				step_run_id: row.ev_step_run_id,
				type: row.ev_type,
				at: row.ev_at,
				detail: row.ev_detail,
			});
			const hasRun = row.run_step_index !== null && row.run_step_index !== undefined;
			const index = Number(row.run_step_index);
			const cycle = Number(row.run_cycle);
			return {
				event,
				enrollment: toEnrollment(row),
				step: hasRun
					? { index, cycle, idempotencyKey: idempotencyKey(event.enrollmentId, index, cycle) }
					: null,
				conversationAssignee:
					row.conversation_assignee === null || row.conversation_assignee === undefined
						? null
						: String(row.conversation_assignee),
			};
		});
		// A full page may have more behind it; otherwise everything up to `upTo` has been looked at.
		const cursor =
			events.length === query.limit
				? events[events.length - 1].event.id
				: Math.max(query.afterId, upTo);
		return { events, cursor };
	});
	return page ?? { events: [], cursor: query.afterId };
}
