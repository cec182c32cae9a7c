import type { INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import type { CadenceStore } from '../../engine/store/store';
import { toNodeError } from '../shared/errors';
import { claimDueSteps } from './due-steps';
import { EventReader } from './event-items';
import { toOutputs } from './outputs';
import type { TriggerSettings } from './settings';

/** A failure that keeps repeating (the store is down) is reported again after this long. */
const REPORT_REPEATS_EVERY_MS = 10 * 60_000;

/**
 * One check per cron tick: claim the due steps, read the events, emit everything in one
 * execution. A check that fails is reported and the next one simply tries again.
 */
export class Ticker {
	private running: Promise<void> | null = null;
	private stopped = false;
	private lastReport: { message: string; at: number } | null = null;

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly store: CadenceStore,
		private readonly cadence: string,
		private readonly settings: TriggerSettings,
		private readonly events: EventReader,
	) {}

	/**
	 * Called by the cron. While the previous check still runs (a slow store, a big backlog) this
	 * one is skipped rather than queued, so checks never pile up or overlap.
	 */
	tick(): Promise<void> {
		if (this.stopped) return Promise.resolve();
		if (this.running) return this.running;
		this.running = this.check().finally(() => {
			this.running = null;
		});
		return this.running;
	}

	/** No check starts after this; one in progress is allowed to finish and emit what it claimed. */
	async stop(): Promise<void> {
		this.stopped = true;
		await this.running;
	}

	private async check(): Promise<void> {
		const dueSteps: INodeExecutionData[] = [];
		const events: INodeExecutionData[] = [];
		const warn = (message: string) => this.context.logger.warn(message);
		const failures: unknown[] = [];
		await claimDueSteps(this.store, this.cadence, this.settings, dueSteps, warn).catch((e) =>
			failures.push(e),
		);
		await this.events.stuckSteps(events).catch((e) => failures.push(e));
		await this.events.timeline(events).catch((e) => failures.push(e));
		if (dueSteps.length > 0 || events.length > 0) {
			try {
				this.context.emit(toOutputs(this.settings, dueSteps, events));
			} catch (error) {
				failures.push(error);
			}
		}
		if (failures.length > 0) this.report(failures[0]);
		else this.lastReport = null;
	}

	/**
	 * saveFailedExecution, not emitError: emitError deactivates the workflow until n8n manages to
	 * re-activate it, and a store that is briefly unreachable should not take the cadence offline.
	 * The same error is reported once per REPORT_REPEATS_EVERY_MS, so an outage does not add a
	 * failed execution every few seconds; the log still gets every one.
	 */
	private report(error: unknown): void {
		const nodeError = toNodeError(this.context.getNode(), error);
		const { message } = nodeError;
		this.context.logger.error(`Follow-up Trigger "${this.cadence}": a check failed: ${message}`);
		const now = Date.now();
		const last = this.lastReport;
		if (last && last.message === message && now - last.at < REPORT_REPEATS_EVERY_MS) return;
		this.lastReport = { message, at: now };
		this.context.saveFailedExecution(nodeError);
	}
}
