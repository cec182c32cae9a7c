import { DatabaseSync } from 'node:sqlite';
import { Client } from 'pg';
import {
	CadenceNotFoundError,
	CadenceTransitionError,
	CadenceValidationError,
} from '../../engine/errors';
import type { CadenceStore } from '../../engine/store/store';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * Every store method that takes input, fed bad input: each call is rejected with an error that
 * names the field (or the missing thing, or the forbidden move) and says how to fix it, and the
 * database is exactly as it was — not one row added, changed or removed in any table.
 */

jest.setTimeout(30_000);

const TABLES = [
	'cadences',
	'cadence_versions',
	'enrollments',
	'step_runs',
	'events',
	'messages',
	'suppressions',
	'goals',
	'contact_identities',
	'conversations',
	'conversation_channels',
	'channel_messages',
	'inactivity_enrollments',
	'inactivity_cursors',
] as const;
type Table = (typeof TABLES)[number];
type Snapshot = Record<Table, unknown[]>;

/** Reads every table through its own connection, outside the store under test. */
interface Inspector {
	snapshot(): Promise<Snapshot>;
	close(): Promise<void>;
}

async function openInspector(t: TestStore): Promise<Inspector> {
	const config = t.location.config;
	// Every table's first column is its key (suppressions: contact_key; versions: cadence_id, version).
	const select = (table: Table) => `SELECT * FROM ${table} ORDER BY 1, 2`;
	if (config.kind === 'sqlite') {
		const db = new DatabaseSync(config.path, { readOnly: true });
		return {
			snapshot: async () =>
				Object.fromEntries(
					TABLES.map((table) => [table, db.prepare(select(table)).all()]),
				) as Snapshot,
			close: async () => db.close(),
		};
	}
	const client = new Client({
		connectionString: config.connectionString,
		options: `-c search_path=${config.schema}`,
	});
	await client.connect();
	return {
		snapshot: async () => {
			const entries: Array<[Table, unknown[]]> = [];
			for (const table of TABLES) entries.push([table, (await client.query(select(table))).rows]);
			return Object.fromEntries(entries) as Snapshot;
		},
		close: async () => client.end(),
	};
}

function counts(snapshot: Snapshot): Record<Table, number> {
	return Object.fromEntries(TABLES.map((table) => [table, snapshot[table].length])) as Record<
		Table,
		number
	>;
}

/** Rows the fixture creates, which bad calls refer to. */
interface Fixture {
	sentRunId: number;
	deliveredRunId: number;
	deliveredKey: string;
	pendingRunId: number;
	/** The in-flight run of the cancelled enrollment, skipped by the cancel. */
	skippedRunId: number;
	activeEnrollmentId: number;
	completedEnrollmentId: number;
	exitedEnrollmentId: number;
}

type ErrorClass =
	| typeof CadenceValidationError
	| typeof CadenceNotFoundError
	| typeof CadenceTransitionError;

interface BadCall {
	method: string;
	what: string;
	call: (store: CadenceStore, f: Fixture) => Promise<unknown>;
	error: ErrorClass;
	/** For validation errors: the field the problem must be reported on ('' for the input as a whole). */
	field?: string;
	/** What the message must say: the fix, the missing reference, or the rule that forbids the move. */
	hint: RegExp;
	/** What the message must not say (advice that does not fit this field). */
	avoid?: RegExp;
}

/** Bad input on purpose: the store's parameter types would not let it through the compiler. */
const bad = (input: unknown) => input as never;

const NOPE = 'No such cadence';
const LONG = (n: number) => 'x'.repeat(n);
const good = (contactKey: string) => ({ cadence: 'Known', contactKey });

const V = CadenceValidationError;
const NF = CadenceNotFoundError;
const TR = CadenceTransitionError;

const CALLS: BadCall[] = [
	// publishCadence
	{
		method: 'publishCadence',
		what: 'an empty definition',
		call: (s) => s.publishCadence(bad({})),
		error: V,
		field: 'name',
		hint: /give the cadence a name/,
	},
	{
		method: 'publishCadence',
		what: 'a negative wait',
		call: (s) =>
			s.publishCadence(
				bad({ name: 'Bad', steps: [{ wait: { amount: -1, unit: 'days' }, staticText: 'x' }] }),
			),
		error: V,
		field: 'steps.0.wait.amount',
		hint: /cannot be negative/,
	},
	{
		method: 'publishCadence',
		what: 'a new version of an existing cadence without steps',
		call: (s) => s.publishCadence({ name: 'Known', steps: [] }),
		error: V,
		field: 'steps',
		hint: /add at least one step/,
	},
	{
		method: 'publishCadence',
		what: 'an invalid time zone',
		call: (s) =>
			s.publishCadence(
				bad({
					name: 'Known',
					steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
					schedule: { timeZone: 'Berlin' },
				}),
			),
		error: V,
		field: 'schedule.timeZone',
		hint: /IANA time zone name/,
	},

	// enroll
	{
		method: 'enroll',
		what: 'no items',
		call: (s) => s.enroll([]),
		error: V,
		field: '',
		hint: /give at least one contact to enroll/,
	},
	{
		method: 'enroll',
		what: 'not a list',
		call: (s) => s.enroll(bad(null)),
		error: V,
		field: '',
		hint: /give at least one contact to enroll/,
	},
	{
		method: 'enroll',
		what: 'an empty contact key',
		call: (s) => s.enroll([good('')]),
		error: V,
		field: 'contactKey',
		hint: /contact key is empty; map it to an id, phone number or email/,
	},
	{
		method: 'enroll',
		what: 'a blank contact key',
		call: (s) => s.enroll([good('   ')]),
		error: V,
		field: 'contactKey',
		hint: /contact key is empty/,
	},
	{
		method: 'enroll',
		what: 'a contact key given as a number',
		call: (s) => s.enroll([bad({ cadence: 'Known', contactKey: 4915112345678 })]),
		error: V,
		field: 'contactKey',
		hint: /give the contact key as text/,
	},
	{
		method: 'enroll',
		what: 'a contact key of 513 characters',
		call: (s) => s.enroll([good(LONG(513))]),
		error: V,
		field: 'contactKey',
		hint: /longer than 512 characters/,
	},
	{
		method: 'enroll',
		what: 'an empty contact key in item 2 of 3',
		call: (s) => s.enroll([good('ok-1'), good(''), good('ok-3')]),
		error: V,
		field: 'item 2: contactKey',
		hint: /item 2: contactKey: the contact key is empty/,
	},
	{
		method: 'enroll',
		what: 'a bad time zone in item 3 of 3',
		call: (s) => s.enroll([good('ok-1'), good('ok-2'), { ...good('ok-3'), timeZone: 'CET+1' }]),
		error: V,
		field: 'item 3: timeZone',
		hint: /IANA time zone name such as Europe\/Berlin/,
	},
	{
		method: 'enroll',
		what: 'an invalid time zone',
		call: (s) => s.enroll([{ ...good('tz'), timeZone: 'Mars/Olympus' }]),
		error: V,
		field: 'timeZone',
		hint: /IANA time zone name/,
	},
	{
		method: 'enroll',
		what: 'an unknown cadence name',
		call: (s) => s.enroll([{ cadence: NOPE, contactKey: 'n1' }]),
		error: NF,
		hint: /No cadence.*activate the workflow.*"No such cadence"/,
	},
	{
		method: 'enroll',
		what: 'an unknown cadence id',
		call: (s) => s.enroll([{ cadence: 987654, contactKey: 'n1' }]),
		error: NF,
		hint: /No cadence.*987654/,
	},
	{
		method: 'enroll',
		what: 'two good items and one for an unknown cadence',
		call: (s) => s.enroll([good('ok-1'), good('ok-2'), { cadence: NOPE, contactKey: 'ok-3' }]),
		error: NF,
		hint: /"No such cadence"/,
	},
	{
		method: 'enroll',
		what: 'no cadence',
		call: (s) => s.enroll([bad({ contactKey: 'c' })]),
		error: V,
		field: 'cadence',
		hint: /cadence('s)? name|name or id/i,
	},
	{
		method: 'enroll',
		what: 'an empty cadence name',
		call: (s) => s.enroll([good('c')].map((i) => ({ ...i, cadence: '' }))),
		error: V,
		field: 'cadence',
		hint: /cadence name/,
		avoid: /phone number/,
	},
	{
		method: 'enroll',
		what: 'cadence id 0',
		call: (s) => s.enroll([{ cadence: 0, contactKey: 'c' }]),
		error: V,
		field: 'cadence',
		hint: /give the cadence name \(as in its Follow-up Trigger\) or its id/,
	},
	{
		method: 'enroll',
		what: 'a target without an id',
		call: (s) => s.enroll([{ ...good('t'), target: { type: 'deal', id: '' } }]),
		error: V,
		field: 'target.id',
		hint: /target id is empty/,
	},
	{
		method: 'enroll',
		what: 'a start time in words',
		call: (s) => s.enroll([bad({ ...good('t'), startAt: 'tomorrow' })]),
		error: V,
		field: 'startAt',
		hint: /epoch milliseconds/,
	},
	{
		method: 'enroll',
		what: 'variables as text',
		call: (s) => s.enroll([bad({ ...good('t'), variables: 'name=Ana' })]),
		error: V,
		field: 'variables',
		hint: /record|object/,
	},

	// Text the two databases would keep differently (issue 15.8), and sizes (15.10)
	{
		method: 'enroll',
		what: 'a contact key with a NUL character',
		call: (s) => s.enroll([good('k\0a')]),
		error: V,
		field: 'contactKey',
		hint: /contactKey: contains a NUL character/,
	},
	{
		method: 'enroll',
		what: 'a conversation key with half of an emoji',
		call: (s) => s.enroll([{ ...good('k-emoji'), conversationKey: 'chat-\ud83d' }]),
		error: V,
		field: 'conversationKey',
		hint: /conversationKey: contains a broken character/,
	},
	{
		method: 'enroll',
		what: 'a target id with a NUL character',
		call: (s) => s.enroll([{ ...good('k-target'), target: { type: 'deal', id: '7\0' } }]),
		error: V,
		field: 'target.id',
		hint: /NUL character/,
	},
	{
		method: 'enroll',
		what: 'a cadence name with a NUL character',
		call: (s) => s.enroll([{ cadence: 'Known\0x', contactKey: 'k-cadence' }]),
		error: V,
		field: 'cadence',
		hint: /NUL character/,
	},
	{
		method: 'enroll',
		what: 'variables of 10 MB',
		call: (s) =>
			s.enroll([{ ...good('k-big'), variables: { name: 'Ana', notes: LONG(10_000_000) } }]),
		error: V,
		field: 'variables',
		hint: /variables take 10,000,0\d\d characters when stored; keep them under 32,000 \(the largest is "notes"/,
	},
	{
		method: 'enroll',
		what: 'a contact name of 513 characters',
		call: (s) => s.enroll([{ ...good('k-name'), contactName: LONG(513) }]),
		error: V,
		field: 'contactName',
		hint: /the contact name is longer than 512 characters; shorten it/,
	},
	{
		method: 'markSent',
		what: 'a message text over 100,000 characters',
		call: (s, f) => s.markSent({ stepRunId: f.pendingRunId, text: LONG(100_001) }),
		error: V,
		field: 'text',
		hint: /the message text is longer than 100,000 characters; shorten it/,
	},
	{
		method: 'recordInbound',
		what: 'a contact key with a NUL character',
		call: (s) => s.recordInbound({ contactKey: 'c-sent\0', text: 'hi' }),
		error: V,
		field: 'contactKey',
		hint: /NUL character/,
	},
	{
		method: 'optOut',
		what: 'a contact key with half of an emoji',
		call: (s) => s.optOut({ contactKey: '\udc00c-sent' }),
		error: V,
		field: 'contactKey',
		hint: /broken character/,
	},
	{
		method: 'publishCadence',
		what: 'a cadence name with a NUL character',
		call: (s) =>
			s.publishCadence({
				name: 'Bad\0name',
				steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
			}),
		error: V,
		field: '',
		hint: /NUL character/,
	},
	{
		method: 'publishCadence',
		what: 'quiet hours all day (issue 15.12)',
		call: (s) =>
			s.publishCadence({
				name: 'Never',
				steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
				schedule: { quietHours: { from: '00:00', to: '24:00' } },
			}),
		error: V,
		field: 'schedule.quietHours',
		hint: /quiet hours 00:00–24:00 cover the whole day, so no message could ever be sent/,
	},
	{
		method: 'publishCadence',
		what: 'working hours inside quiet hours (issue 15.12)',
		call: (s) =>
			s.publishCadence({
				name: 'Never',
				steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
				schedule: {
					workingHours: {
						monday: [{ from: '22:00', to: '23:30' }],
						tuesday: [{ from: '05:00', to: '06:00' }],
					},
					quietHours: { from: '21:00', to: '07:00' },
				},
			}),
		error: V,
		field: 'schedule.workingHours',
		hint: /every working window lies inside the quiet hours 21:00–07:00/,
	},

	// claimDue
	{
		method: 'claimDue',
		what: 'limit 0',
		call: (s) => s.claimDue({ cadence: 'Known', limit: 0 }),
		error: V,
		field: 'limit',
		hint: /at least 1|>=1/,
	},
	{
		method: 'claimDue',
		what: 'limit 5000',
		call: (s) => s.claimDue({ cadence: 'Known', limit: 5000 }),
		error: V,
		field: 'limit',
		hint: /claim at most 1,000 steps at once/,
	},
	{
		method: 'claimDue',
		what: 'a fractional limit',
		call: (s) => s.claimDue({ cadence: 'Known', limit: 2.5 }),
		error: V,
		field: 'limit',
		hint: /int|whole/,
	},
	{
		method: 'claimDue',
		what: 'no cadence',
		call: (s) => s.claimDue(bad({})),
		error: V,
		field: 'cadence',
		hint: /cadence('s)? name|name or id/i,
	},
	{
		method: 'claimDue',
		what: 'an unknown cadence',
		call: (s) => s.claimDue({ cadence: NOPE }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// markSent
	{
		method: 'markSent',
		what: 'no step run id',
		call: (s) => s.markSent(bad({ text: 'hi' })),
		error: V,
		field: 'stepRunId',
		hint: /give the step run id as a number/,
	},
	{
		method: 'markSent',
		what: 'step run id 0',
		call: (s) => s.markSent({ stepRunId: 0 }),
		error: V,
		field: 'stepRunId',
		hint: /step run id must be positive/,
	},
	{
		method: 'markSent',
		what: 'the step run id as text',
		call: (s) => s.markSent(bad({ stepRunId: '12' })),
		error: V,
		field: 'stepRunId',
		hint: /as a number/,
	},
	{
		method: 'markSent',
		what: 'a step run that does not exist',
		call: (s) => s.markSent({ stepRunId: 999_999 }),
		error: NF,
		hint: /No step run found for 999999/,
	},
	{
		method: 'markSent',
		what: 'an unknown compose mode',
		call: (s, f) => s.markSent(bad({ stepRunId: f.pendingRunId, composeMode: 'manual' })),
		error: V,
		field: 'composeMode',
		hint: /static.*aiAssisted.*aiFull/,
	},
	{
		method: 'markSent',
		what: 'negative token counts',
		call: (s, f) => s.markSent({ stepRunId: f.pendingRunId, promptTokens: -5 }),
		error: V,
		field: 'promptTokens',
		hint: />=0|at least 0|negative/,
	},

	// recordDraft
	{
		method: 'recordDraft',
		what: 'no text',
		call: (s, f) => s.recordDraft(bad({ stepRunId: f.pendingRunId })),
		error: V,
		field: 'text',
		hint: /string|text/,
	},
	{
		method: 'recordDraft',
		what: 'a step run that does not exist',
		call: (s) => s.recordDraft({ stepRunId: 999_999, text: 'hi' }),
		error: NF,
		hint: /No step run found for 999999/,
	},
	{
		method: 'recordDraft',
		what: 'a draft for a step already sent',
		call: (s, f) => s.recordDraft({ stepRunId: f.sentRunId, text: 'late draft' }),
		error: TR,
		hint: /already "sent"; a draft can only be recorded before it is sent/,
	},

	// recordApproval
	{
		method: 'recordApproval',
		what: 'an unknown decision',
		call: (s, f) => s.recordApproval(bad({ stepRunId: f.pendingRunId, decision: 'ok' })),
		error: V,
		field: 'decision',
		hint: /use one of: approved, edited, discarded, timedOut/,
	},
	{
		method: 'recordApproval',
		what: 'a step run that does not exist',
		call: (s) => s.recordApproval({ stepRunId: 999_999, decision: 'approved' }),
		error: NF,
		hint: /999999/,
	},
	{
		method: 'recordApproval',
		what: 'approving a step already delivered',
		call: (s, f) => s.recordApproval({ stepRunId: f.deliveredRunId, decision: 'approved' }),
		error: TR,
		hint: /already "delivered", so it cannot become "scheduled".*only move forward/,
	},
	{
		method: 'recordApproval',
		what: 'discarding a step already sent',
		call: (s, f) => s.recordApproval({ stepRunId: f.sentRunId, decision: 'discarded' }),
		error: TR,
		hint: /already "sent", so it cannot become "skipped"/,
	},

	// deferStep
	{
		method: 'deferStep',
		what: 'an empty reason',
		call: (s, f) =>
			s.deferStep({ stepRunId: f.pendingRunId, until: Date.UTC(2026, 2, 4), reason: ' ' }),
		error: V,
		field: 'reason',
		hint: /say why the step is deferred/,
	},
	{
		method: 'deferStep',
		what: 'no time',
		call: (s, f) => s.deferStep(bad({ stepRunId: f.pendingRunId, reason: 'night' })),
		error: V,
		field: 'until',
		hint: /epoch milliseconds/,
	},
	{
		method: 'deferStep',
		what: 'a step run that does not exist',
		call: (s) => s.deferStep({ stepRunId: 999_999, until: Date.UTC(2026, 2, 4), reason: 'night' }),
		error: NF,
		hint: /999999/,
	},
	{
		method: 'deferStep',
		what: 'a sent step back to scheduled',
		call: (s, f) =>
			s.deferStep({ stepRunId: f.sentRunId, until: Date.UTC(2026, 2, 4), reason: 'night' }),
		error: TR,
		hint: /already "sent", so it cannot become "scheduled"\. Step statuses only move forward/,
	},
	{
		method: 'deferStep',
		what: 'a delivered step back to scheduled',
		call: (s, f) =>
			s.deferStep({ stepRunId: f.deliveredRunId, until: Date.UTC(2026, 2, 4), reason: 'night' }),
		error: TR,
		hint: /already "delivered".*only move forward: pending → scheduled → sent → delivered/,
	},

	// setStepStatus
	{
		method: 'setStepStatus',
		what: 'neither id nor idempotency key',
		call: (s) => s.setStepStatus({ status: 'delivered' }),
		error: V,
		field: 'stepRunId',
		hint: /give the step run id or its idempotency key/,
	},
	{
		method: 'setStepStatus',
		what: "status 'replied' (recorded by replies, not as a delivery status)",
		call: (s, f) => s.setStepStatus(bad({ stepRunId: f.sentRunId, status: 'replied' })),
		error: V,
		field: 'status',
		hint: /use one of: sent, delivered, read, failed, skipped/,
	},
	{
		method: 'setStepStatus',
		what: 'no status',
		call: (s, f) => s.setStepStatus(bad({ stepRunId: f.sentRunId })),
		error: V,
		field: 'status',
		hint: /use one of: sent, delivered/,
	},
	{
		method: 'setStepStatus',
		what: 'a malformed idempotency key',
		call: (s) => s.setStepStatus({ idempotencyKey: 'abc', status: 'delivered' }),
		error: V,
		field: 'idempotencyKey',
		hint: /use the idempotency key the trigger emitted/,
	},
	{
		method: 'setStepStatus',
		what: 'an idempotency key that matches nothing',
		call: (s) => s.setStepStatus({ idempotencyKey: '999999-0-1', status: 'delivered' }),
		error: NF,
		hint: /No step run found for "999999-0-1"/,
	},
	{
		method: 'setStepStatus',
		what: 'an idempotency key with an out-of-range number',
		call: (s) =>
			s.setStepStatus({ idempotencyKey: '99999999999999999999-0-1', status: 'delivered' }),
		error: V,
		field: 'idempotencyKey',
		hint: /use the idempotency key the trigger emitted/,
	},
	{
		method: 'setStepStatus',
		what: 'a step run that does not exist',
		call: (s) => s.setStepStatus({ stepRunId: 999_999, status: 'read' }),
		error: NF,
		hint: /999999/,
	},
	{
		method: 'setStepStatus',
		what: 'skipping a delivered step',
		call: (s, f) => s.setStepStatus({ idempotencyKey: f.deliveredKey, status: 'skipped' }),
		error: TR,
		hint: /already "delivered", so it cannot become "skipped"/,
	},
	{
		method: 'setStepStatus',
		what: 'a delivered step back to sent',
		call: (s, f) => s.setStepStatus({ stepRunId: f.deliveredRunId, status: 'sent' }),
		error: TR,
		hint: /already "delivered", so it cannot become "sent".*only move forward/,
	},

	// recordInbound
	{
		method: 'recordInbound',
		what: 'an unknown action',
		call: (s) => s.recordInbound(bad({ contactKey: 'c-sent', action: 'stop' })),
		error: V,
		field: 'action',
		hint: /exit.*restart.*pause.*ignore.*optOut/,
	},
	{
		method: 'recordInbound',
		what: 'an empty contact key',
		call: (s) => s.recordInbound({ contactKey: '', text: 'hi' }),
		error: V,
		field: 'contactKey',
		hint: /contact key is empty/,
	},
	{
		method: 'recordInbound',
		what: 'a pause end in words',
		call: (s) =>
			s.recordInbound(bad({ contactKey: 'c-sent', action: 'pause', pauseUntil: 'next week' })),
		error: V,
		field: 'pauseUntil',
		hint: /epoch milliseconds/,
	},
	{
		method: 'recordInbound',
		what: 'text as a number',
		call: (s) => s.recordInbound(bad({ contactKey: 'c-sent', text: 42 })),
		error: V,
		field: 'text',
		hint: /string|text/,
	},

	// recordOutbound
	{
		method: 'recordOutbound',
		what: 'no contact key',
		call: (s) => s.recordOutbound(bad({ text: 'hello' })),
		error: V,
		field: 'contactKey',
		hint: /give the contact key as text/,
	},
	{
		method: 'recordOutbound',
		what: 'a conversation key of 600 characters',
		call: (s) => s.recordOutbound({ contactKey: 'c-sent', conversationKey: LONG(600) }),
		error: V,
		field: 'conversationKey',
		hint: /the conversation key is longer than 512 characters/,
	},

	// recordGoal
	{
		method: 'recordGoal',
		what: 'neither contact nor target',
		call: (s) => s.recordGoal({ note: 'paid' }),
		error: V,
		field: 'contactKey',
		hint: /give the contact key or the target \(type and id\)/,
	},
	{
		method: 'recordGoal',
		what: 'a blank contact and no target',
		call: (s) => s.recordGoal({ contactKey: '   ' }),
		error: V,
		field: 'contactKey',
		hint: /give the contact key or the target/,
	},
	{
		method: 'recordGoal',
		what: 'a target without an id',
		call: (s) => s.recordGoal(bad({ target: { type: 'deal' } })),
		error: V,
		field: 'target.id',
		hint: /give the target id as text/,
	},
	{
		method: 'recordGoal',
		what: 'an unknown cadence (after the goal row was inserted)',
		call: (s) => s.recordGoal({ contactKey: 'c-sent', cadence: NOPE }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// markResolved
	{
		method: 'markResolved',
		what: 'no contact key',
		call: (s) => s.markResolved(bad({})),
		error: V,
		field: 'contactKey',
		hint: /give the contact key as text/,
	},
	{
		method: 'markResolved',
		what: 'an empty contact key',
		call: (s) => s.markResolved({ contactKey: '' }),
		error: V,
		field: 'contactKey',
		hint: /contact key is empty/,
	},

	// optOut
	{
		method: 'optOut',
		what: 'an empty contact key',
		call: (s) => s.optOut({ contactKey: '' }),
		error: V,
		field: 'contactKey',
		hint: /contact key is empty/,
	},
	{
		method: 'optOut',
		what: 'a reason of 501 characters',
		call: (s) => s.optOut({ contactKey: 'c-sent', reason: LONG(501) }),
		error: V,
		field: 'reason',
		hint: /500/,
	},

	// pause
	{
		method: 'pause',
		what: 'no enrollment id',
		call: (s) => s.pause(bad({})),
		error: V,
		field: 'enrollmentId',
		hint: /give the enrollment id as a number/,
	},
	{
		method: 'pause',
		what: 'a negative enrollment id',
		call: (s) => s.pause({ enrollmentId: -3 }),
		error: V,
		field: 'enrollmentId',
		hint: /enrollment id must be positive/,
	},
	{
		method: 'pause',
		what: 'an enrollment that does not exist',
		call: (s) => s.pause({ enrollmentId: 999_999 }),
		error: NF,
		hint: /No enrollment found for 999999/,
	},
	{
		method: 'pause',
		what: 'a pause end in words',
		call: (s, f) => s.pause(bad({ enrollmentId: f.activeEnrollmentId, until: 'soon' })),
		error: V,
		field: 'until',
		hint: /epoch milliseconds/,
	},
	{
		method: 'pause',
		what: 'a completed enrollment',
		call: (s, f) => s.pause({ enrollmentId: f.completedEnrollmentId }),
		error: TR,
		hint: /has completed; only a running enrollment can be paused/,
	},

	// resume
	{
		method: 'resume',
		what: 'a completed enrollment',
		call: (s, f) => s.resume({ enrollmentId: f.completedEnrollmentId }),
		error: TR,
		hint: /has completed; only a running enrollment can be resumed/,
	},
	{
		method: 'resume',
		what: 'an exited enrollment',
		call: (s, f) => s.resume({ enrollmentId: f.exitedEnrollmentId }),
		error: TR,
		hint: /has ended \(exited\); only a running enrollment can be resumed/,
	},
	{
		method: 'resume',
		what: 'an enrollment that does not exist',
		call: (s) => s.resume({ enrollmentId: 999_999 }),
		error: NF,
		hint: /No enrollment found for 999999/,
	},

	// skipStep
	{
		method: 'skipStep',
		what: 'the enrollment id as text',
		call: (s) => s.skipStep(bad({ enrollmentId: '1' })),
		error: V,
		field: 'enrollmentId',
		hint: /as a number/,
	},
	{
		method: 'skipStep',
		what: 'a completed enrollment',
		call: (s, f) => s.skipStep({ enrollmentId: f.completedEnrollmentId }),
		error: TR,
		hint: /only a running enrollment can be skipped forward/,
	},

	// cancel
	{
		method: 'cancel',
		what: 'an exited enrollment',
		call: (s, f) => s.cancel({ enrollmentId: f.exitedEnrollmentId }),
		error: TR,
		hint: /only a running enrollment can be stopped/,
	},
	{
		method: 'cancel',
		what: 'an enrollment that does not exist',
		call: (s) => s.cancel({ enrollmentId: 999_999 }),
		error: NF,
		hint: /999999/,
	},

	// exit
	{
		method: 'exit',
		what: 'an unknown exit reason',
		call: (s, f) => s.exit(bad({ enrollmentId: f.activeEnrollmentId, exitReason: 'bored' })),
		error: V,
		field: 'exitReason',
		hint: /replied.*resolved.*goal.*optedOut.*cancelled/,
	},
	{
		method: 'exit',
		what: 'a completed enrollment',
		call: (s, f) => s.exit({ enrollmentId: f.completedEnrollmentId, exitReason: 'goal' }),
		error: TR,
		hint: /has completed/,
	},

	// findStuck
	{
		method: 'findStuck',
		what: 'no age',
		call: (s) => s.findStuck(bad({})),
		error: V,
		field: 'olderThanMs',
		hint: /number/,
	},
	{
		method: 'findStuck',
		what: 'an age under a second',
		call: (s) => s.findStuck({ olderThanMs: 10 }),
		error: V,
		field: 'olderThanMs',
		hint: /wait at least one second/,
	},
	{
		method: 'findStuck',
		what: 'limit 0',
		call: (s) => s.findStuck({ olderThanMs: HOUR, limit: 0 }),
		error: V,
		field: 'limit',
		hint: /at least 1|>=1/,
	},
	{
		method: 'findStuck',
		what: 'an unknown cadence',
		call: (s) => s.findStuck({ olderThanMs: HOUR, cadence: NOPE }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// listEnrollments
	{
		method: 'listEnrollments',
		what: 'an unknown state',
		call: (s) => s.listEnrollments(bad({ state: 'running' })),
		error: V,
		field: 'state',
		hint: /active.*paused.*completed.*exited.*failed/,
	},
	{
		method: 'listEnrollments',
		what: 'limit 0',
		call: (s) => s.listEnrollments({ limit: 0 }),
		error: V,
		field: 'limit',
		hint: /at least 1|>=1/,
	},
	{
		method: 'listEnrollments',
		what: 'a negative offset',
		call: (s) => s.listEnrollments({ offset: -1 }),
		error: V,
		field: 'offset',
		hint: /at least 0|>=0/,
	},
	{
		method: 'listEnrollments',
		what: 'an unknown cadence',
		call: (s) => s.listEnrollments({ cadence: NOPE }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// getConversation
	{
		method: 'getConversation',
		what: 'no contact key',
		call: (s) => s.getConversation(bad({})),
		error: V,
		field: 'contactKey',
		hint: /give the contact key as text/,
	},
	{
		method: 'getConversation',
		what: 'limit 5000',
		call: (s) => s.getConversation({ contactKey: 'c-sent', limit: 5000 }),
		error: V,
		field: 'limit',
		hint: /1000|1,000/,
	},

	// funnel
	{
		method: 'funnel',
		what: 'an empty cadence name',
		call: (s) => s.funnel({ cadence: '' }),
		error: V,
		field: 'cadence',
		hint: /cadence name/,
		avoid: /phone number/,
	},
	{
		method: 'funnel',
		what: 'a cadence given as an object',
		call: (s) => s.funnel(bad({ cadence: { name: 'Known' } })),
		error: V,
		field: 'cadence',
		hint: /cadence('s)? name|name or id/i,
	},
	{
		method: 'funnel',
		what: 'an unknown cadence',
		call: (s) => s.funnel({ cadence: NOPE }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// replyRates
	{
		method: 'replyRates',
		what: 'an unknown grouping',
		call: (s) => s.replyRates(bad({ by: 'weekday' })),
		error: V,
		field: 'by',
		hint: /group by one of: step, composeMode, version, agent/,
	},
	{
		method: 'replyRates',
		what: 'an unknown cadence',
		call: (s) => s.replyRates({ cadence: NOPE, by: 'agent' }),
		error: NF,
		hint: /"No such cadence"/,
	},

	// retryStep
	{
		method: 'retryStep',
		what: 'step run id 0',
		call: (s) => s.retryStep(0),
		error: V,
		field: 'stepRunId',
		hint: /step run id must be positive/,
	},
	{
		method: 'retryStep',
		what: 'the step run id as text',
		call: (s) => s.retryStep(bad('12')),
		error: V,
		field: 'stepRunId',
		hint: /give the step run id as a number/,
	},
	{
		method: 'retryStep',
		what: 'a fractional step run id',
		call: (s) => s.retryStep(2.5),
		error: V,
		field: 'stepRunId',
		hint: /int|whole/,
	},
	{
		method: 'retryStep',
		what: 'a step run that does not exist',
		call: (s) => s.retryStep(999_999),
		error: NF,
		hint: /No step run found for 999999/,
	},
	{
		method: 'retryStep',
		what: 'a step run already delivered',
		call: (s, f) => s.retryStep(f.deliveredRunId),
		error: TR,
		hint: /not waiting for confirmation/,
	},

	// recordInbound: who wrote the reply
	{
		method: 'recordInbound',
		what: 'an unknown reply kind',
		call: (s) => s.recordInbound(bad({ contactKey: 'c', text: 'hi', kind: 'robot' })),
		error: V,
		field: 'kind',
		hint: /use one of: person, outOfOffice, autoReply/,
	},

	// publishCadence: the trigger that owns it
	{
		method: 'publishCadence',
		what: 'an owner without a workflow id',
		call: (s) =>
			s.publishCadence(
				{ name: 'Known', steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }] },
				bad({ workflowId: ' ', nodeId: 'n1' }),
			),
		error: V,
		field: 'workflowId',
		hint: /give the workflow id/,
	},
	{
		method: 'publishCadence',
		what: 'an owner without a node id',
		call: (s) =>
			s.publishCadence(
				{ name: 'Known', steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }] },
				bad({ workflowId: 'wf-1' }),
			),
		error: V,
		field: 'nodeId',
		hint: /Follow-up Trigger node id|expected string/,
	},

	// Last, because if one of these is accepted it writes, and later cases must not depend on that.
	{
		method: 'setStepStatus',
		what: 'a step run id and an idempotency key that point at different runs',
		call: (s, f) =>
			s.setStepStatus({
				stepRunId: f.skippedRunId,
				idempotencyKey: f.deliveredKey,
				status: 'read',
			}),
		error: V,
		field: 'idempotencyKey',
		hint: /different step run|do not match|same step run/,
	},
	{
		method: 'recordApproval',
		what: "decision 'edited' without the edited text",
		call: (s, f) => s.recordApproval({ stepRunId: f.pendingRunId, decision: 'edited' }),
		error: V,
		field: 'text',
		hint: /edited text/,
	},
	// Channels and conversations (issue 12)
	{
		method: 'enroll',
		what: 'an identity that is not a phone number',
		call: (s) => s.enroll([{ ...good('c-new'), identities: [{ kind: 'phone', value: '12' }] }]),
		error: V,
		field: 'identities.0.value',
		hint: /"12" is not a phone number; give it with its country code/,
	},
	{
		method: 'recordInbound',
		what: 'an identity that is not an email address',
		call: (s) =>
			s.recordInbound({
				contactKey: 'c-sent',
				text: 'hi',
				identities: [{ kind: 'email', value: 'nope' }],
			}),
		error: V,
		field: 'identities.0.value',
		hint: /"nope" is not an email address/,
	},
	{
		method: 'markSent',
		what: 'an empty channel message id',
		call: (s, f) => s.markSent({ stepRunId: f.pendingRunId, channelMessageId: ' ' }),
		error: V,
		field: 'channelMessageId',
		hint: /the channel message id is empty/,
	},
	{
		method: 'markSent',
		what: 'a channel message id another send already has',
		call: (s, f) => s.markSent({ stepRunId: f.pendingRunId, channelMessageId: 'wamid.fixture' }),
		error: V,
		field: 'channelMessageId',
		hint: /already belongs to step run \d+; pass the id the channel returned for this send/,
	},
	{
		method: 'recordIdentities',
		what: 'no identities',
		call: (s) => s.recordIdentities({ contactKey: 'c-sent', identities: [] }),
		error: V,
		field: 'identities',
		hint: /give at least one identity/,
	},
	{
		method: 'recordIdentities',
		what: 'an unknown identity kind',
		call: (s) =>
			s.recordIdentities({ contactKey: 'c-sent', identities: [bad({ kind: 'fax', value: '1' })] }),
		error: V,
		field: 'identities.0.kind',
		hint: /use one of: phone, email, whatsapp/,
	},
	{
		method: 'updateConversation',
		what: 'an unknown status',
		call: (s) => s.updateConversation(bad({ contactKey: 'c-sent', status: 'closed' })),
		error: V,
		field: 'status',
		hint: /use one of: open, pending, resolved/,
	},
	{
		method: 'updateConversation',
		what: 'neither a status, a channel nor an assignee',
		call: (s) => s.updateConversation({ contactKey: 'c-sent' }),
		error: V,
		field: 'status',
		hint: /give the conversation status, its channel or its assignee/,
	},
	{
		method: 'updateConversation',
		what: 'an assignee that is not text',
		call: (s) => s.updateConversation(bad({ contactKey: 'c-sent', assignee: { name: 'Lia' } })),
		error: V,
		field: 'assignee',
		hint: /give the assignee as text/,
	},
	{
		method: 'getConversationState',
		what: 'an empty contact key',
		call: (s) => s.getConversationState({ contactKey: '' }),
		error: V,
		field: 'contactKey',
		hint: /the contact key is empty/,
	},
	{
		method: 'getChannelFacts',
		what: 'no contact key',
		call: (s) => s.getChannelFacts(bad({})),
		error: V,
		field: 'contactKey',
		hint: /give the contact key as text/,
	},
	{
		method: 'recordDelivery',
		what: 'an unknown delivery status',
		call: (s) => s.recordDelivery(bad({ channelMessageId: 'wamid.fixture', status: 'bounced' })),
		error: V,
		field: 'status',
		hint: /use one of: queued, sent, delivered, read, failed/,
	},
	{
		method: 'recordDelivery',
		what: 'no channel message id',
		call: (s) => s.recordDelivery(bad({ status: 'read' })),
		error: V,
		field: 'channelMessageId',
		hint: /give the channel message id as text/,
	},
	{
		method: 'enrollIdleConversations',
		what: 'a cadence that does not enroll idle conversations',
		call: (s) => s.enrollIdleConversations({ cadence: 'Known' }),
		error: V,
		field: 'channels.inactivity.enabled',
		hint: /does not enroll idle conversations; turn on inactivity enrollment/,
	},
	{
		method: 'enrollIdleConversations',
		what: 'a limit of 0',
		call: (s) => s.enrollIdleConversations({ cadence: 'Known', limit: 0 }),
		error: V,
		field: 'limit',
		hint: /at least 1|>=1/,
	},
	{
		method: 'enrollIdleConversations',
		what: 'an unknown cadence',
		call: (s) => s.enrollIdleConversations({ cadence: NOPE }),
		error: NF,
		hint: /No cadence.*"No such cadence"/,
	},
];

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
	try {
		const result = await promise;
		throw new Error(`expected a rejection, but the call succeeded with ${JSON.stringify(result)}`);
	} catch (error) {
		return error as Error;
	}
}

describe.each(BACKENDS)('bad input on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	let inspector: Inspector;
	const f = {} as Fixture;

	beforeAll(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		const s = t.store;
		await s.publishCadence({
			name: 'Known',
			steps: [
				{ wait: { amount: 1, unit: 'hours' }, staticText: 'one' },
				{ wait: { amount: 1, unit: 'days' }, staticText: 'two' },
			],
		});
		await s.publishCadence({
			name: 'OneStep',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'only' }],
		});
		await s.enroll(['c-sent', 'c-delivered', 'c-pending', 'c-exit'].map(good));
		const [done] = await s.enroll([{ cadence: 'OneStep', contactKey: 'c-done' }]);
		clock.advance(HOUR);

		const claimed = new Map(
			(await s.claimDue({ cadence: 'Known' })).map((c) => [c.enrollment.contactKey, c]),
		);
		expect([...claimed.keys()].sort()).toEqual(['c-delivered', 'c-exit', 'c-pending', 'c-sent']);
		f.sentRunId = (
			await s.markSent({
				stepRunId: claimed.get('c-sent')!.stepRun.id,
				text: 'one',
				channel: 'whatsapp',
				channelMessageId: 'wamid.fixture',
			})
		).id;
		f.activeEnrollmentId = claimed.get('c-sent')!.enrollment.id;
		const delivered = claimed.get('c-delivered')!.stepRun;
		await s.markSent({ stepRunId: delivered.id, text: 'one' });
		await s.setStepStatus({ idempotencyKey: delivered.idempotencyKey, status: 'delivered' });
		f.deliveredRunId = delivered.id;
		f.deliveredKey = delivered.idempotencyKey;
		f.pendingRunId = claimed.get('c-pending')!.stepRun.id;
		f.exitedEnrollmentId = (
			await s.cancel({ enrollmentId: claimed.get('c-exit')!.enrollment.id })
		).id;
		f.skippedRunId = claimed.get('c-exit')!.stepRun.id;

		const [only] = await s.claimDue({ cadence: 'OneStep' });
		await s.markSent({ stepRunId: only.stepRun.id, text: 'only' });
		f.completedEnrollmentId = done.enrollment!.id;

		// The fixture is what the cases rely on; check it once so a failure points here.
		expect((await s.getEnrollment(f.completedEnrollmentId))!.state).toBe('completed');
		expect((await s.getEnrollment(f.exitedEnrollmentId))!.state).toBe('exited');
		expect((await s.getEnrollment(f.activeEnrollmentId))!.state).toBe('active');
		const statuses = async (id: number) => (await s.getStepRuns(id)).map((r) => r.status);
		expect(await statuses(f.activeEnrollmentId)).toEqual(['sent']);
		expect(await statuses(claimed.get('c-delivered')!.enrollment.id)).toEqual(['delivered']);
		expect(await statuses(claimed.get('c-pending')!.enrollment.id)).toEqual(['pending']);
		expect(await statuses(f.exitedEnrollmentId)).toEqual(['skipped']);

		inspector = await openInspector(t);
	});

	afterAll(async () => {
		await inspector?.close();
		await t?.dispose();
	});

	it('the inspector sees the fixture through its own connection', async () => {
		const c = counts(await inspector.snapshot());
		expect(c.cadences).toBe(2);
		expect(c.cadence_versions).toBe(2);
		expect(c.enrollments).toBe(5);
		expect(c.step_runs).toBe(5);
		expect(c.messages).toBe(3);
		expect(c.suppressions).toBe(0);
		expect(c.goals).toBe(0);
	});

	it.each(CALLS)('$method: $what → $error.name', async ({ call, error, field, hint, avoid }) => {
		const before = await inspector.snapshot();
		const thrown = await rejectionOf(call(t.store, f));
		// Class and message together, so a failure shows what was thrown instead.
		expect({ error: thrown.constructor.name, message: thrown.message }).toEqual({
			error: error.name,
			message: expect.stringMatching(hint),
		});
		expect(thrown).toBeInstanceOf(error);
		if (avoid) expect(thrown.message).not.toMatch(avoid);
		if (error === CadenceValidationError) {
			const problems = (thrown as CadenceValidationError).problems;
			expect(problems.map((p) => p.field)).toContain(field);
			if (field) expect(thrown.message).toContain(`${field}: `);
		}
		const after = await inspector.snapshot();
		expect(counts(after)).toEqual(counts(before));
		// Not only no new rows: no row changed either (a failed move must not touch updated_at).
		expect(after).toEqual(before);
	});

	describe('after the bad calls', () => {
		it('every method that takes input has at least one bad-input case', () => {
			const methods = new Set(CALLS.map((c) => c.method));
			expect([...methods].sort()).toEqual(
				[
					'publishCadence',
					'enroll',
					'claimDue',
					'markSent',
					'recordDraft',
					'recordApproval',
					'deferStep',
					'setStepStatus',
					'recordInbound',
					'recordOutbound',
					'recordGoal',
					'markResolved',
					'optOut',
					'pause',
					'resume',
					'skipStep',
					'cancel',
					'exit',
					'findStuck',
					'listEnrollments',
					'getConversation',
					'funnel',
					'replyRates',
					'retryStep',
					'recordIdentities',
					'updateConversation',
					'getConversationState',
					'getChannelFacts',
					'recordDelivery',
					'enrollIdleConversations',
				].sort(),
			);
		});

		it('the good items of a rejected batch can still be enrolled, and the inspector sees it', async () => {
			const before = counts(await inspector.snapshot());
			const results = await t.store.enroll([good('ok-1'), good('ok-2')]);
			expect(results.map((r) => r.outcome)).toEqual(['enrolled', 'enrolled']);
			const after = counts(await inspector.snapshot());
			expect(after.enrollments).toBe(before.enrollments + 2);
			expect(after.events).toBe(before.events + 2);
		});

		it('follows its own advice: a time "as an ISO date" is accepted, or the message stops offering it', async () => {
			// The message for a bad time says "give a time as epoch milliseconds or an ISO date".
			const attempt = t.store.enroll([bad({ ...good('iso'), startAt: '2026-03-03T09:00:00Z' })]);
			const outcome = await attempt.then(
				(results) => results[0].outcome as string,
				(error: Error) => error.message,
			);
			if (outcome !== 'enrolled') expect(outcome).not.toMatch(/ISO date/);
		});
	});
});
