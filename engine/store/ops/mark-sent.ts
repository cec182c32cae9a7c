import type { CadenceDefinition } from '../../cadence/definition';
import { isCurrentStep } from '../../domain/enrollment-state';
import { dueTimeFor } from '../../domain/scheduling';
import { assertCanMove, statusesThatMayBecome } from '../../domain/step-status';
import { channelOf } from '../../domain/channels';
import { CadenceValidationError } from '../../errors';
import { parseOrThrow } from '../../validation';
import { sentInputSchema, type SentInput } from '../inputs';
import type { SqlExecutor, SqlValue } from '../sql/driver';
import type { Enrollment, StepRun } from '../types';
import { appendEvents, chunk, type StoreContext } from './context';
import { ENROLLMENT_SELECT, toEnrollment, toStepRun } from './rows';
import { runnableStepFrom } from './run-once';
import { loadStepRuns } from './step-runs';
import { updateFromValues, type ValuesColumn } from './values-table';
import { touchConversations } from './conversations';
import { recordChannelMessages, type ChannelMessage } from './channel-messages';

/**
 * Confirms sends and schedules each enrollment's next step, its wait counted from its send: every
 * item of a call in one transaction, each kind of write in one statement for all of them.
 * Confirming the same send twice changes nothing the second time, so a retried HTTP call cannot
 * skip a step. An item that cannot be confirmed (bad input, an unknown or already skipped step
 * run) gets its own error and writes nothing; the others are written. A database error fails the
 * whole call and leaves nothing half-written.
 */
export async function markSentMany(
	ctx: StoreContext,
	inputs: readonly SentInput[],
): Promise<Array<StepRun | Error>> {
	const results: Array<StepRun | Error> = new Array(inputs.length);
	// The first confirmation of a step run in the call is the one recorded; a repeat of it in the
	// same call gets the same answer, as it would one call later.
	const sends = new Map<number, Send>();
	const repeats: Array<{ index: number; stepRunId: number }> = [];
	inputs.forEach((input, index) => {
		try {
			const sent = parseOrThrow(sentInputSchema, input, 'sent step');
			if (sends.has(sent.stepRunId)) repeats.push({ index, stepRunId: sent.stepRunId });
			else sends.set(sent.stepRunId, { index, sent, at: ctx.now(sent.at) });
		} catch (error) {
			results[index] = error as Error;
		}
	});
	if (sends.size === 0) return results;
	const outcomes = await ctx.driver.transaction(async (db) => {
		// A channel message id already given to another send is refused before anything moves.
		const refused = await takenMessageIds(db, ctx, [...sends.values()]);
		const accepted = [...sends.values()].filter((s) => !refused.has(s.sent.stepRunId));
		const moved = await moveToSent(ctx, db, accepted);
		const outcome = await unmoved(
			db,
			ctx,
			accepted.map((s) => s.sent.stepRunId).filter((id) => !moved.has(id)),
		);
		for (const [id, run] of moved) outcome.set(id, run);
		for (const [id, error] of refused) outcome.set(id, error);
		await recordChannels(ctx, db, accepted, outcome, moved);
		await afterSends(
			ctx,
			db,
			[...moved.values()].map((run) => ({ run, ...sends.get(run.id)! })),
		);
		return outcome;
	});
	for (const [id, send] of sends) results[send.index] = outcomes.get(id)!;
	for (const { index, stepRunId } of repeats) results[index] = outcomes.get(stepRunId)!;
	return results;
}

/** One confirmation, failing with its error. */
export async function markSent(ctx: StoreContext, input: SentInput): Promise<StepRun> {
	const [result] = await markSentMany(ctx, [input]);
	if (result instanceof Error) throw result;
	return result;
}

interface Send {
	index: number;
	sent: ReturnType<typeof sentInputSchema.parse>;
	at: number;
}

/** `$` is the reported value: what a send reports replaces the draft's; what it leaves out is kept. */
const reported = (column: string) => `COALESCE($, ${column})`;

const SENT_COLUMNS: ValuesColumn[] = [
	{ name: 'id', type: 'int' },
	{ name: 'updated_at', type: 'int' },
	{ name: 'sent_at', type: 'int', assign: 'COALESCE(sent_at, $)' },
	{ name: 'text', type: 'text', assign: reported('text') },
	{ name: 'compose_mode', type: 'text', assign: reported('compose_mode') },
	{ name: 'model', type: 'text', assign: reported('model') },
	{ name: 'prompt_tokens', type: 'int', assign: reported('prompt_tokens') },
	{ name: 'completion_tokens', type: 'int', assign: reported('completion_tokens') },
	{ name: 'degraded', type: 'int', assign: reported('degraded') },
	{ name: 'channel', type: 'text', assign: reported('channel') },
];

/** Moves every step run that may become sent, forward only, in one conditional UPDATE. */
async function moveToSent(
	ctx: StoreContext,
	db: SqlExecutor,
	sends: Send[],
): Promise<Map<number, StepRun>> {
	const { dialect } = ctx.driver;
	const from = statusesThatMayBecome('sent').filter((s) => s !== 'sent');
	const rows = sends.map(({ sent, at }): SqlValue[] => [
		sent.stepRunId,
		at,
		at,
		sent.text,
		sent.composeMode ?? null,
		sent.model,
		sent.promptTokens,
		sent.completionTokens,
		sent.degraded ? 1 : null,
		channelOf(sent.channel),
	]);
	const updated = await updateFromValues(db, dialect, 'step_runs', SENT_COLUMNS, rows, {
		fixed: "status = 'sent'",
		where: `step_runs.status IN (${from.map((s) => `'${s}'`).join(', ')})`,
	});
	return new Map(updated.map((row) => [Number(row.id), toStepRun(row)]));
}

/** Step runs the UPDATE did not move: already sent (returned as they are), unknown, or past it. */
async function unmoved(
	db: SqlExecutor,
	ctx: StoreContext,
	ids: number[],
): Promise<Map<number, StepRun | Error>> {
	const outcome = new Map<number, StepRun | Error>();
	for (const [id, run] of await loadStepRuns(db, ctx.driver.dialect, ids)) {
		try {
			if (run instanceof Error) throw run;
			if (run.status !== 'sent') assertCanMove(id, run.status, 'sent');
			outcome.set(id, run);
		} catch (error) {
			outcome.set(id, error as Error);
		}
	}
	return outcome;
}

interface Confirmed {
	run: StepRun;
	at: number;
	sent: Send['sent'];
}

/** The conversation log, the timeline and the next steps of every send this call moved. */
async function afterSends(ctx: StoreContext, db: SqlExecutor, confirmed: Confirmed[]) {
	if (confirmed.length === 0) return;
	const { dialect } = ctx.driver;
	const enrollments = new Map(
		(
			await db.all(`${ENROLLMENT_SELECT} WHERE ${dialect.inIds('e.id')}`, [
				dialect.idsParam([...new Set(confirmed.map((c) => c.run.enrollmentId))]),
			])
		).map((row) => [Number(row.id), toEnrollment(row)]),
	);
	const withEnrollment = confirmed.map((c) => ({
		...c,
		enrollment: enrollments.get(c.run.enrollmentId)!,
	}));
	await logMessages(ctx, db, withEnrollment);
	await appendEvents(
		db,
		withEnrollment.map(({ run, at }) => ({
			enrollmentId: run.enrollmentId,
			stepRunId: run.id,
			type: 'sent',
			at,
			detail: { step: run.stepIndex, mode: run.composeMode, degraded: run.degraded },
		})),
		dialect.maxParams,
	);
	await scheduleNextSteps(ctx, db, withEnrollment);
	// The conversation's outbound times (per channel too): the WhatsApp window and switching read
	// them. Written last, after step runs and enrollments, as Record Reply does (no lock cycles).
	await touchConversations(
		db,
		withEnrollment.map(({ enrollment, at, sent }) => ({
			contactKey: enrollment.contactKey,
			conversationKey: enrollment.conversationKey,
			channel: sent.channel,
			direction: 'outbound' as const,
			at,
		})),
	);
}

async function logMessages(
	ctx: StoreContext,
	db: SqlExecutor,
	sends: Array<Confirmed & { enrollment: Enrollment }>,
): Promise<void> {
	const withText = sends.filter((s) => s.run.text);
	for (const part of chunk(withText, Math.floor(ctx.driver.dialect.maxParams / 6))) {
		if (part.length === 0) continue;
		const params = part.flatMap(({ enrollment, run, at, sent }): SqlValue[] => [
			enrollment.contactKey,
			enrollment.conversationKey,
			run.text,
			sent.channel,
			run.id,
			at,
		]);
		const row = "(?, ?, 'outbound', 'followUp', ?, ?, ?, ?)";
		await db.run(
			`INSERT INTO messages (contact_key, conversation_key, direction, author, text, channel, step_run_id, at)
			VALUES ${new Array(part.length).fill(row).join(', ')}`,
			params,
		);
	}
}

const SCHEDULE_COLUMNS: ValuesColumn[] = [
	{ name: 'id', type: 'int' },
	{ name: 'next_due_at', type: 'int' },
	{ name: 'state', type: 'text' },
	{ name: 'next_step', type: 'int' },
	{ name: 'next_reason', type: 'text' },
	{ name: 'held_due_at', type: 'int' },
	{ name: 'paused_until', type: 'int' },
	{ name: 'ended_at', type: 'int' },
	{ name: 'last_sent_at', type: 'int' },
	{ name: 'updated_at', type: 'int' },
];

/**
 * Each enrollment still on the sent step moves to its next runnable step (the same rules as
 * chain.ts `advancePast`: a paused one stays paused with the due time held; none left completes
 * it). A send confirmed after the contact replied or the enrollment ended is recorded, but it
 * must not bring the chain back to life: only its send time is kept.
 */
async function scheduleNextSteps(
	ctx: StoreContext,
	db: SqlExecutor,
	sends: Array<Confirmed & { enrollment: Enrollment }>,
): Promise<void> {
	const { dialect } = ctx.driver;
	const advancing: SqlValue[][] = [];
	const completed: number[] = [];
	const lateOnly: SqlValue[][] = [];
	for (const { enrollment, run, at } of sends) {
		if (!isCurrentStep(enrollment, run)) {
			lateOnly.push([enrollment.id, at, at]);
			continue;
		}
		const definition = await ctx.definition(db, enrollment.cadenceId, enrollment.version);
		const stepIndex = await runnableStepFrom(db, definition, enrollment, run.stepIndex + 1);
		const row = nextStepRow(definition, enrollment, stepIndex, at);
		if (row[2] === 'completed') completed.push(enrollment.id);
		advancing.push(row);
	}
	if (lateOnly.length > 0) {
		await updateFromValues(
			db,
			dialect,
			'enrollments',
			[
				{ name: 'id', type: 'int' },
				{ name: 'last_sent_at', type: 'int' },
				{ name: 'updated_at', type: 'int' },
			],
			lateOnly,
		);
	}
	if (advancing.length === 0) return;
	const ids = dialect.idsParam(advancing.map((row) => Number(row[0])));
	// The queue row goes with the mirror (see due-queue.ts): found through it before it changes.
	await db.run(
		`DELETE FROM due_steps WHERE (cadence_id, due_at, enrollment_id) IN (
			SELECT cadence_id, next_due_at, id FROM enrollments WHERE ${dialect.inIds('id')})`,
		[ids],
	);
	await updateFromValues(db, dialect, 'enrollments', SCHEDULE_COLUMNS, advancing);
	await db.run(
		`INSERT INTO due_steps (cadence_id, due_at, enrollment_id)
		SELECT cadence_id, next_due_at, id FROM enrollments
		WHERE ${dialect.inIds('id')} AND next_due_at IS NOT NULL`,
		[ids],
	);
	const at = new Map(sends.map((s) => [s.enrollment.id, s.at]));
	await appendEvents(
		db,
		completed.map((id) => ({ enrollmentId: id, type: 'completed', at: at.get(id)! })),
		dialect.maxParams,
	);
}

/** The enrollment's row after its send at `at`, in SCHEDULE_COLUMNS order. */
function nextStepRow(
	definition: CadenceDefinition,
	enrollment: Enrollment,
	stepIndex: number,
	at: number,
): SqlValue[] {
	const { id } = enrollment;
	if (stepIndex >= definition.steps.length) {
		return [id, null, 'completed', stepIndex, null, null, null, at, at, at];
	}
	const due = dueTimeFor(definition, stepIndex, at, enrollment.timeZone);
	if (enrollment.state === 'paused') {
		// Paused: the next due time waits for the pause's end (held until resumed when it has none).
		const until = enrollment.pausedUntil;
		const dueAt = until === null ? null : Math.max(until, due.at);
		const held = until === null ? due.at : null;
		return [id, dueAt, 'paused', stepIndex, due.reason, held, until, null, at, at];
	}
	return [id, due.at, 'active', stepIndex, due.reason, null, null, null, at, at];
}

/**
 * Sends whose channel message id already belongs to another step run (or to another item of this
 * call): each gets its own error, naming the field, and is not recorded.
 */
async function takenMessageIds(
	db: SqlExecutor,
	ctx: StoreContext,
	sends: Send[],
): Promise<Map<number, Error>> {
	const refused = new Map<number, Error>();
	const withId = sends.filter((s) => s.sent.channelMessageId !== undefined);
	if (withId.length === 0) return refused;
	const owners = new Map<string, number>();
	for (const part of chunk(withId, ctx.driver.dialect.maxParams)) {
		const rows = await db.all<{ channel_message_id: string; step_run_id: number }>(
			`SELECT channel_message_id, step_run_id FROM channel_messages
			WHERE channel_message_id IN (${part.map(() => '?').join(', ')})`,
			part.map((s) => s.sent.channelMessageId!),
		);
		for (const row of rows) owners.set(row.channel_message_id, Number(row.step_run_id));
	}
	for (const { sent } of withId) {
		const id = sent.channelMessageId!;
		const owner = owners.get(id);
		if (owner === undefined) owners.set(id, sent.stepRunId);
		else if (owner !== sent.stepRunId) {
			refused.set(
				sent.stepRunId,
				new CadenceValidationError('sent step', [
					{
						field: 'channelMessageId',
						message: `the channel message id ${JSON.stringify(id)} already belongs to step run ${owner}; pass the id the channel returned for this send`,
					},
				]),
			);
		}
	}
	return refused;
}

/**
 * The channel each send went out on and the id the channel gave it, on the step run (and the id
 * as a delivery record of its own, engine/store/ops/delivery.ts), for every send of the call in
 * one statement per table. Runs that got one are read again so the answer shows them.
 */
async function recordChannels(
	ctx: StoreContext,
	db: SqlExecutor,
	accepted: Send[],
	outcome: Map<number, StepRun | Error>,
	moved: Map<number, StepRun>,
): Promise<void> {
	const messages: ChannelMessage[] = [];
	for (const { sent, at } of accepted) {
		const run = outcome.get(sent.stepRunId);
		if (!run || run instanceof Error || sent.channelMessageId === undefined) continue;
		// The channel itself was written with the send (SENT_COLUMNS).
		messages.push({
			stepRunId: run.id,
			channelMessageId: sent.channelMessageId,
			channel: channelOf(sent.channel),
			at,
		});
	}
	if (messages.length === 0) return;
	await recordChannelMessages(db, ctx.driver.dialect, messages);
	const touched = messages.map((m) => m.stepRunId);
	for (const [id, run] of await loadStepRuns(db, ctx.driver.dialect, touched)) {
		outcome.set(id, run);
		if (!(run instanceof Error) && moved.has(id)) moved.set(id, run);
	}
}
