import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { EnrollInput } from '../../engine/store/inputs';
import type { StoreConfig } from '../../engine/store/open';
import { openStore } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import { analyze, dropSchema, freshSchemaName, schemaSizes, settle } from '../lib/postgres';
import type { BenchContext } from '../lib/report';
import { BatchTimer, rate, timed } from '../lib/stats';
import type { ClaimFigures, SubjectFigures } from './figures';
import {
	CADENCE,
	CLAIM_BATCH,
	DUE_FIRST,
	DUE_NEXT,
	ENROLL_BATCH,
	FIRST_WAIT_MS,
	LOAD_AT,
	WARMUP_TICKS,
	analyzeEvery,
	batches,
	cadence,
	contact,
	dueAtOf,
	type Sizes,
} from './scenario';

export type Backend = 'sqlite' | 'postgres';

/** A fresh store location per scenario: a new SQLite file, or a new Postgres schema. */
interface Location {
	config: StoreConfig;
	/** Called every 10 % of a load (Postgres: refresh statistics; SQLite has no autovacuum). */
	analyze(): Promise<void>;
	settle(): Promise<void>;
	sizes(): Promise<Array<{ name: string; bytes: number }>>;
	dispose(): Promise<void>;
}

function freshLocation(backend: Backend, postgresUrl: string): Location {
	if (backend === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-bench-'));
		const path = join(dir, 'cadence.sqlite');
		return {
			config: { kind: 'sqlite', path },
			analyze: async () => undefined,
			settle: async () => undefined,
			sizes: async () => sqliteSizes(path),
			dispose: async () => rmSync(dir, { recursive: true, force: true }),
		};
	}
	const schema = freshSchemaName('bench_store');
	return {
		config: { kind: 'postgres', connectionString: postgresUrl, schema },
		analyze: () => analyze(postgresUrl, schema),
		settle: () => settle(postgresUrl, schema),
		sizes: async () =>
			(await schemaSizes(postgresUrl, schema)).map((s) => ({ name: s.table, bytes: s.bytes })),
		dispose: () => dropSchema(postgresUrl, schema),
	};
}

/**
 * The file's bytes after folding the write-ahead log into it, split by table and index (dbstat).
 * The first entry is the whole file, so the total needs no second look at the disk.
 */
function sqliteSizes(path: string): Array<{ name: string; bytes: number }> {
	const db = new DatabaseSync(path);
	try {
		db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
		const wal = `${path}-wal`;
		let walBytes = 0;
		try {
			walBytes = statSync(wal).size;
		} catch {
			walBytes = 0;
		}
		const rows = db
			.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY 2 DESC')
			.all() as Array<{ name: string; bytes: number }>;
		return [
			{ name: '(file + WAL)', bytes: statSync(path).size + walBytes },
			...rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) })),
		];
	} finally {
		db.close();
	}
}

/** Claims until nothing is left, timing every batch. */
async function drain(store: CadenceStore): Promise<ClaimFigures> {
	const timer = new BatchTimer();
	for (;;) {
		const claimed = await timer.run(
			() => store.claimDue({ cadence: CADENCE, limit: CLAIM_BATCH }),
			(steps) => steps.length,
		);
		if (claimed.length === 0) break;
	}
	return { claimed: timer.count, perSecond: timer.perSecond, p50: timer.p(50), p99: timer.p(99) };
}

/** Enrolls contacts 0..count-1, 1,000 per call; returns enrollments per second over the calls. */
async function enrollRange(
	store: CadenceStore,
	location: Location,
	count: number,
	startAt: (index: number) => number | undefined,
): Promise<number> {
	let ms = 0;
	const every = analyzeEvery(count);
	for (const [start, end] of batches(count, ENROLL_BATCH)) {
		const inputs: EnrollInput[] = [];
		for (let i = start; i < end; i++)
			inputs.push({ cadence: CADENCE, ...contact(i), startAt: startAt(i) });
		const { value: results, ms: took } = await timed(() => store.enroll(inputs));
		ms += took;
		const missed = results.filter((r) => r.outcome !== 'enrolled').length;
		if (missed > 0) throw new Error(`${missed} of ${inputs.length} enrollments were not enrolled`);
		if (end % every === 0 && end < count) await location.analyze();
	}
	return rate(count, ms);
}

/** Every step due at the same moment: how fast the trigger drains a backlog. */
async function dueAtOnce(backend: Backend, sizes: Sizes, ctx: BenchContext): Promise<ClaimFigures> {
	const location = freshLocation(backend, await ctx.postgresUrl());
	let now = LOAD_AT;
	const store = await openStore(location.config, () => now);
	try {
		await store.publishCadence(cadence);
		ctx.log(`  enrolling ${sizes.dueAtOnce.toLocaleString('en-US')}`);
		await enrollRange(store, location, sizes.dueAtOnce, () => undefined);
		await location.settle();
		now = LOAD_AT + FIRST_WAIT_MS;
		ctx.log('  claiming them all');
		const figures = await drain(store);
		if (figures.claimed !== sizes.dueAtOnce)
			throw new Error(`claimed ${figures.claimed} of ${sizes.dueAtOnce} due steps`);
		return figures;
	} finally {
		await store.close().catch(() => undefined);
		await location.dispose();
	}
}

/** The store at scale: load, measure its size, tick idle, claim the 1 % due, run the full cycle. */
async function largeStore(
	backend: Backend,
	sizes: Sizes,
	ctx: BenchContext,
): Promise<Omit<SubjectFigures, 'dueAtOnce'>> {
	const location = freshLocation(backend, await ctx.postgresUrl());
	let now = LOAD_AT;
	const store = await openStore(location.config, () => now);
	try {
		await store.publishCadence(cadence);
		ctx.log(`  enrolling ${sizes.large.toLocaleString('en-US')}`);
		const enrollPerSecond = await enrollRange(
			store,
			location,
			sizes.large,
			(i) => dueAtOf(i) - FIRST_WAIT_MS,
		);
		await location.settle();

		const where = await location.sizes();
		const total = backend === 'sqlite' ? where[0].bytes : where.reduce((s, w) => s + w.bytes, 0);

		ctx.log(`  ${sizes.idleTicks} idle ticks`);
		const idle = new BatchTimer();
		for (let i = 0; i < WARMUP_TICKS + sizes.idleTicks; i++) {
			const tick = () => store.claimDue({ cadence: CADENCE, limit: CLAIM_BATCH });
			const claimed = i < WARMUP_TICKS ? await tick() : await idle.run(tick, (s) => s.length);
			if (claimed.length > 0) throw new Error('an idle tick claimed a step');
		}

		now = DUE_FIRST;
		ctx.log('  claiming the 1 % due');
		const large = await drain(store);
		if (large.claimed !== sizes.large / 100)
			throw new Error(`claimed ${large.claimed} of ${sizes.large / 100} due steps`);

		now = DUE_NEXT;
		ctx.log('  full cycle on the next 1 %');
		const cycleStart = performance.now();
		let cycled = 0;
		for (;;) {
			const claimed = await store.claimDue({ cadence: CADENCE, limit: CLAIM_BATCH });
			if (claimed.length === 0) break;
			// The claimed steps' sends confirmed in one call, as Cadence → Mark Sent records an
			// execution's items.
			const results = await store.markSentMany(
				claimed.map((step) => ({
					stepRunId: step.stepRun.id,
					text: step.step.staticText.replace('{{firstName}}', 'Alex'),
					channel: 'whatsapp',
				})),
			);
			const failed = results.find((r) => r instanceof Error);
			if (failed) throw failed;
			cycled += claimed.length;
		}
		const cyclePerSecond = (cycled * 1000) / (performance.now() - cycleStart);
		if (cycled !== sizes.large / 100)
			throw new Error(`cycled ${cycled} of ${sizes.large / 100} due steps`);

		return {
			enrollPerSecond,
			large,
			cyclePerSecond,
			cycled,
			idleP50: idle.p(50),
			idleP99: idle.p(99),
			bytesPerEnrollment: total / sizes.large,
			sizes: backend === 'sqlite' ? where.slice(1) : where,
		};
	} finally {
		await store.close().catch(() => undefined);
		await location.dispose();
	}
}

export async function measureStore(
	backend: Backend,
	sizes: Sizes,
	ctx: BenchContext,
): Promise<SubjectFigures> {
	ctx.log(`store on ${backend}: ${sizes.dueAtOnce.toLocaleString('en-US')} due at once`);
	const atOnce = await dueAtOnce(backend, sizes, ctx);
	ctx.log(`store on ${backend}: ${sizes.large.toLocaleString('en-US')} enrollments, 1 % due`);
	const large = await largeStore(backend, sizes, ctx);
	return { dueAtOnce: atOnce, ...large };
}
