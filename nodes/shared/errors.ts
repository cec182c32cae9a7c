import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';
import {
	CadenceNotFoundError,
	CadenceStoreError,
	CadenceTransitionError,
	CadenceValidationError,
	type StoreProblem,
} from '../../engine';

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
	schema: 'Schema',
	variables: 'Variables',
};

function labelled(field: string): string {
	const bare = field.replace(/^item \d+: /, '');
	const label = FIELD_LABELS[bare];
	return label ? `${label} (${field})` : field || 'value';
}

export interface NodeErrorOptions {
	itemIndex?: number;
	/** The node parameter the bad value came from, when the caller knows it. */
	parameter?: string;
	/**
	 * Engine field → the label of the parameter that fed it on this node. With it, each rejected
	 * field is reported as `The "<label>" parameter: <problem>`.
	 */
	labels?: Record<string, string>;
}

/**
 * The one place engine errors become n8n errors: bad input or a forbidden move is the user's to
 * fix (NodeOperationError); a database that cannot be used is the store's (NodeApiError). Both
 * store drivers wrap their database's errors in CadenceStoreError, so nothing here guesses from
 * error codes.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	options: NodeErrorOptions = {},
): NodeOperationError | NodeApiError {
	const { itemIndex, labels } = options;
	if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
	if (error instanceof CadenceValidationError && labels) {
		const problems = error.problems.map((p) =>
			labels[p.field] ? `The "${labels[p.field]}" parameter: ${p.message}` : error.message,
		);
		return new NodeOperationError(node, [...new Set(problems)].join('; '), {
			itemIndex,
			description: error.message,
		});
	}
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
	if (error instanceof CadenceStoreError) {
		const { message, problem } = error;
		return new NodeApiError(node, { message } as JsonObject, {
			itemIndex,
			message: HEADLINES[problem],
			description: `${message} ${ADVICE[problem]}`,
		});
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

const HEADLINES: Record<StoreProblem, string> = {
	unreachable: 'The cadence store could not be used',
	busy: 'The cadence store was busy',
	diskFull: 'The disk of the cadence store is full',
	readOnly: 'The cadence store can only be read',
	storeLost: 'The cadence store file is gone',
	outcomeUnknown: 'The cadence store may not have saved the change',
	failed: 'The cadence store could not be used',
};

/** What is known about the write, and what to do: the one place these texts live. */
const ADVICE: Record<StoreProblem, string> = {
	unreachable: 'Nothing was written. Run the node again once the store is reachable.',
	busy: 'Nothing was written. Another process held the store for too long; run the node again.',
	diskFull:
		'Nothing was written. Free space on the disk that holds the store (or raise the database’s quota), then run the node again.',
	readOnly:
		'Nothing was written. Let n8n write to the store — the SQLite file and its folder must be writable by the user n8n runs as; a Postgres server must accept writes for the credential’s user — then run the node again.',
	storeLost: 'Nothing was written.',
	outcomeUnknown:
		'Check the enrollment’s timeline (Cadence → Enrollment → Get Timeline) before running the node again: the change may already be there.',
	failed: 'Nothing was written; the change was rolled back.',
};
