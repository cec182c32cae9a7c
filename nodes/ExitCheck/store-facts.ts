import { CadenceNotFoundError } from '../../engine';
import { NodeOperationError, type INode } from 'n8n-workflow';
import { openAt } from '../../engine';
import {
	limitFreesUpAt,
	type ExitCheck,
	type ExitDecision,
	type ExitFacts,
	type ExitVerdict,
} from '../../engine';
import { CadenceTransitionError } from '../../engine';
import type { CadenceStore, DeferInput } from '../../engine';
import type { CadenceReader } from '../shared/cadence-cache';
import type { Enrollment, ExitReason } from '../../engine';
import { DAY_MS } from '../../engine/timing';
import { toNodeError } from '../shared/errors';
import type { StepRef } from '../shared/step-item';

/** What the exit rules need, read fresh from the store for one trigger item. */
export interface ReadFacts {
	facts: ExitFacts;
	enrollment: Enrollment;
	/** The contact's sends of the last 24 hours, oldest first (empty when no limit is checked). */
	sendTimes: number[];
}

/** What an item asks of the store: its step, its Goal Reached value and the checks it switched off. */
export interface FactsRequest {
	ref: StepRef;
	goalReached: boolean;
	disabled: ReadonlySet<ExitCheck>;
	itemIndex: number;
}

/**
 * Every item's facts in one store call (one query per kind of fact, however many items). An item
 * whose enrollment or step run is not in the store fails alone, saying how to fix the flow.
 */
export async function readAllFacts(
	node: INode,
	store: CadenceStore,
	requests: readonly FactsRequest[],
): Promise<Array<ReadFacts | Error>> {
	const now = Date.now();
	const found = await store.readStepFacts(
		requests.map(({ ref }) => ({ enrollmentId: ref.enrollmentId, stepRunId: ref.stepRunId })),
		{
			since: now - DAY_MS,
			suppression: requests.some((r) => !r.disabled.has('optOut')),
			limits: requests.some((r) => !r.disabled.has('limit')),
		},
	);
	return requests.map(({ ref, goalReached, disabled, itemIndex }, i) => {
		const read = found[i];
		if (read instanceof CadenceNotFoundError) {
			return new NodeOperationError(
				node,
				`Enrollment ${ref.enrollmentId} (step run ${ref.stepRunId}) is not in the cadence store`,
				{
					itemIndex,
					description:
						'Use the same Cadence Store credential here as on the Follow-up Trigger (or none on both), and pass the trigger’s item on without changing its enrollmentId and stepRunId.',
				},
			);
		}
		if (read instanceof Error) return read;
		const { enrollment, run } = read;
		const limited = !disabled.has('limit');
		const facts: ExitFacts = {
			enrollment,
			step: {
				index: run.stepIndex,
				cycle: run.cycle,
				status: run.status,
				claimedAt: ref.claimedAt,
			},
			suppressed: !disabled.has('optOut') && read.suppressed,
			goalReached,
			sentLast24h: limited ? read.sentSince : 0,
			perContactPerDay: limited ? read.perContactPerDay : null,
			now,
			disabled,
		};
		return { facts, enrollment, sendTimes: limited ? read.sendTimes : [] };
	});
}

/**
 * What the decision writes to the store: an exit or a skip is written here, item by item (they
 * move the chain, and are rare); a deferral is returned, to be written with the other items' in
 * one call. Returns the decision as it is carried out (a limit deferral only learns its time here,
 * from the send times already read and the cadence read once per execution).
 */
export async function recordDecision(
	node: INode,
	store: CadenceStore,
	getCadence: CadenceReader,
	ref: StepRef,
	read: ReadFacts,
	decision: ExitDecision,
	goalNote: string,
): Promise<{ decision: ExitDecision; deferral?: DeferInput }> {
	if (!decision.exit) return { decision };
	const { record } = decision;
	const stepRunId = ref.stepRunId;
	switch (record.kind) {
		case 'exit':
			await exitUnlessEnded(
				node,
				store,
				read.enrollment.id,
				record.exitReason,
				noteFor(decision, goalNote),
			);
			return { decision };
		case 'skipStep':
			await store.setStepStatus({
				stepRunId,
				status: 'skipped',
				detail: `Exit Check: ${decision.detail}`,
			});
			return { decision };
		case 'defer':
			return { decision, deferral: { stepRunId, until: record.until, reason: decision.detail } };
		case 'deferForLimit': {
			const until = await limitOpensAt(getCadence, read);
			const reason = `sending limit: ${decision.detail}`;
			return {
				decision: { ...decision, deferredUntil: until },
				deferral: { stepRunId, until, reason },
			};
		}
		default:
			return { decision };
	}
}

/** The user's Goal Note explains a goal exit; every other exit explains itself. */
function noteFor(decision: ExitVerdict, goalNote: string): string {
	return decision.reason === 'condition' && goalNote ? goalNote : decision.detail;
}

/** Another execution (a reply, a goal) may end the enrollment between the read and this write. */
async function exitUnlessEnded(
	node: INode,
	store: CadenceStore,
	enrollmentId: number,
	exitReason: ExitReason,
	reason: string,
): Promise<void> {
	try {
		await store.exit({ enrollmentId, exitReason, reason: reason.slice(0, 500) });
	} catch (error) {
		if (!(error instanceof CadenceTransitionError)) throw toNodeError(node, error);
	}
}

/**
 * When the contact may get a message again: once enough of the last 24 hours' sends have aged
 * out, moved to the cadence's next open minute so the deferral does not land at 3 AM.
 */
async function limitOpensAt(
	getCadence: CadenceReader,
	{ enrollment, facts, sendTimes }: ReadFacts,
): Promise<number> {
	const frees = limitFreesUpAt(sendTimes, facts.perContactPerDay ?? 1, facts.now);
	const cadence = await getCadence(enrollment.cadenceId, enrollment.version);
	return cadence ? openAt(cadence.definition, frees, enrollment.timeZone).at : frees;
}
