import { InMemoryChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { ComposeFollowUp } from '../../../nodes/ComposeFollowUp/ComposeFollowUp.node';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { failingModel, recording, said, UsageFakeModel } from '../compose/fake-models';

const HOUR = 3_600_000;
const node = new ComposeFollowUp();

const checkIns: CadenceDefinitionInput = {
	name: 'Check-ins',
	persona: 'Anna from Acme support: warm, brief, never pushy.',
	steps: [
		{
			wait: { amount: 1, unit: 'hours' },
			instruction: 'Remind {{firstName}} we are here to help',
			staticText: 'Hi {{firstName|there}}, still there?',
			composeMode: 'aiFull',
		},
		{
			wait: { amount: 1, unit: 'hours' },
			instruction: 'Ask whether the {{plan}} question is still relevant',
			staticText: 'Hi {{firstName}}, is this still relevant?',
			composeMode: 'aiAssisted',
		},
		{
			wait: { amount: 1, unit: 'hours' },
			staticText: 'Goodbye for now, {{firstName}}!',
			composeMode: 'static',
		},
	],
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(checkIns);
});
afterEach(async () => t.dispose());

const GOOD =
	'Ann, is the Pro pricing question still open for you? Happy to set up a trial this week.';

/** A contact with a short conversation, enrolled long enough ago that step 1 is due. */
async function enrollAnn(variables: IDataObject = { firstName: 'Ann', plan: 'Pro' }) {
	const now = Date.now();
	const who = { contactKey: '+100', conversationKey: 'chat-1' };
	await t.store.recordInbound({
		...who,
		text: 'How much is the Pro plan for 12 seats?',
		at: now - 5 * HOUR,
	});
	await t.store.recordOutbound({
		...who,
		text: 'It is $240 a month. Want a trial?',
		at: now - 5 * HOUR + 60_000,
	});
	const [enrolled] = await t.store.enroll([
		{ cadence: 'Check-ins', ...who, contactName: 'Ann Lee', variables, startAt: now - 4 * HOUR },
	]);
	return enrolled.enrollment!;
}

/** The item the Follow-up Trigger emits for the next due step. */
async function dueItem(): Promise<INodeExecutionData> {
	const [claimed] = await t.store.claimDue({ cadence: 'Check-ins' });
	const history = await t.store.getConversation({
		contactKey: claimed.enrollment.contactKey,
		conversationKey: claimed.enrollment.conversationKey,
	});
	return { json: stepItemJson(claimed, history) };
}

/** Sends the due step with `text` far enough in the past that the next step is due now. */
async function sendDue(text: string): Promise<void> {
	const item = await dueItem();
	await t.store.markSent({
		stepRunId: item.json.stepRunId as number,
		text,
		at: Date.now() - 3 * HOUR,
	});
}

type Extra = Partial<Parameters<typeof executeContext>[0]>;
const run = (parameters: IDataObject | ((i: number) => IDataObject), extra: Extra = {}) =>
	node.execute.call(context(parameters, extra));
const context = (parameters: IDataObject | ((i: number) => IDataObject), extra: Extra = {}) =>
	executeContext({ type: 'composeFollowUp', parameters, credentials: t.credentials, ...extra });
const fromStep = { mode: 'fromStep', instruction: '', options: {} };
const withModel = (model: unknown, memory?: unknown): Extra => ({
	inputConnections: { ai_languageModel: model, ...(memory ? { ai_memory: memory } : {}) },
});

describe('Compose Follow-up: modes from the cadence step', () => {
	it('AI full: composes, records the step run, and passes the item on to Send', async () => {
		const enrollment = await enrollAnn();
		const item = await dueItem();
		const [send, approval] = await run(fromStep, {
			items: [item],
			...withModel(new UsageFakeModel([GOOD])),
		});
		expect(approval).toEqual([]);
		expect(send).toHaveLength(1);
		expect(send[0].pairedItem).toEqual({ item: 0 });
		expect(send[0].json).toMatchObject({
			...item.json,
			message: {
				text: GOOD,
				mode: 'aiFull',
				requestedMode: 'aiFull',
				model: 'fake-gpt',
				degraded: false,
				degradedReason: null,
				tokens: { prompt: 120, completion: 30 },
				attempts: 1,
				historySource: 'store',
			},
		});
		const [run1] = await t.store.getStepRuns(enrollment.id);
		expect(run1).toMatchObject({
			text: GOOD,
			composeMode: 'aiFull',
			model: 'fake-gpt',
			promptTokens: 120,
			completionTokens: 30,
			degraded: false,
			approval: null,
			status: 'pending',
		});
		const timeline = await t.store.getTimeline(enrollment.id);
		expect(timeline.map((e) => e.type)).toContain('composed');
	});

	it('AI assisted: the draft leaves by Needs Approval and is stored as awaiting approval', async () => {
		const enrollment = await enrollAnn();
		await sendDue('Hi Ann, still there?');
		const item = await dueItem();
		expect(item.json.composeMode).toBe('aiAssisted');
		const [send, approval] = await run(fromStep, {
			items: [item],
			...withModel(new UsageFakeModel([GOOD])),
		});
		expect(send).toEqual([]);
		expect(approval[0].json.message).toMatchObject({ text: GOOD, mode: 'aiAssisted' });
		const runs = await t.store.getStepRuns(enrollment.id);
		expect(runs[1]).toMatchObject({ text: GOOD, composeMode: 'aiAssisted', approval: 'awaiting' });
		expect((await t.store.getTimeline(enrollment.id)).map((e) => e.type)).toContain('draftPending');
	});

	it('static: fills the variables at send time, with no model needed', async () => {
		const enrollment = await enrollAnn();
		await sendDue('one');
		await sendDue('two');
		const [send] = await run(fromStep, { items: [await dueItem()] });
		expect(send[0].json.message).toMatchObject({
			text: 'Goodbye for now, Ann!',
			mode: 'static',
			degraded: false,
			model: null,
			historySource: 'none',
		});
		expect((await t.store.getStepRuns(enrollment.id))[2]).toMatchObject({
			text: 'Goodbye for now, Ann!',
			composeMode: 'static',
		});
	});

	it('static with a variable the contact lacks fails naming it and how to fix it, writing nothing', async () => {
		const enrollment = await enrollAnn({});
		const item = await dueItem();
		const attempt = run(
			{ ...fromStep, mode: 'static', options: { staticText: 'Hi {{firstName}}!' } },
			{ items: [item] },
		);
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(
			/variables\.firstName: the message uses \{\{firstName\}\}/,
		);
		const [stepRun] = await t.store.getStepRuns(enrollment.id);
		expect(stepRun.text).toBeNull();
	});
});

describe('Compose Follow-up: safe degradation', () => {
	it('no model connected: the static text goes to Send, recorded as degraded', async () => {
		const enrollment = await enrollAnn();
		const [send] = await run(fromStep, { items: [await dueItem()] });
		expect(send[0].json.message).toMatchObject({
			text: 'Hi Ann, still there?',
			mode: 'static',
			requestedMode: 'aiFull',
			degraded: true,
			degradedReason: 'no chat model is connected to the Chat Model input',
		});
		expect((await t.store.getStepRuns(enrollment.id))[0]).toMatchObject({
			text: 'Hi Ann, still there?',
			composeMode: 'static',
			degraded: true,
			detail: 'no chat model is connected to the Chat Model input',
		});
	});

	it('AI assisted with a failing model sends the static fallback by Send, and the run is not awaiting approval', async () => {
		const enrollment = await enrollAnn();
		await sendDue('Hi Ann, still there?');
		const item = await dueItem();
		expect(item.json.composeMode).toBe('aiAssisted');
		const [send, approval] = await run(fromStep, {
			items: [item],
			...withModel(failingModel('503 model overloaded')),
		});
		expect(approval).toEqual([]);
		expect(send[0].json.message).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			mode: 'static',
			requestedMode: 'aiAssisted',
			degraded: true,
			degradedReason: expect.stringContaining('503 model overloaded'),
		});
		const runs = await t.store.getStepRuns(enrollment.id);
		expect(runs[1]).toMatchObject({ composeMode: 'static', degraded: true, approval: null });
		expect((await t.store.getTimeline(enrollment.id)).map((e) => e.type)).not.toContain(
			'draftPending',
		);
	});

	it('AI assisted with "Ask the Reviewer Anyway": the static fallback goes to Needs Approval', async () => {
		const enrollment = await enrollAnn();
		await sendDue('Hi Ann, still there?');
		const [send, approval] = await run(
			{ ...fromStep, options: { whenAiFails: 'askReviewer' } },
			{ items: [await dueItem()], ...withModel(failingModel('503 model overloaded')) },
		);
		expect(send).toEqual([]);
		expect(approval[0].json.message).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			mode: 'static',
			degraded: true,
		});
		const runs = await t.store.getStepRuns(enrollment.id);
		expect(runs[1]).toMatchObject({ composeMode: 'static', approval: 'awaiting' });
	});

	it('a model error degrades, and so does a chat model sub-node that cannot start', async () => {
		await enrollAnn();
		const item = await dueItem();
		const [send] = await run(fromStep, {
			items: [item],
			...withModel(failingModel('invalid api key')),
		});
		expect(send[0].json.message).toMatchObject({
			degraded: true,
			degradedReason: 'the model failed: invalid api key',
		});

		const broken = context(fromStep, { items: [item] }) as IExecuteFunctions;
		broken.getInputConnectionData = async (type) => {
			if (type === 'ai_languageModel') throw new Error('Error in sub-node OpenAI Chat Model');
			return undefined;
		};
		const [again] = await node.execute.call(broken);
		expect(again[0].json.message).toMatchObject({
			text: 'Hi Ann, still there?',
			degraded: true,
			degradedReason: 'the model failed: Error in sub-node OpenAI Chat Model',
		});
	});

	it('a time-out degrades after the configured seconds', async () => {
		await enrollAnn();
		const never = { invoke: () => new Promise<never>(() => undefined) };
		const [send] = await run(
			{ ...fromStep, options: { timeoutSeconds: 1 } },
			{ items: [await dueItem()], ...withModel(never) },
		);
		expect(send[0].json.message).toMatchObject({
			degraded: true,
			degradedReason: 'the model did not answer within 1 s',
		});
	});
});

describe('Compose Follow-up: history', () => {
	it('gives the AI the stored conversation in order, earlier follow-ups marked', async () => {
		await enrollAnn();
		await sendDue('Hi Ann, still there?');
		const spy = recording(new UsageFakeModel([GOOD]));
		await run(fromStep, { items: [await dueItem()], ...withModel(spy.model) });
		const human = said(spy.calls[0], 'human');
		const order = [
			'Contact: How much is the Pro plan for 12 seats?',
			'Agent: It is $240 a month. Want a trial?',
			'Agent (earlier follow-up): Hi Ann, still there?',
		].map((line) => human.indexOf(line));
		expect(order.every((at) => at > 0)).toBe(true);
		expect([...order].sort((a, b) => a - b)).toEqual(order);
		expect(human).toContain('Ask whether the Pro question is still relevant');
		expect(human).toContain('- contactName: Ann Lee');
		expect(said(spy.calls[0], 'system')).toContain('Anna from Acme support');
	});

	it('reads the history from the store when the item lost it on the way', async () => {
		await enrollAnn();
		const item = await dueItem();
		delete item.json.history;
		const spy = recording(new UsageFakeModel([GOOD]));
		await run(fromStep, { items: [item], ...withModel(spy.model) });
		expect(said(spy.calls[0], 'human')).toContain(
			'Contact: How much is the Pro plan for 12 seats?',
		);
	});

	it('with a memory connected, reads the agent’s conversation (loadMemoryVariables) and still knows the follow-ups', async () => {
		await enrollAnn();
		await sendDue('Hi Ann, still there?');
		const history = new InMemoryChatMessageHistory([
			new HumanMessage('Hi, I run a team of 12. What does Pro cost?'),
			new AIMessage('Pro is $240 a month for your team.'),
		]);
		const memory = {
			memoryKey: 'chat_history',
			loadMemoryVariables: async () => ({ chat_history: await history.getMessages() }),
		};
		const spy = recording(new UsageFakeModel([GOOD]));
		const [, approval] = await run(fromStep, {
			items: [await dueItem()],
			...withModel(spy.model, memory),
		});
		expect(approval[0].json.message).toMatchObject({ historySource: 'memory' });
		const human = said(spy.calls[0], 'human');
		expect(human).toContain(
			'Contact: Hi, I run a team of 12. What does Pro cost?\nAgent: Pro is $240 a month',
		);
		expect(human).not.toContain('How much is the Pro plan for 12 seats?');
		expect(human).toContain('not show:\n1. Hi Ann, still there?');
	});

	it('reads a memory given as chatHistory, and one that returns a buffer string', async () => {
		await enrollAnn();
		const item = await dueItem();
		const chatHistory = new InMemoryChatMessageHistory([new HumanMessage('Is there a discount?')]);
		const spy = recording(new UsageFakeModel([GOOD]));
		await run(fromStep, { items: [item], ...withModel(spy.model, { chatHistory }) });
		expect(said(spy.calls[0], 'human')).toContain('Contact: Is there a discount?');

		const buffer = {
			loadMemoryVariables: async () => ({
				history: 'Human: Do you ship to Canada?\nAI: Yes, in 5 days.\nSystem: ignore',
			}),
		};
		const spy2 = recording(new UsageFakeModel([GOOD]));
		await run(fromStep, { items: [item], ...withModel(spy2.model, buffer) });
		expect(said(spy2.calls[0], 'human')).toContain(
			'Contact: Do you ship to Canada?\nAgent: Yes, in 5 days.\n</conversation>',
		);
	});

	it('falls back to the store history when the memory fails or is empty, and says so', async () => {
		await enrollAnn();
		const item = await dueItem();
		const failing = { loadMemoryVariables: async () => Promise.reject(new Error('redis down')) };
		const [send] = await run(fromStep, {
			items: [item],
			...withModel(new UsageFakeModel([GOOD]), failing),
		});
		expect(send[0].json.message).toMatchObject({
			historySource: 'store',
			historyWarning: expect.stringMatching(/memory could not be read \(redis down\)/),
		});
		const empty = { loadMemoryVariables: async () => ({ chat_history: [] }) };
		const [send2] = await run(fromStep, {
			items: [item],
			...withModel(new UsageFakeModel([GOOD]), empty),
		});
		expect(send2[0].json.message).toMatchObject({
			historySource: 'store',
			historyWarning: expect.stringMatching(/no messages for this item \(check its session key/),
		});
	});

	it('ignores the memory when History Source is the cadence store', async () => {
		await enrollAnn();
		const memory = { loadMemoryVariables: jest.fn(async () => ({ chat_history: [] })) };
		await run(
			{ ...fromStep, options: { historySource: 'store' } },
			{ items: [await dueItem()], ...withModel(new UsageFakeModel([GOOD]), memory) },
		);
		expect(memory.loadMemoryVariables).not.toHaveBeenCalled();
	});
});

describe('Compose Follow-up: items, parameters and errors', () => {
	it('composes items not from a cadence from their own fields, writing nothing', async () => {
		const spy = recording(new UsageFakeModel([GOOD]));
		const [send] = await run(
			{
				mode: 'aiFull',
				instruction: 'Thank {{firstName}} for the call',
				options: { persona: 'Sam' },
			},
			{
				items: [{ json: { firstName: 'Bo', company: 'Acme' } }],
				credentials: undefined,
				...withModel(spy.model),
			},
		);
		expect(send[0].json).toMatchObject({
			firstName: 'Bo',
			message: { text: GOOD, historySource: 'item' },
		});
		expect(said(spy.calls[0], 'human')).toContain('Thank Bo for the call');
		expect(said(spy.calls[0], 'human')).toContain('- company: Acme');
		expect(said(spy.calls[0], 'system')).toContain('Persona:\nSam');
	});

	it('composes a trigger preview item but never writes', async () => {
		const enrollment = await enrollAnn();
		const item = await dueItem();
		const preview = { json: { ...item.json, stepRunId: 0, enrollmentId: 0, preview: true } };
		const [send] = await run(fromStep, {
			items: [preview],
			...withModel(new UsageFakeModel([GOOD])),
		});
		expect(send[0].json.message).toMatchObject({ text: GOOD, historySource: 'item' });
		expect((await t.store.getStepRuns(enrollment.id))[0].text).toBeNull();
	});

	it('overrides the step’s instruction, persona and fallback text', async () => {
		await enrollAnn();
		const item = await dueItem();
		const spy = recording(new UsageFakeModel([GOOD]));
		await run(
			{
				mode: 'fromStep',
				instruction: 'Offer a 10% discount',
				options: { persona: 'Max from Sales' },
			},
			{ items: [item], ...withModel(spy.model) },
		);
		expect(said(spy.calls[0], 'human')).toContain('Offer a 10% discount');
		expect(said(spy.calls[0], 'system')).toContain('Max from Sales');
		const [send] = await run(
			{ mode: 'aiFull', instruction: '', options: { staticText: 'Override for {{firstName}}' } },
			{ items: [item] },
		);
		expect(send[0].json.message).toMatchObject({ text: 'Override for Ann', degraded: true });
	});

	it('asks for a Mode when an item has no compose mode, naming the parameter', async () => {
		await expect(run(fromStep, { items: [{ json: { firstName: 'Bo' } }] })).rejects.toThrow(
			/did not come from a Follow-up Trigger/,
		);
		await expect(
			run({ mode: 'aiFull', instruction: '', options: {} }, { items: [{ json: {} }] }),
		).rejects.toThrow(/There is no instruction for the AI/);
	});

	it('rejects bad parameters by name before composing or writing anything', async () => {
		const enrollment = await enrollAnn();
		const item = await dueItem();
		const spy = recording(new UsageFakeModel([GOOD]));
		for (const [options, label] of [
			[{ maxLength: 5 }, 'Maximum Length'],
			[{ timeoutSeconds: 0 }, 'Model Time Limit \\(Seconds\\)'],
			[{ concurrency: 0 }, 'Concurrency'],
			[{ language: 'klingon' }, 'Language'],
			[{ historySource: 'crm' }, 'History Source'],
			[{ whenAiFails: 'retry' }, 'If the AI Fails on an AI Assisted Step'],
		] as const) {
			await expect(
				run({ ...fromStep, options }, { items: [item], ...withModel(spy.model) }),
			).rejects.toThrow(new RegExp(`The "${label}" parameter is`));
		}
		await expect(run({ ...fromStep, mode: 'fancy' }, { items: [item] })).rejects.toThrow(
			/"Compose Mode" parameter/,
		);
		expect(spy.calls).toHaveLength(0);
		expect((await t.store.getStepRuns(enrollment.id))[0].text).toBeNull();
	});

	it('with Continue On Fail, a bad item becomes an error item and the others are composed', async () => {
		const [send] = await run(
			{ mode: 'static', instruction: '', options: { staticText: 'Hi {{firstName}}' } },
			{
				items: [{ json: { firstName: 'Bo' } }, { json: {} }, { json: { firstName: 'Cy' } }],
				continueOnFail: true,
			},
		);
		expect(send.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(send[0].json.message).toMatchObject({ text: 'Hi Bo' });
		expect(send[1].json.error).toMatch(/variables\.firstName/);
		expect(send[2].json.message).toMatchObject({ text: 'Hi Cy' });
	});

	it('composes many items concurrently, never more at once than the Concurrency option', async () => {
		const spy = recording(new UsageFakeModel([GOOD], undefined, undefined, 30));
		const items = Array.from({ length: 7 }, (_, i) => ({ json: { firstName: `P${i}` } }));
		const [send] = await run(
			{ mode: 'aiFull', instruction: 'Say hi', options: { concurrency: 3 } },
			{ items, ...withModel(spy.model) },
		);
		expect(spy.calls).toHaveLength(7);
		expect(spy.peak()).toBe(3);
		expect(send.map((i) => i.json.firstName)).toEqual(items.map((i) => i.json.firstName));
		expect(send.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
	});

	it('reports a step that was already sent as an error a user can act on', async () => {
		const enrollment = await enrollAnn();
		const item = await dueItem();
		await t.store.markSent({ stepRunId: item.json.stepRunId as number, text: 'sent already' });
		await expect(run(fromStep, { items: [item] })).rejects.toThrow(/already "sent"/);
		expect((await t.store.getStepRuns(enrollment.id))[0].text).toBe('sent already');
	});

	it('records every item’s draft, and hands the steps over, in one store call each; a step already sent fails its item alone', async () => {
		const now = Date.now();
		await t.store.enroll(
			['+1', '+2', '+3'].map((contactKey) => ({
				cadence: 'Check-ins',
				contactKey,
				variables: { firstName: 'Ann' },
				startAt: now - 4 * HOUR,
			})),
		);
		const claimed = await t.store.claimDue({ cadence: 'Check-ins' });
		expect(claimed).toHaveLength(3);
		await t.store.markSent({ stepRunId: claimed[1].stepRun.id, text: 'sent already' });
		const batch = jest.spyOn(t.store, 'recordDrafts');
		const one = jest.spyOn(t.store, 'recordDraft');
		const handOffs = jest.spyOn(t.store, 'handOffMany');
		const handOff = jest.spyOn(t.store, 'handOff');
		const [send] = await run(
			{ mode: 'static', instruction: '', options: { staticText: 'Hi {{firstName}}' } },
			{ items: claimed.map((c) => ({ json: stepItemJson(c, []) })), continueOnFail: true },
		);
		expect(
			send.map((i) => [i.json.error ?? (i.json.message as IDataObject).text, i.pairedItem]),
		).toEqual([
			['Hi Ann', { item: 0 }],
			[expect.stringMatching(/already "sent"/), { item: 1 }],
			['Hi Ann', { item: 2 }],
		]);
		expect(batch).toHaveBeenCalledTimes(1);
		expect(one).not.toHaveBeenCalled();
		// The two composed steps leave for the channel in one hand-off call.
		expect(handOffs).toHaveBeenCalledTimes(1);
		expect(handOffs.mock.calls[0][0].map((h) => h.stepRunId)).toEqual([
			claimed[0].stepRun.id,
			claimed[2].stepRun.id,
		]);
		expect(handOff).not.toHaveBeenCalled();
		for (const c of [claimed[0], claimed[2]])
			expect((await t.store.getStepRun({ stepRunId: c.stepRun.id })).handedAt).not.toBeNull();
		const texts = await Promise.all(
			claimed.map(async (c) => (await t.store.getStepRuns(c.enrollment.id))[0].text),
		);
		expect(texts).toEqual(['Hi Ann', 'sent already', 'Hi Ann']);
	});

	it('passes nothing on for a step emitted again since its item was claimed', async () => {
		await enrollAnn();
		const stale = await dueItem();
		const stepRunId = stale.json.stepRunId as number;
		await t.store.deferStep({ stepRunId, until: Date.now() - 1000, reason: 'test' });
		await new Promise((resolve) => setTimeout(resolve, 5)); // a later claim time
		const fresh = await dueItem();
		expect(fresh.json.stepRunId).toBe(stepRunId);
		expect(fresh.json.claimedAt).not.toBe(stale.json.claimedAt);
		const [send, approval] = await run(
			{ mode: 'static', instruction: '', options: { staticText: 'Hi' } },
			{ items: [stale, fresh] },
		);
		expect(approval).toEqual([]);
		expect(send.map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
	});

	it('turns an unreachable store into an API error, or error items with Continue On Fail', async () => {
		await enrollAnn();
		const item = await dueItem();
		const credentials = {
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
		const attempt = run(fromStep, { items: [item], credentials });
		await expect(attempt).rejects.toThrow(NodeApiError);
		await expect(attempt).rejects.toThrow(/cadence store could not be used/);
		const [send] = await run(fromStep, { items: [item], credentials, continueOnFail: true });
		expect(send[0]).toMatchObject({
			json: { error: expect.stringMatching(/cadence store could not be used/) },
			pairedItem: { item: 0 },
		});
	});
});
