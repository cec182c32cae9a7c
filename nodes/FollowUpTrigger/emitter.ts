import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import { settleWithin } from '../../engine';

/** How an emitted execution ended, as far as the trigger can learn it. */
export type ExecutionEnd =
	/** It ran to its end (or to a wait), without an error. */
	| 'succeeded'
	/** It ran and failed, was cancelled or crashed. */
	| 'failed'
	/** n8n did not say in time: the trigger moves on regardless. */
	| 'unknown'
	/** This n8n cannot report an execution's end to its trigger: emitted, nothing more known. */
	| 'untracked';

/**
 * Starts one execution with `data` and waits until n8n reports it finished, up to `timeoutMs`.
 * n8n runs a trigger's executions side by side; waiting for one before starting the next keeps
 * a backlog from piling thousands of items into concurrent executions, which is what made n8n
 * stop answering (its /healthz took 13–19 s with 10,000-item executions).
 */
export async function emitAndWait(
	context: ITriggerFunctions,
	data: INodeExecutionData[][],
	timeoutMs: number,
	/** Stops the waiting (deactivation); the execution itself goes on. */
	signal?: AbortSignal,
): Promise<ExecutionEnd> {
	if (!canWait(context)) {
		context.emit(data);
		return 'untracked';
	}
	const done = context.helpers.createDeferredPromise<IRun>();
	context.emit(data, undefined, done);
	const outcome = await settleWithin(done.promise, timeoutMs, signal);
	if (!outcome.settled || 'error' in outcome) return 'unknown';
	return endOf(outcome.value);
}

/**
 * n8n's experimental engine 2.0 refuses (and drops) an execution whose trigger waits for it, so
 * there the trigger only emits; so does an n8n that offers no deferred promise.
 */
function canWait(context: ITriggerFunctions): boolean {
	if (typeof context.helpers?.createDeferredPromise !== 'function') return false;
	try {
		return context.getWorkflowSettings?.()?.engineType !== 'v2';
	} catch {
		return true;
	}
}

function endOf(run: IRun | undefined): ExecutionEnd {
	// In queue mode the main process may learn only that the job finished.
	if (!run) return 'succeeded';
	if (run.data?.resultData?.error) return 'failed';
	return ['error', 'crashed', 'canceled'].includes(String(run.status)) ? 'failed' : 'succeeded';
}
