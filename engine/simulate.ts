import type { CadenceDefinitionInput } from './cadence/definition';
import { openStore } from './store/open';
import type { AppliedReply, Millis } from './store/types';

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
	type: 'enrolled' | 'send' | 'reply' | 'paused' | 'exited' | 'completed';
	/** 1-based step, for sends. */
	step?: number;
	text?: string;
	instruction?: string;
	composeMode?: string;
	/** Why the send is at this time rather than exactly after its wait (working hours, pause…). */
	reason?: string | null;
	detail?: string;
}

export async function simulateCadence(input: SimulationInput): Promise<SimulatedEvent[]> {
	let now = input.startAt;
	const store = await openStore({ kind: 'sqlite', path: ':memory:' }, () => now);
	try {
		const { name } = await store.publishCadence({ ...input.definition, active: true });
		const contactKey = input.contact?.key || 'sandbox-contact';
		const conversationKey = input.contact?.conversationKey ?? '';
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
		const events: SimulatedEvent[] = [{ at: now, type: 'enrolled' }];
		if (!enrollment) return events;
		const pending = [...(input.replies ?? [])];
		const maxSends = input.maxSends ?? 50;
		let sends = 0;
		for (;;) {
			const current = (await store.getEnrollment(enrollment.id))!;
			if (current.state === 'completed') {
				events.push({ at: now, type: 'completed' });
				break;
			}
			if (current.state === 'exited' || current.state === 'failed') {
				events.push({ at: now, type: 'exited', detail: current.exitReason ?? current.state });
				break;
			}
			if (current.nextDueAt === null || sends >= maxSends) break;
			now = current.nextDueAt;
			const [claimed] = await store.claimDue({ cadence: name, limit: 1 });
			if (!claimed) break;
			const { step, stepRun } = claimed;
			events.push({
				at: now,
				type: 'send',
				step: stepRun.stepIndex + 1,
				text: step.staticText,
				instruction: step.instruction,
				composeMode: step.composeMode,
				reason: claimed.enrollment.nextReason,
			});
			await store.markSent({ stepRunId: stepRun.id, text: step.staticText || step.instruction });
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
				events.push({ at: now, type: 'reply', text: reply.text ?? '', detail: effect?.action });
				if (effect?.state === 'paused') {
					events.push({
						at: now,
						type: 'paused',
						detail: `until ${new Date(effect.nextDueAt ?? now).toISOString()}`,
					});
				}
			}
		}
		return events;
	} finally {
		await store.close();
	}
}
