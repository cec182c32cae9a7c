import { NodeApiError, type IDataObject, type INodeExecutionData } from 'n8n-workflow';
import { CadenceStoreError } from '../../../engine/errors';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { readStepItem } from '../../../nodes/shared/step-item';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { triggerContext, type TriggerHarness } from '../../support/trigger-context';
import { DAY, MINUTE } from '../../support/virtual-clock';

/**
 * The tick on jest's fake clock: the store reads the same faked Date.now, so "three days later"
 * is one call, and the cron fires when the test moves the timers.
 */
const node = new FollowUpTrigger();
const START = Date.parse('2026-03-02T09:00:00Z');

const steps = {
	step: [
		{
			waitAmount: 3,
			waitUnit: 'days',
			composeMode: 'aiFull',
			instruction: 'Ask whether the question is still open',
			staticText: 'Is your question still open, {{firstName}}?',
			channel: 'whatsapp',
			whatsappTemplate: 'still_open',
		},
		{ waitAmount: 1, waitUnit: 'days', composeMode: 'static', staticText: 'Last note from us!' },
	],
};

let t: NodeTestStore;
let harness: TriggerHarness;
beforeEach(async () => {
	jest.useFakeTimers({ now: START });
	t = await nodeTestStore();
});
afterEach(async () => {
	await harness?.deactivate();
	jest.restoreAllMocks();
	await t.dispose();
	jest.useRealTimers();
});

async function activate(options: IDataObject = {}) {
	harness = triggerContext({
		parameters: { cadenceName: 'Nudges', steps, options },
		credentials: t.credentials,
	});
	await harness.activate(node);
}

/** Moves the clock by `ms` and lets every cron check that fell due run to its end. */
async function wait(ms: number) {
	await jest.advanceTimersByTimeAsync(ms);
	await harness.settle();
}

const json = (items: INodeExecutionData[]) => items.map((i) => i.json);

async function enroll(contactKey: string, extra: IDataObject = {}) {
	const [result] = await t.store.enroll([{ cadence: 'Nudges', contactKey, ...extra }]);
	return result.enrollment!;
}

describe('Follow-up Trigger checks for due steps', () => {
	it('emits each due step once, in one execution, with everything the flow needs', async () => {
		await activate();
		await t.store.recordInbound({ contactKey: '+1', text: 'Do you ship to Canada?' });
		await t.store.recordOutbound({ contactKey: '+1', text: 'We do! Want a quote?' });
		const ann = await enroll('+1', {
			contactName: 'Ann',
			conversationKey: 'chat-1',
			variables: { firstName: 'Ann' },
			agent: 'Sam',
		});
		const bob = await enroll('+2');

		await wait(10_000);
		expect(harness.emitted).toEqual([]);

		jest.setSystemTime(START + 3 * DAY);
		await wait(10_000);
		expect(harness.emitted).toHaveLength(1);
		const [execution] = harness.emitted;
		expect(execution).toHaveLength(1); // no events picked: one output
		const items = json(execution[0]);
		expect(items.map((i) => i.enrollmentId)).toEqual([ann.id, bob.id]);
		const runs = await t.store.getStepRuns(ann.id);
		expect(items[0]).toEqual({
			cadence: 'Nudges',
			cadenceId: expect.any(Number),
			cadenceVersion: 1,
			enrollmentId: ann.id,
			stepRunId: runs[0].id,
			idempotencyKey: `${ann.id}-0-1`,
			attempt: 1,
			step: 1,
			stepCount: 2,
			isLastStep: false,
			stepName: 'Step 1',
			instruction: 'Ask whether the question is still open',
			staticText: 'Is your question still open, {{firstName}}?',
			composeMode: 'aiFull',
			channel: 'whatsapp',
			channelSetting: 'whatsapp',
			// No WhatsApp conversation or number in the history: the decision says so.
			channelReason:
				'set on the step: whatsapp; no WhatsApp number or phone number is known for WhatsApp; the step cannot be sent',
			// Route by Channel sends it to Cannot Send, with nothing to send to and no template.
			channelRoute: 'cannotSend',
			channelAddress: null,
			channelAddressKind: null,
			template: null,
			switchedFrom: null,
			whatsappTemplate: 'still_open',
			persona: '',
			contact: {
				key: '+1',
				name: 'Ann',
				conversationKey: 'chat-1',
				timeZone: null,
				variables: { firstName: 'Ann' },
				target: null,
			},
			agent: 'Sam',
			dueAt: new Date(START + 3 * DAY).toISOString(),
			claimedAt: new Date(Date.now()).toISOString(),
			reason: null,
			history: [],
		});
		expect(readStepItem(items[0])).toMatchObject({ stepRunId: runs[0].id, preview: false });
		// Bob has no conversation key: his history is every conversation of his (none yet).
		expect(items[1]).toMatchObject({ contact: { key: '+2', name: '' }, history: [] });

		// The next checks find nothing new: a claimed step is never handed out twice.
		await wait(30_000);
		expect(harness.emitted).toHaveLength(1);
	});

	it('carries the conversation so far, earlier follow-ups included', async () => {
		await activate({ historyLength: 3 });
		await t.store.recordInbound({ contactKey: '+1', text: 'Hello?' });
		await t.store.recordInbound({ contactKey: '+1', text: 'Do you ship to Canada?' });
		await t.store.recordOutbound({ contactKey: '+1', text: 'We do! Want a quote?' });
		const ann = await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		await wait(10_000);
		const [first] = json(harness.emitted[0][0]);
		expect((first.history as IDataObject[]).map((m) => [m.author, m.text])).toEqual([
			['contact', 'Hello?'],
			['contact', 'Do you ship to Canada?'],
			['agent', 'We do! Want a quote?'],
		]);

		await t.store.markSent({ stepRunId: first.stepRunId as number, text: 'Still need a quote?' });
		jest.setSystemTime(Date.now() + DAY);
		await wait(10_000);
		expect(harness.emitted).toHaveLength(2);
		const [second] = json(harness.emitted[1][0]);
		expect(second).toMatchObject({
			enrollmentId: ann.id,
			step: 2,
			isLastStep: true,
			composeMode: 'static',
			idempotencyKey: `${ann.id}-1-1`,
		});
		// The last three messages, oldest first, ending with the follow-up that went out.
		expect((second.history as IDataObject[]).map((m) => [m.direction, m.author, m.text])).toEqual([
			['inbound', 'contact', 'Do you ship to Canada?'],
			['outbound', 'agent', 'We do! Want a quote?'],
			['outbound', 'followUp', 'Still need a quote?'],
		]);
	});

	it('claims in batches until a short one, one execution per batch', async () => {
		await activate({ batchSize: 2 });
		for (const contact of ['a', 'b', 'c', 'd', 'e']) await enroll(contact);
		const claim = jest.spyOn(t.store, 'claimDue');
		jest.setSystemTime(START + 3 * DAY);
		await wait(10_000);
		expect(claim.mock.calls.map(([input]) => input.limit)).toEqual([2, 2, 2]);
		expect(
			harness.emitted.map((e) => json(e[0]).map((i) => (i.contact as IDataObject).key)),
		).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
	});

	it('skips a check while the previous one still runs, so nothing is claimed twice', async () => {
		await activate();
		await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		const claim = t.store.claimDue;
		let finish!: () => void;
		const slowStore = new Promise<void>((resolve) => (finish = resolve));
		const spy = jest.spyOn(t.store, 'claimDue').mockImplementation(async (input) => {
			await slowStore;
			return claim(input);
		});
		// Three cron ticks while the first check waits on a slow store.
		await jest.advanceTimersByTimeAsync(30_000);
		expect(spy).toHaveBeenCalledTimes(1);
		finish();
		await harness.settle();
		expect(harness.emitted).toHaveLength(1);
		expect(json(harness.emitted[0][0])).toHaveLength(1);
		await wait(10_000);
		expect(spy).toHaveBeenCalledTimes(2);
		expect(harness.emitted).toHaveLength(1);
	});

	it('reports a failed check and keeps checking', async () => {
		await activate();
		await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		const outage = new CadenceStoreError('The Postgres cadence store cannot be reached');
		jest.spyOn(t.store, 'claimDue').mockRejectedValueOnce(outage).mockRejectedValueOnce(outage);
		await wait(10_000);
		await wait(10_000);
		// The same failure twice in a row is one failed execution, not one every 10 seconds.
		expect(harness.failures).toHaveLength(1);
		expect(harness.failures[0]).toBeInstanceOf(NodeApiError);
		expect(harness.failures[0].message).toBe('The cadence store could not be used');
		expect(harness.emitted).toEqual([]);

		jest.restoreAllMocks();
		await wait(10_000);
		expect(harness.emitted).toHaveLength(1);
		expect(json(harness.emitted[0][0])[0]).toMatchObject({ contact: { key: '+1' }, step: 1 });
	});

	it('still emits what it claimed when a later batch fails', async () => {
		await activate({ batchSize: 2 });
		for (const contact of ['a', 'b', 'c']) await enroll(contact);
		jest.setSystemTime(START + 3 * DAY);
		const claim = t.store.claimDue;
		jest
			.spyOn(t.store, 'claimDue')
			.mockImplementationOnce((input) => claim(input))
			.mockRejectedValueOnce(new CadenceStoreError('connection reset'));
		await wait(10_000);
		// Claimed steps are never handed out again, so the first batch must reach the flow.
		expect(json(harness.emitted[0][0]).map((i) => (i.contact as IDataObject).key)).toEqual([
			'a',
			'b',
		]);
		expect(harness.failures).toHaveLength(1);
		jest.restoreAllMocks();
		await wait(10_000);
		expect(json(harness.emitted[1][0]).map((i) => (i.contact as IDataObject).key)).toEqual(['c']);
	});

	it('emits a claimed step without its history when the history cannot be read', async () => {
		await activate();
		await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		jest.spyOn(t.store, 'getConversations').mockRejectedValueOnce(new Error('disk I/O error'));
		await wait(10_000);
		expect(json(harness.emitted[0][0])[0]).toMatchObject({
			contact: { key: '+1' },
			history: [],
			historyError: 'disk I/O error',
		});
		expect(harness.failures).toEqual([]);
	});

	it('checks nothing after deactivation', async () => {
		await activate();
		await enroll('+1');
		await harness.deactivate();
		jest.setSystemTime(START + 3 * DAY);
		await jest.advanceTimersByTimeAsync(60_000);
		expect(harness.emitted).toEqual([]);
		const [enrollment] = await t.store.listEnrollments();
		expect(enrollment.nextDueAt).not.toBeNull(); // still waiting to be claimed
	});
});

describe('Follow-up Trigger events', () => {
	it('emits nothing on the Events output when no event is picked', async () => {
		await activate();
		const ann = await enroll('+1');
		await t.store.recordInbound({ contactKey: '+1', text: 'Stop please' });
		await wait(10_000);
		expect(harness.emitted).toEqual([]);
		expect((await t.store.getEnrollment(ann.id))!.state).toBe('exited');
	});

	it('emits replies and exits from after activation on the Events output', async () => {
		const before = await (async () => {
			await t.store.publishCadence({
				name: 'Nudges',
				steps: [{ wait: { amount: 3, unit: 'days' }, staticText: 'x' }],
			});
			const early = await enroll('+0');
			await t.store.recordInbound({ contactKey: '+0', text: 'before activation' });
			return early;
		})();
		await activate({ emitEvents: ['replied', 'exited', 'completed'] });
		await wait(10_000);
		expect(harness.emitted).toEqual([]); // what happened before activation is not replayed
		expect((await t.store.getTimeline(before.id)).map((e) => e.type)).toContain('replied');

		const ann = await enroll('+1', { contactName: 'Ann', variables: { firstName: 'Ann' } });
		jest.setSystemTime(Date.now() + 10 * MINUTE);
		await t.store.recordInbound({ contactKey: '+1', text: 'No thanks' });
		await wait(10_000);
		expect(harness.emitted).toHaveLength(1);
		const [dueSteps, events] = harness.emitted[0];
		expect(dueSteps).toEqual([]);
		expect(json(events)).toEqual([
			expect.objectContaining({
				event: 'replied',
				summary: 'Ann (+1) replied in "Nudges"',
				cadence: 'Nudges',
				cadenceVersion: 2,
				enrollmentId: ann.id,
				step: null,
				contact: expect.objectContaining({
					key: '+1',
					name: 'Ann',
					variables: { firstName: 'Ann' },
				}),
				state: 'exited',
				detail: { action: 'exit', kind: 'person', text: 'No thanks' },
			}),
			expect.objectContaining({
				event: 'exited',
				summary: '"Nudges" stopped for Ann (+1): replied',
				exitReason: 'replied',
				at: new Date(Date.now() - 10_000).toISOString(),
			}),
		]);
		expect(typeof json(events)[0].eventId).toBe('number');
		await wait(30_000);
		expect(harness.emitted).toHaveLength(1);
	});

	it('reports a step handed to the send path and never confirmed as stuck, once, in its own execution', async () => {
		await activate({ emitEvents: ['stuck'], stuckAfterMinutes: 5 });
		const ann = await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		await wait(10_000);
		const [dueSteps, events] = harness.emitted[0];
		expect(events).toEqual([]);
		const claimed = json(dueSteps)[0];
		await wait(MINUTE);
		const handedAt = Date.now();
		await t.store.handOff({ stepRunId: claimed.stepRunId as number });

		await wait(4 * MINUTE);
		expect(harness.emitted).toHaveLength(1); // not yet: under five minutes since the hand-off
		await wait(2 * MINUTE);
		expect(harness.emitted).toHaveLength(2);
		expect(harness.emitted[1][0]).toEqual([]);
		const [alert] = json(harness.emitted[1][1]);
		expect(alert).toEqual(
			expect.objectContaining({
				event: 'stuck',
				enrollmentId: ann.id,
				stepRunId: claimed.stepRunId,
				idempotencyKey: claimed.idempotencyKey,
				step: 1,
				summary: `Step 1 for +1 was handed to the send step at ${new Date(handedAt).toISOString()} and never confirmed as sent`,
				detail: expect.objectContaining({
					claimedAt: claimed.claimedAt,
					attempt: 1,
					status: 'pending',
				}),
				eventId: null,
			}),
		);
		expect(alert.alertId).toMatch(new RegExp(`^stuck-${claimed.stepRunId}-\\d+$`));
		await wait(10 * MINUTE);
		expect(harness.emitted).toHaveLength(2);
		expect((await t.store.getTimeline(ann.id)).filter((e) => e.type === 'stuck')).toHaveLength(1);
	});

	it('emits a draft awaiting approval and a completed enrollment', async () => {
		await activate({ emitEvents: ['draftPending', 'completed'] });
		const ann = await enroll('+1');
		jest.setSystemTime(START + 3 * DAY);
		await wait(10_000);
		const first = json(harness.emitted[0][0])[0];
		await t.store.recordDraft({
			stepRunId: first.stepRunId as number,
			text: 'Draft',
			awaitingApproval: true,
		});
		await wait(10_000);
		expect(json(harness.emitted[1][1])).toEqual([
			expect.objectContaining({
				event: 'draftPending',
				step: 1,
				stepRunId: first.stepRunId,
				idempotencyKey: first.idempotencyKey,
				summary: 'An AI draft for step 1 to +1 awaits approval',
			}),
		]);

		await t.store.recordApproval({ stepRunId: first.stepRunId as number, decision: 'approved' });
		await t.store.markSent({ stepRunId: first.stepRunId as number });
		jest.setSystemTime(Date.now() + DAY);
		await wait(10_000);
		const second = json(harness.emitted[2][0])[0];
		await t.store.markSent({ stepRunId: second.stepRunId as number });
		await wait(10_000);
		expect(json(harness.emitted[3][1])).toEqual([
			expect.objectContaining({
				event: 'completed',
				enrollmentId: ann.id,
				state: 'completed',
				summary: '+1 received every step of "Nudges"',
			}),
		]);
	});
});
