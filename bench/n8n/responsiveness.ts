import { existsSync, readFileSync } from 'node:fs';
import { openStore } from '../../engine/store/open';
import { StoreProbe } from '../../test/e2e/support/cadence-store';
import { rawDriver } from '../../test/support/raw-sql';
import { descendantPids } from '../../test/e2e/support/crash';
import { sleep } from '../../test/e2e/support/environment';
import type { N8nInstance } from '../../test/e2e/support/n8n-instance';
import { whole } from '../lib/markdown';
import type { BenchContext, Section, SectionReport } from '../lib/report';
import { prepareN8n } from './setup';
import { pollUntil, startN8n } from './subject';
import { CHECK_EVERY_SECONDS, CLAIM_BATCH, packageWorkflow } from './workflows';

/**
 * Whether n8n stays responsive while the package works through a big backlog at the largest Claim
 * Batch Size: N steps fall due at once, and while the Follow-up Trigger's executions send them,
 * n8n's /healthz is asked every 250 ms and the memory of n8n and its task runner is read every
 * second. Reported, not asserted. (Before executions were bounded, 10,000-item executions made
 * /healthz take 13–19 s and n8n grow to 1.5 GB.)
 */
const DUE = { quick: 5_000, full: 50_000 } as const;
const CADENCE = 'Backlog cadence';
const HEALTH_EVERY_MS = 250;
const HEALTH_TIMEOUT_MS = 30_000;

interface Figures {
	idleMs: number;
	latencies: number[];
	failures: number;
	peakRssBytes: number;
	idleRssBytes: number;
	drainMs: number;
}

export const responsivenessSection: Section = {
	id: 'responsive',
	title: 'n8n responsiveness under a backlog',
	async run(ctx: BenchContext): Promise<SectionReport> {
		const n = DUE[ctx.mode];
		const prepared = await prepareN8n(ctx);
		let figures: Figures;
		try {
			figures = await measure(ctx, n);
		} finally {
			prepared.cleanUp();
		}
		const sorted = [...figures.latencies].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
		const ms = (v: number) => `${whole(v)} ms`;
		const mb = (bytes: number) => `${whole(bytes / 1_048_576)} MB`;
		const count = n.toLocaleString('en-US');
		return {
			title: `${this.title} (${count} steps due at once, Claim Batch Size ${CLAIM_BATCH})`,
			columns: ['figure', 'value'],
			rows: [
				['/healthz when idle', ms(figures.idleMs)],
				['/healthz while sending: median', ms(at(0.5))],
				['/healthz while sending: 95th percentile', ms(at(0.95))],
				['/healthz while sending: slowest', ms(sorted[sorted.length - 1] ?? 0)],
				[
					`/healthz unanswered within ${HEALTH_TIMEOUT_MS / 1000} s, or failed`,
					whole(figures.failures),
				],
				['Memory (n8n + task runner), idle', mb(figures.idleRssBytes)],
				['Memory (n8n + task runner), peak while sending', mb(figures.peakRssBytes)],
				[`All ${count} sent after`, `${(figures.drainMs / 1000).toFixed(1)} s`],
				['Follow-ups/s', `${whole((n * 1000) / figures.drainMs)}/s`],
			],
			notes: [
				`n8n ${prepared.n8nVersion} on Postgres (pool 10), the package on its default SQLite ` +
					`store; Follow-up Trigger (Check Every ${CHECK_EVERY_SECONDS} s, Claim Batch Size ` +
					`${CLAIM_BATCH}) → Exit Check → Wait Until Working Hours → Compose Follow-up (static) → ` +
					'Cadence: Mark Sent.',
				`${count} contacts enrolled with a start in the future, then all made due at once. ` +
					'Each execution carries at most 200 due steps and starts when the previous one ended.',
				`/healthz asked every ${HEALTH_EVERY_MS} ms from the first due step until the last was ` +
					'sent (latency from request to answer); memory: VmRSS of n8n and its children, each second.',
			],
		};
	},
};

async function measure(ctx: BenchContext, n: number): Promise<Figures> {
	const { n8n, stop } = await startN8n('bench-responsive');
	try {
		const cadence = await n8n.createWorkflow(packageWorkflow(CADENCE, undefined));
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
			return { idleMs, latencies, failures, peakRssBytes, idleRssBytes, drainMs };
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
