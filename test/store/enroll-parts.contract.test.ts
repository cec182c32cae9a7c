import type { EnrollInput } from '../../engine/store/inputs';
import type { CadenceStore } from '../../engine/store/store';
import { prospecting, withName } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { withRecordedStore } from '../support/raw-sql';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * A batch is enrolled in parts (enroll.ts `enrollParts`): the first 200 items, then 500 at a
 * time, each later part checked and built while the one before is written. These batches span
 * three parts, so every rule is seen to hold across them: a bad item anywhere writes nothing and
 * is named with every other problem, a repeat is found against the whole batch, and each item
 * follows its own cadence whichever part it is in.
 */
describe.each(BACKENDS)('enrolling a batch in parts on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	const BATCH = 1_000;
	const contacts = (cadence = 'Prospecting'): EnrollInput[] =>
		Array.from({ length: BATCH }, (_, i) => ({ cadence, contactKey: `c${i}` }));

	const recorded = (work: (store: CadenceStore) => Promise<void>) =>
		withRecordedStore(t.location.config, clock.read, async (store, recorder) => {
			await work(store);
			return recorder.statements.map((s) => s.sql);
		});

	it('writes nothing for a bad item in a later part, naming every problem of the batch in order', async () => {
		const inputs = contacts();
		inputs[950] = { cadence: 'Prospecting', contactKey: '' };
		inputs[720] = { cadence: 'Prospecting', contactKey: 'c720', startAt: -5 };
		inputs[721] = {
			cadence: 'Prospecting',
			contactKey: 'c721',
			variables: ['not', 'names'] as unknown as Record<string, unknown>,
		};
		const error = await t.store.enroll(inputs).then(
			() => null,
			(e: unknown) => e as Error,
		);
		expect(error?.message).toMatch(/item 721: startAt/);
		const message = error!.message;
		const order = ['item 721: startAt', 'item 722: variables', 'item 951: contactKey'];
		const at = order.map((part) => message.indexOf(part));
		expect(at.every((i) => i >= 0)).toBe(true);
		expect([...at].sort((a, b) => a - b)).toEqual(at);
		expect(message).toContain('give the variables as an object of names and values');
		expect(await t.store.listEnrollments()).toEqual([]);
		// The transaction was let go: the same contacts enroll once the bad items are mended.
		inputs[950] = { cadence: 'Prospecting', contactKey: 'c950' };
		inputs[720] = { cadence: 'Prospecting', contactKey: 'c720' };
		inputs[721] = { cadence: 'Prospecting', contactKey: 'c721' };
		const results = await t.store.enroll(inputs);
		expect(results.every((r) => r.outcome === 'enrolled')).toBe(true);
		expect(await t.store.listEnrollments({ limit: 1000 })).toHaveLength(BATCH);
	});

	it('asks nothing of the database when an item of the first part is bad', async () => {
		const inputs = contacts();
		inputs[3] = { cadence: 'Prospecting', contactKey: ' ' };
		inputs[800] = { cadence: 'Prospecting', contactKey: '' };
		let failure = '';
		const statements = await recorded(async (store) => {
			failure = await store.enroll(inputs).then(
				() => '',
				(e: unknown) => (e as Error).message,
			);
		});
		expect(failure).toMatch(/item 4: contactKey[\s\S]*item 801: contactKey/);
		expect(statements).toEqual([]);
	});

	it('finds repeats, opted-out contacts and running enrollments across parts', async () => {
		const [running] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c600' }]);
		await t.store.optOut({ contactKey: 'c50', reason: 'asked to stop' });
		clock.advance(HOUR);
		const inputs = contacts();
		inputs[900] = { cadence: 'Prospecting', contactKey: 'c10' };
		inputs[800] = { cadence: 'Prospecting', contactKey: 'c50' };
		const results = await t.store.enroll(inputs);
		expect(results[10].outcome).toBe('enrolled');
		expect(results[900]).toMatchObject({
			outcome: 'alreadyEnrolled',
			message: 'Listed twice in this batch; enrolled once (item 11).',
		});
		expect(results[50].outcome).toBe('suppressed');
		expect(results[800].outcome).toBe('suppressed');
		expect(results[600]).toMatchObject({
			outcome: 'alreadyEnrolled',
			enrollment: { id: running.enrollment!.id },
		});
		const enrolled = results.filter((r) => r.outcome === 'enrolled');
		expect(enrolled).toHaveLength(BATCH - 4);
		expect(new Set(enrolled.map((r) => r.enrollment!.contactKey)).size).toBe(BATCH - 4);
		expect(await t.store.listEnrollments({ limit: 1000 })).toHaveLength(BATCH - 4 + 1);
	});

	it('follows each item its own cadence, whichever part it is in', async () => {
		await t.store.publishCadence({ ...withName(prospecting, 'Paused'), active: false });
		await t.store.publishCadence({
			...withName(prospecting, 'Restarts'),
			reenrollment: { whileActive: 'restart' },
		});
		const [earlier] = await t.store.enroll([{ cadence: 'Restarts', contactKey: 'r' }]);
		clock.advance(HOUR);
		const inputs = contacts();
		inputs[150] = { cadence: 'Paused', contactKey: 'p' };
		inputs[450] = { cadence: 'Restarts', contactKey: 'r' };
		inputs[850] = { cadence: 'Restarts', contactKey: 'fresh' };
		const results = await t.store.enroll(inputs);
		expect(results[150].outcome).toBe('notAllowed');
		expect(results[450]).toMatchObject({
			outcome: 'restarted',
			enrollment: { id: earlier.enrollment!.id, anchorAt: clock.nowMs },
		});
		expect(results[850]).toMatchObject({
			outcome: 'enrolled',
			enrollment: { cadenceName: 'Restarts', contactKey: 'fresh' },
		});
		expect(results.filter((r) => r.outcome === 'enrolled')).toHaveLength(BATCH - 2);
		expect(results[999].enrollment).toMatchObject({
			contactKey: 'c999',
			cadenceName: 'Prospecting',
		});
	});
});
