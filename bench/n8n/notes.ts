import { whole } from '../lib/markdown';
import { POOL_SIZE, totalBytes, type SubjectFigures } from './subject';

/** The lines under the table: the method, in short, and where each subject's bytes went. */
export function sectionNotes(input: {
	n: number;
	runs: number;
	n8nVersion: string;
	checkEvery: number;
	claimBatch: number;
	last: { sqlite: SubjectFigures; postgres: SubjectFigures; waitNodes: SubjectFigures };
}): string[] {
	const { n, last } = input;
	const split = (f: SubjectFigures) =>
		f.bytesByTable
			.filter(([, b]) => Math.abs(b / n) >= 1)
			.slice(0, 6)
			.map(([table, b]) => `${table} ${whole(b / n)}`)
			.join(', ') || `${whole(totalBytes(f) / n)} in total`;
	return [
		`n8n ${input.n8nVersion}, one fresh instance and Postgres database per subject, subjects one ` +
			`after another. n8n's defaults (regular mode, executions saved on success and error, pruned ` +
			`after 14 days) except a database pool of ${POOL_SIZE} instead of 2: with 2, a thousand ` +
			'Wait-node executions resuming at once time out waiting for a connection and fail.',
		`Package: Follow-up Trigger (Check Every ${input.checkEvery} s, Claim Batch Size ` +
			`${input.claimBatch}) → Exit Check → Wait Until Working Hours → Compose Follow-up (static) ` +
			'→ Cadence: Mark Sent; contacts enrolled by one webhook call to Enroll In Cadence; store on ' +
			'the default SQLite file, or on the Postgres credential (schema in the same database).',
		'Wait nodes: Webhook (answers at once) → Edit Fields (compose) → Edit Fields (send stand-in) → ' +
			'Wait 1 day → compose → send → Wait 1 day → compose → send; one webhook call per contact, 16 ' +
			'at a time.',
		'Steps 2 and 3 fall due for all N at once by time travel: the store’s due times moved to the ' +
			'next trigger check; the executions’ waitTill moved 66 s ahead so n8n’s wait tracker (a ' +
			'query every 60 s for waits due within 70 s, then one timer each) resumes them all at that ' +
			'moment. Timed from then to the last send: Mark Sent’s time in the store; the execution’s ' +
			'stoppedAt once it waits again or finishes.',
		'Bytes: growth of every table of the database (n8n’s and the store’s schema) plus the SQLite ' +
			'file, after VACUUM FULL (SQLite: a WAL checkpoint), from before the first contact until ' +
			'all N wait for step 2, ÷ N. The package’s include the enrollment and step-1 executions n8n ' +
			'keeps until pruning.',
		`Bytes per contact, last run — package (SQLite): ${split(last.sqlite)}.`,
		`Package (Postgres): ${split(last.postgres)}.`,
		`Wait nodes: ${split(last.waitNodes)}.`,
		input.runs > 1
			? `Median of ${input.runs} runs per figure.`
			: 'One run (`--runs=N` repeats and reports medians).',
		'Ratios are package ÷ Wait nodes: above 1× is better for rates, below 1× for bytes and times.',
	];
}
