import type {
	INode,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';
import { WorkflowExecute } from 'n8n-core';
import { AwaitApproval } from '../../../nodes/AwaitApproval/AwaitApproval.node';
import { executeContext, type ContextOptions } from '../../support/n8n-context';

/**
 * Stand-ins for the n8n contexts Await Approval meets: execute() before the wait, webhook() on
 * the approval link, and the engine resuming a wait that timed out. What the node keeps in its
 * execution context travels from one to the other exactly as n8n saves it: as JSON.
 */

export const node = new AwaitApproval();
export const NODE_NAME = 'Await Approval';
export const RESUME_URL = 'http://localhost:5678/webhook-waiting/42?signature=abc';

export interface Waiting {
	/** The outputs of execute(): what n8n shows while waiting (nothing), or the immediate result. */
	outputs: INodeExecutionData[][];
	/** The time given to putExecutionToWait, or null when the node did not wait. */
	waitTill: Date | null;
	/** The node's execution context as n8n would save it. */
	contextData: IDataObject;
	/** The execution-stack entry as n8n would save it. */
	executeData: IExecuteData;
	metadata: IDataObject;
	hints: unknown[];
}

export interface ApprovalRunOptions extends Omit<ContextOptions, 'type'> {
	/** Paired items of earlier nodes, per node name and input item index. */
	upstream?: Record<string, IDataObject[]>;
	/** Parent node names, nearest first. */
	parents?: string[];
	/** Leave out getExecuteData, as an engine that does not hand it out would. */
	withoutExecuteData?: boolean;
}

export async function startApproval(options: ApprovalRunOptions): Promise<Waiting> {
	const context = executeContext({ ...options, type: 'awaitApproval' });
	const items = context.getInputData();
	const nodeContext: IDataObject = {};
	const executeData: IExecuteData = {
		data: { main: [items] },
		node: { ...context.getNode(), name: NODE_NAME },
		source: { main: [{ previousNode: 'Notify' }] },
	};
	let waitTill: Date | null = null;
	const metadata: IDataObject = {};
	const hints: unknown[] = [];
	const parents = options.parents ?? Object.keys(options.upstream ?? {});
	const self = { ...context.getNode(), name: NODE_NAME };
	Object.assign(context, {
		getNode: () => self,
		getContext: (type: string) => {
			if (type !== 'node') throw new Error('only the node context is used');
			return nodeContext;
		},
		getExecuteData: options.withoutExecuteData ? undefined : () => executeData,
		putExecutionToWait: async (date: Date) => {
			waitTill = date;
		},
		setMetadata: (data: IDataObject) => Object.assign(metadata, data),
		addExecutionHints: (...h: unknown[]) => hints.push(...h),
		getParentNodes: (_name: string, opts: { depth?: number } = {}) =>
			parents.slice(0, opts.depth ?? parents.length).map((name) => ({ name })),
		evaluateExpression: (expression: string, itemIndex = 0) => {
			if (expression.includes('$execution.resumeUrl')) return RESUME_URL;
			const paired = /^\{\{ \$\((".*")\)\.item\.json \}\}$/.exec(expression);
			if (paired) {
				const json = options.upstream?.[JSON.parse(paired[1]) as string]?.[itemIndex];
				if (!json) throw new Error('no paired item');
				return json;
			}
			throw new Error(`unexpected expression ${expression}`);
		},
	});
	const outputs = await node.execute.call(context as IExecuteFunctions);
	return {
		outputs,
		waitTill,
		// n8n keeps both as JSON in the waiting execution.
		contextData: JSON.parse(JSON.stringify(nodeContext)) as IDataObject,
		executeData: JSON.parse(JSON.stringify(executeData)) as IExecuteData,
		metadata,
		hints,
	};
}

/**
 * What n8n does when the time limit passes: it disables the waiting node and runs it again, which
 * passes on the stack entry's data. This calls n8n-core's own code for that step.
 */
export function resumeAfterTimeLimit(waiting: Waiting): INodeExecutionData[][] {
	const engine = WorkflowExecute.prototype as unknown as {
		handleDisabledNode(
			inputData: IExecuteData['data'],
			forwardAllOutputs?: boolean,
		): { data: INodeExecutionData[][] | undefined };
	};
	const { data, metadata } = waiting.executeData;
	return engine.handleDisabledNode(data, metadata?.forwardAllOutputs).data ?? [];
}

export interface Response {
	status: number;
	headers: Record<string, string>;
	body: string;
}

export interface LinkCall {
	method: 'GET' | 'POST';
	body?: IDataObject;
	query?: IDataObject;
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** The node's Settings → On Error. */
	onError?: INode['onError'];
}

/** Opens the approval link (GET) or sends the form (POST) for a waiting execution. */
export async function openLink(waiting: Waiting, call: LinkCall) {
	const response: Response = { status: 200, headers: {}, body: '' };
	const res = {
		status: (code: number) => {
			response.status = code;
			return res;
		},
		setHeader: (name: string, value: string) => {
			response.headers[name.toLowerCase()] = value;
			return res;
		},
		send: (body: string) => {
			response.body = body;
			return res;
		},
	};
	const context = {
		getNode: () => ({
			id: 'node-1',
			name: NODE_NAME,
			type: 'n8n-nodes-cadence.awaitApproval',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: call.credentials
				? Object.fromEntries(Object.keys(call.credentials).map((k) => [k, { id: '1', name: k }]))
				: undefined,
			onError: call.onError,
		}),
		getRequestObject: () => ({ method: call.method }),
		getResponseObject: () => res,
		getBodyData: () => call.body ?? {},
		getQueryData: () => call.query ?? {},
		getTimezone: () => 'UTC',
		getCredentials: async (name: string) => {
			const data = call.credentials?.[name];
			if (!data) throw new Error(`Node does not have any credentials set for "${name}"`);
			return data;
		},
		evaluateExpression: (expression: string) => {
			const self = /^\{\{ \$\("Await Approval"\)\.context\["(\w+)"\] \}\}$/.exec(expression);
			if (!self) throw new Error(`unexpected expression ${expression}`);
			return waiting.contextData[self[1]];
		},
	};
	const result = await node.webhook.call(context as unknown as IWebhookFunctions);
	return { result, response };
}

/** Approve (or discard) the only item, as the page's buttons do. */
export const press = (action: 'approve' | 'discard', fields: IDataObject = {}): LinkCall => ({
	method: 'POST',
	body: { action, ...fields },
});
