import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import type { CadenceStore } from '../../engine/store/store';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { rawDriver, withRecordedStore } from '../support/raw-sql';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * Where a batch finds the contacts already running (enroll.ts `repeatsOnlyAnswered`): for a
 * cadence whose repeats change nothing, the insert leaves them out and they are read afterwards;
 * for one whose repeats do something (restart, once per contact, a clock from the contact's last
 * message) they are looked up before anything is written. The answers are the same either way.
 */
describe.each(BACKENDS)('enrolling contacts already running on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	/** Runs `work` on a store whose statements are recorded; returns them in order. */
	const recorded = (work: (store: CadenceStore) => Promise<void>) =>
		withRecordedStore(t.location.config, clock.read, async (store, recorder) => {
			await work(store);
			return recorder.statements.map((s) => s.sql);
		});

	const runningRead = (sql: string) => /e\.state IN \('active', 'paused'\)/.test(sql);
	const insert = (sql: string) => /INSERT INTO enrollments/.test(sql);

	async function enrollTwice(cadence: CadenceDefinitionInput) {
		await t.store.publishCadence(cadence);
		const [first] = await t.store.enroll([
			{ cadence: cadence.name, contactKey: 'a', contactName: 'Ann' },
		]);
		clock.advance(HOUR);
		let results: Awaited<ReturnType<CadenceStore['enroll']>> = [];
		const statements = await recorded(async (store) => {
			results = await store.enroll([
				{ cadence: cadence.name, contactKey: 'b' },
				{ cadence: cadence.name, contactKey: 'a' },
			]);
		});
		return { first: first.enrollment!, results, statements };
	}

	it('finds them through the insert when repeats change nothing, and answers with the running one', async () => {
		const { first, results, statements } = await enrollTwice(prospecting);
		expect(results.map((r) => r.outcome)).toEqual(['enrolled', 'alreadyEnrolled']);
		expect(results[1]).toMatchObject({
			message: 'Already enrolled; the running enrollment continues unchanged.',
			enrollment: { id: first.id, contactName: 'Ann', nextDueAt: first.nextDueAt },
		});
		const firstInsert = statements.findIndex(insert);
		expect(firstInsert).toBeGreaterThanOrEqual(0);
		expect(statements.slice(0, firstInsert).some(runningRead)).toBe(false);
		expect(statements.slice(firstInsert).filter(runningRead)).toHaveLength(1);
		expect((await t.store.listEnrollments()).map((e) => e.contactKey).sort()).toEqual(['a', 'b']);
	});

	it('reads nothing after the insert when no contact of the batch was running', async () => {
		await t.store.publishCadence(prospecting);
		const statements = await recorded(async (store) => {
			await store.enroll([{ cadence: 'Prospecting', contactKey: 'new' }]);
		});
		expect(statements.some(runningRead)).toBe(false);
	});

	const suppressionRead = (sql: string) => /FROM suppressions WHERE/.test(sql);

	it('leaves opted-out contacts to the insert when every cadence is on and repeats change nothing', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.optOut({ contactKey: 'out', reason: 'asked to stop' });
		const [running] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		let results: Awaited<ReturnType<CadenceStore['enroll']>> = [];
		const statements = await recorded(async (store) => {
			results = await store.enroll([
				{ cadence: 'Prospecting', contactKey: 'out' },
				{ cadence: 'Prospecting', contactKey: 'new' },
				{ cadence: 'Prospecting', contactKey: 'out' },
				{ cadence: 'Prospecting', contactKey: 'a' },
			]);
		});
		expect(results.map((r) => r.outcome)).toEqual([
			'suppressed',
			'enrolled',
			'suppressed',
			'alreadyEnrolled',
		]);
		expect(results[0]).toEqual({
			outcome: 'suppressed',
			enrollment: null,
			message: 'This contact opted out; no cadence will message them.',
		});
		expect(results[2]).toEqual(results[0]);
		expect(results[3].enrollment!.id).toBe(running.enrollment!.id);
		const firstInsert = statements.findIndex(insert);
		expect(statements.slice(0, firstInsert).some(suppressionRead)).toBe(false);
		expect(statements.slice(firstInsert).filter(suppressionRead)).toHaveLength(1);
		expect((await t.store.listEnrollments()).map((e) => e.contactKey).sort()).toEqual(['a', 'new']);
	});

	it('answers "opted out" before "running" for a running contact who opted out since', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		// Opted out since (by another process, say): the suppression is there, the enrollment runs.
		const db = rawDriver(t.location.config);
		await db
			.run('INSERT INTO suppressions (contact_key, reason, at) VALUES (?, ?, ?)', ['a', 'stop', 0])
			.finally(() => db.close());
		const [result] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		expect(result.outcome).toBe('suppressed');
	});

	it('asks for opted-out contacts first when a cadence of the batch is paused', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.optOut({ contactKey: 'out', reason: 'asked to stop' });
		await t.store.publishCadence({ ...prospecting, active: false });
		let results: Awaited<ReturnType<CadenceStore['enroll']>> = [];
		const statements = await recorded(async (store) => {
			results = await store.enroll([
				{ cadence: 'Prospecting', contactKey: 'out' },
				{ cadence: 'Prospecting', contactKey: 'in' },
			]);
		});
		expect(results.map((r) => r.outcome)).toEqual(['suppressed', 'notAllowed']);
		expect(statements.some(suppressionRead)).toBe(true);
	});

	it.each([
		['restart', { reenrollment: { whileActive: 'restart' as const } }, 'restarted'],
		['once per contact', { reenrollment: { afterEnd: 'never' as const } }, 'alreadyEnrolled'],
		[
			'a clock from the last message',
			{ startClock: 'lastContactMessage' as const },
			'alreadyEnrolled',
		],
		[
			'a step sent once per contact',
			{ steps: prospecting.steps.map((step, i) => ({ ...step, runOnce: i === 0 })) },
			'alreadyEnrolled',
		],
	])(
		'looks them up before writing when repeats do something (%s)',
		async (_label, change, outcome) => {
			const { first, results, statements } = await enrollTwice({ ...prospecting, ...change });
			expect(results.map((r) => r.outcome)).toEqual(['enrolled', outcome]);
			expect(results[1].enrollment!.id).toBe(first.id);
			const firstInsert = statements.findIndex(insert);
			expect(statements.slice(0, firstInsert).some(runningRead)).toBe(true);
		},
	);
});
