import {
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type IWebhookFunctions,
} from 'n8n-workflow';
import { CadenceNotFoundError, CadenceTransitionError } from '../../engine';
import type { CadenceStore } from '../../engine';
import type { Enrollment, StepRun } from '../../engine';
import { isOnStep, isRunning } from '../../engine';
import { toNodeError } from '../shared/errors';
import { failedItemMessage } from '../shared/items';
import { withStore } from '../shared/store-provider';
import type { ApprovalRequest, HistoryEntry } from './state';

/** What the store says about a request's step right now. */
export type StepState =
	| { kind: 'open' }
	/** A decision is already recorded: the link was used before (or the step decided elsewhere). */
	| { kind: 'decided'; decision: string; by: string | null }
	/** The cadence moved on while waiting (reply, exit, pause…): nothing is to be sent now. */
	| { kind: 'stopped'; detail: string }
	/** A preview or a failed item: it needs no decision. */
	| { kind: 'auto' };

const DECIDED = new Set(['approved', 'edited', 'discarded', 'timedOut']);

/** `withStore` for the webhook, which reads the same node credential the same way. */
export function withWebhookStore<T>(
	context: IWebhookFunctions,
	work: (store: CadenceStore) => Promise<T>,
): Promise<T> {
	return withStore(context, work);
}

/**
 * Before waiting: every cadence step must still be undecided, and its draft is recorded as
 * awaiting approval (if Compose Follow-up did not already, or the text under review differs), so
 * the timeline shows a draft pending and the approval applies to the text the reviewer saw.
 * All steps are checked before anything is written. A step that cannot be reviewed fails the
 * node, or with Continue On Fail gets `error` and leaves by Timed Out when the wait ends.
 */
export async function prepareDrafts(
	context: IExecuteFunctions,
	requests: ApprovalRequest[],
): Promise<void> {
	const node = context.getNode();
	const cadence = requests.filter((r) => r.step && !r.step.preview && !r.error);
	if (cadence.length === 0) return;
	try {
		await markAwaiting(context, node, cadence);
	} catch (error) {
		const message = failedItemMessage(context, error);
		for (const request of cadence) request.error ??= message;
	}
}

async function markAwaiting(
	context: IExecuteFunctions,
	node: INode,
	cadence: ApprovalRequest[],
): Promise<void> {
	await withStore(context, async (store) => {
		const runs = new Map<ApprovalRequest, StepRun>();
		for (const request of cadence) {
			try {
				const run = await readRun(node, store, request);
				const state = stepState(run, await store.getEnrollment(run.enrollmentId));
				if (state.kind !== 'open') throw notReviewable(node, request, state);
				runs.set(request, run);
			} catch (error) {
				request.error = failedItemMessage(context, error, request.index);
			}
		}
		for (const [request, run] of runs) {
			if (run.approval === 'awaiting' && run.text === request.draft) continue;
			await store.recordDraft({
				stepRunId: run.id,
				text: request.draft,
				composeMode: run.composeMode,
				model: run.model,
				promptTokens: run.promptTokens,
				completionTokens: run.completionTokens,
				degraded: run.degraded,
				awaitingApproval: true,
			});
		}
	});
}

/**
 * Once the wait has its time limit: the deadline and each step's policy go to the store, where
 * the Follow-up Trigger's check applies them when the limit passes (n8n resumes a timed-out wait
 * without running this node again, so the node cannot record its own time-out).
 */
export async function recordDeadlines(
	context: IExecuteFunctions,
	requests: ApprovalRequest[],
	deadline: number,
): Promise<void> {
	const cadence = requests.filter((r) => r.step && !r.step.preview && !r.error);
	if (cadence.length === 0) return;
	try {
		await withStore(context, async (store) => {
			for (const request of cadence) {
				await store.setApprovalDeadline({
					stepRunId: request.step!.stepRunId,
					deadline,
					onTimeout: request.onTimeout,
				});
			}
		});
	} catch (error) {
		// Without its deadline in the store, the step is reported stuck instead of timing out.
		const message = failedItemMessage(context, error);
		context.logger.warn(`Await Approval: the time limit could not be stored: ${message}`);
	}
}

async function readRun(node: INode, store: CadenceStore, request: ApprovalRequest) {
	try {
		return await store.getStepRun({ stepRunId: request.step!.stepRunId });
	} catch (error) {
		if (!(error instanceof CadenceNotFoundError)) throw toNodeError(node, error);
		throw new NodeOperationError(
			node,
			`Step run ${request.step!.stepRunId} is not in the cadence store`,
			{
				itemIndex: request.index,
				description:
					'Use the same Cadence Store credential here as on the Follow-up Trigger (or none on both), and keep the follow-up item’s stepRunId unchanged.',
			},
		);
	}
}

function notReviewable(node: INode, request: ApprovalRequest, state: StepState) {
	const why =
		state.kind === 'decided'
			? `it was already ${state.decision}${state.by ? ` by ${state.by}` : ''}`
			: state.kind === 'stopped'
				? state.detail
				: 'it needs no review';
	return new NodeOperationError(
		node,
		`Step ${request.step!.step} of "${request.step!.cadence}" cannot be put up for approval: ${why}`,
		{
			itemIndex: request.index,
			description:
				'Await Approval waits only for follow-ups that are still pending. Put Exit Check before Compose Follow-up so stopped cadences never reach it.',
		},
	);
}

/** Whether the step still waits for this decision, from the store's point of view. */
export function stepState(run: StepRun, enrollment: Enrollment | null): StepState {
	if (run.approval && DECIDED.has(run.approval)) {
		return { kind: 'decided', decision: run.approval, by: run.decidedBy };
	}
	if (run.status !== 'pending' && run.status !== 'scheduled') {
		return {
			kind: 'stopped',
			detail: `the step is already ${run.status}${run.detail ? ` (${run.detail})` : ''}`,
		};
	}
	if (!enrollment || !isRunning(enrollment.state)) {
		const why = enrollment?.exitReason ? ` (${enrollment.exitReason})` : '';
		return { kind: 'stopped', detail: `the cadence ${enrollment?.state ?? 'is gone'}${why}` };
	}
	if (!isOnStep(enrollment, run)) {
		return {
			kind: 'stopped',
			detail: 'the cadence moved on (the contact replied and the chain restarted)',
		};
	}
	if (enrollment.state === 'paused') {
		const until = enrollment.nextDueAt ?? enrollment.pausedUntil;
		const when = until ? ` until ${new Date(until).toISOString()}` : '';
		return {
			kind: 'stopped',
			detail: `the cadence is paused${when}; this step is composed again when it resumes`,
		};
	}
	return { kind: 'open' };
}

export interface StepView {
	state: StepState;
	conversation: HistoryEntry[];
}

/** The state and the latest conversation of a request, for the page and for deciding. */
export async function viewOf(
	node: INode,
	store: CadenceStore | null,
	request: ApprovalRequest,
): Promise<StepView> {
	if (request.error || request.step?.preview)
		return { state: { kind: 'auto' }, conversation: request.history };
	if (!request.step || !store) return { state: { kind: 'open' }, conversation: request.history };
	let run: StepRun;
	try {
		run = await store.getStepRun({ stepRunId: request.step.stepRunId });
	} catch (error) {
		if (!(error instanceof CadenceNotFoundError)) throw toNodeError(node, error);
		const detail = 'the step is no longer in the cadence store';
		return { state: { kind: 'stopped', detail }, conversation: request.history };
	}
	const enrollment = await store.getEnrollment(run.enrollmentId);
	const messages = enrollment
		? await store.getConversation({
				contactKey: enrollment.contactKey,
				conversationKey: enrollment.conversationKey || undefined,
				limit: 20,
			})
		: [];
	return {
		state: stepState(run, enrollment),
		// Read now, not when the wait began: a reply that arrived meanwhile is what matters most.
		conversation: messages.map((m) => ({ author: m.author, text: m.text, at: m.at })),
	};
}

/**
 * Writes a reviewer's decision. Null when the step was decided or moved on between the page
 * load and this write (two reviewers at once, a reply): then nothing is changed.
 */
export async function recordDecision(
	node: INode,
	store: CadenceStore,
	request: ApprovalRequest,
	decision: 'approved' | 'edited' | 'discarded',
	text: string,
	by: string | null,
): Promise<StepRun | null> {
	try {
		const run = await store.recordApproval({
			stepRunId: request.step!.stepRunId,
			decision,
			text: decision === 'edited' ? text : null,
			by,
		});
		// Approved goes straight on to the channel: the step is handed to the send path.
		if (decision !== 'discarded') await store.handOff({ stepRunId: run.id });
		return run;
	} catch (error) {
		if (error instanceof CadenceTransitionError) return null;
		throw toNodeError(node, error);
	}
}
