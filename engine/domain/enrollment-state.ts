import type { EnrollmentState } from '../store/types';

/**
 * The enrollment and step predicates every part of the engine asks: which states still run, and
 * whether a step run is the step its enrollment is on. Written once here so the store, Exit Check
 * and the reply rules cannot disagree about "is this step still current".
 */

/** States in which an enrollment may still send: it can be paused, resumed, exited or completed. */
export const RUNNING_STATES = ['active', 'paused'] as const satisfies readonly EnrollmentState[];

/** The same list for an SQL `IN` clause: `state IN ${RUNNING_STATES_SQL}`. */
export const RUNNING_STATES_SQL = `(${RUNNING_STATES.map((s) => `'${s}'`).join(', ')})`;

export function isRunning(state: EnrollmentState): boolean {
	return (RUNNING_STATES as readonly EnrollmentState[]).includes(state);
}

/** Where an enrollment is in its chain. */
export interface ChainPosition {
	state: EnrollmentState;
	nextStep: number;
	cycle: number;
	/** When the waiting step is due; null while it is in flight (claimed, not yet confirmed). */
	nextDueAt: number | null;
}

/** A step run's place in the chain. */
export interface StepPosition {
	stepIndex: number;
	cycle: number;
}

/** The enrollment is on this step of this cycle (whether it waits, is in flight or is held). */
export function isOnStep(e: Omit<ChainPosition, 'state' | 'nextDueAt'>, step: StepPosition) {
	return e.nextStep === step.stepIndex && e.cycle === step.cycle;
}

/**
 * The step run is the one its running enrollment is on. A confirmation for it moves the chain on,
 * even when the step also waits to be emitted again (deferred, or held by a pause), so it can
 * never go out a second time. A step of an old cycle, or of an ended enrollment, is not current.
 */
export function isCurrentStep(e: Omit<ChainPosition, 'nextDueAt'>, step: StepPosition): boolean {
	return isRunning(e.state) && isOnStep(e, step);
}

/**
 * The step is current and in flight: claimed and handed to the flow, not waiting in the queue.
 * This is what Exit Check lets go out; a step that waits again was rescheduled meanwhile.
 */
export function isInFlight(e: ChainPosition, step: StepPosition): boolean {
	return isOnStep(e, step) && e.nextDueAt === null;
}
