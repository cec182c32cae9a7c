import { readFileSync } from 'node:fs';
import type { JobInsert, PgBoss as PgBossType } from 'pg-boss';
import {
	analyze,
	dropSchema,
	freshSchemaName,
	schemaSizes,
	settle,
	withClient,
} from '../lib/postgres';
import type { BenchContext } from '../lib/report';
import { BatchTimer, rate, timed } from '../lib/stats';
import type { ClaimFigures, SubjectFigures } from './figures';
import {
	CADENCE,
	CLAIM_BATCH,
	ENROLL_BATCH,
	NEXT_STEP_WAIT_MS,
	WARMUP_TICKS,
	analyzeEvery,
	batches,
	contact,
	groupOf,
	type Group,
	type Sizes,
} from './scenario';

/**
 * pg-boss, the Postgres job queue many Node users would reach for, doing the same work on the same
 * database: one job per enrollment's next step (`startAfter` = when it is due), fetched 100 at a
 * time with no polling delay, completed in one call per batch, the follow-up job inserted in one call
 * per batch. Maintenance, monitoring and cron are off so nothing runs beside the measured loop.
 */

const QUEUE = 'follow-ups';

export function pgBossVersion(): string {
	const path = require.resolve('pg-boss/package.json');
	return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

interface Boss {
	boss: PgBossType;
	schema: string;
	url: string;
	dispose(): Promise<void>;
}

async function freshBoss(url: string): Promise<Boss> {
	const { PgBoss } = await import('pg-boss');
	const schema = freshSchemaName('bench_boss');
	const boss = new PgBoss({
		connectionString: url,
		schema,
		supervise: false,
		schedule: false,
		migrate: true,
	});
	boss.on('error', (error: Error) => process.stderr.write(`pg-boss: ${error.message}\n`));
	await boss.start();
	await boss.createQueue(QUEUE);
	return {
		boss,
		schema,
		url,
		dispose: async () => {
			await boss.stop({ graceful: false, close: true }).catch(() => undefined);
			await dropSchema(url, schema);
		},
	};
}

function jobData(index: number) {
	return { cadence: CADENCE, step: 0, ...contact(index) };
}

/** Inserts jobs for contacts 0..count-1, 1,000 per call; returns jobs per second over the calls. */
async function insertRange(
	target: Boss,
	count: number,
	startAfter: (index: number) => Date | undefined,
): Promise<number> {
	let ms = 0;
	const every = analyzeEvery(count);
	for (const [start, end] of batches(count, ENROLL_BATCH)) {
		const jobs: JobInsert[] = [];
		for (let i = start; i < end; i++) jobs.push({ data: jobData(i), startAfter: startAfter(i) });
		ms += (await timed(() => target.boss.insert(QUEUE, jobs))).ms;
		if (end % every === 0 && end < count) await analyze(target.url, target.schema);
	}
	return rate(count, ms);
}

async function drain(boss: PgBossType): Promise<ClaimFigures> {
	const timer = new BatchTimer();
	for (;;) {
		const jobs = await timer.run(
			() => boss.fetch(QUEUE, { batchSize: CLAIM_BATCH }),
			(found) => found.length,
		);
		if (jobs.length === 0) break;
	}
	return { claimed: timer.count, perSecond: timer.perSecond, p50: timer.p(50), p99: timer.p(99) };
}

async function dueAtOnce(sizes: Sizes, ctx: BenchContext): Promise<ClaimFigures> {
	const target = await freshBoss(await ctx.postgresUrl());
	const { boss, schema, url, dispose } = target;
	try {
		ctx.log(`  inserting ${sizes.dueAtOnce.toLocaleString('en-US')} jobs`);
		await insertRange(target, sizes.dueAtOnce, () => undefined);
		await settle(url, schema);
		ctx.log('  fetching them all');
		const figures = await drain(boss);
		if (figures.claimed !== sizes.dueAtOnce)
			throw new Error(`pg-boss fetched ${figures.claimed} of ${sizes.dueAtOnce} jobs`);
		return figures;
	} finally {
		await dispose();
	}
}

/**
 * pg-boss reads the database's clock, which the benchmark cannot move; "the time comes" for a group
 * by setting its jobs' start_after to now (the groups are told apart by their start_after), then
 * VACUUM ANALYZE so the moved rows cost nothing the store's clock move did not.
 */
async function comeDue(url: string, schema: string, at: Date): Promise<number> {
	const moved = await withClient(url, (c) =>
		c.query(`UPDATE ${schema}.job SET start_after = now() WHERE name = $1 AND start_after = $2`, [
			QUEUE,
			at,
		]),
	);
	await settle(url, schema);
	return moved.rowCount ?? 0;
}

async function largeQueue(
	sizes: Sizes,
	ctx: BenchContext,
): Promise<Omit<SubjectFigures, 'dueAtOnce'>> {
	const target = await freshBoss(await ctx.postgresUrl());
	const { boss, schema, url, dispose } = target;
	try {
		// Everything starts in the future; the two 1 % groups are marked by their own start_after.
		const base = Date.now() + 30 * 24 * 3_600_000;
		const marks: Record<Group, Date> = {
			dueFirst: new Date(base),
			dueNext: new Date(base + 60_000),
			later: new Date(0),
		};
		const startAfter = (i: number) => {
			const group = groupOf(i);
			return group === 'later' ? new Date(base + 3_600_000 + (i % 2_880) * 60_000) : marks[group];
		};
		ctx.log(`  inserting ${sizes.large.toLocaleString('en-US')} jobs`);
		const enrollPerSecond = await insertRange(target, sizes.large, startAfter);
		await settle(url, schema);

		const where = (await schemaSizes(url, schema)).map((s) => ({ name: s.table, bytes: s.bytes }));
		const total = where.reduce((sum, w) => sum + w.bytes, 0);

		ctx.log(`  ${sizes.idleTicks} idle fetches`);
		const idle = new BatchTimer();
		for (let i = 0; i < WARMUP_TICKS + sizes.idleTicks; i++) {
			const fetch = () => boss.fetch(QUEUE, { batchSize: CLAIM_BATCH });
			const found = i < WARMUP_TICKS ? await fetch() : await idle.run(fetch, (j) => j.length);
			if (found.length > 0) throw new Error('an idle pg-boss fetch found a job');
		}

		const first = await comeDue(url, schema, marks.dueFirst);
		ctx.log(`  fetching the 1 % due (${first.toLocaleString('en-US')})`);
		const large = await drain(boss);
		if (large.claimed !== sizes.large / 100)
			throw new Error(`pg-boss fetched ${large.claimed} of ${sizes.large / 100} due jobs`);

		await comeDue(url, schema, marks.dueNext);
		ctx.log('  full cycle on the next 1 %');
		const cycleStart = performance.now();
		let cycled = 0;
		for (;;) {
			const jobs = await boss.fetch<ReturnType<typeof jobData>>(QUEUE, { batchSize: CLAIM_BATCH });
			if (jobs.length === 0) break;
			await boss.complete(QUEUE, jobs);
			const next = new Date(Date.now() + NEXT_STEP_WAIT_MS);
			await boss.insert(
				QUEUE,
				jobs.map((job) => ({ data: { ...job.data, step: job.data.step + 1 }, startAfter: next })),
			);
			cycled += jobs.length;
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
			sizes: where,
		};
	} finally {
		await dispose();
	}
}

export async function measurePgBoss(sizes: Sizes, ctx: BenchContext): Promise<SubjectFigures> {
	ctx.log(`pg-boss ${pgBossVersion()}: ${sizes.dueAtOnce.toLocaleString('en-US')} due at once`);
	const atOnce = await dueAtOnce(sizes, ctx);
	ctx.log(`pg-boss: ${sizes.large.toLocaleString('en-US')} jobs, 1 % due`);
	const large = await largeQueue(sizes, ctx);
	return { dueAtOnce: atOnce, ...large };
}
