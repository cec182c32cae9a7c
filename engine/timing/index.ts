/**
 * Pure scheduling for cadences: waits, business days, working hours, quiet hours and holidays,
 * all DST-safe. Instants in and out are epoch milliseconds; calendar rules are read in the zone
 * `resolveTimeZone` picks.
 */
export { DAY_MS, HOUR_MS, MINUTE_MS } from './constants';
export { computeSendTime, type SendTime } from './send-time';
export { addWait, describeWait } from './waits';
export { describeWorkingWeek } from './reasons';
export { isOpen, nextOpenTime, type OpenTime } from './windows';
export {
	isValidTimeZone,
	normalizeTimeZone,
	resolveTimeZone,
	TIME_ZONE_ADVICE,
	TIME_ZONE_HINT,
	type TimingContext,
} from './zone';
