import type { ComposeMode } from '../../cadence/definition';
import type { Row } from '../sql/driver';
import { idempotencyKey, parseIdempotencyKey as parseKey } from '../../domain/idempotency-key';
import { WAITING_DUE_AT } from './due-queue';
import type {
	ConversationMessage,
	Enrollment,
	EnrollmentState,
	StepRun,
	StepStatus,
	TimelineEvent,
} from '../types';

/** Enrollment columns, read through `enrollments e JOIN cadences c` (see due-queue.ts). */
export const ENROLLMENT_COLUMNS = `e.*, c.name AS cadence_name, ${WAITING_DUE_AT} AS waiting_due_at`;
export const ENROLLMENT_SELECT = `SELECT ${ENROLLMENT_COLUMNS} FROM enrollments e
	JOIN cadences c ON c.id = e.cadence_id`;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toEnrollment(row: Row): Enrollment {
	return enrollmentFrom(row, JSON.parse(String(row.variables)) as Record<string, unknown>);
}

/** The same, with the variables already parsed (an enrollment just written from them). */
export function enrollmentFrom(row: Row, variables: Record<string, unknown>): Enrollment {
	return {
		id: num(row.id),
		cadenceId: num(row.cadence_id),
		cadenceName: String(row.cadence_name ?? ''),
		version: num(row.version),
		contactKey: String(row.contact_key),
		conversationKey: String(row.conversation_key),
		contactName: String(row.contact_name),
		agent: String(row.agent),
		target:
			row.target_type === null || row.target_type === undefined
				? null
				: { type: String(row.target_type), id: String(row.target_id) },
		variables,
		timeZone: strOrNull(row.time_zone),
		state: String(row.state) as EnrollmentState,
		exitReason: strOrNull(row.exit_reason),
		cycle: num(row.cycle),
		nextStep: num(row.next_step),
		// The mirror in next_due_at outlives the claim; only a queued step is still due.
		nextDueAt: numOrNull(row.waiting_due_at),
		nextReason: strOrNull(row.next_reason),
		pausedUntil: numOrNull(row.paused_until),
		anchorAt: num(row.anchor_at),
		lastSentAt: numOrNull(row.last_sent_at),
		lastInboundAt: numOrNull(row.last_inbound_at),
		createdAt: num(row.created_at),
		updatedAt: num(row.updated_at),
		endedAt: numOrNull(row.ended_at),
	};
}

export { idempotencyKey };

/** The parts of a key; NaN parts (matching no step run) when `key` is not one. */
export function parseIdempotencyKey(key: string) {
	return parseKey(key) ?? { enrollmentId: NaN, stepIndex: NaN, cycle: NaN };
}

export function toStepRun(row: Row): StepRun {
	return {
		id: num(row.id),
		enrollmentId: num(row.enrollment_id),
		cadenceId: num(row.cadence_id),
		stepIndex: num(row.step_index),
		cycle: num(row.cycle),
		status: String(row.status) as StepStatus,
		idempotencyKey: idempotencyKey(num(row.enrollment_id), num(row.step_index), num(row.cycle)),
		dueAt: num(row.due_at),
		claimedAt: num(row.claimed_at),
		claims: num(row.claims),
		stuckAt: numOrNull(row.stuck_at),
		sentAt: numOrNull(row.sent_at),
		deliveredAt: numOrNull(row.delivered_at),
		readAt: numOrNull(row.read_at),
		repliedAt: numOrNull(row.replied_at),
		endedAt: numOrNull(row.ended_at),
		composeMode: String(row.compose_mode) as ComposeMode,
		text: strOrNull(row.text),
		model: strOrNull(row.model),
		promptTokens: numOrNull(row.prompt_tokens),
		completionTokens: numOrNull(row.completion_tokens),
		degraded: num(row.degraded) === 1,
		approval: strOrNull(row.approval),
		decidedBy: strOrNull(row.decided_by),
		detail: strOrNull(row.detail),
		handedAt: numOrNull(row.handed_at),
		approvalDeadline: numOrNull(row.approval_deadline),
		approvalTimeout: strOrNull(row.approval_timeout),
		stuckAlertedAt: numOrNull(row.stuck_alerted_at),
		channel: strOrNull(row.channel),
		channelMessageId: strOrNull(row.channel_message_id),
		failedChannels:
			row.failed_channels === null || row.failed_channels === undefined
				? []
				: (JSON.parse(String(row.failed_channels)) as string[]),
	};
}

export function toEvent(row: Row): TimelineEvent {
	return {
		id: num(row.id),
		enrollmentId: num(row.enrollment_id),
		stepRunId: numOrNull(row.step_run_id),
		type: String(row.type),
		at: num(row.at),
		detail:
			row.detail === null ? null : (JSON.parse(String(row.detail)) as Record<string, unknown>),
	};
}

export function toMessage(row: Row): ConversationMessage {
	return {
		id: num(row.id),
		contactKey: String(row.contact_key),
		conversationKey: String(row.conversation_key),
		direction: String(row.direction) as ConversationMessage['direction'],
		author: String(row.author) as ConversationMessage['author'],
		text: String(row.text),
		channel: strOrNull(row.channel),
		stepRunId: numOrNull(row.step_run_id),
		at: num(row.at),
	};
}
