import type { CadenceDefinition } from '../cadence/definition';
import type { Wait } from '../cadence/definition';
import { addWait, computeSendTime, nextOpenTime } from '../timing';
import type { Millis } from '../store/types';

export interface Due {
	at: Millis;
	reason: string | null;
}

/**
 * When step `stepIndex` goes out: its wait counted from `from` (the clock anchor for the first
 * step of a chain, the previous send for the others), moved to the next open minute.
 */
export function dueTimeFor(
	definition: CadenceDefinition,
	stepIndex: number,
	from: Millis,
	recipientTimeZone: string | null,
): Due {
	const step = definition.steps[stepIndex];
	const sendTime = computeSendTime(from, step.wait, {
		schedule: definition.schedule,
		recipientTimeZone,
	});
	return { at: sendTime.at, reason: sendTime.reason };
}

/**
 * When a wait that is not a step's ends (a reply pause "for 1 business day"): the same rule as
 * step waits, so business days skip weekends and holidays in the cadence's (or recipient's) zone.
 */
export function waitEnd(
	definition: CadenceDefinition,
	from: Millis,
	wait: Wait,
	recipientTimeZone: string | null,
): Millis {
	return addWait(from, wait, { schedule: definition.schedule, recipientTimeZone });
}

/** The first open minute at or after `at` (for pauses that end, and manual resumes). */
export function openAt(
	definition: CadenceDefinition,
	at: Millis,
	recipientTimeZone: string | null,
): Due {
	return nextOpenTime(at, { schedule: definition.schedule, recipientTimeZone });
}

/**
 * The next step to run at or after `from`, skipping "run once" steps that already went out to this
 * contact and conversation. Returns the step count when nothing is left.
 */
export function nextRunnableStep(
	definition: CadenceDefinition,
	from: number,
	alreadySentOnce: ReadonlySet<number>,
): number {
	let index = from;
	while (index < definition.steps.length) {
		if (!(definition.steps[index].runOnce && alreadySentOnce.has(index))) return index;
		index++;
	}
	return index;
}
