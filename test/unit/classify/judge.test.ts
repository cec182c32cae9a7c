import { FakeListChatModel } from '@langchain/core/utils/testing';
import { judgeFollowUp, type JudgeInput } from '../../../engine/classify/judge';
import type { ChatModelLike } from '../../../engine/ai';

const now = Date.parse('2026-03-02T15:00:00Z');
const history: JudgeInput['history'] = [
	{ author: 'followUp', text: 'Shall we book a demo?', at: now - 86_400_000 },
	{ author: 'contact', text: 'I booked one for Friday already', at: now - 3_600_000 },
];
const judge = (model: ChatModelLike, extra: Partial<JudgeInput> = {}) =>
	judgeFollowUp({ history, now, timeZone: 'Europe/Lisbon', model, timeoutMs: 1000, ...extra });
const fake = (...responses: string[]) => new FakeListChatModel({ responses });

describe('judgeFollowUp', () => {
	it('stops on a clear no, with the model’s reason', async () => {
		const verdict = await judge(
			fake('{"followUp": false, "reason": "already booked", "confidence": 0.9}'),
		);
		expect(verdict).toEqual({ verdict: 'stop', reason: 'already booked', confidence: 0.9 });
	});

	it('follows up on a yes', async () => {
		expect(await judge(fake('{"followUp": true}'))).toEqual({
			verdict: 'followUp',
			reason: null,
			confidence: null,
		});
	});

	it('accepts yes/no words and a fenced answer', async () => {
		expect(
			await judge(fake('```json\n{"decision": "stop", "reason": "asked to wait"}\n```')),
		).toMatchObject({ verdict: 'stop', reason: 'asked to wait' });
		expect(await judge(fake('{"follow_up": "yes"}'))).toMatchObject({ verdict: 'followUp' });
	});

	it('follows up when the model leans to no but is unsure (fail-open)', async () => {
		expect(await judge(fake('{"followUp": false, "confidence": 0.3}'))).toMatchObject({
			verdict: 'followUp',
			reason: expect.stringMatching(/unsure \(confidence 0.3\)/),
		});
	});

	it.each([
		['prose', 'No, I would not follow up.'],
		['a missing verdict', '{"reason": "hm"}'],
		['a verdict that is neither yes nor no', '{"followUp": "perhaps"}'],
		['an empty answer', ''],
	])('is unavailable, never a crash, on %s', async (_label, answer) => {
		expect(await judge(fake(answer))).toMatchObject({ verdict: 'unavailable' });
	});

	it('is unavailable when the model fails or is too slow', async () => {
		const failing: ChatModelLike = { invoke: () => Promise.reject(new Error('rate limited')) };
		expect(await judge(failing)).toEqual({
			verdict: 'unavailable',
			reason: 'the model failed: rate limited',
		});
		const slow = new FakeListChatModel({ responses: ['{"followUp": false}'], sleep: 300 });
		expect(await judge(slow, { timeoutMs: 20 })).toEqual({
			verdict: 'unavailable',
			reason: 'the model did not answer within 0.02 s',
		});
	});

	it('shows the model the conversation, the step and the user’s criteria', async () => {
		const model = fake('{"followUp": true}');
		const spy = jest.spyOn(model, 'invoke');
		await judge(model, {
			step: { number: 2, count: 3, instruction: 'Ask about the demo' },
			guidance: 'Stop once they booked.',
		});
		const [system, human] = spy.mock.calls[0][0] as Array<[string, string]>;
		expect(system[1]).toContain('The business adds: Stop once they booked.');
		expect(system[1]).toContain('Current time: 2026-03-02T15:00:00.000+00:00 (Monday)');
		expect(human[1]).toContain(
			'Contact [2026-03-02T14:00:00.000+00:00]: I booked one for Friday already',
		);
		expect(human[1]).toContain('step 2 of 3, meant to: Ask about the demo');
	});
});
