import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';
import { COMPOSE_MODES, type ComposeMode } from '../../engine';
import { messageVariables } from '../../engine/compose';
import type { ComposeRequest, HistoryMessage } from '../../engine/compose';
import { readStepItem, type StepRef } from '../shared/step-item';
import type { ComposeParameters } from './parameters';

/**
 * One input item turned into what the engine composes from. An item from the Follow-up Trigger
 * carries its step (instruction, static text, mode, persona, contact variables, history); any
 * other item can supply the same fields itself, or its own fields serve as the variables.
 */
export interface ItemPlan {
	/** The step run behind the item; null for items that did not come from a cadence. */
	ref: StepRef | null;
	request: ComposeRequest;
	/** False when the item carries no history array (then a cadence item's is read from the store). */
	hasHistory: boolean;
	contact: { key: string; conversationKey: string } | null;
}

export function planItem(
	node: INode,
	itemIndex: number,
	json: IDataObject,
	params: ComposeParameters,
): ItemPlan {
	const ref = readStepItem(json);
	const contact = asObject(json.contact);
	const mode = resolveMode(node, itemIndex, json, params, ref !== null);
	const instruction = params.instruction || text(json.instruction);
	if (mode !== 'static' && instruction === '') {
		throw new NodeOperationError(node, 'There is no instruction for the AI', {
			itemIndex,
			description:
				'Fill in the "Instruction for the AI" parameter with what the AI should do (e.g. Ask whether the question is still relevant), or give the step an instruction in the Follow-up Trigger.',
		});
	}
	const history = Array.isArray(json.history) ? toHistory(json.history) : [];
	const stepNumber = Number(json.step);
	const stepCount = Number(json.stepCount);
	return {
		ref,
		hasHistory: Array.isArray(json.history),
		contact:
			ref && contact
				? { key: text(contact.key), conversationKey: text(contact.conversationKey) }
				: null,
		request: {
			mode,
			instruction,
			staticText: params.staticText || text(json.staticText),
			persona: params.persona || text(json.persona),
			variables: variablesOf(json, contact, ref !== null),
			history,
			channel: text(json.channel) || undefined,
			step:
				ref && Number.isInteger(stepNumber) && Number.isInteger(stepCount)
					? { number: stepNumber, count: stepCount }
					: null,
			maxLength: params.maxLength,
			language: params.language,
			timeoutMs: params.timeoutMs,
			whenAiFails: params.whenAiFails,
		},
	};
}

function resolveMode(
	node: INode,
	itemIndex: number,
	json: IDataObject,
	params: ComposeParameters,
	fromCadence: boolean,
): ComposeMode {
	if (params.mode !== 'fromStep') return params.mode;
	const mode = json.composeMode;
	if (COMPOSE_MODES.includes(mode as ComposeMode)) return mode as ComposeMode;
	throw new NodeOperationError(
		node,
		fromCadence
			? `The item's compose mode ${JSON.stringify(mode)} is not one this node knows`
			: 'The item did not come from a Follow-up Trigger, so it has no compose mode',
		{
			itemIndex,
			description:
				'Set the "Compose Mode" parameter to Message Text (No AI), AI Assisted or AI Full instead of From Cadence Step.',
		},
	);
}

/**
 * The values templates and the AI may use. A cadence item's are the contact's variables (plus
 * `contactName`); another item's are its `contact.variables` or `variables` object when it has
 * one, otherwise its own plain fields, so a Set node with firstName is all it takes.
 */
function variablesOf(
	json: IDataObject,
	contact: IDataObject | null,
	fromCadence: boolean,
): Record<string, unknown> {
	const declared = asObject(contact?.variables) ?? asObject(json.variables);
	if (fromCadence || declared) return messageVariables(text(contact?.name), declared);
	return Object.fromEntries(
		Object.entries(json).filter(([, v]) => v === null || typeof v !== 'object'),
	);
}

/** The trigger's history entries (author, text, at), tolerant of hand-made ones (direction only). */
export function toHistory(entries: unknown[]): HistoryMessage[] {
	const history: HistoryMessage[] = [];
	for (const entry of entries) {
		const m = asObject(entry);
		const body = text(m?.text);
		if (!m || body === '') continue;
		const author =
			m.author === 'contact' || m.author === 'agent' || m.author === 'followUp'
				? m.author
				: m.direction === 'inbound'
					? 'contact'
					: 'agent';
		history.push({ author, text: body, at: typeof m.at === 'string' ? m.at : null });
	}
	return history;
}

function asObject(value: unknown): IDataObject | null {
	return value && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: null;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}
