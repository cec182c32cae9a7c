import { times, whole } from '../lib/markdown';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { measurePackage } from './package-subject';
import { prepareN8n } from './setup';
import { totalBytes, type SubjectFigures } from './subject';
import { measureWaitNodes } from './wait-node-subject';
import { CHECK_EVERY_SECONDS, CLAIM_BATCH } from './workflows';
import { sectionNotes } from './notes';

/**
 * The package against the way people build cadences in n8n today (one execution per contact,
 * Wait nodes between sends), both in the pinned n8n on Postgres: follow-ups per second when a
 * step falls due for N contacts at once, and the database bytes each waiting contact takes.
 */

/**
 * Full mode stays at 300: at 1,000 resuming at once, even with a pool of 10 some Wait-node
 * executions failed to resume ("Failed to start waiting execution"), and a failed resume never
 * sends, so its step could not be timed.
 */
const CONTACTS = { quick: 50, full: 300 } as const;

interface Subjects {
	sqlite: SubjectFigures;
	postgres: SubjectFigures;
	waitNodes: SubjectFigures;
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Follow-ups per second over steps 2 and 3: 2N sends over the time both took. */
const perSecond = (f: SubjectFigures, n: number) =>
	(2 * n * 1000) / f.stepMs.reduce((sum, ms) => sum + ms, 0);

export const n8nSection: Section = {
	id: 'n8n',
	title: 'In a real n8n: the package vs Wait nodes',
	async run(ctx: BenchContext): Promise<SectionReport> {
		const n = CONTACTS[ctx.mode];
		const prepared = await prepareN8n(ctx);
		const runs: Subjects[] = [];
		try {
			for (let run = 0; run < ctx.runs; run++) {
				ctx.log(`n8n: run ${run + 1} of ${ctx.runs}, ${n} contacts, 3 steps`);
				// One after another, each on its own n8n and database: nothing runs beside a subject.
				runs.push({
					sqlite: await measurePackage(ctx, n, 'sqlite'),
					postgres: await measurePackage(ctx, n, 'postgres'),
					waitNodes: await measureWaitNodes(ctx, n),
				});
			}
		} finally {
			prepared.cleanUp();
		}
		const pick = (read: (f: SubjectFigures) => number) => ({
			sqlite: median(runs.map((r) => read(r.sqlite))),
			postgres: median(runs.map((r) => read(r.postgres))),
			waitNodes: median(runs.map((r) => read(r.waitNodes))),
		});
		const rate = pick((f) => perSecond(f, n));
		const bytes = pick((f) => totalBytes(f) / n);
		const start = pick((f) => f.startMs);
		const step2 = pick((f) => f.stepMs[0]);
		const step3 = pick((f) => f.stepMs[1]);
		const ratio = (v: { sqlite: number; postgres: number; waitNodes: number }) =>
			`${times(v.sqlite / v.waitNodes)}; ${times(v.postgres / v.waitNodes)}`;
		const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
		const row = (
			subject: string,
			v: { sqlite: number; postgres: number; waitNodes: number },
			format: (value: number) => string,
			aim = '',
			met = '',
		) => [subject, format(v.sqlite), format(v.postgres), format(v.waitNodes), ratio(v), aim, met];
		const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
		const count = n.toLocaleString('en-US');
		return {
			title: `${this.title} (${count} contacts, 3 steps)`,
			columns: [
				'figure',
				'package, SQLite store',
				'package, Postgres store',
				'Wait nodes',
				'package ÷ Wait nodes (SQLite; Postgres)',
				'aim',
				'met?',
			],
			rows: [
				row(
					'Follow-ups/s, steps 2 and 3 (N due at once)',
					rate,
					(v) => `${whole(v)}/s`,
					'≥ 20× Wait nodes',
					`${yes(rate.sqlite >= 20 * rate.waitNodes)}; ${yes(rate.postgres >= 20 * rate.waitNodes)}`,
				),
				row('  step 2: due → last sent', step2, seconds),
				row('  step 3: due → last sent', step3, seconds),
				row(
					'Bytes per waiting contact (between steps 1 and 2)',
					bytes,
					(v) => `${whole(v)} B`,
					'< 1/10 of Wait nodes',
					`${yes(bytes.sqlite < bytes.waitNodes / 10)}; ${yes(bytes.postgres < bytes.waitNodes / 10)}`,
				),
				row(`Start ${count} contacts and send step 1`, start, seconds),
			],
			notes: sectionNotes({
				n,
				runs: ctx.runs,
				n8nVersion: prepared.n8nVersion,
				checkEvery: CHECK_EVERY_SECONDS,
				claimBatch: CLAIM_BATCH,
				last: runs[runs.length - 1],
			}),
		};
	},
};
