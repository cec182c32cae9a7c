/**
 * `npm run bench` — what the cadence store costs, measured beside what a user would pick instead.
 *
 *   npm run bench                  quick mode: CI-size runs, about five minutes with the n8n section
 *   npm run bench -- --full        full mode: the figures for docs/benchmarks.md (about 40 minutes;
 *                                  `--runs=1` for a third of that)
 *   npm run bench -- --only=store  run some sections only (comma-separated ids)
 *   npm run bench -- --runs=3      repeat each measurement and report medians (full mode: 3)
 *   npm run bench -- --markdown=results.md   also write the report to a file
 *
 * Each section measures one subject and returns its own table; the tables and the machine's
 * description are printed together at the end. Timings are reported, never asserted.
 * Postgres: CADENCE_BENCH_PG_URL, else as the store tests find it (see lib/postgres.ts).
 */
import { writeFileSync } from 'node:fs';
import { describeMachine, LoadSampler } from './lib/machine';
import { sectionMarkdown } from './lib/markdown';
import { findPostgres } from './lib/postgres';
import type { BenchContext, Mode, Section, SectionReport } from './lib/report';
import { storeSection } from './store/section';
import { composeSection } from './compose/section';
import { n8nSection } from './n8n/section';
import { dashboardSection } from './dashboard/section';
import { responsivenessSection } from './n8n/responsiveness';
import { inactivitySection } from './inactivity/section';

/** Sections in the order they run. */
const SECTIONS: Section[] = [
	storeSection,
	inactivitySection,
	composeSection,
	n8nSection,
	responsivenessSection,
	dashboardSection,
];

/** A mistake on the command line: printed as a sentence, without a stack. */
class UsageError extends Error {}

interface Options {
	mode: Mode;
	runs: number | null;
	only: string[] | null;
	markdown: string | null;
}

function parseArgs(argv: string[]): Options {
	const options: Options = { mode: 'quick', runs: null, only: null, markdown: null };
	for (const arg of argv) {
		if (arg === '--full') options.mode = 'full';
		else if (arg === '--quick') options.mode = 'quick';
		else if (arg.startsWith('--only=')) options.only = arg.slice(7).split(',').filter(Boolean);
		else if (arg.startsWith('--markdown=')) options.markdown = arg.slice(11);
		else if (/^--runs=[1-9]\d*$/.test(arg)) options.runs = Number(arg.slice(7));
		else
			throw new UsageError(
				`Unknown option "${arg}": use --quick, --full, --runs=<n>, --only=<ids>, --markdown=<file>.`,
			);
	}
	const known = SECTIONS.map((s) => s.id);
	const unknown = (options.only ?? []).filter((id) => !known.includes(id));
	if (unknown.length > 0)
		throw new UsageError(
			`Unknown section "${unknown.join(', ')}": choose from ${known.join(', ')}.`,
		);
	return options;
}

async function main(): Promise<void> {
	const options = parseArgs(process.argv.slice(2));
	const started = performance.now();
	const load = new LoadSampler();
	const log = (line: string) => {
		const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
		process.stderr.write(`[${seconds} s] ${line}\n`);
	};
	let postgres: Awaited<ReturnType<typeof findPostgres>> | null = null;
	const ctx: BenchContext = {
		mode: options.mode,
		runs: options.runs ?? (options.mode === 'full' ? 3 : 1),
		log,
		postgresUrl: async () => {
			postgres ??= await findPostgres();
			return postgres.url;
		},
	};

	const reports: SectionReport[] = [];
	try {
		for (const section of SECTIONS) {
			if (options.only && !options.only.includes(section.id)) continue;
			log(`section "${section.id}" (${options.mode} mode)`);
			reports.push(await section.run(ctx));
		}
		load.stop();
		const machine = await describeMachine(postgres ? await ctx.postgresUrl() : null, load);
		const minutes = ((performance.now() - started) / 60_000).toFixed(1);
		const report = [
			`## Benchmark results (${options.mode} mode, ${ctx.runs} run${ctx.runs === 1 ? '' : 's'}, ${new Date().toISOString().slice(0, 10)}, ${minutes} min)`,
			'',
			...machine.map((line) => `- ${line}`),
			'',
			...reports.flatMap((r) => [sectionMarkdown(r), '']),
		].join('\n');
		process.stdout.write(`\n${report}`);
		if (options.markdown) writeFileSync(options.markdown, report);
	} finally {
		if (postgres) await (postgres as { stop(): Promise<void> }).stop();
	}
}

main().catch((error: unknown) => {
	const shown = error instanceof UsageError ? error.message : (error as Error).stack;
	process.stderr.write(`${shown ?? String(error)}\n`);
	process.exitCode = 1;
});
