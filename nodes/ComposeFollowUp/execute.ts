import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeExecutionHint,
} from 'n8n-workflow';
import { compose, composeStatic } from '../../engine/compose';
import type { ChatModelLike, ComposeResult } from '../../engine/compose';
import type { CadenceStore, DraftInput } from '../../engine';
import { eachInput, readBatch } from '../shared/items';
import { handAllToSendPath } from '../shared/hand-off';
import { executionSignal, readChatModel } from '../shared/chat-model';
import { withStore } from '../shared/store-provider';
import { historyFor, type ItemHistory } from './history';
import { planItem, type ItemPlan } from './item-request';
import { readConcurrency, readParameters, type ComposeParameters } from './parameters';

const NO_MODEL_HINT: NodeExecutionHint = {
	message:
		'No chat model is connected to the Chat Model input, so the AI steps used their Message Text (marked degraded). Connect any chat model node, e.g. OpenAI Chat Model, to have the AI write them.',
	type: 'warning',
	location: 'outputPane',
};

const SEND = 0;
const NEEDS_APPROVAL = 1;
/** Emitted again or ended since this execution started: the item goes nowhere. */
const DROPPED = -1;

interface Planned {
	plan: ItemPlan;
	params: ComposeParameters;
	/** Static mode is settled while planning, so a missing variable fails before any write. */
	settled: ComposeResult | null;
	itemIndex: number;
}
type Composed = { output: number; json: IDataObject };

/**
 * Plans every item first (parameters, the step, static texts): a bad value fails naming it before
 * anything is composed or written. Then composes the items concurrently, up to the Concurrency
 * option, and records every cadence step's text on its step run in one store call; preview
 * items never write.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const concurrency = readConcurrency(this);
	const batch = await readBatch<Planned>(this, {
		outputs: 2,
		read: (itemIndex, item) => {
			const params = readParameters(this, itemIndex);
			const plan = planItem(node, itemIndex, item.json, params);
			const settled = plan.request.mode === 'static' ? composeStatic(plan.request) : null;
			return { plan, params, settled, itemIndex };
		},
	});

	const toCompose = batch.pending.map((p) => p.input);
	const aiNeeded = toCompose.some((p) => p.settled === null);
	const model = aiNeeded ? await readChatModel(this, 0) : null;
	// A parameter notice cannot know whether a model is connected; this hint shows only when the
	// run needed one and had none.
	if (aiNeeded && model === null) this.addExecutionHints(NO_MODEL_HINT);
	const run = async (planned: Planned[], store: CadenceStore | null) => {
		const composed = await eachInput(
			this,
			planned,
			async (p) => composeItem(this, p, store, model),
			concurrency,
		);
		const recorded = await recordDrafts(store, planned, composed);
		const handed = await handOffAll(this, store, planned, recorded);
		return planned.map((p, i) => {
			const result = recorded[i];
			if (result instanceof Error) return result;
			if (handed[i] instanceof Error) return handed[i];
			return route(this, p, result, handed[i] !== false);
		});
	};
	return batch.run<Composed>(
		async (planned) => {
			const storeNeeded = planned.some(({ plan }) => plan.ref !== null && !plan.ref.preview);
			return storeNeeded
				? withStore(this, async (store) => run(planned, store))
				: run(planned, null);
		},
		(composed) => (composed.output === DROPPED ? [] : [composed]),
	);
}

interface ComposedItem {
	composed: ComposeResult;
	source: string;
	warning?: string;
}

async function composeItem(
	context: IExecuteFunctions,
	{ plan, params, settled, itemIndex }: Planned,
	store: CadenceStore | null,
	model: ChatModelLike | null,
): Promise<ComposedItem> {
	// Static text needs no conversation: only AI items read the history.
	const { request, source, warning }: ItemHistory = settled
		? { request: plan.request, source: 'none' }
		: await historyFor(context, itemIndex, plan, params, store);
	const composed = settled ?? (await compose(request, { model, signal: executionSignal(context) }));
	if (composed.degraded) {
		context.logger.warn(
			`Compose Follow-up: item ${itemIndex} degraded: ${composed.degradedReason}`,
		);
	}
	return { composed, source, warning };
}

/**
 * Every cadence step's text on its step run, in one store call for all items; an item whose
 * draft cannot be recorded (its step already went out) fails alone.
 */
async function recordDrafts(
	store: CadenceStore | null,
	planned: Planned[],
	composed: Array<ComposedItem | Error>,
): Promise<Array<ComposedItem | Error>> {
	const drafts: DraftInput[] = [];
	const at: number[] = [];
	composed.forEach((item, i) => {
		const { ref } = planned[i].plan;
		if (item instanceof Error || !store || !ref || ref.preview) return;
		const { composed: c } = item;
		at.push(i);
		drafts.push({
			stepRunId: ref.stepRunId,
			text: c.text,
			composeMode: c.modeUsed,
			model: c.model,
			promptTokens: c.promptTokens,
			completionTokens: c.completionTokens,
			degraded: c.degraded,
			degradedReason: c.degradedReason ?? null,
			awaitingApproval: c.needsApproval,
		});
	});
	if (drafts.length === 0) return composed;
	const results = await store!.recordDrafts(drafts);
	const recorded = [...composed];
	at.forEach((i, k) => {
		const result = results[k];
		if (result instanceof Error) recorded[i] = result;
	});
	return recorded;
}

/**
 * Send is the path to the channel: the store learns, in one call for all items going there, that
 * their steps left the cadence nodes. An item whose step was emitted again meanwhile gets false.
 */
async function handOffAll(
	context: IExecuteFunctions,
	store: CadenceStore | null,
	planned: Planned[],
	recorded: Array<ComposedItem | Error>,
): Promise<Array<boolean | Error | null>> {
	const handed: Array<boolean | Error | null> = new Array(planned.length).fill(null);
	const toChannel = planned.flatMap(({ plan, itemIndex }, i) => {
		const item = recorded[i];
		if (item instanceof Error || item.composed.needsApproval) return [];
		return store && plan.ref && !plan.ref.preview ? [{ i, ref: plan.ref, itemIndex }] : [];
	});
	if (!store || toChannel.length === 0) return handed;
	const results = await handAllToSendPath(context, store, toChannel);
	toChannel.forEach(({ i }, k) => (handed[i] = results[k]));
	return handed;
}

/** Send, or Needs Approval; an item emitted again or ended meanwhile goes nowhere. */
function route(
	context: IExecuteFunctions,
	{ itemIndex }: Planned,
	{ composed, source, warning }: ComposedItem,
	passedOn: boolean,
): Composed {
	const json = context.getInputData()[itemIndex].json;
	if (!passedOn) return { output: DROPPED, json };
	return {
		output: composed.needsApproval ? NEEDS_APPROVAL : SEND,
		json: { ...json, message: messageJson(composed, source, warning) },
	};
}

function messageJson(
	composed: ComposeResult,
	historySource: string,
	warning?: string,
): IDataObject {
	return {
		text: composed.text,
		mode: composed.modeUsed,
		requestedMode: composed.requestedMode,
		model: composed.model,
		degraded: composed.degraded,
		degradedReason: composed.degradedReason,
		tokens: { prompt: composed.promptTokens, completion: composed.completionTokens },
		attempts: composed.attempts,
		historySource,
		...(warning ? { historyWarning: warning } : {}),
	};
}
