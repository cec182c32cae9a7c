import { parseOrThrow } from '../../validation';
import { claimInputSchema, type ClaimInput } from '../inputs';
import { CadenceNotFoundError } from '../../errors';
import type { SqlExecutor } from '../sql/driver';
import type { ClaimedStep } from '../types';
import {
	claimInOneStatement,
	claimInSteps,
	lastPosition,
	type ClaimedRow,
	type ClaimSize,
	type ClaimTarget,
	type ClaimWrites,
	type QueuePosition,
} from './claim-writes';
import type { StoreContext } from './context';
import { holdBeyondCap, roomUnderCap, type HourlyCap } from './hourly-cap';

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
		? await claimInOneTrip(ctx, cadence, limit, now)
		: await driver.transaction(async (db) =>
				claimWith(ctx, db, await claimTarget(ctx, db, cadence), asked(limit), now, claimInSteps),
			);
	// Steps still due once the hourly cap is reached are held: moved to their next slot, with why.
	// The claim is already committed: a hold that fails must not lose the steps it took, so it
	// is left to the next claim, which holds whatever is still due.
	if (rows.cap) {
		const cap = rows.cap;
		await driver.transaction((db) => holdBeyondCap(ctx, db, cap, now)).catch(() => undefined);
	}

	const result: ClaimedStep[] = [];
	for (const { enrollment, run } of rows.claimed) {
		const definition = await ctx.definition(driver, enrollment.cadenceId, enrollment.version);
		result.push({
			stepRun: run,
			enrollment,
			step: definition.steps[enrollment.nextStep],
			stepCount: definition.steps.length,
			persona: definition.persona,
			isLastStep: enrollment.nextStep === definition.steps.length - 1,
			channels: definition.channels,
		});
	}
	return result.sort((a, b) => a.stepRun.dueAt - b.stepRun.dueAt || a.stepRun.id - b.stepRun.id);
}

interface ClaimRows {
	claimed: ClaimedRow[];
	cap: HourlyCap | null;
}

/** What the last claim of each store found for a cadence ref (see claimTargetThenSteps). */
const knownTargets = new WeakMap<StoreContext, Map<string, ClaimTarget>>();

/**
 * How far a backlog's claims have got, per store and cadence ref. A claim deletes the queue rows
 * it takes, and on Postgres a deleted row's index entry stays until VACUUM: a claim reading the
 * queue from its start steps over every entry taken before it, so draining a backlog of n steps
 * would cost in proportion to n² (a third of a claim half-way through 100,000 due at once).
 * While claims come back full, the next one starts after the last step taken. A step queued
 * behind that place meanwhile (deferred to an earlier time, say) still goes out soon: the claim
 * that comes back short, and every RESCAN_AFTER-th claim of a long backlog, read from the start.
 */
interface Backlog {
	after: QueuePosition;
	/** Claims since the last one that read the queue from its start. */
	claims: number;
}

const backlogs = new WeakMap<StoreContext, Map<string, Backlog>>();
const RESCAN_AFTER = 20;

function mapOf<V>(maps: WeakMap<StoreContext, Map<string, V>>, ctx: StoreContext) {
	let map = maps.get(ctx);
	if (!map) maps.set(ctx, (map = new Map()));
	return map;
}

async function claimInOneTrip(
	ctx: StoreContext,
	ref: string | number,
	limit: number,
	now: number,
): Promise<ClaimRows> {
	const key = `${typeof ref}:${ref}`;
	const progress = mapOf(backlogs, ctx);
	const backlog = progress.get(key);
	const known = mapOf(knownTargets, ctx).get(key);
	let rows: ClaimRows;
	let afterPlace = false;
	if (known && backlog && backlog.claims < RESCAN_AFTER) {
		const ahead = await claimWith(
			ctx,
			ctx.driver,
			known,
			asked(limit),
			now,
			claimInOneStatement(backlog.after),
		);
		const short = limit - ahead.claimed.length;
		if (short === 0) {
			rows = ahead;
			afterPlace = true;
		} else {
			// What is left may be queued behind the place: the rest of this claim reads from the start.
			const rest = await claimTargetThenSteps(
				ctx,
				ref,
				key,
				{ count: short, varies: short < limit },
				now,
			);
			rows = { claimed: [...ahead.claimed, ...rest.claimed], cap: rest.cap ?? ahead.cap };
		}
	} else {
		rows = await claimTargetThenSteps(ctx, ref, key, asked(limit), now);
	}
	const last = rows.claimed.length === limit ? lastPosition(rows.claimed) : null;
	if (last) progress.set(key, { after: last, claims: afterPlace ? backlog!.claims + 1 : 0 });
	else progress.delete(key);
	return rows;
}

/**
 * A trigger claims the same cadence on every tick, so the cadence read that comes before the
 * claim is done once and its result kept: the claim statement itself refuses to take anything
 * if what was kept no longer holds (paused, a new version, renamed, its name now shared), in the
 * same snapshot as its writes, so a pause by any process stops claims at once. A claim that
 * took nothing reads the cadence again, and claims again with the fresh result if it changed:
 * a busy tick is one round trip, an idle one two, as before.
 */
async function claimTargetThenSteps(
	ctx: StoreContext,
	ref: string | number,
	key: string,
	size: ClaimSize,
	now: number,
): Promise<ClaimRows> {
	const { driver } = ctx;
	const targets = mapOf(knownTargets, ctx);
	const known = targets.get(key);
	const first = known && (await claimWith(ctx, driver, known, size, now, claimInOneStatement()));
	if (first && first.claimed.length > 0) return first;
	const target = await claimTarget(ctx, driver, ref);
	targets.set(key, target);
	if (first && sameTarget(known!, target)) return first;
	return claimWith(ctx, driver, target, size, now, claimInOneStatement());
}

/** The batch size a claim was asked for: the same from claim to claim. */
function asked(limit: number): ClaimSize {
	return { count: limit, varies: false };
}

function sameTarget(a: ClaimTarget, b: ClaimTarget): boolean {
	return (
		a.id === b.id &&
		a.name === b.name &&
		a.active === b.active &&
		a.latestVersion === b.latestVersion &&
		a.byName === b.byName
	);
}

async function claimWith(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	size: ClaimSize,
	now: number,
	writes: ClaimWrites,
): Promise<ClaimRows> {
	const limit = size.count;
	const { budget, cap } = await claimBudget(ctx, db, target, limit, now);
	const capped = budget < limit;
	const varies = size.varies || capped;
	const claimed = budget <= 0 ? [] : await writes(ctx, db, target, { count: budget, varies }, now);
	// Only when the cap, not the batch size, cut this claim and its room is used up can steps be
	// left due behind it.
	const held = cap !== null && capped && claimed.length >= Math.max(budget, 0);
	return { claimed, cap: held ? cap : null };
}

const TARGET_SELECT = 'SELECT id, name, active, latest_version FROM cadences';
/** How the cadence picker lists a shared name (see context.ts `pickedFromList`). */
const PICKED = / #\d{1,15}$/;

interface TargetRow {
	id: number;
	name: string;
	active: number;
	latest_version: number;
}

/** The cadence by name or id, with what the claim needs of it, in one read. */
async function claimTarget(
	ctx: StoreContext,
	db: SqlExecutor,
	ref: string | number,
): Promise<ClaimTarget> {
	// A trigger ticks with its cadence's plain name: one read finds it when no other cadence has
	// that name. Anything else (a shared name, a "Name #id" from the picker) is resolved by the
	// store's one rule for names, which refuses a shared name rather than pick one by chance.
	const byName =
		typeof ref === 'string' && !PICKED.test(ref)
			? await db.all<TargetRow>(`${TARGET_SELECT} WHERE name = ?`, [ref])
			: [];
	const rows =
		byName.length === 1
			? byName
			: await db.all<TargetRow>(`${TARGET_SELECT} WHERE id = ?`, [
					typeof ref === 'number' ? ref : await ctx.cadenceId(db, ref),
				]);
	if (rows.length === 0) {
		throw new CadenceNotFoundError(
			'cadence (activate the workflow holding its Follow-up Trigger to publish it)',
			ref,
		);
	}
	const [row] = rows;
	return {
		id: Number(row.id),
		name: row.name,
		active: Number(row.active) === 1,
		latestVersion: Number(row.latest_version),
		byName: byName.length === 1,
	};
}

/** How many steps this claim may take: the limit, cut by the cadence's hourly sending cap. */
async function claimBudget(
	ctx: StoreContext,
	db: SqlExecutor,
	target: ClaimTarget,
	limit: number,
	now: number,
): Promise<{ budget: number; cap: HourlyCap | null }> {
	// A paused cadence keeps its enrollments waiting; they go out once it is switched back on.
	if (!target.active) return { budget: 0, cap: null };
	const definition = await ctx.definition(db, target.id, target.latestVersion);
	const perHour = definition.limits.perCadencePerHour;
	if (perHour === null) return { budget: limit, cap: null };
	const cap: HourlyCap = { cadenceId: target.id, cadenceName: target.name, perHour };
	return { budget: Math.min(limit, await roomUnderCap(db, cap, now)), cap };
}
