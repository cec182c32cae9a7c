import { CadenceValidationError } from '../../engine/errors';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { updateFromValues, type ValuesColumn } from '../../engine/store/ops/values-table';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { rawDriver } from '../support/raw-sql';
import { VirtualClock } from '../support/virtual-clock';

/**
 * `updateFromValues`, under Mark Sent and every other write that gives each row its own values:
 * Postgres takes the rows as one JSON parameter (`dialect.jsonRows`), SQLite binds a VALUES list.
 * Either way each value must arrive as given, and a text neither database can keep is refused
 * before anything is written.
 */
describe.each(BACKENDS)('updating rows from their own values on %s', (backend) => {
	let t: TestStore;
	let driver: SqlDriver;
	beforeEach(async () => {
		t = await freshStore(backend, VirtualClock.at('2026-03-02T09:00:00Z').read);
		driver = rawDriver(t.location.config);
		await driver.run('CREATE TABLE probe_rows (id BIGINT PRIMARY KEY, n BIGINT, label TEXT)');
		for (const id of [1, 2, 3])
			await driver.run('INSERT INTO probe_rows (id, n, label) VALUES (?, ?, ?)', [id, 0, 'old']);
	});
	afterEach(async () => {
		await driver.close();
		await t.dispose();
	});

	const COLUMNS: ValuesColumn[] = [
		{ name: 'id', type: 'int' },
		{ name: 'n', type: 'int' },
		{ name: 'label', type: 'text', assign: "COALESCE($, 'kept')" },
	];

	const rows = async () =>
		(
			await driver.all<{ id: number; n: number; label: string }>(
				'SELECT id, n, label FROM probe_rows ORDER BY id',
			)
		).map((r) => ({ id: Number(r.id), n: Number(r.n), label: r.label }));

	it('assigns each row its own values, texts and large numbers exactly, null where none is given', async () => {
		const text = 'He said "hi" \\ back, ü, 😀, {a,b}';
		const updated = await driver.transaction((db) =>
			updateFromValues(db, driver.dialect, 'probe_rows', COLUMNS, [
				[1, 9007199254740991, text],
				[3, -5, null],
			]),
		);
		expect(updated.map((r) => Number(r.id)).sort()).toEqual([1, 3]);
		expect(await rows()).toEqual([
			{ id: 1, n: 9007199254740991, label: text },
			{ id: 2, n: 0, label: 'old' },
			{ id: 3, n: -5, label: 'kept' },
		]);
	});

	it('only touches rows the further condition allows, and returns those', async () => {
		const updated = await driver.transaction((db) =>
			updateFromValues(
				db,
				driver.dialect,
				'probe_rows',
				[COLUMNS[0], COLUMNS[2]],
				[
					[1, 'one'],
					[2, 'two'],
				],
				{ where: 'probe_rows.id > 1', fixed: 'n = 7' },
			),
		);
		expect(updated.map((r) => Number(r.id))).toEqual([2]);
		expect((await rows()).map((r) => `${r.id}:${r.n}:${r.label}`)).toEqual([
			'1:0:old',
			'2:7:two',
			'3:0:old',
		]);
	});

	it('refuses a text that cannot be stored, naming why, and writes nothing', async () => {
		const failure = driver.transaction((db) =>
			updateFromValues(db, driver.dialect, 'probe_rows', COLUMNS, [
				[1, 5, 'fine'],
				[2, 5, 'cut\0here'],
			]),
		);
		await expect(failure).rejects.toThrow(CadenceValidationError);
		await expect(failure).rejects.toThrow(/NUL character/);
		expect((await rows()).map((r) => r.label)).toEqual(['old', 'old', 'old']);
	});
});
