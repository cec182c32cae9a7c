import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * Arranges what n8n emits when the time limit passes before anyone decides.
 *
 * n8n (checked on 2.41.1, see the e2e notes in the README) resumes a wait that timed out without
 * running the node again: it marks the node disabled and passes on the input of its entry on the
 * execution stack, all of it to the first output. With `metadata.forwardAllOutputs` it passes each
 * array of `data.main` to the output of the same index instead; n8n sets that flag itself when a
 * webhook resumes a node. So the node puts its prepared timeout outcome there before waiting, and
 * a time-out leaves by the output the policy chose, with the text the policy chose.
 *
 * Returns false when the engine does not hand out its stack entry as expected (another n8n
 * version): the caller then waits without a time limit, because letting n8n pass the raw input
 * items on to Approved could send something nobody approved.
 */
export function arrangeTimeoutOutputs(
	context: IExecuteFunctions,
	outputs: INodeExecutionData[][],
): boolean {
	const entry = typeof context.getExecuteData === 'function' ? context.getExecuteData() : undefined;
	const main = entry?.data?.main;
	if (!entry || !Array.isArray(main) || main[0] !== context.getInputData()) return false;
	entry.data.main = outputs;
	entry.metadata = { ...(entry.metadata ?? {}), forwardAllOutputs: true };
	return true;
}
