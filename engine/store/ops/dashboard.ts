import { z } from 'zod/v4';
import { parseOrThrow } from '../../validation';
import type { SqlValue } from '../sql/driver';
import type { Enrollment, EnrollmentState } from '../types';
import type { StoreContext } from './context';
import { enrollmentSearch } from './search';
import { ENROLLMENT_COLUMNS, toEnrollment } from './rows';

/**
 * What the follow-up dashboard reads: every enrollment with a follow-up still to come (active or
 * paused), searched, filtered and paged on the server, sorted by when the next follow-up is due;
 * the values its filters offer; counts per agent.
 */

/**
 * When the next follow-up goes out: the queue's time, or for a step held by a pause, its time;
 * nothing scheduled sorts last. Written exactly as in the indexes of migration 8, which hold the
 * running enrollments in this order (and per agent), so a page is read from an index, not sorted.
 */
export const NOTHING_SCHEDULED = 9007199254740991;
const NEXT_AT = `COALESCE(e.next_due_at, e.held_due_at, ${NOTHING_SCHEDULED})`;
const RUNNING = "e.state IN ('active', 'paused')";
/**
 * Enrollments that name an agent: the only ones the per-agent index holds (migration 15), so every
 * query by agent says so in these words, which is how the planner knows the index applies.
 */
const ASSIGNED = "e.agent > ''";

export const followUpQuerySchema = z.object({
	/** Matched against contact name and key, conversation, agent, cadence name and variables. */
	search: z.string().max(200, 'keep the search under 200 characters').default(''),
	agent: z.string().max(512).default(''),
	cadenceId: z.number().int().positive().optional(),
	state: z.enum(['active', 'paused']).optional(),
	limit: z.number().int().min(1).max(200).default(50),
	offset: z.number().int().min(0).max(1_000_000).default(0),
});
export type FollowUpQuery = z.input<typeof followUpQuerySchema>;

export interface FollowUpRow {
	enrollment: Enrollment;
	/** When the next follow-up is due (for a step held by a pause: when it was due). */
	nextAt: number | null;
	/** The next step was handed to the flow and is not confirmed as sent yet. */
	inFlight: boolean;
}

export interface FollowUpPage {
	rows: FollowUpRow[];
	/** Whether rows after this page match too. */
	hasMore: boolean;
}

export async function listFollowUps(
	ctx: StoreContext,
	input: FollowUpQuery = {},
): Promise<FollowUpPage> {
	const query = parseOrThrow(followUpQuerySchema, input, 'follow-up search');
	const conditions = [RUNNING];
	const params: SqlValue[] = [];
	if (query.cadenceId !== undefined) {
		conditions.push('e.cadence_id = ?');
		params.push(query.cadenceId);
	}
	if (query.state) {
		conditions.push('e.state = ?');
		params.push(query.state);
	}
	if (query.agent) {
		conditions.push(ASSIGNED, 'e.agent = ?');
		params.push(query.agent);
	}
	// The same search as Cadence → Get Many.
	const search = enrollmentSearch(query.search);
	if (search) {
		conditions.push(search.sql);
		params.push(...search.params);
	}
	// A search matches rows the index order cannot find early: reading the table once and sorting
	// the matches beats walking the whole index (the unary plus keeps the index out of ORDER BY).
	const order = search ? `+${NEXT_AT}` : NEXT_AT;
	// One row more than the page tells whether there is a next page without counting them all.
	const rows = await ctx.driver.all(
		`SELECT ${ENROLLMENT_COLUMNS}, ${NEXT_AT} AS dashboard_next_at
		FROM enrollments e JOIN cadences c ON c.id = e.cadence_id WHERE ${conditions.join(' AND ')}
		ORDER BY ${order}, e.id LIMIT ? OFFSET ?`,
		[...params, query.limit + 1, query.offset],
	);
	const page = rows.slice(0, query.limit).map((row) => {
		const enrollment = toEnrollment(row);
		const next = Number(row.dashboard_next_at);
		const nextAt = next === NOTHING_SCHEDULED ? null : next;
		return {
			enrollment,
			nextAt,
			inFlight: enrollment.state === 'active' && enrollment.nextDueAt === null && nextAt !== null,
		};
	});
	return { rows: page, hasMore: rows.length > query.limit };
}

export interface FollowUpFacets {
	agents: string[];
	cadences: Array<{ id: number; name: string }>;
}

/** The agents and cadences the filters offer: those with a follow-up still to come. */
export async function followUpFacets(ctx: StoreContext): Promise<FollowUpFacets> {
	// One index seek per agent (a loose index scan) instead of reading every running enrollment.
	const agents = await ctx.driver.all<{ agent: string }>(
		`WITH RECURSIVE a (agent) AS (
			SELECT MIN(e.agent) FROM enrollments e WHERE ${RUNNING} AND ${ASSIGNED}
			UNION ALL
			SELECT (SELECT MIN(e.agent) FROM enrollments e WHERE ${RUNNING} AND ${ASSIGNED}
				AND e.agent > a.agent)
			FROM a WHERE a.agent IS NOT NULL
		) SELECT agent FROM a WHERE agent IS NOT NULL`,
	);
	const cadences = await ctx.driver.all<{ id: number; name: string }>(
		'SELECT id, name FROM cadences ORDER BY name',
	);
	return {
		agents: agents.map((a) => a.agent),
		cadences: cadences.map((c) => ({ id: Number(c.id), name: c.name })),
	};
}

export interface AgentCount {
	agent: string;
	counts: Record<EnrollmentState, number>;
	total: number;
}

/** Enrollments per agent and state (an empty agent is reported as ''). */
export async function agentCounts(ctx: StoreContext): Promise<AgentCount[]> {
	const rows = await ctx.driver.all<{ agent: string; state: string; n: number }>(
		`SELECT agent, state, COUNT(*) AS n FROM enrollments GROUP BY agent, state ORDER BY agent`,
	);
	const byAgent = new Map<string, AgentCount>();
	for (const row of rows) {
		let entry = byAgent.get(row.agent);
		if (!entry) {
			entry = {
				agent: row.agent,
				counts: { active: 0, paused: 0, completed: 0, exited: 0, failed: 0 },
				total: 0,
			};
			byAgent.set(row.agent, entry);
		}
		entry.counts[row.state as EnrollmentState] += Number(row.n);
		entry.total += Number(row.n);
	}
	return [...byAgent.values()];
}

/** When the enrollment's next follow-up is due, including a step held by a pause without end. */
export async function nextFollowUpAt(
	ctx: StoreContext,
	enrollmentId: number,
): Promise<number | null> {
	const rows = await ctx.driver.all<{ at: number | null }>(
		`SELECT ${NEXT_AT} AS at FROM enrollments e WHERE e.id = ?`,
		[enrollmentId],
	);
	const at = rows.length === 0 ? NOTHING_SCHEDULED : Number(rows[0].at);
	return at === NOTHING_SCHEDULED ? null : at;
}
