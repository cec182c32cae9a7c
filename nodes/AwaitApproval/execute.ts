import {
	NodeOperationError,
	WAIT_INDEFINITELY,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import { failedItemMessage } from '../shared/items';
import { immediateOutcome, timeoutOutcome, toOutputs } from './outcome';
import { buildRequest } from './request';
import { saveState, type ApprovalRequest } from './state';
import { prepareDrafts, recordDeadlines } from './store-sync';
import { arrangeTimeoutOutputs } from './timeout-route';

const UNIT_MS = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 } as const;

/**
 * Puts every input item up for review and the execution to wait. Nothing leaves this node until
 * the reviewer answers on the approval link (see webhook.ts) or the time limit passes; the node
 * placed before it sends the link, {{ $execution.resumeUrl }}.
 *
 * Items that need no review never wait: the trigger's preview passes to Approved at once (a run
 * of only previews does not wait at all), and an item that cannot be reviewed fails the node, or
 * with Continue On Fail leaves by Timed Out with its error when the wait ends.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const requests: ApprovalRequest[] = items.map((item, itemIndex) => {
		try {
			return buildRequest(this, itemIndex, item);
		} catch (error) {
			return failed(itemIndex, item.json, failedItemMessage(this, error, itemIndex));
		}
	});
	const limitMs = readTimeLimit(this);
	await prepareDrafts(this, requests);

	const now = Date.now();
	if (requests.every((r) => immediateOutcome(r, now))) {
		return toOutputs(
			requests.map((r) => immediateOutcome(r, now)!),
			this.getNode(),
		);
	}

	const deadline = now + limitMs;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	saveState(this, {
		version: 1,
		createdAt: now,
		deadline,
		title: String(options.title ?? '').trim() || 'Review this follow-up',
		note: String(options.note ?? '').trim(),
		askName: options.askName !== false,
		requests,
	});
	const routed = arrangeTimeoutOutputs(
		this,
		toOutputs(
			requests.map((r) => timeoutOutcome(r, deadline)),
			this.getNode(),
		),
	);
	if (routed) await recordDeadlines(this, requests, deadline);
	else {
		this.addExecutionHints({
			message:
				'This n8n version cannot route a timed-out approval, so this approval waits without a time limit. Nothing is sent until someone decides.',
			type: 'warning',
			location: 'outputPane',
		});
	}
	showLinkInEditor(this);
	await this.putExecutionToWait(routed ? new Date(deadline) : WAIT_INDEFINITELY);
	return [[], [], []];
}

function failed(index: number, json: IDataObject, error: string): ApprovalRequest {
	return {
		index,
		base: json,
		draft: '',
		staticText: '',
		onTimeout: 'escalate',
		step: null,
		contact: { name: '', key: '' },
		history: [],
		error,
	};
}

/** One time limit for the whole run: the execution waits once, for all its items. */
function readTimeLimit(context: IExecuteFunctions): number {
	const amount = Number(context.getNodeParameter('timeLimit', 0, 24));
	const unit = String(context.getNodeParameter('timeLimitUnit', 0, 'hours'));
	const unitMs = UNIT_MS[unit as keyof typeof UNIT_MS];
	if (!unitMs) {
		throw new NodeOperationError(
			context.getNode(),
			`The "Time Limit Unit" has no choice "${unit}"`,
			{
				description: 'Use minutes, hours or days.',
			},
		);
	}
	if (!Number.isFinite(amount) || amount < 1 || amount * unitMs > 365 * UNIT_MS.days) {
		throw new NodeOperationError(
			context.getNode(),
			`The "Time Limit" must be at least 1 and at most a year, not ${JSON.stringify(amount)}`,
			{ description: 'Give how long the reviewer has to decide, e.g. 24 hours.' },
		);
	}
	return Math.round(amount * unitMs);
}

/** The editor shows a waiting node's link from this metadata, as for n8n's own Wait node. */
function showLinkInEditor(context: IExecuteFunctions): void {
	try {
		const resumeUrl = context.evaluateExpression('{{ $execution.resumeUrl }}', 0);
		if (typeof resumeUrl === 'string') context.setMetadata({ resumeUrl });
	} catch {
		// Only a convenience in the editor.
	}
}
