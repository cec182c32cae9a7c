import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeApiError, type INode } from 'n8n-workflow';
import { Client } from 'pg';
import { CadenceStoreError, CadenceValidationError } from '../../engine/errors';
import { openStore } from '../../engine/store/open';
import { PostgresDriver } from '../../engine/store/sql/postgres';
import { CadenceStore } from '../../engine/store/store';
import { SqliteDriver } from '../../engine/store/sql/sqlite';
import { toNodeError } from '../../nodes/shared/errors';
import { prospecting } from '../support/cadences';
import { freshLocation, postgresUrl, type Location } from '../support/backends';

/**
 * Issue 15.11 and the schema half of 15.12: what the store says when the database fails. Real
 * database errors (a full file, a read-only transaction, a lock held elsewhere, a connection cut
 * before COMMIT) go through the drivers' mapping, and the n8n error says what is known about the
 * write and what to do — never "run it again once the store is reachable" for a full disk, never
 * "Nothing was written" when a COMMIT got no answer.
 */

jest.setTimeout(60_000);

const node = { name: 'Enroll In Cadence', type: 'n8n-nodes-cadence.enrollInCadence' } as INode;
const described = (error: unknown) => {
	const nodeError = toNodeError(node, error) as NodeApiError;
	expect(nodeError).toBeInstanceOf(NodeApiError);
	return { message: nodeError.message, description: nodeError.description ?? '' };
};

async function rejection(promise: Promise<unknown>): Promise<CadenceStoreError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(CadenceStoreError);
		return error as CadenceStoreError;
	}
	throw new Error('expected the call to fail');
}

describe('SQLite', () => {
	let dir: string;
	let path: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'cadence-errors-'));
		path = join(dir, 'store.sqlite');
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	/** A store over a driver the test holds, to set SQLite's own limits on its connection. */
	async function storeWithDriver() {
		await (await openStore({ kind: 'sqlite', path })).close();
		const driver = new SqliteDriver({ path });
		const store = new CadenceStore(driver);
		await store.publishCadence(prospecting);
		return { driver, store };
	}

	it('a full disk says so and asks to free space, not to wait for the store', async () => {
		const { driver, store } = await storeWithDriver();
		try {
			// The file may not grow past its current size: SQLite's own "database or disk is full".
			await driver.run('PRAGMA max_page_count = 1');
			const many = Array.from({ length: 200 }, (_, i) => ({
				cadence: 'Prospecting',
				contactKey: `c${i}`,
				variables: { notes: 'x'.repeat(2000) },
			}));
			const error = await rejection(store.enroll(many));
			expect(error.problem).toBe('diskFull');
			const { message, description } = described(error);
			expect(message).toBe('The disk of the cadence store is full');
			expect(description).toMatch(/database or disk is full.*Nothing was written\. Free space/);
			expect(description).not.toMatch(/once the store is reachable/);
			expect(await store.listEnrollments()).toEqual([]);
		} finally {
			await store.close();
		}
	});

	it('a read-only store says so and what to change, not to wait for it', async () => {
		const { driver, store } = await storeWithDriver();
		try {
			await driver.run('PRAGMA query_only = ON');
			const error = await rejection(store.enroll([{ cadence: 'Prospecting', contactKey: 'c1' }]));
			expect(error.problem).toBe('readOnly');
			const { message, description } = described(error);
			expect(message).toBe('The cadence store can only be read');
			expect(description).toMatch(/Nothing was written\. Let n8n write to the store/);
			expect(description).not.toMatch(/once the store is reachable/);
		} finally {
			await store.close();
		}
	});

	it('whatever SQLite refuses leaves the driver wrapped, so the node never guesses from codes', async () => {
		const { driver, store } = await storeWithDriver();
		try {
			const refused = await rejection(driver.all('SELEC 1'));
			expect(refused.problem).toBe('failed');
			expect(refused.message).toMatch(/refused a statement: .*syntax error/);
			expect((refused.cause as { code?: string }).code).toBe('ERR_SQLITE_ERROR');
			const inTransaction = await rejection(
				driver.transaction(async (tx) => tx.run('INSERT INTO no_such_table VALUES (1)')),
			);
			expect(inTransaction.message).toMatch(/no such table/);
			expect(described(refused).message).toBe('The cadence store could not be used');
			// A bare driver error (one that skipped the wrapping) is not taken for a store problem.
			const bare = Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR' });
			expect(toNodeError(node, bare)).not.toBeInstanceOf(NodeApiError);
		} finally {
			await store.close();
		}
	});

	it('BEGIN failing on a lock held by another process goes through the mapping', async () => {
		const store = await openStore({ kind: 'sqlite', path });
		await store.close();
		const driver = new SqliteDriver({ path, busyTimeoutMs: 50 });
		const other = new DatabaseSync(path);
		try {
			other.exec('BEGIN IMMEDIATE');
			const error = await rejection(driver.transaction(async (tx) => tx.run('DELETE FROM goals')));
			expect(error.problem).toBe('busy');
			expect(error.message).toMatch(/refused a statement: database is locked/);
			expect(described(error).description).toMatch(/Nothing was written\. Another process held/);
		} finally {
			other.exec('ROLLBACK');
			other.close();
			await driver.close();
		}
	});
});

describe('Postgres', () => {
	let location: Location;
	beforeEach(() => {
		location = freshLocation('postgres');
	});
	afterEach(async () => location.dispose());

	it('a COMMIT whose connection broke is not reported as "Nothing was written"', async () => {
		const store = await openStore(location.config);
		await store.close();
		const driver = new PostgresDriver({ ...location.config, poolSize: 1 } as never);
		const killer = new Client({ connectionString: postgresUrl() });
		await killer.connect();
		try {
			const error = await rejection(
				driver.transaction(async (tx) => {
					await tx.run("INSERT INTO goals (contact_key, note, at) VALUES ('c1', 'x', 1)");
					const [{ pid }] = await tx.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
					await killer.query('SELECT pg_terminate_backend($1)', [pid]);
					// The server's "terminating connection" reaches the idle client first: an error
					// event nobody else listens to, which must not crash the process.
					await new Promise((resolve) => setTimeout(resolve, 500));
				}),
			);
			expect(error.problem).toBe('outcomeUnknown');
			expect(error.message).toMatch(/may or may not have been written/);
			const { message, description } = described(error);
			expect(message).toBe('The cadence store may not have saved the change');
			expect(description).not.toMatch(/Nothing was written/);
			expect(description).toMatch(/Check the enrollment’s timeline/);
		} finally {
			await killer.end();
			await driver.close();
		}
	});

	it('a read-only transaction says the store can only be read', async () => {
		const store = await openStore(location.config);
		await store.close();
		const driver = new PostgresDriver(location.config as never);
		try {
			const error = await rejection(
				driver.transaction(async (tx) => {
					await tx.run('SET TRANSACTION READ ONLY');
					await tx.run("INSERT INTO goals (contact_key, note, at) VALUES ('c1', 'x', 1)");
				}),
			);
			expect(error.problem).toBe('readOnly');
			expect(described(error).description).toMatch(/Nothing was written\. Let n8n write/);
		} finally {
			await driver.close();
		}
	});

	it.each(['public', 'pg_catalog', 'information_schema'])(
		'the "%s" schema is refused as the store\'s own, naming the setting',
		async (schema) => {
			const attempt = openStore({ kind: 'postgres', connectionString: postgresUrl(), schema });
			await expect(attempt).rejects.toThrow(CadenceValidationError);
			await expect(attempt).rejects.toThrow(
				new RegExp(`schema: the store cannot use the "${schema}" schema.*use a schema of its own`),
			);
		},
	);
});
