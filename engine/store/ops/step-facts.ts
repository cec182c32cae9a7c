import { CadenceNotFoundError } from '../../errors';
import type { SqlDriver } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import { chunk, placeholders, type StoreContext } from './context';
import { ENROLLMENT_SELECT, toEnrollment } from './rows';
import { loadStepRuns } from './step-runs';

/**
 * What the gate before sending (Exit Check) needs to know about claimed steps, read fresh for all
 * of an execution's items at once: one query per kind of fact, however many items there are.
 */

export interface StepRef {
	enrollmentId: number;
	stepRunId: number;
}

export interface StepFacts {
	enrollment: Enrollment;
	run: StepRun;
	/** The contact opted out (false when not asked for). */
	suppressed: boolean;
	/** The cadence version's per-contact daily limit; null for none (or when not asked for). */
	perContactPerDay: number | null;
	/** Sends to the contact, any cadence, since `since` (0 when there is no limit to check). */
	sentSince: number;
	/**
	 * When those sends went out, oldest first (empty when there is no limit to check): a step over
	 * the limit is deferred until enough of them age out, with no further read.
	 */
	sendTimes: number[];
}

export interface StepFactsOptions {
	/** Count sends from this moment (Exit Check: 24 hours ago). */
	since: number;
	/** Read opt-outs (Exit Check's opt-out rule is on). */
	suppression: boolean;
	/** Read the per-contact daily limit and the sends it counts (the limit rule is on). */
	limits: boolean;
}

/**
 * Each ref's facts, or a not-found error when its enrollment or its step run (of that
 * enrollment) is not in the store — that item alone fails.
 */
export async function readStepFacts(
	ctx: StoreContext,
	refs: readonly StepRef[],
	options: StepFactsOptions,
): Promise<Array<StepFacts | Error>> {
	if (refs.length === 0) return [];
	const db = ctx.driver;
	const { dialect } = db;
	const enrollmentIds = [...new Set(refs.map((r) => r.enrollmentId))];
	// Side by side: on Postgres each read takes a connection of its own.
	const [enrollmentRows, runs] = await Promise.all([
		db.all(`${ENROLLMENT_SELECT} WHERE ${dialect.inIds('e.id')}`, [
			dialect.idsParam(enrollmentIds),
		]),
		loadStepRuns(db, dialect, [...new Set(refs.map((r) => r.stepRunId))]),
	]);
	const enrollments = new Map(enrollmentRows.map((row) => [Number(row.id), toEnrollment(row)]));
	const found = refs.map((ref) => {
		const enrollment = enrollments.get(ref.enrollmentId);
		const run = runs.get(ref.stepRunId);
		if (!enrollment || !run || run instanceof Error || run.enrollmentId !== enrollment.id) {
			return new CadenceNotFoundError(
				'step',
				`enrollment ${ref.enrollmentId}, step run ${ref.stepRunId}`,
			);
		}
		return { enrollment, run };
	});
	const known = found.filter((f): f is Exclude<typeof f, Error> => !(f instanceof Error));
	const contacts = [...new Set(known.map((f) => f.enrollment.contactKey))];
	const limits = new Map<Enrollment, number | null>();
	if (options.limits) {
		for (const { enrollment } of known) {
			const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
			limits.set(enrollment, definition.limits.perContactPerDay);
		}
	}
	const limited = known.filter((f) => (limits.get(f.enrollment) ?? null) !== null);
	const [suppressed, sent] = await Promise.all([
		options.suppression ? suppressedOf(db, contacts) : new Set<string>(),
		sendsSince(db, [...new Set(limited.map((f) => f.enrollment.contactKey))], options.since),
	]);
	return found.map((f) => {
		if (f instanceof Error) return f;
		const perContactPerDay = limits.get(f.enrollment) ?? null;
		const sendTimes = perContactPerDay === null ? [] : (sent.get(f.enrollment.contactKey) ?? []);
		return {
			...f,
			suppressed: suppressed.has(f.enrollment.contactKey),
			perContactPerDay,
			sentSince: sendTimes.length,
			sendTimes,
		};
	});
}

/** Contact keys go in as a list of parameters, cut to the dialect's limit. */
async function perContact<T>(
	db: SqlDriver,
	contacts: string[],
	query: (part: string[]) => Promise<T[]>,
): Promise<T[]> {
	const rows: T[] = [];
	for (const part of chunk(contacts, db.dialect.maxParams - 10)) {
		if (part.length > 0) rows.push(...(await query(part)));
	}
	return rows;
}

async function suppressedOf(db: SqlDriver, contacts: string[]): Promise<Set<string>> {
	const rows = await perContact(db, contacts, (part) =>
		db.all<{ contact_key: string }>(
			`SELECT contact_key FROM suppressions WHERE contact_key IN (${placeholders(part.length)})`,
			part,
		),
	);
	return new Set(rows.map((r) => String(r.contact_key)));
}

/**
 * When follow-ups were sent to each contact since `since`, oldest first, across every cadence
 * (per-contact daily caps): the count the limit rule compares, and the times its deferral needs.
 */
async function sendsSince(
	db: SqlDriver,
	contacts: string[],
	since: number,
): Promise<Map<string, number[]>> {
	const rows = await perContact(db, contacts, (part) =>
		db.all<{ contact_key: string; sent_at: unknown }>(
			`SELECT e.contact_key, r.sent_at FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			WHERE e.contact_key IN (${placeholders(part.length)}) AND r.sent_at >= ?
			ORDER BY e.contact_key, r.sent_at`,
			[...part, since],
		),
	);
	const times = new Map<string, number[]>();
	for (const row of rows) {
		const contact = String(row.contact_key);
		const list = times.get(contact) ?? [];
		list.push(Number(row.sent_at));
		times.set(contact, list);
	}
	return times;
}
