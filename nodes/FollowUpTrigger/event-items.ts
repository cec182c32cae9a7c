import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import type { FeedEvent } from '../../engine';
import type { CadenceStore } from '../../engine';
import type { Enrollment, StepRun } from '../../engine';
import { iso } from '../shared/output';
import { feedEventsOf, type TriggerSettings } from './settings';

/** A burst of events (a bulk exit, say) is passed on over several checks, like due steps. */
const MAX_EVENT_PAGES_PER_CHECK = 10;
const EVENT_PAGE = 100;

/**
 * Reads what happened since the last check from the store's event feed (stuck steps are the
 * in-flight check's, see alerts.ts). The cursor starts at the newest event id when the workflow is
 * activated, so only events that happen while it is active are emitted — nothing from before,
 * and nothing twice. (Events while the workflow is off are not replayed: they stay visible in
 * each enrollment's timeline.)
 */
export class EventReader {
	constructor(
		private readonly store: CadenceStore,
		private readonly cadence: string | number,
		private readonly settings: TriggerSettings,
		private cursor: number,
	) {}

	async timeline(into: INodeExecutionData[]): Promise<void> {
		const types = feedEventsOf(this.settings);
		if (types.length === 0) return;
		for (let page = 0; page < MAX_EVENT_PAGES_PER_CHECK; page++) {
			const { events, cursor } = await this.store.eventsAfter({
				cadence: this.cadence,
				afterId: this.cursor,
				types,
				limit: EVENT_PAGE,
			});
			for (const event of events)
				into.push({ json: feedEventJson(event, this.settings.defaultReviewer) });
			this.cursor = cursor;
			if (events.length < EVENT_PAGE) return;
		}
	}
}

function contactJson(e: Enrollment): IDataObject {
	return {
		key: e.contactKey,
		name: e.contactName,
		conversationKey: e.conversationKey,
		timeZone: e.timeZone,
		variables: e.variables as IDataObject,
		target: e.target as IDataObject | null,
	};
}

/** What every event item carries, so one alert template fits them all. */
function eventJson(
	type: string,
	at: number,
	e: Enrollment,
	step: { index: number; stepRunId: number | null; idempotencyKey: string } | null,
	summary: string,
	detail: IDataObject | null,
): IDataObject {
	return {
		event: type,
		at: iso(at),
		summary,
		cadence: e.cadenceName,
		cadenceVersion: e.version,
		enrollmentId: e.id,
		stepRunId: step?.stepRunId ?? null,
		step: step ? step.index + 1 : null,
		idempotencyKey: step?.idempotencyKey ?? null,
		contact: contactJson(e),
		agent: e.agent,
		state: e.state,
		exitReason: e.exitReason,
		detail,
	};
}

function who(e: Enrollment): string {
	return e.contactName ? `${e.contactName} (${e.contactKey})` : e.contactKey;
}

const SUMMARIES: Record<string, (f: FeedEvent) => string> = {
	replied: (f) => `${who(f.enrollment)} replied in "${f.enrollment.cadenceName}"`,
	exited: (f) =>
		`"${f.enrollment.cadenceName}" stopped for ${who(f.enrollment)}: ${String(f.event.detail?.reason ?? f.enrollment.exitReason ?? 'exited')}`,
	completed: (f) => `${who(f.enrollment)} received every step of "${f.enrollment.cadenceName}"`,
	draftPending: (f) =>
		`An AI draft for step ${(f.step?.index ?? 0) + 1} to ${who(f.enrollment)} awaits approval`,
	enrolled: (f) => `${who(f.enrollment)} was enrolled in "${f.enrollment.cadenceName}"`,
	sent: (f) => `Step ${(f.step?.index ?? 0) + 1} was sent to ${who(f.enrollment)}`,
	deferred: (f) =>
		`Step ${f.enrollment.nextStep + 1} for ${who(f.enrollment)} was moved to later: ${String(f.event.detail?.reason ?? '')}`,
	failed: (f) =>
		`Step ${(f.step?.index ?? 0) + 1} for ${who(f.enrollment)} failed${f.event.detail?.detail ? `: ${String(f.event.detail.detail)}` : ''}`,
	enrollmentFailed: (f) =>
		`"${f.enrollment.cadenceName}" ended as failed for ${who(f.enrollment)}: ${String(f.event.detail?.reason ?? '')}`,
};

/**
 * Who should review a draft: the enrollment's agent (Enroll In Cadence → Agent Name), else the
 * conversation's assignee (Record Reply / Conversation Status → Assigned To), else the trigger's
 * Default Reviewer; null when none is set.
 */
function reviewerOf(f: FeedEvent, fallback: string): IDataObject {
	if (f.enrollment.agent) return { reviewer: f.enrollment.agent, reviewerFrom: 'enrollment' };
	if (f.conversationAssignee)
		return { reviewer: f.conversationAssignee, reviewerFrom: 'conversationAssignee' };
	if (fallback) return { reviewer: fallback, reviewerFrom: 'defaultReviewer' };
	return { reviewer: null, reviewerFrom: null };
}

export function feedEventJson(f: FeedEvent, defaultReviewer = ''): IDataObject {
	const step = f.step && {
		index: f.step.index,
		stepRunId: f.event.stepRunId,
		idempotencyKey: f.step.idempotencyKey,
	};
	const summary = (SUMMARIES[f.event.type] ?? (() => f.event.type))(f);
	return {
		...eventJson(
			f.event.type,
			f.event.at,
			f.enrollment,
			step,
			summary,
			f.event.detail as IDataObject,
		),
		eventId: f.event.id,
		...(f.event.type === 'draftPending' ? reviewerOf(f, defaultReviewer) : {}),
	};
}

export function stuckJson(run: StepRun, e: Enrollment): IDataObject {
	const step = { index: run.stepIndex, stepRunId: run.id, idempotencyKey: run.idempotencyKey };
	const stuckAt = run.stuckAt ?? run.claimedAt;
	const step1 = `Step ${run.stepIndex + 1} for ${who(e)}`;
	const summary =
		run.approval === 'awaiting'
			? `${step1} awaits approval with no time limit running (Await Approval never started waiting on it)`
			: run.approval === 'timedOut' && run.handedAt === null
				? `${step1} waited for approval past its time limit and is not sent until someone acts`
				: `${step1} was handed to the send step at ${iso(run.handedAt ?? run.claimedAt)} and never confirmed as sent`;
	return {
		...eventJson('stuck', stuckAt, e, step, summary, {
			claimedAt: iso(run.claimedAt),
			handedAt: run.handedAt === null ? null : iso(run.handedAt),
			attempt: run.claims,
			status: run.status,
			reason: run.detail,
		}),
		eventId: null,
		// The same on every emission of this alert, for a receiver that must not alert twice.
		alertId: `stuck-${run.id}-${stuckAt}`,
	};
}
