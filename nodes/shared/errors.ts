import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import {
	CadenceNotFoundError,
	CadenceStoreError,
	CadenceTransitionError,
	CadenceValidationError,
} from '../../engine/errors';

/** Engine field names as the parameters that feed them are labelled in the editor. */
const FIELD_LABELS: Record<string, string> = {
	contactKey: 'Contact ID',
	conversationKey: 'Conversation ID',
	contactName: 'Contact Name',
	timeZone: 'Contact Time Zone',
	startAt: 'Start Time',
	cadence: 'Cadence',
	agent: 'Agent Name',
	'target.type': 'Target Type',
	'target.id': 'Target ID',
	text: 'Message Text',
	channel: 'Channel',
	pauseUntil: 'Pause Until',
	at: 'Received At',
};

function labelled(field: string): string {
	const bare = field.replace(/^item \d+: /, '');
	const label = FIELD_LABELS[bare];
	return label ? `${label} (${field})` : field || 'value';
}

/**
 * The one place engine errors become n8n errors: bad input or a forbidden move is the user's to
 * fix (NodeOperationError); a database that cannot be reached is the store's (NodeApiError).
 * `parameter` names the node parameter the bad value came from, when the caller knows it.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	options: { itemIndex?: number; parameter?: string } = {},
): NodeOperationError | NodeApiError {
	const { itemIndex } = options;
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof CadenceValidationError) {
		const where = options.parameter ? `Check the "${options.parameter}" parameter. ` : '';
		const problems = error.problems.map((p) => `${labelled(p.field)}: ${p.message}`);
		return new NodeOperationError(node, problems.join('; '), {
			itemIndex,
			description: `${where}${error.message}`,
		});
	}
	if (error instanceof CadenceNotFoundError || error instanceof CadenceTransitionError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	if (error instanceof CadenceStoreError || isDatabaseError(error)) {
		const message = (error as Error).message;
		return new NodeApiError(node, { message } as JsonObject, {
			itemIndex,
			message: 'The cadence store could not be used',
			description: `${message} Nothing was written; run the node again once the store is reachable.`,
		});
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

function isDatabaseError(error: unknown): boolean {
	const code = (error as { code?: unknown })?.code;
	return typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || code.startsWith('ERR_SQLITE'));
}
