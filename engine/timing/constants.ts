export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** A UTC day: always exactly this long, which is why day keys are UTC midnights. */
export const DAY_MS = 86_400_000;
/** Minute 1440 of a day is the next midnight: how '24:00' ends a window. */
export const MINUTES_PER_DAY = 1440;
