import { backfillConversationChannels } from '../ops/conversation-backfill';
import { createStoreInfo } from '../ops/store-info';
import { fillCadenceSearchNames } from '../ops/search';
import type { Dialect, SqlExecutor } from '../sql/driver';

/**
 * Numbered migrations, embedded in code so nothing is read from disk at run time (n8n installs
 * community packages as plain files and may run several processes from one install).
 * Append only: never edit a migration that has shipped; add the next number instead.
 */
export interface Migration {
	version: number;
	name: string;
	statements(d: Dialect): string[];
	/** Work SQL alone cannot do (ids, text folded in JavaScript), run after the statements. */
	after?(db: SqlExecutor, now: number): Promise<void>;
}

export const MIGRATIONS: Migration[] = [
	{
		version: 1,
		name: 'cadences, enrollments, step runs, events, messages, suppressions, goals',
		statements: (d) => [
			`CREATE TABLE cadences (
				id ${d.idColumn},
				name TEXT NOT NULL UNIQUE,
				latest_version INTEGER NOT NULL,
				active SMALLINT NOT NULL,
				created_at ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL
			)`,
			`CREATE TABLE cadence_versions (
				cadence_id ${d.bigint} NOT NULL REFERENCES cadences (id),
				version INTEGER NOT NULL,
				content_hash TEXT NOT NULL,
				definition TEXT NOT NULL,
				published_at ${d.bigint} NOT NULL,
				PRIMARY KEY (cadence_id, version)
			)`,
			// next_due_at is set only while the next step waits to be claimed: the claim index
			// then holds exactly the claimable enrollments, however many have finished.
			`CREATE TABLE enrollments (
				id ${d.idColumn},
				cadence_id ${d.bigint} NOT NULL REFERENCES cadences (id),
				version INTEGER NOT NULL,
				contact_key TEXT NOT NULL,
				conversation_key TEXT NOT NULL,
				contact_name TEXT NOT NULL,
				agent TEXT NOT NULL,
				target_type TEXT,
				target_id TEXT,
				variables TEXT NOT NULL,
				time_zone TEXT,
				state TEXT NOT NULL,
				exit_reason TEXT,
				cycle INTEGER NOT NULL,
				next_step INTEGER NOT NULL,
				next_due_at ${d.bigint},
				next_reason TEXT,
				held_due_at ${d.bigint},
				paused_until ${d.bigint},
				anchor_at ${d.bigint} NOT NULL,
				claimed_at ${d.bigint},
				claimed_due_at ${d.bigint},
				last_sent_at ${d.bigint},
				last_inbound_at ${d.bigint},
				created_at ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL,
				ended_at ${d.bigint}
			)`,
			`CREATE UNIQUE INDEX enrollments_one_running
				ON enrollments (cadence_id, contact_key, conversation_key)
				WHERE state IN ('active', 'paused')`,
			`CREATE INDEX enrollments_due ON enrollments (cadence_id, next_due_at)
				WHERE next_due_at IS NOT NULL`,
			`CREATE INDEX enrollments_contact ON enrollments (contact_key)`,
			`CREATE TABLE step_runs (
				id ${d.idColumn},
				enrollment_id ${d.bigint} NOT NULL REFERENCES enrollments (id),
				cadence_id ${d.bigint} NOT NULL,
				step_index INTEGER NOT NULL,
				cycle INTEGER NOT NULL,
				status TEXT NOT NULL,
				due_at ${d.bigint} NOT NULL,
				claimed_at ${d.bigint} NOT NULL,
				claims INTEGER NOT NULL,
				stuck_at ${d.bigint},
				sent_at ${d.bigint},
				delivered_at ${d.bigint},
				read_at ${d.bigint},
				replied_at ${d.bigint},
				ended_at ${d.bigint},
				compose_mode TEXT NOT NULL,
				text TEXT,
				model TEXT,
				prompt_tokens INTEGER,
				completion_tokens INTEGER,
				degraded SMALLINT NOT NULL DEFAULT 0,
				approval TEXT,
				decided_by TEXT,
				detail TEXT,
				updated_at ${d.bigint} NOT NULL,
				UNIQUE (enrollment_id, step_index, cycle)
			)`,
			`CREATE INDEX step_runs_in_flight ON step_runs (cadence_id, claimed_at)
				WHERE status IN ('pending', 'scheduled')`,
			`CREATE INDEX step_runs_sent ON step_runs (cadence_id, sent_at) WHERE sent_at IS NOT NULL`,
			`CREATE TABLE events (
				id ${d.idColumn},
				enrollment_id ${d.bigint} NOT NULL,
				step_run_id ${d.bigint},
				type TEXT NOT NULL,
				at ${d.bigint} NOT NULL,
				detail TEXT
			)`,
			`CREATE INDEX events_enrollment ON events (enrollment_id, id)`,
			`CREATE TABLE messages (
				id ${d.idColumn},
				contact_key TEXT NOT NULL,
				conversation_key TEXT NOT NULL,
				direction TEXT NOT NULL,
				author TEXT NOT NULL,
				text TEXT NOT NULL,
				channel TEXT,
				step_run_id ${d.bigint},
				at ${d.bigint} NOT NULL
			)`,
			`CREATE INDEX messages_conversation ON messages (contact_key, conversation_key, at)`,
			`CREATE TABLE suppressions (
				contact_key TEXT PRIMARY KEY,
				reason TEXT NOT NULL,
				at ${d.bigint} NOT NULL
			)`,
			`CREATE TABLE goals (
				id ${d.idColumn},
				contact_key TEXT,
				target_type TEXT,
				target_id TEXT,
				note TEXT,
				at ${d.bigint} NOT NULL
			)`,
		],
	},
	{
		version: 2,
		name: 'a narrow due queue beside the enrollments',
		// Claiming used to rewrite the whole enrollment row (and its indexes) to take it off the due
		// index. Now a step waiting to be claimed is one narrow row keyed by (cadence, due time,
		// enrollment); a claim deletes it, touching nothing else of the enrollment. On SQLite the
		// table is stored in key order, so a claim's deletions fall on neighbouring pages.
		statements: (d) => [
			`CREATE TABLE due_steps (
				cadence_id ${d.bigint} NOT NULL,
				due_at ${d.bigint} NOT NULL,
				enrollment_id ${d.bigint} NOT NULL,
				PRIMARY KEY (cadence_id, due_at, enrollment_id)
			)${d.clusteredTable}`,
			`INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
				SELECT cadence_id, next_due_at, id FROM enrollments WHERE next_due_at IS NOT NULL`,
			'DROP INDEX enrollments_due',
			// Written only by the old claim; the step run keeps when a step was claimed and for when.
			'ALTER TABLE enrollments DROP COLUMN claimed_at',
			'ALTER TABLE enrollments DROP COLUMN claimed_due_at',
			// Step runs are created only by the claim, from enrollment rows, and enrollments are never
			// deleted: the foreign key's check (a trigger call per claimed step) guarded nothing.
			...(d.dropsConstraints
				? ['ALTER TABLE step_runs DROP CONSTRAINT IF EXISTS step_runs_enrollment_id_fkey']
				: []),
		],
	},
	{
		version: 3,
		name: 'the dashboard: its signing secret and the action tokens already used',
		// The dashboard page signs each action form with a secret kept here, so every n8n process
		// sharing the store (queue mode, multi-main) accepts the others' pages. A token's nonce is
		// written once when its action runs: a replayed form finds it and changes nothing.
		statements: (d) => [
			`CREATE TABLE store_secrets (
				name TEXT PRIMARY KEY,
				value TEXT NOT NULL,
				created_at ${d.bigint} NOT NULL
			)`,
			`CREATE TABLE used_action_tokens (
				nonce TEXT PRIMARY KEY,
				used_at ${d.bigint} NOT NULL,
				expires_at ${d.bigint} NOT NULL
			)`,
			'CREATE INDEX used_action_tokens_expiry ON used_action_tokens (expires_at)',
		],
	},
	{
		version: 4,
		name: 'in-flight steps: hand-off to the send path, approval deadlines, stuck alerts delivered',
		// handed_at: when the step left the cadence nodes for the channel. A step claimed but never
		// handed over cannot have been sent, so it is safe to emit again; one handed over and not
		// confirmed is ambiguous and is reported stuck. Steps in flight during the upgrade are
		// treated as handed over: nothing that may have been sent is ever emitted again.
		// approval_deadline / approval_timeout: Await Approval's time limit and policy, applied by
		// the trigger's check (n8n does not run the waiting node again when its limit passes).
		// stuck_alerted_at: the execution carrying the stuck alert finished; until then the
		// alert is emitted again.
		statements: (d) => [
			`ALTER TABLE step_runs ADD COLUMN handed_at ${d.bigint}`,
			`ALTER TABLE step_runs ADD COLUMN approval_deadline ${d.bigint}`,
			'ALTER TABLE step_runs ADD COLUMN approval_timeout TEXT',
			`ALTER TABLE step_runs ADD COLUMN stuck_alerted_at ${d.bigint}`,
			`UPDATE step_runs SET handed_at = claimed_at WHERE status IN ('pending', 'scheduled')`,
			'UPDATE step_runs SET stuck_alerted_at = stuck_at WHERE stuck_at IS NOT NULL',
			`CREATE INDEX step_runs_awaiting_deadline ON step_runs (cadence_id, approval_deadline)
				WHERE approval = 'awaiting'`,
		],
	},
	{
		version: 5,
		name: 'a cadence belongs to the Follow-up Trigger that publishes it; names may repeat',
		// Two workflows imported from one template (an agency, two clients) hold triggers with the
		// same cadence name; keyed by name they shared steps and queue. A cadence is now keyed by
		// its trigger (workflow id + node id) and the name is for display. Cadences published before
		// have no owner; the first trigger publishing that name adopts them, enrollments and all.
		// SQLite cannot drop a column's UNIQUE, so there the table is rebuilt with the same ids,
		// foreign keys checked at commit (they hold again once the rows are back).
		statements: (d) => [
			...(d.dropsConstraints
				? ['ALTER TABLE cadences DROP CONSTRAINT IF EXISTS cadences_name_key']
				: [
						'PRAGMA defer_foreign_keys = ON',
						'CREATE TEMP TABLE cadences_before_owners AS SELECT * FROM cadences',
						'DROP TABLE cadences',
						`CREATE TABLE cadences (
							id ${d.idColumn},
							name TEXT NOT NULL,
							latest_version INTEGER NOT NULL,
							active SMALLINT NOT NULL,
							created_at ${d.bigint} NOT NULL,
							updated_at ${d.bigint} NOT NULL
						)`,
						`INSERT INTO cadences (id, name, latest_version, active, created_at, updated_at)
							SELECT id, name, latest_version, active, created_at, updated_at
							FROM cadences_before_owners`,
						'DROP TABLE cadences_before_owners',
					]),
			'ALTER TABLE cadences ADD COLUMN workflow_id TEXT',
			'ALTER TABLE cadences ADD COLUMN node_id TEXT',
			'ALTER TABLE cadences ADD COLUMN workflow_name TEXT',
			`CREATE UNIQUE INDEX cadences_owner ON cadences (workflow_id, node_id)
				WHERE workflow_id IS NOT NULL`,
			`CREATE UNIQUE INDEX cadences_unowned_name ON cadences (name) WHERE workflow_id IS NULL`,
			'CREATE INDEX cadences_name ON cadences (name)',
		],
	},
	{
		version: 6,
		name: 'what kind of reply answered a follow-up: a person, an out-of-office, an auto-reply',
		// Only a person's reply moves a send to "replied"; out-of-office notes and auto-replies are
		// kept apart so the funnel and the reply rates count people, not machines. NULL on a
		// replied run written before this means a person (all replies counted as one then).
		statements: () => ['ALTER TABLE step_runs ADD COLUMN reply_kind TEXT'],
	},
	{
		version: 7,
		name: 'the store identity, and a search column folded alike on both databases',
		// store_info holds one random id, so a replaced or re-created SQLite file is noticed.
		// search_text is what Cadence → Get Many's search matches, lower-cased in JavaScript.
		statements: (d) => [
			`CREATE TABLE store_info (id TEXT PRIMARY KEY, created_at ${d.bigint} NOT NULL)`,
			'ALTER TABLE enrollments ADD COLUMN search_text TEXT',
		],
		after: createStoreInfo,
	},
	{
		version: 8,
		name: 'the dashboard list: running enrollments in next-follow-up order, overall and per agent',
		// The dashboard pages through running enrollments sorted by when their next follow-up is
		// due (a paused one by when its held step was due; nothing scheduled last), filtered by agent
		// or not. With these the first page and an agent's page are read from an index instead of
		// sorting every running enrollment. Only running rows are in them. The expression is the
		// one engine/store/ops/dashboard.ts sorts by, character for character.
		statements: () => [
			`CREATE INDEX enrollments_running_next ON enrollments
				((COALESCE(next_due_at, held_due_at, 9007199254740991)), id)
				WHERE state IN ('active', 'paused')`,
			`CREATE INDEX enrollments_running_agent ON enrollments
				(agent, (COALESCE(next_due_at, held_due_at, 9007199254740991)), id)
				WHERE state IN ('active', 'paused')`,
		],
	},
	// Version 9 is reserved for another change being written at the same time; migrations apply
	// by number, whichever ships first, so a store may record 10 before 9.
	{
		version: 10,
		name: 'contact identities, conversations and their channels, channel message ids, inactivity enrollment',
		// contact_identities: where a contact can be reached (kind + normalised value).
		// conversations: one row per contact + conversation key with its channel, status, last
		// inbound/outbound and activity_at — the latest message or status change, the clock
		// inactivity enrollment reads (scanned in (activity_at, id) order from a per-cadence cursor,
		// so a call reads a bounded slice however many conversations are idle for good).
		// conversation_channels: last inbound/outbound per channel (the WhatsApp window, switching).
		// channel_messages: each send's channel message id with its own forward-only delivery
		// status, so a delivery report finds its step, and a report on a failed attempt's id is
		// ignored after the step went out again on another channel.
		// inactivity_enrollments: the unique constraint that enrolls a conversation once per cadence.
		// Existing stores get their conversations from the messages already recorded; one whose
		// enrollment exited as resolved starts resolved, so turning inactivity enrollment on does
		// not message every conversation that was closed before the upgrade.
		statements: (d) => [
			`CREATE TABLE contact_identities (
				contact_key TEXT NOT NULL,
				kind TEXT NOT NULL,
				value TEXT NOT NULL,
				created_at ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL,
				PRIMARY KEY (contact_key, kind, value)
			)`,
			'CREATE INDEX contact_identities_value ON contact_identities (kind, value)',
			`CREATE TABLE conversations (
				id ${d.idColumn},
				contact_key TEXT NOT NULL,
				conversation_key TEXT NOT NULL,
				channel TEXT,
				status TEXT NOT NULL,
				last_inbound_at ${d.bigint},
				last_outbound_at ${d.bigint},
				activity_at ${d.bigint} NOT NULL,
				created_at ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL,
				UNIQUE (contact_key, conversation_key)
			)`,
			'CREATE INDEX conversations_activity ON conversations (activity_at, id)',
			`CREATE TABLE conversation_channels (
				contact_key TEXT NOT NULL,
				conversation_key TEXT NOT NULL,
				channel TEXT NOT NULL,
				last_inbound_at ${d.bigint},
				last_outbound_at ${d.bigint},
				PRIMARY KEY (contact_key, conversation_key, channel)
			)`,
			'ALTER TABLE step_runs ADD COLUMN channel TEXT',
			'ALTER TABLE step_runs ADD COLUMN channel_message_id TEXT',
			'ALTER TABLE step_runs ADD COLUMN failed_channels TEXT',
			`CREATE TABLE channel_messages (
				channel_message_id TEXT PRIMARY KEY,
				step_run_id ${d.bigint} NOT NULL,
				channel TEXT,
				status TEXT NOT NULL,
				detail TEXT,
				sent_at ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL
			)`,
			'CREATE INDEX channel_messages_step_run ON channel_messages (step_run_id)',
			`CREATE TABLE inactivity_enrollments (
				cadence_id ${d.bigint} NOT NULL,
				conversation_id ${d.bigint} NOT NULL,
				enrollment_id ${d.bigint},
				at ${d.bigint} NOT NULL,
				PRIMARY KEY (cadence_id, conversation_id)
			)`,
			`CREATE TABLE inactivity_cursors (
				cadence_id ${d.bigint} PRIMARY KEY,
				activity_at ${d.bigint} NOT NULL,
				conversation_id ${d.bigint} NOT NULL,
				updated_at ${d.bigint} NOT NULL
			)`,
			`INSERT INTO conversations (contact_key, conversation_key, channel, status, last_inbound_at,
				last_outbound_at, activity_at, created_at, updated_at)
			SELECT contact_key, conversation_key, NULL, 'open',
				MAX(CASE WHEN direction = 'inbound' THEN at END),
				MAX(CASE WHEN direction = 'outbound' THEN at END), MAX(at), MIN(at), MAX(at)
			FROM messages GROUP BY contact_key, conversation_key`,
			`UPDATE conversations SET status = 'resolved' WHERE EXISTS (SELECT 1 FROM enrollments e
				WHERE e.contact_key = conversations.contact_key
				AND e.conversation_key = conversations.conversation_key AND e.exit_reason = 'resolved')`,
		],
		after: backfillConversationChannels,
	},
	{
		version: 11,
		name: 'who handles a conversation: its assignee, the reviewer of drafts for that contact',
		// Null until Record Reply or Conversation Status names someone; existing stores upgrade
		// with no assignee, so their draft events keep the reviewer they had.
		statements: () => ['ALTER TABLE conversations ADD COLUMN assignee TEXT'],
	},
	{
		version: 12,
		name: 'enrolling without a per-row check of the cadence',
		// Enrollments are inserted only by enroll, for a cadence it read in the same transaction,
		// and cadences are never deleted: the foreign key's check (a trigger call and a row lock
		// per enrollment, about a tenth of a bulk enroll's time) guarded nothing. Postgres only, as
		// in version 2; SQLite keeps its constraints in the table's definition.
		statements: (d) =>
			d.dropsConstraints
				? ['ALTER TABLE enrollments DROP CONSTRAINT IF EXISTS enrollments_cadence_id_fkey']
				: [],
	},
	{
		version: 13,
		name: 'Postgres: a step run records its first claim, shown on the timeline as "claimed"',
		// A claim wrote a step run and a "claimed" event saying the same thing: one row and two index
		// entries more per claimed step, a fifth of a claim's time. On Postgres the first claim of a
		// step is now read from its step run (when, and the reason it was due), which takes its id
		// from the events' own sequence so that the entry sorts among the events exactly where the
		// event did. The events table becomes event_log, and `events` is a view of both: every
		// reader (the timeline, the feed, its lock) sees the same rows as before, and writers insert
		// into the view as before. A second claim of the same run (after a deferral) still writes
		// an event. Claims made before the upgrade keep their events; their runs show none.
		// SQLite keeps writing every "claimed" event (its claims hold the write lock anyway).
		statements: (d) =>
			d.name !== 'postgres'
				? []
				: [
						// Past every id either table holds, so no step run takes an id already used.
						`SELECT setval(pg_get_serial_sequence('events', 'id'), COALESCE(top, 1), top IS NOT NULL)
						FROM (SELECT GREATEST((SELECT MAX(id) FROM events),
							(SELECT MAX(id) FROM step_runs)) AS top) t`,
						`ALTER TABLE step_runs ADD COLUMN claim_event_at ${d.bigint}`,
						'ALTER TABLE step_runs ADD COLUMN claim_reason TEXT',
						'ALTER TABLE step_runs ALTER COLUMN id DROP IDENTITY',
						`ALTER TABLE step_runs ALTER COLUMN id SET DEFAULT nextval('${TIMELINE_IDS}')`,
						'ALTER TABLE events RENAME TO event_log',
						`CREATE VIEW events AS ${LOGGED_EVENTS} UNION ALL ${claimEvents(d)}`,
						EVENTS_INSERT_RULE,
					],
	},
	{
		version: 14,
		name: 'the statuses an inactivity cursor scanned for, so adding one scans again from the start',
		// The cursor passes conversations whose status was not counted then; when the Follow-up
		// Trigger's Idle Statuses gains a status, those must be read again. NULL (a cursor from
		// before): not known, so the next call starts over once — the once-per-cadence rows keep
		// anything already enrolled from being enrolled again.
		statements: () => ['ALTER TABLE inactivity_cursors ADD COLUMN statuses TEXT'],
	},
	{
		version: 15,
		name: 'the per-agent dashboard index holds only enrollments that name an agent',
		// The dashboard filters by agent only for a named one (engine/store/ops/dashboard.ts
		// ASSIGNED), so an entry for each enrollment without an agent — most of them, in a store
		// that enrolls from a list — was written, kept and never read: about a quarter of the
		// enrollments insert's time on Postgres, and 23 (SQLite) to 50 (Postgres) bytes each.
		statements: () => [
			'DROP INDEX enrollments_running_agent',
			`CREATE INDEX enrollments_running_agent ON enrollments
				(agent, (COALESCE(next_due_at, held_due_at, 9007199254740991)), id)
				WHERE state IN ('active', 'paused') AND agent > ''`,
		],
	},
	{
		version: 16,
		name: 'Postgres: an enrollment records its start, shown on the timeline as "enrolled"',
		// As version 13 did for claims: an enrollment wrote its row and an "enrolled" event saying
		// the same thing, a fifth of a bulk enroll's time and about 200 bytes per enrollment. On
		// Postgres the enrollment now keeps the first step it was scheduled for (step, time,
		// reason) and takes its id from the events' sequence, so its timeline entry is the row
		// itself and sorts where the event did: before everything that happens to it. Enrollments
		// from before the upgrade keep their events (their columns stay empty). SQLite keeps
		// writing the event.
		statements: (d) =>
			d.name !== 'postgres'
				? []
				: [
						// Past every id the timeline and the enrollments hold, so no id is taken twice;
						// a store with neither keeps its sequence unused (the feed's cursor reads 0).
						`SELECT setval('${TIMELINE_IDS}', COALESCE(top, 1), top IS NOT NULL)
						FROM (SELECT GREATEST(
							(SELECT CASE WHEN is_called THEN last_value END FROM ${TIMELINE_IDS}),
							(SELECT MAX(id) FROM event_log), (SELECT MAX(id) FROM step_runs),
							(SELECT MAX(id) FROM enrollments)) AS top) t`,
						'ALTER TABLE enrollments ADD COLUMN enrolled_step INTEGER',
						`ALTER TABLE enrollments ADD COLUMN enrolled_due_at ${d.bigint}`,
						'ALTER TABLE enrollments ADD COLUMN enrolled_reason TEXT',
						'ALTER TABLE enrollments ALTER COLUMN id DROP IDENTITY',
						`ALTER TABLE enrollments ALTER COLUMN id SET DEFAULT nextval('${TIMELINE_IDS}')`,
						'DROP VIEW events',
						`CREATE VIEW events AS ${LOGGED_EVENTS} UNION ALL ${claimEvents(d)}
							UNION ALL ${enrollEvents(d)}`,
						EVENTS_INSERT_RULE,
					],
	},
	{
		version: 17,
		name: "a cadence's name is searched on the cadence, not copied into each enrollment's search text",
		// Enrollments are found by their cadence's name through `cadences.search_name` (folded in
		// JavaScript on every publish, as the rest of the search text is; ops/search.ts), so a
		// renamed cadence is found by its new name, and no enrollment keeps a copy of the name (20
		// to 50 bytes each, written again for every enrollment). Enrollments written before keep
		// the name they had in their own text: they are found by the cadence's new name too.
		statements: () => ['ALTER TABLE cadences ADD COLUMN search_name TEXT'],
		after: fillCadenceSearchNames,
	},
];

/**
 * The Postgres sequence numbering events and (from version 13) step runs: the one created with
 * the events table's identity column, named after it.
 */
export const TIMELINE_IDS = 'events_id_seq';

/**
 * The Postgres `events` view (versions 13 and 16): the events written as rows, and the timeline
 * entries read from the rows that record them — a step run's first claim, an enrollment's start.
 * Every part numbers its entries from TIMELINE_IDS, so the view sorts by id as the events did.
 */
const LOGGED_EVENTS = 'SELECT id, enrollment_id, step_run_id, type, at, detail FROM event_log';

function claimEvents(d: Dialect): string {
	return `SELECT id, enrollment_id, id, 'claimed', claim_event_at,
		${d.jsonObject("'step', step_index, 'attempt', 1, 'reason', claim_reason")}
		FROM step_runs WHERE claim_event_at IS NOT NULL`;
}

function enrollEvents(d: Dialect): string {
	return `SELECT id, id, NULL, 'enrolled', created_at,
		${d.jsonObject("'version', version, 'nextStep', enrolled_step, 'dueAt', enrolled_due_at, 'reason', enrolled_reason")}
		FROM enrollments WHERE enrolled_step IS NOT NULL`;
}

/** Writers insert into the view as into the table it replaced: the rows go to the event log. */
const EVENTS_INSERT_RULE = `CREATE RULE events_insert AS ON INSERT TO events DO INSTEAD
	INSERT INTO event_log (enrollment_id, step_run_id, type, at, detail)
	VALUES (NEW.enrollment_id, NEW.step_run_id, NEW.type, NEW.at, NEW.detail)
	RETURNING event_log.id, event_log.enrollment_id, event_log.step_run_id,
		event_log.type, event_log.at, event_log.detail`;
