import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ILoadOptionsFunctions, INode, INodeProperties } from 'n8n-workflow';
import { closeSharedStores, leaseStore } from '../../../engine/store/shared-stores';
import { prospecting } from '../../support/cadences';
import { propertiesWithPath, registeredNodes } from '../../support/registered-nodes';

/**
 * The cadence picker ("From List") in the default setup: no credential at all, so the nodes use
 * the SQLite file in the n8n user folder. n8n's editor shows "Add your credential" instead of the
 * list for a node whose credential is unset, unless the list mode sets skipCredentialsCheckInRLC.
 */

const pickers = registeredNodes().flatMap(({ className, node }) =>
	propertiesWithPath(node.description.properties)
		.filter(({ property }) => property.type === 'resourceLocator')
		.filter(({ property }) =>
			(property.modes ?? []).some((m) => m.typeOptions?.searchListMethod === 'searchCadences'),
		)
		.map(({ path, property }) => ({
			where: `${className} › ${where(path, property)}`,
			node,
			property,
		})),
);

function where(path: string, property: INodeProperties): string {
	const shown = property.displayOptions?.show;
	return shown ? `${path} (${JSON.stringify(shown)})` : path;
}

/** What n8n hands a list search method: the node as saved on the canvas, here without a credential. */
function loadOptionsContext(node: INode): ILoadOptionsFunctions {
	return {
		getNode: () => node,
		getCredentials: async () => {
			throw new Error('Node does not have any credentials set');
		},
	} as unknown as ILoadOptionsFunctions;
}

it('finds the cadence pickers of Enroll In Cadence and Cadence (simulate, get many, reports)', () => {
	const names = pickers.map((p) => p.where);
	expect(names.some((n) => n.startsWith('EnrollInCadence › Cadence'))).toBe(true);
	for (const shown of ['simulate', 'getAll', 'funnel', 'stateDistribution', 'stuckSteps'])
		expect([shown, names.some((n) => n.startsWith('Cadence › ') && n.includes(shown))]).toEqual([
			shown,
			true,
		]);
});

describe.each(pickers.map((p) => [p.where, p] as const))('%s', (_where, { node, property }) => {
	it('loads its list with no credential set', () => {
		const list = (property.modes ?? []).find((m) => m.type === 'list');
		expect(list?.typeOptions).toMatchObject({
			searchListMethod: 'searchCadences',
			skipCredentialsCheckInRLC: true,
		});
	});

	it('has a search method that lists the default store’s cadences without a credential', async () => {
		const folder = mkdtempSync(join(tmpdir(), 'cadence-picker-'));
		const previous = process.env.N8N_USER_FOLDER;
		process.env.N8N_USER_FOLDER = folder;
		try {
			const path = join(folder, '.n8n', 'cadence', 'cadence.sqlite');
			const lease = await leaseStore({ kind: 'sqlite', path });
			await lease.store.publishCadence(prospecting);
			await lease.store.publishCadence({ ...prospecting, name: 'Invoices', active: false });
			lease.release();

			const canvasNode: INode = {
				id: 'n1',
				name: node.description.displayName,
				type: `n8n-nodes-cadence.${node.description.name}`,
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			};
			const method = node.methods!.listSearch!.searchCadences;
			const all = await method.call(loadOptionsContext(canvasNode));
			expect(all.results).toEqual(
				expect.arrayContaining([
					{ name: 'Prospecting', value: 'Prospecting' },
					{ name: 'Invoices (paused)', value: 'Invoices' },
				]),
			);
			const found = await method.call(loadOptionsContext(canvasNode), 'invo');
			expect(found.results).toEqual([{ name: 'Invoices (paused)', value: 'Invoices' }]);
		} finally {
			await closeSharedStores();
			if (previous === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = previous;
			rmSync(folder, { recursive: true, force: true });
		}
	});
});

it('lists a name two workflows share with each workflow, picked as "Name #id"', async () => {
	const folder = mkdtempSync(join(tmpdir(), 'cadence-picker-'));
	const previous = process.env.N8N_USER_FOLDER;
	process.env.N8N_USER_FOLDER = folder;
	try {
		const path = join(folder, '.n8n', 'cadence', 'cadence.sqlite');
		const lease = await leaseStore({ kind: 'sqlite', path });
		const owner = (workflowId: string, workflowName: string) => ({
			workflowId,
			nodeId: 'trigger',
			workflowName,
		});
		const acme = await lease.store.publishCadence(prospecting, owner('wf-1', 'Acme follow-ups'));
		const beta = await lease.store.publishCadence(prospecting, owner('wf-2', 'Beta follow-ups'));
		await lease.store.publishCadence({ ...prospecting, name: 'Invoices' }, owner('wf-3', 'Bills'));
		lease.release();

		const { node } = pickers[0];
		const canvasNode: INode = {
			id: 'n1',
			name: node.description.displayName,
			type: `n8n-nodes-cadence.${node.description.name}`,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const all = await node.methods!.listSearch!.searchCadences.call(loadOptionsContext(canvasNode));
		expect(all.results).toEqual([
			{ name: 'Invoices', value: 'Invoices' },
			{ name: 'Prospecting — workflow "Acme follow-ups"', value: `Prospecting #${acme.id}` },
			{ name: 'Prospecting — workflow "Beta follow-ups"', value: `Prospecting #${beta.id}` },
		]);
	} finally {
		await closeSharedStores();
		if (previous === undefined) delete process.env.N8N_USER_FOLDER;
		else process.env.N8N_USER_FOLDER = previous;
		rmSync(folder, { recursive: true, force: true });
	}
});
