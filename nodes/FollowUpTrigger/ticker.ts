import type { INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';
import type { StuckStep } from '../../engine';
import type { ClaimedStep } from '../../engine';
import { toNodeError } from '../shared/errors';
import { flowRecordsHandOff } from '../shared/hand-off';
import { StuckAlerts } from './alerts';
import type { Session, StoreConnection } from './connection';
import { claimedItems, itemsPerExecution, MAX_BATCHES_PER_CHECK } from './due-steps';
import { emitAndWait, type ExecutionEnd } from './emitter';
import { toOutputs } from './outputs';
import { InstalledPackage } from '../../engine';
import type { TriggerSettings } from './settings';

/** A failure that keeps repeating (the store is down) is reported again after this long. */
const REPORT_REPEATS_EVERY_MS = 10 * 60_000;
/**
 * How long a check waits for one execution of due steps to end before it starts the next. An
 * execution that takes longer (a slow model) then runs beside the next one.
 */
export const EXECUTION_WAIT_MS = 60_000;
/**
 * Idle conversations enrolled per check, at most IDLE_SCANS_PER_CHECK reads of IDLE_SCAN_SIZE
 * conversations each (the store reads them from a cursor through an index): a check costs the
 * same however many conversations there are, and a backlog is worked off over a few checks.
 */
export const IDLE_SCAN_SIZE = 200;
export const IDLE_SCANS_PER_CHECK = 5;

/**
 * One check per cron tick: look after the steps in flight (emit again what never reached the
 * send step, apply approval time limits, report stuck steps), then claim the due steps and emit
 * them, one bounded execution after another, with the timeline events; stuck alerts go out in
 * an execution of their own. A check that fails is reported and the next one simply tries again.
 */
export class Ticker {
	private running: Promise<void> | null = null;
	private stopped = false;
	private readonly stopping = new AbortController();
	private lastReport: { message: string; at: number } | null = null;
	private readonly alerts: StuckAlerts;
	private readonly handOffInFlow: boolean;

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly connection: StoreConnection,
		private readonly settings: TriggerSettings,
		private readonly installed: InstalledPackage = new InstalledPackage(),
		/** Channels → Enroll Idle Conversations is on for this cadence. */
		private readonly enrollsIdle = false,
	) {
		this.alerts = new StuckAlerts(context, settings);
		this.handOffInFlow = flowRecordsHandOff(context);
	}

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

	/**
	 * No check starts after this. One in progress stops waiting for executions, emits what it has
	 * claimed and ends; a step claimed but never emitted is due again after Stuck After.
	 */
	async stop(): Promise<void> {
		this.stopped = true;
		this.stopping.abort();
		await this.running;
	}

	private async check(): Promise<void> {
		if (!this.installed.unchanged()) return this.retire();
		let session: Session;
		try {
			session = await this.connection.ready();
		} catch (error) {
			this.report(error);
			return;
		}
		const failures: unknown[] = [];
		const fail = (error: unknown) => {
			failures.push(error);
		};
		await this.alerts.confirm(session.store).catch(fail);
		const stuckAlerts = await this.inFlight(session).catch((error: unknown): StuckStep[] => {
			fail(error);
			return [];
		});
		if (this.enrollsIdle) await this.enrollIdle(session).catch(fail);
		const events: INodeExecutionData[] = [];
		await session.events.timeline(events).catch(fail);
		await this.emitDue(session, events, fail);
		if (stuckAlerts.length > 0) {
			try {
				this.alerts.emit(stuckAlerts);
			} catch (error) {
				fail(error);
			}
		}
		if (failures.length > 0) this.report(failures[0]);
		else this.lastReport = null;
	}

	/** Enrolls the conversations idle long enough; each is enrolled once per cadence, ever. */
	private async enrollIdle({ store, cadence }: Session): Promise<void> {
		let enrolled = 0;
		for (let scan = 0; scan < IDLE_SCANS_PER_CHECK && !this.stopped; scan++) {
			const result = await store.enrollIdleConversations({ cadence, limit: IDLE_SCAN_SIZE });
			enrolled += result.enrolled.filter((e) => e.result.outcome === 'enrolled').length;
			if (!result.more) break;
		}
		if (enrolled > 0) {
			this.context.logger.info(
				`Follow-up Trigger "${cadence}": enrolled ${enrolled} idle conversation(s)`,
			);
		}
	}

	private async inFlight({ store, cadence }: Session): Promise<StuckStep[]> {
		const report = await store.checkInFlight({
			cadence,
			olderThanMs: this.settings.stuckAfterMs,
			alerts: this.settings.events.includes('stuck'),
			handOffInFlow: this.handOffInFlow,
		});
		const { logger } = this.context;
		if (report.requeued.length > 0) {
			logger.warn(
				`Follow-up Trigger "${cadence}": ${report.requeued.length} step(s) never reached the send step (their execution ended first) and are due again`,
			);
		}
		if (report.stuck.length > 0) {
			logger.warn(
				`Follow-up Trigger "${cadence}": ${report.stuck.length} step(s) were handed to the send step and never confirmed as sent; reported as stuck, not resent`,
			);
		}
		return report.alerts;
	}

	/**
	 * Claims and emits due steps, at most itemsPerExecution per execution, each execution started
	 * once the previous one ended (or after EXECUTION_WAIT_MS); the events ride along with the
	 * first. Each claim takes only what the next execution carries, right before it starts, so a
	 * step waits in the store, not in memory, and its Stuck After counts from its emission. A
	 * claimed step is never handed out again by the claim, so whatever was claimed before a later
	 * claim fails is still emitted.
	 */
	private async emitDue(
		{ store, cadence }: Session,
		events: INodeExecutionData[],
		fail: (error: unknown) => void,
	): Promise<void> {
		const perExecution = itemsPerExecution(this.settings);
		const warn = (message: string) => this.context.logger.warn(message);
		let budget = MAX_BATCHES_PER_CHECK * this.settings.batchSize;
		let pendingEvents = events;
		for (;;) {
			const limit = Math.min(perExecution, budget);
			let claimed: ClaimedStep[] = [];
			let claimFailed = false;
			if (limit > 0 && !this.stopped) {
				try {
					claimed = await store.claimDue({ cadence, limit });
				} catch (error) {
					fail(error);
					claimFailed = true;
				}
			}
			budget -= claimed.length;
			const items = await claimedItems(store, claimed, this.settings, warn);
			if (items.length === 0 && pendingEvents.length === 0) return;
			const data = toOutputs(this.settings, items, pendingEvents);
			pendingEvents = [];
			let end: ExecutionEnd;
			try {
				end = await emitAndWait(this.context, data, EXECUTION_WAIT_MS, this.stopping.signal);
			} catch (error) {
				fail(error);
				return;
			}
			// Where n8n cannot say when an execution ended, the next one would start beside it at
			// once, and a backlog would run as one big burst: there a check emits one execution.
			if (end === 'untracked') return;
			if (claimFailed || claimed.length < limit || budget <= 0) return;
		}
	}

	/** The package was removed or replaced under the running trigger: claim nothing more. */
	private retire(): void {
		this.stopped = true;
		this.context.logger.error(
			`Follow-up Trigger: the n8n-nodes-cadence package was uninstalled or updated while this workflow was active, so this trigger stops checking for due steps. Restart n8n (or deactivate and activate the workflow) to run the cadence with the installed package.`,
		);
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
		const detail = nodeError.description ? ` ${nodeError.description}` : '';
		this.context.logger.error(`Follow-up Trigger: a check failed: ${message}${detail}`);
		const now = Date.now();
		const last = this.lastReport;
		if (last && last.message === message && now - last.at < REPORT_REPEATS_EVERY_MS) return;
		this.lastReport = { message, at: now };
		this.context.saveFailedExecution(nodeError);
	}
}
