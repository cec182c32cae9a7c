import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { z } from 'zod/v4';
import { nodeReference } from './expression';

/**
 * What Await Approval remembers while the execution waits: one request per input item. It is
 * kept in the node's execution context (`getContext('node')`), which n8n saves with the waiting
 * execution and which the webhook can read back; the webhook has no access to the node's input.
 */

export const TIMEOUT_POLICIES = ['escalate', 'sendDraft', 'sendStatic', 'skip'] as const;
export type TimeoutPolicy = (typeof TIMEOUT_POLICIES)[number];

export interface HistoryEntry {
	author: 'contact' | 'agent' | 'followUp';
	text: string;
	at: number | null;
}

export interface StepLink {
	stepRunId: number;
	enrollmentId: number;
	cadence: string;
	/** 1-based. */
	step: number;
	stepCount: number | null;
	/** The trigger's editor preview: nothing real behind it, nothing is written. */
	preview: boolean;
}

export interface ApprovalRequest {
	/** The input item this is about: outputs pair with it. */
	index: number;
	/** The JSON the outputs build on: the follow-up item when one was found, else the input item. */
	base: IDataObject;
	draft: string;
	staticText: string;
	onTimeout: TimeoutPolicy;
	step: StepLink | null;
	contact: { name: string; key: string };
	/** Shown for items not from a cadence; a cadence's conversation is read fresh from the store. */
	history: HistoryEntry[];
	/** Why the item could not be put up for review (Continue On Fail); it leaves by Timed Out. */
	error: string | null;
}

export interface WaitingState {
	version: 1;
	createdAt: number;
	deadline: number;
	title: string;
	note: string;
	askName: boolean;
	requests: ApprovalRequest[];
}

const CONTEXT_KEY = 'cadenceApproval';

export function saveState(context: IExecuteFunctions, state: WaitingState): void {
	context.getContext('node')[CONTEXT_KEY] = JSON.parse(JSON.stringify(state)) as IDataObject;
}

const stateSchema = z.object({
	version: z.literal(1),
	createdAt: z.number(),
	deadline: z.number(),
	title: z.string(),
	note: z.string(),
	askName: z.boolean(),
	requests: z.array(
		z.object({
			index: z.number().int().nonnegative(),
			base: z.record(z.string(), z.unknown()),
			draft: z.string(),
			staticText: z.string(),
			onTimeout: z.enum(TIMEOUT_POLICIES),
			step: z
				.object({
					stepRunId: z.number().int().nonnegative(),
					enrollmentId: z.number().int().nonnegative(),
					cadence: z.string(),
					step: z.number().int(),
					stepCount: z.number().int().nullable(),
					preview: z.boolean(),
				})
				.nullable(),
			contact: z.object({ name: z.string(), key: z.string() }),
			history: z.array(
				z.object({
					author: z.enum(['contact', 'agent', 'followUp']),
					text: z.string(),
					at: z.number().nullable(),
				}),
			),
			error: z.string().nullable(),
		}),
	),
});

/**
 * The state saved by `execute()`, read from the webhook through an expression on this node's
 * context (the one way a webhook can reach it). Null when this execution has none: the node did
 * not put it to wait, or the state is from another version.
 */
export function readState(context: IWebhookFunctions): WaitingState | null {
	const self = nodeReference(context.getNode().name);
	let value: unknown;
	try {
		value = context.evaluateExpression(`{{ ${self}.context[${JSON.stringify(CONTEXT_KEY)}] }}`);
	} catch {
		return null;
	}
	const parsed = stateSchema.safeParse(value);
	return parsed.success ? (parsed.data as WaitingState) : null;
}
