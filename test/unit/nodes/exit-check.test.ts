import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { ExitCheck } from '../../../nodes/ExitCheck/ExitCheck.node';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new ExitCheck();

const restarting: CadenceDefinitionInput = {
	...prospecting,
	name: 'Restarting',
	reply: { action: 'restart' },
};
const pausing: CadenceDefinitionInput = {
	...prospecting,
	name: 'Pausing',
	reply: { action: 'pause', pauseFor: { amount: 2, unit: 'days' } },
};
const limited: CadenceDefinitionInput = {
	...prospecting,
	name: 'Limited',
	limits: { perContactPerDay: 1, perCadencePerHour: null },
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	for (const cadence of [prospecting, restarting, pausing, limited])
		await t.store.publishCadence(cadence);
});
afterEach(async () => t.dispose());

/** Enrolls the contact with its clock started long ago, claims the due step like the trigger does. */
async function triggerItem(cadence = 'Prospecting', contactKey = 'c1'): Promise<IDataObject> {
	await t.store.enroll([{ cadence, contactKey, startAt: Date.now() - 10 * DAY }]);
	const [claimed] = await t.store.claimDue({ cadence });
	return stepItemJson(claimed, []);
}

const claimedAt = (item: IDataObject) => Date.parse(item.claimedAt as string);

function run(
	items: IDataObject[],
	parameters: IDataObject | ((i: number) => IDataObject) = {},
	extra: Partial<Parameters<typeof executeContext>[0]> = {},
) {
	return node.execute.call(
		executeContext({
			type: 'exitCheck',
			parameters,
			items: items.map((json) => ({ json })),
			credentials: t.credentials,
			...extra,
		}),
	);
}

async function stateOf(item: IDataObject) {
	const enrollment = (await t.store.getEnrollment(item.enrollmentId as number))!;
	const runs = await t.store.getStepRuns(enrollment.id);
	return { enrollment, run: runs.find((r) => r.id === item.stepRunId)! };
}

describe('Exit Check', () => {
	it('lets a step through unchanged on Continue when nothing stops it, writing nothing', async () => {
		const item = await triggerItem();
		const before = await t.store.getTimeline(item.enrollmentId as number);
		const [go, exit] = await run([item]);
		expect(go).toEqual([{ json: item, pairedItem: { item: 0 } }]);
		expect(exit).toEqual([]);
		expect(await t.store.getTimeline(item.enrollmentId as number)).toEqual(before);
		expect((await stateOf(item)).run.status).toBe('pending');
	});

	it('exits when the contact replied after the claim, skipping the step in flight', async () => {
		const item = await triggerItem();
		await t.store.recordInbound({ contactKey: 'c1', text: 'Stop', at: claimedAt(item) + 1000 });
		const [go, exit] = await run([item]);
		expect(go).toEqual([]);
		expect(exit).toEqual([
			{
				json: { ...item, exit: expect.objectContaining({ reason: 'replied', action: 'exited' }) },
				pairedItem: { item: 0 },
			},
		]);
		const { enrollment, run: stepRun } = await stateOf(item);
		expect(enrollment.state).toBe('exited');
		expect(stepRun).toMatchObject({
			status: 'skipped',
			detail: expect.stringMatching(/Exit Check/),
		});
	});

	it('drops only the stale step when the reply restarted the chain, keeping the enrollment', async () => {
		const item = await triggerItem('Restarting');
		await t.store.recordInbound({ contactKey: 'c1', text: 'Hi', at: claimedAt(item) + 1000 });
		const [, exit] = await run([item]);
		expect(exit[0].json.exit).toMatchObject({ reason: 'replied', action: 'skipped' });
		const { enrollment, run: stepRun } = await stateOf(item);
		expect(enrollment).toMatchObject({ state: 'active', cycle: 2 });
		expect(enrollment.nextDueAt).not.toBeNull();
		expect(stepRun.status).toBe('skipped');
	});

	it('holds the step for later when the reply paused the cadence, writing nothing more', async () => {
		const item = await triggerItem('Pausing');
		await t.store.recordInbound({ contactKey: 'c1', text: 'Busy', at: claimedAt(item) + 1000 });
		const { enrollment: paused } = await stateOf(item);
		const [, exit] = await run([item]);
		expect(exit[0].json.exit).toMatchObject({
			reason: 'replied',
			action: 'deferred',
			deferredUntil: new Date(paused.nextDueAt!).toISOString(),
		});
		expect(await stateOf(item)).toEqual({ enrollment: paused, run: expect.anything() });
		expect((await stateOf(item)).run.status).toBe('pending');
	});

	it('does not send a step twice that was rescheduled after this item was emitted', async () => {
		const item = await triggerItem();
		const later = Date.now() + DAY;
		await t.store.deferStep({ stepRunId: item.stepRunId as number, until: later, reason: 'x' });
		const [go, exit] = await run([item]);
		expect(go).toEqual([]);
		expect(exit[0].json.exit).toMatchObject({
			reason: 'superseded',
			action: 'deferred',
			deferredUntil: new Date(later).toISOString(),
		});
	});

	it('lets the step through when the reply was recorded as an auto-reply to ignore', async () => {
		const item = await triggerItem();
		await t.store.recordInbound({
			contactKey: 'c1',
			text: 'I am out of office',
			action: 'ignore',
			at: claimedAt(item) + 1000,
		});
		const [go] = await run([item]);
		expect(go.map((o) => o.json)).toEqual([item]);
	});

	it('exits a contact who opted out', async () => {
		const item = await triggerItem();
		await t.store.optOut({ contactKey: 'c1' });
		const [, exit] = await run([item]);
		expect(exit[0].json.exit).toMatchObject({ reason: 'optedOut', action: 'exited' });
		expect((await stateOf(item)).run.status).toBe('skipped');
	});

	it('reports the reason of an enrollment a goal ended meanwhile', async () => {
		const item = await triggerItem();
		await t.store.recordGoal({ contactKey: 'c1', note: 'paid' });
		const [, exit] = await run([item]);
		expect(exit[0].json.exit).toMatchObject({ reason: 'goal', action: 'exited' });
		expect(exit[0].json.exit).toMatchObject({ detail: expect.stringMatching(/exited \(goal\)/) });
	});

	it('records the goal when the Goal Reached condition is true, with the Goal Note', async () => {
		const item = await triggerItem();
		const [go, exit] = await run([item], { goalReached: true, options: { goalNote: 'paid' } });
		expect(go).toEqual([]);
		expect(exit[0].json.exit).toMatchObject({ reason: 'condition', action: 'exited' });
		const { enrollment, run: stepRun } = await stateOf(item);
		expect(enrollment).toMatchObject({ state: 'exited', exitReason: 'condition' });
		expect(stepRun.status).toBe('skipped');
		const exited = (await t.store.getTimeline(enrollment.id)).find((e) => e.type === 'exited');
		expect(exited?.detail).toMatchObject({ reason: 'condition', note: 'paid' });
	});

	it('accepts "true" and "false" text from an expression as the condition', async () => {
		const items = [await triggerItem('Prospecting', 'a'), await triggerItem('Limited', 'b')];
		const [go, exit] = await run(items, (i) => ({ goalReached: i === 0 ? 'true' : 'false' }));
		expect(exit.map((o) => o.pairedItem)).toEqual([{ item: 0 }]);
		expect(go.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
	});

	it('defers a step whose enrollment was paused in flight to the end of the pause', async () => {
		const item = await triggerItem();
		const until = Date.now() + 2 * DAY;
		await t.store.pause({ enrollmentId: item.enrollmentId as number, until });
		const [, exit] = await run([item]);
		expect(exit[0].json.exit).toMatchObject({
			reason: 'paused',
			action: 'deferred',
			deferredUntil: new Date(until).toISOString(),
		});
		const { enrollment, run: stepRun } = await stateOf(item);
		// The pause itself holds the in-flight step until its end; the run waits to be emitted again.
		expect(enrollment).toMatchObject({ state: 'paused', nextDueAt: until });
		expect(stepRun.status).toBe('pending');
	});

	it('defers, not ends, a step over the daily limit until the limit frees up', async () => {
		const first = await triggerItem('Prospecting', 'c1');
		await t.store.markSent({ stepRunId: first.stepRunId as number, text: 'Hello' });
		const sentAt = (await stateOf(first)).run.sentAt!;
		const item = await triggerItem('Limited', 'c1');
		const [, exit] = await run([item]);
		const freesAt = new Date(sentAt + DAY + 1).toISOString();
		expect(exit[0].json.exit).toMatchObject({
			reason: 'limit',
			action: 'deferred',
			deferredUntil: freesAt,
		});
		const { enrollment, run: stepRun } = await stateOf(item);
		expect(enrollment).toMatchObject({ state: 'active', nextDueAt: sentAt + DAY + 1 });
		expect(enrollment.nextReason).toMatch(/^sending limit: 1 of 1 messages/);
		expect(stepRun.status).toBe('scheduled');
	});

	describe('options switch each check off', () => {
		it('Check Sending Limit', async () => {
			const first = await triggerItem('Prospecting', 'c1');
			await t.store.markSent({ stepRunId: first.stepRunId as number, text: 'Hello' });
			const item = await triggerItem('Limited', 'c1');
			const [go] = await run([item], { options: { checkLimit: false } });
			expect(go.map((o) => o.json)).toEqual([item]);
		});

		it('Check Replies (the running check still sees the restart) and Check Enrollment Is Running', async () => {
			const item = await triggerItem('Restarting');
			await t.store.recordInbound({ contactKey: 'c1', at: claimedAt(item) + 1000 });
			const [, byRunning] = await run([item], { options: { checkReplies: false } });
			expect(byRunning[0].json.exit).toMatchObject({ reason: 'superseded', action: 'skipped' });
			const other = await triggerItem('Restarting', 'c2');
			await t.store.recordInbound({ contactKey: 'c2', at: claimedAt(other) + 1000 });
			const [go] = await run([other], { options: { checkReplies: false, checkRunning: false } });
			expect(go.map((o) => o.json)).toEqual([other]);
		});

		it('Check Opt-Out', async () => {
			const item = await triggerItem();
			await t.store.optOut({ contactKey: 'c1' });
			const [go] = await run([item], { options: { checkOptOut: false, checkRunning: false } });
			expect(go.map((o) => o.json)).toEqual([item]);
		});
	});

	it('always continues preview items and writes nothing, even with the goal reached', async () => {
		const real = await triggerItem();
		const preview = { ...real, enrollmentId: 0, stepRunId: 0, preview: true };
		await t.store.optOut({ contactKey: 'c1' });
		const before = await t.store.getTimeline(real.enrollmentId as number);
		const [go, exit] = await run([preview], { goalReached: true });
		expect(go).toEqual([{ json: preview, pairedItem: { item: 0 } }]);
		expect(exit).toEqual([]);
		expect(await t.store.getTimeline(real.enrollmentId as number)).toEqual(before);
	});

	describe('items that did not come from a cadence', () => {
		let folder: string;
		const saved = process.env.N8N_USER_FOLDER;
		beforeEach(() => {
			folder = mkdtempSync(join(tmpdir(), 'cadence-user-'));
			process.env.N8N_USER_FOLDER = folder;
		});
		afterEach(() => {
			if (saved === undefined) delete process.env.N8N_USER_FOLDER;
			else process.env.N8N_USER_FOLDER = saved;
			rmSync(folder, { recursive: true, force: true });
		});

		it('only use the Goal Reached condition and never open a store', async () => {
			const items = [{ orderId: 1 }, { orderId: 2 }];
			const [go, exit] = await run(items, (i) => ({ goalReached: i === 1 }), {
				credentials: undefined,
			});
			expect(go).toEqual([{ json: { orderId: 1 }, pairedItem: { item: 0 } }]);
			expect(exit).toEqual([
				{
					json: {
						orderId: 2,
						exit: { reason: 'condition', detail: expect.any(String), action: 'exited' },
					},
					pairedItem: { item: 1 },
				},
			]);
			expect(existsSync(join(folder, '.n8n', 'cadence'))).toBe(false);
		});
	});

	describe('bad input', () => {
		it('names the Goal Reached parameter when it is not true or false', async () => {
			const attempt = run([{}], { goalReached: 'yes' });
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(/"Goal Reached" parameter must be true or false/);
		});

		it('names the Goal Note option when it is too long, and writes nothing', async () => {
			const item = await triggerItem();
			const attempt = run([item], { goalReached: true, options: { goalNote: 'x'.repeat(501) } });
			await expect(attempt).rejects.toThrow(/"Goal Note" option is longer than 500/);
			expect((await stateOf(item)).enrollment.state).toBe('active');
		});

		it('says which store to use when the item’s enrollment is not in it', async () => {
			const item = await triggerItem();
			const attempt = run([{ ...item, enrollmentId: 999 }]);
			await expect(attempt).rejects.toThrow(/Enrollment 999 .* is not in the cadence store/);
		});

		it('turns an unreachable store into an API error', async () => {
			const item = await triggerItem();
			const attempt = run([item], {}, { credentials: unreachablePostgres });
			await expect(attempt).rejects.toThrow(NodeApiError);
		});
	});

	it('reads every item’s facts in one store call, each item with its own options', async () => {
		const items = [
			await triggerItem('Prospecting', 'a'),
			await triggerItem('Prospecting', 'b'),
			await triggerItem('Prospecting', 'c'),
			await triggerItem('Prospecting', 'd'),
		];
		await t.store.optOut({ contactKey: 'b' });
		await t.store.optOut({ contactKey: 'd' });
		items[2] = { ...items[2], enrollmentId: 999 };
		const facts = jest.spyOn(t.store, 'readStepFacts');
		const one = jest.spyOn(t.store, 'getEnrollment');
		const [go, exit] = await run(
			items,
			(i) => ({ options: i === 3 ? { checkOptOut: false, checkRunning: false } : {} }),
			{ continueOnFail: true },
		);
		const id = (k: number) => items[k].enrollmentId;
		expect(go.map((o) => [o.json.enrollmentId, o.pairedItem])).toEqual([
			[id(0), { item: 0 }],
			[id(3), { item: 3 }],
		]);
		const why = (json: IDataObject) => (json.exit as IDataObject | undefined)?.reason ?? json.error;
		expect(exit.map((o) => [o.json.enrollmentId, why(o.json), o.pairedItem])).toEqual([
			[id(1), 'optedOut', { item: 1 }],
			[999, expect.stringMatching(/Enrollment 999 .* is not in the cadence store/), { item: 2 }],
		]);
		expect(facts).toHaveBeenCalledTimes(1);
		expect(one).not.toHaveBeenCalled();
	});

	it('writes a batch’s deferrals and hand-offs in one store call each, reading nothing per item', async () => {
		const contacts = ['a', 'b', 'c'];
		for (const contactKey of contacts) {
			const first = await triggerItem('Prospecting', contactKey);
			await t.store.markSent({ stepRunId: first.stepRunId as number, text: 'Hello' });
		}
		const items: IDataObject[] = [];
		for (const contactKey of contacts) items.push(await triggerItem('Limited', contactKey));
		items.push(await triggerItem('Prospecting', 'd'), await triggerItem('Prospecting', 'e'));
		const spies = {
			deferSteps: jest.spyOn(t.store, 'deferSteps'),
			handOffMany: jest.spyOn(t.store, 'handOffMany'),
			deferStep: jest.spyOn(t.store, 'deferStep'),
			sendTimesToContact: jest.spyOn(t.store, 'sendTimesToContact'),
			getCadence: jest.spyOn(t.store, 'getCadence'),
		};
		const [go, exit] = await run(items);
		expect(go.map((o) => o.pairedItem)).toEqual([{ item: 3 }, { item: 4 }]);
		expect(exit.map((o) => [(o.json.exit as IDataObject).action, o.pairedItem])).toEqual([
			['deferred', { item: 0 }],
			['deferred', { item: 1 }],
			['deferred', { item: 2 }],
		]);
		expect(spies.deferSteps).toHaveBeenCalledTimes(1);
		expect(spies.handOffMany).toHaveBeenCalledTimes(1);
		expect(spies.deferStep).not.toHaveBeenCalled();
		expect(spies.sendTimesToContact).not.toHaveBeenCalled();
		expect(spies.getCadence).toHaveBeenCalledTimes(1);
		for (const item of items.slice(0, 3)) {
			expect((await stateOf(item)).run.status).toBe('scheduled');
		}
	});

	it('with Continue On Fail, sends a failed item out of Exit (never Continue) with its error', async () => {
		const items = [await triggerItem('Prospecting', 'a'), await triggerItem('Prospecting', 'b')];
		const [go, exit] = await run(items, (i) => ({ goalReached: i === 0 ? 42 : false }), {
			continueOnFail: true,
		});
		expect(exit).toEqual([
			{
				json: { ...items[0], error: expect.stringMatching(/Goal Reached/) },
				pairedItem: { item: 0 },
			},
		]);
		expect(go).toEqual([{ json: items[1], pairedItem: { item: 1 } }]);
	});
});

const unreachablePostgres = {
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
