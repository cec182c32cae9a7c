import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import type { Mode } from '../lib/report';

/**
 * The workload every store subject runs — the cadence store on SQLite and on Postgres, and pg-boss —
 * so the figures compare like with like.
 */

export interface Sizes {
	/** Steps due at the same moment in the "due at once" store. */
	dueAtOnce: number;
	/** Enrollments in the large store, of which 1 % are due. */
	large: number;
	/** Claims timed on the large store while nothing is due. */
	idleTicks: number;
}

export const SIZES: Record<Mode, Sizes> = {
	quick: { dueAtOnce: 5_000, large: 20_000, idleTicks: 100 },
	full: { dueAtOnce: 100_000, large: 1_000_000, idleTicks: 500 },
};

/** Enrollments (and pg-boss jobs) go in 1,000 per call; steps are claimed 100 per call. */
export const ENROLL_BATCH = 1_000;
export const CLAIM_BATCH = 100;
/** Idle ticks run before the timed ones, so statement preparation is not counted. */
export const WARMUP_TICKS = 10;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const CADENCE = 'Benchmark follow-ups';

/** Three static steps with plain waits: the timing rules cost the same for every enrollment. */
export const cadence: CadenceDefinitionInput = {
	name: CADENCE,
	steps: [
		{
			wait: { amount: 1, unit: 'hours' },
			staticText: 'Hi {{firstName}}, did you get a chance to look?',
		},
		{ wait: { amount: 1, unit: 'days' }, staticText: 'Hi {{firstName}}, is this still relevant?' },
		{ wait: { amount: 2, unit: 'days' }, staticText: 'Goodbye for now, {{firstName}}!' },
	],
};

export const FIRST_WAIT_MS = HOUR;
/** pg-boss has no cadence: its follow-up job for the next step is scheduled this far ahead. */
export const NEXT_STEP_WAIT_MS = DAY;

/**
 * The store's injected clock runs on this timeline (pg-boss runs on the database's clock and
 * gets the same shape by moving `start_after`):
 * - everything is enrolled at LOAD_AT; nothing is due then (the idle ticks run here);
 * - at DUE_FIRST, 1 % of the large store is due (the claim measurement);
 * - at DUE_NEXT, another 1 % is due (the full-cycle measurement); the rest wait up to two days.
 */
export const DUE_FIRST = Date.parse('2026-03-02T09:00:00Z');
export const DUE_NEXT = DUE_FIRST + HOUR;
export const LOAD_AT = DUE_FIRST - DAY;

export type Group = 'dueFirst' | 'dueNext' | 'later';

/** Which 1 % an enrollment belongs to: spread evenly through the load, not bunched at its start. */
export function groupOf(index: number): Group {
	if (index % 100 === 0) return 'dueFirst';
	if (index % 100 === 50) return 'dueNext';
	return 'later';
}

/** When enrollment `index` of the large store comes due. */
export function dueAtOf(index: number): number {
	const group = groupOf(index);
	if (group === 'dueFirst') return DUE_FIRST;
	if (group === 'dueNext') return DUE_NEXT;
	return DUE_NEXT + HOUR + (index % 2_880) * MINUTE;
}

/** One contact, the same for every subject: what an n8n item would carry into Enroll In Cadence. */
export function contact(index: number) {
	return {
		contactKey: `+1${5_550_000_000 + index}`,
		conversationKey: `wa:${5_550_000_000 + index}`,
		contactName: 'Alex Example',
		variables: { firstName: 'Alex', company: 'Example Ltd' },
	};
}

/** Loads refresh Postgres statistics this often (see lib/postgres.ts `analyze`). */
export function analyzeEvery(count: number): number {
	return Math.max(ENROLL_BATCH, Math.round(count / 10 / ENROLL_BATCH) * ENROLL_BATCH);
}

/** `[start, end)` cut into batches. */
export function* batches(count: number, size: number): Generator<[number, number]> {
	for (let start = 0; start < count; start += size) yield [start, Math.min(count, start + size)];
}
