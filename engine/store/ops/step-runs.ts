import { assertCanMove, statusesThatMayBecome, timestampColumnFor } from '../../domain/step-status';
import { CadenceNotFoundError } from '../../errors';
import type { Dialect, SqlExecutor, SqlValue } from '../sql/driver';
import type { StepRun, StepStatus } from '../types';
import { placeholders } from './context';
import { parseIdempotencyKey, toStepRun } from './rows';

/** Reads one step run by id or idempotency key, failing with a message that names what was asked. */
export async function loadStepRun(
	db: SqlExecutor,
	ref: { stepRunId?: number; idempotencyKey?: string },
): Promise<StepRun> {
	let rows;
	if (ref.stepRunId !== undefined) {
		rows = await db.all('SELECT * FROM step_runs WHERE id = ?', [ref.stepRunId]);
	} else {
		const { enrollmentId, stepIndex, cycle } = parseIdempotencyKey(ref.idempotencyKey ?? '');
		rows = await db.all(
			'SELECT * FROM step_runs WHERE enrollment_id = ? AND step_index = ? AND cycle = ?',
			[enrollmentId, stepIndex, cycle],
		);
	}
	if (rows.length === 0) {
		throw new CadenceNotFoundError('step run', ref.stepRunId ?? ref.idempotencyKey ?? '');
	}
	return toStepRun(rows[0]);
}

/**
 * Moves a step run to `status`, forward only. The move is a conditional UPDATE, so two writers
 * racing (a webhook and a retry) cannot both win and neither can move it backwards.
 * Returns the run as it is afterwards and whether this call changed it.
 */
export async function moveStepRun(
	db: SqlExecutor,
	stepRunId: number,
	status: StepStatus,
	at: number,
	extra: Record<string, SqlValue> = {},
): Promise<{ run: StepRun; changed: boolean }> {
	const allowed = statusesThatMayBecome(status).filter((s) => s !== status);
	const stamp = timestampColumnFor(status);
	const assignments = ['status = ?', 'updated_at = ?'];
	const params: SqlValue[] = [status, at];
	if (stamp) {
		assignments.push(`${stamp} = COALESCE(${stamp}, ?)`);
		params.push(at);
	}
	for (const [column, value] of Object.entries(extra)) {
		assignments.push(`${column} = ?`);
		params.push(value);
	}
	const moved = await db.all(
		`UPDATE step_runs SET ${assignments.join(', ')}
		WHERE id = ? AND status IN (${placeholders(allowed.length)})
		RETURNING *`,
		[...params, stepRunId, ...allowed],
	);
	if (moved.length > 0) return { run: toStepRun(moved[0]), changed: true };
	const run = await loadStepRun(db, { stepRunId });
	if (run.status !== status) assertCanMove(stepRunId, run.status, status);
	return { run, changed: false };
}

/** Reads several step runs by id in one query; an id not found maps to its not-found error. */
export async function loadStepRuns(
	db: SqlExecutor,
	dialect: Dialect,
	ids: readonly number[],
): Promise<Map<number, StepRun | CadenceNotFoundError>> {
	const loaded = new Map<number, StepRun | CadenceNotFoundError>();
	if (ids.length === 0) return loaded;
	const rows = await db.all(`SELECT * FROM step_runs WHERE ${dialect.inIds('id')}`, [
		dialect.idsParam(ids),
	]);
	const found = new Map(rows.map((row) => [Number(row.id), toStepRun(row)]));
	for (const id of ids) loaded.set(id, found.get(id) ?? new CadenceNotFoundError('step run', id));
	return loaded;
}
