import { DateTime } from 'luxon';
import type { CadenceDefinitionInput, Step } from './cadence/definition';
import { messageVariables } from './compose/message-variables';
import { renderMessage, renderTemplate } from './compose/render-template';
import { openStore } from './store/open';
import type { AppliedReply, Millis } from './store/types';
import { resolveTimeZone } from './timing/zone';

/**
 * Plays a cadence on a virtual clock for one sample contact, in a throw-away in-memory store, and
 * returns what would happen: each send with its time and why it was moved, pauses, exits and the
 * end. The real store is never touched, so it is safe in the editor ("test follow-up" links).
 */

export interface SimulatedReply {
	/** The contact answers this long after the given step (1-based) went out. */
	afterStep: number;
	delayMs: Millis;
	text?: string;
	/** Overrides the cadence's reply policy, e.g. a classification's verdict. */
	action?: AppliedReply;
	pauseUntil?: Millis;
}

export interface SimulationInput {
	definition: CadenceDefinitionInput;
	contact?: {
		key?: string;
		name?: string;
		conversationKey?: string;
		timeZone?: string | null;
		variables?: Record<string, unknown>;
	};
	startAt: Millis;
	replies?: SimulatedReply[];
	/** Stops a runaway loop (a restart policy with replies after every step). */
	maxSends?: number;
}

export interface SimulatedEvent {
	at: Millis;
	/** `at` on the wall clock where the cadence reads its hours, e.g. "Mon 9 Mar 2026, 08:00". */
	localTime: string;
	/** The zone of `localTime`: the contact's when the cadence uses it, else the cadence's. */
	timeZone: string;
	type: 'enrolled' | 'send' | 'reply' | 'paused' | 'exited' | 'completed';
	/** 1-based step, for sends. */
	step?: number;
	/**
	 * For sends: the message as it would go out, variables filled in. In the AI modes the AI writes
	 * the message when the step runs; this is then the step's static text, its fallback.
	 */
	text?: string;
	/** For sends: the instruction as the AI would receive it, variables filled in. */
	instruction?: string;
	composeMode?: string;
	/** For sends: why the real send would fail or fall short (a variable without a value). */
	problem?: string;
	/** Why the send is at this time rather than exactly after its wait (working hours, pause…). */
	reason?: string | null;
	detail?: string;
}

export async function simulateCadence(input: SimulationInput): Promise<SimulatedEvent[]> {
	let now = input.startAt;
	const store = await openStore({ kind: 'sqlite', path: ':memory:' }, () => now);
	try {
		const published = await store.publishCadence({ ...input.definition, active: true });
		const { name } = published;
		const contactKey = input.contact?.key || 'sandbox-contact';
		const conversationKey = input.contact?.conversationKey ?? '';
		const timeZone = resolveTimeZone({
			schedule: published.definition.schedule,
			recipientTimeZone: input.contact?.timeZone,
		});
		const event = (at: Millis, fields: Omit<SimulatedEvent, 'at' | 'localTime' | 'timeZone'>) => ({
			at,
			localTime: localTime(at, timeZone),
			timeZone,
			...fields,
		});
		const [{ enrollment }] = await store.enroll([
			{
				cadence: name,
				contactKey,
				conversationKey,
				contactName: input.contact?.name ?? '',
				timeZone: input.contact?.timeZone ?? null,
				variables: input.contact?.variables ?? {},
			},
		]);
		const events: SimulatedEvent[] = [event(now, { type: 'enrolled' })];
		if (!enrollment) return events;
		const variables = messageVariables(enrollment.contactName, enrollment.variables);
		const pending = [...(input.replies ?? [])];
		const maxSends = input.maxSends ?? 50;
		let sends = 0;
		for (;;) {
			const current = (await store.getEnrollment(enrollment.id))!;
			if (current.state === 'completed') {
				events.push(event(now, { type: 'completed' }));
				break;
			}
			if (current.state === 'exited' || current.state === 'failed') {
				events.push(event(now, { type: 'exited', detail: current.exitReason ?? current.state }));
				break;
			}
			if (current.nextDueAt === null || sends >= maxSends) break;
			now = current.nextDueAt;
			const [claimed] = await store.claimDue({ cadence: name, limit: 1 });
			if (!claimed) break;
			const { step, stepRun } = claimed;
			const message = renderStep(step, variables);
			events.push(
				event(now, {
					type: 'send',
					step: stepRun.stepIndex + 1,
					text: message.text,
					instruction: message.instruction,
					composeMode: step.composeMode,
					reason: claimed.enrollment.nextReason,
					...(message.problem ? { problem: message.problem } : {}),
				}),
			);
			await store.markSent({ stepRunId: stepRun.id, text: message.text || message.instruction });
			sends++;
			const replyIndex = pending.findIndex((r) => r.afterStep === stepRun.stepIndex + 1);
			if (replyIndex >= 0) {
				const [reply] = pending.splice(replyIndex, 1);
				now += reply.delayMs;
				const { effects } = await store.recordInbound({
					contactKey,
					conversationKey,
					text: reply.text ?? '',
					action: reply.action,
					pauseUntil: reply.pauseUntil,
				});
				const effect = effects.find((e) => e.enrollmentId === enrollment.id);
				events.push(event(now, { type: 'reply', text: reply.text ?? '', detail: effect?.action }));
				if (effect?.state === 'paused') {
					const until = effect.nextDueAt ?? now;
					events.push(
						event(now, {
							type: 'paused',
							detail: `until ${localTime(until, timeZone)} ${timeZone} (${new Date(until).toISOString()})`,
						}),
					);
				}
			}
		}
		return events;
	} finally {
		await store.close();
	}
}

/** A time on the wall clock of `zone`, as the previews show it next to the UTC time. */
export function localTime(at: Millis, zone: string): string {
	return DateTime.fromMillis(at, { zone }).toFormat('ccc d LLL yyyy, HH:mm');
}

/**
 * A step's message as the real send would produce it, with the same render functions: static
 * text through renderMessage (what Compose Follow-up sends in static mode, and falls back to),
 * the instruction through renderTemplate (what the AI is given).
 */
export function renderStep(
	step: Pick<Step, 'staticText' | 'instruction' | 'composeMode'>,
	variables: Record<string, unknown>,
): { text: string; instruction: string; problem?: string } {
	const instruction = renderTemplate(step.instruction, variables).text;
	try {
		return { text: renderMessage(step.staticText, variables), instruction };
	} catch (error) {
		const why = (error as Error).message;
		return {
			text: renderTemplate(step.staticText, variables).text,
			instruction,
			problem:
				step.composeMode === 'static'
					? `this step would fail to send: ${why}`
					: `if the AI cannot write this step, its static text cannot be sent: ${why}`,
		};
	}
}
