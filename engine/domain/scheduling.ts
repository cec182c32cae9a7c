import type { CadenceDefinition } from '../cadence/definition';
import { computeSendTime, nextOpenTime } from '../timing';
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
