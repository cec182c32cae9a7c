import { PostgresDriver } from '../../engine/store/sql/postgres';
import { freshLocation, type Location } from '../support/backends';

/**
 * Two transactions that lock the same rows in opposite orders deadlock; Postgres rolls one back
 * (40P01). The driver runs that one again, so both land — as when Mark Sent's batch and Record
 * Reply touch the same enrollments in different orders — instead of failing a node run.
 */

jest.setTimeout(30_000);

describe('a deadlock on postgres', () => {
	let location: Location;
	let driver: PostgresDriver;

	beforeEach(async () => {
		location = freshLocation('postgres');
		const { kind: _kind, ...options } = location.config as { kind: 'postgres'; schema: string };
		driver = new PostgresDriver({ ...options, poolSize: 2 });
		await driver.run(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
		await driver.run('CREATE TABLE counters (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
		await driver.run('INSERT INTO counters (id, v) VALUES (1, 0), (2, 0)');
	});

	afterEach(async () => {
		await driver.close();
		await location.dispose();
	});

	it('runs the transaction Postgres rolled back again, so both write', async () => {
		let bothHoldOne!: () => void;
		const met = new Promise<void>((resolve) => (bothHoldOne = resolve));
		let holding = 0;
		let attempts = 0;
		const bump = (first: number, second: number) =>
			driver.transaction(async (tx) => {
				attempts++;
				await tx.run('UPDATE counters SET v = v + 1 WHERE id = ?', [first]);
				if (++holding === 2) bothHoldOne();
				await met;
				await tx.run('UPDATE counters SET v = v + 1 WHERE id = ?', [second]);
				return first;
			});

		await expect(Promise.all([bump(1, 2), bump(2, 1)])).resolves.toEqual([1, 2]);
		// One of the two ran twice: its first attempt was the deadlock's victim, rolled back whole.
		expect(attempts).toBe(3);
		expect(await driver.all('SELECT id, v FROM counters ORDER BY id')).toEqual([
			{ id: 1, v: 2 },
			{ id: 2, v: 2 },
		]);
	});

	it('does not run a transaction again for any other error', async () => {
		let attempts = 0;
		await expect(
			driver.transaction(async (tx) => {
				attempts++;
				await tx.run('INSERT INTO counters (id, v) VALUES (1, 9)');
			}),
		).rejects.toThrow(/duplicate key/);
		expect(attempts).toBe(1);
	});
});
