import { type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import {
	decideExit,
	decideWithoutEnrollment,
	type CadenceStore,
	type DeferInput,
	type ExitCheck,
	type ExitDecision,
} from '../../engine';
import { composeFollows, handAllToSendPath } from '../shared/hand-off';
import { cadenceReader, type CadenceReader } from '../shared/cadence-cache';
import { eachInput, mapBatch, settled, type Emit, type Settled } from '../shared/items';
import { iso } from '../shared/output';
import { readStepItem, type StepRef } from '../shared/step-item';
import { withStore } from '../shared/store-provider';
import { judgementJson, withJudgement, type JudgementSettings } from './ai-judgement';
import { readAllFacts, recordDecision, type ReadFacts } from './store-facts';
import { optionalText } from '../shared/identity';
import { parameterError } from '../shared/parameters';
import { readModelTimeLimit } from '../shared/fragments/model-time-limit';

const CONTINUE = 0;
const EXIT = 1;

/** Option name → the rule it switches off when set to false. */
const CHECK_OPTIONS: Record<string, ExitCheck> = {
	checkOptOut: 'optOut',
	checkReplies: 'reply',
	checkRunning: 'running',
	checkLimit: 'limit',
};

interface CheckInput {
	ref: StepRef;
	json: IDataObject;
	goalReached: boolean;
	goalNote: string;
	disabled: ReadonlySet<ExitCheck>;
	judging: JudgementSettings | null;
	itemIndex: number;
}

interface Checked {
	decision: ExitDecision;
	extra: IDataObject;
	dropped?: boolean;
}

/**
 * Reads every item's parameters first (a bad one fails alone, before any write), then checks all
 * cadence items against the store in one batch call: every item's facts read at once, then each
 * item's decision recorded.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return mapBatch<CheckInput, Checked>(this, {
		outputs: 2,
		// A gate that could not check must not let the message through: with Continue On Fail
		// the failed item leaves by Exit, carrying the error, never by Continue.
		errorOutput: EXIT,
		errorJson: (error, item) => ({ ...item.json, error }),
		read: (itemIndex, item) => readItem(this, itemIndex, item.json),
		call: async (inputs) =>
			withStore(this, async (store) => {
				const facts = await readAllFacts(this.getNode(), store, inputs);
				const getCadence = cadenceReader(store);
				const checked = await eachInput(this, inputs, async (input, i) => {
					const read = facts[i];
					if (read instanceof Error) throw read;
					return checkInStore(this, store, getCadence, input, read);
				});
				return writeBatch(this, store, inputs, checked);
			}),
		emit: (checked, _input, _itemIndex, item) => emitDecision(item.json, checked),
	});
}

function emitDecision(json: IDataObject, { decision, extra, dropped }: Checked): Emit[] {
	if (dropped) return [];
	if (!decision.exit) return [{ output: CONTINUE, json: { ...json, ...extra } }];
	const { reason, detail, action, deferredUntil } = decision;
	const exit: IDataObject = { reason, detail, action };
	if (action === 'deferred') exit.deferredUntil = iso(deferredUntil);
	return [{ output: EXIT, json: { ...json, ...extra, exit } }];
}

function readItem(
	context: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
): CheckInput | Settled {
	const node = context.getNode();
	const goalReached = readGoalReached(context, itemIndex);
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const goalNote = optionalText(options.goalNote, { node, itemIndex, label: 'Goal Note' }).trim();
	if (goalNote.length > 500) {
		throw parameterError(
			node,
			itemIndex,
			'Goal Note',
			'is longer than 500 characters',
			'Shorten the note; it is a label for the timeline, not the whole story.',
			'option',
		);
	}
	const judging = readJudgementSettings(context, itemIndex);
	const ref = readStepItem(json);
	// The trigger's editor preview has nothing real behind it: it always continues, untouched.
	if (ref?.preview) return settled(...emitDecision(json, { decision: { exit: false }, extra: {} }));
	// Items from any other workflow have no enrollment to read: only the user's condition applies.
	if (!ref) {
		return settled(
			...emitDecision(json, { decision: decideWithoutEnrollment(goalReached), extra: {} }),
		);
	}
	const disabled = new Set(
		Object.entries(CHECK_OPTIONS)
			.filter(([option]) => options[option] === false)
			.map(([, check]) => check),
	);
	return { ref, json, goalReached, goalNote, disabled, judging, itemIndex };
}

interface CheckedInStore extends Checked {
	deferral?: DeferInput;
}

async function checkInStore(
	context: IExecuteFunctions,
	store: CadenceStore,
	getCadence: CadenceReader,
	{ ref, json, goalNote, judging, itemIndex }: CheckInput,
	read: ReadFacts,
): Promise<CheckedInStore> {
	const node = context.getNode();
	let decision = decideExit(read.facts);
	const extra: IDataObject = {};
	if (judging) {
		const judged = await withJudgement(context, store, read, decision, json, {
			...judging,
			itemIndex,
		});
		decision = judged.decision;
		extra.aiJudgement = judgementJson(judged.judgement);
	}
	const carried = await recordDecision(node, store, getCadence, ref, read, decision, goalNote);
	return { decision: carried.decision, extra, deferral: carried.deferral };
}

/**
 * The writes every item's decision left for the batch, each kind in one store call: the
 * deferrals, then the hand-offs. In a flow without Compose Follow-up, Continue is the path to
 * the channel, so Exit Check hands those steps over itself; a step emitted again meanwhile is
 * dropped. Without Continue On Fail a run with a failed item writes none of them (it fails).
 */
async function writeBatch(
	context: IExecuteFunctions,
	store: CadenceStore,
	inputs: CheckInput[],
	checked: Array<CheckedInStore | Error>,
): Promise<Array<Checked | Error>> {
	const results: Array<Checked | Error> = checked.map((c) =>
		c instanceof Error ? c : { decision: c.decision, extra: c.extra },
	);
	if (!context.continueOnFail() && checked.some((c) => c instanceof Error)) return results;
	const deferring = checked.flatMap((c, i) => (c instanceof Error || !c.deferral ? [] : [i]));
	if (deferring.length > 0) {
		const deferred = await store.deferSteps(
			deferring.map((i) => (checked[i] as CheckedInStore).deferral!),
		);
		deferring.forEach((i, k) => {
			if (deferred[k] instanceof Error) results[i] = deferred[k];
		});
	}
	if (composeFollows(context)) return results;
	const toChannel = results.flatMap((r, i) =>
		r instanceof Error || r.decision.exit
			? []
			: [{ i, ref: inputs[i].ref, itemIndex: inputs[i].itemIndex }],
	);
	const handed = await handAllToSendPath(context, store, toChannel);
	toChannel.forEach(({ i }, k) => {
		const outcome = handed[k];
		if (outcome instanceof Error) results[i] = outcome;
		else if (!outcome) results[i] = { ...(results[i] as Checked), dropped: true };
	});
	return results;
}

/** Null when AI Judgement is off. */
function readJudgementSettings(
	context: IExecuteFunctions,
	itemIndex: number,
): JudgementSettings | null {
	if (context.getNodeParameter('aiJudgement', itemIndex, false) !== true) return null;
	const guidance = String(context.getNodeParameter('aiCriteria', itemIndex, '')).trim();
	const timeoutMs = readModelTimeLimit(
		context,
		itemIndex,
		context.getNodeParameter('modelTimeout', itemIndex, ''),
		'parameter',
	);
	if (guidance.length > 2000) {
		throw parameterError(
			context,
			itemIndex,
			'AI Criteria',
			'is longer than 2,000 characters',
			'Keep the criteria to a few sentences; the model reads the whole conversation anyway.',
		);
	}
	return { guidance, timeoutMs };
}

/** Expressions may give a boolean or its text; anything else is a mistake worth naming. */
function readGoalReached(context: IExecuteFunctions, itemIndex: number): boolean {
	const value = context.getNodeParameter('goalReached', itemIndex, false) as unknown;
	if (typeof value === 'boolean') return value;
	if (value === 'true' || value === 'false') return value === 'true';
	if (value === undefined || value === null || value === '') return false;
	throw parameterError(
		context,
		itemIndex,
		'Goal Reached',
		`must be true or false, not ${JSON.stringify(value)}`,
		'Use an expression that compares, e.g. {{ $json.status === "paid" }}, rather than one that returns the value itself.',
	);
}
