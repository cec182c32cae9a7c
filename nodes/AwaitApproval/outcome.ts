import {
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { ApprovalRequest, TimeoutPolicy } from './state';

/**
 * The items Await Approval emits, whichever way the wait ends: a reviewer's decision, the time
 * limit, a preview, or an item that could not be put up for review. Approved items carry the text
 * to send in `text` (the send node maps {{ $json.text }}); every item says what happened in
 * `approval`.
 */

export const APPROVED = 0;
export const DISCARDED = 1;
export const TIMED_OUT = 2;
export const OUTPUT_NAMES = ['Approved', 'Discarded', 'Timed Out'];

/**
 * approved / edited / discarded: the reviewer's choice; timedOut: nobody decided in time;
 * stopped: the cadence moved on while waiting (a reply ended or restarted it), so nothing is sent;
 * failed: the item could not be put up for review.
 */
export type Decision = 'approved' | 'edited' | 'discarded' | 'timedOut' | 'stopped' | 'failed';

export interface Outcome {
	request: ApprovalRequest;
	output: number;
	decision: Decision;
	/** What is sent (Approved), else null. */
	text: string | null;
	by: string | null;
	at: number;
	/** Whether the decision is written to the cadence store. */
	recorded: boolean;
	note: string | null;
	onTimeout?: TimeoutPolicy;
}

export function outcomeJson(o: Outcome): IDataObject {
	const { request } = o;
	const approval: IDataObject = {
		decision: o.decision,
		by: o.by,
		at: new Date(o.at).toISOString(),
		draft: request.draft,
		edited: o.decision === 'edited',
		recorded: o.recorded,
		note: o.note,
	};
	if (o.onTimeout) approval.onTimeout = o.onTimeout;
	const json: IDataObject = { ...request.base, approval };
	if (o.output === APPROVED) json.text = o.text;
	if (request.error) json.error = request.error;
	return json;
}

export function toOutputs(outcomes: Outcome[], node: INode): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = [[], [], []];
	// With On Error → Continue (using error output), an item that could not be put up for review
	// carries its n8n error, by which n8n moves it to the error output (as the shared item loop does).
	const toErrorOutput = node.onError === 'continueErrorOutput';
	for (const o of [...outcomes].sort((a, b) => a.request.index - b.request.index)) {
		const item: INodeExecutionData = {
			json: outcomeJson(o),
			pairedItem: { item: o.request.index },
		};
		if (toErrorOutput && o.decision === 'failed' && o.request.error) {
			item.error = new NodeOperationError(node, o.request.error, { itemIndex: o.request.index });
		}
		outputs[o.output].push(item);
	}
	return outputs;
}

/** Items that never wait: a preview passes, a failed item goes where a person looks. */
export function immediateOutcome(request: ApprovalRequest, at: number): Outcome | null {
	if (request.error) {
		return {
			request,
			output: TIMED_OUT,
			decision: 'failed',
			text: null,
			by: null,
			at,
			recorded: false,
			note: 'This item could not be put up for review; see error.',
		};
	}
	if (request.step?.preview) {
		return {
			request,
			output: APPROVED,
			decision: 'approved',
			text: request.draft,
			by: null,
			at,
			recorded: false,
			note: 'Preview: passed on without review, and nothing was written to the cadence store.',
		};
	}
	return null;
}

/**
 * What the time limit does to a request. n8n resumes a timed-out wait without running the node
 * again: it passes on what `execute()` prepared (see timeout-route.ts). Nothing can be written to
 * the cadence store at that moment, so `recorded` is false: the Follow-up Trigger's next check
 * records the time-out and applies the policy in the store (the deadline was stored with it).
 */
export function timeoutOutcome(request: ApprovalRequest, at: number): Outcome {
	const immediate = immediateOutcome(request, at);
	if (immediate) return immediate;
	const base = { request, at, by: null, recorded: false, onTimeout: request.onTimeout };
	const cadence = request.step !== null;
	const send = (text: string, what: string): Outcome =>
		text.trim()
			? {
					...base,
					output: APPROVED,
					decision: 'timedOut',
					text,
					note: `Nobody decided in time, so ${what} is sent.${cadence ? ' Confirm the send with Cadence → Mark Sent as usual.' : ''}`,
				}
			: {
					...base,
					output: TIMED_OUT,
					decision: 'timedOut',
					text: null,
					note: `Nobody decided in time and there is no ${what.replace(/^the /, '')} to send.`,
				};
	switch (request.onTimeout) {
		case 'sendDraft':
			return send(request.draft, 'the draft');
		case 'sendStatic':
			return send(request.staticText, 'the static text');
		case 'skip':
			return {
				...base,
				output: DISCARDED,
				decision: 'timedOut',
				text: null,
				note: `Nobody decided in time, so nothing is sent.${cadence ? ' The Follow-up Trigger records the time-out and skips the step at its next check.' : ''}`,
			};
		default:
			return {
				...base,
				output: TIMED_OUT,
				decision: 'timedOut',
				text: null,
				note: 'Nobody decided in time.',
			};
	}
}
