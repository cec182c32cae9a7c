import { openStore } from '../../engine/store/open';
import { migrate } from '../../engine/store/schema/migrate';
import { MIGRATIONS } from '../../engine/store/schema/migrations';
import type { CadenceStore } from '../../engine/store/store';
import type { SqlDriver } from '../../engine/store/sql/driver';
import {
	BACKENDS,
	freshLocation,
	freshStore,
	type Backend,
	type TestStore,
} from '../support/backends';
import { rawDriver } from '../support/raw-sql';
import { insertOldCadence } from '../support/old-store';
import { VirtualClock } from '../support/virtual-clock';

/**
 * Text the two databases would otherwise treat differently (issue 15.8, 15.9, 15.10): search folds
 * case beyond ASCII alike, free text with NUL or half an emoji reads back the same, and long
 * replies are still recorded. The same expectations on SQLite and Postgres.
 */

jest.setTimeout(60_000);

const names = async (store: CadenceStore, search: string) =>
	(await store.listEnrollments({ search })).map((e) => e.contactName).sort();

describe.each(BACKENDS)('text on %s', (backend) => {
	let t: TestStore;
	let clock: VirtualClock;

	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence({
			name: 'Relances Été',
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Bonjour' }],
		});
	});

	afterEach(async () => t.dispose());

	it('search finds "Émile Zola" by "Émile", "ÉMILE" and "zola", in any field, and not by "Emile"', async () => {
		await t.store.enroll([
			{ cadence: 'Relances Été', contactKey: 'c1', contactName: 'Émile Zola' },
			{ cadence: 'Relances Été', contactKey: 'c2', contactName: 'Ana', agent: 'SØREN' },
			{
				cadence: 'Relances Été',
				contactKey: 'c3',
				contactName: 'Ugo',
				variables: { city: 'Straße 5, MÜNCHEN' },
			},
		]);
		expect(await names(t.store, 'Émile')).toEqual(['Émile Zola']);
		expect(await names(t.store, 'ÉMILE')).toEqual(['Émile Zola']);
		expect(await names(t.store, 'zola')).toEqual(['Émile Zola']);
		expect(await names(t.store, 'Emile')).toEqual([]);
		expect(await names(t.store, 'søren')).toEqual(['Ana']);
		expect(await names(t.store, 'münchen')).toEqual(['Ugo']);
		// The cadence's name is searched too, folded the same way.
		expect(await names(t.store, 'relances ÉTÉ')).toEqual(['Ana', 'Ugo', 'Émile Zola']);
		// Wildcards typed by the user are plain characters.
		expect(await names(t.store, '%')).toEqual([]);
	});

	it("a renamed cadence's enrollments are found by its new name, on the list and the dashboard", async () => {
		const owner = { workflowId: 'wf-1', nodeId: 'trigger-1' };
		const steps = [{ wait: { amount: 1, unit: 'days' as const }, staticText: 'Hello' }];
		await t.store.publishCadence({ name: 'Spring Offer', steps }, owner);
		await t.store.enroll([
			{ cadence: 'Spring Offer', contactKey: 'k1', contactName: 'Kim' },
			{ cadence: 'Spring Offer', contactKey: 'k2', contactName: 'Lee', agent: 'Summer Desk' },
		]);
		await t.store.publishCadence({ name: 'Summer Offer', steps }, owner);
		const dashboard = async (search: string) =>
			(await t.store.listFollowUps({ search })).rows.map((r) => r.enrollment.contactName).sort();
		expect(await names(t.store, 'summer offer')).toEqual(['Kim', 'Lee']);
		expect(await dashboard('SUMMER OFFER')).toEqual(['Kim', 'Lee']);
		expect(await names(t.store, 'spring offer')).toEqual([]);
		expect(await dashboard('spring')).toEqual([]);
		// Each field on its own: the agent matches, the cadence's name and an agent never join.
		expect(await names(t.store, 'summer desk')).toEqual(['Lee']);
		expect(await names(t.store, 'offer summer')).toEqual([]);
		// A search on the cadence's name narrows within other filters like any other.
		expect(
			(await t.store.listFollowUps({ search: 'summer offer', agent: 'Summer Desk' })).rows.map(
				(r) => r.enrollment.contactName,
			),
		).toEqual(['Lee']);
	});

	it('the cadence list is searched and sorted alike: "ÉTÉ" finds "Relances Été"', async () => {
		for (const name of ['zeta', 'Alpha', 'été'])
			await t.store.publishCadence({
				name,
				steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
			});
		const found = async (search?: string) =>
			(await t.store.listCadences({ search })).map((c) => c.name);
		expect(await found('ÉTÉ')).toEqual(['été', 'Relances Été']);
		expect(await found()).toEqual(['Alpha', 'été', 'Relances Été', 'zeta']);
	});

	it('free text with a NUL or half an emoji is stored cleaned, the same on both databases', async () => {
		const [result] = await t.store.enroll([
			{ cadence: 'Relances Été', contactKey: 'c1', contactName: 'Ana\0 Lima \ud83d' },
		]);
		expect(result.enrollment?.contactName).toBe('Ana Lima \ufffd');
		expect((await t.store.getEnrollment(result.enrollment!.id))?.contactName).toBe(
			'Ana Lima \ufffd',
		);
		await t.store.recordInbound({ contactKey: 'c1', text: 'merci\0 \udc00!' });
		const [message] = await t.store.getConversation({ contactKey: 'c1' });
		expect(message.text).toBe('merci \ufffd!');
	});

	it('a variable with a NUL or half an emoji reads back exactly as given', async () => {
		const variables = { note: 'a\0b', cut: 'x\ud83d', whole: 'ok 😀' };
		const [result] = await t.store.enroll([
			{ cadence: 'Relances Été', contactKey: 'c1', variables },
		]);
		expect((await t.store.getEnrollment(result.enrollment!.id))?.variables).toEqual(variables);
	});

	it('a reply longer than the message limit is still recorded (and stops the cadence), cut at the limit', async () => {
		await t.store.enroll([{ cadence: 'Relances Été', contactKey: 'c1' }]);
		const { message, effects } = await t.store.recordInbound({
			contactKey: 'c1',
			text: 'y'.repeat(100_050),
		});
		expect(message.text).toHaveLength(100_000);
		expect(effects.map((e) => e.action)).toEqual(['exit']);
	});

	it('variables just under the limit are accepted', async () => {
		const [result] = await t.store.enroll([
			{ cadence: 'Relances Été', contactKey: 'c1', variables: { notes: 'n'.repeat(31_000) } },
		]);
		expect(result.outcome).toBe('enrolled');
	});
});

/**
 * A store written by `write` at the schema before version `version`, then opened (and so
 * upgraded) for `check`.
 */
async function afterUpgradeFrom(
	backend: Backend,
	version: number,
	write: (db: SqlDriver) => Promise<void>,
	check: (store: CadenceStore, db: SqlDriver) => Promise<void>,
): Promise<void> {
	const clock = VirtualClock.at('2026-03-02T09:00:00Z');
	const location = freshLocation(backend);
	const db = rawDriver(location.config);
	let store: CadenceStore | undefined;
	try {
		await migrate(
			db,
			clock.nowMs,
			MIGRATIONS.filter((m) => m.version < version),
		);
		await insertOldCadence(db);
		await write(db);
		store = await openStore(location.config, clock.read);
		await check(store, db);
	} finally {
		await store?.close();
		await db.close();
		await location.dispose();
	}
}

describe.each(BACKENDS)('search after the upgrade on %s', (backend) => {
	it('enrollments written with the cadence name in their own text are found by its name after the upgrade', async () => {
		let name = '';
		await afterUpgradeFrom(
			backend,
			17,
			async (db) => {
				[{ name }] = await db.all<{ name: string }>('SELECT name FROM cadences');
				await db.run(
					`INSERT INTO enrollments (cadence_id, version, contact_key, conversation_key, contact_name,
						agent, variables, state, cycle, next_step, anchor_at, created_at, updated_at, search_text)
					VALUES (1, 1, 'c1', '', 'Émile Zola', '', '{}', 'active', 1, 0, 0, 0, 0, ?)`,
					[`émile zola\nc1\n\n\n${name.toLowerCase()}\n{}`],
				);
			},
			async (store, db) => {
				const [{ id }] = await db.all<{ id: number }>('SELECT id FROM enrollments');
				const before = Number(id);
				const found = async (search: string) =>
					(await store.listEnrollments({ search })).map((e) => e.id);
				expect(await found(name.toUpperCase())).toEqual([before]);
				expect(await found('ÉMILE')).toEqual([before]);
				// An enrollment written after the upgrade keeps no copy of the name: it is found
				// through the name the upgrade folded onto the cadence.
				const [later] = await store.enroll([
					{ cadence: name, contactKey: 'c2', contactName: 'Ana' },
				]);
				expect(later.outcome).toBe('enrolled');
				expect((await found(name.toUpperCase())).sort((a, b) => a - b)).toEqual([
					before,
					later.enrollment!.id,
				]);
				expect(await found('ana')).toEqual([later.enrollment!.id]);
			},
		);
	});

	it('enrollments written before the search column are found by their accented names', async () => {
		await afterUpgradeFrom(
			backend,
			7,
			async (db) => {
				await db.run(
					`INSERT INTO enrollments (id, cadence_id, version, contact_key, conversation_key, contact_name,
						agent, variables, state, cycle, next_step, anchor_at, created_at, updated_at)
					VALUES (1, 1, 1, 'c1', '', 'Émile Zola', '', '{}', 'active', 1, 0, 0, 0, 0)`,
				);
			},
			async (store) => {
				expect((await store.listEnrollments({ search: 'ÉMILE' })).map((e) => e.id)).toEqual([1]);
				expect(await store.storeId()).toMatch(/^[0-9a-f-]{36}$/);
			},
		);
	});
});
