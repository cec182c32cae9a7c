import { FakeListChatModel } from '@langchain/core/utils/testing';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import type { ChatModelLike } from '../../../engine/ai';
import { ExitCheck } from '../../../nodes/ExitCheck/ExitCheck.node';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY } from '../../support/virtual-clock';

const node = new ExitCheck();
const limited: CadenceDefinitionInput = {
	...prospecting,
	name: 'Limited',
	limits: { perContactPerDay: 1, perCadencePerHour: null },
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(prospecting);
	await t.store.publishCadence(limited);
});
afterEach(async () => t.dispose());

async function triggerItem(cadence = 'Prospecting', contactKey = 'c1'): Promise<IDataObject> {
	await t.store.enroll([{ cadence, contactKey, startAt: Date.now() - 10 * DAY }]);
	const [claimed] = await t.store.claimDue({ cadence });
	return stepItemJson(claimed, []);
}

const fake = (...responses: string[]) => new FakeListChatModel({ responses });
const NO = '{"followUp": false, "reason": "they already booked a call", "confidence": 0.95}';
const YES = '{"followUp": true, "reason": "no answer yet", "confidence": 0.8}';

function run(items: IDataObject[], model?: ChatModelLike, parameters: IDataObject = {}) {
	return node.execute.call(
		executeContext({
			type: 'exitCheck',
			parameters: { aiJudgement: true, ...parameters },
			items: items.map((json) => ({ json })),
			credentials: t.credentials,
			inputConnections: model ? { ai_languageModel: model } : {},
		}),
	);
}

const enrollmentOf = async (item: IDataObject) =>
	(await t.store.getEnrollment(item.enrollmentId as number))!;

describe('Exit Check: AI Judgement', () => {
	it('offers an optional chat model input', () => {
		expect(node.description.inputs).toEqual([
			'main',
			{ type: 'ai_languageModel', displayName: 'Chat Model', required: false, maxConnections: 1 },
		]);
	});

	it('ends the cadence with reason "ai" on a clear no, saying why', async () => {
		const item = await triggerItem();
		const [go, exit] = await run([item], fake(NO));
		expect(go).toEqual([]);
		expect(exit[0].json).toMatchObject({
			exit: { reason: 'ai', action: 'exited', detail: 'AI judgement: they already booked a call' },
			aiJudgement: { verdict: 'stop', reason: 'they already booked a call', confidence: 0.95 },
		});
		const enrollment = await enrollmentOf(item);
		expect(enrollment).toMatchObject({ state: 'exited', exitReason: 'ai' });
		const exited = (await t.store.getTimeline(enrollment.id)).find((e) => e.type === 'exited');
		expect(exited?.detail).toMatchObject({
			reason: 'ai',
			note: 'AI judgement: they already booked a call',
		});
	});

	it('lets the step through on a yes, writing nothing', async () => {
		const item = await triggerItem();
		const before = await t.store.getTimeline(item.enrollmentId as number);
		const [go] = await run([item], fake(YES));
		expect(go).toEqual([
			{
				json: {
					...item,
					aiJudgement: { verdict: 'followUp', reason: 'no answer yet', confidence: 0.8 },
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(await t.store.getTimeline(item.enrollmentId as number)).toEqual(before);
	});

	it('shows the model the whole conversation from the store, the step and the criteria', async () => {
		const item = await triggerItem();
		await t.store.recordOutbound({ contactKey: 'c1', text: 'Hi! Want a demo?' });
		await t.store.recordInbound({ contactKey: 'c1', text: 'Out of office', action: 'ignore' });
		const model = fake(YES);
		const spy = jest.spyOn(model, 'invoke');
		await run([item], model, { aiCriteria: 'Stop when they booked.' });
		const [system, human] = spy.mock.calls[0][0] as unknown as Array<[string, string]>;
		expect(system[1]).toContain('The business adds: Stop when they booked.');
		expect(human[1]).toMatch(/Us \[.*\]: Hi! Want a demo\?\nContact \[.*\]: Out of office/);
		expect(human[1]).toContain('step 1 of 3');
	});

	describe('fails open: the rules decide when the model cannot', () => {
		it.each([
			['malformed output', () => fake('Honestly? Hard to say.'), /not the JSON asked for/],
			['an unsure no', () => fake('{"followUp": false, "confidence": 0.1}'), /unsure/],
			[
				'a failing model',
				(): ChatModelLike => ({ invoke: () => Promise.reject(new Error('quota exceeded')) }),
				/the model failed: quota exceeded/,
			],
			[
				'a slow model',
				() => new FakeListChatModel({ responses: [NO], sleep: 3000 }),
				/did not answer within 1 s/,
			],
		])('%s', async (_label, model, reason) => {
			const item = await triggerItem();
			const [go, exit] = await run([item], model(), { modelTimeout: 1 });
			expect(exit).toEqual([]);
			expect(go[0].json.aiJudgement).toMatchObject({
				verdict: expect.stringMatching(/unavailable|followUp/),
				reason: expect.stringMatching(reason),
			});
			expect((await enrollmentOf(item)).state).toBe('active');
		});

		it('no chat model connected', async () => {
			const item = await triggerItem();
			const [go] = await run([item]);
			expect(go[0].json.aiJudgement).toEqual({
				verdict: 'unavailable',
				reason: 'no chat model is connected to the Chat Model input; the rules decided alone',
			});
		});
	});

	it('is not asked when the store already stops the step (opt-out, reply…)', async () => {
		const item = await triggerItem();
		await t.store.optOut({ contactKey: 'c1' });
		const model = fake(YES);
		const spy = jest.spyOn(model, 'invoke');
		const [, exit] = await run([item], model);
		expect(spy).not.toHaveBeenCalled();
		expect(exit[0].json).toMatchObject({
			exit: { reason: 'optedOut' },
			aiJudgement: { verdict: 'notAsked' },
		});
	});

	it('ranks before the sending limit: a no ends the cadence, a yes leaves the deferral', async () => {
		const first = await triggerItem('Prospecting', 'c1');
		await t.store.markSent({ stepRunId: first.stepRunId as number, text: 'Hello' });
		const limitedItem = await triggerItem('Limited', 'c1');
		const [, deferred] = await run([limitedItem], fake(YES));
		expect(deferred[0].json.exit).toMatchObject({ reason: 'limit', action: 'deferred' });

		const other = await triggerItem('Prospecting', 'c2');
		await t.store.markSent({ stepRunId: other.stepRunId as number, text: 'Hello' });
		const limitedToo = await triggerItem('Limited', 'c2');
		const [, exited] = await run([limitedToo], fake(NO));
		expect(exited[0].json.exit).toMatchObject({ reason: 'ai', action: 'exited' });
	});

	it('is never asked when AI Judgement is off, nor for preview or non-cadence items', async () => {
		const item = await triggerItem();
		const model = fake(NO);
		const spy = jest.spyOn(model, 'invoke');
		const [go] = await run([item], model, { aiJudgement: false });
		expect(go.map((o) => o.json)).toEqual([item]);
		const preview = { ...item, enrollmentId: 0, stepRunId: 0, preview: true };
		const [goToo] = await run([preview, { orderId: 7 }], model);
		expect(goToo.map((o) => o.json)).toEqual([preview, { orderId: 7 }]);
		expect(spy).not.toHaveBeenCalled();
	});

	it('names the time limit parameter when it is out of range', async () => {
		const item = await triggerItem();
		const attempt = run([item], fake(YES), { modelTimeout: 0 });
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(
			/"Model Time Limit \(Seconds\)" parameter must be between 1 and 300/,
		);
	});
});
