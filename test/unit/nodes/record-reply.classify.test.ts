import { FakeListChatModel } from '@langchain/core/utils/testing';
import { DateTime } from 'luxon';
import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { RecordReply } from '../../../nodes/RecordReply/RecordReply.node';
import { prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

const node = new RecordReply();

const restarting: CadenceDefinitionInput = {
	...prospecting,
	name: 'Restarting',
	reply: { action: 'restart' },
};
const classifying: CadenceDefinitionInput = {
	...prospecting,
	name: 'Classifying',
	reply: { action: 'classify', pauseFor: { amount: 2, unit: 'days' } },
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	for (const c of [prospecting, restarting, classifying]) await t.store.publishCadence(c);
});
afterEach(async () => t.dispose());

const base = {
	contactKey: 'c1',
	conversationKey: '',
	channel: '',
	action: 'classify',
	options: {},
};
const model = (...responses: string[]) => new FakeListChatModel({ responses });
const answer = (category: string, extra: IDataObject = {}) =>
	JSON.stringify({ category, confidence: 0.9, reason: 'test', ...extra });

function run(parameters: IDataObject, chatModel?: unknown, extra: IDataObject = {}) {
	const context = executeContext({
		type: 'recordReply',
		parameters: { ...base, ...parameters },
		credentials: t.credentials,
		inputConnections: chatModel ? { ai_languageModel: chatModel } : {},
	});
	return node.execute.call(Object.assign(context, extra));
}

async function enroll(cadence: string, timeZone: string | null = null, contactKey = 'c1') {
	const [result] = await t.store.enroll([{ cadence, contactKey, timeZone }]);
	return result.enrollment!;
}

describe('Record Reply: Let AI Classify', () => {
	it('offers an optional chat model input and the classify choice', () => {
		expect(node.description.inputs).toEqual([
			'main',
			{ type: 'ai_languageModel', displayName: 'Chat Model', required: false, maxConnections: 1 },
		]);
		const action = node.description.properties.find((p) => p.name === 'action')!;
		expect(action.options!.map((o) => (o as { value: string }).value)).toContain('classify');
	});

	describe('classification → action, with a chat model', () => {
		it('busy with a time pauses every cadence until then, in the contact’s time zone', async () => {
			await enroll('Prospecting', 'America/New_York');
			const at = '2026-03-02T15:00:00.000Z';
			const chat = model(answer('busy', { resumeAt: null }));
			const [out] = await run(
				{ text: 'In a meeting, call me tomorrow at 3', options: { receivedAt: at } },
				chat,
			);
			const tomorrow3pm = DateTime.fromISO('2026-03-03T15:00', { zone: 'America/New_York' });
			expect(out[0].json).toMatchObject({
				action: 'pause',
				state: 'paused',
				nextDueAt: tomorrow3pm.toUTC().toISO(),
				classification: {
					category: 'busy',
					label: 'Busy',
					action: 'pause',
					resumeAt: tomorrow3pm.toUTC().toISO(),
					resumeText: 'tomorrow … at 3',
					confidence: 0.9,
					by: 'model',
					fallbackReason: null,
				},
			});
		});

		it('busy without a time pauses for the cadence’s own pause length', async () => {
			await enroll('Classifying');
			const at = Date.now();
			const [out] = await run(
				{ text: 'busy', options: { receivedAt: new Date(at).toISOString() } },
				model(answer('busy')),
			);
			expect(out[0].json).toMatchObject({
				action: 'pause',
				nextDueAt: new Date(at + 2 * 86_400_000).toISOString(),
				classification: { resumeAt: null },
			});
		});

		it('out of office pauses until the return date the model gives', async () => {
			await enroll('Prospecting');
			const back = new Date(Date.now() + 5 * 86_400_000).toISOString();
			const [out] = await run({ text: 'Away' }, model(answer('outOfOffice', { resumeAt: back })));
			expect(out[0].json).toMatchObject({ action: 'pause', nextDueAt: back });
		});

		it('stop opts the contact out of every cadence', async () => {
			await enroll('Prospecting');
			await enroll('Restarting');
			const [out] = await run({ text: 'please no more' }, model(answer('not_interested')));
			expect(out.map((o) => o.json.action)).toEqual(['optOut', 'optOut']);
			expect(await t.store.isSuppressed('c1')).toBe(true);
		});

		it('an auto-reply changes nothing', async () => {
			const enrollment = await enroll('Prospecting');
			const [out] = await run({ text: 'Thanks for your email' }, model(answer('autoReply')));
			expect(out[0].json).toMatchObject({ action: 'ignore', state: 'active' });
			expect((await t.store.getEnrollment(enrollment.id))!.nextDueAt).toBe(enrollment.nextDueAt);
		});

		it.each(['positive', 'objection', 'other'])(
			'%s follows each cadence’s own policy (a cadence set to classify stops)',
			async (category) => {
				await enroll('Prospecting');
				await enroll('Restarting');
				await enroll('Classifying');
				const [out] = await run({ text: 'hm' }, model(answer(category)));
				expect(out.map((o) => [o.json.cadence, o.json.action])).toEqual([
					['Prospecting', 'exit'],
					['Restarting', 'restart'],
					['Classifying', 'exit'],
				]);
				expect(out[0].json.classification).toMatchObject({ category, action: 'policy' });
			},
		);
	});

	describe('the model can fail; the keywords decide and the output says why', () => {
		it('malformed output', async () => {
			await enroll('Prospecting');
			const [out] = await run({ text: 'STOP' }, model('Sure! The category is stop.'));
			expect(out[0].json).toMatchObject({
				action: 'optOut',
				classification: {
					category: 'stop',
					by: 'keywords',
					fallbackReason: expect.stringMatching(/^the model's answer was not the JSON asked for/),
				},
			});
		});

		it('a model that cannot be loaded', async () => {
			await enroll('Prospecting');
			const [out] = await run({ text: 'I am on vacation' }, undefined, {
				getInputConnectionData: async () => {
					throw new Error('Credentials could not be decrypted');
				},
			});
			expect(out[0].json.classification).toMatchObject({
				category: 'outOfOffice',
				by: 'keywords',
				fallbackReason: 'the model failed: Credentials could not be decrypted',
			});
		});

		it('the time limit', async () => {
			await enroll('Prospecting');
			const slow = new FakeListChatModel({ responses: [answer('positive')], sleep: 3000 });
			const [out] = await run({ text: 'ok', options: { modelTimeout: 1 } }, slow);
			expect(out[0].json.classification).toMatchObject({
				by: 'keywords',
				fallbackReason: 'the model did not answer within 1 s',
			});
		});
	});

	it('without a model, uses the keywords and records nothing about a fallback', async () => {
		await enroll('Prospecting');
		const [out] = await run({ text: 'Unsubscribe' });
		expect(out[0].json).toMatchObject({
			action: 'optOut',
			classification: { category: 'stop', by: 'keywords', fallbackReason: null },
		});
	});

	it('classifies with the conversation so far, oldest first', async () => {
		await enroll('Prospecting');
		await t.store.recordOutbound({ contactKey: 'c1', text: 'Want a demo on Friday?' });
		const chat = model(answer('positive'));
		const spy = jest.spyOn(chat, 'invoke');
		await run({ text: 'yes!' }, chat);
		expect((spy.mock.calls[0][0] as string[][])[1][1]).toContain('Us: Want a demo on Friday?');
	});

	it('still records the message and classifies when no cadence is running', async () => {
		const [out] = await run({ contactKey: 'nobody', text: 'stop' });
		expect(out[0].json).toMatchObject({
			effects: 0,
			classification: { category: 'stop', action: 'optOut' },
		});
		expect(await t.store.isSuppressed('nobody')).toBe(true);
	});

	describe('with What to Do = each cadence’s policy', () => {
		it('classifies only when a running cadence is set to classify', async () => {
			await enroll('Prospecting');
			const chat = model(answer('busy'));
			const spy = jest.spyOn(chat, 'invoke');
			const [out] = await run({ action: 'policy', text: 'busy now' }, chat);
			expect(spy).not.toHaveBeenCalled();
			expect(out[0].json).toMatchObject({ action: 'exit' });
			expect(out[0].json.classification).toBeUndefined();
		});

		it('applies the verdict when every running cadence classifies', async () => {
			await enroll('Classifying');
			const [out] = await run({ action: 'policy', text: 'driving, talk later' });
			expect(out[0].json).toMatchObject({
				action: 'pause',
				classification: { category: 'busy', action: 'pause' },
			});
		});

		it('with mixed cadences, applies a stop to all but leaves other verdicts to each policy', async () => {
			await enroll('Restarting');
			await enroll('Classifying');
			const [busy] = await run({ action: 'policy', text: 'busy' });
			expect(busy.map((o) => o.json.action)).toEqual(['restart', 'exit']);
			expect(busy[0].json.classification).toMatchObject({
				category: 'busy',
				action: 'policy',
				note: expect.stringMatching(/Only some of the contact’s cadences classify/),
			});
			await enroll('Restarting', null, 'c2');
			await enroll('Classifying', null, 'c2');
			const [stop] = await run({ action: 'policy', contactKey: 'c2', text: 'STOP' });
			expect(stop.map((o) => o.json.action)).toEqual(['optOut', 'optOut']);
		});
	});

	describe('bad options name the option and write nothing', () => {
		it.each([
			[{ timeZone: 'Mars/Olympus' }, /"Contact Time Zone" option is not a time zone/],
			[{ modelTimeout: 0 }, /"Model Time Limit \(Seconds\)" option must be between 1 and 300/],
		])('%j', async (options, message) => {
			await enroll('Prospecting');
			const attempt = run({ text: 'stop', options });
			await expect(attempt).rejects.toThrow(NodeOperationError);
			await expect(attempt).rejects.toThrow(message);
			expect(await t.store.getConversation({ contactKey: 'c1' })).toEqual([]);
		});
	});
});
