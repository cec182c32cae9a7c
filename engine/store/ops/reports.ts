import { RUNNING_STATES_SQL } from '../../domain/enrollment-state';
import type { ComposeMode } from '../../cadence/definition';
import { parseOrThrow } from '../../validation';
import {
	replyRatesInputSchema,
	reportInputSchema,
	type ReplyRatesInput,
	type ReportInput,
} from '../inputs';
import type { SqlValue } from '../sql/driver';
import { STEP_STATUSES, type FunnelRow, type ReplyRateRow, type StepStatus } from '../types';
import type { StoreContext } from './context';

/**
 * The reports: the funnel (how many sends reached each status) and reply rates. A reply counts
 * as replied only when a person wrote it; out-of-office notes and auto-replies are counted apart
 * (step_runs.reply_kind), so a cadence is not credited with replies no one wrote.
 */

async function cadenceFilter(ctx: StoreContext, cadence: string | number | undefined) {
	if (cadence === undefined) return { where: '', params: [] as SqlValue[] };
	return { where: ' WHERE r.cadence_id = ?', params: [await ctx.cadenceId(ctx.driver, cadence)] };
}

/** Per cadence, step and compose mode: how many step runs are at each status now. */
export async function funnel(ctx: StoreContext, input: ReportInput = {}): Promise<FunnelRow[]> {
	const { cadence } = parseOrThrow(reportInputSchema, input, 'report');
	const { where, params } = await cadenceFilter(ctx, cadence);
	const rows = await ctx.driver.all<{
		cadence_id: number;
		name: string;
		step_index: number;
		compose_mode: string;
		status: string;
		reply_kind: string | null;
		n: number;
	}>(
		`SELECT r.cadence_id, c.name, r.step_index, r.compose_mode, r.status, r.reply_kind, COUNT(*) AS n
		FROM step_runs r JOIN cadences c ON c.id = r.cadence_id${where}
		GROUP BY r.cadence_id, c.name, r.step_index, r.compose_mode, r.status, r.reply_kind
		ORDER BY c.name, r.cadence_id, r.step_index, r.compose_mode`,
		params,
	);
	const byKey = new Map<string, FunnelRow>();
	for (const row of rows) {
		const key = `${row.cadence_id}:${row.step_index}:${row.compose_mode}`;
		let entry = byKey.get(key);
		if (!entry) {
			entry = {
				cadenceId: Number(row.cadence_id),
				cadenceName: row.name,
				stepIndex: Number(row.step_index),
				composeMode: row.compose_mode as ComposeMode,
				counts: Object.fromEntries(STEP_STATUSES.map((s) => [s, 0])) as Record<StepStatus, number>,
				total: 0,
				outOfOffice: 0,
				autoReplies: 0,
			};
			byKey.set(key, entry);
		}
		const n = Number(row.n);
		entry.counts[row.status as StepStatus] += n;
		entry.total += n;
		if (row.reply_kind === 'outOfOffice') entry.outOfOffice += n;
		if (row.reply_kind === 'autoReply') entry.autoReplies += n;
	}
	return [...byKey.values()];
}

const GROUP_COLUMN: Record<ReplyRateRow['by'], string> = {
	step: 'r.step_index',
	composeMode: 'r.compose_mode',
	version: 'e.version',
	agent: 'e.agent',
};

/**
 * Reply rates per cadence and group: per step, per compose mode, per cadence version, or per
 * agent (with how many of the agent's enrollments are still in follow-up: seed 001's "if one
 * employee consistently has many chats in follow-up…").
 */
export async function replyRates(
	ctx: StoreContext,
	input: ReplyRatesInput = {},
): Promise<ReplyRateRow[]> {
	const { cadence, by } = parseOrThrow(replyRatesInputSchema, input, 'report');
	const { where, params } = await cadenceFilter(ctx, cadence);
	const count = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
	const rows = await ctx.driver.all<Record<string, string | number | null>>(
		`SELECT r.cadence_id, c.name, ${GROUP_COLUMN[by]} AS grp,
			${count('r.sent_at IS NOT NULL')} AS sent,
			${count("r.status = 'replied'")} AS replied,
			${count("r.reply_kind = 'outOfOffice'")} AS ooo,
			${count("r.reply_kind = 'autoReply'")} AS auto,
			${count("r.status = 'skipped'")} AS skipped,
			${count("r.status = 'failed'")} AS failed
		FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		JOIN cadences c ON c.id = r.cadence_id${where}
		GROUP BY r.cadence_id, c.name, ${GROUP_COLUMN[by]}
		ORDER BY c.name, r.cadence_id, ${GROUP_COLUMN[by]}`,
		params,
	);
	const result = rows.map((row): ReplyRateRow => {
		const sent = Number(row.sent);
		const replied = Number(row.replied);
		return {
			cadenceId: Number(row.cadence_id),
			cadenceName: String(row.name),
			by,
			group: groupValue(by, row.grp),
			sent,
			replied,
			outOfOffice: Number(row.ooo),
			autoReplies: Number(row.auto),
			skipped: Number(row.skipped),
			failed: Number(row.failed),
			replyRate: sent === 0 ? null : Math.round((replied / sent) * 10_000) / 10_000,
		};
	});
	return by === 'agent' ? withFollowUpCounts(ctx, result, cadence) : result;
}

function groupValue(by: ReplyRateRow['by'], value: unknown): string | number {
	if (by === 'step') return Number(value) + 1;
	if (by === 'version') return Number(value);
	return String(value ?? '');
}

/** Adds each agent's running enrollments, including agents with nothing sent yet. */
async function withFollowUpCounts(
	ctx: StoreContext,
	rows: ReplyRateRow[],
	cadence: string | number | undefined,
): Promise<ReplyRateRow[]> {
	const params: SqlValue[] = [];
	let filter = '';
	if (cadence !== undefined) {
		filter = ' AND e.cadence_id = ?';
		params.push(await ctx.cadenceId(ctx.driver, cadence));
	}
	const running = await ctx.driver.all<{
		cadence_id: number;
		name: string;
		agent: string;
		n: number;
	}>(
		`SELECT e.cadence_id, c.name, e.agent, COUNT(*) AS n FROM enrollments e
		JOIN cadences c ON c.id = e.cadence_id WHERE e.state IN ${RUNNING_STATES_SQL}${filter}
		GROUP BY e.cadence_id, c.name, e.agent`,
		params,
	);
	const key = (cadenceId: number, agent: string) => `${cadenceId}\u0000${agent}`;
	const byKey = new Map(rows.map((r) => [key(r.cadenceId, String(r.group)), r]));
	for (const r of rows) r.inFollowUp = 0;
	for (const row of running) {
		const cadenceId = Number(row.cadence_id);
		const existing = byKey.get(key(cadenceId, row.agent));
		if (existing) {
			existing.inFollowUp = Number(row.n);
			continue;
		}
		const fresh: ReplyRateRow = {
			cadenceId,
			cadenceName: row.name,
			by: 'agent',
			group: row.agent,
			sent: 0,
			replied: 0,
			outOfOffice: 0,
			autoReplies: 0,
			skipped: 0,
			failed: 0,
			replyRate: null,
			inFollowUp: Number(row.n),
		};
		byKey.set(key(cadenceId, row.agent), fresh);
		rows.push(fresh);
	}
	return rows.sort(
		(a, b) =>
			a.cadenceName.localeCompare(b.cadenceName) ||
			a.cadenceId - b.cadenceId ||
			String(a.group).localeCompare(String(b.group)),
	);
}
