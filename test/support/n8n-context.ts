import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	IDataObject,
	NodeExecutionHint,
} from 'n8n-workflow';
import { closeSharedStores, leaseStore } from '../../engine/store/shared-stores';
import type { CadenceStore } from '../../engine/store/store';

/**
 * A stand-in for n8n's execute context, enough to run a node's execute() in a unit test against a
 * real SQLite store. Parameters are given per item, already resolved (as n8n would after
 * evaluating expressions); dotted names reach into collections ("options.agent").
 */
export interface ContextOptions {
	type: string;
	parameters: IDataObject | ((itemIndex: number) => IDataObject);
	items?: INodeExecutionData[];
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	continueOnFail?: boolean;
	/** The node's Settings → On Error (continueOnFail follows from it when set). */
	onError?: INode['onError'];
	inputConnections?: Record<string, unknown>;
	/** Collects the hints the node adds to its run (addExecutionHints). */
	hints?: NodeExecutionHint[];
	/** The workflow the node runs in (Enroll In Cadence prefers that workflow's cadence). */
	workflowId?: string;
}

export function executeContext(options: ContextOptions): IExecuteFunctions {
	const items = options.items ?? [{ json: {} }];
	const paramsFor = (i: number) =>
		typeof options.parameters === 'function' ? options.parameters(i) : options.parameters;
	const node: INode = {
		id: 'node-1',
		name: 'Test node',
		type: `n8n-nodes-cadence.${options.type}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: paramsFor(0) as INode['parameters'],
		credentials: options.credentials
			? Object.fromEntries(Object.keys(options.credentials).map((k) => [k, { id: '1', name: k }]))
			: undefined,
		onError: options.onError,
	};
	const context = {
		getNode: () => node,
		getWorkflow: () => ({
			id: options.workflowId ?? 'workflow-1',
			name: 'Test workflow',
			active: true,
		}),
		getInputData: () => items,
		continueOnFail: () =>
			options.continueOnFail ??
			(options.onError !== undefined && options.onError !== 'stopWorkflow'),
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = name
				.split('.')
				.reduce<unknown>((v, part) => (v as IDataObject | undefined)?.[part], paramsFor(itemIndex));
			if (value !== undefined) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		getCredentials: async (name: string) => {
			const data = options.credentials?.[name];
			if (!data) throw new Error(`Node does not have any credentials set for "${name}"`);
			return data;
		},
		getTimezone: () => 'UTC',
		getInputConnectionData: async (type: string) => options.inputConnections?.[type],
		addExecutionHints: (...hints: NodeExecutionHint[]) => options.hints?.push(...hints),
		helpers: {},
		logger: {
			debug: () => undefined,
			info: () => undefined,
			warn: () => undefined,
			error: () => undefined,
		},
	};
	return context as unknown as IExecuteFunctions;
}

/** A fresh SQLite store file for one test, reachable both by nodes (credential) and the test. */
export interface NodeTestStore {
	credentials: Record<string, ICredentialDataDecryptedObject>;
	store: CadenceStore;
	dispose(): Promise<void>;
}

export async function nodeTestStore(): Promise<NodeTestStore> {
	const dir = mkdtempSync(join(tmpdir(), 'cadence-node-'));
	const path = join(dir, 'cadence.sqlite');
	const lease = await leaseStore({ kind: 'sqlite', path });
	return {
		credentials: { cadenceStoreApi: { backend: 'sqlite', sqlitePath: path } },
		store: lease.store,
		dispose: async () => {
			lease.release();
			await closeSharedStores();
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
