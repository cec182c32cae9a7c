import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';
import { mapConcurrent } from '../../engine/compose';
import { toNodeError } from './errors';

/**
 * The one item loop every node uses: each output item paired with its input, "Continue On Fail"
 * honoured in one place, failed items on the output the node chooses.
 *
 * Two forms. `mapItems` runs the work item by item. `mapBatch` (or `readBatch` + `run`) reads
 * every item's parameters first — a bad item fails alone, naming its parameter, before anything
 * is written — then hands all valid inputs to ONE call that answers one result or one Error per
 * input, and emits each item on its output.
 */

/** One output item: which output, and its JSON. */
export interface Emit {
	output: number;
	json: IDataObject;
	/**
	 * A failed item's error, set only when the node has an error output (On Error → Continue
	 * (using error output)). n8n moves an item there by this, whatever fields its JSON keeps (a
	 * JSON-only error is recognised only when the JSON holds nothing but `error`), and gives it
	 * n8n's usual error-output shape, `{ error }`, the input reachable through its pairing.
	 */
	error?: NodeApiError | NodeOperationError;
}

export interface FailureOptions {
	/** The output failed items leave by with Continue On Fail (default: the first). */
	errorOutput?: number;
	/**
	 * The JSON of a failed item (default: just `{ error }`). A gate keeps the item's fields so
	 * that its Exit branch still knows who it was about.
	 */
	errorJson?: (message: string, item: INodeExecutionData) => IDataObject;
}

/**
 * The continue-on-fail rule: without it, the error (as an n8n error naming the item) fails the
 * node; with it, the error's message is returned for the item to carry.
 */
export function failedItemMessage(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex?: number,
): string {
	return failedItemError(context, error, itemIndex).message;
}

/** `failedItemMessage`, keeping the n8n error the item carries. */
function failedItemError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	const nodeError = toNodeError(context.getNode(), error, { itemIndex });
	if (!context.continueOnFail()) throw nodeError;
	return nodeError;
}

class Outputs {
	private readonly byItem: Array<Emit[] | undefined>;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly items: INodeExecutionData[],
		private readonly outputs: number,
		private readonly failure: FailureOptions,
	) {
		this.byItem = new Array(items.length);
	}

	emit(itemIndex: number, emits: Emit[]): void {
		this.byItem[itemIndex] = emits;
	}

	fail(itemIndex: number, error: unknown, named = true): void {
		const nodeError = failedItemError(this.context, error, named ? itemIndex : undefined);
		const { message } = nodeError;
		const json = this.failure.errorJson?.(message, this.items[itemIndex]) ?? { error: message };
		// Only where the node has an error output: elsewhere the item stays as it always looked.
		const toErrorOutput = this.context.getNode().onError === 'continueErrorOutput';
		this.emit(itemIndex, [
			{ output: this.failure.errorOutput ?? 0, json, error: toErrorOutput ? nodeError : undefined },
		]);
	}

	/** In item order on every output, so a later node's paired items read naturally. */
	result(): INodeExecutionData[][] {
		const result: INodeExecutionData[][] = Array.from({ length: this.outputs }, () => []);
		this.byItem.forEach((emits, itemIndex) => {
			for (const { output, json, error } of emits ?? []) {
				const pairedItem = { item: itemIndex };
				result[output].push(error ? { json, pairedItem, error } : { json, pairedItem });
			}
		});
		return result;
	}
}

/**
 * Runs `work` for every input item in turn and emits what it returns. Without Continue On Fail
 * the first failure stops the node (later items are not touched).
 */
export async function mapItems(
	context: IExecuteFunctions,
	outputs: number,
	work: (itemIndex: number, item: INodeExecutionData) => Promise<Emit[]>,
	failure: FailureOptions = {},
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const out = new Outputs(context, items, outputs, failure);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			out.emit(itemIndex, await work(itemIndex, items[itemIndex]));
		} catch (error) {
			out.fail(itemIndex, error);
		}
	}
	return out.result();
}

/** What `read` returns for an item that needs no batch call: it is emitted as given. */
export class Settled {
	constructor(readonly emits: Emit[]) {}
}

export function settled(...emits: Emit[]): Settled {
	return new Settled(emits);
}

export interface BatchReader<Input> extends FailureOptions {
	outputs: number;
	/** Reads and validates one item's parameters; throws naming the parameter when bad. */
	read: (itemIndex: number, item: INodeExecutionData) => Input | Settled | Promise<Input | Settled>;
}

/**
 * One call for all valid inputs: one result or one Error per input, in the same order. Throwing
 * fails every input of the call alike (e.g. a store that cannot be opened). `itemIndexes` says
 * which input item each came from, for messages that name an item.
 */
export type BatchCall<Input, Result> = (
	inputs: Input[],
	itemIndexes: number[],
) => Promise<Array<Result | Error>>;

export type BatchEmit<Input, Result> = (
	result: Result,
	input: Input,
	itemIndex: number,
	item: INodeExecutionData,
) => Emit[];

/** Items read, not yet called: a node may check the batch as a whole before `run`. */
export interface ReadBatch<Input> {
	/** The valid inputs, with the item each came from. */
	readonly pending: ReadonlyArray<{ itemIndex: number; input: Input }>;
	/** Items that failed reading (only with Continue On Fail: otherwise the node has failed). */
	readonly failed: ReadonlySet<number>;
	run<Result>(
		call: BatchCall<Input, Result>,
		emit: BatchEmit<Input, Result>,
	): Promise<INodeExecutionData[][]>;
}

export async function readBatch<Input>(
	context: IExecuteFunctions,
	reader: BatchReader<Input>,
): Promise<ReadBatch<Input>> {
	const items = context.getInputData();
	const out = new Outputs(context, items, reader.outputs, reader);
	const pending: Array<{ itemIndex: number; input: Input }> = [];
	const failed = new Set<number>();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const read = await reader.read(itemIndex, items[itemIndex]);
			if (read instanceof Settled) out.emit(itemIndex, read.emits);
			else pending.push({ itemIndex, input: read });
		} catch (error) {
			failed.add(itemIndex);
			out.fail(itemIndex, error);
		}
	}
	return {
		pending,
		failed,
		run: async (call, emit) => {
			if (pending.length === 0) return out.result();
			let results: Array<unknown | Error>;
			try {
				results = await call(
					pending.map((p) => p.input),
					pending.map((p) => p.itemIndex),
				);
			} catch (error) {
				// The whole call failed: no item is named, as none of them is to blame more than another.
				for (const { itemIndex } of pending) out.fail(itemIndex, error, false);
				return out.result();
			}
			if (results.length !== pending.length) {
				throw new Error(`A batch of ${pending.length} inputs answered ${results.length} results`);
			}
			pending.forEach(({ itemIndex, input }, i) => {
				const result = results[i];
				if (result instanceof Error) out.fail(itemIndex, result);
				else out.emit(itemIndex, emit(result as never, input, itemIndex, items[itemIndex]));
			});
			return out.result();
		},
	};
}

/** Reads every item, then one call for the valid ones, then each item on its output. */
export async function mapBatch<Input, Result>(
	context: IExecuteFunctions,
	spec: BatchReader<Input> & {
		call: BatchCall<Input, Result>;
		emit: BatchEmit<Input, Result>;
	},
): Promise<INodeExecutionData[][]> {
	const batch = await readBatch(context, spec);
	return batch.run(spec.call, spec.emit);
}

/**
 * For a batch call that still works input by input: each input's result, or its Error. Up to
 * `concurrency` at once, in input order. Without Continue On Fail the node fails at the first
 * error anyway, so no further input is started once one has failed (the ones left are answered
 * with that error and never emitted).
 */
export async function eachInput<Input, Result>(
	context: IExecuteFunctions,
	inputs: Input[],
	work: (input: Input, index: number) => Promise<Result>,
	concurrency = 1,
): Promise<Array<Result | Error>> {
	const stopAtFirst = !context.continueOnFail();
	let stopped: Error | null = null;
	// The engine's limiter (one rule for "at most N at once"); errors become results here.
	return mapConcurrent(inputs, concurrency, async (input, index): Promise<Result | Error> => {
		if (stopped) return stopped;
		try {
			return await work(input, index);
		} catch (error) {
			const failure = error instanceof Error ? error : new Error(String(error));
			if (stopAtFirst) stopped ??= failure;
			return failure;
		}
	});
}
