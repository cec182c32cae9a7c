import type { CadenceDefinitionInput } from '../cadence/definition';
import type {
	ApprovalInput,
	ClaimInput,
	ConversationInput,
	DeferInput,
	DraftInput,
	EnrollInput,
	EnrollmentAction,
	GoalInput,
	HistoryInput,
	InboundInput,
	ListInput,
	OptOutInput,
	OutboundInput,
	ReplyRatesInput,
	ReportInput,
	SentInput,
	StepStatusInput,
	StuckInput,
} from './inputs';
import { StoreContext, type CadenceScope } from './ops/context';
import * as cadences from './ops/cadences';
import { claimDue } from './ops/claim';
import { enroll, type EnrollOptions } from './ops/enroll';
import { handOff, handOffMany } from './ops/hand-off';
import { readStepFacts, type StepFactsOptions, type StepRef } from './ops/step-facts';
import { recordDraft, recordDrafts } from './ops/drafts';
import { markSent, markSentMany } from './ops/mark-sent';
import { deferSteps } from './ops/defer';
import * as dashboard from './ops/dashboard';
import * as dashboardTokens from './ops/dashboard-tokens';
import * as feed from './ops/event-feed';
import * as inFlight from './ops/in-flight';
import * as manage from './ops/manage';
import * as queries from './ops/queries';
import * as replies from './ops/replies';
import * as reports from './ops/reports';
import * as sending from './ops/sending';
import * as signals from './ops/signals';
import * as storeInfo from './ops/store-info';
import * as channelFacts from './ops/channel-facts';
import * as conversations from './ops/conversations';
import * as delivery from './ops/delivery';
import * as inactivity from './ops/inactivity';
import type {
	ConversationRef,
	ConversationUpdate,
	DeliveryInput,
	IdentitiesInput,
	IdleInput,
} from './channel-inputs';
import type { Identity } from '../domain/channels';
import type { SqlDriver } from './sql/driver';
import type { CadenceOwner, ClaimedStep, Clock } from './types';

/**
 * The cadence store: the whole domain contract over one SQL boundary. SQLite and Postgres run the
 * same code; only the driver differs. Every write is one transaction and validates its input
 * before touching the database.
 */
export class CadenceStore {
	private readonly ctx: StoreContext;

	constructor(driver: SqlDriver, clock: Clock = Date.now) {
		this.ctx = new StoreContext(driver, clock);
	}

	get backend(): 'sqlite' | 'postgres' {
		return this.ctx.driver.dialect.name;
	}

	/** The random id made with the store's tables: the same store, wherever it is opened. */
	storeId = () => storeInfo.storeId(this.ctx);

	/** Fails when the store's SQLite file was deleted, moved or replaced since it was opened. */
	checkFile(): void {
		this.ctx.driver.checkFile?.();
	}

	// Cadences
	publishCadence = (definition: CadenceDefinitionInput, owner?: CadenceOwner) =>
		cadences.publishCadence(this.ctx, definition, owner);
	getCadence = (ref: string | number, version?: number) =>
		cadences.getCadence(this.ctx, ref, version);
	listCadences = (options?: { search?: string; limit?: number }) =>
		cadences.listCadences(this.ctx, options);

	// Enrolling and the send cycle
	/** `scope`: a cadence name shared by several workflows means the one in `scope.workflowId`. */
	enroll = (inputs: EnrollInput[], options?: EnrollOptions) => enroll(this.ctx, inputs, options);
	claimDue = (input: ClaimInput) => claimDue(this.ctx, input);
	recordDraft = (input: DraftInput) => recordDraft(this.ctx, input);
	/** Several drafts in one statement; each item's result, or its own error (see drafts.ts). */
	recordDrafts = (inputs: readonly DraftInput[]) => recordDrafts(this.ctx, inputs);
	recordApproval = (input: ApprovalInput) => sending.recordApproval(this.ctx, input);
	deferStep = (input: DeferInput) => sending.deferStep(this.ctx, input);
	/** Several deferrals in one transaction; each item's result, or its own error (defer.ts). */
	deferSteps = (inputs: readonly DeferInput[]) => deferSteps(this.ctx, inputs);
	markSent = (input: SentInput) => markSent(this.ctx, input);
	/** Several sends in one transaction; each item's result, or its own error (see mark-sent.ts). */
	markSentMany = (inputs: readonly SentInput[]) => markSentMany(this.ctx, inputs);
	setStepStatus = (input: StepStatusInput) => sending.setStepStatus(this.ctx, input);
	/** Exit Check's facts for claimed steps, one query per kind for all of them (step-facts.ts). */
	readStepFacts = (refs: readonly StepRef[], options: StepFactsOptions) =>
		readStepFacts(this.ctx, refs, options);

	// Conversation and signals
	recordInbound = (input: InboundInput) => replies.recordInbound(this.ctx, input);
	recordOutbound = (input: OutboundInput) => replies.recordOutbound(this.ctx, input);
	recordGoal = (input: GoalInput) => signals.recordGoal(this.ctx, input);
	markResolved = (input: ConversationInput) => signals.markResolved(this.ctx, input);
	optOut = (input: OptOutInput) => signals.optOut(this.ctx, input);
	isSuppressed = (contactKey: string) => signals.isSuppressed(this.ctx, contactKey);

	// Channels and conversations (engine/store/ops/conversations.ts, delivery.ts, inactivity.ts)
	/** Keeps where a contact can be reached; values are normalised (+digits, lower-case email). */
	recordIdentities = (input: IdentitiesInput) => conversations.recordIdentities(this.ctx, input);
	getIdentities = (contactKey: string) => conversations.identitiesOf(this.ctx.driver, contactKey);
	findContactsByIdentity = (identity: Identity) =>
		conversations.contactsByIdentity(this.ctx, identity);
	/** Sets a conversation's status (open, pending, resolved) and/or channel; resolved exits. */
	updateConversation = (input: ConversationUpdate) =>
		conversations.updateConversation(this.ctx, input);
	getConversationState = (input: ConversationRef) =>
		conversations.getConversationState(this.ctx, input);
	/** The stored facts the channel decision reads (conversation channel, per-channel times, identities). */
	getChannelFacts = (input: ConversationRef) => channelFacts.channelFacts(this.ctx, input);
	/** The channel decision for a claimed step, from the store's facts at `now` (default: the clock). */
	decideStepChannel = (claimed: ClaimedStep, now?: number) =>
		channelFacts.decideStepChannel(this.ctx, claimed, now);
	/** A claim's channel decisions in three reads (each at its claim unless `now` is given). */
	decideStepChannels = (claimed: readonly ClaimedStep[], now?: number) =>
		channelFacts.decideStepChannels(this.ctx, claimed, now);
	/** A channel's delivery report, matched by the message id Mark Sent stored. */
	recordDelivery = (input: DeliveryInput) => delivery.recordDelivery(this.ctx, input);
	/** Enrolls up to `limit` idle conversations into the cadence, each once ever. */
	enrollIdleConversations = (input: IdleInput, scope?: CadenceScope) =>
		inactivity.enrollIdleConversations(this.ctx, input, scope);
	getStepRunByChannelMessageId = (channelMessageId: string) =>
		delivery.stepRunByChannelMessageId(this.ctx, channelMessageId);

	// Managing enrollments
	pause = (input: EnrollmentAction) => manage.pauseEnrollment(this.ctx, input);
	resume = (input: EnrollmentAction) => manage.resumeEnrollment(this.ctx, input);
	skipStep = (input: EnrollmentAction) => manage.skipStep(this.ctx, input);
	cancel = (input: EnrollmentAction) =>
		manage.exitByRule(this.ctx, { ...input, exitReason: 'cancelled' });
	exit = (input: EnrollmentAction) => manage.exitByRule(this.ctx, input);
	findStuck = (input: StuckInput) => manage.stuckSteps(this.ctx, input, false);

	// Steps in flight: the hand-off to the send path, approval time limits, stuck alerts
	handOff = (input: inFlight.HandOffInput) => handOff(this.ctx, input);
	/** Several hand-offs in one statement; each item's answer, or its own error (hand-off.ts). */
	handOffMany = (inputs: readonly inFlight.HandOffInput[]) => handOffMany(this.ctx, inputs);
	setApprovalDeadline = (input: inFlight.ApprovalDeadlineInput) =>
		inFlight.setApprovalDeadline(this.ctx, input);
	checkInFlight = (input: inFlight.InFlightInput) => inFlight.checkInFlight(this.ctx, input);
	markAlertsDelivered = (input: inFlight.AlertsDelivered) =>
		inFlight.markAlertsDelivered(this.ctx, input);
	retryStep = (stepRunId: number) => manage.retryStep(this.ctx, stepRunId);

	// Reading
	getEnrollment = (id: number) => queries.getEnrollment(this.ctx, id);
	listEnrollments = (input?: ListInput) => queries.listEnrollments(this.ctx, input);
	getTimeline = (enrollmentId: number) => queries.getTimeline(this.ctx, enrollmentId);
	getStepRuns = (enrollmentId: number) => queries.getStepRuns(this.ctx, enrollmentId);
	getStepRun = (ref: { stepRunId?: number; idempotencyKey?: string }) =>
		queries.getStepRun(this.ctx, ref);
	getConversation = (input: HistoryInput) => queries.getConversation(this.ctx, input);
	/** Several conversations in one query; each input's messages, or its own error. */
	getConversations = (inputs: readonly HistoryInput[]) =>
		queries.getConversations(this.ctx, inputs);
	funnel = (input?: ReportInput) => reports.funnel(this.ctx, input);
	replyRates = (input?: ReplyRatesInput) => reports.replyRates(this.ctx, input);
	stateDistribution = (input?: ReportInput) => queries.stateDistribution(this.ctx, input);
	countSentToContact = (contactKey: string, since: number) =>
		queries.countSentToContact(this.ctx, contactKey, since);
	sendTimesToContact = (contactKey: string, since: number) =>
		queries.sendTimesToContact(this.ctx, contactKey, since);

	// The dashboard page
	listFollowUps = (input?: dashboard.FollowUpQuery) => dashboard.listFollowUps(this.ctx, input);
	followUpFacets = () => dashboard.followUpFacets(this.ctx);
	agentCounts = () => dashboard.agentCounts(this.ctx);
	nextFollowUpAt = (enrollmentId: number) => dashboard.nextFollowUpAt(this.ctx, enrollmentId);
	storeSecret = (name: string) => dashboardTokens.storeSecret(this.ctx, name);
	useActionToken = (nonce: string, expiresAt: number) =>
		dashboardTokens.useActionToken(this.ctx, nonce, expiresAt);

	// Following the timeline
	eventsAfter = (input: feed.EventFeedInput) => feed.eventsAfter(this.ctx, input);
	lastEventId = () => feed.lastEventId(this.ctx);

	close = () => this.ctx.driver.close();
}

/**
 * The Store interface every node programs against. There is one implementation on purpose: SQLite
 * and Postgres differ only in their SqlDriver (engine/store/sql), so the domain rules cannot drift
 * apart between backends — the contract suite runs the same tests on both to prove it.
 */
export type Store = Pick<CadenceStore, keyof CadenceStore>;
