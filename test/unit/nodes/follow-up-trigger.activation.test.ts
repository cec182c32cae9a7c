import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceStore } from '../../../engine/store/store';
import * as sharedStores from '../../../engine/store/shared-stores';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { DEFAULT_STEP } from '../../../nodes/FollowUpTrigger/properties/steps';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { triggerContext, type TriggerHarness } from '../../support/trigger-context';

const node = new FollowUpTrigger();

let t: NodeTestStore;
let active: TriggerHarness[];
beforeEach(async () => {
	t = await nodeTestStore();
	active = [];
});
afterEach(async () => {
	for (const harness of active) await harness.deactivate();
	jest.restoreAllMocks();
	await t.dispose();
});

const nudges = (overrides: IDataObject = {}): IDataObject => ({
	cadenceName: 'Nudges',
	active: true,
	steps: { step: [DEFAULT_STEP] },
	...overrides,
});

async function activate(parameters: IDataObject, timezone = 'UTC') {
	const harness = triggerContext({ parameters, credentials: t.credentials, timezone });
	const response = await harness.activate(node);
	active.push(harness);
	return { harness, response };
}

describe('Follow-up Trigger activation', () => {
	it('publishes version 1 from its parameters and checks every 10 seconds', async () => {
		const { harness } = await activate(nudges(), 'America/Chicago');
		const cadence = await t.store.getCadence('Nudges');
		expect(cadence).toMatchObject({ version: 1, active: true });
		expect(cadence!.definition.steps).toEqual([
			expect.objectContaining({ wait: { amount: 3, unit: 'days' }, composeMode: 'static' }),
		]);
		expect(cadence!.definition.schedule.timeZone).toBe('America/Chicago');
		expect(harness.crons).toEqual(['*/10 * * * * *']);
	});

	it('keeps the version when nothing changed, and publishes a new one when a step did', async () => {
		await activate(nudges());
		await activate(nudges({ active: false }));
		expect(await t.store.getCadence('Nudges')).toMatchObject({ version: 1, active: false });

		const edited = { ...DEFAULT_STEP, staticText: 'A new text' };
		await activate(nudges({ steps: { step: [edited] } }));
		const cadence = await t.store.getCadence('Nudges');
		expect(cadence).toMatchObject({ version: 2, active: true });
		expect(cadence!.definition.steps[0].staticText).toBe('A new text');
		expect(await t.store.getCadence('Nudges', 1)).toMatchObject({ version: 1 });
		expect(await t.store.listCadences()).toHaveLength(1);
	});

	it('checks at the interval picked under Options', async () => {
		const { harness } = await activate(nudges({ options: { checkInterval: 60 } }));
		expect(harness.crons).toEqual(['0 * * * * *']);
	});

	it.each([
		[
			'an AI step without an instruction',
			{ steps: { step: [DEFAULT_STEP, { ...DEFAULT_STEP, composeMode: 'aiAssisted' }] } },
			/^Step 2 → Instruction for the AI: an AI step needs an instruction/,
		],
		[
			'a time zone that does not exist',
			{ sendingWindow: { timeZone: 'Europe/Atlantis' } },
			/^Sending Window → Time Zone: use an IANA time zone name/,
		],
		[
			'a holiday that is not a date',
			{ sendingWindow: { holidays: '2026-12-25, 25/12/2026' } },
			/^Sending Window → Holidays \("25\/12\/2026"\): use a real calendar date/,
		],
		[
			'a batch size out of range',
			{ options: { batchSize: 5000 } },
			/^The "Options → Claim Batch Size" parameter is not valid/,
		],
	])('fails on %s, naming the parameter, and publishes nothing', async (_, overrides, message) => {
		const lease = jest.spyOn(sharedStores, 'leaseStore');
		const attempt = activate(nudges(overrides as IDataObject));
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(message);
		expect(lease).not.toHaveBeenCalled();
		expect(await t.store.listCadences()).toEqual([]);
	});

	it('activates with a store that cannot be reached, and reports it with advice at its checks', async () => {
		// n8n 2.41 never retries a trigger whose activation threw: that would be a silent outage.
		jest.useFakeTimers();
		const harness = triggerContext({
			parameters: nudges(),
			credentials: {
				cadenceStoreApi: {
					backend: 'postgres',
					host: '127.0.0.1',
					port: 1,
					database: 'x',
					user: 'x',
					password: '',
					schema: 'cadence',
				},
			},
		});
		active.push(harness);
		await expect(harness.activate(node)).resolves.toEqual({
			closeFunction: expect.any(Function),
		});
		expect(harness.crons).toEqual(['*/10 * * * * *']);
		try {
			await jest.advanceTimersByTimeAsync(10_000);
			await harness.settle();
		} finally {
			jest.useRealTimers();
		}
		expect(harness.failures).toEqual([expect.any(NodeApiError)]);
		expect(harness.failures[0].message).toMatch(/cadence store could not be used/);
	});

	it('releases the store on deactivation, so it closes once nobody uses it', async () => {
		jest.useFakeTimers();
		const dir = mkdtempSync(join(tmpdir(), 'cadence-trigger-'));
		const config = { kind: 'sqlite' as const, path: join(dir, 'own.sqlite') };
		const credentials = { cadenceStoreApi: { backend: 'sqlite', sqlitePath: config.path } };
		const lease = sharedStores.leaseStore;
		const leases: Array<{ store: CadenceStore; release: jest.Mock }> = [];
		jest.spyOn(sharedStores, 'leaseStore').mockImplementation(async (wanted) => {
			const borrowed = await lease(wanted);
			const spied = { store: borrowed.store, release: jest.fn(borrowed.release) };
			leases.push(spied);
			return spied;
		});
		try {
			const harness = triggerContext({ parameters: nudges(), credentials });
			await harness.activate(node);
			expect(leases).toHaveLength(1);
			const [{ store, release }] = leases;
			await jest.advanceTimersByTimeAsync(60_000);
			expect(release).not.toHaveBeenCalled();
			await expect(store.getCadence('Nudges')).resolves.toMatchObject({ version: 1 });

			await harness.deactivate();
			expect(release).toHaveBeenCalledTimes(1);
			// The trigger was the only user: after the idle time the store is closed for real…
			await jest.advanceTimersByTimeAsync(30_000);
			await expect(store.getCadence('Nudges')).rejects.toThrow();
			// …and the file opens again as a fresh store, with the cadence still in it.
			const again = await lease(config);
			expect(again.store).not.toBe(store);
			await expect(again.store.getCadence('Nudges')).resolves.toMatchObject({ version: 1 });
			again.release();
		} finally {
			jest.useRealTimers();
			await sharedStores.closeSharedStores();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
