import type { StoreConfig } from '../../engine/store/open';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { StoreProbe } from '../../test/e2e/support/cadence-store';
import { enrollByWebhookWorkflow } from '../../test/e2e/support/workflows';
import { rawDriver } from '../../test/support/raw-sql';
import type { BenchContext } from '../lib/report';
import {
	contactsOf,
	databaseBytes,
	growth,
	pollUntil,
	settled,
	startN8n,
	type SubjectFigures,
} from './subject';
import { CHECK_EVERY_SECONDS, packageWorkflow } from './workflows';

export type StoreKind = 'sqlite' | 'postgres';

const CADENCE = 'Bench cadence';

/**
 * The package in a real n8n: N contacts enrolled through one Enroll In Cadence webhook call, step
 * 1 (due at enrollment) sent by the Follow-up Trigger's flow; then steps 2 and 3, each a day
 * later, made due by moving the store's due times (the e2e tests' time travel) and timed from
 * the moment they fell due until the last one was marked sent.
 */
export async function measurePackage(
	ctx: BenchContext,
	n: number,
	store: StoreKind,
): Promise<SubjectFigures> {
	const { n8n, db, stop } = await startN8n(`bench-package-${store}`);
	let probe: StoreProbe | undefined;
	let driver: SqlDriver | undefined;
	try {
		const credential =
			store === 'postgres'
				? await n8n.createCredential('Cadence store (Postgres)', 'cadenceStoreApi', {
						backend: 'postgres',
						host: db.host,
						port: db.port,
						database: db.name,
						user: db.user,
						password: db.password,
						ssl: false,
						schema: 'cadence',
					})
				: undefined;
		// Activating the trigger publishes the cadence, which creates the store.
		const cadence = await n8n.createWorkflow(packageWorkflow(CADENCE, credential));
		await n8n.activate(cadence.id);
		const enroll = await n8n.createWorkflow(enrollByWebhookWorkflow('bench-enroll', credential));
		await n8n.activate(enroll.id);
		const config: StoreConfig =
			store === 'sqlite'
				? { kind: 'sqlite', path: n8n.storePath }
				: { kind: 'postgres', connectionString: db.url, schema: 'cadence', poolSize: 2 };
		probe = new StoreProbe(config);
		driver = rawDriver(config);
		const sqlitePath = store === 'sqlite' ? n8n.storePath : undefined;
		const sent = sentReader(driver, n);

		const before = await databaseBytes(db.url, sqlitePath);
		ctx.log(`n8n: package (${store} store): enrolling ${n} contacts, step 1 due at once`);
		const started = Date.now();
		const contacts = contactsOf(n).map((c) => ({ ...c, cadence: CADENCE }));
		await n8n.webhook('bench-enroll', { contacts });
		const step1Done = await sent(0);
		await settled(db.url);
		const after = await databaseBytes(db.url, sqlitePath);

		const stepMs: number[] = [];
		for (const step of [1, 2]) {
			// Due at a check of the trigger's cron (every 5 s, on the second): the claim then
			// starts when the steps fall due, as the Wait node's timers start their executions.
			const dueAt = nextCheckAt();
			await probe.makeDue(CADENCE, undefined, dueAt - 50);
			ctx.log(`n8n: package (${store} store): step ${step + 1} of ${n} contacts due`);
			stepMs.push((await sent(step)) - dueAt);
			await settled(db.url);
		}
		return { startMs: step1Done - started, stepMs, bytesByTable: growth(before, after) };
	} catch (error) {
		throw n8n.withLogs(error);
	} finally {
		await probe?.close();
		await driver?.close();
		await stop();
	}
}

/** The next check of the trigger at least 1.5 s from now (its cron fires every 5 s). */
function nextCheckAt(): number {
	const period = CHECK_EVERY_SECONDS * 1000;
	return Math.ceil((Date.now() + 1500) / period) * period;
}

/** Waits until all N runs of a step are marked sent; returns when the last one was (store time). */
function sentReader(driver: SqlDriver, n: number) {
	return async (stepIndex: number): Promise<number> => {
		let last = 0;
		await pollUntil(`${n} sends of step ${stepIndex + 1}`, async () => {
			const [row] = await driver.all<{ sent: unknown; last: unknown }>(
				`SELECT count(*) AS sent, max(sent_at) AS last FROM step_runs
				WHERE step_index = ? AND sent_at IS NOT NULL`,
				[stepIndex],
			);
			last = Number(row.last);
			return Number(row.sent) >= n;
		});
		return last;
	};
}
