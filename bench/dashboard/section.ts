import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import { openStore, type StoreConfig } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import { loadList } from '../../nodes/CadenceDashboard/load';
import type { ListFilters } from '../../nodes/CadenceDashboard/views/list';
import { listPage } from '../../nodes/CadenceDashboard/views/list';
import { millis, whole } from '../lib/markdown';
import { analyze, dropSchema, freshSchemaName } from '../lib/postgres';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { percentile } from '../lib/stats';

/**
 * The dashboard's list page with 100,000 enrollments: the server's work for one page (the store's
 * queries, the timing of every row, the HTML), for the first page, a far page, searches and
 * filters, on SQLite and Postgres. Reported, not asserted; the issue aims at under 200 ms.
 */

const ENROLLMENTS = 100_000;
const AGENTS = Array.from({ length: 20 }, (_, i) => `Agent ${i + 1}`);
const CADENCES = ['Welcome', 'Billing', 'Reactivation', 'Prospecting'];
const FIRST = ['Michael', 'Pam', 'Dwight', 'Angela', 'Oscar', 'Kevin', 'Stanley', 'Phyllis'];

const definition = (name: string): CadenceDefinitionInput => ({
	name,
	steps: [1, 2, 3].map((n) => ({
		wait: { amount: n, unit: 'days' as const },
		staticText: `${name} follow-up ${n}`,
	})),
});

const CASES: Array<{ label: string; filters: Partial<ListFilters> }> = [
	{ label: 'first page, no filter', filters: {} },
	{ label: 'page 100', filters: { page: 100 } },
	{ label: 'search a contact id (1 match)', filters: { q: 'contact-77777@' } },
	{ label: 'search a name (1 in 8)', filters: { q: 'angela' } },
	{ label: 'search a word matching nothing', filters: { q: 'zzz-nothing' } },
	{ label: 'filter by agent', filters: { agent: 'Agent 7' } },
	{ label: 'agent + cadence + paused', filters: { agent: 'Agent 7', cadence: 2, state: 'paused' } },
];

async function seed(store: CadenceStore, log: (line: string) => void): Promise<void> {
	for (const name of CADENCES) await store.publishCadence({ ...definition(name), active: true });
	const batch = 1000;
	for (let start = 0; start < ENROLLMENTS; start += batch) {
		const inputs = [];
		for (let i = start; i < start + batch; i++) {
			inputs.push({
				cadence: CADENCES[i % CADENCES.length],
				contactKey: `contact-${i}@example.com`,
				contactName: `${FIRST[i % FIRST.length]} Person ${i}`,
				agent: AGENTS[i % AGENTS.length],
				variables: { company: `Company ${i % 5000}` },
			});
		}
		await store.enroll(inputs);
		if ((start + batch) % 25_000 === 0) log(`dashboard: ${whole(start + batch)} enrolled`);
	}
	// One in fifty paused, as people pause a few by hand.
	for (let id = 1; id <= ENROLLMENTS; id += 50) await store.pause({ enrollmentId: id });
}

async function measure(
	store: CadenceStore,
	runs: number,
): Promise<Array<{ label: string; ms: number; rows: number }>> {
	const results = [];
	for (const { label, filters } of CASES) {
		const full: ListFilters = {
			q: '',
			agent: '',
			cadence: undefined,
			state: undefined,
			page: 1,
			...filters,
		};
		const times: number[] = [];
		let rows = 0;
		for (let run = 0; run < Math.max(5, runs); run++) {
			const started = performance.now();
			const view = await loadList(store, full, 50);
			listPage({ title: 'x', user: 'bench', tab: 'list', nonce: 'n' }, view);
			times.push(performance.now() - started);
			rows = view.rows.length;
		}
		results.push({ label, ms: percentile(times, 50), rows });
	}
	return results;
}

async function onBackend(
	config: StoreConfig,
	ctx: BenchContext,
	prepare: () => Promise<void>,
): Promise<Array<{ label: string; ms: number; rows: number }>> {
	let now = Date.parse('2026-03-02T09:00:00Z');
	const store = await openStore(config, () => now);
	try {
		await seed(store, ctx.log);
		now += 3_600_000;
		await prepare();
		return await measure(store, ctx.runs);
	} finally {
		await store.close();
	}
}

export const dashboardSection: Section = {
	id: 'dashboard',
	title: 'Dashboard list page, 100,000 enrollments',
	async run(ctx: BenchContext): Promise<SectionReport> {
		const dir = mkdtempSync(join(tmpdir(), 'bench-dashboard-'));
		let sqlite;
		try {
			ctx.log('dashboard: SQLite');
			sqlite = await onBackend(
				{ kind: 'sqlite', path: join(dir, 'cadence.sqlite') },
				ctx,
				async () => undefined,
			);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
		const url = await ctx.postgresUrl();
		const schema = freshSchemaName('bench_dashboard');
		let postgres;
		try {
			ctx.log('dashboard: Postgres');
			postgres = await onBackend({ kind: 'postgres', connectionString: url, schema }, ctx, () =>
				analyze(url, schema),
			);
		} finally {
			await dropSchema(url, schema);
		}
		return {
			title: this.title,
			columns: ['Page (50 rows)', 'Rows', 'SQLite', 'Postgres'],
			rows: sqlite.map((s, i) => [s.label, String(s.rows), millis(s.ms), millis(postgres[i].ms)]),
			notes: [
				`${whole(ENROLLMENTS)} enrollments in ${CADENCES.length} cadences and ${AGENTS.length} agents, one in fifty paused; median of ${Math.max(5, ctx.runs)} requests each.`,
				'Server time of one list page: the store queries (page and filter values), each row’s time zone, the HTML. HTTP and the login check are not included. Aim: under 200 ms.',
			],
		};
	},
};
