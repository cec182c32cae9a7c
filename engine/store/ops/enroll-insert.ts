import type { CadenceDefinition } from '../../cadence/definition';
import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import { dueTimeFor, nextRunnableStep } from '../../domain/scheduling';
import { enrollmentSearchText } from '../search-text';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment } from '../types';
import { appendEvents, valuesList, type StoreContext } from './context';
import type { ParsedEnroll } from './enroll-validation';
import { queueEnrolled } from './due-queue';
import { enrollmentFrom } from './rows';
import { stepsAlreadySentOnce } from './run-once';

/**
 * Writing fresh enrollments: the rows, their first steps on the due queue and their "enrolled"
 * events. The rows are built here, so what an insert returns is only each new row's id: the
 * enrollment handed back is made from the values written (through the same `toEnrollment` that
 * reads rows back), instead of reading a thousand wide rows back from the database.
 */

export interface CadenceInfo {
	id: number;
	/** The cadence's name as stored (what enrollments read back through their join). */
	name: string;
	version: number;
	active: boolean;
	definition: CadenceDefinition;
}

/** What makes two enrollments the same: at most one may run per cadence, contact and conversation. */
export function identityOf(cadenceId: number, contactKey: string, conversationKey: string): string {
	return `${cadenceId}\u0000${contactKey}\u0000${conversationKey}`;
}

/** A fresh enrollment's columns and their types (for Postgres reading them from JSON). */
const COLUMNS = [
	['cadence_id', 'BIGINT'],
	['version', 'INTEGER'],
	['contact_key', 'TEXT'],
	['conversation_key', 'TEXT'],
	['contact_name', 'TEXT'],
	['agent', 'TEXT'],
	['target_type', 'TEXT'],
	['target_id', 'TEXT'],
	['variables', 'TEXT'],
	['time_zone', 'TEXT'],
	['state', 'TEXT'],
	['cycle', 'INTEGER'],
	['next_step', 'INTEGER'],
	['next_due_at', 'BIGINT'],
	['next_reason', 'TEXT'],
	['anchor_at', 'BIGINT'],
	['created_at', 'BIGINT'],
	['updated_at', 'BIGINT'],
	['ended_at', 'BIGINT'],
	['search_text', 'TEXT'],
] as const;

type Column = (typeof COLUMNS)[number][0];
type FreshRow = Record<Column, SqlValue>;

/**
 * Column `name`'s value in the rows a statement reads: both writers read them as a table `v` with
 * columns column1, column2, … in COLUMNS order (SQLite's VALUES list, Postgres's `jsonRows`).
 */
const valueOf = (name: Column) => `v.column${COLUMNS.findIndex(([column]) => column === name) + 1}`;

const INSERTED = COLUMNS.map(([name]) => name).join(', ');

/**
 * The most rows one insert takes: a part of a batch (see enroll.ts) is written in one statement,
 * so it is never longer than the database's bound parameters allow (SQLite binds every value).
 */
export function maxRowsPerInsert(ctx: StoreContext): number {
	return Math.floor(ctx.driver.dialect.maxParams / COLUMNS.length);
}

/**
 * A part's fresh enrollments, built and ready to write: what the database holds about each chain
 * is read first (only for cadences that ask), then the rows and the statement's parameter are
 * built. Enroll builds a part while the part before it is written.
 */
export async function buildEnrollments(
	ctx: StoreContext,
	db: SqlExecutor,
	rows: Array<{ input: ParsedEnroll; cadence: CadenceInfo }>,
	now: number,
): Promise<BuiltPart> {
	const pending: Pending[] = [];
	for (const { input, cadence } of rows) {
		const facts = needsChainFacts(input, cadence) ? await chainFacts(db, input, cadence) : NO_FACTS;
		pending.push({ input, cadence, facts });
	}
	if (pending.length > maxRowsPerInsert(ctx))
		throw new Error(`a part of ${pending.length} enrollments is more than one insert takes`);
	return built(pending, now, writerFor(ctx).payload);
}

/**
 * Inserts a built part, queues its first steps and records their start on the timeline, in one
 * statement on Postgres. A row another process inserted a moment ago (same cadence, contact and
 * conversation, still running) and a contact who opted out are left out; the map holds every
 * enrollment that was written, by identity.
 */
export async function writeEnrollments(
	ctx: StoreContext,
	db: SqlExecutor,
	part: BuiltPart,
	now: number,
): Promise<Map<string, Enrollment>> {
	const byIdentity = new Map<string, Enrollment>();
	if (part.rows.size === 0) return byIdentity;
	const inserted = await writerFor(ctx).write(ctx, db, part, now);
	for (const { id, identity } of inserted)
		byIdentity.set(identity, enrollmentOf(id, part.rows.get(identity)!));
	return byIdentity;
}

function writerFor(ctx: StoreContext): Writer {
	const { dialect } = ctx.driver;
	return dialect.writableCte && dialect.jsonRows(COLUMN_TYPES) !== null
		? IN_ONE_STATEMENT
		: IN_STEPS;
}

/** A row waiting to be built: its input, its cadence and what the database holds about its chain. */
interface Pending {
	input: ParsedEnroll;
	cadence: CadenceInfo;
	facts: ChainFacts;
}

/** A built row, and what the enrollment reads back beyond it: its cadence's name, its variables. */
interface Built {
	row: FreshRow;
	cadenceName: string;
	variables: Record<string, unknown>;
}

/** A part's rows by identity, and the statement's parameters for them. */
export interface BuiltPart {
	rows: Map<string, Built>;
	params: SqlValue[];
}

/** The rows' values, in column order: one JSON array of arrays (Postgres), or all in a row. */
type Payload = (values: SqlValue[][]) => SqlValue[];

function built(part: Pending[], now: number, payload: Payload): BuiltPart {
	const rows = new Map<string, Built>();
	const values: SqlValue[][] = [];
	for (const { input, cadence, facts } of part) {
		const row = rowOf(input, cadence, facts, now);
		rows.set(identityOf(cadence.id, input.contactKey, input.conversationKey), {
			row,
			cadenceName: cadence.name,
			variables: input.variables,
		});
		values.push(COLUMNS.map(([name]) => row[name]));
	}
	return { rows, params: payload(values) };
}

/**
 * The enrollment as `ENROLLMENT_SELECT` would read it back: the written columns, the ones a fresh
 * row leaves NULL, and its first step still waiting (it was queued with the row). The row is
 * not used again, so it takes the read-back columns itself instead of being copied, and the
 * variables are the ones it was written from rather than its JSON parsed again.
 */
function enrollmentOf(id: number, { row, cadenceName, variables }: Built): Enrollment {
	return enrollmentFrom(
		Object.assign(row, { id, cadence_name: cadenceName, waiting_due_at: row.next_due_at }),
		variables,
	);
}

/**
 * What the database holds about a chain before it starts: the contact's last message, for a
 * cadence timed from it (null otherwise, or with none on record), and the run-once steps that
 * already went out to the contact in this conversation. Cadences with neither ask nothing.
 */
interface ChainFacts {
	lastContactMessageAt: number | null;
	sentOnce: ReadonlySet<number>;
}

const NO_FACTS: ChainFacts = { lastContactMessageAt: null, sentOnce: new Set() };

/** Whether the chain's start depends on the database: most cadences ask nothing. */
function needsChainFacts(input: ParsedEnroll, cadence: CadenceInfo): boolean {
	const { definition } = cadence;
	return (
		(input.startAt === undefined && definition.startClock === 'lastContactMessage') ||
		definition.steps.some((step) => step.runOnce)
	);
}

async function chainFacts(
	db: SqlExecutor,
	input: ParsedEnroll,
	cadence: CadenceInfo,
): Promise<ChainFacts> {
	const { definition } = cadence;
	return {
		lastContactMessageAt:
			input.startAt === undefined ? await clockAnchor(db, definition, input) : null,
		sentOnce: await stepsAlreadySentOnce(
			db,
			definition,
			cadence.id,
			input.contactKey,
			input.conversationKey,
		),
	};
}

/** A fresh enrollment's columns. */
function rowOf(
	input: ParsedEnroll,
	cadence: CadenceInfo,
	facts: ChainFacts,
	now: number,
): FreshRow {
	const anchor = input.startAt ?? facts.lastContactMessageAt ?? now;
	const { contactKey, conversationKey } = input;
	const stepIndex = nextRunnableStep(cadence.definition, 0, facts.sentOnce);
	const done = stepIndex >= cadence.definition.steps.length;
	const due = done ? null : dueTimeFor(cadence.definition, stepIndex, anchor, input.timeZone);
	const variables = JSON.stringify(input.variables);
	return {
		cadence_id: cadence.id,
		version: cadence.version,
		contact_key: input.contactKey,
		conversation_key: input.conversationKey,
		contact_name: input.contactName,
		agent: input.agent,
		target_type: input.target?.type ?? null,
		target_id: input.target?.id ?? null,
		variables,
		time_zone: input.timeZone,
		state: done ? 'completed' : 'active',
		cycle: 1,
		next_step: stepIndex,
		next_due_at: due?.at ?? null,
		next_reason: due?.reason ?? null,
		anchor_at: anchor,
		created_at: now,
		updated_at: now,
		ended_at: done ? now : null,
		search_text: enrollmentSearchText({
			contactName: input.contactName,
			contactKey,
			conversationKey,
			agent: input.agent,
			variables,
		}),
	};
}

/**
 * A contact another process enrolled a moment ago is left out by the unique index on running
 * enrollments (ON CONFLICT … DO NOTHING): it is not in what the insert returns.
 */
const SKIP_RUNNING = `ON CONFLICT (cadence_id, contact_key, conversation_key) WHERE state IN ${RUNNING_STATES_SQL} DO NOTHING`;

/**
 * A contact who opted out is not written either: enroll may leave finding them to the insert
 * (see enroll.ts), and one who opts out while the batch is written is caught here too.
 */
function notSuppressed(contactKey: string): string {
	return `NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.contact_key = ${contactKey})`;
}

/** Each written row's id and identity: the columns an insert returns. */
const RETURNED = 'id, cadence_id, contact_key, conversation_key';

type Written = Array<{ id: number; identity: string }>;

function written(rows: Array<Record<string, unknown>>): Written {
	return rows.map((r) => ({
		id: Number(r.id),
		identity: identityOf(Number(r.cadence_id), String(r.contact_key), String(r.conversation_key)),
	}));
}

/** Insert, queue the first steps, and write the "enrolled" events: a few statements. */
async function insertInSteps(
	ctx: StoreContext,
	db: SqlExecutor,
	part: BuiltPart,
	now: number,
): Promise<Written> {
	const inserted = written(
		await db.all(
			`INSERT INTO enrollments (${INSERTED})
			SELECT * FROM (VALUES ${valuesList(part.rows.size, COLUMNS.length)}) AS v
			WHERE ${notSuppressed(valueOf('contact_key'))}
			${SKIP_RUNNING} RETURNING ${RETURNED}`,
			part.params,
		),
	);
	if (inserted.length === 0) return [];
	// In id order, as the events were always written.
	inserted.sort((a, b) => a.id - b.id);
	await queueEnrolled(
		db,
		inserted.map((r) => r.id),
	);
	await appendEvents(
		db,
		inserted.map(({ id, identity }) => {
			const { row } = part.rows.get(identity)!;
			return {
				enrollmentId: id,
				type: 'enrolled',
				at: now,
				detail: {
					version: row.version,
					nextStep: row.next_step,
					dueAt: row.next_due_at,
					reason: row.next_reason,
				},
			};
		}),
		ctx.driver.dialect.maxParams,
	);
	return inserted;
}

/** Every column's value, in COLUMNS order. */
const ROW_VALUES = COLUMNS.map(([name]) => valueOf(name)).join(', ');

/** The first step a row is scheduled for, which it also keeps as its "enrolled" entry. */
const FIRST_STEP = (['next_step', 'next_due_at', 'next_reason'] as const).map(valueOf).join(', ');

/** The columns' SQL types, for reading the rows from JSON. */
const COLUMN_TYPES = COLUMNS.map(([, type]) => type);

/**
 * All of it in one statement of chained writes (Postgres: `dialect.writableCte`), the rows passed
 * as one JSON parameter of arrays (`dialect.jsonRows`, as `updateFromValues` passes them): one round
 * trip, a statement text that stays the same however many rows there are, and far less for the
 * server to parse than named objects or thousands of bind parameters — and prepared, so it is
 * planned once per connection. The "enrolled" timeline entry is the row itself, which keeps its
 * first step (schema version 16).
 */
async function insertInOneStatement(
	ctx: StoreContext,
	db: SqlExecutor,
	part: BuiltPart,
): Promise<Written> {
	return written(
		await db.allPrepared(
			`WITH inserted AS (
				INSERT INTO enrollments (${INSERTED}, enrolled_step, enrolled_due_at, enrolled_reason)
				SELECT ${ROW_VALUES}, ${FIRST_STEP} FROM ${ctx.driver.dialect.jsonRows(COLUMN_TYPES)}
				WHERE ${notSuppressed(valueOf('contact_key'))}
				${SKIP_RUNNING}
				RETURNING id, cadence_id, contact_key, conversation_key, next_due_at
			), queued AS (
				INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
				SELECT cadence_id, next_due_at, id FROM inserted WHERE next_due_at IS NOT NULL
			)
			SELECT ${RETURNED} FROM inserted`,
			part.params,
		),
	);
}

/** How a part is written, and the parameters its statement takes (see `built`). */
interface Writer {
	write(ctx: StoreContext, db: SqlExecutor, part: BuiltPart, now: number): Promise<Written>;
	payload: Payload;
}

const IN_ONE_STATEMENT: Writer = {
	write: insertInOneStatement,
	payload: (values) => [JSON.stringify(values)],
};
const IN_STEPS: Writer = { write: insertInSteps, payload: (values) => values.flat() };

/**
 * Where the first step's wait counts from when no Start Time is given. A cadence timed from the
 * contact's last message starts at the last message the contact wrote in this conversation
 * (or in any, for an enrollment without one), even one recorded before the enrollment; with no
 * message on record, at the enrollment. Messages after it move the clock (see replies.ts).
 */
export async function clockAnchor(
	db: SqlExecutor,
	definition: CadenceDefinition,
	input: ParsedEnroll,
): Promise<number | null> {
	if (definition.startClock !== 'lastContactMessage') return null;
	const [row] = await db.all<{ at: number | null }>(
		`SELECT MAX(at) AS at FROM messages WHERE contact_key = ? AND author = 'contact'
		AND (? = '' OR conversation_key = '' OR conversation_key = ?)`,
		[input.contactKey, input.conversationKey, input.conversationKey],
	);
	return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
