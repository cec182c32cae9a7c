import type { ClaimedStep, StepRun } from '../../engine/store/types';
import type { TestStore } from './backends';
import { count, rawDriver } from './raw-sql';
import { HOUR, type VirtualClock } from './virtual-clock';

/**
 * What the batched-operation contract tests share: contacts enrolled and their first steps
 * claimed, a row count read outside the store, and a batch result that must be a step run.
 * `current` gives the test's store and clock of the moment (both are made anew before each test).
 */
export function batchHelpers(
	current: () => { t: TestStore; clock: VirtualClock },
	cadence: string,
) {
	/** Enrolls `n` contacts (c1, c2, …), lets an hour pass and claims their first steps, by enrollment. */
	async function enrollAndClaim(n: number): Promise<ClaimedStep[]> {
		const { t, clock } = current();
		await t.store.enroll(
			Array.from({ length: n }, (_, i) => ({ cadence, contactKey: `c${i + 1}` })),
		);
		clock.advance(HOUR);
		const claimed = await t.store.claimDue({ cadence, limit: 100 });
		expect(claimed).toHaveLength(n);
		return claimed.sort((a, b) => a.enrollment.id - b.enrollment.id);
	}

	/** A count read on a connection of its own. */
	async function rows(sql: string): Promise<number> {
		const db = rawDriver(current().t.location.config);
		try {
			return await count(db, sql);
		} finally {
			await db.close();
		}
	}

	const runOf = (result: StepRun | Error): StepRun => {
		if (result instanceof Error) throw result;
		return result;
	};

	return { enrollAndClaim, rows, runOf };
}
