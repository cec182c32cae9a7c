import { existsSync, readFileSync } from 'node:fs';
import type { INodeProperties } from 'n8n-workflow';
import { optionsProperty } from '../../nodes/FollowUpTrigger/properties/options';
import { openStore } from '../../engine/store/open';
import { StoreProbe } from '../../test/e2e/support/cadence-store';
import { rawDriver } from '../../test/support/raw-sql';
import { descendantPids } from '../../test/e2e/support/crash';
import { sleep } from '../../test/e2e/support/environment';
import type { N8nInstance } from '../../test/e2e/support/n8n-instance';
import { whole } from '../lib/markdown';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { prepareN8n } from './setup';
import { pollUntil, scalar, startN8n } from './subject';
import { CHECK_EVERY_SECONDS, packageWorkflow } from './workflows';

/**
 * Whether n8n stays responsive while the package works through a big backlog, at the largest
 * Claim Batch Size and at the default one: N steps fall due at once, and while the Follow-up
 * Trigger's executions send them, n8n's /healthz is asked every 250 ms and the memory of n8n and
 * its task runner is read every second. Each setting gets an n8n of its own. Reported, not
 * asserted. (Before executions were bounded, 10,000-item executions made /healthz take 13–19 s
 * and n8n grow to 1.5 GB.)
 */
const DUE = { quick: 5_000, full: 50_000 } as const;
const CADENCE = 'Backlog cadence';
const HEALTH_EVERY_MS = 250;
const HEALTH_TIMEOUT_MS = 30_000;
/** After the last send: the last executions are saved and the heap has had a chance to shrink. */
const SETTLE_MS = 10_000;

/** The settings measured, read from the node's own description so they follow it. */
const BATCH_SIZES = (() => {
	const option = optionsProperty.options?.find((o) => o.name === 'batchSize') as
		| INodeProperties
		| undefined;
	const largest = Number(option?.typeOptions?.maxValue);
	const byDefault = Number(option?.default);
	if (!largest || !byDefault) throw new Error('Claim Batch Size has no maximum or default');
	return [
		{ label: 'largest', batchSize: largest },
		{ label: 'default', batchSize: byDefault },
	];
})();

interface Figures {
	idleMs: number;
	latencies: number[];
	failures: number;
	idleRssBytes: number;
	peakRssBytes: number;
	/** Once every step was sent and n8n had a few seconds to settle. */
	afterRssBytes: number;
	drainMs: number;
	executions: number;
}

export const responsivenessSection: Section = {
	id: 'responsive',
	title: 'n8n responsiveness under a backlog',
	async run(ctx: BenchContext): Promise<SectionReport> {
		const n = DUE[ctx.mode];
		const prepared = await prepareN8n(ctx);
		const measured: Figures[] = [];
		try {
			for (const { label, batchSize } of BATCH_SIZES) {
				ctx.log(`n8n: responsiveness at Claim Batch Size ${batchSize} (${label})`);
				const figures = await measure(ctx, n, batchSize);
				measured.push(figures);
				ctx.log(`n8n: responsiveness at Claim Batch Size ${batchSize}: ${summary(figures)}`);
			}
		} finally {
			prepared.cleanUp();
		}
		const ms = (v: number) => `${whole(v)} ms`;
		const mb = (bytes: number) => `${whole(bytes / 1_048_576)} MB`;
		const count = n.toLocaleString('en-US');
		const row = (figure: string, read: (f: Figures) => string) => [figure, ...measured.map(read)];
		return {
			title: `${this.title} (${count} steps due at once)`,
			columns: [
				'figure',
				...BATCH_SIZES.map(
					({ label, batchSize }) =>
						`Claim Batch Size ${batchSize.toLocaleString('en-US')} (${label})`,
				),
			],
			rows: [
				row('/healthz when idle', (f) => ms(f.idleMs)),
				row('/healthz while sending: median', (f) => ms(percentile(f.latencies, 0.5))),
				row('/healthz while sending: 95th percentile', (f) => ms(percentile(f.latencies, 0.95))),
				row('/healthz while sending: slowest', (f) => ms(Math.max(0, ...f.latencies))),
				row(`/healthz unanswered within ${HEALTH_TIMEOUT_MS / 1000} s, or failed`, (f) =>
					whole(f.failures),
				),
				row('Memory (n8n + task runner), idle', (f) => mb(f.idleRssBytes)),
				row('Memory (n8n + task runner), peak while sending', (f) => mb(f.peakRssBytes)),
				row('Memory (n8n + task runner), after the backlog', (f) => mb(f.afterRssBytes)),
				row(
					'Executions (due steps per execution)',
					(f) => `${whole(f.executions)} (${whole(n / Math.max(1, f.executions))})`,
				),
				row(`All ${count} sent after`, (f) => `${(f.drainMs / 1000).toFixed(1)} s`),
				row('Follow-ups/s', (f) => `${whole((n * 1000) / f.drainMs)}/s`),
			],
			notes: [
				`n8n ${prepared.n8nVersion} on Postgres (pool 10), the package on its default SQLite ` +
					`store; Follow-up Trigger (Check Every ${CHECK_EVERY_SECONDS} s) → Exit Check → ` +
					'Wait Until Working Hours → Compose Follow-up (static) → Cadence: Mark Sent; each ' +
					'Claim Batch Size on an n8n and database of its own.',
				`${count} contacts enrolled with a start in the future, then all made due at once.`,
				`/healthz asked every ${HEALTH_EVERY_MS} ms from the first due step until the last was ` +
					'sent (latency from request to answer); memory: VmRSS of n8n and its children, each ' +
					"second; executions: the workflow's executions saved in n8n's database.",
			],
		};
	},
};

/** One line for the progress log, so a long run shows each setting's figures as it ends. */
function summary(f: Figures): string {
	const mb = (bytes: number) => Math.round(bytes / 1_048_576);
	return (
		`/healthz p50 ${Math.round(percentile(f.latencies, 0.5))} ms, ` +
		`p95 ${Math.round(percentile(f.latencies, 0.95))} ms, ` +
		`max ${Math.round(Math.max(0, ...f.latencies))} ms, ${f.failures} failed; ` +
		`RSS ${mb(f.idleRssBytes)} → ${mb(f.peakRssBytes)} → ${mb(f.afterRssBytes)} MB; ` +
		`${f.executions} executions; drained in ${(f.drainMs / 1000).toFixed(1)} s`
	);
}

function percentile(values: number[], q: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function measure(ctx: BenchContext, n: number, batchSize: number): Promise<Figures> {
	const { n8n, db, stop } = await startN8n(`bench-responsive-${batchSize}`);
	try {
		const workflow = packageWorkflow(CADENCE, undefined);
		const trigger = workflow.nodes.find((node) => node.name === 'Follow-up Trigger');
		if (!trigger) throw new Error('The bench workflow has no Follow-up Trigger');
		(trigger.parameters.options as Record<string, unknown>).batchSize = batchSize;
		const cadence = await n8n.createWorkflow(workflow);
		await n8n.activate(cadence.id);
		// Activating publishes the cadence, which creates the store (n8n may finish it a bit later).
		await pollUntil('the cadence store created', async () => existsSync(n8n.storePath));
		const store = await openStore({ kind: 'sqlite', path: n8n.storePath });
		const probe = StoreProbe.sqlite(n8n.storePath);
		const driver = rawDriver({ kind: 'sqlite', path: n8n.storePath });
		try {
			await pollUntil(
				'the cadence published',
				async () => (await store.getCadence(CADENCE)) !== null,
			);
			ctx.log(`n8n: responsiveness: enrolling ${n} contacts`);
			const later = Date.now() + 3600_000;
			for (let i = 0; i < n; i += 1000) {
				const chunk = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
					cadence: CADENCE,
					contactKey: `backlog-${String(i + j).padStart(6, '0')}`,
					variables: { firstName: `Contact ${i + j}` },
					startAt: later,
				}));
				await store.enroll(chunk);
			}
			const idleMs = (await health(n8n.url)).ms;
			const idleRssBytes = rssOf(n8n);
			ctx.log(`n8n: responsiveness: ${n} steps due now`);
			await probe.makeDue(CADENCE);
			const started = Date.now();
			const latencies: number[] = [];
			let failures = 0;
			let peakRssBytes = idleRssBytes;
			let done = false;
			const healthLoop = (async () => {
				while (!done) {
					const answer = await health(n8n.url);
					if (answer.ok) latencies.push(answer.ms);
					else failures++;
					await sleep(HEALTH_EVERY_MS);
				}
			})();
			const memoryLoop = (async () => {
				while (!done) {
					peakRssBytes = Math.max(peakRssBytes, rssOf(n8n));
					await sleep(1000);
				}
			})();
			await pollUntil(
				`${n} sends`,
				async () => {
					const [row] = await driver.all<{ sent: unknown }>(
						'SELECT count(*) AS sent FROM step_runs WHERE step_index = 0 AND sent_at IS NOT NULL',
					);
					return Number(row.sent) >= n;
				},
				{ timeoutMs: 3_600_000, intervalMs: 2000 },
			);
			const drainMs = Date.now() - started;
			done = true;
			await Promise.all([healthLoop, memoryLoop]);
			await sleep(SETTLE_MS);
			const afterRssBytes = rssOf(n8n);
			const executions = await scalar(
				db.url,
				'SELECT count(*) AS v FROM execution_entity WHERE "workflowId" = $1',
				[cadence.id],
			);
			return {
				idleMs,
				latencies,
				failures,
				idleRssBytes,
				peakRssBytes,
				afterRssBytes,
				drainMs,
				executions,
			};
		} finally {
			await probe.close();
			await driver.close();
			await store.close();
		}
	} catch (error) {
		throw n8n.withLogs(error);
	} finally {
		await stop();
	}
}

async function health(url: string): Promise<{ ok: boolean; ms: number }> {
	const started = performance.now();
	try {
		const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
		await res.text();
		return { ok: res.ok, ms: performance.now() - started };
	} catch {
		return { ok: false, ms: performance.now() - started };
	}
}

/** Resident memory of n8n's main process and every process it started, in bytes. */
function rssOf(n8n: N8nInstance): number {
	const main = n8n.mainPid;
	if (!main) return 0;
	let total = 0;
	for (const pid of [main, ...descendantPids(main)]) {
		try {
			const status = readFileSync(`/proc/${pid}/status`, 'utf8');
			const kb = /VmRSS:\s+(\d+) kB/.exec(status);
			if (kb) total += Number(kb[1]) * 1024;
		} catch {
			// Gone meanwhile.
		}
	}
	return total;
}
