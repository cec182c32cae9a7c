import type { CadenceDefinition } from '../../cadence/definition';
import { nextRunnableStep } from '../../domain/scheduling';
import type { SqlExecutor } from '../sql/driver';

/**
 * Steps marked "run once" that already went out to this contact in this conversation, through
 * any enrollment of the cadence: such a step never fires twice, even when the chain restarts.
 */
export async function stepsAlreadySentOnce(
	db: SqlExecutor,
	definition: CadenceDefinition,
	cadenceId: number,
	contactKey: string,
	conversationKey: string,
): Promise<Set<number>> {
	if (!definition.steps.some((s) => s.runOnce)) return new Set();
	const rows = await db.all<{ step_index: number }>(
		`SELECT DISTINCT r.step_index FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		WHERE e.cadence_id = ? AND e.contact_key = ? AND e.conversation_key = ? AND r.sent_at IS NOT NULL`,
		[cadenceId, contactKey, conversationKey],
	);
	return new Set(rows.map((r) => Number(r.step_index)));
}

/** Who a chain runs for: run-once steps are counted per cadence, contact and conversation. */
export interface ChainOwner {
	cadenceId: number;
	contactKey: string;
	conversationKey: string;
}

/**
 * The first step at or after `from` that may still go out to this contact, or the step count when
 * none is left. Enrolling, restarting and moving on after a send all ask this one question.
 */
export async function runnableStepFrom(
	db: SqlExecutor,
	definition: CadenceDefinition,
	owner: ChainOwner,
	from: number,
): Promise<number> {
	const sentOnce = await stepsAlreadySentOnce(
		db,
		definition,
		owner.cadenceId,
		owner.contactKey,
		owner.conversationKey,
	);
	return nextRunnableStep(definition, from, sentOnce);
}
