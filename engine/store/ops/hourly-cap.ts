import { DateTime } from 'luxon';
import { openAt } from '../../domain/scheduling';
import { resolveTimeZone } from '../../timing';
import type { SqlExecutor } from '../sql/driver';
import { appendEvents, placeholders, type StoreContext } from './context';
import { writeSchedule } from './due-queue';

export const HOUR_MS = 3_600_000;

/** How many held steps one claim reschedules; the rest are held by the next claims. */
const MAX_HOLDS_PER_CLAIM = 500;

/**
 * The per-cadence hourly cap: a step that comes due while the last hour's sends already reached
 * it is held, and like any deferral its due time moves to when it can really go — the moment a
 * send of the last hour ages out of the window, then the next open minute — with the reason in
 * words. Without this a held step kept its old due time and no reason, and looked stuck.
 */
export interface HourlyCap {
	cadenceId: number;
	cadenceName: string;
	perHour: number;
}

/** Steps claimed in the trailing hour, oldest first (the window the cap counts). */
async function claimsInLastHour(db: SqlExecutor, cadenceId: number, now: number) {
	const rows = await db.all<{ claimed_at: number }>(
		// claims = 0: a step skipped before it was ever emitted (see skipped-runs.ts) was not sent.
		`SELECT claimed_at FROM step_runs WHERE cadence_id = ? AND claimed_at > ? AND claims > 0
		ORDER BY claimed_at`,
		[cadenceId, now - HOUR_MS],
	);
	return rows.map((r) => Number(r.claimed_at));
}

/** How many more steps may be claimed now. */
export async function roomUnderCap(db: SqlExecutor, cap: HourlyCap, now: number): Promise<number> {
	return cap.perHour - (await claimsInLastHour(db, cap.cadenceId, now)).length;
}

/**
 * The `count` earliest times at which a step may be claimed without exceeding `perHour` in any
 * hour, given the claims of the last hour: each slot opens an hour after the claim it replaces.
 */
export function nextSlots(recent: readonly number[], perHour: number, count: number): number[] {
	const window = recent.slice(-perHour);
	const slots: number[] = [];
	for (let j = 0; j < count; j++) {
		const replaced = j < window.length ? window[j] : slots[j - perHour];
		slots.push(replaced + HOUR_MS);
	}
	// Fewer claims than the cap in the last hour would mean room now; the caller only holds when full.
	return slots;
}

/**
 * Moves every step of the cadence still due at `now` (the claim took what the cap allowed) to
 * its next slot. Runs in the caller's transaction; on Postgres the queue rows are locked and
 * rows another claimer holds are skipped, so a step being claimed elsewhere is never re-queued.
 */
export async function holdBeyondCap(
	ctx: StoreContext,
	db: SqlExecutor,
	cap: HourlyCap,
	now: number,
): Promise<number> {
	const { dialect } = ctx.driver;
	const due = await db.all<{ enrollment_id: number }>(
		`SELECT enrollment_id FROM due_steps WHERE cadence_id = ? AND due_at <= ?
		ORDER BY due_at, enrollment_id LIMIT ?${dialect.lockForClaim}`,
		[cap.cadenceId, now, MAX_HOLDS_PER_CLAIM],
	);
	if (due.length === 0) return 0;
	const ids = due.map((r) => Number(r.enrollment_id));
	const enrollments = await db.all<{ id: number; version: number; time_zone: string | null }>(
		`SELECT id, version, time_zone FROM enrollments WHERE id IN (${placeholders(ids.length)})`,
		ids,
	);
	const byId = new Map(enrollments.map((e) => [Number(e.id), e]));
	const slots = nextSlots(await claimsInLastHour(db, cap.cadenceId, now), cap.perHour, ids.length);
	const events = [];
	for (const [index, id] of ids.entries()) {
		const enrollment = byId.get(id)!;
		const definition = await ctx.definition(db, cap.cadenceId, Number(enrollment.version));
		const slot = Math.max(slots[index], now + 1);
		const open = openAt(definition, slot, enrollment.time_zone);
		const zone = resolveTimeZone({
			schedule: definition.schedule,
			recipientTimeZone: enrollment.time_zone,
		});
		const clock = DateTime.fromMillis(slot, { zone }).toFormat('HH:mm');
		const held =
			`held: ${cap.perHour} per hour reached for cadence "${cap.cadenceName}"; ` +
			`next slot ${clock} (${zone})`;
		const reason = open.at > slot && open.reason ? `${held}, then ${open.reason}` : held;
		await writeSchedule(db, id, open.at, { next_reason: reason, updated_at: now });
		events.push({
			enrollmentId: id,
			type: 'deferred',
			at: now,
			detail: { until: open.at, reason },
		});
	}
	await appendEvents(db, events, dialect.maxParams);
	return ids.length;
}
