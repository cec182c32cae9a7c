import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import { CadenceStore } from '../../engine/store/store';
import type { ClaimedStep } from '../../engine/store/types';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { planOf, rawDriver, withRecordedStore } from '../support/raw-sql';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * Draining a backlog (claim.ts `Backlog`): while claims come back full, the next one starts after
 * the last step taken; every step still goes out once, earliest first, and a step queued behind
 * that place goes out with the claim that ends the backlog or within RESCAN_AFTER claims.
 */

jest.setTimeout(60_000);

const NAME = 'Backlog';
const MINUTE = 60_000;
const cadence: CadenceDefinitionInput = {
	name: NAME,
	steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'Hello' }],
};

const keysOf = (steps: ClaimedStep[]) => steps.map((s) => s.enrollment.contactKey);

describe.each(BACKENDS)('a backlog of due steps on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(cadence);
	});
	afterEach(async () => t.dispose());

	/** Contacts `prefix0…` due one minute apart, the first `count` minutes ago at the latest. */
	async function enrollDue(prefix: string, count: number, minutesEarlier = 0) {
		const start = clock.nowMs - HOUR - (count + minutesEarlier) * MINUTE;
		for (let from = 0; from < count; from += 500) {
			const inputs = [];
			for (let i = from; i < Math.min(count, from + 500); i++)
				inputs.push({ cadence: NAME, contactKey: `${prefix}${i}`, startAt: start + i * MINUTE });
			await t.store.enroll(inputs);
		}
	}

	const claim = (limit: number) => t.store.claimDue({ cadence: NAME, limit });

	it('hands out every step once, earliest first across the claims that drain it', async () => {
		await enrollDue('c', 250);
		const claims = [await claim(100), await claim(100), await claim(100), await claim(100)];
		expect(claims.map((c) => c.length)).toEqual([100, 100, 50, 0]);
		const all = claims.flat();
		expect(keysOf(all)).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
		expect(new Set(all.map((s) => s.stepRun.id)).size).toBe(250);
	});

	it('hands a step queued behind the backlog out with the claim that ends it', async () => {
		await enrollDue('c', 250);
		expect(await claim(100)).toHaveLength(100);
		// Due before everything still waiting: behind where the backlog's claims have got to.
		await enrollDue('early', 1, 300);
		const second = await claim(100);
		const third = await claim(100);
		expect(second.length + third.length).toBe(151);
		expect(keysOf([...second, ...third])).toContain('early0');
		expect(await claim(100)).toEqual([]);
	});

	it('reads the queue from its start at least every 21 claims of a long backlog', async () => {
		await enrollDue('c', 40);
		expect(keysOf(await claim(1))).toEqual(['c0']);
		await enrollDue('early', 1, 100);
		const order: string[] = [];
		for (let i = 0; i < 40; i++) order.push(...keysOf(await claim(1)));
		expect(order).toHaveLength(40);
		expect(order.indexOf('early0')).toBeGreaterThanOrEqual(0);
		expect(order.indexOf('early0')).toBeLessThan(21);
		expect(new Set(order).size).toBe(40);
	});

	it('counts a claim cut by the hourly cap as short, and goes on from the start after it', async () => {
		await t.store.publishCadence({ ...cadence, limits: { perCadencePerHour: 150 } });
		await enrollDue('c', 250);
		expect(await claim(100)).toHaveLength(100);
		expect(await claim(100)).toHaveLength(50);
		expect(await claim(100)).toEqual([]);
		clock.advance(HOUR);
		const rest = [...(await claim(100)), ...(await claim(100))];
		expect(new Set(keysOf(rest)).size).toBe(100);
	});
});

describe('a backlog claim on postgres', () => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore('postgres', clock.read);
		await t.store.publishCadence(cadence);
		const inputs = Array.from({ length: 300 }, (_, i) => ({
			cadence: NAME,
			contactKey: `c${i}`,
		}));
		await t.store.enroll(inputs);
		clock.advance(HOUR);
	});
	afterEach(async () => t.dispose());

	it('starts after the last step taken, as a condition the queue index reads', async () => {
		await withRecordedStore(t.location.config, clock.read, async (store, recorder, db) => {
			const first = await store.claimDue({ cadence: NAME, limit: 100 });
			const claims = () => recorder.statements.filter((s) => /WITH taken/.test(s.sql));
			expect(claims()).toHaveLength(1);
			expect(claims()[0].sql).not.toMatch(/\(due_at, enrollment_id\) >/);

			await store.claimDue({ cadence: NAME, limit: 100 });
			const statement = claims()[1];
			const { sql, params } = statement;
			expect(sql).toMatch(/\(due_at, enrollment_id\) > \(\?, \?\)/);
			const last = first[first.length - 1];
			expect(params.slice(2, 4)).toEqual([last.stepRun.dueAt, last.enrollment.id]);
			const plan = await planOf(db, statement);
			expect(plan).toMatch(/Index Cond: \(\(cadence_id = .*ROW\(due_at, enrollment_id\) > ROW/);
		});
	});

	it('keeps a size that varies as a parameter, so the rest of a short claim adds no statement', async () => {
		await withRecordedStore(t.location.config, clock.read, async (store, recorder) => {
			const sizes = [];
			for (let i = 0; i < 3; i++)
				sizes.push((await store.claimDue({ cadence: NAME, limit: 120 })).length);
			expect(sizes).toEqual([120, 120, 60]);
			const claims = recorder.statements.filter((s) => /WITH taken/.test(s.sql));
			expect(claims.map((c) => /LIMIT 120 /.test(c.sql))).toEqual([true, true, true, false]);
			expect(claims[3].sql).toMatch(/LIMIT \? FOR UPDATE/);
			expect(claims[3].params).toContain(60);
			expect(new Set(claims.map((c) => c.sql)).size).toBe(3);
		});
	});

	it('keeps one plan for the claim statement instead of planning every claim', async () => {
		// One connection, so the prepared statements of the claims and the read below are the same.
		const db = rawDriver({ ...t.location.config, poolSize: 1 } as typeof t.location.config);
		try {
			const store = new CadenceStore(db, clock.read);
			// Postgres plans a prepared statement's first five runs for their values; the sixth on
			// it keeps a generic plan if that costs about the same, which with `LIMIT $n` it never did.
			for (let i = 0; i < 3; i++) await store.claimDue({ cadence: NAME, limit: 100 });
			for (let i = 0; i < 20; i++) await store.claimDue({ cadence: NAME, limit: 1 });
			const plans = await db.all<{ statement: string; generic: number; custom: number }>(
				`SELECT statement, generic_plans AS generic, custom_plans AS custom
				FROM pg_prepared_statements WHERE statement LIKE '%WITH taken%'`,
			);
			const byLimit = plans.find((p) => /LIMIT 1 FOR UPDATE/.test(p.statement));
			expect(byLimit).toBeDefined();
			expect(Number(byLimit!.generic)).toBeGreaterThan(0);
		} finally {
			await db.close();
		}
	});
});
