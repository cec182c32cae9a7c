import { IANAZone } from 'luxon';

import type { Schedule } from '../cadence/definition';
import { CadenceValidationError } from '../errors';

/** What every timing function needs to know about where and when a cadence may send. */
export interface TimingContext {
	/** The cadence's schedule, already validated and defaults-filled. */
	schedule: Schedule;
	/** The contact's own zone; only used when `schedule.timeZoneSource` is 'recipient'. */
	recipientTimeZone?: string | null;
}

/**
 * Checking a zone name builds an Intl formatter, which is slow; the timing functions run for
 * every scheduled step, so each answer is remembered. The bound keeps a stream of junk
 * recipient zones from growing the cache without limit.
 */
const zoneValidity = new Map<string, boolean>();
const ZONE_CACHE_LIMIT = 1000;
/**
 * IANA names start with a letter (UTC, Etc/GMT+2, America/New_York). Newer Intl versions also
 * accept bare offsets such as '+02:00', but an offset has no DST rules, so it cannot stand in
 * for where the contact lives.
 */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

/** Whether `name` is an IANA time zone name this runtime knows. */
export function isValidTimeZone(name: string): boolean {
	return IANA_NAME.test(name) && isKnownToRuntime(name);
}

function isKnownToRuntime(name: string): boolean {
	let known = zoneValidity.get(name);
	if (known === undefined) {
		known = IANAZone.isValidZone(name);
		if (zoneValidity.size >= ZONE_CACHE_LIMIT) zoneValidity.clear();
		zoneValidity.set(name, known);
	}
	return known;
}

/**
 * The zone that working hours, quiet hours, holidays, days and business days are read in.
 * A missing or unknown recipient zone falls back to the cadence's zone rather than failing:
 * contact data is often incomplete, and the cadence zone is what the user chose on the canvas.
 */
export function resolveTimeZone(ctx: TimingContext): string {
	const { schedule, recipientTimeZone } = ctx;
	if (schedule.timeZoneSource === 'recipient' && typeof recipientTimeZone === 'string') {
		const candidate = recipientTimeZone.trim();
		if (isValidTimeZone(candidate)) return candidate;
	}
	// Checked the way the definition schema checks it, so whatever passed validation works here;
	// this only fires for a schedule that skipped validation.
	if (!isKnownToRuntime(schedule.timeZone)) {
		throw new CadenceValidationError('schedule', [
			{
				field: 'schedule.timeZone',
				message:
					`"${schedule.timeZone}" is not a known time zone; ` +
					'use an IANA name such as Europe/Berlin or America/New_York',
			},
		]);
	}
	return schedule.timeZone;
}
