import type { Wait } from '../cadence/definition';
import { addWait } from './waits';
import { nextOpenTime } from './windows';
import type { TimingContext } from './zone';

/** When a step goes out: `naturalAt` is when its wait ends, `at` the first open time from then. */
export interface SendTime {
	at: number;
	naturalAt: number;
	reason: string | null;
}

/**
 * The send time of a step whose wait starts at `fromMs` (the clock anchor for step 1, the
 * previous step's actual send for the others). Chaining from the actual send is what makes a
 * deferred step push the later ones back instead of bunching them up behind it.
 */
export function computeSendTime(fromMs: number, wait: Wait, ctx: TimingContext): SendTime {
	const naturalAt = addWait(fromMs, wait, ctx);
	const { at, reason } = nextOpenTime(naturalAt, ctx);
	return { at, naturalAt, reason };
}
