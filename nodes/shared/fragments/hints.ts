import type { NodeHint } from 'n8n-workflow';

/** A hint in the node's panel before it runs: where the node belongs in a flow. */
export function beforeRunHint(message: string): NodeHint {
	return { message, type: 'info', location: 'ndv', whenToDisplay: 'beforeExecution' };
}

/** A hint over the output once the node ran: how to read the items it emitted. */
export function afterRunHint(message: string): NodeHint {
	return { message, type: 'info', location: 'outputPane', whenToDisplay: 'afterExecution' };
}
