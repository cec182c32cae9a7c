import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import * as enrollment from '../../../nodes/Cadence/actions/enrollment/Enrollment.resource';
import * as report from '../../../nodes/Cadence/actions/report/Report.resource';
import * as signal from '../../../nodes/Cadence/actions/signal/Signal.resource';
import * as simulation from '../../../nodes/Cadence/actions/simulation/Simulation.resource';
import { sharedMethods } from '../../../nodes/shared/methods';
import { executeContext } from '../../support/n8n-context';

const node = new Cadence();
const { description } = node;
const modules: Record<string, { operations: Record<string, unknown> }> = {
	enrollment,
	report,
	signal,
	simulation,
};

const operationsOf = (resource: string) =>
	description.properties.find(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.[0] === resource,
	)!.options as INodePropertyOptions[];

describe('Cadence node description', () => {
	it('is the "cadence" node, usable as a tool, with the optional store credential', () => {
		expect(description).toMatchObject({
			name: 'cadence',
			displayName: 'Cadence',
			version: 1,
			usableAsTool: true,
			subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
			credentials: [{ name: 'cadenceStoreApi', required: false, testedBy: 'cadenceStoreTest' }],
		});
		expect(node.methods).toBe(sharedMethods);
	});

	it('ships both icons it names', () => {
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			expect(existsSync(join(__dirname, '../../../nodes/Cadence', file.replace('file:', '')))).toBe(
				true,
			);
		}
	});

	it('offers exactly the operations the router runs, each with an action label', () => {
		const resources = (description.properties[0].options as INodePropertyOptions[]).map(
			(o) => o.value as string,
		);
		expect(resources).toEqual(['enrollment', 'report', 'signal', 'simulation']);
		for (const resource of resources) {
			const offered = operationsOf(resource);
			expect(offered.map((o) => o.value).sort()).toEqual(
				Object.keys(modules[resource].operations).sort(),
			);
			for (const option of offered) expect(option.action).toMatch(/^[A-Z]/);
		}
		expect(operationsOf('enrollment').map((o) => o.value)).toEqual([
			'cancel',
			'get',
			'getAll',
			'getTimeline',
			'pause',
			'resume',
			'skipStep',
		]);
		expect(operationsOf('signal').map((o) => o.value)).toEqual([
			'conversationStatus',
			'deliveryStatus',
			'goalReached',
			'markSent',
			'optedOut',
			'resolved',
		]);
		expect(operationsOf('report').map((o) => o.value)).toEqual([
			'funnel',
			'replyRates',
			'stateDistribution',
			'stuckSteps',
		]);
	});

	it('shows every operation parameter for its own resource and operation only', () => {
		const seen = new Map<string, INodeProperties>();
		for (const property of description.properties.slice(1)) {
			const show = property.displayOptions?.show ?? {};
			expect(show.resource).toHaveLength(1);
			if (property.name === 'operation') continue;
			expect(show.operation).toHaveLength(1);
			// Two parameters with one name may only share an operation when other conditions split them.
			const extra = Object.keys(show).filter((k) => k !== 'resource' && k !== 'operation');
			const key = `${show.resource![0]}.${show.operation![0]}.${property.name}.${extra.map((k) => `${k}=${show[k]}`).join()}`;
			expect(seen.has(key)).toBe(false);
			seen.set(key, property);
		}
	});

	it('defaults the ids to the incoming item’s fields', () => {
		const defaults = description.properties
			.filter((p) => p.name === 'enrollmentId' || p.name === 'stepRun')
			.map((p) => p.default);
		expect(new Set(defaults)).toEqual(
			new Set(['={{ $json.enrollmentId }}', '={{ $json.stepRunId }}']),
		);
	});
});

describe('Cadence node execution', () => {
	const unreachable = {
		cadenceStoreApi: {
			backend: 'postgres',
			host: '127.0.0.1',
			port: 1,
			database: 'x',
			user: 'x',
			password: '',
			schema: 'cadence',
		},
	};
	const get = { resource: 'enrollment', operation: 'get', enrollmentId: '1' };

	it('refuses an operation it does not know', async () => {
		const context = executeContext({
			type: 'cadence',
			parameters: { resource: 'enrollment', operation: 'delete' } as IDataObject,
		});
		await expect(node.execute.call(context)).rejects.toThrow(NodeOperationError);
		await expect(node.execute.call(context)).rejects.toThrow(
			/operation "delete" is not supported for the resource "enrollment"/,
		);
	});

	it('turns an unreachable store into an API error a user can act on', async () => {
		const context = executeContext({ type: 'cadence', parameters: get, credentials: unreachable });
		const attempt = node.execute.call(context);
		await expect(attempt).rejects.toThrow(NodeApiError);
		await expect(attempt).rejects.toThrow(/cadence store could not be used/);
	});

	it('with Continue On Fail, gives every item an error item when the store is down', async () => {
		const [out] = await node.execute.call(
			executeContext({
				type: 'cadence',
				parameters: get,
				credentials: unreachable,
				items: [{ json: {} }, { json: {} }],
				continueOnFail: true,
			}),
		);
		expect(out).toEqual([
			{ json: { error: 'The cadence store could not be used' }, pairedItem: { item: 0 } },
			{ json: { error: 'The cadence store could not be used' }, pairedItem: { item: 1 } },
		]);
	});
});
