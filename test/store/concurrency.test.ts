import { openStore } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import type { ClaimedStep } from '../../engine/store/types';
import { BACKENDS, freshLocation, type Location } from '../support/backends';
import { raceInProcesses } from '../support/processes';
import { count, rawDriver } from '../support/raw-sql';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * The delivery guarantee under contention: several claimers on separate connections race over
 * the same due steps, and every step is handed out exactly once — none twice, none lost.
 */

jest.setTimeout(180_000);

const CONTACTS = 10_000;
const CLAIMERS = 4;
const ENROLL_BATCH = 1_000;
const CLAIM_LIMIT = 100;
const CADENCE = 'Race';
/** Sends confirmed at once per store (a Postgres store has a pool of 4 connections). */
const SEND_LANES = 4;

/** Prints how long each phase took when CADENCE_TEST_TIMINGS is set. */
function timing(label: string, since: number): void {
	if (process.env.CADENCE_TEST_TIMINGS) {
		process.stdout.write(`[timing] ${label}: ${Math.round(performance.now() - since)} ms\n`);
	}
}

async function publishRaceCadence(store: CadenceStore): Promise<void> {
	await store.publishCadence({
		name: CADENCE,
		steps: [
			{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
			{ wait: { amount: 1, unit: 'hours' }, staticText: 'second' },
		],
	});
}

/** Enrolls `total` contacts, one transaction per batch; returns the new enrollment ids. */
async function enrollMany(store: CadenceStore, total: number): Promise<number[]> {
	const ids: number[] = [];
	for (let start = 0; start < total; start += ENROLL_BATCH) {
		const batch = Array.from({ length: Math.min(ENROLL_BATCH, total - start) }, (_, i) => ({
			cadence: CADENCE,
			contactKey: `contact-${start + i}`,
		}));
		const results = await store.enroll(batch);
		for (const result of results) {
			expect(result.outcome).toBe('enrolled');
			ids.push(result.enrollment!.id);
		}
	}
	return ids;
}

/** One claimer: claims until a claim comes back empty. */
async function claimUntilEmpty(store: CadenceStore): Promise<ClaimedStep[]> {
	const claimed: ClaimedStep[] = [];
	for (;;) {
		const batch = await store.claimDue({ cadence: CADENCE, limit: CLAIM_LIMIT });
		if (batch.length === 0) return claimed;
		expect(batch.length).toBeLessThanOrEqual(CLAIM_LIMIT);
		claimed.push(...batch);
	}
}

function duplicates(values: number[]): number[] {
	const seen = new Set<number>();
	const twice = new Set<number>();
	for (const v of values) (seen.has(v) ? twice : seen).add(v);
	return [...twice];
}

/** Zero duplicates, zero missing: the claimed enrollments are exactly the expected ones. */
function expectExactlyOnce(
	enrollmentIds: number[],
	stepRunIds: number[],
	expected: number[],
): void {
	expect(duplicates(enrollmentIds)).toEqual([]);
	expect(duplicates(stepRunIds)).toEqual([]);
	expect(enrollmentIds).toHaveLength(expected.length);
	const claimedSet = new Set(enrollmentIds);
	expect(expected.filter((id) => !claimedSet.has(id))).toEqual([]);
	expect([...claimedSet].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
}

describe.each(BACKENDS)('concurrent claimers on %s', (backend) => {
	let clock: VirtualClock;
	let location: Location;
	let stores: CadenceStore[];

	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		location = freshLocation(backend);
		stores = [];
		// The first open migrates; the others find the schema in place. Each store is its own
		// connection (SQLite) or its own pool (Postgres).
		for (let i = 0; i < CLAIMERS; i++) stores.push(await openStore(location.config, clock.read));
	});

	afterEach(async () => {
		for (const store of stores) await store.close().catch(() => undefined);
		await location.dispose();
	});

	it(`${CLAIMERS} claimers on separate connections emit each of ${CONTACTS} due steps exactly once, twice over`, async () => {
		const [first] = stores;
		await publishRaceCadence(first);
		let started = performance.now();
		const enrolled = await enrollMany(first, CONTACTS);
		timing(`${backend} enroll ${CONTACTS}`, started);
		expect(new Set(enrolled).size).toBe(CONTACTS);

		// Nothing is due before the first wait is over.
		expect(await first.claimDue({ cadence: CADENCE, limit: CLAIM_LIMIT })).toEqual([]);
		clock.advance(HOUR);

		// Round 1: every claimer starts at once and keeps going until the store runs dry.
		started = performance.now();
		const round1 = await Promise.all(stores.map((store) => claimUntilEmpty(store)));
		timing(`${backend} race round 1 (${CLAIMERS} claimers, ${CONTACTS} steps)`, started);
		const steps1 = round1.flat();
		expectExactlyOnce(
			steps1.map((s) => s.enrollment.id),
			steps1.map((s) => s.stepRun.id),
			enrolled,
		);
		expect(steps1.every((s) => s.stepRun.stepIndex === 0 && s.step.staticText === 'first')).toBe(
			true,
		);
		// The claimers really raced: the work was spread over more than one of them.
		expect(round1.filter((claims) => claims.length > 0).length).toBeGreaterThan(1);
		// And the store agrees: one step run and one "claimed" event per enrollment, nothing left due.
		const raw = rawDriver(location.config);
		try {
			expect(await count(raw, 'SELECT COUNT(*) AS n FROM step_runs')).toBe(CONTACTS);
			expect(await count(raw, "SELECT COUNT(*) AS n FROM events WHERE type = 'claimed'")).toBe(
				CONTACTS,
			);
			expect(await count(raw, 'SELECT COUNT(*) AS n FROM due_steps')).toBe(0);
		} finally {
			await raw.close();
		}
		for (const store of stores) expect(await store.claimDue({ cadence: CADENCE })).toEqual([]);

		// Confirm every send (spread over the connections), then let the second step fall due.
		started = performance.now();
		const share = Math.ceil(steps1.length / stores.length);
		await Promise.all(
			stores.map((store, i) =>
				inLanes(steps1.slice(i * share, (i + 1) * share), SEND_LANES, (step) =>
					store.markSent({ stepRunId: step.stepRun.id, text: 'first' }),
				),
			),
		);
		timing(`${backend} markSent ${CONTACTS}`, started);
		expect(await first.claimDue({ cadence: CADENCE, limit: CLAIM_LIMIT })).toEqual([]);
		clock.advance(HOUR);

		// Round 2: the same race over the second step.
		started = performance.now();
		const round2 = await Promise.all(stores.map((store) => claimUntilEmpty(store)));
		timing(`${backend} race round 2`, started);
		const steps2 = round2.flat();
		expectExactlyOnce(
			steps2.map((s) => s.enrollment.id),
			steps2.map((s) => s.stepRun.id),
			enrolled,
		);
		expect(steps2.every((s) => s.stepRun.stepIndex === 1 && s.isLastStep)).toBe(true);
		const round1Runs = new Set(steps1.map((s) => s.stepRun.id));
		expect(steps2.filter((s) => round1Runs.has(s.stepRun.id))).toEqual([]);
		expect(round2.filter((claims) => claims.length > 0).length).toBeGreaterThan(1);
	});

	it(`${CLAIMERS} claimer processes emit each of ${CONTACTS} due steps exactly once`, async () => {
		const [first] = stores;
		await publishRaceCadence(first);
		const enrolled = await enrollMany(first, CONTACTS);
		// Only the child processes touch the store from here on.
		for (const store of stores) await store.close();
		stores = [];
		clock.advance(HOUR);

		const started = performance.now();
		const results = await raceInProcesses(
			{ config: location.config, now: clock.nowMs, cadence: CADENCE, limit: CLAIM_LIMIT },
			CLAIMERS,
		);
		timing(`${backend} race in ${CLAIMERS} processes`, started);
		const all = results.flatMap((r) => r.claimed);
		expectExactlyOnce(
			all.map(([enrollmentId]) => enrollmentId),
			all.map(([, stepRunId]) => stepRunId),
			enrolled,
		);
		// Every process finished cleanly (no "database is locked", no deadlock). How the work
		// was shared is not part of the contract: a SQLite writer that just committed often wins
		// the lock again before the waiting processes wake up, so one process may take it all.
		expect(results).toHaveLength(CLAIMERS);
	});
});

/** Runs `work` over `items` with at most `lanes` calls in flight. */
async function inLanes<T>(
	items: T[],
	lanes: number,
	work: (item: T) => Promise<unknown>,
): Promise<void> {
	let next = 0;
	await Promise.all(
		Array.from({ length: lanes }, async () => {
			while (next < items.length) await work(items[next++]);
		}),
	);
}
