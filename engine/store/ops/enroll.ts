import type { CadenceDefinition } from '../../cadence/definition';
import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import { dueTimeFor } from '../../domain/scheduling';
import { CadenceValidationError, type FieldProblem } from '../../errors';
import { toProblems } from '../../validation';
import { enrollInputSchema, type EnrollInput } from '../inputs';
import { enrollmentSearchText } from '../search-text';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { EnrollResult, Enrollment } from '../types';
import {
	appendEvents,
	chunk,
	placeholders,
	valuesList,
	type CadenceScope,
	type StoreContext,
} from './context';
import { saveIdentities } from './conversations';
import { queueEnrolled } from './due-queue';
import { restartChain } from './chain';
import { runnableStepFrom } from './run-once';
import { ENROLLMENT_SELECT, toEnrollment } from './rows';

export type ParsedEnroll = ReturnType<typeof enrollInputSchema.parse>;

interface CadenceInfo {
	id: number;
	version: number;
	active: boolean;
	definition: CadenceDefinition;
}

const INSERT_COLUMNS = 20;

/** What makes two enrollments the same: at most one may run per cadence, contact and conversation. */
function identityOf(cadenceId: number, contactKey: string, conversationKey: string): string {
	return `${cadenceId}\u0000${contactKey}\u0000${conversationKey}`;
}

/**
 * Enrolls every input in one transaction: either all of them are recorded or none is. Each
 * result says what happened — enrolled, already enrolled, restarted, suppressed or not allowed.
 */
export async function enroll(
	ctx: StoreContext,
	inputs: EnrollInput[],
	scope: CadenceScope = {},
): Promise<EnrollResult[]> {
	const parsed = validateAll(inputs);
	const now = ctx.now();
	return ctx.driver.transaction((db) => enrollWithin(ctx, db, parsed, scope, now));
}

/** The enrollment rules inside the caller's transaction, for inputs already validated. */
export async function enrollWithin(
	ctx: StoreContext,
	db: SqlExecutor,
	parsed: ParsedEnroll[],
	scope: CadenceScope,
	now: number,
): Promise<EnrollResult[]> {
	const results: EnrollResult[] = new Array(parsed.length);
	const cadences = new Map<string | number, CadenceInfo>();
	for (const input of parsed) {
		if (!cadences.has(input.cadence))
			cadences.set(input.cadence, await loadCadence(ctx, db, input.cadence, scope));
	}
	const { maxParams } = ctx.driver.dialect;
	for (const input of parsed) {
		if (input.identities.length > 0)
			await saveIdentities(db, input.contactKey, input.identities, now);
	}
	const suppressed = await suppressedAmong(
		db,
		parsed.map((p) => p.contactKey),
		maxParams,
	);
	const runningNow = await runningAmong(db, parsed, cadences, maxParams);
	const toInsert: Array<{ index: number; input: ParsedEnroll; cadence: CadenceInfo }> = [];
	const seen = new Map<string, number>();

	for (const [index, input] of parsed.entries()) {
		const cadence = cadences.get(input.cadence)!;
		const identity = identityOf(cadence.id, input.contactKey, input.conversationKey);
		if (suppressed.has(input.contactKey)) {
			results[index] = {
				outcome: 'suppressed',
				enrollment: null,
				message: 'This contact opted out; no cadence will message them.',
			};
			continue;
		}
		if (!cadence.active) {
			results[index] = {
				outcome: 'notAllowed',
				enrollment: null,
				message: `The cadence "${cadence.definition.name}" is paused; turn it back on to enroll contacts.`,
			};
			continue;
		}
		if (seen.has(identity)) {
			results[index] = {
				outcome: 'alreadyEnrolled',
				enrollment: null,
				message: `Listed twice in this batch; enrolled once (item ${seen.get(identity)}).`,
			};
			continue;
		}
		seen.set(identity, index);
		const running = runningNow.get(identity);
		if (running) {
			const anchor = input.startAt ?? (await clockAnchor(db, cadence.definition, input)) ?? now;
			results[index] = await onRepeat(ctx, db, running, cadence.definition, anchor, now);
			continue;
		}
		if (
			cadence.definition.reenrollment.afterEnd === 'never' &&
			(await hasEnded(db, cadence.id, input))
		) {
			results[index] = {
				outcome: 'notAllowed',
				enrollment: null,
				message:
					'This contact already went through this cadence, and it allows one enrollment per contact.',
			};
			continue;
		}
		toInsert.push({ index, input, cadence });
	}

	const inserted = await insertEnrollments(ctx, db, toInsert, now);
	for (const { index, input, cadence } of toInsert) {
		const enrollment = inserted.get(
			identityOf(cadence.id, input.contactKey, input.conversationKey),
		);
		results[index] = enrollment
			? { outcome: 'enrolled', enrollment, message: 'Enrolled.' }
			: {
					outcome: 'alreadyEnrolled',
					enrollment: await runningEnrollment(
						db,
						cadence.id,
						input.contactKey,
						input.conversationKey,
					),
					message: 'Already enrolled (by another process a moment ago).',
				};
	}
	return results;
}

function validateAll(inputs: EnrollInput[]): ParsedEnroll[] {
	if (!Array.isArray(inputs) || inputs.length === 0) {
		throw new CadenceValidationError('enrollment', [
			{ field: '', message: 'give at least one contact to enroll' },
		]);
	}
	const problems: FieldProblem[] = [];
	const parsed = inputs.map((input, index) => {
		const result = enrollInputSchema.safeParse(input);
		if (result.success) return result.data;
		const prefix = inputs.length > 1 ? `item ${index + 1}: ` : '';
		for (const problem of toProblems(result.error))
			problems.push({ ...problem, field: prefix + problem.field });
		return null;
	});
	if (problems.length > 0) throw new CadenceValidationError('enrollment', problems);
	return parsed as ParsedEnroll[];
}

async function loadCadence(
	ctx: StoreContext,
	db: SqlExecutor,
	ref: string | number,
	scope: CadenceScope,
): Promise<CadenceInfo> {
	const id = await ctx.cadenceId(db, ref, scope);
	const [row] = await db.all<{ latest_version: number; active: number }>(
		'SELECT latest_version, active FROM cadences WHERE id = ?',
		[id],
	);
	const version = Number(row.latest_version);
	return {
		id,
		version,
		active: Number(row.active) === 1,
		definition: await ctx.definition(db, id, version),
	};
}

async function suppressedAmong(
	db: SqlExecutor,
	keys: string[],
	maxParams: number,
): Promise<Set<string>> {
	const found = new Set<string>();
	for (const part of chunk([...new Set(keys)], maxParams)) {
		const rows = await db.all<{ contact_key: string }>(
			`SELECT contact_key FROM suppressions WHERE contact_key IN (${placeholders(part.length)})`,
			part,
		);
		for (const row of rows) found.add(row.contact_key);
	}
	return found;
}

/** The running enrollments among the batch's contacts, found in one query per cadence and chunk. */
async function runningAmong(
	db: SqlExecutor,
	inputs: ParsedEnroll[],
	cadences: Map<string | number, CadenceInfo>,
	maxParams: number,
): Promise<Map<string, Enrollment>> {
	const found = new Map<string, Enrollment>();
	const keysByCadence = new Map<number, Set<string>>();
	for (const input of inputs) {
		const id = cadences.get(input.cadence)!.id;
		if (!keysByCadence.has(id)) keysByCadence.set(id, new Set());
		keysByCadence.get(id)!.add(input.contactKey);
	}
	for (const [cadenceId, keys] of keysByCadence) {
		for (const part of chunk([...keys], maxParams - 1)) {
			const rows = await db.all(
				`${ENROLLMENT_SELECT} WHERE e.cadence_id = ? AND e.state IN ${RUNNING_STATES_SQL}
				AND e.contact_key IN (${placeholders(part.length)})`,
				[cadenceId, ...part],
			);
			for (const enrollment of rows.map(toEnrollment)) {
				found.set(
					identityOf(cadenceId, enrollment.contactKey, enrollment.conversationKey),
					enrollment,
				);
			}
		}
	}
	return found;
}

export async function runningEnrollment(
	db: SqlExecutor,
	cadenceId: number,
	contactKey: string,
	conversationKey: string,
): Promise<Enrollment | null> {
	const rows = await db.all(
		`${ENROLLMENT_SELECT} WHERE e.cadence_id = ? AND e.contact_key = ? AND e.conversation_key = ?
		AND e.state IN ${RUNNING_STATES_SQL}`,
		[cadenceId, contactKey, conversationKey],
	);
	return rows.length > 0 ? toEnrollment(rows[0]) : null;
}

async function hasEnded(db: SqlExecutor, cadenceId: number, input: ParsedEnroll): Promise<boolean> {
	const rows = await db.all(
		`SELECT 1 AS found FROM enrollments WHERE cadence_id = ? AND contact_key = ? AND conversation_key = ?
		AND state NOT IN ${RUNNING_STATES_SQL} LIMIT 1`,
		[cadenceId, input.contactKey, input.conversationKey],
	);
	return rows.length > 0;
}

async function onRepeat(
	ctx: StoreContext,
	db: SqlExecutor,
	running: Enrollment,
	definition: CadenceDefinition,
	startAt: number,
	now: number,
): Promise<EnrollResult> {
	if (definition.reenrollment.whileActive === 'ignore') {
		return {
			outcome: 'alreadyEnrolled',
			enrollment: running,
			message: 'Already enrolled; the running enrollment continues unchanged.',
		};
	}
	const restarted = await restartChain(ctx, db, running, startAt, now, 'enrolled again');
	return {
		outcome: 'restarted',
		enrollment: restarted,
		message: 'Already enrolled; its clock restarted from step 1.',
	};
}

async function insertEnrollments(
	ctx: StoreContext,
	db: SqlExecutor,
	rows: Array<{ input: ParsedEnroll; cadence: CadenceInfo }>,
	now: number,
): Promise<Map<string, Enrollment>> {
	const byIdentity = new Map<string, Enrollment>();
	const { dialect } = ctx.driver;
	const maxRows = Math.floor(dialect.maxParams / INSERT_COLUMNS);
	const insert = dialect.writableCte ? insertInOneStatement : insertInSteps;
	for (const part of chunk(rows, Math.min(500, maxRows))) {
		const values: SqlValue[][] = [];
		for (const { input, cadence } of part) values.push(await rowOf(db, input, cadence, now));
		for (const enrollment of await insert(ctx, db, values, now)) {
			byIdentity.set(
				identityOf(enrollment.cadenceId, enrollment.contactKey, enrollment.conversationKey),
				enrollment,
			);
		}
	}
	return byIdentity;
}

const INSERTED = `cadence_id, version, contact_key, conversation_key, contact_name, agent, target_type,
	target_id, variables, time_zone, state, cycle, next_step, next_due_at, next_reason, anchor_at,
	created_at, updated_at, ended_at, search_text`;

/** A fresh enrollment's columns, in INSERTED order. */
async function rowOf(
	db: SqlExecutor,
	input: ParsedEnroll,
	cadence: CadenceInfo,
	now: number,
): Promise<SqlValue[]> {
	const anchor = input.startAt ?? (await clockAnchor(db, cadence.definition, input)) ?? now;
	const owner = { cadenceId: cadence.id, ...input };
	const stepIndex = await runnableStepFrom(db, cadence.definition, owner, 0);
	const done = stepIndex >= cadence.definition.steps.length;
	const due = done ? null : dueTimeFor(cadence.definition, stepIndex, anchor, input.timeZone);
	const variables = JSON.stringify(input.variables);
	return [
		cadence.id,
		cadence.version,
		input.contactKey,
		input.conversationKey,
		input.contactName,
		input.agent,
		input.target?.type ?? null,
		input.target?.id ?? null,
		variables,
		input.timeZone,
		done ? 'completed' : 'active',
		1,
		stepIndex,
		due?.at ?? null,
		due?.reason ?? null,
		anchor,
		now,
		now,
		done ? now : null,
		enrollmentSearchText({ ...input, cadenceName: cadence.definition.name, variables }),
	];
}

/**
 * A contact another process enrolled a moment ago is left out by the unique index on running
 * enrollments (ON CONFLICT … DO NOTHING): it is not in what the insert returns.
 */
const SKIP_RUNNING = `ON CONFLICT (cadence_id, contact_key, conversation_key) WHERE state IN ${RUNNING_STATES_SQL} DO NOTHING`;

type InsertEnrollments = (
	ctx: StoreContext,
	db: SqlExecutor,
	values: SqlValue[][],
	now: number,
) => Promise<Enrollment[]>;

/** Insert, queue the first steps, and write the "enrolled" events: a few statements. */
const insertInSteps: InsertEnrollments = async (ctx, db, values, now) => {
	const inserted = await db.all<{ id: number }>(
		`INSERT INTO enrollments (${INSERTED}) VALUES ${valuesList(values.length, INSERT_COLUMNS)}
		${SKIP_RUNNING} RETURNING id`,
		values.flat(),
	);
	const ids = inserted.map((r) => Number(r.id));
	if (ids.length === 0) return [];
	await queueEnrolled(db, ids);
	const fresh = (
		await db.all(`${ENROLLMENT_SELECT} WHERE e.id IN (${placeholders(ids.length)})`, ids)
	).map(toEnrollment);
	await appendEvents(
		db,
		fresh.map((e) => ({
			enrollmentId: e.id,
			type: 'enrolled',
			at: now,
			detail: {
				version: e.version,
				nextStep: e.nextStep,
				dueAt: e.nextDueAt,
				reason: e.nextReason,
			},
		})),
		ctx.driver.dialect.maxParams,
	);
	return fresh;
};

/** Each column's type as Postgres reads it from the rows' JSON. */
const INSERTED_TYPES = [
	'BIGINT',
	'INTEGER',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'TEXT',
	'INTEGER',
	'INTEGER',
	'BIGINT',
	'TEXT',
	'BIGINT',
	'BIGINT',
	'BIGINT',
	'BIGINT',
	'TEXT',
];
const INSERTED_NAMES = INSERTED.split(',').map((c) => c.trim());
const RECORD_TYPE = INSERTED_NAMES.map((c, i) => `${c} ${INSERTED_TYPES[i]}`).join(', ');

/**
 * All of it in one statement of chained writes (Postgres: `dialect.writableCte`), the rows passed
 * as one JSON parameter: one round trip, and a statement text that stays the same however many
 * rows there are, so the server parses a few hundred bytes instead of thousands of parameters.
 */
const insertInOneStatement: InsertEnrollments = async (ctx, db, values, now) => {
	const { dialect } = ctx.driver;
	const json = JSON.stringify(
		values.map((row) => Object.fromEntries(INSERTED_NAMES.map((c, i) => [c, row[i]]))),
	);
	const rows = await db.all(
		`WITH inserted AS (
			INSERT INTO enrollments (${INSERTED})
			SELECT ${INSERTED} FROM json_to_recordset(CAST(? AS JSON)) AS r(${RECORD_TYPE})
			${SKIP_RUNNING}
			RETURNING *
		), queued AS (
			INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
			SELECT cadence_id, next_due_at, id FROM inserted WHERE next_due_at IS NOT NULL
		), logged AS (
			INSERT INTO events (enrollment_id, type, at, detail)
			SELECT id, 'enrolled', ?,
				${dialect.jsonObject("'version', version, 'nextStep', next_step, 'dueAt', next_due_at, 'reason', next_reason")}
			FROM inserted ORDER BY id
		)
		SELECT i.*, c.name AS cadence_name, i.next_due_at AS waiting_due_at
		FROM inserted i JOIN cadences c ON c.id = i.cadence_id ORDER BY i.id`,
		[json, now],
	);
	return rows.map(toEnrollment);
};

/**
 * Where the first step's wait counts from when no Start Time is given. A cadence timed from the
 * contact's last message starts at the last message the contact wrote in this conversation
 * (or in any, for an enrollment without one), even one recorded before the enrollment; with no
 * message on record, at the enrollment. Messages after it move the clock (see replies.ts).
 */
async function clockAnchor(
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
