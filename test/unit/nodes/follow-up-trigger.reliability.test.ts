import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import { ComposeFollowUp } from '../../../nodes/ComposeFollowUp/ComposeFollowUp.node';
import { ExitCheck } from '../../../nodes/ExitCheck/ExitCheck.node';
import { StoreConnection } from '../../../nodes/FollowUpTrigger/connection';
import { MAX_ITEMS_PER_EXECUTION } from '../../../nodes/FollowUpTrigger/due-steps';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { InstalledPackage } from '../../../engine/package-files';
import { readSettings } from '../../../nodes/FollowUpTrigger/settings';
import { Ticker } from '../../../nodes/FollowUpTrigger/ticker';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { triggerContext, type TriggerHarness } from '../../support/trigger-context';
import { DAY, MINUTE } from '../../support/virtual-clock';

/**
 * What a crash, an outage, a removed package or a big backlog must not do to a cadence: leave it
 * offline, lose a follow-up or an alert, or make n8n unresponsive. On jest's fake clock.
 */
const trigger = new FollowUpTrigger();
const START = Date.parse('2026-03-02T09:00:00Z');
const steps = {
	step: [
		{
			waitAmount: 1,
			waitUnit: 'days',
			composeMode: 'static',
			staticText: 'Hi {{firstName|there}}',
		},
		{ waitAmount: 1, waitUnit: 'days', composeMode: 'static', staticText: 'Last note' },
	],
};

let t: NodeTestStore;
let harnesses: TriggerHarness[];
let dirs: string[];
beforeEach(async () => {
	jest.useFakeTimers({ now: START });
	t = await nodeTestStore();
	harnesses = [];
	dirs = [];
});
afterEach(async () => {
	for (const h of harnesses) await h.deactivate();
	jest.restoreAllMocks();
	await t.dispose();
	jest.useRealTimers();
	for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function activate(
	options: IDataObject = {},
	extra: Partial<Parameters<typeof triggerContext>[0]> = {},
) {
	const harness = triggerContext({
		parameters: { cadenceName: 'Nudges', steps, options },
		credentials: t.credentials,
		...extra,
	});
	harnesses.push(harness);
	await harness.activate(trigger);
	return harness;
}

/**
 * Moves the clock and lets every check that fell due run to its end — unless executions hang:
 * then a check waits for one (up to a minute of the fake clock), and only the clock moves on.
 */
async function wait(harness: TriggerHarness, ms: number) {
	await jest.advanceTimersByTimeAsync(ms);
	if (harness.executions !== 'hang') await harness.settle();
}

const dueItems = (harness: TriggerHarness) =>
	harness.emitted.flatMap((e) => e[0]).map((i) => i.json);
const alertItems = (harness: TriggerHarness) =>
	harness.emitted.flatMap((e) => e[1] ?? []).map((i) => i.json);

async function enrollDue(...contacts: string[]) {
	await t.store.enroll(contacts.map((contactKey) => ({ cadence: 'Nudges', contactKey })));
}

describe('a store that cannot be reached when the trigger activates', () => {
	function blockedStore() {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-blocked-'));
		dirs.push(dir);
		// A file where the store's folder should be: the store cannot be created until it is gone.
		const folder = join(dir, 'store');
		writeFileSync(folder, 'not a folder');
		const credentials = {
			cadenceStoreApi: { backend: 'sqlite', sqlitePath: join(folder, 'cadence.sqlite') },
		};
		return { folder, credentials };
	}

	it('activates anyway, reports the outage at its checks (not every few seconds), and resumes by itself', async () => {
		const blocked = blockedStore();
		const harness = await activate({}, { credentials: blocked.credentials });
		expect(harness.crons).toEqual(['*/10 * * * * *']);
		await wait(harness, 30_000);
		expect(harness.failures).toHaveLength(1);
		expect(harness.failures[0]).toBeInstanceOf(NodeApiError);
		expect((harness.failures[0] as NodeApiError).description).toMatch(
			/could not be opened: (ENOTDIR|EEXIST)/,
		);

		rmSync(blocked.folder);
		await wait(harness, 10_000);
		expect(harness.failures).toHaveLength(1);
		// Published by the check that reached the store: enrollments now go out on schedule.
		const { store } = await (
			await import('../../../engine/store/shared-stores')
		).leaseStore({ kind: 'sqlite', path: blocked.credentials.cadenceStoreApi.sqlitePath });
		expect((await store.listCadences()).map((c) => c.name)).toEqual(['Nudges']);
		await store.enroll([{ cadence: 'Nudges', contactKey: '+1' }]);
		jest.setSystemTime(Date.now() + DAY);
		await wait(harness, 10_000);
		expect(dueItems(harness).map((i) => (i.contact as IDataObject).key)).toEqual(['+1']);
	});

	it('still fails activation for a cadence that is not valid', async () => {
		const blocked = blockedStore();
		const harness = triggerContext({
			parameters: { cadenceName: 'Nudges', steps: { step: [] } },
			credentials: blocked.credentials,
		});
		await expect(harness.activate(trigger)).rejects.toThrow(NodeOperationError);
		expect(harness.crons).toEqual([]);
	});
});

describe('a step whose execution died before the send path', () => {
	it('is emitted again after Stuck After, same key, while a handed-over one is only reported', async () => {
		await t.store.publishCadence({
			name: 'Nudges',
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
		});
		const harness = await activate({ stuckAfterMinutes: 5, emitEvents: ['stuck'] });
		await enrollDue('never-handed', 'handed');
		jest.setSystemTime(START + DAY);
		await wait(harness, 10_000);
		const first = dueItems(harness);
		expect(first).toHaveLength(2);
		const handed = first.find((i) => (i.contact as IDataObject).key === 'handed')!;
		await t.store.handOff({ stepRunId: handed.stepRunId as number });

		await wait(harness, 6 * MINUTE);
		const again = dueItems(harness).slice(2);
		expect(again).toEqual([
			expect.objectContaining({
				contact: expect.objectContaining({ key: 'never-handed' }),
				attempt: 2,
				idempotencyKey: first.find((i) => (i.contact as IDataObject).key === 'never-handed')!
					.idempotencyKey,
			}),
		]);
		expect(alertItems(harness).map((a) => [a.event, (a.contact as IDataObject).key])).toEqual([
			['stuck', 'handed'],
		]);
	});
});

it('never emits a step again in a flow without Compose Follow-up or Exit Check: it is reported', async () => {
	await t.store.publishCadence({
		name: 'Nudges',
		steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
	});
	// Trigger → channel → Mark Sent: nothing records the hand-off, so any step may have gone out.
	const harness = await activate(
		{ stuckAfterMinutes: 5, emitEvents: ['stuck'] },
		{ childNodes: ['cadence'] },
	);
	await enrollDue('+1');
	jest.setSystemTime(START + DAY);
	await wait(harness, 10_000);
	await wait(harness, 6 * MINUTE);
	expect(dueItems(harness)).toHaveLength(1);
	expect(alertItems(harness).map((a) => a.event)).toEqual(['stuck']);
});

describe('stuck alerts, at least once', () => {
	async function stuckStep(harness: TriggerHarness) {
		await enrollDue('+1');
		jest.setSystemTime(START + DAY);
		await wait(harness, 10_000);
		await t.store.handOff({ stepRunId: dueItems(harness)[0].stepRunId as number });
		await wait(harness, 6 * MINUTE);
	}

	it('emits an alert again until an execution carrying it has run, then never again', async () => {
		const harness = await activate({ stuckAfterMinutes: 5, emitEvents: ['stuck'] });
		harness.executions = 'hang';
		await stuckStep(harness);
		// The due step's execution hangs too; the alert goes out in its own execution anyway.
		expect(alertItems(harness)).toHaveLength(1);
		await wait(harness, 5 * MINUTE);
		expect(alertItems(harness)).toHaveLength(1); // on its way: not emitted twice meanwhile
		harness.finishExecutions('fail');
		await wait(harness, 2 * MINUTE);
		expect(alertItems(harness)).toHaveLength(2); // its execution failed: emitted again
		harness.executions = 'succeed';
		harness.finishExecutions('succeed');
		await wait(harness, 10 * MINUTE);
		expect(alertItems(harness)).toHaveLength(2);
		const [a, b] = alertItems(harness);
		expect(a.alertId).toBe(b.alertId);
	});

	it('emits it again from a fresh start when n8n died before the alert execution ran', async () => {
		const first = await activate({ stuckAfterMinutes: 5, emitEvents: ['stuck'] });
		first.executions = 'hang';
		await stuckStep(first);
		expect(alertItems(first)).toHaveLength(1);
		// kill -9: the process and what it remembered are gone; the store is all that is left.
		await first.deactivate();
		harnesses.splice(harnesses.indexOf(first), 1);
		const restarted = await activate({ stuckAfterMinutes: 5, emitEvents: ['stuck'] });
		await wait(restarted, 10_000);
		expect(alertItems(restarted).map((a) => a.alertId)).toEqual([alertItems(first)[0].alertId]);
		await wait(restarted, 10 * MINUTE);
		expect(alertItems(restarted)).toHaveLength(1);
	});
});

describe('a big backlog', () => {
	const MAX = MAX_ITEMS_PER_EXECUTION;
	async function enrollBacklog(count: number) {
		const contacts = Array.from({ length: count }, (_, i) => `c${String(i).padStart(4, '0')}`);
		await t.store.enroll(contacts.map((contactKey) => ({ cadence: 'Nudges', contactKey })));
	}

	it(`goes out in executions of at most ${MAX} items at the largest batch size, each after the previous one ended`, async () => {
		const harness = await activate({ batchSize: 1000 });
		await enrollBacklog(2 * MAX + 7);
		const claim = jest.spyOn(t.store, 'claimDue');
		harness.executions = 'hang';
		jest.setSystemTime(START + DAY);
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length)).toEqual([MAX]);
		// Claimed only as the execution starts: the rest waits in the store, unclaimed.
		expect(claim.mock.calls.map(([input]) => input.limit)).toEqual([MAX]);
		await wait(harness, 20_000);
		expect(harness.emitted).toHaveLength(1); // the first execution still runs
		harness.executions = 'succeed';
		harness.finishExecutions('succeed');
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length)).toEqual([MAX, MAX, 7]);
		expect(new Set(dueItems(harness).map((i) => i.stepRunId)).size).toBe(2 * MAX + 7);
	});

	it('takes at most ten Claim Batch Sizes per check; the rest follow on the next check', async () => {
		const harness = await activate({ batchSize: 3 });
		await enrollBacklog(35);
		jest.setSystemTime(START + DAY);
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length)).toEqual(Array(10).fill(3));
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length).slice(10)).toEqual([3, 2]);
		expect(new Set(dueItems(harness).map((i) => i.stepRunId)).size).toBe(35);
	});

	it('goes out one execution per check where n8n cannot report when an execution ended', async () => {
		const harness = await activate({ batchSize: 1000 });
		// n8n's experimental engine 2.0 refuses executions whose trigger waits for their end.
		harness.context.getWorkflowSettings = () => ({ engineType: 'v2' }) as never;
		await enrollBacklog(2 * MAX + 7);
		jest.setSystemTime(START + DAY);
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length)).toEqual([MAX]);
		await wait(harness, 10_000);
		await wait(harness, 10_000);
		expect(harness.emitted.map((e) => e[0].length)).toEqual([MAX, MAX, 7]);
		expect(new Set(dueItems(harness).map((i) => i.stepRunId)).size).toBe(2 * MAX + 7);
	});
});

describe('the package removed or updated while the workflow is active', () => {
	it('notices its own module file gone or replaced', () => {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-package-'));
		dirs.push(dir);
		const file = join(dir, 'ticker.js');
		writeFileSync(file, 'v1');
		const installed = new InstalledPackage(file);
		expect(installed.unchanged()).toBe(true);
		rmSync(file);
		expect(installed.unchanged()).toBe(false);
		writeFileSync(file, 'version 2');
		expect(installed.unchanged()).toBe(false);
	});

	it('claims nothing once its package is gone', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'cadence-package-'));
		dirs.push(dir);
		const file = join(dir, 'ticker.js');
		writeFileSync(file, 'v1');
		const harness = triggerContext({
			parameters: { cadenceName: 'Nudges', steps },
			credentials: t.credentials,
		});
		const settings = readSettings(harness.context.getNode(), (n, f) =>
			harness.context.getNodeParameter(n, f),
		);
		await t.store.publishCadence({
			name: 'Nudges',
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'x' }],
		});
		const connection = new StoreConnection(
			{ kind: 'sqlite', path: (t.credentials.cadenceStoreApi as IDataObject).sqlitePath as string },
			settings,
			async () => ({ name: 'Nudges', version: 1, created: false }),
			() => undefined,
		);
		const ticker = new Ticker(harness.context, connection, settings, new InstalledPackage(file));
		await enrollDue('+1');
		jest.setSystemTime(START + DAY);
		rmSync(file);
		const claim = jest.spyOn(t.store, 'claimDue');
		await ticker.tick();
		await ticker.tick();
		expect(claim).not.toHaveBeenCalled();
		expect(harness.emitted).toEqual([]);
		expect((await t.store.listEnrollments({ cadence: 'Nudges' }))[0]).toMatchObject({
			state: 'active',
		});
		await ticker.stop();
		await connection.close();
	});
});

describe('the hand-off to the send path', () => {
	async function claimedItem(contactKey = '+1') {
		await t.store.publishCadence({
			name: 'Nudges',
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Hi' }],
		});
		await t.store.enroll([{ cadence: 'Nudges', contactKey, startAt: Date.now() - 2 * DAY }]);
		const [claimed] = await t.store.claimDue({ cadence: 'Nudges' });
		const { stepItemJson } = await import('../../../nodes/shared/step-item');
		return stepItemJson(claimed, []);
	}

	it('is recorded when Compose Follow-up passes a step on to Send', async () => {
		const item = await claimedItem();
		const [send] = await new ComposeFollowUp().execute.call(
			executeContext({
				type: 'composeFollowUp',
				parameters: {},
				items: [{ json: item }],
				credentials: t.credentials,
			}),
		);
		expect(send).toHaveLength(1);
		expect((await t.store.getStepRun({ stepRunId: item.stepRunId as number })).handedAt).toBe(
			Date.now(),
		);
	});

	it('stops an item whose step was emitted again meanwhile: only the new emission may send it', async () => {
		const item = await claimedItem();
		jest.setSystemTime(Date.now() + 20 * MINUTE);
		await t.store.checkInFlight({ cadence: 'Nudges', olderThanMs: 15 * MINUTE });
		const [send, approval] = await new ComposeFollowUp().execute.call(
			executeContext({
				type: 'composeFollowUp',
				parameters: {},
				items: [{ json: item }],
				credentials: t.credentials,
			}),
		);
		expect([send, approval]).toEqual([[], []]);
		expect((await t.store.getStepRun({ stepRunId: item.stepRunId as number })).handedAt).toBeNull();
	});

	it('is recorded by Exit Check only when no Compose Follow-up follows it', async () => {
		const exitCheck = new ExitCheck();
		const run = async (item: IDataObject, children: string[]) => {
			const context = executeContext({
				type: 'exitCheck',
				parameters: {},
				items: [{ json: item }],
				credentials: t.credentials,
			});
			Object.assign(context, {
				getChildNodes: () =>
					children.map((type) => ({ name: type, type, typeVersion: 1, disabled: false })),
			});
			return exitCheck.execute.call(context);
		};
		const withCompose = await claimedItem('a');
		await run(withCompose, [
			'n8n-nodes-cadence.waitUntilWorkingHours',
			'n8n-nodes-cadence.composeFollowUp',
		]);
		expect(
			(await t.store.getStepRun({ stepRunId: withCompose.stepRunId as number })).handedAt,
		).toBeNull();
		const [withoutCompose] = await Promise.all([claimedItem('b')]);
		await run(withoutCompose, ['n8n-nodes-base.httpRequest']);
		expect(
			(await t.store.getStepRun({ stepRunId: withoutCompose.stepRunId as number })).handedAt,
		).toBe(Date.now());
	});
});
