import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type StoreConfig } from '../../engine/store/open';
import { valuesList } from '../../engine/store/ops/context';
import { PostgresDriver } from '../../engine/store/sql/postgres';
import { SqliteDriver } from '../../engine/store/sql/sqlite';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { millis, times, whole } from '../lib/markdown';
import { analyze, dropSchema, freshSchemaName } from '../lib/postgres';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { BatchTimer, percentile, timed } from '../lib/stats';

/**
 * Inactivity enrollment (issue 12): 100,000 conversations of which 1 % have been idle longer
 * than the cadence's Idle Minutes. Measured through the store's public call, as the Follow-up
 * Trigger makes it on each tick: how fast the idle ones are found and enrolled, and what a tick
 * costs once they all are (it should not grow with the number of conversations).
 */

const CONVERSATIONS = 100_000;
const IDLE_EVERY = 100; // 1 %
const PER_CALL = 200;
const IDLE_MINUTES = 60;
const STEADY_TICKS = 50;
const NOW = Date.parse('2026-03-02T12:00:00Z');
const CADENCE = 'Recover idle conversations';

interface Figures {
	loadMs: number;
	drainMs: number;
	enrolled: number;
	calls: number;
	callP50: number;
	callP99: number;
	steadyP50: number;
	steadyP99: number;
}

function location(backend: 'sqlite' | 'postgres', url: string | null) {
	if (backend === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-idle-'));
		const config: StoreConfig = { kind: 'sqlite', path: join(dir, 'cadence.sqlite') };
		return { config, dispose: async () => rmSync(dir, { recursive: true, force: true }) };
	}
	const schema = freshSchemaName('bench_idle');
	const config: StoreConfig = { kind: 'postgres', connectionString: url!, schema };
	return { config, dispose: () => dropSchema(url!, schema) };
}

/** Writes the conversations straight into the table the store reads (loading is not measured). */
async function load(db: SqlDriver): Promise<void> {
	const rows = 1000;
	for (let start = 0; start < CONVERSATIONS; start += rows) {
		const params: Array<string | number> = [];
		for (let i = start; i < start + rows; i++) {
			// The idle 1 % last spoke 2 h ago; everyone else within the last 30 minutes.
			const at = i % IDLE_EVERY === 0 ? NOW - 2 * 3_600_000 - i : NOW - ((i * 7919) % 1_800_000);
			params.push(
				`contact-${i}`,
				'chat',
				'whatsapp',
				i % 3 === 0 ? 'pending' : 'open',
				at,
				at,
				at,
				at,
			);
		}
		await db.transaction((tx) =>
			tx.run(
				`INSERT INTO conversations (contact_key, conversation_key, channel, status, last_inbound_at,
					activity_at, created_at, updated_at) VALUES ${valuesList(rows, 8)}`,
				params,
			),
		);
	}
}

async function measure(backend: 'sqlite' | 'postgres', ctx: BenchContext): Promise<Figures> {
	const url = backend === 'postgres' ? await ctx.postgresUrl() : null;
	const where = location(backend, url);
	let now = NOW;
	const store = await openStore(where.config, () => now);
	const raw: SqlDriver =
		where.config.kind === 'sqlite'
			? new SqliteDriver(where.config)
			: new PostgresDriver(where.config);
	try {
		await store.publishCadence({
			name: CADENCE,
			steps: [{ wait: { amount: 0, unit: 'minutes' }, staticText: 'Still there?' }],
			channels: { inactivity: { enabled: true, idleMinutes: IDLE_MINUTES } },
		});
		const loaded = await timed(() => load(raw));
		if (url && where.config.kind === 'postgres') await analyze(url, where.config.schema!);
		ctx.log(`${backend}: ${whole(CONVERSATIONS)} conversations loaded in ${millis(loaded.ms)}`);

		const calls = new BatchTimer();
		const drainStart = performance.now();
		for (;;) {
			const scan = await calls.run(
				() => store.enrollIdleConversations({ cadence: CADENCE, limit: PER_CALL }),
				(s) => s.enrolled.length,
			);
			if (!scan.more) break;
		}
		const drainMs = performance.now() - drainStart;

		// Ticks once every idle conversation is enrolled: a minute later each, nothing new idle.
		const steady: number[] = [];
		for (let i = 0; i < STEADY_TICKS; i++) {
			now += 1000;
			const tick = await timed(() =>
				store.enrollIdleConversations({ cadence: CADENCE, limit: PER_CALL }),
			);
			if (tick.value.enrolled.length > 0) throw new Error('a steady tick enrolled again');
			steady.push(tick.ms);
		}
		return {
			loadMs: loaded.ms,
			drainMs,
			enrolled: calls.count,
			calls: calls.latencies.length,
			callP50: calls.p(50),
			callP99: calls.p(99),
			steadyP50: percentile(steady, 50),
			steadyP99: percentile(steady, 99),
		};
	} finally {
		await store.close();
		await raw.close();
		await where.dispose();
	}
}

export const inactivitySection: Section = {
	id: 'inactivity',
	title: `Inactivity enrollment: ${whole(CONVERSATIONS)} conversations, 1 % idle`,
	async run(ctx): Promise<SectionReport> {
		const sqlite = await measure('sqlite', ctx);
		const postgres = await measure('postgres', ctx);
		const row = (subject: string, read: (f: Figures) => number, format: (v: number) => string) => [
			subject,
			format(read(sqlite)),
			format(read(postgres)),
			times(read(postgres) / read(sqlite)),
		];
		const rate = (f: Figures) => (f.enrolled * 1000) / f.drainMs;
		return {
			title: this.title,
			columns: ['subject', 'SQLite', 'Postgres', 'Postgres ÷ SQLite'],
			rows: [
				row('idle conversations found and enrolled', (f) => f.enrolled, whole),
				row(`calls to enroll them all (${PER_CALL} per call)`, (f) => f.calls, whole),
				row('time to enroll them all', (f) => f.drainMs, millis),
				row('enrolled per second', rate, (v) => `${whole(v)}/s`),
				row('enrolling call p50', (f) => f.callP50, millis),
				row('enrolling call p99', (f) => f.callP99, millis),
				row('tick with nothing new idle, p50', (f) => f.steadyP50, millis),
				row('tick with nothing new idle, p99', (f) => f.steadyP99, millis),
				row('nothing-new tick ÷ enrolling call (p50)', (f) => f.steadyP50 / f.callP50, times),
			],
			notes: [
				`${whole(CONVERSATIONS)} conversations written straight into the conversations table (not timed); every ${IDLE_EVERY}th last active 2 h ago, the rest within the last 30 minutes; Idle Minutes ${IDLE_MINUTES}, statuses open and pending (a third are pending).`,
				`Each call is the store's public enrollIdleConversations (one transaction: read up to ${PER_CALL} conversations from the cadence's cursor through the (activity_at, id) index, claim them in the once-per-cadence table, enroll them).`,
				'A tick with nothing new idle reads from the cursor and finds nothing: its cost does not depend on how many conversations the store holds or how many were enrolled before.',
				'One run; timings are reported, never asserted.',
			],
		};
	},
};
