import type { IExecuteFunctions, ITriggerFunctions } from 'n8n-workflow';
import type { CadenceStore } from '../../engine';
import type { StepRef } from './step-item';

/**
 * The hand-off to the send path: the moment a follow-up leaves the cadence nodes for the channel.
 * The store remembers it, so after a crash it can tell a step whose execution died before any
 * channel saw it (safely due again) from one that may have been sent (reported stuck, never
 * resent). False when the step is no longer this item's to send — its execution was taken for
 * dead and the step emitted again, or the cadence ended meanwhile: the item must stop here.
 *
 * Several items in one store call: each item's answer, or its own error.
 */
export async function handAllToSendPath(
	context: IExecuteFunctions,
	store: CadenceStore,
	items: ReadonlyArray<{ ref: StepRef; itemIndex: number }>,
): Promise<Array<boolean | Error>> {
	if (items.length === 0) return [];
	const results = await store.handOffMany(
		items.map(({ ref }) => ({ stepRunId: ref.stepRunId, claimedAt: ref.claimedAt })),
	);
	items.forEach(({ ref, itemIndex }, i) => {
		if (results[i] !== false) return;
		context.logger.warn(
			`${context.getNode().name}: item ${itemIndex} (step ${ref.step} of "${ref.cadence}", key ${ref.idempotencyKey}) is not passed on: the step was emitted again or ended since this execution started`,
		);
	});
	return results;
}

/**
 * Exit Check hands steps over itself only in a flow without Compose Follow-up after it; otherwise
 * Compose, the last cadence node before the channel, does.
 */
export function composeFollows(context: IExecuteFunctions): boolean {
	const children = context.getChildNodes?.(context.getNode().name) ?? [];
	return children.some((child) => !child.disabled && child.type.endsWith('.composeFollowUp'));
}

/**
 * Whether a Follow-up Trigger's flow records hand-offs: a Compose Follow-up or an Exit Check
 * after it. A flow that goes straight to the channel never does, so its unconfirmed steps are
 * all reported stuck rather than emitted again. Unknown (an n8n that cannot tell) counts as no.
 */
export function flowRecordsHandOff(context: ITriggerFunctions): boolean {
	let children: Array<{ type: string; disabled: boolean }>;
	try {
		children = context.getChildNodes?.(context.getNode().name) ?? [];
	} catch {
		return false;
	}
	return children.some(
		(child) =>
			!child.disabled &&
			(child.type.endsWith('.composeFollowUp') || child.type.endsWith('.exitCheck')),
	);
}
