import { parseOrThrow } from '../../validation';
import type { SqlValue } from '../sql/driver';
import type { StoreContext } from './context';
import { WAITING_DUE_AT } from './due-queue';
import { CURRENT_IN_FLIGHT, handOffInputSchema, type HandOffInput } from './in-flight';
import { valuesTable } from './values-table';

type HandOff = ReturnType<typeof handOffInputSchema.parse>;

/**
 * Records that claimed steps leave the cadence nodes for the channel: every item of a call in one
 * statement. False for a step emitted again since its item's claim (its execution was taken for
 * dead, or it is waiting to be claimed again): that item must stop there, the new emission
 * carries the step now. A step that ended or moved on meanwhile is not recorded, and is left to
 * the exit rules to judge (true). Bad input fails its item alone.
 */
export async function handOffMany(
	ctx: StoreContext,
	inputs: readonly HandOffInput[],
): Promise<Array<boolean | Error>> {
	const results: Array<boolean | Error> = new Array(inputs.length);
	const refs: Array<{ index: number; ref: HandOff }> = [];
	inputs.forEach((input, index) => {
		try {
			refs.push({ index, ref: parseOrThrow(handOffInputSchema, input, 'hand-off') });
		} catch (error) {
			results[index] = error as Error;
		}
	});
	if (refs.length === 0) return results;
	const { dialect } = ctx.driver;
	const ids = dialect.idsParam([...new Set(refs.map(({ ref }) => ref.stepRunId))]);
	const values: SqlValue[] = refs.flatMap(({ ref }) => [ref.stepRunId, ref.claimedAt ?? null]);
	const handed = await ctx.driver.all<{ id: unknown; claimed_at: unknown }>(
		`UPDATE step_runs SET handed_at = COALESCE(handed_at, ?) WHERE id IN (
			SELECT r.id FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			JOIN ${valuesTable(dialect, ['int', 'int'], refs.length)}
				ON r.id = v.column1 AND (v.column2 IS NULL OR r.claimed_at = v.column2)
			WHERE ${dialect.inIds('r.id')} AND ${CURRENT_IN_FLIGHT})
		RETURNING id, claimed_at`,
		[ctx.now(), ...values, ids],
	);
	const handedAt = new Map(handed.map((r) => [Number(r.id), Number(r.claimed_at)]));
	const sameClaim = (ref: HandOff, claimedAt: number) =>
		ref.claimedAt === undefined || ref.claimedAt === claimedAt;
	const others = refs.filter(({ ref }) => {
		const claimedAt = handedAt.get(ref.stepRunId);
		return claimedAt === undefined || !sameClaim(ref, claimedAt);
	});
	const onStep = new Map<number, { claimedAt: number; waiting: boolean }>();
	if (others.length > 0) {
		const rows = await ctx.driver.all<{ id: unknown; claimed_at: unknown; waiting: unknown }>(
			`SELECT r.id, r.claimed_at, ${WAITING_DUE_AT} AS waiting
			FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
			WHERE ${dialect.inIds('r.id')} AND e.next_step = r.step_index AND e.cycle = r.cycle`,
			[dialect.idsParam(others.map(({ ref }) => ref.stepRunId))],
		);
		for (const row of rows) {
			const waiting = row.waiting !== null && row.waiting !== undefined;
			onStep.set(Number(row.id), { claimedAt: Number(row.claimed_at), waiting });
		}
	}
	for (const { index, ref } of refs) {
		const claimedAt = handedAt.get(ref.stepRunId);
		if (claimedAt !== undefined && sameClaim(ref, claimedAt)) {
			results[index] = true;
			continue;
		}
		const run = onStep.get(ref.stepRunId);
		// Ended or moved on: not this check's to judge.
		results[index] = !run || (sameClaim(ref, run.claimedAt) && !run.waiting);
	}
	return results;
}

/** One hand-off, failing with its error. */
export async function handOff(ctx: StoreContext, input: HandOffInput): Promise<boolean> {
	const [result] = await handOffMany(ctx, [input]);
	if (result instanceof Error) throw result;
	return result;
}
