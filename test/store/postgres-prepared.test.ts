import { PostgresDriver } from '../../engine/store/sql/postgres';
import { freshLocation, type Location } from '../support/backends';

/**
 * Statements the store runs again and again (a claim; a bulk enroll's insert, inside its
 * transaction) are prepared once per connection. Behind a pooler in transaction mode the
 * server connection can change between calls, so a prepared statement may be missing: the driver
 * then runs the statement unprepared, and keeps doing so, instead of failing the claim.
 */

jest.setTimeout(30_000);

const PREPARED = 'SELECT COUNT(*) AS n FROM pg_prepared_statements';

describe('prepared statements on postgres', () => {
	let location: Location;
	let driver: PostgresDriver;

	beforeEach(() => {
		location = freshLocation('postgres');
		const { kind: _kind, ...options } = location.config as { kind: 'postgres' };
		// One connection, so the test sees the same server session the driver uses.
		driver = new PostgresDriver({ ...options, poolSize: 1 });
	});

	afterEach(async () => {
		await driver.close();
		await location.dispose();
	});

	it('prepares a statement once and reuses it', async () => {
		expect(await driver.allPrepared('SELECT CAST(? AS INTEGER) AS x', [1])).toEqual([{ x: 1 }]);
		expect(await driver.allPrepared('SELECT CAST(? AS INTEGER) AS x', [2])).toEqual([{ x: 2 }]);
		expect(await driver.all(PREPARED)).toEqual([{ n: 1 }]);
	});

	it('runs unprepared from then on when the server lost the statement', async () => {
		await driver.allPrepared('SELECT CAST(? AS INTEGER) AS x', [1]);
		// What a transaction-mode pooler does: the next call lands on a session without it.
		await driver.run('DEALLOCATE ALL');

		expect(await driver.allPrepared('SELECT CAST(? AS INTEGER) AS x', [3])).toEqual([{ x: 3 }]);
		expect(await driver.allPrepared('SELECT CAST(? AS INTEGER) AS y', [4])).toEqual([{ y: 4 }]);
		expect(await driver.all(PREPARED)).toEqual([{ n: 0 }]);
	});

	it('prepares inside a transaction; a statement the server lost runs the transaction again, unprepared', async () => {
		await driver.run(`CREATE SCHEMA IF NOT EXISTS ${driver.schema}`);
		await driver.run('CREATE TABLE marks (n INTEGER)');
		const sql = 'SELECT CAST(? AS INTEGER) AS x';
		expect(await driver.transaction((tx) => tx.allPrepared(sql, [1]))).toEqual([{ x: 1 }]);
		expect(await driver.all(PREPARED)).toEqual([{ n: 1 }]);
		// The next transaction lands on a session without it, as behind a transaction-mode pooler.
		await driver.run('DEALLOCATE ALL');

		let attempts = 0;
		const rows = await driver.transaction(async (tx) => {
			attempts++;
			await tx.run('INSERT INTO marks (n) VALUES (?)', [attempts]);
			return tx.allPrepared(sql, [2]);
		});
		expect(rows).toEqual([{ x: 2 }]);
		// The first attempt rolled back whole; the second ran unprepared, as all do from then on.
		expect(attempts).toBe(2);
		expect(await driver.all('SELECT n FROM marks')).toEqual([{ n: 2 }]);
		expect(await driver.transaction((tx) => tx.allPrepared(sql, [3]))).toEqual([{ x: 3 }]);
		expect(await driver.all(PREPARED)).toEqual([{ n: 0 }]);
	});

	it('reports a real error in the statement as the store error it is', async () => {
		await expect(driver.allPrepared('SELECT * FROM no_such_table', [])).rejects.toThrow(
			'The Postgres cadence store rejected a query',
		);
	});
});
