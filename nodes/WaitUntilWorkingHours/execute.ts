import {
	NodeOperationError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { nextOpenTime, type TimingContext } from '../../engine/timing';
import type { CadenceStore, DeferInput } from '../../engine';
import { cadenceReader, type CadenceReader } from '../shared/cadence-cache';
import { eachInput, readBatch, settled, type Emit } from '../shared/items';
import { iso } from '../shared/output';
import { readStepItem, type StepRef } from '../shared/step-item';
import { withStore } from '../shared/store-provider';
import { timingOfCadence, timingSetHere } from './timing';

const NOW = 0;
const DEFERRED = 1;
/**
 * n8n looks for waiting runs to resume about once a minute, so a shorter wait is cheaper and more
 * punctual in memory. n8n's own Wait node draws the line at the same place.
 */
const IN_MEMORY_WAIT_MS = 65_000;

/**
 * Cadence items outside their window are rescheduled in the store and leave by Deferred: the
 * Follow-up Trigger emits them again when the window opens, and no run waits for them. Items from
 * any other workflow have nowhere to be rescheduled, so the run itself waits for them.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const now = Date.now();
	const opensAt: number[] = [];

	// First every item's parameters, and the plan for items that are not real cadence steps: none
	// of it touches the store, so bad input, or a batch this node cannot handle, fails before
	// anything is written.
	const batch = await readBatch<CadenceItem>(this, {
		outputs: 2,
		read: (itemIndex, item) => {
			const ref = readStepItem(item.json);
			// The trigger's editor preview has nothing real behind it: it goes on, untouched.
			if (ref?.preview) return settled({ output: NOW, json: item.json });
			const hoursSetHere = readHoursSetHere(this, itemIndex, ref !== null);
			if (ref) return { itemIndex, json: item.json, ref, hoursSetHere };
			opensAt.push(nextOpenTime(now, hoursSetHere!).at);
			return settled({ output: NOW, json: item.json });
		},
	});
	// n8n pauses a whole run, not single items, so the run waits once, until the latest of the
	// items' open times: no item goes on before its own window opens. Items with different hours
	// may find theirs closed again by then; give them separate runs if that matters.
	const waitUntil = opensAt.some((at) => at > now) ? Math.max(...opensAt) : null;
	if (waitUntil !== null && waitUntil - now >= IN_MEMORY_WAIT_MS) {
		assertRunCanPause(this, batch.pending.length > 0, batch.failed.size > 0, waitUntil);
	}

	const result = await batch.run(
		async (inputs) => withStore(this, async (store) => deferClosed(this, store, inputs, now)),
		(emitted) => [emitted],
	);
	if (waitUntil !== null) await waitInRun(this, waitUntil);
	return result;
}

interface CadenceItem {
	itemIndex: number;
	json: IDataObject;
	ref: StepRef;
	/** Null for the cadence's own hours. */
	hoursSetHere: TimingContext | null;
}

/** The hours set on this node for the item, or null for its cadence's hours. */
function readHoursSetHere(
	context: IExecuteFunctions,
	itemIndex: number,
	hasCadence: boolean,
): TimingContext | null {
	if (context.getNodeParameter('hoursFrom', itemIndex) === 'here') {
		return timingSetHere(context, itemIndex);
	}
	if (hasCadence) return null;
	throw new NodeOperationError(
		context.getNode(),
		'This item did not come from a Follow-up Trigger, so it has no cadence hours to follow',
		{
			itemIndex,
			description:
				'Set "Hours From" to "Set Here" and enter the working hours, or connect this node after a Follow-up Trigger.',
		},
	);
}

interface Planned {
	emit: Emit;
	/** Set when the item's window is closed: the step waits in the store until it opens. */
	deferral?: DeferInput;
}

/**
 * Reschedules the cadence steps outside their hours in the store, all of them in one call; the
 * trigger emits each again when its window opens. Each item's hours are worked out first (its
 * cadence read once per execution), so without Continue On Fail an item that fails there fails
 * the node before any step is rescheduled.
 */
async function deferClosed(
	context: IExecuteFunctions,
	store: CadenceStore,
	inputs: CadenceItem[],
	now: number,
): Promise<Array<Emit | Error>> {
	const getCadence = cadenceReader(store);
	const planned = await eachInput(context, inputs, async (input) =>
		planItem(context, getCadence, input, now),
	);
	const results: Array<Emit | Error> = planned.map((p) => (p instanceof Error ? p : p.emit));
	// The node fails at the first error anyway: nothing is rescheduled for a run that fails.
	if (!context.continueOnFail() && planned.some((p) => p instanceof Error)) return results;
	const deferring = planned.flatMap((p, i) => (p instanceof Error || !p.deferral ? [] : [i]));
	const deferred =
		deferring.length === 0
			? []
			: await store.deferSteps(deferring.map((i) => (planned[i] as Planned).deferral!));
	deferring.forEach((i, k) => {
		const outcome = deferred[k];
		if (outcome instanceof Error) results[i] = outcome;
	});
	return results;
}

/** Where an item goes: on now, or deferred until its window opens. */
async function planItem(
	context: IExecuteFunctions,
	getCadence: CadenceReader,
	{ itemIndex, json, ref, hoursSetHere }: CadenceItem,
	now: number,
): Promise<Planned> {
	const timing =
		hoursSetHere ?? (await timingOfCadence(context.getNode(), getCadence, json, itemIndex));
	const open = nextOpenTime(now, timing);
	if (open.at <= now) return { emit: { output: NOW, json } };
	const reason = open.reason ?? 'deferred: outside the sending schedule';
	return {
		emit: { output: DEFERRED, json: { ...json, deferredUntil: iso(open.at), reason } },
		deferral: { stepRunId: ref.stepRunId, until: open.at, reason },
	};
}

/**
 * A run that waits longer than a minute is resumed by n8n with this node's input items passed on
 * unchanged on its first output. That is right for items from other workflows, but it would send
 * cadence steps that were just rescheduled (twice, later), and let failed items go on as if they
 * were fine. Such batches fail here, before anything is written.
 */
function assertRunCanPause(
	context: IExecuteFunctions,
	hasCadenceSteps: boolean,
	hasFailed: boolean,
	until: number,
): void {
	const when = new Date(until).toISOString();
	if (hasCadenceSteps) {
		throw new NodeOperationError(
			context.getNode(),
			`Items from a Follow-up Trigger arrived together with other items that must wait until ${when}`,
			{
				description:
					'n8n can only pause a whole run, and that would send the cadence steps too. Give the other items their own Wait Until Working Hours node (split them with an If node on {{ $json.stepRunId }}).',
			},
		);
	}
	if (hasFailed) {
		throw new NodeOperationError(
			context.getNode(),
			`Some items failed while the others must wait until ${when}`,
			{
				description:
					'n8n resumes a paused run with the items as they came in, so the failed items would go on as if nothing were wrong. Fix them (see their error) or turn off Continue On Fail.',
			},
		);
	}
}

async function waitInRun(context: IExecuteFunctions, until: number): Promise<void> {
	const ms = until - Date.now();
	if (ms < IN_MEMORY_WAIT_MS) await sleep(Math.max(0, ms), context.getExecutionCancelSignal());
	else await context.putExecutionToWait(new Date(until));
}
