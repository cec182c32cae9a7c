import { esc, localTime, page, query, type Frame } from './layout';

/** The list (seed 001): every contact with a follow-up to come, searched and filtered. */

export interface ListFilters {
	q: string;
	agent: string;
	cadence: number | undefined;
	state: 'active' | 'paused' | undefined;
	page: number;
}

export interface ListRow {
	enrollmentId: number;
	contactName: string;
	contactKey: string;
	agent: string;
	cadenceName: string;
	/** 1-based step that goes out next, and how many steps the cadence version has. */
	step: number;
	stepCount: number;
	nextAt: number | null;
	zone: string;
	reason: string | null;
	state: string;
	inFlight: boolean;
}

export interface ListView {
	filters: ListFilters;
	agents: string[];
	cadences: Array<{ id: number; name: string }>;
	rows: ListRow[];
	hasMore: boolean;
	rowsPerPage: number;
}

function option(value: string | number, label: string, selected: boolean): string {
	return `<option value="${esc(value)}"${selected ? ' selected' : ''}>${esc(label)}</option>`;
}

function filterForm(view: ListView): string {
	const f = view.filters;
	const agents = [option('', 'All agents', f.agent === '')]
		.concat(view.agents.map((a) => option(a, a, a === f.agent)))
		.join('');
	const cadences = [option('', 'All cadences', f.cadence === undefined)]
		.concat(view.cadences.map((c) => option(c.id, c.name, c.id === f.cadence)))
		.join('');
	const states = [
		option('', 'Active and paused', f.state === undefined),
		option('active', 'Active', f.state === 'active'),
		option('paused', 'Paused', f.state === 'paused'),
	].join('');
	return `<form class="filters card" method="get" role="search">
<input type="search" name="q" value="${esc(f.q)}" placeholder="Search by name, contact, agent, cadence or keyword" aria-label="Search" maxlength="200">
<select name="agent" aria-label="Agent">${agents}</select>
<select name="cadence" aria-label="Cadence">${cadences}</select>
<select name="state" aria-label="State">${states}</select>
<button type="submit">Search</button></form>`;
}

function row(r: ListRow): string {
	const name = r.contactName || r.contactKey;
	const next = r.inFlight
		? '<span class="muted">being sent now</span>'
		: r.nextAt === null
			? '<span class="muted">nothing scheduled</span>'
			: esc(localTime(r.nextAt, r.zone));
	const reason = r.reason ? `<div class="reason">${esc(r.reason)}</div>` : '';
	return `<tr class="row" data-enrollment="${r.enrollmentId}">
<td><a class="open" href="${query({ enrollment: r.enrollmentId })}">${esc(name)}</a><div class="muted">${esc(r.contactKey)}</div></td>
<td>${esc(r.agent || '—')}</td><td>${esc(r.cadenceName)}</td>
<td>${r.step} of ${r.stepCount}</td><td>${next}${reason}</td>
<td><span class="state ${esc(r.state)}">${esc(r.state)}</span></td></tr>`;
}

export function listPage(frame: Frame, view: ListView): string {
	const f = view.filters;
	const keep = { q: f.q, agent: f.agent, cadence: f.cadence, state: f.state };
	const first = (f.page - 1) * view.rowsPerPage;
	const rows = view.rows.map(row).join('');
	const table =
		view.rows.length === 0
			? '<p class="muted">No contact with a follow-up to come matches.</p>'
			: `<table><thead><tr><th>Contact</th><th>Agent</th><th>Cadence</th><th>Step</th><th>Next follow-up (contact’s time)</th><th>State</th></tr></thead><tbody>${rows}</tbody></table>`;
	const previous =
		f.page > 1
			? `<a href="${esc(query({ ...keep, page: f.page - 1 }))}" rel="prev">← Previous</a>`
			: '';
	const next = view.hasMore
		? `<a href="${esc(query({ ...keep, page: f.page + 1 }))}" rel="next">Next →</a>`
		: '';
	const range = view.rows.length === 0 ? '' : `Showing ${first + 1}–${first + view.rows.length}`;
	return page(
		frame,
		`${filterForm(view)}<section class="card">${table}<div class="pager">${previous}<span class="muted">${range}</span>${next}</div></section>`,
	);
}
