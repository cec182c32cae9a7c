import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { CadenceStore } from '../../../engine';
import { parseIdempotencyKey } from '../../../engine';
import { CadenceNotFoundError } from '../../../engine';
import { parameterError } from '../../shared/parameters';

/**
 * Which step run a delivery report or "mark sent" is about: its id or its idempotency key, in one
 * parameter, because channels echo back whichever of the two the flow handed them.
 */
export type StepRunRef = { stepRunId: number } | { idempotencyKey: string };

export const STEP_RUN_LABEL = 'Step Run ID or Idempotency Key';

const STEP_RUN_FIX =
	"Map it to the stepRunId or idempotencyKey of the Follow-up Trigger’s item, e.g. {{ $('Follow-up Trigger').item.json.stepRunId }}. The default {{ $json.stepRunId }} only works when the node before passes the trigger’s fields on.";

export const stepRunProperty: INodeProperties = {
	displayName: STEP_RUN_LABEL,
	name: 'stepRun',
	type: 'string',
	default: '={{ $json.stepRunId }}',
	required: true,
	placeholder: 'e.g. 42 or 17-0-1',
	description:
		'The send this is about: the stepRunId or idempotencyKey the Follow-up Trigger emitted. When it comes out empty (e.g. right after a send node), the step of the Follow-up Trigger item this item came from is used.',
};

/** Reads the parameter; null means the item is a preview (id 0) and nothing may be written. */
export function readStepRunRef(context: IExecuteFunctions, itemIndex: number): StepRunRef | null {
	let raw = stepRunParameter(context, itemIndex);
	if (isEmpty(raw)) raw = fromTriggerItem(context, itemIndex);
	const text = isEmpty(raw) ? '' : String(raw).trim();
	if (text === '')
		throw parameterError(context, itemIndex, STEP_RUN_LABEL, 'is empty', STEP_RUN_FIX);
	if (/^\d{1,15}$/.test(text)) {
		const stepRunId = Number(text);
		return stepRunId === 0 ? null : { stepRunId };
	}
	// enrollment-step-cycle, as the store builds it; enrollment 0 is the trigger's preview.
	const key = parseIdempotencyKey(text);
	if (key) return key.enrollmentId === 0 ? null : { idempotencyKey: text };
	throw parameterError(
		context,
		itemIndex,
		STEP_RUN_LABEL,
		`must be a step run ID such as 42 or an idempotency key such as 17-0-1, not ${JSON.stringify(raw)}`,
		STEP_RUN_FIX,
	);
}

/** The id a reference names; an idempotency key is looked up among its enrollment's step runs. */
export async function stepRunIdOf(store: CadenceStore, ref: StepRunRef): Promise<number> {
	if ('stepRunId' in ref) return ref.stepRunId;
	const enrollmentId = Number(ref.idempotencyKey.split('-')[0]);
	const runs = await store.getStepRuns(enrollmentId);
	const run = runs.find((r) => r.idempotencyKey === ref.idempotencyKey);
	if (!run) throw new CadenceNotFoundError('step run', ref.idempotencyKey);
	return run.id;
}

/** The parameter's default mapping, `{{ $json.stepRunId }}`, however it is spaced. */
const DEFAULT_MAPPING = /^=\{\{\s*\$json\.stepRunId\s*\}\}$/;

/**
 * The parameter's value for the item. n8n evaluates an expression item by item, which costs about
 * half a millisecond each: a third of Mark Sent's time for a 50-item execution. The default
 * mapping needs no evaluation — `$json` is the item itself — so it is read from the item.
 */
function stepRunParameter(context: IExecuteFunctions, itemIndex: number): unknown {
	const mapping = context.getNode().parameters?.stepRun;
	if (typeof mapping === 'string' && DEFAULT_MAPPING.test(mapping)) {
		return context.getInputData()[itemIndex]?.json.stepRunId;
	}
	return context.getNodeParameter('stepRun', itemIndex, '');
}

function isEmpty(value: unknown): boolean {
	return value === undefined || value === null || String(value).trim() === '';
}

/**
 * After a send node (Telegram, WhatsApp, Gmail…) the item is the channel's response, which does
 * not carry the trigger's fields. The step run is then the one of the Follow-up Trigger item this
 * item descends from, found through n8n's paired items, so "Mark Sent" right after a send node
 * works without mapping anything.
 */
function fromTriggerItem(context: IExecuteFunctions, itemIndex: number): unknown {
	const parents = context.getParentNodes?.(context.getNode().name) ?? [];
	for (const parent of parents) {
		if (!parent.type.endsWith('.followUpTrigger')) continue;
		// evaluateExpression adds the leading '=' itself.
		const expression = `{{ $(${JSON.stringify(parent.name)}).item.json.stepRunId }}`;
		const value = evaluate(context, expression, itemIndex);
		if (!isEmpty(value)) return value;
	}
	return undefined;
}

function evaluate(context: IExecuteFunctions, expression: string, itemIndex: number): unknown {
	try {
		return context.evaluateExpression(expression, itemIndex) as IDataObject[string];
	} catch {
		// No paired item leads back to that trigger (e.g. an Aggregate node in between): the user
		// gets the "is empty" error, which says how to map the step run instead.
		return undefined;
	}
}
