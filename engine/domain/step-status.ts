import { CadenceTransitionError } from '../errors';
import type { StepStatus } from '../store/types';

/**
 * Step statuses only move forward:
 *   pending (claimed; composing or a draft awaiting approval)
 *   → scheduled (approved, or deferred to a later time)
 *   → sent → delivered → read → replied,
 * or end as skipped / failed. The store enforces this with a conditional UPDATE, so a late or
 * duplicated delivery webhook can never drag a step back.
 */
const RANK: Record<StepStatus, number> = {
	pending: 0,
	scheduled: 1,
	sent: 2,
	delivered: 3,
	read: 4,
	replied: 5,
	skipped: 9,
	failed: 9,
};

/** Which statuses may move to `to`. Staying put is allowed, so repeated webhooks are harmless. */
export function statusesThatMayBecome(to: StepStatus): StepStatus[] {
	if (to === 'skipped') return ['pending', 'scheduled', 'skipped'];
	if (to === 'failed') return ['pending', 'scheduled', 'sent', 'failed'];
	return (Object.keys(RANK) as StepStatus[]).filter((from) => RANK[from] <= RANK[to]);
}

export function canMove(from: StepStatus, to: StepStatus): boolean {
	return statusesThatMayBecome(to).includes(from);
}

export function assertCanMove(stepRunId: number, from: StepStatus, to: StepStatus): void {
	if (canMove(from, to)) return;
	throw new CadenceTransitionError(
		`Step run ${stepRunId} is already "${from}", so it cannot become "${to}". Step statuses only ` +
			'move forward: pending → scheduled → sent → delivered → read → replied, or end as skipped or failed.',
	);
}

/** The timestamp column a status sets, if any. */
export function timestampColumnFor(status: StepStatus): string | null {
	switch (status) {
		case 'sent':
			return 'sent_at';
		case 'delivered':
			return 'delivered_at';
		case 'read':
			return 'read_at';
		case 'replied':
			return 'replied_at';
		case 'skipped':
		case 'failed':
			return 'ended_at';
		default:
			return null;
	}
}
