import { NodeOperationError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { prospecting, withName } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new Cadence();
let t: NodeTestStore;

const run = (
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<Parameters<typeof executeContext>[0]> = {},
) =>
	node.execute.call(
		executeContext({ type: 'cadence', parameters, credentials: t.credentials, ...extra }),
	);
const enrollmentOp = (operation: string, more: IDataObject = {}) => ({
	resource: 'enrollment',
	operation,
	options: {},
	...more,
});

/** Enrolls contacts whose first step is already due, as if enrolled ten days ago. */
async function enroll(contacts: string[], cadence = 'Prospecting', extra: IDataObject = {}) {
	const results = await t.store.enroll(
		contacts.map((contactKey) => ({
			cadence,
			contactKey,
			startAt: Date.now() - 10 * DAY,
			...extra,
		})),
	);
	return results.map((r) => r.enrollment!);
}

beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
	await t.store.publishCadence(withName(prospecting, 'Renewals'));
});
afterEach(async () => t.dispose());

describe('Cadence › Enrollment › Get', () => {
	it('returns the enrollment, paired with its item, from a number or a numeric string', async () => {
		const [a, b] = await enroll(['+1', '+2'], 'Prospecting', { contactName: 'Ann' });
		const [out] = await run(
			(i) => enrollmentOp('get', { enrollmentId: i === 0 ? a.id : `${b.id}` }),
			{
				items: [{ json: {} }, { json: {} }],
			},
		);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[0].json).toMatchObject({
			enrollmentId: a.id,
			cadence: 'Prospecting',
			contactKey: '+1',
			contactName: 'Ann',
			state: 'active',
			nextStep: 1,
		});
		expect(out[1].json.enrollmentId).toBe(b.id);
	});

	it.each([
		['', /"Enrollment ID" parameter is empty/],
		['abc', /"Enrollment ID" parameter must be a whole number such as 42, not "abc"/],
		['-3', /"Enrollment ID" parameter must be a whole number/],
		['1.5', /"Enrollment ID" parameter must be a whole number/],
		[undefined, /"Enrollment ID" parameter is empty/],
	])('rejects the enrollment ID %p naming the parameter', async (enrollmentId, message) => {
		const attempt = run(enrollmentOp('get', { enrollmentId }));
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(message);
	});

	it('says which enrollment does not exist', async () => {
		await expect(run(enrollmentOp('get', { enrollmentId: '999' }))).rejects.toThrow(
			/"Enrollment ID" parameter names no enrollment: 999 does not exist/,
		);
	});
});

describe('Cadence › Enrollment › Get Many', () => {
	const getAll = (more: IDataObject = {}) =>
		enrollmentOp('getAll', {
			cadence: { mode: 'list', value: '' },
			returnAll: false,
			limit: 50,
			filters: {},
			...more,
		});

	it('filters by cadence, state, contact, agent and free text, newest first', async () => {
		await enroll(['+1', '+2'], 'Prospecting', { agent: 'Alexey' });
		const [renewal] = await enroll(['+3'], 'Renewals', {
			agent: 'Maria',
			contactName: 'Acme Corp',
		});
		const [paused] = await enroll(['+4']);
		await t.store.pause({ enrollmentId: paused.id });

		const contacts = async (more: IDataObject) =>
			(await run(getAll(more)))[0].map((o) => o.json.contactKey);
		expect(await contacts({})).toEqual(['+4', '+3', '+2', '+1']);
		expect(await contacts({ cadence: { mode: 'name', value: 'Renewals' } })).toEqual(['+3']);
		expect(await contacts({ filters: { state: 'paused' } })).toEqual(['+4']);
		expect(await contacts({ filters: { contactKey: '+2' } })).toEqual(['+2']);
		expect(await contacts({ filters: { agent: 'alexey' } })).toEqual(['+2', '+1']);
		expect(await contacts({ filters: { search: 'acme' } })).toEqual(['+3']);
		const [out] = await run(getAll({ filters: { search: 'acme' } }));
		expect(out[0].json).toMatchObject({ enrollmentId: renewal.id, agent: 'Maria' });
	});

	it('stops at the limit, or returns everything across store pages with Return All', async () => {
		await enroll(Array.from({ length: 1005 }, (_, i) => `c${i}`));
		const [limited] = await run(getAll({ limit: 3 }));
		expect(limited.map((o) => o.json.contactKey)).toEqual(['c1004', 'c1003', 'c1002']);
		const [all] = await run(getAll({ returnAll: true }));
		expect(all.length).toBe(1005);
		expect(new Set(all.map((o) => o.json.enrollmentId)).size).toBe(1005);
		expect(all.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('runs once per input item, pairing each result with the item that asked', async () => {
		await enroll(['+1', '+2']);
		const [out] = await run((i) => getAll({ filters: { contactKey: `+${i + 1}` } }), {
			items: [{ json: {} }, { json: {} }],
		});
		expect(out.map((o) => [o.json.contactKey, o.pairedItem])).toEqual([
			['+1', { item: 0 }],
			['+2', { item: 1 }],
		]);
	});

	it('rejects a bad state, a bad limit and an unknown cadence clearly', async () => {
		await expect(run(getAll({ filters: { state: 'sleeping' } }))).rejects.toThrow(
			/"State" parameter must be one of active, paused, completed, exited, failed/,
		);
		await expect(run(getAll({ limit: 0 }))).rejects.toThrow(
			/"Limit" parameter must be a whole number of at least 1/,
		);
		await expect(run(getAll({ cadence: { mode: 'name', value: 'Nope' } }))).rejects.toThrow(
			/No cadence .*"Nope"/,
		);
	});
});

describe('Cadence › Enrollment › Pause, Resume, Skip Step, Cancel', () => {
	it('pauses until a time with a reason, then resumes', async () => {
		const [e] = await enroll(['+1']);
		const until = '2099-01-01T09:00:00.000Z';
		const [paused] = await run(
			enrollmentOp('pause', { enrollmentId: e.id, options: { until, reason: 'on holiday' } }),
		);
		expect(paused[0].json).toMatchObject({ state: 'paused', pausedUntil: until });
		const pausedEvent = (await t.store.getTimeline(e.id)).find((ev) => ev.type === 'paused');
		expect(pausedEvent?.detail).toEqual({
			until: Date.parse(until),
			reason: 'on holiday',
			by: null,
		});

		const [resumed] = await run(enrollmentOp('resume', { enrollmentId: e.id }));
		expect(resumed[0].json).toMatchObject({ state: 'active', pausedUntil: null });
		expect(typeof resumed[0].json.nextDueAt).toBe('string');
	});

	it('rejects a pause time that is not a date, naming it', async () => {
		const [e] = await enroll(['+1']);
		await expect(
			run(enrollmentOp('pause', { enrollmentId: e.id, options: { until: 'soon' } })),
		).rejects.toThrow(/"Pause Until" parameter is not a date/);
		expect((await t.store.getEnrollment(e.id))!.state).toBe('active');
	});

	it('skips the waiting step and moves on to the next', async () => {
		const [e] = await enroll(['+1']);
		const [out] = await run(
			enrollmentOp('skipStep', { enrollmentId: e.id, options: { reason: 'not relevant' } }),
		);
		expect(out[0].json).toMatchObject({ state: 'active', nextStep: 2 });
		const skipped = (await t.store.getTimeline(e.id)).find((ev) => ev.type === 'skipped');
		expect(skipped?.detail).toMatchObject({ reason: 'not relevant' });
	});

	it('cancels, and refuses to touch an enrollment that has ended', async () => {
		const [e] = await enroll(['+1']);
		const [out] = await run(enrollmentOp('cancel', { enrollmentId: e.id }));
		expect(out[0].json).toMatchObject({ state: 'exited', exitReason: 'cancelled' });
		const again = run(enrollmentOp('cancel', { enrollmentId: e.id }));
		await expect(again).rejects.toThrow(NodeOperationError);
		await expect(again).rejects.toThrow(/only a running enrollment can be stopped/);
	});

	it('with Continue On Fail, turns a failing item into an error item and does the rest', async () => {
		const [e] = await enroll(['+1']);
		const ids = ['nope', e.id, 424242];
		const [out] = await run((i) => enrollmentOp('pause', { enrollmentId: ids[i] }), {
			items: ids.map(() => ({ json: {} })),
			continueOnFail: true,
		});
		expect(out).toEqual([
			{
				json: { error: expect.stringMatching(/"Enrollment ID" parameter must be a whole/) },
				pairedItem: { item: 0 },
			},
			{
				json: expect.objectContaining({ enrollmentId: e.id, state: 'paused' }),
				pairedItem: { item: 1 },
			},
			{
				json: { error: expect.stringMatching(/No enrollment found for 424242/) },
				pairedItem: { item: 2 },
			},
		]);
	});

	it.each(['pause', 'resume', 'skipStep', 'cancel'])(
		'%s lets preview items from the trigger pass with a note and writes nothing',
		async (operation) => {
			const [e] = await enroll(['+1']);
			const before = await t.store.getTimeline(e.id);
			const items: INodeExecutionData[] = [
				{ json: { enrollmentId: 0, stepRunId: 0, contact: { key: 'sandbox' } } },
				{ json: { enrollmentId: e.id, preview: true } },
				// After a send node the preview flag survives but the ids are gone.
				{ json: { message_id: 7, preview: true } },
			];
			const [out] = await run(
				(i) => enrollmentOp(operation, { enrollmentId: items[i].json.enrollmentId }),
				{
					items,
				},
			);
			expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			for (const [i, o] of out.entries()) {
				expect(o.json).toMatchObject({
					...items[i].json,
					preview: true,
					note: expect.stringMatching(/nothing was written/),
				});
			}
			expect(await t.store.getTimeline(e.id)).toEqual(before);
			expect((await t.store.getEnrollment(e.id))!.state).toBe('active');
		},
	);
});

describe('Cadence › Enrollment › Get Timeline', () => {
	async function sentTwice() {
		const [e] = await enroll(['+1']);
		const [claimed] = await t.store.claimDue({ cadence: 'Prospecting' });
		await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'Hello' });
		await t.store.setStepStatus({ stepRunId: claimed.stepRun.id, status: 'delivered' });
		return { e, stepRunId: claimed.stepRun.id };
	}

	it('returns one item per event, oldest first, naming the step a send event is about', async () => {
		const { e, stepRunId } = await sentTwice();
		const [out] = await run(enrollmentOp('getTimeline', { enrollmentId: e.id, view: 'events' }));
		const rows = out.map((o) => [o.json.event, o.json.step, o.json.stepRunId]);
		expect(rows[0]).toEqual(['enrolled', null, null]);
		expect(rows).toContainEqual(['sent', 1, stepRunId]);
		expect(rows).toContainEqual(['delivered', 1, stepRunId]);
		expect(out.map((o) => o.json.event).indexOf('sent')).toBeLessThan(
			out.map((o) => o.json.event).indexOf('delivered'),
		);
		for (const o of out) {
			expect(o.json).toMatchObject({
				enrollmentId: e.id,
				cadence: 'Prospecting',
				contactKey: '+1',
			});
			expect(typeof o.json.at).toBe('string');
			expect(o.pairedItem).toEqual({ item: 0 });
		}
	});

	it('returns one item per send with the Step Runs output', async () => {
		const { e, stepRunId } = await sentTwice();
		const [out] = await run(enrollmentOp('getTimeline', { enrollmentId: e.id, view: 'stepRuns' }));
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({
			enrollmentId: e.id,
			stepRunId,
			step: 1,
			status: 'delivered',
			text: 'Hello',
			idempotencyKey: `${e.id}-0-1`,
		});
		expect(typeof out[0].json.sentAt).toBe('string');
	});

	it('fails for an unknown enrollment and passes a preview item through', async () => {
		await expect(
			run(enrollmentOp('getTimeline', { enrollmentId: 77, view: 'events' })),
		).rejects.toThrow(/"Enrollment ID" parameter names no enrollment: 77/);
		const [out] = await run(enrollmentOp('getTimeline', { enrollmentId: 0, view: 'events' }), {
			items: [{ json: { enrollmentId: 0, preview: true } }],
		});
		expect(out[0].json).toMatchObject({ preview: true, note: expect.any(String) });
	});
});
