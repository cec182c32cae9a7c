import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	NodeConnectionTypes,
	Workflow,
	type IConnections,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import {
	closeSharedStores,
	defaultSqlitePath,
	leaseStore,
} from '../../../engine/store/shared-stores';
import type { CadenceStore } from '../../../engine/store/store';
import type { ClaimedStep } from '../../../engine/store/types';
import { prospecting } from '../../support/cadences';
import { DAY } from '../../support/virtual-clock';

/**
 * The Cadence node inside n8n's own workflow engine (n8n-core's WorkflowExecute), not a mock:
 * parameter defaults filled in by n8n, expressions such as {{ $json.enrollmentId }} evaluated by
 * n8n, and paired items followed back to the Follow-up Trigger the way the editor does.
 * Without a credential the node uses the default SQLite file in the n8n user folder.
 */

/** A stand-in for the Follow-up Trigger: emits the claimed steps and one preview item. */
const followUpTrigger = (claims: () => ClaimedStep[]): INodeType => ({
	description: {
		displayName: 'Follow-up Trigger',
		name: 'followUpTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		const items: INodeExecutionData[] = claims().map((c) => ({
			json: { enrollmentId: c.enrollment.id, stepRunId: c.stepRun.id },
		}));
		items.push({ json: { enrollmentId: 0, stepRunId: 0, preview: true } });
		return [items];
	},
});

/** A channel node: outputs the API response, none of the trigger's fields. */
const sendNode: INodeType = {
	description: {
		displayName: 'Send',
		name: 'send',
		group: ['output'],
		version: 1,
		description: '',
		defaults: {},
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(this: IExecuteFunctions) {
		return [
			this.getInputData().map((_, i) => ({
				json: { message_id: 100 + i },
				pairedItem: { item: i },
			})),
		];
	},
};

let userFolder: string;
let previousUserFolder: string | undefined;
let store: CadenceStore;
let release: () => void;

beforeEach(async () => {
	previousUserFolder = process.env.N8N_USER_FOLDER;
	userFolder = mkdtempSync(join(tmpdir(), 'n8n-user-'));
	process.env.N8N_USER_FOLDER = userFolder;
	const lease = await leaseStore({ kind: 'sqlite', path: defaultSqlitePath() });
	({ store, release } = lease);
	await store.publishCadence(prospecting);
});
afterEach(async () => {
	release();
	await closeSharedStores();
	process.env.N8N_USER_FOLDER = previousUserFolder;
	rmSync(userFolder, { recursive: true, force: true });
});

async function runWorkflow(nodes: INode[], connections: IConnections, types: INodeTypes) {
	const workflow = new Workflow({
		id: 'wf',
		name: 'wf',
		active: false,
		nodes,
		connections,
		nodeTypes: types,
		settings: { executionOrder: 'v1' },
	});
	const additionalData = {
		hooks: new ExecutionLifecycleHooks('manual', 'execution-1', {
			id: 'wf',
			name: 'wf',
			active: false,
			nodes,
			connections,
			settings: {},
			createdAt: new Date(),
			updatedAt: new Date(),
			isArchived: false,
			activeVersionId: null,
		}),
		variables: {},
		restApiUrl: 'http://127.0.0.1',
		instanceBaseUrl: 'http://127.0.0.1',
		webhookBaseUrl: 'http://127.0.0.1',
		webhookWaitingBaseUrl: 'http://127.0.0.1',
		webhookTestBaseUrl: 'http://127.0.0.1',
		formWaitingBaseUrl: 'http://127.0.0.1',
		userId: 'user',
	} as unknown as IWorkflowExecuteAdditionalData;
	const start = workflow.getNode(nodes[0].name)!;
	const run = await new WorkflowExecute(additionalData, 'manual').run({
		workflow,
		startNode: start,
	});
	expect(run.data.resultData.error).toBeUndefined();
	return (name: string) => run.data.resultData.runData[name][0].data!.main[0]!;
}

const node = (name: string, type: string, parameters: INode['parameters'] = {}): INode => ({
	id: name,
	name,
	type,
	typeVersion: 1,
	position: [0, 0],
	parameters,
});
const chain = (...names: string[]): IConnections =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

describe('Cadence node in a real n8n workflow', () => {
	it('Trigger → send → "Cadence: Mark Sent" → timeline, with nothing mapped by hand', async () => {
		await store.enroll(
			['+1', '+2'].map((contactKey) => ({
				cadence: 'Prospecting',
				contactKey,
				startAt: Date.now() - 10 * DAY,
			})),
		);
		const claims = await store.claimDue({ cadence: 'Prospecting' });
		const types: Record<string, INodeType> = {
			'n8n-nodes-cadence.followUpTrigger': followUpTrigger(() => claims),
			'test.send': sendNode,
			'n8n-nodes-cadence.cadence': new Cadence(),
		};
		const nodeTypes = {
			getByName: (type: string) => types[type],
			getByNameAndVersion: (type: string) => types[type],
			getKnownTypes: () => ({}),
		} as unknown as INodeTypes;
		const output = await runWorkflow(
			[
				node('Follow-up Trigger', 'n8n-nodes-cadence.followUpTrigger'),
				node('Send WhatsApp', 'test.send'),
				node('Mark Sent', 'n8n-nodes-cadence.cadence', {
					resource: 'signal',
					operation: 'markSent',
				}),
				node('Timeline', 'n8n-nodes-cadence.cadence', {
					resource: 'enrollment',
					operation: 'getTimeline',
					view: 'stepRuns',
				}),
			],
			chain('Follow-up Trigger', 'Send WhatsApp', 'Mark Sent', 'Timeline'),
			nodeTypes,
		);

		const marked = output('Mark Sent');
		expect(marked.map((o) => [o.json.stepRunId, o.json.status, o.pairedItem])).toEqual([
			[claims[0].stepRun.id, 'sent', { item: 0 }],
			[claims[1].stepRun.id, 'sent', { item: 1 }],
			[undefined, undefined, { item: 2 }],
		]);
		expect(marked[2].json).toMatchObject({ message_id: 102, preview: true });
		for (const claim of claims) {
			expect(await store.getEnrollment(claim.enrollment.id)).toMatchObject({ nextStep: 1 });
		}
		// The default {{ $json.enrollmentId }} reads Mark Sent's output; the preview passes again.
		const timeline = output('Timeline');
		expect(timeline.map((o) => [o.json.enrollmentId, o.json.status])).toEqual([
			[claims[0].enrollment.id, 'sent'],
			[claims[1].enrollment.id, 'sent'],
			[undefined, undefined],
		]);
		expect(timeline[2].json.note).toMatch(/nothing was written/);
	});

	it('simulates the example definition a new node starts with', async () => {
		const manual: INodeType = { ...sendNode, description: { ...sendNode.description, inputs: [] } };
		manual.execute = async () => [[{ json: {} }]];
		const types: Record<string, INodeType> = {
			'test.manual': manual,
			'n8n-nodes-cadence.cadence': new Cadence(),
		};
		const nodeTypes = {
			getByName: (type: string) => types[type],
			getByNameAndVersion: (type: string) => types[type],
			getKnownTypes: () => ({}),
		} as unknown as INodeTypes;
		const output = await runWorkflow(
			[
				node('Start', 'test.manual'),
				node('Simulate', 'n8n-nodes-cadence.cadence', {
					resource: 'simulation',
					operation: 'simulate',
					cadenceSource: 'json',
					startAt: '2026-03-02T09:00:00Z',
				}),
			],
			chain('Start', 'Simulate'),
			nodeTypes,
		);
		expect(output('Simulate').map((o) => [o.json.type, o.json.afterStart, o.json.text])).toEqual([
			['enrolled', '0m', null],
			['send', '4h', 'Still there, {{firstName}}?'],
			['send', '1d 4h', 'Is this still relevant?'],
			['send', '3d 4h', 'Goodbye for now!'],
			['completed', '3d 4h', null],
		]);
	});
});
