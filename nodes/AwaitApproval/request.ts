import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { readStepItem } from '../shared/step-item';
import { nodeReference } from './expression';
import {
	TIMEOUT_POLICIES,
	type ApprovalRequest,
	type HistoryEntry,
	type TimeoutPolicy,
} from './state';
import { optionalText } from '../shared/identity';

/**
 * Turns an input item into what the reviewer sees. The input of this node is usually what the
 * notify node (Slack, email…) returned, not the follow-up itself, so the follow-up item is found
 * by following the paired items back to the nearest node that emitted a Follow-up Trigger item
 * (Compose Follow-up, or the trigger itself); items from elsewhere are reviewed as they are.
 */
export function buildRequest(
	context: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
): ApprovalRequest {
	const followUp = findFollowUpItem(context, itemIndex, item);
	const base = followUp ?? item.json;
	const ref = followUp ? readStepItem(followUp) : null;
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const draftParameter = optionalText(context.getNodeParameter('draft', itemIndex, ''), {
		node: context.getNode(),
		itemIndex,
		label: 'Draft to Review',
	});
	const contact = (isObject(base.contact) ? base.contact : {}) as IDataObject;
	return {
		index: itemIndex,
		base,
		// Compose Follow-up puts its draft in `message.text`; other upstream nodes may use `text`.
		draft: draftParameter.trim()
			? draftParameter
			: text(isObject(base.message) ? (base.message as IDataObject).text : '') || text(base.text),
		staticText: text(options.staticText) || text(base.staticText),
		onTimeout: readPolicy(context, itemIndex),
		step: ref && {
			stepRunId: ref.stepRunId,
			enrollmentId: ref.enrollmentId,
			cadence: ref.cadence,
			step: ref.step,
			stepCount: typeof base.stepCount === 'number' ? base.stepCount : null,
			preview: ref.preview,
		},
		contact: {
			name: text(options.contact) || text(contact.name) || text(base.contactName),
			key: text(contact.key) || text(base.contactKey),
		},
		history: readHistory(base.history),
		error: null,
	};
}

/** The input item if it is a follow-up item, else the nearest ancestor's paired follow-up item. */
function findFollowUpItem(
	context: IExecuteFunctions,
	itemIndex: number,
	item: INodeExecutionData,
): IDataObject | null {
	if (readStepItem(item.json)) return item.json;
	const self = context.getNode().name;
	const tried = new Set<string>();
	// Nearest first: one hop, then two… so Compose Follow-up wins over the trigger behind it.
	for (let depth = 1; depth <= 8; depth++) {
		const parents = context.getParentNodes(self, { depth }).map((p) => p.name);
		const fresh = parents.filter((name) => !tried.has(name));
		if (fresh.length === 0) break;
		for (const name of fresh) {
			tried.add(name);
			const json = pairedJson(context, name, itemIndex);
			if (json && readStepItem(json)) return json;
		}
	}
	return null;
}

function pairedJson(
	context: IExecuteFunctions,
	node: string,
	itemIndex: number,
): IDataObject | null {
	try {
		const value = context.evaluateExpression(`{{ ${nodeReference(node)}.item.json }}`, itemIndex);
		return isObject(value) ? (value as IDataObject) : null;
	} catch {
		// Not paired, or not run in this execution: not it.
		return null;
	}
}

function readPolicy(context: IExecuteFunctions, itemIndex: number): TimeoutPolicy {
	const value = String(context.getNodeParameter('onTimeout', itemIndex, 'escalate'));
	if ((TIMEOUT_POLICIES as readonly string[]).includes(value)) return value as TimeoutPolicy;
	throw new NodeOperationError(
		context.getNode(),
		`The "When Nobody Decides in Time" parameter has no choice "${value}"`,
		{
			itemIndex,
			description: `Pick one of the choices in the list; from an expression, use one of: ${TIMEOUT_POLICIES.join(', ')}.`,
		},
	);
}

/** A follow-up item's history ({direction, author, text, at}), kept short for the page. */
function readHistory(value: unknown): HistoryEntry[] {
	if (!Array.isArray(value)) return [];
	return value
		.filter(isObject)
		.map((m) => {
			const entry = m as IDataObject;
			const author =
				entry.author === 'agent' || entry.author === 'followUp'
					? entry.author
					: entry.direction === 'outbound'
						? 'agent'
						: 'contact';
			const at = typeof entry.at === 'string' ? Date.parse(entry.at) : NaN;
			return { author, text: text(entry.text), at: Number.isNaN(at) ? null : at } as HistoryEntry;
		})
		.filter((m) => m.text)
		.slice(-20);
}

const text = (value: unknown): string =>
	typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
const isObject = (value: unknown): value is object =>
	typeof value === 'object' && value !== null && !Array.isArray(value);
