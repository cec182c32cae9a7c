import { parseOrThrow } from '../../validation';
import { claimInputSchema, type ClaimInput } from '../inputs';
import { CadenceNotFoundError } from '../../errors';
import type { SqlExecutor } from '../sql/driver';
import type { ClaimedStep } from '../types';
import {
	claimInOneStatement,
	claimInSteps,
	type ClaimedRow,
	type ClaimTarget,
	type ClaimWrites,
} from './claim-writes';
import type { StoreContext } from './context';

const HOUR = 3_600_000;

/**
 * Atomically takes up to `limit` due steps of one cadence and hands each out exactly once.
 *
 * A waiting step is a row of the due queue (see due-queue.ts). The claim deletes the rows it
 * takes in the same atomic write that creates their step runs, so a second claimer — another
 * tick, or another n8n process — can never see the same step, and a crash leaves both or neither.
 */
export async function claimDue(ctx: StoreContext, input: ClaimInput): Promise<ClaimedStep[]> {
	const { cadence, limit } = parseOrThrow(claimInputSchema, input, 'claim');
	const now = ctx.now();
	const { driver } = ctx;
	// Postgres writes the whole claim in one statement, atomic without a transaction around it;
	// elsewhere the steps share one transaction.
	const rows = driver.dialect.writableCte
		? await claimWith(ctx, driver, cadence, limit, now, claimInOneStatement)
		: await driver.transaction((db) => claimWith(ctx, db, cadence, limit, now, claimInSteps));

	const result: ClaimedStep[] = [];
	for (const { enrollment, run } of rows) {
		const definition = await ctx.definition(driver, enrollment.cadenceId, enrollment.version);
		result.push({
			stepRun: run,
			enrollment,
			step: definition.steps[enrollment.nextStep],
			stepCount: definition.steps.length,
			persona: definition.persona,
			isLastStep: enrollment.nextStep === definition.steps.length - 1,
		});
	}
	return result.sort((a, b) => a.stepRun.dueAt - b.stepRun.dueAt || a.stepRun.id - b.stepRun.id);
}

async function claimWith(
	ctx: StoreContext,
	db: SqlExecutor,
	ref: string | number,
	limit: number,
	now: number,
	writes: ClaimWrites,
): Promise<ClaimedRow[]> {
	const target = await claimTarget(db, ref);
	const budget = await claimBudget(ctx, db, target, limit, now);
	return budget <= 0 ? [] : writes(ctx, db, target, budget, now);
}

/** The cadence by name or id, with what the claim needs of it, in one read. */
async function claimTarget(db: SqlExecutor, ref: string | number): Promise<ClaimTarget> {
	const rows = await db.all<{ id: number; active: number; latest_version: number }>(
		`SELECT id, active, latest_version FROM cadences WHERE ${typeof ref === 'number' ? 'id' : 'name'} = ?`,
		[ref],
	);
	if (rows.length === 0) {
		throw new CadenceNotFoundError(
			'cadence (activate the workflow holding its Follow-up Trigger to publish it)',
			ref,
		);
	}
	const [row] = rows;
	return {
		id: Number(row.id),
		active: Number(row.active) === 1,
		latestVersion: Number(row.latest_version),
	};
}

/** How many steps this claim may take: the limit, cut by the cadence's hourly sending cap. */
async function claimBudget(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	limit: number,
	now: number,
): Promise<number> {
	// A paused cadence keeps its enrollments waiting; they go out once it is switched back on.
	if (!target.active) return 0;
	const definition = await ctx.definition(db, target.id, target.latestVersion);
	const perHour = definition.limits.perCadencePerHour;
	if (perHour === null) return limit;
	const [{ recent }] = await db.all<{ recent: number }>(
		'SELECT COUNT(*) AS recent FROM step_runs WHERE cadence_id = ? AND claimed_at > ?',
		[target.id, now - HOUR],
	);
	return Math.min(limit, perHour - Number(recent));
}
