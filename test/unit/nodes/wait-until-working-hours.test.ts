import { NodeApiError, NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { WaitUntilWorkingHours } from '../../../nodes/WaitUntilWorkingHours/WaitUntilWorkingHours.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new WaitUntilWorkingHours();

/** Monday 2 March 2026, 18:00 UTC: after hours. */
const MONDAY_EVENING = Date.parse('2026-03-02T18:00:00Z');
const TUESDAY_9 = '2026-03-03T09:00:00.000Z';

const nineToFive = { from: '09:00', to: '17:00' };
const officeHours: CadenceDefinitionInput = {
	...prospecting,
	name: 'Office hours',
	schedule: {
		timeZone: 'UTC',
		timeZoneSource: 'recipient',
		workingHours: {
			monday: [nineToFive],
			tuesday: [nineToFive],
			wednesday: [nineToFive],
			thursday: [nineToFive],
			friday: [nineToFive],
		},
	},
};

let t: NodeTestStore;
beforeEach(async () => {
	// Fake before the store opens: the store reads its clock through Date.now.
	jest.useFakeTimers({
		now: MONDAY_EVENING,
		doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
	});
	t = await nodeTestStore();
	await t.store.publishCadence(officeHours);
});
afterEach(async () => {
	await t.dispose();
	jest.useRealTimers();
});

/** Claims the contact's first step the way the trigger does, its clock started long ago. */
async function triggerItem(contactKey = 'c1', timeZone: string | null = null) {
	await t.store.enroll([
		{ cadence: 'Office hours', contactKey, timeZone, startAt: Date.now() - 10 * DAY },
	]);
	const claimed = await t.store.claimDue({ cadence: 'Office hours' });
	return stepItemJson(claimed.find((c) => c.enrollment.contactKey === contactKey)!, []);
}

const setHere = (extra: IDataObject = {}): IDataObject => ({
	hoursFrom: 'here',
	timeZone: '',
	workingHours: { window: [{ days: 'weekdays', ...nineToFive }] },
	options: {},
	...extra,
});

function context(
	items: IDataObject[],
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<Parameters<typeof executeContext>[0]> & { timeZone?: string } = {},
) {
	const { timeZone, ...rest } = extra;
	const ctx = executeContext({
		type: 'waitUntilWorkingHours',
		parameters,
		items: items.map((json) => ({ json })),
		credentials: t.credentials,
		...rest,
	});
	const putExecutionToWait = jest.fn(async (_until: Date) => undefined);
	Object.assign(ctx, {
		putExecutionToWait,
		getExecutionCancelSignal: () => undefined,
		getTimezone: () => timeZone ?? 'UTC',
	});
	return { ctx, putExecutionToWait };
}

async function run(...args: Parameters<typeof context>) {
	const { ctx, putExecutionToWait } = context(...args);
	const [now, deferred] = await node.execute.call(ctx);
	return { now, deferred, putExecutionToWait };
}

async function stateOf(item: IDataObject) {
	const enrollment = (await t.store.getEnrollment(item.enrollmentId as number))!;
	const runs = await t.store.getStepRuns(enrollment.id);
	return { enrollment, run: runs.find((r) => r.id === item.stepRunId)! };
}

describe('Wait Until Working Hours, cadence items', () => {
	it('lets a step inside the cadence’s hours through on Now, writing nothing', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T10:00:00Z'));
		const item = await triggerItem();
		const before = await t.store.getTimeline(item.enrollmentId as number);
		const { now, deferred, putExecutionToWait } = await run([item], { hoursFrom: 'cadence' });
		expect(now).toEqual([{ json: item, pairedItem: { item: 0 } }]);
		expect(deferred).toEqual([]);
		expect(await t.store.getTimeline(item.enrollmentId as number)).toEqual(before);
		expect(putExecutionToWait).not.toHaveBeenCalled();
	});

	it('reschedules a step outside the hours in the store and sends it out of Deferred', async () => {
		const item = await triggerItem();
		const { now, deferred, putExecutionToWait } = await run([item], { hoursFrom: 'cadence' });
		expect(now).toEqual([]);
		const reason = 'deferred: outside working hours (Mon–Fri 09:00–17:00, UTC)';
		expect(deferred).toEqual([
			{ json: { ...item, deferredUntil: TUESDAY_9, reason }, pairedItem: { item: 0 } },
		]);
		expect(putExecutionToWait).not.toHaveBeenCalled();
		const { enrollment, run: stepRun } = await stateOf(item);
		expect(enrollment).toMatchObject({ nextDueAt: Date.parse(TUESDAY_9), nextReason: reason });
		expect(stepRun.status).toBe('scheduled');

		// The trigger emits the same step again, on the same run, once the window opens.
		expect(await t.store.claimDue({ cadence: 'Office hours' })).toEqual([]);
		jest.setSystemTime(Date.parse(TUESDAY_9));
		const [again] = await t.store.claimDue({ cadence: 'Office hours' });
		expect(again.stepRun).toMatchObject({ id: item.stepRunId, claims: 2 });
	});

	it('reads the hours in the contact’s time zone when the cadence says so', async () => {
		// 23:00 in London is 18:00 in New York: closed in both, opening at different times.
		jest.setSystemTime(Date.parse('2026-03-02T23:00:00Z'));
		const item = await triggerItem('ny', 'America/New_York');
		const { deferred } = await run([item], { hoursFrom: 'cadence' });
		expect(deferred[0].json.deferredUntil).toBe('2026-03-03T14:00:00.000Z');
	});

	it('can use hours set on the node for cadence items too, still rescheduling in the store', async () => {
		const item = await triggerItem();
		const evening = { window: [{ days: 'everyDay', from: '20:00', to: '22:00' }] };
		const { deferred } = await run([item], setHere({ workingHours: evening }));
		expect(deferred[0].json.deferredUntil).toBe('2026-03-02T20:00:00.000Z');
		expect((await stateOf(item)).enrollment.nextDueAt).toBe(Date.parse('2026-03-02T20:00:00Z'));
	});

	it('lets preview items through on Now without writing or waiting', async () => {
		const real = await triggerItem();
		const preview = { ...real, enrollmentId: 0, stepRunId: 0, preview: true };
		const before = await t.store.getTimeline(real.enrollmentId as number);
		const { now, deferred, putExecutionToWait } = await run([preview], { hoursFrom: 'cadence' });
		expect(now).toEqual([{ json: preview, pairedItem: { item: 0 } }]);
		expect(deferred).toEqual([]);
		expect(putExecutionToWait).not.toHaveBeenCalled();
		expect(await t.store.getTimeline(real.enrollmentId as number)).toEqual(before);
	});

	it('says which store to use when the item’s cadence is not in it', async () => {
		const item = await triggerItem();
		const attempt = run([{ ...item, cadence: 'Elsewhere' }], { hoursFrom: 'cadence' });
		await expect(attempt).rejects.toThrow(
			/Cadence "Elsewhere" version 1 is not in the cadence store/,
		);
	});

	it('turns an unreachable store into an API error', async () => {
		const item = await triggerItem();
		const attempt = run([item], { hoursFrom: 'cadence' }, { credentials: unreachablePostgres });
		await expect(attempt).rejects.toThrow(NodeApiError);
	});
});

describe('Wait Until Working Hours, items from other workflows', () => {
	it('passes items inside the hours on Now without waiting', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T10:00:00Z'));
		const { now, deferred, putExecutionToWait } = await run([{ a: 1 }], setHere());
		expect(now).toEqual([{ json: { a: 1 }, pairedItem: { item: 0 } }]);
		expect(deferred).toEqual([]);
		expect(putExecutionToWait).not.toHaveBeenCalled();
	});

	it('puts the run to wait until the window opens, then the items go on on Now', async () => {
		const { now, deferred, putExecutionToWait } = await run([{ a: 1 }], setHere());
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date(TUESDAY_9));
		expect(now).toEqual([{ json: { a: 1 }, pairedItem: { item: 0 } }]);
		expect(deferred).toEqual([]);
	});

	it('waits once, until the latest open time of several items', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T23:00:00Z'));
		const zones = ['Europe/London', 'America/New_York', 'UTC'];
		const { now, putExecutionToWait } = await run([{ i: 0 }, { i: 1 }, { i: 2 }], (i) =>
			setHere({ timeZone: zones[i] }),
		);
		expect(putExecutionToWait).toHaveBeenCalledTimes(1);
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2026-03-03T14:00:00Z'));
		expect(now.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('waits in memory when the window opens within a minute', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T08:59:30Z'));
		const { ctx, putExecutionToWait } = context([{ a: 1 }], setHere());
		let done = false;
		const running = node.execute.call(ctx).then((out) => ((done = true), out));
		await jest.advanceTimersByTimeAsync(29_000);
		expect(done).toBe(false);
		await jest.advanceTimersByTimeAsync(1_000);
		const [now] = await running;
		expect(now).toEqual([{ json: { a: 1 }, pairedItem: { item: 0 } }]);
		expect(putExecutionToWait).not.toHaveBeenCalled();
	});

	it('uses the workflow’s time zone when Time Zone is empty', async () => {
		const { putExecutionToWait } = await run([{}], setHere(), { timeZone: 'Asia/Tokyo' });
		// Monday 18:00 UTC is Tuesday 03:00 in Tokyo: the window opens at 09:00 there.
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2026-03-03T00:00:00Z'));
	});

	it.each([
		['Every Day covers the weekend', 'everyDay', '2026-03-07T10:00:00Z', null],
		['Weekend skips to Saturday', 'weekend', '2026-03-04T10:00:00Z', '2026-03-07T09:00:00Z'],
		[
			'a single day waits for that day',
			'wednesday',
			'2026-03-02T10:00:00Z',
			'2026-03-04T09:00:00Z',
		],
	])('Days: %s', async (_label, days, at, expected) => {
		jest.setSystemTime(Date.parse(at));
		const hours = { window: [{ days, ...nineToFive }] };
		const { putExecutionToWait } = await run([{}], setHere({ workingHours: hours }));
		if (expected === null) expect(putExecutionToWait).not.toHaveBeenCalled();
		else expect(putExecutionToWait).toHaveBeenCalledWith(new Date(expected));
	});

	it('joins several windows on a day (a lunch break)', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T12:30:00Z'));
		const split = {
			window: [
				{ days: 'weekdays', from: '09:00', to: '12:00' },
				{ days: 'weekdays', from: '13:00', to: '17:00' },
			],
		};
		const { putExecutionToWait } = await run([{}], setHere({ workingHours: split }));
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2026-03-02T13:00:00Z'));
	});

	it('respects quiet hours, with no working hours at all', async () => {
		jest.setSystemTime(Date.parse('2026-03-02T22:00:00Z'));
		const { putExecutionToWait } = await run(
			[{}],
			setHere({ workingHours: {}, options: { quietFrom: '21:00', quietTo: '08:00' } }),
		);
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2026-03-03T08:00:00Z'));
	});

	it('allows any time with no windows, quiet hours or holidays', async () => {
		jest.setSystemTime(Date.parse('2026-03-08T03:00:00Z'));
		const { now, putExecutionToWait } = await run([{}], setHere({ workingHours: {} }));
		expect(now.length).toBe(1);
		expect(putExecutionToWait).not.toHaveBeenCalled();
	});

	it('skips holidays', async () => {
		const { putExecutionToWait } = await run(
			[{}],
			setHere({ options: { holidays: '2026-03-03, 2026-12-25' } }),
		);
		expect(putExecutionToWait).toHaveBeenCalledWith(new Date('2026-03-04T09:00:00Z'));
	});

	it('fails when Hours From is the cadence but the item has no cadence', async () => {
		const attempt = run([{ a: 1 }], { hoursFrom: 'cadence' });
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/did not come from a Follow-up Trigger/);
		await attempt.catch((error: NodeOperationError) =>
			expect(error.description).toMatch(/Set "Hours From" to "Set Here"/),
		);
	});
});

describe('Wait Until Working Hours, bad parameters', () => {
	it.each([
		['Time Zone', { timeZone: 'Mars/Olympus' }, /"Time Zone" parameter is not a time zone/],
		[
			'Working Hours (format)',
			{ workingHours: { window: [{ days: 'weekdays', from: '9am', to: '17:00' }] } },
			/"Working Hours" parameter is not valid: use 24-hour HH:MM/,
		],
		[
			'Working Hours (order)',
			{ workingHours: { window: [{ days: 'monday', from: '17:00', to: '09:00' }] } },
			/"Working Hours" parameter is not valid: a working window must end after it starts/,
		],
		[
			'Quiet Hours (one end)',
			{ options: { quietFrom: '21:00' } },
			/"Quiet Hours From" and "Quiet Hours To" options go together/,
		],
		[
			'Quiet Hours To (format)',
			{ options: { quietFrom: '21:00', quietTo: '8' } },
			/"Quiet Hours To" parameter is not valid/,
		],
		[
			'Holidays',
			{ options: { holidays: '2026-02-30' } },
			/"Holidays" parameter is not valid: use a real calendar date/,
		],
	])('names %s and writes nothing', async (_label, parameters, message) => {
		const item = await triggerItem();
		const { ctx, putExecutionToWait } = context([item, { other: true }], setHere(parameters));
		await expect(node.execute.call(ctx)).rejects.toThrow(message);
		expect(putExecutionToWait).not.toHaveBeenCalled();
		expect((await stateOf(item)).run.status).toBe('pending');
	});
});

describe('Wait Until Working Hours, batches', () => {
	it('checks every item’s parameters before rescheduling any step', async () => {
		const items = [await triggerItem('a'), await triggerItem('b')];
		const attempt = run(items, (i) => setHere({ timeZone: i === 1 ? 'Nowhere' : '' }));
		await expect(attempt).rejects.toThrow(/"Time Zone" parameter is not a time zone: "Nowhere"/);
		expect((await stateOf(items[0])).run.status).toBe('pending');
	});

	it('with Continue On Fail, turns a bad item into an error item and handles the rest', async () => {
		const item = await triggerItem();
		const evening = { window: [{ days: 'everyDay', from: '17:30', to: '23:00' }] };
		const parameters = [setHere({ timeZone: 'Nowhere' }), { hoursFrom: 'cadence' }];
		const { now, deferred } = await run(
			[{ bad: true }, item, { good: true }],
			(i) => parameters[i] ?? setHere({ workingHours: evening }),
			{ continueOnFail: true },
		);
		expect(now).toEqual([
			{ json: { error: expect.stringMatching(/Time Zone/) }, pairedItem: { item: 0 } },
			{ json: { good: true }, pairedItem: { item: 2 } },
		]);
		expect(deferred.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
	});

	it('refuses to pause a run that also holds cadence steps, before writing anything', async () => {
		const item = await triggerItem();
		const attempt = run([item, { other: true }], setHere());
		await expect(attempt).rejects.toThrow(/arrived together with other items that must wait/);
		expect((await stateOf(item)).run.status).toBe('pending');
	});

	it('refuses to pause a run in which some items failed', async () => {
		const attempt = run(
			[{ bad: true }, { waits: true }],
			(i) => setHere({ timeZone: i === 0 ? 'Nowhere' : '' }),
			{ continueOnFail: true },
		);
		await expect(attempt).rejects.toThrow(/Some items failed while the others must wait/);
	});

	it('reschedules every step of a batch in one store call, reading the cadence once', async () => {
		const items = [await triggerItem('a'), await triggerItem('b'), await triggerItem('c')];
		const defer = jest.spyOn(t.store, 'deferSteps');
		const one = jest.spyOn(t.store, 'deferStep');
		const cadence = jest.spyOn(t.store, 'getCadence');
		const { deferred } = await run(items, { hoursFrom: 'cadence' });
		expect(deferred.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(defer).toHaveBeenCalledTimes(1);
		expect(one).not.toHaveBeenCalled();
		expect(cadence).toHaveBeenCalledTimes(1);
		for (const item of items) expect((await stateOf(item)).run.status).toBe('scheduled');
	});

	it('with Continue On Fail, fails a step the store cannot reschedule alone, with its message', async () => {
		const items = [await triggerItem('a'), await triggerItem('b'), await triggerItem('c')];
		await t.store.markSent({ stepRunId: items[1].stepRunId as number });
		const { now, deferred } = await run(items, { hoursFrom: 'cadence' }, { continueOnFail: true });
		expect(now).toEqual([
			{ json: { error: expect.stringMatching(/already "sent"/) }, pairedItem: { item: 1 } },
		]);
		expect(deferred.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
		expect((await stateOf(items[0])).run.status).toBe('scheduled');
		expect((await stateOf(items[2])).run.status).toBe('scheduled');
	});

	it('without Continue On Fail, a step the store cannot reschedule fails the node', async () => {
		const items = [await triggerItem('a'), await triggerItem('b')];
		await t.store.markSent({ stepRunId: items[1].stepRunId as number });
		await expect(run(items, { hoursFrom: 'cadence' })).rejects.toThrow(/already "sent"/);
	});

	it('mixes cadence steps and other items when nobody has to wait long', async () => {
		const item = await triggerItem();
		const evening = { window: [{ days: 'everyDay', from: '17:30', to: '23:00' }] };
		const { now, deferred, putExecutionToWait } = await run([{ other: true }, item], (i) =>
			i === 0 ? setHere({ workingHours: evening }) : { hoursFrom: 'cadence' },
		);
		expect(now).toEqual([{ json: { other: true }, pairedItem: { item: 0 } }]);
		expect(deferred.map((o) => o.pairedItem)).toEqual([{ item: 1 }]);
		expect(putExecutionToWait).not.toHaveBeenCalled();
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
