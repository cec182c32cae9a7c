import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { stepItemJson } from '../../../nodes/shared/step-item';
import type { ClaimedStep } from '../../../engine/store/types';
import { prospecting, withName } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new Cadence();
let t: NodeTestStore;

type Extra = Partial<Parameters<typeof executeContext>[0]>;
const contextFor = (parameters: IDataObject | ((i: number) => IDataObject), extra: Extra = {}) =>
	executeContext({ type: 'cadence', parameters, credentials: t.credentials, ...extra });
const run = (parameters: IDataObject | ((i: number) => IDataObject), extra: Extra = {}) =>
	node.execute.call(contextFor(parameters, extra));
const signal = (operation: string, more: IDataObject = {}) => ({
	resource: 'signal',
	operation,
	options: {},
	...more,
});

/** Enrolls contacts (due now) and claims their first step, as the Follow-up Trigger would. */
async function claimFor(contacts: string[], extra: IDataObject = {}): Promise<ClaimedStep[]> {
	await t.store.enroll(
		contacts.map((contactKey) => ({
			cadence: 'Prospecting',
			contactKey,
			startAt: Date.now() - 10 * DAY,
			...extra,
		})),
	);
	return t.store.claimDue({ cadence: 'Prospecting' });
}

beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
	await t.store.publishCadence({
		...withName(prospecting, 'No goal exit'),
		exitOn: { goal: false },
	});
});
afterEach(async () => t.dispose());

describe('Cadence › Signal › Mark Sent', () => {
	it('confirms the send with its text, model and tokens, and schedules the next step', async () => {
		const [claimed] = await claimFor(['+1']);
		const [out] = await run(
			signal('markSent', {
				stepRun: String(claimed.stepRun.id),
				options: {
					text: 'Hi Ann, still interested?',
					model: 'gpt-4o-mini',
					promptTokens: 120,
					completionTokens: 30,
					degraded: true,
					channel: 'whatsapp',
					at: '2026-03-02T09:00:00Z',
				},
			}),
		);
		expect(out[0]).toMatchObject({
			json: {
				enrollmentId: claimed.enrollment.id,
				stepRunId: claimed.stepRun.id,
				step: 1,
				status: 'sent',
				sentAt: '2026-03-02T09:00:00.000Z',
				text: 'Hi Ann, still interested?',
				model: 'gpt-4o-mini',
				promptTokens: 120,
				completionTokens: 30,
				degraded: true,
			},
			pairedItem: { item: 0 },
		});
		expect(await t.store.getEnrollment(claimed.enrollment.id)).toMatchObject({ nextStep: 1 });
		const [message] = await t.store.getConversation({ contactKey: '+1' });
		expect(message).toMatchObject({ text: 'Hi Ann, still interested?', channel: 'whatsapp' });
	});

	it('takes the idempotency key instead of the id, and a repeat changes nothing', async () => {
		const [claimed] = await claimFor(['+1']);
		const params = signal('markSent', { stepRun: claimed.stepRun.idempotencyKey });
		const [first] = await run(params);
		expect(first[0].json).toMatchObject({ stepRunId: claimed.stepRun.id, status: 'sent' });
		const after = await t.store.getEnrollment(claimed.enrollment.id);
		const [second] = await run(params);
		expect(second[0].json.sentAt).toBe(first[0].json.sentAt);
		expect(await t.store.getEnrollment(claimed.enrollment.id)).toEqual(after);
	});

	it('finds the step run on the Follow-up Trigger item when the send node dropped it', async () => {
		const claims = await claimFor(['+1', '+2']);
		const triggerItems = claims.map((c) => stepItemJson(c, []));
		const context = contextFor(signal('markSent', { stepRun: '' }), {
			// What a Telegram node outputs: the API response, none of the trigger's fields.
			items: [{ json: { message_id: 11 } }, { json: { message_id: 12 } }],
		}) as IExecuteFunctions & Record<string, unknown>;
		const asked: string[] = [];
		context.getParentNodes = () => [
			{ name: 'Send', type: 'n8n-nodes-base.telegram', typeVersion: 1, disabled: false },
			{
				name: 'Follow-up Trigger',
				type: 'n8n-nodes-cadence.followUpTrigger',
				typeVersion: 1,
				disabled: false,
			},
		];
		context.evaluateExpression = (expression: string, itemIndex: number) => {
			asked.push(expression);
			return triggerItems[itemIndex].stepRunId as number;
		};
		const [out] = await node.execute.call(context);
		expect(asked).toEqual([
			'{{ $("Follow-up Trigger").item.json.stepRunId }}',
			'{{ $("Follow-up Trigger").item.json.stepRunId }}',
		]);
		expect(out.map((o) => [o.json.stepRunId, o.json.status, o.pairedItem])).toEqual([
			[claims[0].stepRun.id, 'sent', { item: 0 }],
			[claims[1].stepRun.id, 'sent', { item: 1 }],
		]);
	});

	it('reads the default mapping {{ $json.stepRunId }} from each item, with no expression to evaluate', async () => {
		const claims = await claimFor(['a', 'b']);
		const items = claims.map((c) => ({ json: stepItemJson(c, []) }));
		const context = contextFor(signal('markSent', { stepRun: '={{ $json.stepRunId }}' }), {
			items,
		});
		const read = jest.spyOn(context, 'getNodeParameter');
		const [out] = await node.execute.call(context);
		expect(out.map((o) => [o.json.stepRunId, o.json.status, o.pairedItem])).toEqual([
			[claims[0].stepRun.id, 'sent', { item: 0 }],
			[claims[1].stepRun.id, 'sent', { item: 1 }],
		]);
		expect(read.mock.calls.map(([name]) => name)).not.toContain('stepRun');
	});

	it('says how to map the step run when it is empty and no trigger item leads to it', async () => {
		const context = contextFor(signal('markSent', { stepRun: '' })) as IExecuteFunctions &
			Record<string, unknown>;
		context.getParentNodes = () => [
			{
				name: 'Trigger',
				type: 'n8n-nodes-cadence.followUpTrigger',
				typeVersion: 1,
				disabled: false,
			},
		];
		context.evaluateExpression = () => {
			throw new Error('No path back to the referenced node');
		};
		const attempt = node.execute.call(context);
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(/"Step Run ID or Idempotency Key" parameter is empty/);
	});

	it.each([
		['abc', /"Step Run ID or Idempotency Key" parameter must be a step run ID such as 42/],
		['12-x-1', /"Step Run ID or Idempotency Key" parameter must be a step run ID/],
		['', /"Step Run ID or Idempotency Key" parameter is empty/],
	])('rejects the step run %p naming the parameter', async (stepRun, message) => {
		await expect(run(signal('markSent', { stepRun }))).rejects.toThrow(message);
	});

	it('rejects bad options naming them, and writes nothing', async () => {
		const [claimed] = await claimFor(['+1']);
		const stepRun = claimed.stepRun.id;
		await expect(
			run(signal('markSent', { stepRun, options: { promptTokens: -1 } })),
		).rejects.toThrow(/"Prompt Tokens" parameter must be a whole number of at least 0/);
		await expect(run(signal('markSent', { stepRun, options: { at: 'later' } }))).rejects.toThrow(
			/"Sent At" parameter is not a date/,
		);
		await expect(
			run(signal('markSent', { stepRun, options: { model: 'm'.repeat(201) } })),
		).rejects.toThrow(/"Model" parameter: /);
		expect((await t.store.getStepRuns(claimed.enrollment.id))[0].status).toBe('pending');
	});

	it('reports an unknown step run or idempotency key', async () => {
		await expect(run(signal('markSent', { stepRun: '999' }))).rejects.toThrow(
			/No step run found for 999/,
		);
		await expect(run(signal('markSent', { stepRun: '999-0-1' }))).rejects.toThrow(
			/No step run found for "999-0-1"/,
		);
	});

	it('confirms every item’s send in one store call; an unknown step run fails its item alone', async () => {
		const claimed = await claimFor(['+1', '+2', '+3']);
		const batch = jest.spyOn(t.store, 'markSentMany');
		const one = jest.spyOn(t.store, 'markSent');
		const refs = [
			claimed[0].stepRun.id,
			999,
			claimed[1].stepRun.idempotencyKey,
			claimed[2].stepRun.id,
		];
		const items = refs.map(() => ({ json: {} }));
		const [out] = await run((i) => signal('markSent', { stepRun: refs[i] }), {
			items,
			continueOnFail: true,
		});
		expect(out.map((o) => [o.json.status ?? o.json.error, o.pairedItem])).toEqual([
			['sent', { item: 0 }],
			[expect.stringMatching(/No step run found for 999/), { item: 1 }],
			['sent', { item: 2 }],
			['sent', { item: 3 }],
		]);
		expect(batch).toHaveBeenCalledTimes(1);
		expect(one).not.toHaveBeenCalled();
		for (const c of claimed) {
			expect((await t.store.getStepRuns(c.enrollment.id))[0].status).toBe('sent');
			expect((await t.store.getEnrollment(c.enrollment.id))!.nextStep).toBe(1);
		}
	});

	it('lets preview items from the trigger pass with a note and writes nothing', async () => {
		const [claimed] = await claimFor(['+1']);
		const preview = { ...stepItemJson(claimed, []), enrollmentId: 0, stepRunId: 0 };
		const flagged = { ...stepItemJson(claimed, []), preview: true };
		const items = [{ json: preview }, { json: flagged }, { json: { ref: '0-0-1' } }];
		const refs = [0, claimed.stepRun.id, '0-0-1'];
		const [out] = await run((i) => signal('markSent', { stepRun: refs[i] }), { items });
		expect(out.map((o) => [o.json.preview, o.json.note, o.pairedItem])).toEqual([
			[true, expect.stringMatching(/Preview item/), { item: 0 }],
			[true, expect.stringMatching(/Preview item/), { item: 1 }],
			[true, expect.stringMatching(/Preview item/), { item: 2 }],
		]);
		expect(out[1].json.stepRunId).toBe(claimed.stepRun.id);
		expect((await t.store.getStepRuns(claimed.enrollment.id))[0].status).toBe('pending');
	});
});

describe('Cadence › Signal › Delivery Status', () => {
	const status = (stepRun: string | number, value: string, options: IDataObject = {}) =>
		signal('deliveryStatus', { stepRun, status: value, options });

	it('moves a send forward through delivered and read, by id or idempotency key', async () => {
		const [claimed] = await claimFor(['+1']);
		const { id, idempotencyKey } = claimed.stepRun;
		await run(status(id, 'sent'));
		const [delivered] = await run(
			status(idempotencyKey, 'delivered', { at: '2099-01-01T00:00:00Z' }),
		);
		expect(delivered[0].json).toMatchObject({
			stepRunId: id,
			status: 'delivered',
			deliveredAt: '2099-01-01T00:00:00.000Z',
		});
		const [read] = await run(status(id, 'read'));
		expect(read[0].json.status).toBe('read');
		// Channels repeat webhooks: the same report again changes nothing.
		const [repeat] = await run(status(id, 'read'));
		expect(repeat[0].json).toEqual(read[0].json);
	});

	it('ignores a late report by default, and fails on it when asked to', async () => {
		const [claimed] = await claimFor(['+1']);
		const { id } = claimed.stepRun;
		await run(status(id, 'sent'));
		await run(status(id, 'read'));
		const [late] = await run(status(id, 'delivered'));
		expect(late[0].json).toMatchObject({
			stepRunId: id,
			status: 'read',
			ignoredLateReport: true,
			reportedStatus: 'delivered',
		});
		await expect(run(status(id, 'delivered', { ignoreLate: false }))).rejects.toThrow(
			/already "read", so it cannot become "delivered".*only move forward/,
		);
	});

	it('records a failure with its detail and stops the enrollment as failed', async () => {
		const [claimed] = await claimFor(['+1']);
		const [out] = await run(
			status(claimed.stepRun.id, 'failed', { detail: 'Number not on WhatsApp' }),
		);
		expect(out[0].json).toMatchObject({ status: 'failed', detail: 'Number not on WhatsApp' });
		expect(await t.store.getEnrollment(claimed.enrollment.id)).toMatchObject({
			state: 'failed',
			exitReason: 'step 1 failed: Number not on WhatsApp',
		});
	});

	it('rejects an unknown status naming the parameter', async () => {
		const [claimed] = await claimFor(['+1']);
		await expect(run(status(claimed.stepRun.id, 'bounced'))).rejects.toThrow(
			/"Status" parameter must be one of delivered, failed, read, sent, not "bounced"/,
		);
		await expect(run(status(claimed.stepRun.id, 'read', { at: 'yesterday-ish' }))).rejects.toThrow(
			/"Status Time" parameter is not a date/,
		);
	});

	it('with Continue On Fail, reports a forbidden move on its item and carries on', async () => {
		const [a, b] = await claimFor(['+1', '+2']);
		await t.store.setStepStatus({ stepRunId: a.stepRun.id, status: 'failed' });
		const ids = [a.stepRun.id, b.stepRun.id];
		const [out] = await run((i) => status(ids[i], 'delivered', { ignoreLate: false }), {
			items: [{ json: {} }, { json: {} }],
			continueOnFail: true,
		});
		expect(out[0]).toEqual({
			json: { error: expect.stringMatching(/failed/) },
			pairedItem: { item: 0 },
		});
		expect(out[1]).toMatchObject({ json: { status: 'delivered' }, pairedItem: { item: 1 } });
	});

	it('passes a preview item through without writing', async () => {
		const [out] = await run(status(0, 'delivered'), { items: [{ json: { stepRunId: 0 } }] });
		expect(out[0].json).toMatchObject({ stepRunId: 0, preview: true });
	});
});

describe('Cadence › Signal › Goal Reached, Resolved, Opted Out', () => {
	it('ends the contact’s enrollments whose cadence exits on the goal', async () => {
		await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: '+1' },
			{ cadence: 'No goal exit', contactKey: '+1' },
		]);
		const [out] = await run(
			signal('goalReached', { contactKey: '+1', options: { note: 'Paid by card' } }),
		);
		expect(out[0].json).toMatchObject({ signal: 'goalReached', contactKey: '+1', exited: 1 });
		const states = (await t.store.listEnrollments({ contactKey: '+1' })).map((e) => [
			e.cadenceName,
			e.state,
			e.exitReason,
		]);
		expect(states).toEqual(
			expect.arrayContaining([
				['Prospecting', 'exited', 'goal'],
				['No goal exit', 'active', null],
			]),
		);
	});

	it('matches by target alone, and limits to one cadence when asked', async () => {
		const [deal, other] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: '+1', target: { type: 'deal', id: 'D1' } },
			{ cadence: 'Prospecting', contactKey: '+2', target: { type: 'deal', id: 'D2' } },
		]);
		const [out] = await run(
			signal('goalReached', {
				contactKey: '',
				targetType: 'deal',
				targetId: 'D1',
				options: { cadence: 'Prospecting' },
			}),
		);
		expect(out[0].json).toMatchObject({
			target: { type: 'deal', id: 'D1' },
			exitedEnrollmentIds: [deal.enrollment!.id],
		});
		expect((await t.store.getEnrollment(other.enrollment!.id))!.state).toBe('active');
	});

	it('says what is missing when neither contact nor a whole target is given', async () => {
		await expect(run(signal('goalReached', { contactKey: ' ' }))).rejects.toThrow(
			/"Contact ID" parameter is empty and no target is given/,
		);
		await expect(
			run(signal('goalReached', { contactKey: '+1', targetType: 'deal', targetId: '' })),
		).rejects.toThrow(/"Target ID" parameter is empty while its partner is set/);
		await expect(
			run(signal('goalReached', { contactKey: '+1', options: { cadence: 'Nope' } })),
		).rejects.toThrow(/No cadence .*"Nope"/);
	});

	it('resolves one conversation of a contact and leaves the others running', async () => {
		const [a, b] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: '+1', conversationKey: 'chat-a' },
			{ cadence: 'Prospecting', contactKey: '+1', conversationKey: 'chat-b' },
		]);
		const [out] = await run(signal('resolved', { contactKey: '+1', conversationKey: 'chat-a' }));
		expect(out[0].json).toEqual({
			signal: 'resolved',
			contactKey: '+1',
			conversationKey: 'chat-a',
			exited: 1,
			exitedEnrollmentIds: [a.enrollment!.id],
		});
		expect((await t.store.getEnrollment(b.enrollment!.id))!.state).toBe('active');
		await expect(run(signal('resolved', { contactKey: '' }))).rejects.toThrow(
			/"Contact ID" parameter is empty/,
		);
	});

	it('suppresses an opted-out contact and ends every cadence of theirs', async () => {
		await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: '+1' },
			{ cadence: 'No goal exit', contactKey: '+1' },
		]);
		const [out] = await run(signal('optedOut', { contactKey: '+1', options: { reason: 'STOP' } }));
		expect(out[0].json).toMatchObject({ signal: 'optedOut', suppressed: true, exited: 2 });
		expect(await t.store.isSuppressed('+1')).toBe(true);
		const [again] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: '+1' }]);
		expect(again.outcome).toBe('suppressed');
		await expect(
			run(signal('optedOut', { contactKey: '+1', options: { reason: 'x'.repeat(501) } })),
		).rejects.toThrow(/"Reason" parameter: /);
	});

	it.each(['goalReached', 'resolved', 'optedOut'])(
		'%s writes nothing for a preview item from the trigger',
		async (operation) => {
			const [claimed] = await claimFor(['+1']);
			const preview = { ...stepItemJson(claimed, []), preview: true };
			const [out] = await run(signal(operation, { contactKey: '+1' }), {
				items: [{ json: preview }],
			});
			expect(out[0]).toMatchObject({ json: { preview: true }, pairedItem: { item: 0 } });
			expect(await t.store.isSuppressed('+1')).toBe(false);
			expect((await t.store.getEnrollment(claimed.enrollment.id))!.state).toBe('active');
		},
	);
});
