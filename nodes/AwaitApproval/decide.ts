import type { IDataObject, INode } from 'n8n-workflow';
import type { CadenceStore } from '../../engine';
import { APPROVED, DISCARDED, immediateOutcome, type Outcome } from './outcome';
import type { ApprovalRequest } from './state';
import { recordDecision, type StepView } from './store-sync';

/**
 * The reviewer's form, read and carried out. The page posts one field set per item: the text
 * (`text_<item>`), the choice (`decision_<item>`, or the `action` button when there is one item)
 * and the reviewer's name (`by`). Everything is checked before anything is written, so a form
 * sent back with a mistake changes nothing.
 */

export interface Choice {
	decision: 'approve' | 'discard';
	text: string;
}

export type ParsedForm =
	| { ok: true; choices: Map<number, Choice>; by: string | null }
	| { ok: false; error: string; values: IDataObject };

export function parseForm(
	body: IDataObject,
	items: Array<{ request: ApprovalRequest; view: StepView }>,
): ParsedForm {
	const open = items.filter((i) => i.view.state.kind === 'open');
	const choices = new Map<number, Choice>();
	const by =
		String(body.by ?? '')
			.trim()
			.slice(0, 200) || null;
	for (const { request } of open) {
		const raw = body[`decision_${request.index}`] ?? (open.length === 1 ? body.action : undefined);
		const decision = raw === 'approve' || raw === 'discard' ? raw : null;
		const text = normalize(body[`text_${request.index}`] ?? request.draft);
		if (!decision) {
			return { ok: false, error: 'Choose Approve or Discard for every message.', values: body };
		}
		if (decision === 'approve' && !text) {
			return {
				ok: false,
				error: 'A message to approve cannot be empty: write it, or discard it.',
				values: body,
			};
		}
		if (text.length > 100_000) {
			return { ok: false, error: 'A message is longer than 100,000 characters.', values: body };
		}
		choices.set(request.index, { decision, text });
	}
	return { ok: true, choices, by };
}

/** Browsers send line breaks as CRLF; surrounding blank space is never meant to be sent. */
export function normalize(value: unknown): string {
	return String(value ?? '')
		.replace(/\r\n?/g, '\n')
		.trim();
}

/**
 * Records every choice (cadence items in the store; others need no record) and returns where
 * each item goes. Items the cadence moved on from leave by Discarded, whatever was chosen.
 */
export async function carryOut(
	node: INode,
	store: CadenceStore | null,
	items: Array<{ request: ApprovalRequest; view: StepView }>,
	choices: Map<number, Choice>,
	by: string | null,
	at: number,
): Promise<Outcome[]> {
	const outcomes: Outcome[] = [];
	for (const { request, view } of items) {
		const immediate = immediateOutcome(request, at);
		if (immediate) {
			outcomes.push(immediate);
			continue;
		}
		const choice = choices.get(request.index);
		if (view.state.kind !== 'open' || !choice) {
			const detail = view.state.kind === 'stopped' ? view.state.detail : 'nothing to decide';
			outcomes.push(stopped(request, at, detail));
			continue;
		}
		const decision =
			choice.decision === 'discard'
				? 'discarded'
				: choice.text === normalize(request.draft)
					? 'approved'
					: 'edited';
		let recorded = false;
		if (request.step && store) {
			const run = await recordDecision(node, store, request, decision, choice.text, by);
			if (!run) {
				outcomes.push(stopped(request, at, 'the step changed while the form was open'));
				continue;
			}
			recorded = run.approval === decision;
		}
		const sent =
			decision === 'discarded' ? null : decision === 'approved' ? request.draft : choice.text;
		outcomes.push({
			request,
			output: decision === 'discarded' ? DISCARDED : APPROVED,
			decision,
			text: sent,
			by,
			at,
			recorded,
			// The store keeps a decision on a step that was rescheduled before (outside working
			// hours, say) only in the timeline; say so rather than claim it was kept on the step.
			note:
				request.step && !recorded
					? 'The decision is in the timeline, but the cadence store did not keep it on the step run.'
					: null,
		});
	}
	return outcomes;
}

function stopped(request: ApprovalRequest, at: number, detail: string): Outcome {
	return {
		request,
		output: DISCARDED,
		decision: 'stopped',
		text: null,
		by: null,
		at,
		recorded: false,
		note: `Not sent: ${detail}.`,
	};
}
