import type { IDataObject } from 'n8n-workflow';
import type { Enrollment, StepRun, TimelineEvent } from '../../engine';

/** Times leave the nodes as ISO strings: readable in the editor and usable in expressions. */
export function iso(ms: number | null | undefined): string | null {
	return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function enrollmentJson(e: Enrollment): IDataObject {
	return {
		enrollmentId: e.id,
		cadence: e.cadenceName,
		cadenceVersion: e.version,
		contactKey: e.contactKey,
		conversationKey: e.conversationKey,
		contactName: e.contactName,
		agent: e.agent,
		target: e.target as IDataObject | null,
		variables: e.variables as IDataObject,
		timeZone: e.timeZone,
		state: e.state,
		exitReason: e.exitReason,
		cycle: e.cycle,
		nextStep: e.nextStep + 1,
		nextDueAt: iso(e.nextDueAt),
		nextReason: e.nextReason,
		pausedUntil: iso(e.pausedUntil),
		lastSentAt: iso(e.lastSentAt),
		lastReplyAt: iso(e.lastInboundAt),
		enrolledAt: iso(e.createdAt),
		endedAt: iso(e.endedAt),
	};
}

export function stepRunJson(r: StepRun): IDataObject {
	return {
		stepRunId: r.id,
		step: r.stepIndex + 1,
		status: r.status,
		idempotencyKey: r.idempotencyKey,
		attempt: r.claims,
		dueAt: iso(r.dueAt),
		claimedAt: iso(r.claimedAt),
		sentAt: iso(r.sentAt),
		deliveredAt: iso(r.deliveredAt),
		readAt: iso(r.readAt),
		repliedAt: iso(r.repliedAt),
		composeMode: r.composeMode,
		text: r.text,
		model: r.model,
		promptTokens: r.promptTokens,
		completionTokens: r.completionTokens,
		degraded: r.degraded,
		approval: r.approval,
		decidedBy: r.decidedBy,
		stuckAt: iso(r.stuckAt),
		detail: r.detail,
		channel: r.channel,
		channelMessageId: r.channelMessageId,
	};
}

export function eventJson(e: TimelineEvent): IDataObject {
	return {
		event: e.type,
		at: iso(e.at),
		stepRunId: e.stepRunId,
		detail: e.detail as IDataObject | null,
	};
}
