import { FixedOffsetZone, IANAZone, type Zone } from 'luxon';

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
 * The one time-zone rule. Accepted everywhere a zone is written (the cadence's Time Zone, an
 * enrollment's or a contact's zone, Wait Until Working Hours, Record Reply):
 * - an IANA name this runtime knows (Europe/Berlin, America/New_York, UTC, Etc/GMT-1), kept as
 *   written;
 * - a fixed offset from UTC: "+01:00", "-0330", "+1", "UTC+1", "GMT-03:00". An offset has no
 *   daylight-saving rules, so it is read as exactly that offset all year; it is stored as luxon's
 *   fixed-offset name ("UTC+1", "UTC-3:30", or "UTC" for zero), which every part of the engine
 *   reads the same way, with or without the runtime's Intl support for offsets.
 * Anything else is not a time zone, and the caller names its field.
 */
export function normalizeTimeZone(value: string): string | null {
	if (typeof value !== 'string') return null;
	const name = value.trim();
	if (!name) return null;
	const offset = FIXED_OFFSET.exec(name);
	if (offset) return fixedOffsetName(offset);
	return IANA_NAME.test(name) && isKnownToRuntime(name) ? name : null;
}

/** Whether `name` is a time zone under the rule above (an IANA name or a fixed UTC offset). */
export function isValidTimeZone(name: string): boolean {
	return normalizeTimeZone(name) !== null;
}

/** The luxon zone for a name `normalizeTimeZone` returned. */
export function zoneFor(name: string): Zone {
	return FIXED_NAME.test(name) ? FixedOffsetZone.parseSpecifier(name)! : IANAZone.create(name);
}

/** What the rule's error messages ask for: as a sentence (nodes) and inside one (the schema). */
export const TIME_ZONE_ADVICE =
	'Use an IANA time zone name such as Europe/Berlin or America/New_York, or an offset such as +01:00';
export const TIME_ZONE_HINT = `u${TIME_ZONE_ADVICE.slice(1)}`;

const FIXED_OFFSET = /^(?:(?:UTC|GMT)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;
/** Luxon's own names for fixed offsets, as `fixedOffsetName` writes them. */
const FIXED_NAME = /^UTC[+-]\d{1,2}(?::\d{2})?$/;
const MAX_OFFSET_MINUTES = 14 * 60;

function fixedOffsetName([, sign, hours, minutes = '0']: RegExpExecArray): string | null {
	if (Number(minutes) > 59) return null;
	const total = (Number(hours) * 60 + Number(minutes)) * (sign === '-' ? -1 : 1);
	if (Math.abs(total) > MAX_OFFSET_MINUTES) return null;
	return total === 0 ? 'UTC' : FixedOffsetZone.instance(total).name;
}

/**
 * Checking a zone name builds an Intl formatter, which is slow; the timing functions run for
 * every scheduled step, so each answer is remembered. The bound keeps a stream of junk
 * recipient zones from growing the cache without limit.
 */
const zoneValidity = new Map<string, boolean>();
const ZONE_CACHE_LIMIT = 1000;
/** IANA names start with a letter (UTC, Etc/GMT+2, America/New_York). */
const IANA_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;

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
		const candidate = normalizeTimeZone(recipientTimeZone);
		if (candidate) return candidate;
	}
	// Checked the way the definition schema checks it, so whatever passed validation works here;
	// this only fires for a schedule that skipped validation.
	const zone = normalizeTimeZone(schedule.timeZone);
	if (!zone) {
		throw new CadenceValidationError('schedule', [
			{
				field: 'schedule.timeZone',
				message: `"${schedule.timeZone}" is not a known time zone; ${TIME_ZONE_HINT}`,
			},
		]);
	}
	return zone;
}
