import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { openStore } from '../../../engine/store/open';
import { prospecting, withName } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY, HOUR } from '../../support/virtual-clock';

const node = new Cadence();
let t: NodeTestStore;

const run = (
	parameters: IDataObject | ((i: number) => IDataObject),
	extra: Partial<Parameters<typeof executeContext>[0]> = {},
) =>
	node.execute.call(
		executeContext({ type: 'cadence', parameters, credentials: t.credentials, ...extra }),
	);
const report = (operation: string, cadence = '', more: IDataObject = {}) => ({
	resource: 'report',
	operation,
	cadence: { mode: cadence ? 'name' : 'list', value: cadence },
	...more,
});

beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
	await t.store.publishCadence({
		...withName(prospecting, 'AI nudges'),
		steps: [
			{ wait: { amount: 1, unit: 'days' }, composeMode: 'aiFull', instruction: 'Nudge' },
			{ wait: { amount: 1, unit: 'days' }, staticText: 'Bye' },
		],
	});
});
afterEach(async () => t.dispose());

const dueNow = (cadence: string, contacts: string[]) =>
	t.store.enroll(
		contacts.map((contactKey) => ({ cadence, contactKey, startAt: Date.now() - 10 * DAY })),
	);

/** Prospecting step 1: four sends claimed; one sent, one delivered, one read, one failed. */
async function prospectingActivity() {
	await dueNow('Prospecting', ['+1', '+2', '+3', '+4']);
	const claims = await t.store.claimDue({ cadence: 'Prospecting' });
	const [a, b, c, d] = claims.map((x) => x.stepRun.id);
	for (const id of [a, b, c]) await t.store.markSent({ stepRunId: id });
	await t.store.setStepStatus({ stepRunId: b, status: 'delivered' });
	await t.store.setStepStatus({ stepRunId: c, status: 'read' });
	await t.store.setStepStatus({ stepRunId: d, status: 'failed' });
}

describe('Cadence › Report › Funnel', () => {
	it('counts each step and compose mode by status, with cumulative "reached" columns', async () => {
		await prospectingActivity();
		await dueNow('AI nudges', ['+9']);
		await t.store.claimDue({ cadence: 'AI nudges' });
		const [out] = await run(report('funnel'));
		expect(out.map((o) => o.json)).toEqual([
			{
				cadence: 'AI nudges',
				cadenceId: expect.any(Number),
				step: 1,
				composeMode: 'aiFull',
				total: 1,
				pending: 1,
				scheduled: 0,
				sent: 0,
				delivered: 0,
				read: 0,
				replied: 0,
				skipped: 0,
				failed: 0,
				reachedSent: 0,
				reachedDelivered: 0,
				reachedRead: 0,
				outOfOffice: 0,
				autoReplies: 0,
				replyRatePercent: null,
			},
			expect.objectContaining({
				cadence: 'Prospecting',
				step: 1,
				composeMode: 'static',
				total: 4,
				sent: 1,
				delivered: 1,
				read: 1,
				failed: 1,
				reachedSent: 3,
				reachedDelivered: 2,
				reachedRead: 1,
				replyRatePercent: 0,
			}),
		]);
		expect(out.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('reports on one cadence when one is picked, and names an unknown one', async () => {
		await prospectingActivity();
		await dueNow('AI nudges', ['+9']);
		await t.store.claimDue({ cadence: 'AI nudges' });
		const [out] = await run(report('funnel', 'Prospecting'));
		expect(out.map((o) => o.json.cadence)).toEqual(['Prospecting']);
		const attempt = run(report('funnel', 'Nope'));
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/No cadence .*"Nope"/);
	});

	it('returns no items when nothing has been sent yet', async () => {
		const [out] = await run(report('funnel'));
		expect(out).toEqual([]);
	});
});

describe('Cadence › Report › Reply Rates', () => {
	/** Prospecting step 1 to three agents' contacts: a person replies, an out-of-office, nothing. */
	async function replies() {
		await t.store.enroll(
			['+1', '+2', '+3'].map((contactKey, i) => ({
				cadence: 'Prospecting',
				contactKey,
				agent: i === 0 ? 'Alexey' : 'Maria',
				startAt: Date.now() - 10 * DAY,
			})),
		);
		for (const claimed of await t.store.claimDue({ cadence: 'Prospecting' })) {
			await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'x' });
		}
		await t.store.recordInbound({ contactKey: '+1', text: 'Yes please' });
		await t.store.recordInbound({
			contactKey: '+2',
			text: 'Away until Monday',
			kind: 'outOfOffice',
			action: 'pause',
		});
	}

	it('gives the reply rate per step, counting people only, with machines apart', async () => {
		await replies();
		const [out] = await run(report('replyRates', 'Prospecting', { groupBy: 'step' }));
		expect(out.map((o) => o.json)).toEqual([
			{
				cadence: 'Prospecting',
				cadenceId: expect.any(Number),
				step: 1,
				sent: 3,
				replied: 1,
				replyRatePercent: 33.3,
				outOfOffice: 1,
				autoReplies: 0,
				skipped: 0,
				failed: 0,
			},
		]);
	});

	it('per agent, also counts the chats still in follow-up', async () => {
		await replies();
		const [out] = await run(report('replyRates', '', { groupBy: 'agent' }));
		expect(out.map((o) => [o.json.agent, o.json.sent, o.json.replied, o.json.inFollowUp])).toEqual([
			['Alexey', 1, 1, 0],
			['Maria', 2, 0, 2],
		]);
	});

	it('names the Group By parameter when it is not one of the choices, and reads nothing', async () => {
		const attempt = run(report('replyRates', '', { groupBy: 'weekday' }));
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/"Group By" parameter must be one of Step/);
	});
});

describe('Cadence › Report › State Distribution', () => {
	it('counts enrollments per cadence and state', async () => {
		await prospectingActivity();
		const [paused] = await dueNow('AI nudges', ['+8', '+9']);
		await t.store.pause({ enrollmentId: paused.enrollment!.id });
		const [out] = await run(report('stateDistribution'));
		expect(out.map((o) => o.json)).toEqual([
			{ cadence: 'AI nudges', cadenceId: expect.any(Number), state: 'active', count: 1 },
			{ cadence: 'AI nudges', cadenceId: expect.any(Number), state: 'paused', count: 1 },
			{ cadence: 'Prospecting', cadenceId: expect.any(Number), state: 'active', count: 3 },
			{ cadence: 'Prospecting', cadenceId: expect.any(Number), state: 'failed', count: 1 },
		]);
		const [one] = await run(report('stateDistribution', 'AI nudges'));
		expect(one.map((o) => o.json.state)).toEqual(['active', 'paused']);
	});
});

describe('Cadence › Report › Stuck Steps', () => {
	/** Claims due steps two hours ago, through a second store on the same file with its own clock. */
	async function claimTwoHoursAgo(contacts: string[]) {
		await dueNow('Prospecting', contacts);
		const past = await openStore(
			{ kind: 'sqlite', path: String(t.credentials.cadenceStoreApi.sqlitePath) },
			() => Date.now() - 2 * HOUR,
		);
		try {
			return await past.claimDue({ cadence: 'Prospecting' });
		} finally {
			await past.close();
		}
	}
	const stuck = (minutes: string | number, more: IDataObject = {}) =>
		report('stuckSteps', '', { unconfirmedForMinutes: minutes, limit: 50, ...more });

	it('lists steps emitted longer ago than the threshold and still unconfirmed', async () => {
		const [confirmed, open] = await claimTwoHoursAgo(['+1', '+2']);
		await t.store.markSent({ stepRunId: confirmed.stepRun.id });
		const [out] = await run(stuck(60));
		expect(out).toHaveLength(1);
		expect(out[0].json).toMatchObject({
			enrollmentId: open.enrollment.id,
			cadence: 'Prospecting',
			contactKey: '+2',
			stepRunId: open.stepRun.id,
			step: 1,
			status: 'pending',
			idempotencyKey: open.stepRun.idempotencyKey,
			stuckAt: null,
		});
		expect(out[0].json.unconfirmedForMinutes).toBeGreaterThanOrEqual(119);
		expect(out[0].json.unconfirmedForMinutes).toBeLessThanOrEqual(121);
		// Only a look: nothing is marked, so a later alerting run still sees it as new.
		expect((await t.store.getTimeline(open.enrollment.id)).map((e) => e.type)).not.toContain(
			'stuck',
		);
		const [patient] = await run(stuck(180));
		expect(patient).toEqual([]);
	});

	it('honours the limit and the cadence filter', async () => {
		await claimTwoHoursAgo(['+1', '+2', '+3']);
		expect((await run(stuck(60, { limit: 2 })))[0]).toHaveLength(2);
		expect((await run({ ...stuck(60), cadence: { mode: 'name', value: 'AI nudges' } }))[0]).toEqual(
			[],
		);
	});

	it.each([0, -5, 'abc', ''])(
		'rejects %p unconfirmed minutes naming the parameter',
		async (minutes) => {
			const attempt = run(stuck(minutes));
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(
				/"Unconfirmed For \(Minutes\)" parameter must be at least 1/,
			);
		},
	);
});
