import type { BenchContext } from '../lib/report';
import { withClient } from '../lib/postgres';
import {
	contactsOf,
	databaseBytes,
	eachLimited,
	growth,
	pollUntil,
	scalar,
	settled,
	startN8n,
	type SubjectFigures,
} from './subject';
import { waitNodeWorkflow } from './workflows';

/**
 * How far ahead the waits are moved. n8n's wait tracker (dist/wait-tracker.js) queries the
 * database every 60 s for waiting executions due within the next 70 s and arms a timer for each;
 * due 66 s ahead, every execution is certain to be found by a query before its time (and not
 * left to the in-memory path Wait nodes under 65 s take), so all N resume at that moment.
 */
const RESUME_AHEAD_MS = 66_000;
/** Contacts arrive as separate webhook calls, this many at a time. */
const CONCURRENT_REQUESTS = 16;

/**
 * The Wait-node pattern in a real n8n: one execution per contact, started by a webhook, sending
 * step 1, then waiting a day. The waits are moved forward in n8n's execution table (time travel,
 * as for the package) and each step is timed from the moment the executions resume until the
 * last of them has sent and been saved again.
 */
export async function measureWaitNodes(ctx: BenchContext, n: number): Promise<SubjectFigures> {
	const { n8n, db, stop } = await startN8n('bench-wait-nodes');
	try {
		const wf = await n8n.createWorkflow(waitNodeWorkflow('bench-contact'));
		await n8n.activate(wf.id);
		const count = (where: string) =>
			scalar(db.url, `SELECT count(*) AS v FROM execution_entity WHERE ${where}`);

		const before = await databaseBytes(db.url);
		ctx.log(`n8n: Wait-node pattern: starting ${n} executions, ${CONCURRENT_REQUESTS} at a time`);
		const started = Date.now();
		await eachLimited(contactsOf(n), CONCURRENT_REQUESTS, (c) => n8n.webhook('bench-contact', c));
		await pollUntil(
			`${n} executions waiting`,
			async () => (await count(`status = 'waiting'`)) >= n,
		);
		const waiting = await lastStop(db.url, `status = 'waiting'`);
		await settled(db.url);
		const after = await databaseBytes(db.url);

		const stepMs: number[] = [];
		for (const step of [2, 3]) {
			const resumeAt = Date.now() + RESUME_AHEAD_MS;
			await withClient(db.url, (c) =>
				c.query(`UPDATE execution_entity SET "waitTill" = $1 WHERE status = 'waiting'`, [
					new Date(resumeAt),
				]),
			);
			ctx.log(`n8n: Wait-node pattern: step ${step} of ${n} executions resumes in 66 s`);
			// Step 2 is done when each execution waits again (a day on); step 3 when each finished.
			const done =
				step === 2
					? `status = 'waiting' AND "waitTill" > to_timestamp(${(resumeAt + 3600_000) / 1000})`
					: `status = 'success'`;
			await pollUntil(
				`step ${step} of ${n} executions`,
				async () => {
					// A resume that fails never sends: say so instead of waiting for it.
					const failed = await count(`status IN ('error', 'crashed')`);
					if (failed > 0) throw new Error(`${failed} of ${n} executions failed to resume`);
					return (await count(done)) >= n;
				},
				{ timeoutMs: RESUME_AHEAD_MS + 600_000 },
			);
			stepMs.push((await lastStop(db.url, done)) - resumeAt);
			await settled(db.url);
		}
		return { startMs: waiting - started, stepMs, bytesByTable: growth(before, after) };
	} catch (error) {
		throw n8n.withLogs(error);
	} finally {
		await stop();
	}
}

/** When the last of these executions stopped (ran into its Wait node, or finished), in ms. */
async function lastStop(url: string, where: string): Promise<number> {
	return scalar(
		url,
		`SELECT extract(epoch FROM max("stoppedAt")) * 1000 AS v FROM execution_entity WHERE ${where}`,
	);
}
