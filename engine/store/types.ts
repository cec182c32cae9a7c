import type { ChannelSettings } from '../cadence/channel-settings';
import type { CadenceDefinition, ComposeMode, Step } from '../cadence/definition';

/** Epoch milliseconds. The store never reads the system clock itself: time is injected. */
export type Millis = number;
export type Clock = () => Millis;

export const ENROLLMENT_STATES = ['active', 'paused', 'completed', 'exited', 'failed'] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export const STEP_STATUSES = [
	'pending',
	'scheduled',
	'sent',
	'delivered',
	'read',
	'replied',
	'skipped',
	'failed',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const EXIT_REASONS = [
	'replied',
	'resolved',
	'goal',
	'optedOut',
	'cancelled',
	'limit',
	'condition',
	'ai',
] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export interface PublishedCadence {
	id: number;
	name: string;
	version: number;
	active: boolean;
	definition: CadenceDefinition;
	publishedAt: Millis;
	/** True when this call created the version; false when the content was unchanged. */
	created: boolean;
}

/**
 * The Follow-up Trigger a cadence belongs to. Two workflows imported from the same template hold
 * triggers with the same cadence name; the owner keeps them two independent cadences.
 */
export interface CadenceOwner {
	workflowId: string;
	nodeId: string;
	/** For display only (the cadence picker, error messages); it may change any time. */
	workflowName?: string;
}

export interface CadenceSummary {
	id: number;
	name: string;
	latestVersion: number;
	active: boolean;
	updatedAt: Millis;
	/** The workflow whose Follow-up Trigger publishes it; null for cadences published otherwise. */
	workflowId: string | null;
	workflowName: string | null;
	/** Another cadence has the same name: pick this one by id, or from its own workflow. */
	nameShared: boolean;
}

export interface Enrollment {
	id: number;
	cadenceId: number;
	cadenceName: string;
	version: number;
	contactKey: string;
	conversationKey: string;
	contactName: string;
	agent: string;
	target: { type: string; id: string } | null;
	variables: Record<string, unknown>;
	timeZone: string | null;
	state: EnrollmentState;
	exitReason: string | null;
	/** How many times the chain has started (1 at enrollment, +1 on each restart). */
	cycle: number;
	/** Index of the step that goes out next (0-based); equals the step count once finished. */
	nextStep: number;
	/** When the next step will be emitted; null while one is in flight, paused without end, or ended. */
	nextDueAt: Millis | null;
	/** Why the next step is due when it is (deferrals, pauses). */
	nextReason: string | null;
	pausedUntil: Millis | null;
	anchorAt: Millis;
	lastSentAt: Millis | null;
	lastInboundAt: Millis | null;
	createdAt: Millis;
	updatedAt: Millis;
	endedAt: Millis | null;
}

export interface StepRun {
	id: number;
	enrollmentId: number;
	cadenceId: number;
	stepIndex: number;
	cycle: number;
	status: StepStatus;
	/** enrollment-step-cycle: the same for every retry of the same send, so channels can dedupe. */
	idempotencyKey: string;
	dueAt: Millis;
	claimedAt: Millis;
	/** 1 for the first emission; more only after deferrals or an explicit retry. */
	claims: number;
	stuckAt: Millis | null;
	sentAt: Millis | null;
	deliveredAt: Millis | null;
	readAt: Millis | null;
	repliedAt: Millis | null;
	endedAt: Millis | null;
	composeMode: ComposeMode;
	text: string | null;
	model: string | null;
	promptTokens: number | null;
	completionTokens: number | null;
	degraded: boolean;
	approval: string | null;
	decidedBy: string | null;
	detail: string | null;
	/** When the step left the cadence nodes for the channel (Compose Follow-up's Send output). */
	handedAt: Millis | null;
	/** Await Approval's time limit for a draft awaiting a reviewer, and what happens then. */
	approvalDeadline: Millis | null;
	approvalTimeout: string | null;
	/** When the execution carrying this step's stuck alert finished. */
	stuckAlertedAt: Millis | null;
	/** The channel the send went out on, as Mark Sent reported it. */
	channel: string | null;
	/** The id the channel gave the latest send (delivery reports name it). */
	channelMessageId: string | null;
	/** Channels a delivery of this step failed on; the channel decision leaves them out. */
	failedChannels: string[];
}

/** One due step handed to the flow: everything the nodes after the trigger need. */
export interface ClaimedStep {
	stepRun: StepRun;
	enrollment: Enrollment;
	step: Step;
	stepCount: number;
	persona: string;
	isLastStep: boolean;
	/** The cadence's channel settings, for the channel decision (engine/domain/channel.ts). */
	channels: ChannelSettings;
}

export interface TimelineEvent {
	id: number;
	enrollmentId: number;
	stepRunId: number | null;
	type: string;
	at: Millis;
	detail: Record<string, unknown> | null;
}

export interface ConversationMessage {
	id: number;
	contactKey: string;
	conversationKey: string;
	direction: 'inbound' | 'outbound';
	author: 'contact' | 'agent' | 'followUp';
	text: string;
	channel: string | null;
	stepRunId: number | null;
	at: Millis;
}

export type EnrollOutcome =
	| 'enrolled'
	| 'alreadyEnrolled'
	| 'restarted'
	| 'suppressed'
	| 'notAllowed';

export interface EnrollResult {
	outcome: EnrollOutcome;
	enrollment: Enrollment | null;
	/** Why nothing new happened, in words, for the item the node outputs. */
	message: string;
}

export type AppliedReply = 'exit' | 'restart' | 'pause' | 'ignore' | 'optOut' | 'goal';

/** Who answered a follow-up: only a person's reply counts as replied. */
export const REPLY_KINDS = ['person', 'outOfOffice', 'autoReply'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

export interface ReplyEffect {
	enrollmentId: number;
	cadenceName: string;
	/**
	 * 'reanchor': a cadence timed from the contact's last message had sent nothing yet in this
	 * cycle, so the message moved its first step's clock (the reply policy was not applied).
	 */
	action: AppliedReply | 'reanchor';
	state: EnrollmentState;
	nextDueAt: Millis | null;
}

export interface FunnelRow {
	cadenceId: number;
	cadenceName: string;
	stepIndex: number;
	composeMode: ComposeMode;
	/** How many step runs are at each status now; "replied" counts people's replies only. */
	counts: Record<StepStatus, number>;
	total: number;
	/** Sends answered by an out-of-office note, or by another auto-reply (not counted as replied). */
	outOfOffice: number;
	autoReplies: number;
}

/** Reply rates for one group of sends (a step, a compose mode, a cadence version or an agent). */
export interface ReplyRateRow {
	cadenceId: number;
	cadenceName: string;
	by: 'step' | 'composeMode' | 'version' | 'agent';
	/** The group: the step (1-based), compose mode, version number or agent name. */
	group: string | number;
	sent: number;
	/** Sends a person replied to. */
	replied: number;
	outOfOffice: number;
	autoReplies: number;
	skipped: number;
	failed: number;
	/** replied / sent, from 0 to 1; null when nothing was sent. */
	replyRate: number | null;
	/** By agent only: the agent's enrollments still running (active or paused). */
	inFollowUp?: number;
}

export interface StateCount {
	cadenceId: number;
	cadenceName: string;
	state: EnrollmentState;
	count: number;
}

export type DefinitionOf = (cadenceId: number, version: number) => Promise<CadenceDefinition>;
