import { millis, times, whole } from '../lib/markdown';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { measureStore } from './cadence-store';
import { medianFigures, type SubjectFigures } from './figures';
import { measurePgBoss, pgBossVersion } from './pg-boss';
import { CLAIM_BATCH, ENROLL_BATCH, SIZES } from './scenario';

type Subjects = Record<'sqlite' | 'postgres' | 'pgBoss', SubjectFigures>;

/** One line of the table: how to read a figure from every subject, and the issue's aim for it. */
interface Line {
	subject: string;
	read(f: SubjectFigures): number;
	format(value: number): string;
	aims?: Array<{ text: string; met(s: Subjects): boolean }>;
}

function lines(mode: BenchContext['mode']): Line[] {
	const size = SIZES[mode];
	const n = (value: number) => value.toLocaleString('en-US');
	const perSecond = (v: number) => `${whole(v)}/s`;
	return [
		{
			subject: `Enroll, ${n(ENROLL_BATCH)} per call (enrollments/s, loading ${n(size.large)})`,
			read: (f) => f.enrollPerSecond,
			format: perSecond,
		},
		{
			subject: `Claim, ${n(size.dueAtOnce)} due at once (claims/s, ${CLAIM_BATCH} per call)`,
			read: (f) => f.dueAtOnce.perSecond,
			format: perSecond,
			aims: [
				{
					text: 'Postgres ≥ 3× pg-boss',
					met: (s) => s.postgres.dueAtOnce.perSecond >= 3 * s.pgBoss.dueAtOnce.perSecond,
				},
			],
		},
		{
			subject: `  claim batch p50, ${n(size.dueAtOnce)} due`,
			read: (f) => f.dueAtOnce.p50,
			format: millis,
		},
		{
			subject: `  claim batch p99, ${n(size.dueAtOnce)} due`,
			read: (f) => f.dueAtOnce.p99,
			format: millis,
		},
		{
			subject: `Claim, ${n(size.large)} enrollments, 1 % due (claims/s)`,
			read: (f) => f.large.perSecond,
			format: perSecond,
			aims: [
				{
					text: 'Postgres ≥ pg-boss',
					met: (s) => s.postgres.large.perSecond >= s.pgBoss.large.perSecond,
				},
				{ text: 'SQLite ≥ 25,000/s', met: (s) => s.sqlite.large.perSecond >= 25_000 },
			],
		},
		{
			subject: `  claim batch p50, ${n(size.large)} enrollments`,
			read: (f) => f.large.p50,
			format: millis,
		},
		{
			subject: `  claim batch p99, ${n(size.large)} enrollments`,
			read: (f) => f.large.p99,
			format: millis,
		},
		{
			subject: `Full cycle: claim, record the send, schedule the next step (steps/s, ${n(size.large)} enrollments)`,
			read: (f) => f.cyclePerSecond,
			format: perSecond,
		},
		{
			subject: `Idle tick p50, ${n(size.large)} enrollments, none due`,
			read: (f) => f.idleP50,
			format: millis,
			aims: [{ text: 'SQLite < 1 ms', met: (s) => s.sqlite.idleP50 < 1 }],
		},
		{
			subject: `Idle tick p99, ${n(size.large)} enrollments, none due`,
			read: (f) => f.idleP99,
			format: millis,
		},
		{
			subject: `Bytes per enrollment (${n(size.large)} enrolled)`,
			read: (f) => f.bytesPerEnrollment,
			format: (v) => `${whole(v)} B`,
			aims: [
				{ text: 'SQLite ≤ 400 B', met: (s) => s.sqlite.bytesPerEnrollment <= 400 },
				{ text: 'Postgres ≤ 600 B', met: (s) => s.postgres.bytesPerEnrollment <= 600 },
			],
		},
	];
}

function yesNo(value: boolean): string {
	return value ? 'yes' : '**no**';
}

function table(mode: BenchContext['mode'], s: Subjects): Pick<SectionReport, 'columns' | 'rows'> {
	const columns = [
		'subject',
		'SQLite',
		'Postgres',
		'pg-boss',
		'store ÷ pg-boss (Postgres; SQLite)',
		'aim',
		'met?',
	];
	const rows = lines(mode).map((line) => {
		const [sqlite, postgres, boss] = [s.sqlite, s.postgres, s.pgBoss].map(line.read);
		const ratio = `${times(postgres / boss)}; ${times(sqlite / boss)}`;
		return [
			line.subject,
			line.format(sqlite),
			line.format(postgres),
			line.format(boss),
			ratio,
			(line.aims ?? []).map((aim) => aim.text).join('; '),
			(line.aims ?? []).map((aim) => yesNo(aim.met(s))).join('; '),
		];
	});
	return { columns, rows };
}

function whereTheBytesAre(label: string, f: SubjectFigures, enrollments: number): string {
	const top = f.sizes
		.filter((s) => s.bytes > 0)
		.slice(0, 6)
		.map((s) => `${s.name} ${whole(s.bytes / enrollments)}`)
		.join(', ');
	return `${label}: ${top} (bytes per enrollment).`;
}

export const storeSection: Section = {
	id: 'store',
	title: 'Cadence store vs pg-boss',
	async run(ctx) {
		const size = SIZES[ctx.mode];
		// Runs take turns subject by subject, so whatever else the machine does spreads over all three.
		const runs: Subjects[] = [];
		for (let run = 1; run <= ctx.runs; run++) {
			if (ctx.runs > 1) ctx.log(`run ${run} of ${ctx.runs}`);
			runs.push({
				sqlite: await measureStore('sqlite', size, ctx),
				postgres: await measureStore('postgres', size, ctx),
				pgBoss: await measurePgBoss(size, ctx),
			});
		}
		const subjects: Subjects = {
			sqlite: medianFigures(runs.map((r) => r.sqlite)),
			postgres: medianFigures(runs.map((r) => r.postgres)),
			pgBoss: medianFigures(runs.map((r) => r.pgBoss)),
		};
		const { columns, rows } = table(ctx.mode, subjects);
		const notes = [
			`Store through its public API (enroll, claimDue, markSentMany) on its injected clock; pg-boss ${pgBossVersion()} on the same Postgres in its own schema, fetching ${CLAIM_BATCH} jobs per call with no polling delay, its maintenance and cron off (supervise: false, schedule: false). Each subject starts from a fresh SQLite file or Postgres schema and runs alone.`,
			`Large store: ${SIZES[ctx.mode].large.toLocaleString('en-US')} enrollments whose due times spread over two days; the due 1 % is every 100th enrollment, not the oldest ones. pg-boss jobs carry the same contact data, with start_after as the due time (the database clock cannot be moved, so a group comes due by setting its start_after to now()).`,
			`Full cycle: the store claims ${CLAIM_BATCH} and records their sends with one markSentMany call (one transaction for the batch, as Cadence → Mark Sent records an execution's items; it also schedules each next step); pg-boss fetches ${CLAIM_BATCH}, completes them in one call and inserts their next-step jobs in one call.`,
			'Postgres loads ANALYZE every 10 % of rows (what autovacuum would do by default), then VACUUM ANALYZE and CHECKPOINT before anything is timed; the same for the store and pg-boss. Enroll rates count the enroll/insert calls only.',
			`${ctx.runs === 1 ? 'One run' : `Median of ${ctx.runs} runs`} per figure (\`--runs=N\`).`,
			'Ratios are store ÷ pg-boss on the raw figure: above 1× is better for rates, below 1× is better for times and bytes.',
			whereTheBytesAre('SQLite bytes', subjects.sqlite, size.large),
			whereTheBytesAre('Postgres bytes', subjects.postgres, size.large),
			whereTheBytesAre('pg-boss bytes', subjects.pgBoss, size.large),
		];
		if (ctx.mode === 'quick') {
			notes.unshift(
				'QUICK MODE: CI-size runs; the aims are set for the full-mode sizes, so these verdicts are indicative only.',
			);
		}
		return { title: this.title, columns, rows, notes };
	},
};
