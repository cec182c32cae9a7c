import { FakeListChatModel } from '@langchain/core/utils/testing';
import { DateTime } from 'luxon';
import { CATEGORIES, REPLY_CATEGORIES, planFor } from '../../../engine/classify/categories';
import { classifyReply, type ClassifyInput } from '../../../engine/classify/classify';
import type { ChatModelLike } from '../../../engine/ai';

const zone = 'America/Chicago';
/** Monday 2 March 2026, 10:00 in Chicago. */
const now = DateTime.fromISO('2026-03-02T10:00', { zone }).toMillis();
const fake = (...responses: string[]) => new FakeListChatModel({ responses });
const input = (text: string, model?: ChatModelLike, extra: Partial<ClassifyInput> = {}) => ({
	text,
	now,
	timeZone: zone,
	model,
	...extra,
});

describe('the category → store action table', () => {
	it.each([
		['positive', undefined],
		['objection', undefined],
		['busy', 'pause'],
		['outOfOffice', 'pause'],
		['stop', 'optOut'],
		['autoReply', 'ignore'],
		['other', undefined],
	] as const)('%s → %s', (category, action) => {
		expect(planFor(category, null)).toEqual({ action, pauseUntil: undefined });
	});

	it('pauses until the time mentioned, or leaves the length to the cadence', () => {
		expect(planFor('busy', 1234)).toEqual({ action: 'pause', pauseUntil: 1234 });
		expect(planFor('outOfOffice', null)).toEqual({ action: 'pause', pauseUntil: undefined });
		expect(planFor('positive', 1234)).toEqual({ action: undefined, pauseUntil: undefined });
	});

	it('labels every category', () => {
		for (const c of REPLY_CATEGORIES) expect(CATEGORIES[c].label.length).toBeGreaterThan(3);
	});
});

describe('classifyReply with a chat model', () => {
	it('uses the model’s category, confidence, reason and ISO resume time', async () => {
		const answer = {
			category: 'busy',
			resumeAt: '2026-03-03T15:00:00-06:00',
			confidence: 0.9,
			reason: 'asks for a call tomorrow',
		};
		const result = await classifyReply(
			input('call me tomorrow at 3', fake(JSON.stringify(answer))),
		);
		expect(result).toEqual({
			category: 'busy',
			label: 'Busy',
			resumeAt: Date.parse('2026-03-03T21:00:00Z'),
			resumeText: '2026-03-03T15:00:00-06:00',
			confidence: 0.9,
			source: 'model',
			fallbackReason: null,
			reason: 'asks for a call tomorrow',
			plan: { action: 'pause', pauseUntil: Date.parse('2026-03-03T21:00:00Z') },
		});
	});

	it('accepts JSON in a code fence, loose category names and a phrase as the time', async () => {
		const text =
			'```json\n{"category": "out_of_office", "resumeAt": "next monday", "confidence": "0.8"}\n```';
		const result = await classifyReply(input('Away this week', fake(text)));
		expect(result).toMatchObject({ category: 'outOfOffice', source: 'model', confidence: 0.8 });
		expect(DateTime.fromMillis(result.resumeAt!, { zone }).toISO()).toBe(
			'2026-03-09T09:00:00.000-05:00',
		);
	});

	it('reads the time from the message when the model gives none or one in the past', async () => {
		for (const resumeAt of [null, '2020-01-01T00:00:00Z']) {
			const model = fake(JSON.stringify({ category: 'busy', resumeAt, confidence: 1 }));
			const result = await classifyReply(input('driving, call me after 5pm', model));
			expect(DateTime.fromMillis(result.resumeAt!, { zone }).toFormat('HH:mm')).toBe('17:00');
		}
	});

	it('ignores a resume time for categories that do not pause', async () => {
		const model = fake(JSON.stringify({ category: 'stop', resumeAt: '2026-03-03T15:00:00Z' }));
		const result = await classifyReply(input('stop, call me never', model));
		expect(result).toMatchObject({ category: 'stop', resumeAt: null, plan: { action: 'optOut' } });
	});

	it('tells the model the current time in the contact’s zone and the earlier messages', async () => {
		const model = fake('{"category":"positive"}');
		const spy = jest.spyOn(model, 'invoke');
		await classifyReply(
			input('yes', model, { history: [{ author: 'followUp', text: 'Shall we book a demo?' }] }),
		);
		const [system, human] = spy.mock.calls[0][0] as Array<[string, string]>;
		expect(system[1]).toContain('2026-03-02T10:00:00.000-06:00 (Monday)');
		expect(system[1]).toContain('America/Chicago');
		expect(human[1]).toContain('Us: Shall we book a demo?');
		expect(human[1]).toContain('"""\nyes\n"""');
	});

	describe('malformed or missing answers fall back to the keywords, never crash', () => {
		it.each([
			['not JSON at all', 'I think this is a stop request'],
			['JSON without a category', '{"confidence": 0.9}'],
			['an unknown category', '{"category": "angry"}'],
			['a confidence out of range', '{"category": "positive", "confidence": 7}'],
			['a broken object', '{"category": "positive",'],
			['an empty answer', ''],
		])('%s', async (_label, answer) => {
			const result = await classifyReply(input('Please unsubscribe me', fake(answer)));
			expect(result).toMatchObject({
				category: 'stop',
				source: 'keywords',
				plan: { action: 'optOut' },
				fallbackReason: expect.stringMatching(/not the JSON asked for|answered nothing/),
			});
		});

		it('a model that throws', async () => {
			const broken: ChatModelLike = {
				invoke: async () => Promise.reject(new Error('401 bad key')),
			};
			const result = await classifyReply(input('busy, call me tomorrow at 9', broken));
			expect(result).toMatchObject({
				category: 'busy',
				source: 'keywords',
				fallbackReason: 'the model failed: 401 bad key',
			});
			expect(DateTime.fromMillis(result.resumeAt!, { zone }).toISO()).toBe(
				'2026-03-03T09:00:00.000-06:00',
			);
		});

		it('a model slower than the time limit', async () => {
			const slow = new FakeListChatModel({ responses: ['{"category":"positive"}'], sleep: 500 });
			const started = Date.now();
			const result = await classifyReply(input('ok', slow, { timeoutMs: 50 }));
			expect(Date.now() - started).toBeLessThan(400);
			expect(result).toMatchObject({
				category: 'other',
				source: 'keywords',
				fallbackReason: 'the model did not answer within 0.05 s',
			});
		});

		it('a model that is unsure', async () => {
			const model = fake('{"category": "stop", "confidence": 0.2}');
			const result = await classifyReply(input('hmm maybe', model));
			expect(result).toMatchObject({
				category: 'objection',
				source: 'keywords',
				fallbackReason: 'the model was unsure (confidence 0.2)',
			});
		});
	});
});

describe('classifyReply without a model', () => {
	it('uses the keywords and says no fallback happened', async () => {
		const result = await classifyReply(input('I am out of office until March 16'));
		expect(result).toMatchObject({
			category: 'outOfOffice',
			source: 'keywords',
			fallbackReason: null,
			reason: 'matched "out of office"',
			plan: { action: 'pause' },
		});
		expect(DateTime.fromMillis(result.resumeAt!, { zone }).toISO()).toBe(
			'2026-03-16T09:00:00.000-05:00',
		);
	});
});
