/**
 * What every benchmark section hands back to the runner. A section measures one subject (the
 * store, a real n8n, Compose Follow-up…) and reports a markdown table with its own columns, so
 * later sections can be added without touching the ones already here.
 */

export type Mode = 'quick' | 'full';

export interface BenchContext {
	mode: Mode;
	/** How many times each section repeats its measurements; it reports the median. */
	runs: number;
	/** A reachable Postgres, found once per run (see lib/postgres.ts). */
	postgresUrl(): Promise<string>;
	/** Progress for the person watching; goes to stderr so stdout ends with the tables. */
	log(line: string): void;
}

export interface SectionReport {
	title: string;
	columns: string[];
	rows: string[][];
	/** Lines printed under the table: what was measured, and how to read it. */
	notes: string[];
}

export interface Section {
	/** Selects the section on the command line: `--only=store`. */
	id: string;
	title: string;
	run(ctx: BenchContext): Promise<SectionReport>;
}
