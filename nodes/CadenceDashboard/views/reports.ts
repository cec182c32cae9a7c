import {
	ENROLLMENT_STATES,
	type AgentCount,
	type Enrollment,
	type FunnelRow,
	type ReplyRateRow,
	type StateCount,
	type StepRun,
} from '../../../engine';
import { esc, localTime, page, query, type Frame } from './layout';

/** Reports (seed 004): the funnel, enrollments by state and agent, stuck follow-ups. */

export interface ReportsView {
	funnel: FunnelRow[];
	byVersion: ReplyRateRow[];
	byComposeMode: ReplyRateRow[];
	states: StateCount[];
	agents: AgentCount[];
	stuck: Array<{ stepRun: StepRun; enrollment: Enrollment }>;
	stuckAfterMinutes: number;
	zone: string;
	token: string;
	flash: string;
	error: string;
}

const MODE_WORDS: Record<string, string> = {
	static: 'Static text',
	aiAssisted: 'AI draft, approved',
	aiFull: 'AI',
};

/** Sends that went out: everything past "sent" counts, a reply included. */
export function sentCount(counts: Record<string, number>): number {
	return counts.sent + counts.delivered + counts.read + counts.replied;
}

export function percent(part: number, whole: number): string {
	return whole === 0 ? '—' : `${Math.round((part / whole) * 1000) / 10}%`;
}

const n = (value: number) => `<td class="num">${value}</td>`;

function funnel(view: ReportsView): string {
	if (view.funnel.length === 0) return '<p class="muted">No follow-up has been handed out yet.</p>';
	const rows = view.funnel
		.map((r) => {
			const sent = sentCount(r.counts);
			return `<tr data-cadence="${esc(r.cadenceName)}" data-step="${r.stepIndex + 1}" data-mode="${esc(r.composeMode)}"><td>${esc(r.cadenceName)}</td><td class="num">${r.stepIndex + 1}</td><td>${esc(MODE_WORDS[r.composeMode] ?? r.composeMode)}</td>${n(r.total)}${n(sent)}${n(r.counts.delivered + r.counts.read + r.counts.replied)}${n(r.counts.read + r.counts.replied)}<td class="num" data-replied="${r.counts.replied}">${r.counts.replied}</td><td class="num">${percent(r.counts.replied, sent)}</td>${n(r.outOfOffice)}${n(r.autoReplies)}${n(r.counts.skipped)}${n(r.counts.failed)}${n(r.counts.pending + r.counts.scheduled)}</tr>`;
		})
		.join('');
	return `<table id="funnel"><thead><tr><th>Cadence</th><th class="num">Step</th><th>Written by</th><th class="num">Handed out</th><th class="num">Sent</th><th class="num">Delivered</th><th class="num">Read</th><th class="num">Replied by a person</th><th class="num">Reply rate</th><th class="num">Out of office</th><th class="num">Auto-replies</th><th class="num">Skipped</th><th class="num">Failed</th><th class="num">In progress</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Reply rates grouped by version or by compose mode, as the store reports them. */
function rates(id: string, label: string, rows: ReplyRateRow[], word = (g: string) => g): string {
	if (rows.length === 0) return '<p class="muted">Nothing sent yet.</p>';
	const body = rows
		.map(
			(r) =>
				`<tr data-cadence="${esc(r.cadenceName)}" data-group="${esc(r.group)}"><td>${esc(r.cadenceName)}</td><td>${esc(word(String(r.group)))}</td>${n(r.sent)}${n(r.replied)}<td class="num">${percent(r.replied, r.sent)}</td></tr>`,
		)
		.join('');
	return `<table id="${id}"><thead><tr><th>Cadence</th><th>${label}</th><th class="num">Sent</th><th class="num">Replied by a person</th><th class="num">Reply rate</th></tr></thead><tbody>${body}</tbody></table>`;
}

function states(view: ReportsView): string {
	const byCadence = new Map<string, Record<string, number>>();
	for (const s of view.states) {
		const entry = byCadence.get(s.cadenceName) ?? {};
		entry[s.state] = s.count;
		byCadence.set(s.cadenceName, entry);
	}
	if (byCadence.size === 0) return '<p class="muted">Nobody enrolled yet.</p>';
	const rows = [...byCadence]
		.map(
			([name, counts]) =>
				`<tr data-cadence="${esc(name)}"><td>${esc(name)}</td>${ENROLLMENT_STATES.map((s) => `<td class="num" data-state="${s}">${counts[s] ?? 0}</td>`).join('')}</tr>`,
		)
		.join('');
	return `<table id="states"><thead><tr><th>Cadence</th>${ENROLLMENT_STATES.map((s) => `<th class="num">${s}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

function agents(view: ReportsView): string {
	if (view.agents.length === 0) return '<p class="muted">Nobody enrolled yet.</p>';
	const rows = view.agents
		.map(
			(a) =>
				`<tr data-agent="${esc(a.agent)}"><td>${a.agent ? `<a href="${esc(query({ agent: a.agent }))}">${esc(a.agent)}</a>` : '<span class="muted">no agent</span>'}</td><td class="num" data-count="running">${a.counts.active + a.counts.paused}</td>${n(a.counts.completed)}${n(a.counts.exited)}${n(a.counts.failed)}<td class="num" data-count="total">${a.total}</td></tr>`,
		)
		.join('');
	return `<table id="agents"><thead><tr><th>Agent</th><th class="num">With follow-ups to come</th><th class="num">Completed</th><th class="num">Exited</th><th class="num">Failed</th><th class="num">All</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function stuck(view: ReportsView): string {
	const intro = `<p class="muted">Follow-ups handed to the workflow more than ${view.stuckAfterMinutes} minutes ago and never confirmed as sent (a send node failed, or the flow stopped before Mark Sent). They are not resent on their own: Retry hands the step out again with the same idempotency key.</p>`;
	if (view.stuck.length === 0) return `${intro}<p class="muted" id="no-stuck">None.</p>`;
	const rows = view.stuck
		.map(
			({ stepRun, enrollment }) =>
				`<tr data-step-run="${stepRun.id}"><td><a href="${query({ enrollment: enrollment.id })}">${esc(enrollment.contactName || enrollment.contactKey)}</a></td><td>${esc(enrollment.cadenceName)}</td><td class="num">${stepRun.stepIndex + 1}</td><td>${esc(localTime(stepRun.claimedAt, view.zone))}</td><td><form method="post"><input type="hidden" name="token" value="${esc(view.token)}"><input type="hidden" name="stepRun" value="${stepRun.id}"><button type="submit" name="action" value="retry">Retry</button></form></td></tr>`,
		)
		.join('');
	return `${intro}<table id="stuck"><thead><tr><th>Contact</th><th>Cadence</th><th class="num">Step</th><th>Handed out</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function reportsPage(frame: Frame, view: ReportsView): string {
	const flash = view.flash ? `<p class="flash" role="status">${esc(view.flash)}</p>` : '';
	const error = view.error ? `<p class="error" role="alert">${esc(view.error)}</p>` : '';
	return page(
		frame,
		`${flash}${error}<section class="card"><h2>Funnel by cadence, step and how it was written</h2>${funnel(view)}</section>
<div class="grid"><section class="card"><h2>Reply rate by version</h2>${rates('by-version', 'Version', view.byVersion)}</section><section class="card"><h2>Reply rate by how it was written</h2>${rates('by-mode', 'Written by', view.byComposeMode, (g) => MODE_WORDS[g] ?? g)}</section></div>
<div class="grid"><section class="card"><h2>Enrollments by state</h2>${states(view)}</section><section class="card"><h2>Per agent</h2>${agents(view)}</section></div>
<section class="card"><h2>Stuck follow-ups</h2>${stuck(view)}</section>`,
	);
}
