import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import type { CadenceStore } from '../../engine/store/store';
import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { withRecordedStore } from '../support/raw-sql';
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
