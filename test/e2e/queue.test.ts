import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { openStore } from '../../engine/store/open';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { deleteRedisKeys, freshDatabase, type PostgresDatabase } from './support/services';
import {
	cadenceType,
	cadenceWorkflow,
	enrollByWebhookWorkflow,
	node,
	noOp,
	workflow,
	type CadenceOptions,
} from './support/workflows';

/**
 * n8n in queue mode, as a self-hoster scales it: main processes (triggers, webhooks) and a
 * worker (executions) sharing Redis and n8n's Postgres database, every cadence node on the
 * Cadence Store credential pointing at that Postgres. One n8n for the file: the Cadence
 * Dashboard part runs first with one main process; the cadence part then adds a second one.
 */
/** The machine's Redis; elsewhere with CADENCE_E2E_REDIS_HOST / CADENCE_E2E_REDIS_PORT. */
const REDIS = {
	host: process.env.CADENCE_E2E_REDIS_HOST || '127.0.0.1',
	port: Number(process.env.CADENCE_E2E_REDIS_PORT || 6379),
};
const CONTACTS = 20;

/** Decided before the tests are declared, so a missing Redis shows as a skipped test. */
function redisAnswers(): boolean {
	const probe = `const s = require('node:net').connect(${REDIS.port}, '${REDIS.host}', () => s.write('PING\\r\\n'));
		s.setTimeout(2000, () => process.exit(1)); s.on('error', () => process.exit(1));
		s.on('data', (d) => process.exit(String(d).startsWith('+PONG') ? 0 : 1));`;
	return spawnSync(process.execPath, ['-e', probe], { timeout: 5000 }).status === 0;
}

const redisUp = redisAnswers();
const inCi = process.env.CI === 'true';
if (!redisUp && !inCi) {
	process.stdout.write(
		`\n[e2e] SKIPPED queue mode: no Redis answers on ${REDIS.host}:${REDIS.port}. ` +
			'Start one (redis-server --port 6379) to run it; in CI (CI=true) it always runs.\n',
	);
}
const describeQueueMode = redisUp || inCi ? describe : describe.skip;

const CADENCE: CadenceOptions = {
	name: 'E2E queue mode',
	steps: [
		{ wait: 1, text: 'Queue step 1 for {{firstName}}' },
		{ wait: 1, text: 'Queue step 2 for {{firstName}}' },
	],
};

describeQueueMode('queue mode (a worker, Redis, Postgres for n8n and the store)', () => {
	let database: PostgresDatabase;
	let n8n: N8nInstance;
	let credential: { id: string; name: string };
	const queuePrefix = `cadence-e2e-${randomBytes(4).toString('hex')}`;

	beforeAll(async () => {
		if (!redisUp) {
			throw new Error(
				`No Redis answers on ${REDIS.host}:${REDIS.port}, and in CI the queue-mode test must run. ` +
					'Start it before the tests (.ci/run does: redis-server --daemonize yes --port 6379).',
			);
		}
		database = await freshDatabase('cadence_e2e');
		n8n = await N8nInstance.start({
			name: 'queue',
			workers: 1,
			env: {
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: database.host,
				DB_POSTGRESDB_PORT: String(database.port),
				DB_POSTGRESDB_DATABASE: database.name,
				DB_POSTGRESDB_USER: database.user,
				DB_POSTGRESDB_PASSWORD: database.password,
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: REDIS.host,
				QUEUE_BULL_REDIS_PORT: String(REDIS.port),
				// Keys of its own (jobs, and n8n's cache, which remembers webhook paths): runs before
				// or beside this one on the same Redis never see them.
				QUEUE_BULL_PREFIX: queuePrefix,
				N8N_REDIS_KEY_PREFIX: queuePrefix,
			},
		});
		credential = await n8n.createCredential('Cadence store (Postgres)', 'cadenceStoreApi', {
			backend: 'postgres',
			host: database.host,
			port: database.port,
			database: database.name,
			user: database.user,
			password: database.password,
			ssl: false,
			schema: 'cadence',
		});
	}, 600_000);

	afterAll(async () => {
		await n8n?.stop();
		await database?.drop();
		if (redisUp) await deleteRedisKeys(queuePrefix, REDIS.host, REDIS.port).catch(() => undefined);
	});

	/**
	 * The Cadence Dashboard in queue mode: the page is answered by the main process from the
	 * Postgres store (no execution, no worker involved), and a change made on the page runs its
	 * Changes execution on the worker.
	 */
	describe('the Cadence Dashboard', () => {
		const LOGIN = { user: 'ana', password: 'queue-Secret-1' };
		const auth = `Basic ${Buffer.from(`${LOGIN.user}:${LOGIN.password}`).toString('base64')}`;
		const PATH = 'e2e-dashboard-queue';

		let db: SqlDriver;
		let workflowId: string;
		let url: string;

		beforeAll(async () => {
			const storeConfig = {
				kind: 'postgres' as const,
				connectionString: database.url,
				schema: 'cadence',
			};
			const store = await openStore(storeConfig);
			try {
				await store.publishCadence({
					name: 'Queue dashboard',
					active: true,
					steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Just checking in with you.' }],
				});
				await store.enroll(
					['Ann', 'Ben', 'Cat'].map((name) => ({
						cadence: 'Queue dashboard',
						contactKey: `${name.toLowerCase()}@example.com`,
						contactName: `${name} Queue`,
						agent: 'Irina',
					})),
				);
			} finally {
				await store.close();
			}
			db = rawDriver(storeConfig);
			const login = await n8n.createCredential('Dashboard login', 'httpBasicAuth', LOGIN);
			const dashboard = node(
				'Cadence Dashboard',
				cadenceType('cadenceDashboard'),
				{ path: PATH, options: {} },
				{
					webhookId: randomUUID(),
					credentials: { httpBasicAuth: login, cadenceStoreApi: credential },
				},
			);
			workflowId = (
				await n8n.createWorkflow(
					workflow(
						'Dashboard (queue)',
						[dashboard, noOp('Changes')],
						[['Cadence Dashboard', 'Changes']],
					),
				)
			).id;
			await n8n.activate(workflowId);
			url = `${n8n.url}/webhook/${PATH}`;
		});

		afterAll(async () => {
			if (n8n && workflowId) await n8n.deactivate(workflowId).catch(() => undefined);
			await db?.close().catch(() => undefined);
		});

		test('the main process serves the page from the Postgres store; a change runs on the worker', async () => {
			try {
				// Right after activation the webhook may still be reaching the queue-mode registry.
				const list = await waitFor('the dashboard page', async () => {
					const res = await fetch(url, { headers: { authorization: auth } });
					return res.status === 200 ? res.text() : undefined;
				});
				for (const name of ['Ann Queue', 'Ben Queue', 'Cat Queue']) expect(list).toContain(name);
				expect((await fetch(url)).status).toBe(401);

				const [ann] = await db.all<{ id: number }>(
					"SELECT id FROM enrollments WHERE contact_key = 'ann@example.com'",
				);
				const page = await (
					await fetch(`${url}?enrollment=${ann.id}`, { headers: { authorization: auth } })
				).text();
				const token = /name="token" value="([^"]+)"/.exec(page)![1];
				const res = await fetch(url, {
					method: 'POST',
					redirect: 'manual',
					headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({
						action: 'pause',
						enrollment: String(ann.id),
						token,
					}).toString(),
				});
				expect(res.status).toBe(303);
				const [row] = await db.all<{ state: string }>(
					'SELECT state FROM enrollments WHERE id = ?',
					[ann.id],
				);
				expect(row.state).toBe('paused');

				// In queue mode the main process only enqueues the execution; the worker runs it.
				const executions = await n8n.waitForExecutions(workflowId, 1, 120_000);
				expect(itemsAt(executions, 'Changes')).toEqual([
					expect.objectContaining({ action: 'pause', by: 'ana', enrollmentId: ann.id }),
				]);
			} catch (error) {
				throw n8n.withLogs(error);
			}
		});
	});

	/**
	 * Two main processes, so two Follow-up Triggers tick the same cadence at the same seconds and
	 * race for the same due steps. A batch of contacts falls due at once; each step must be
	 * handed out, run on the worker and marked sent exactly once.
	 */
	describe('two mains racing for the same due steps', () => {
		let store: StoreProbe;
		let cadenceWorkflowId: string;
		let secondMain: string;

		beforeAll(async () => {
			cadenceWorkflowId = (await n8n.createWorkflow(cadenceWorkflow(CADENCE, credential))).id;
			await n8n.activate(cadenceWorkflowId);
			const enroll = await n8n.createWorkflow(enrollByWebhookWorkflow('e2e-enroll', credential));
			await n8n.activate(enroll.id);
			secondMain = await n8n.addMain();
			store = StoreProbe.postgres(database.url, 'cadence');
		});

		afterAll(async () => {
			await store?.close();
		});

		async function sendAll(expectedSent: number) {
			return waitFor(
				`${expectedSent} sent steps`,
				async () => {
					const runs = await store.stepRuns(CADENCE.name);
					return runs.filter((r) => r.sent_at !== null).length >= expectedSent ? runs : undefined;
				},
				{ timeoutMs: 90_000, intervalMs: 1000 },
			);
		}

		test('every due step is emitted once, runs on the worker and is marked sent once', async () => {
			try {
				// Both main processes run the trigger (the second found the cadence already published).
				expect(n8n.logLines(/Follow-up Trigger published "E2E queue mode"/, 'main')).toHaveLength(
					1,
				);
				await waitFor(
					'the second main to run the Follow-up Trigger',
					() =>
						n8n.logLines(/Follow-up Trigger: "E2E queue mode" is unchanged/, secondMain).length > 0,
				);
				const contacts = Array.from({ length: CONTACTS }, (_, i) => ({
					contact: `queue-${String(i).padStart(2, '0')}@example.com`,
					name: `Contact ${i}`,
					cadence: CADENCE.name,
				}));
				// The webhook runs on the main process; the enrollment itself on the worker.
				const enrolled = await n8n.webhook<Array<{ outcome: string }>>('e2e-enroll', {
					contacts,
				});
				expect(enrolled.map((e) => e.outcome)).toEqual(contacts.map(() => 'enrolled'));

				for (const round of [1, 2]) {
					expect(await store.makeDue(CADENCE.name)).toBe(CONTACTS);
					const runs = await sendAll(CONTACTS * round);
					// One step run per contact and step, each claimed once: nothing was emitted twice.
					expect(runs).toHaveLength(CONTACTS * round);
					expect(runs.every((r) => r.claims === 1 && r.status === 'sent')).toBe(true);
					const keys = runs.map((r) => `${r.enrollment_id}/${r.step_index}/${r.cycle}`);
					expect(new Set(keys).size).toBe(keys.length);
				}

				// Two more ticks: nothing is handed out again.
				await new Promise((r) => setTimeout(r, 11_000));
				const runs = await store.stepRuns(CADENCE.name);
				expect(runs).toHaveLength(CONTACTS * 2);
				const enrollments = await store.enrollments(CADENCE.name);
				expect(enrollments.every((e) => e.state === 'completed')).toBe(true);

				// n8n's side: every trigger execution ran on the worker without error, and across all
				// of them each step went through Mark Sent exactly once.
				const executions = await n8n.executions(cadenceWorkflowId, { includeData: true });
				expect(executions.filter((e) => e.status !== 'success').map((e) => e.status)).toEqual([]);
				const marked = itemsAt(executions, 'Mark Sent').map((i) => i.stepRunId);
				expect(marked).toHaveLength(CONTACTS * 2);
				expect(new Set(marked).size).toBe(CONTACTS * 2);
				for (const execution of executions) {
					expect(
						n8n.logLines(new RegExp(`Worker finished execution ${execution.id} `), 'worker1'),
					).toHaveLength(1);
				}
			} catch (error) {
				throw n8n.withLogs(error);
			}
		});
	});
});
