import { parseOrThrow } from '../../validation';
import {
	historyInputSchema,
	listInputSchema,
	reportInputSchema,
	type HistoryInput,
	type ListInput,
	type ReportInput,
} from '../inputs';
import type { Row, SqlValue } from '../sql/driver';
import {
	type ConversationMessage,
	type Enrollment,
	type EnrollmentState,
	type StateCount,
	type StepRun,
	type TimelineEvent,
} from '../types';
import { chunk, type StoreContext } from './context';
import { valuesTable } from './values-table';
import { enrollmentSearch } from './search';
import { loadStepRun } from './step-runs';
import { ENROLLMENT_SELECT, toEnrollment, toEvent, toMessage, toStepRun } from './rows';

/** Read-only views: the monitoring dashboard, a contact's panel, the timeline and the reports. */

export async function getEnrollment(ctx: StoreContext, id: number): Promise<Enrollment | null> {
	const rows = await ctx.driver.all(`${ENROLLMENT_SELECT} WHERE e.id = ?`, [id]);
	return rows.length > 0 ? toEnrollment(rows[0]) : null;
}

/** Search and filter enrollments, newest first: by cadence, state, contact, agent or free text. */
export async function listEnrollments(
	ctx: StoreContext,
	input: ListInput = {},
): Promise<Enrollment[]> {
	const filter = parseOrThrow(listInputSchema, input, 'enrollment search');
	const conditions: string[] = [];
	const params: SqlValue[] = [];
	if (filter.cadence !== undefined) {
		conditions.push('c.id = ?');
		params.push(await ctx.cadenceId(ctx.driver, filter.cadence));
	}
	if (filter.state) {
		conditions.push('e.state = ?');
		params.push(filter.state);
	}
	if (filter.contactKey) {
		conditions.push('e.contact_key = ?');
		params.push(filter.contactKey);
	}
	if (filter.agent) {
		conditions.push('LOWER(e.agent) = ?');
		params.push(filter.agent.toLowerCase());
	}
	const search = enrollmentSearch(filter.search);
	if (search) {
		conditions.push(search.sql);
		params.push(...search.params);
	}
	const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
	const rows = await ctx.driver.all(
		`${ENROLLMENT_SELECT}${where} ORDER BY e.id DESC LIMIT ? OFFSET ?`,
		[...params, filter.limit, filter.offset],
	);
	return rows.map(toEnrollment);
}

/** Everything that happened to one enrollment, oldest first. */
export async function getTimeline(
	ctx: StoreContext,
	enrollmentId: number,
): Promise<TimelineEvent[]> {
	const rows = await ctx.driver.all('SELECT * FROM events WHERE enrollment_id = ? ORDER BY id', [
		enrollmentId,
	]);
	return rows.map(toEvent);
}

/** One step run by id or idempotency key; fails naming what was asked when there is none. */
export async function getStepRun(
	ctx: StoreContext,
	ref: { stepRunId?: number; idempotencyKey?: string },
): Promise<StepRun> {
	return loadStepRun(ctx.driver, ref);
}

export async function getStepRuns(ctx: StoreContext, enrollmentId: number): Promise<StepRun[]> {
	const rows = await ctx.driver.all('SELECT * FROM step_runs WHERE enrollment_id = ? ORDER BY id', [
		enrollmentId,
	]);
	return rows.map(toStepRun);
}

/**
 * The conversation as the AI should read it: inbound and outbound, including earlier follow-ups,
 * oldest first. Without a conversation key, every conversation of the contact.
 */
export async function getConversation(
	ctx: StoreContext,
	input: HistoryInput,
): Promise<ConversationMessage[]> {
	const [result] = await getConversations(ctx, [input]);
	if (result instanceof Error) throw result;
	return result;
}

/**
 * Several conversations in one query (the trigger reads one per due step): each input's last
 * `limit` messages, oldest first, or its own error for bad input.
 */
export async function getConversations(
	ctx: StoreContext,
	inputs: readonly HistoryInput[],
): Promise<Array<ConversationMessage[] | Error>> {
	const results: Array<ConversationMessage[] | Error> = new Array(inputs.length);
	const rows: SqlValue[][] = [];
	inputs.forEach((input, index) => {
		try {
			const query = parseOrThrow(historyInputSchema, input, 'conversation query');
			const byConversation = query.conversationKey !== undefined;
			rows.push([
				index,
				query.contactKey,
				query.conversationKey ?? '',
				byConversation ? 1 : 0,
				query.limit,
			]);
			results[index] = [];
		} catch (error) {
			results[index] = error as Error;
		}
	});
	const { dialect } = ctx.driver;
	for (const part of chunk(rows, Math.floor(dialect.maxParams / 5))) {
		if (part.length === 0) continue;
		// The newest `limit` of each conversation, numbered from the newest.
		const messages = await ctx.driver.all<Row & { asked: unknown }>(
			`SELECT * FROM (
				SELECT m.*, v.column1 AS asked, v.column5 AS most,
					ROW_NUMBER() OVER (PARTITION BY v.column1 ORDER BY m.at DESC, m.id DESC) AS newest
				FROM ${valuesTable(dialect, ['int', 'text', 'text', 'int', 'int'], part.length)}
				JOIN messages m ON m.contact_key = v.column2
					AND (v.column4 = 0 OR m.conversation_key = v.column3)
			) recent WHERE newest <= most ORDER BY asked, at, id`,
			part.flat(),
		);
		for (const row of messages)
			(results[Number(row.asked)] as ConversationMessage[]).push(toMessage(row));
	}
	return results;
}

/** How many enrollments are in each state, per cadence. */
export async function stateDistribution(
	ctx: StoreContext,
	input: ReportInput = {},
): Promise<StateCount[]> {
	const { cadence } = parseOrThrow(reportInputSchema, input, 'report');
	const params: SqlValue[] = [];
	let where = '';
	if (cadence !== undefined) {
		where = ' WHERE c.id = ?';
		params.push(await ctx.cadenceId(ctx.driver, cadence));
	}
	const rows = await ctx.driver.all<{ cadence_id: number; name: string; state: string; n: number }>(
		`SELECT e.cadence_id, c.name, e.state, COUNT(*) AS n FROM enrollments e JOIN cadences c ON c.id = e.cadence_id${where}
		GROUP BY e.cadence_id, c.name, e.state ORDER BY c.name, e.state`,
		params,
	);
	return rows.map((r) => ({
		cadenceId: Number(r.cadence_id),
		cadenceName: r.name,
		state: r.state as EnrollmentState,
		count: Number(r.n),
	}));
}

/** When each follow-up to a contact since `since` went out, across every cadence, oldest first. */
export async function sendTimesToContact(
	ctx: StoreContext,
	contactKey: string,
	since: number,
): Promise<number[]> {
	const rows = await ctx.driver.all<{ sent_at: number }>(
		`SELECT r.sent_at FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		WHERE e.contact_key = ? AND r.sent_at >= ? ORDER BY r.sent_at`,
		[contactKey, since],
	);
	return rows.map((r) => Number(r.sent_at));
}

/** Follow-ups sent to a contact since `since`, across every cadence (for per-contact daily caps). */
export async function countSentToContact(
	ctx: StoreContext,
	contactKey: string,
	since: number,
): Promise<number> {
	return (await sendTimesToContact(ctx, contactKey, since)).length;
}
