import { CadenceTransitionError } from '../../errors';
import { parseOrThrow } from '../../validation';
import { draftInputSchema, type DraftInput } from '../inputs';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { StepRun } from '../types';
import { appendEvents, type StoreContext } from './context';
import { loadStepRuns } from './step-runs';
import { toStepRun } from './rows';
import { updateFromValues, type ValuesColumn } from './values-table';

type Draft = ReturnType<typeof draftInputSchema.parse>;

const DRAFT_COLUMNS: ValuesColumn[] = [
	{ name: 'id', type: 'int' },
	{ name: 'text', type: 'text' },
	{ name: 'compose_mode', type: 'text', assign: 'COALESCE($, compose_mode)' },
	{ name: 'model', type: 'text' },
	{ name: 'prompt_tokens', type: 'int' },
	{ name: 'completion_tokens', type: 'int' },
	{ name: 'degraded', type: 'int' },
	{ name: 'approval', type: 'text' },
	{ name: 'detail', type: 'text' },
	{ name: 'updated_at', type: 'int' },
];

/**
 * Records composed texts, every item of a call in one statement (and their timeline events in
 * one more, in the same transaction); AI-assisted drafts wait for a reviewer with approval
 * "awaiting". Only a step not yet sent takes a draft. An item that cannot take one (bad input, an
 * unknown or already sent step run) gets its own error and writes nothing; the others are written.
 * Two drafts for the same step run in one call: the last one is kept, and both get the result.
 */
export async function recordDrafts(
	ctx: StoreContext,
	inputs: readonly DraftInput[],
): Promise<Array<StepRun | Error>> {
	const results: Array<StepRun | Error> = new Array(inputs.length);
	const drafts = new Map<number, Draft>();
	const indexes = new Map<number, number[]>();
	inputs.forEach((input, index) => {
		try {
			const draft = parseOrThrow(draftInputSchema, input, 'draft');
			drafts.set(draft.stepRunId, draft);
			indexes.set(draft.stepRunId, [...(indexes.get(draft.stepRunId) ?? []), index]);
		} catch (error) {
			results[index] = error as Error;
		}
	});
	if (drafts.size === 0) return results;
	const now = ctx.now();
	const outcomes = await ctx.driver.transaction((db) => writeDrafts(ctx, db, drafts, now));
	for (const [id, at] of indexes) for (const index of at) results[index] = outcomes.get(id)!;
	return results;
}

/** One draft, failing with its error. */
export async function recordDraft(ctx: StoreContext, input: DraftInput): Promise<StepRun> {
	const [result] = await recordDrafts(ctx, [input]);
	if (result instanceof Error) throw result;
	return result;
}

async function writeDrafts(
	ctx: StoreContext,
	db: SqlExecutor,
	drafts: Map<number, Draft>,
	now: number,
): Promise<Map<number, StepRun | Error>> {
	const { dialect } = ctx.driver;
	const rows = [...drafts.values()].map((draft): SqlValue[] => [
		draft.stepRunId,
		draft.text,
		draft.composeMode ?? null,
		draft.model,
		draft.promptTokens,
		draft.completionTokens,
		draft.degraded ? 1 : 0,
		draft.awaitingApproval ? 'awaiting' : null,
		draft.degradedReason,
		now,
	]);
	// The "not yet sent" condition is part of the write, so a racing send always wins.
	const updated = await updateFromValues(db, dialect, 'step_runs', DRAFT_COLUMNS, rows, {
		where: "step_runs.status IN ('pending', 'scheduled')",
	});
	const outcome = new Map<number, StepRun | Error>(
		updated.map((row) => [Number(row.id), toStepRun(row)]),
	);
	const refused = [...drafts.keys()].filter((id) => !outcome.has(id));
	for (const [id, run] of await loadStepRuns(db, dialect, refused)) {
		outcome.set(
			id,
			run instanceof Error
				? run
				: new CadenceTransitionError(
						`Step run ${run.id} is already "${run.status}"; a draft can only be recorded before it is sent.`,
					),
		);
	}
	await appendEvents(
		db,
		[...drafts.values()].flatMap((draft) => {
			const run = outcome.get(draft.stepRunId);
			if (!run || run instanceof Error) return [];
			return [
				{
					enrollmentId: run.enrollmentId,
					stepRunId: run.id,
					type: draft.awaitingApproval ? 'draftPending' : 'composed',
					at: now,
					detail: {
						mode: run.composeMode,
						model: draft.model,
						degraded: draft.degraded,
						degradedReason: draft.degradedReason,
					},
				},
			];
		}),
		dialect.maxParams,
	);
	return outcome;
}
