import { PostgresDriver } from '../../engine/store/sql/postgres';
import { freshLocation, type Location } from '../support/backends';

/**
 * The claim statement is prepared once per connection. Behind a pooler in transaction mode the
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

	it('reports a real error in the statement as the store error it is', async () => {
		await expect(driver.allPrepared('SELECT * FROM no_such_table', [])).rejects.toThrow(
			'The Postgres cadence store rejected a query',
		);
	});
});
