import { randomBytes, randomUUID } from 'node:crypto';
import { openStore } from '../../engine/store/open';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import { redisAnswers, waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { deleteRedisKeys, freshDatabase, type PostgresDatabase } from './support/services';
import { cadenceType, node, noOp, workflow } from './support/workflows';

/**
 * The Cadence Dashboard in queue mode, as a self-hoster scales it: the page is answered by the
 * main process from the Postgres store (no execution, no worker involved), and a change made on
 * the page runs its Changes execution on the worker.
 */
const REDIS = {
	host: process.env.CADENCE_E2E_REDIS_HOST || '127.0.0.1',
	port: Number(process.env.CADENCE_E2E_REDIS_PORT || 6379),
};
const LOGIN = { user: 'ana', password: 'queue-Secret-1' };
const auth = `Basic ${Buffer.from(`${LOGIN.user}:${LOGIN.password}`).toString('base64')}`;
const PATH = 'e2e-dashboard-queue';

let database: PostgresDatabase;
let n8n: N8nInstance;
let db: SqlDriver;
let workflowId: string;
let url: string;
const queuePrefix = `cadence-e2e-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
	if (!(await redisAnswers(REDIS.host, REDIS.port)) && process.env.CI !== 'true') {
		throw new Error(`No Redis answers on ${REDIS.host}:${REDIS.port}: queue mode needs one.`);
	}
	database = await freshDatabase('cadence_e2e_dash');
	n8n = await N8nInstance.start({
		name: 'dashboard-queue',
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
			QUEUE_BULL_PREFIX: queuePrefix,
			N8N_REDIS_KEY_PREFIX: queuePrefix,
		},
	});
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
	const storeCredential = await n8n.createCredential(
		'Cadence store (Postgres)',
		'cadenceStoreApi',
		{
			backend: 'postgres',
			host: database.host,
			port: database.port,
			database: database.name,
			user: database.user,
			password: database.password,
			ssl: false,
			schema: 'cadence',
		},
	);
	const login = await n8n.createCredential('Dashboard login', 'httpBasicAuth', LOGIN);
	const dashboard = node(
		'Cadence Dashboard',
		cadenceType('cadenceDashboard'),
		{ path: PATH, options: {} },
		{
			webhookId: randomUUID(),
			credentials: { httpBasicAuth: login, cadenceStoreApi: storeCredential },
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
}, 600_000);

afterAll(async () => {
	await db?.close().catch(() => undefined);
	await n8n?.stop();
	await database?.drop();
	await deleteRedisKeys(queuePrefix, REDIS.host, REDIS.port).catch(() => undefined);
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
			body: new URLSearchParams({ action: 'pause', enrollment: String(ann.id), token }).toString(),
		});
		expect(res.status).toBe(303);
		const [row] = await db.all<{ state: string }>('SELECT state FROM enrollments WHERE id = ?', [
			ann.id,
		]);
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
