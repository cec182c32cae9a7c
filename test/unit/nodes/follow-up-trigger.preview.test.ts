import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import * as sharedStores from '../../../engine/store/shared-stores';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { readStepItem } from '../../../nodes/shared/step-item';
import { prospecting } from '../../support/cadences';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { count, rawDriver } from '../../support/raw-sql';
import { triggerContext } from '../../support/trigger-context';

/** A manual run in the editor: a preview for a sandbox contact, the real store left alone. */
const node = new FollowUpTrigger();
const SATURDAY = Date.parse('2026-03-07T10:00:00Z');
const TABLES = [
	'cadences',
	'cadence_versions',
	'enrollments',
	'step_runs',
	'events',
	'messages',
	'suppressions',
	'goals',
];

const cadence: IDataObject = {
	cadenceName: 'Nudges',
	steps: {
		step: [
			{
				name: 'Check in',
				waitAmount: 1,
				waitUnit: 'hours',
				composeMode: 'aiAssisted',
				instruction: 'Ask how the trial is going',
				staticText: 'How is the trial going, {{firstName}}?',
			},
			{ waitAmount: 2, waitUnit: 'days', composeMode: 'static', staticText: 'Any questions?' },
		],
	},
	sendingWindow: {
		timeZone: 'UTC',
		workingHours: { window: [{ days: 'weekdays', from: '09:00', to: '17:00' }] },
	},
};

let t: NodeTestStore;
beforeEach(async () => {
	jest.useFakeTimers({ now: SATURDAY });
	t = await nodeTestStore();
});
afterEach(async () => {
	jest.restoreAllMocks();
	await t.dispose();
	jest.useRealTimers();
});

async function preview(parameters: IDataObject) {
	const harness = triggerContext({ parameters, credentials: t.credentials, mode: 'manual' });
	const response = await harness.activate(node);
	expect(response.closeFunction).toBeUndefined();
	expect(harness.crons).toEqual([]);
	await response.manualTriggerFunction!();
	return harness.emitted;
}

async function rowCounts(): Promise<Record<string, number>> {
	const db = rawDriver({ kind: 'sqlite', path: String(t.credentials.cadenceStoreApi.sqlitePath) });
	try {
		const counts: Record<string, number> = {};
		for (const table of TABLES)
			counts[table] = await count(db, `SELECT COUNT(*) AS n FROM ${table}`);
		return counts;
	} finally {
		await db.close();
	}
}

describe('Follow-up Trigger preview in the editor', () => {
	it('emits one preview item built like a real step, and touches no real enrollment', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'real' }]);
		const before = await rowCounts();
		const lease = jest.spyOn(sharedStores, 'leaseStore');

		const emitted = await preview({
			...cadence,
			options: {
				sandboxContactName: 'Ann',
				sandboxVariables: { variable: [{ name: 'firstName', value: 'Ann' }] },
			},
		});

		expect(emitted).toHaveLength(1);
		expect(emitted[0]).toHaveLength(1); // one output: no events picked
		expect(emitted[0][0]).toHaveLength(1);
		const item = emitted[0][0][0].json;
		const monday = '2026-03-09T09:00:00.000Z';
		expect(item).toMatchObject({
			preview: true,
			enrollmentId: 0,
			stepRunId: 0,
			cadence: 'Nudges',
			cadenceVersion: 0,
			step: 1,
			stepCount: 2,
			isLastStep: false,
			stepName: 'Check in',
			instruction: 'Ask how the trial is going',
			staticText: 'How is the trial going, {{firstName}}?',
			composeMode: 'aiAssisted',
			contact: { key: 'sandbox-contact', name: 'Ann', variables: { firstName: 'Ann' } },
			dueAt: monday,
			claimedAt: new Date(SATURDAY).toISOString(),
			reason: 'deferred: closed on Saturday in UTC',
			history: [],
		});
		expect(item.idempotencyKey).toMatch(/^preview-/);
		expect(readStepItem(item)).toMatchObject({ preview: true, enrollmentId: 0, stepRunId: 0 });

		const timeline = item.previewTimeline as IDataObject[];
		expect(timeline.map((e) => [e.event, e.step ?? null, e.at])).toEqual([
			['enrolled', null, new Date(SATURDAY).toISOString()],
			['send', 1, monday],
			['send', 2, '2026-03-11T09:00:00.000Z'],
			['completed', null, '2026-03-11T09:00:00.000Z'],
		]);
		expect(timeline[1]).toMatchObject({ composeMode: 'aiAssisted', reason: item.reason });

		expect(lease).not.toHaveBeenCalled();
		expect(await rowCounts()).toEqual(before);
		expect(await t.store.getCadence('Nudges')).toBeNull();
	});

	it('previews a later step as if the earlier ones had gone out', async () => {
		const emitted = await preview({ ...cadence, options: { sandboxStep: 2 } });
		const item = emitted[0][0][0].json;
		expect(item).toMatchObject({
			step: 2,
			isLastStep: true,
			composeMode: 'static',
			staticText: 'Any questions?',
			contact: { name: 'Alex', variables: {} },
			dueAt: '2026-03-11T09:00:00.000Z',
		});
		expect(item.history).toEqual([
			{
				direction: 'outbound',
				author: 'followUp',
				text: 'How is the trial going, {{firstName}}?',
				channel: null,
				at: '2026-03-09T09:00:00.000Z',
			},
		]);
	});

	it('fills both outputs when events are picked, leaving Events empty', async () => {
		const emitted = await preview({ ...cadence, options: { emitEvents: ['replied'] } });
		expect(emitted[0]).toHaveLength(2);
		expect(emitted[0][0]).toHaveLength(1);
		expect(emitted[0][1]).toEqual([]);
	});

	it('fails on invalid parameters the same way activation does', async () => {
		const harness = triggerContext({
			parameters: { ...cadence, sendingWindow: { timeZone: 'Nowhere/Land' } },
			mode: 'manual',
		});
		await expect(harness.activate(node)).rejects.toThrow(
			/^Sending Window → Time Zone: use an IANA time zone name/,
		);
	});

	it('says which steps exist when the sandbox step is beyond the last one', async () => {
		const attempt = preview({ ...cadence, options: { sandboxStep: 3 } });
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(
			'The "Options → Sandbox Step" parameter is 3, but the cadence has 2 step(s)',
		);
	});
});
