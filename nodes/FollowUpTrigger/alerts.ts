import type { INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import type { StuckStep } from '../../engine';
import type { CadenceStore } from '../../engine';
import { emitAndWait } from './emitter';
import { stuckJson } from './event-items';
import { toOutputs } from './outputs';
import type { TriggerSettings } from './settings';

/** An alert whose execution failed, or whose end n8n did not report, goes out again after this. */
export const ALERT_RETRY_MS = 60_000;
/** How long the trigger waits to learn how an alert's execution ended. */
const ALERT_EXECUTION_WAIT_MS = 10 * 60_000;

const alertKey = (stepRunId: number, stuckAt: number) => `${stepRunId}:${stuckAt}`;

/**
 * Stuck alerts, delivered at least once. The store keeps every stuck step's alert pending until
 * it is confirmed; the trigger emits pending alerts in an execution of their own and confirms
 * them at the next check after that execution ran without an error. A crash anywhere in between
 * (the very thing that leaves steps stuck) leaves them pending, so they are emitted again. Each
 * alert item carries `alertId`, the same on every emission, for a receiver that dedupes.
 */
export class StuckAlerts {
	/** Emitted, execution not ended yet (or failed: then with the time it may go again). */
	private readonly out = new Map<string, { retryAt: number | null }>();
	/** Ran; confirmed in the store at the next check. */
	private delivered: Array<{ stepRunId: number; stuckAt: number }> = [];

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly settings: TriggerSettings,
	) {}

	/** Writes the confirmations gathered since the last check; kept for the next one on failure. */
	async confirm(store: CadenceStore): Promise<void> {
		if (this.delivered.length === 0) return;
		const batch = this.delivered;
		this.delivered = [];
		await store.markAlertsDelivered(batch).then(
			() => {
				for (const a of batch) this.out.delete(alertKey(a.stepRunId, a.stuckAt));
			},
			(error: unknown) => {
				this.delivered.push(...batch);
				return Promise.reject(error);
			},
		);
	}

	/** Emits the pending alerts not already on their way, in one execution of their own. */
	emit(pending: StuckStep[]): void {
		const now = Date.now();
		const due = pending.filter(({ stepRun }) => {
			const sent = this.out.get(alertKey(stepRun.id, stepRun.stuckAt ?? 0));
			return !sent || (sent.retryAt !== null && sent.retryAt <= now);
		});
		if (due.length === 0) return;
		const items: INodeExecutionData[] = due.map(({ stepRun, enrollment }) => ({
			json: stuckJson(stepRun, enrollment),
		}));
		const keys = due.map(({ stepRun }) => ({
			stepRunId: stepRun.id,
			stuckAt: stepRun.stuckAt ?? 0,
		}));
		for (const k of keys) this.out.set(alertKey(k.stepRunId, k.stuckAt), { retryAt: null });
		void emitAndWait(
			this.context,
			toOutputs(this.settings, [], items),
			ALERT_EXECUTION_WAIT_MS,
		).then((end) => {
			// Without a report from n8n there is nothing to wait for: emitted is all that is known.
			if (end === 'succeeded' || end === 'untracked') {
				this.delivered.push(...keys);
				return;
			}
			const retryAt = Date.now() + ALERT_RETRY_MS;
			for (const k of keys) this.out.set(alertKey(k.stepRunId, k.stuckAt), { retryAt });
		});
	}
}
