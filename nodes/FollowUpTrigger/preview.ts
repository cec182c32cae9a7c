import {
	NodeOperationError,
	type IDataObject,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { CadenceDefinition } from '../../engine';
import { simulateCadence, type SimulatedEvent } from '../../engine';
import type { ClaimedStep, ConversationMessage } from '../../engine';
import { toNodeError } from '../shared/errors';
import { iso } from '../shared/output';
import { stepItemJson } from '../shared/step-item';
import type { TriggerSettings } from './settings';

const SANDBOX_CONTACT = 'sandbox-contact';

/**
 * The editor's "test follow-up": the cadence played on a virtual clock for a made-up contact in
 * a throw-away in-memory store (engine/simulate), never the real one. The item looks like a real
 * due step, with ids 0 and `preview: true`, so the nodes after the trigger can be tried out while
 * writing nothing; `previewTimeline` shows the whole schedule with the reason for each time.
 * `previewMessage` is the text as the send would have it (engine/simulate renders it with the
 * send path's functions) and `dueAtLocal` the due time in the zone the cadence reads its hours in.
 */
export async function previewItem(
	node: INode,
	definition: CadenceDefinition,
	settings: TriggerSettings,
	now: number,
): Promise<INodeExecutionData> {
	const { sandbox } = settings;
	const stepCount = definition.steps.length;
	if (sandbox.step > stepCount) {
		throw new NodeOperationError(
			node,
			`The "Options → Sandbox Step" parameter is ${sandbox.step}, but the cadence has ${stepCount} step(s)`,
			{ description: `Pick a step from 1 to ${stepCount}.` },
		);
	}
	let timeline: SimulatedEvent[];
	try {
		timeline = await simulateCadence({
			definition,
			contact: {
				key: SANDBOX_CONTACT,
				name: sandbox.contactName,
				timeZone: sandbox.timeZone,
				variables: sandbox.variables,
			},
			startAt: now,
		});
	} catch (error) {
		throw toNodeError(node, error);
	}
	const sends = timeline.filter((e) => e.type === 'send');
	const at = sends.findIndex((e) => e.step === sandbox.step);
	if (at < 0) {
		throw new NodeOperationError(node, `The preview never reaches step ${sandbox.step}`, {
			description:
				'A sending limit stops the simulated cadence before it. Preview an earlier step or raise the limit.',
		});
	}
	const send = sends[at];
	const claimed = sandboxClaim(definition, settings, send, now);
	const history = sends.slice(0, at).map((earlier, i) => sentMessage(earlier, i));
	const json = stepItemJson(claimed, history, {
		preview: true,
		previewNote: `A preview for a sandbox contact: nothing was sent, stored or enrolled.`,
		previewMessage: send.text ?? '',
		previewMessageNote:
			claimed.step.composeMode === 'static'
				? 'The message as it will be sent, variables filled in.'
				: 'In this mode the AI writes the message from the instruction when the step runs; shown is the step’s Message Text, its fallback, variables filled in.',
		...(send.problem ? { previewProblem: send.problem } : {}),
		dueAtLocal: send.localTime,
		dueAtTimeZone: send.timeZone,
		previewTimeline: timeline.map(timelineEntry),
	});
	return { json };
}

/** What a real claim would hand out for this step, with ids 0 (nothing real behind it). */
function sandboxClaim(
	definition: CadenceDefinition,
	settings: TriggerSettings,
	send: SimulatedEvent,
	now: number,
): ClaimedStep {
	const stepIndex = (send.step ?? 1) - 1;
	const step = definition.steps[stepIndex];
	return {
		step,
		stepCount: definition.steps.length,
		persona: definition.persona,
		isLastStep: stepIndex === definition.steps.length - 1,
		channels: definition.channels,
		enrollment: {
			id: 0,
			cadenceId: 0,
			cadenceName: definition.name,
			version: 0,
			contactKey: SANDBOX_CONTACT,
			conversationKey: '',
			contactName: settings.sandbox.contactName,
			agent: '',
			target: null,
			variables: settings.sandbox.variables,
			timeZone: settings.sandbox.timeZone,
			state: 'active',
			exitReason: null,
			cycle: 1,
			nextStep: stepIndex,
			nextDueAt: null,
			nextReason: send.reason ?? null,
			pausedUntil: null,
			anchorAt: now,
			lastSentAt: null,
			lastInboundAt: null,
			createdAt: now,
			updatedAt: now,
			endedAt: null,
		},
		stepRun: {
			id: 0,
			enrollmentId: 0,
			cadenceId: 0,
			stepIndex,
			cycle: 1,
			status: 'pending',
			// Unique per preview, so a channel that dedupes by key never confuses two test runs.
			idempotencyKey: `preview-${now}-${stepIndex}`,
			dueAt: send.at,
			claimedAt: now,
			claims: 1,
			stuckAt: null,
			sentAt: null,
			deliveredAt: null,
			readAt: null,
			repliedAt: null,
			endedAt: null,
			composeMode: step.composeMode,
			text: null,
			model: null,
			promptTokens: null,
			completionTokens: null,
			degraded: false,
			approval: null,
			decidedBy: null,
			detail: null,
			handedAt: null,
			approvalDeadline: null,
			approvalTimeout: null,
			stuckAlertedAt: null,
			channel: null,
			channelMessageId: null,
			failedChannels: [],
		},
	};
}

/** An earlier simulated follow-up, as it would appear in the conversation history. */
function sentMessage(send: SimulatedEvent, index: number): ConversationMessage {
	return {
		id: index + 1,
		contactKey: SANDBOX_CONTACT,
		conversationKey: '',
		direction: 'outbound',
		author: 'followUp',
		text: send.text || send.instruction || '',
		channel: null,
		stepRunId: 0,
		at: send.at,
	};
}

function timelineEntry(event: SimulatedEvent): IDataObject {
	const entry: IDataObject = {
		at: iso(event.at),
		localTime: event.localTime,
		timeZone: event.timeZone,
		event: event.type,
	};
	if (event.step !== undefined) entry.step = event.step;
	if (event.composeMode !== undefined) entry.composeMode = event.composeMode;
	if (event.text) entry.text = event.text;
	if (event.instruction) entry.instruction = event.instruction;
	if (event.type === 'send') entry.reason = event.reason ?? null;
	if (event.detail) entry.detail = event.detail;
	if (event.problem) entry.problem = event.problem;
	return entry;
}
