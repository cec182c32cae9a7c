import { compose } from '../../../engine/compose/compose';
import type { ComposeRequest } from '../../../engine/compose/types';
import { CadenceValidationError } from '../../../engine/errors';
import {
	contentModel,
	failingModel,
	recording,
	said,
	slowModel,
	UsageFakeModel,
} from './fake-models';

const base: ComposeRequest = {
	mode: 'aiFull',
	instruction: 'Ask whether the {{plan}} question is still relevant',
	staticText: 'Hi {{firstName|there}}, is this still relevant?',
	persona: 'Anna from Acme',
	variables: { firstName: 'Ann', plan: 'Pro' },
	history: [
		{ author: 'contact', text: 'How much is the Pro plan for our team of twelve people?' },
		{ author: 'agent', text: 'It is $240 a month for the whole team. Want a trial?' },
		{
			author: 'followUp',
			text: 'Hi Ann, just checking in: did you get a chance to look at the trial?',
		},
	],
	maxLength: 200,
	language: 'auto',
	timeoutMs: 5_000,
};
const request = (over: Partial<ComposeRequest> = {}): ComposeRequest => ({ ...base, ...over });
const GOOD =
	'Ann, is the Pro pricing question still open for you? Happy to set up a trial this week.';

describe('compose: static mode', () => {
	it('fills the variables into the step text and calls no model', async () => {
		const spy = recording(new UsageFakeModel([GOOD]));
		const result = await compose(request({ mode: 'static' }), { model: spy.model });
		expect(result).toEqual({
			text: 'Hi Ann, is this still relevant?',
			requestedMode: 'static',
			modeUsed: 'static',
			model: null,
			promptTokens: null,
			completionTokens: null,
			attempts: 0,
			degraded: false,
			degradedReason: null,
			needsApproval: false,
		});
		expect(spy.calls).toHaveLength(0);
	});

	it('fails clearly on a variable with no value and no default', async () => {
		const attempt = compose(
			request({ mode: 'static', staticText: 'Hi {{firstName}}', variables: {} }),
		);
		await expect(attempt).rejects.toThrow(CadenceValidationError);
		await expect(attempt).rejects.toThrow(
			/variables\.firstName: the message uses \{\{firstName\}\}/,
		);
	});

	it('fails clearly when there is no text at all', async () => {
		await expect(compose(request({ mode: 'static', staticText: '' }))).rejects.toThrow(
			/the step has no text to send/,
		);
	});
});

describe('compose: AI modes', () => {
	it('AI full: the model’s message goes out with model name and token usage', async () => {
		const result = await compose(request(), { model: new UsageFakeModel([GOOD]) });
		expect(result).toEqual({
			text: GOOD,
			requestedMode: 'aiFull',
			modeUsed: 'aiFull',
			model: 'fake-gpt',
			promptTokens: 120,
			completionTokens: 30,
			attempts: 1,
			degraded: false,
			degradedReason: null,
			needsApproval: false,
		});
	});

	it('AI assisted: the same, but it needs approval', async () => {
		const result = await compose(request({ mode: 'aiAssisted' }), {
			model: new UsageFakeModel([GOOD]),
		});
		expect(result).toMatchObject({
			text: GOOD,
			modeUsed: 'aiAssisted',
			needsApproval: true,
			degraded: false,
		});
	});

	it('sends the model persona, the rendered instruction, the variables and the history', async () => {
		const spy = recording(new UsageFakeModel([GOOD]));
		await compose(request(), { model: spy.model });
		const [prompt] = spy.calls;
		expect(said(prompt, 'system')).toContain('Anna from Acme');
		expect(said(prompt, 'human')).toContain('Ask whether the Pro question is still relevant');
		expect(said(prompt, 'human')).toContain('- firstName: Ann');
		expect(said(prompt, 'human')).toContain(
			'Agent (earlier follow-up): Hi Ann, just checking in: did you get a chance to look at the trial?',
		);
	});

	it('reads the model name from the model when the reply does not say it', async () => {
		const result = await compose(request(), { model: contentModel(GOOD) });
		expect(result.model).toBe('fake');
		expect(result.promptTokens).toBeNull();
	});

	it('fills variables the model wrote as placeholders', async () => {
		const result = await compose(request(), {
			model: new UsageFakeModel([
				'{{firstName}}, is the Pro pricing question still open? A trial is one click away.',
			]),
		});
		expect(result.text).toBe(
			'Ann, is the Pro pricing question still open? A trial is one click away.',
		);
	});
});

describe('compose: safe degradation', () => {
	it('no model connected: the static text, degraded, without waiting', async () => {
		const result = await compose(request(), { model: null });
		expect(result).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			requestedMode: 'aiFull',
			modeUsed: 'static',
			degraded: true,
			degradedReason: 'no chat model is connected to the Chat Model input',
			needsApproval: false,
			attempts: 0,
		});
	});

	it('a model error: the static text, degraded, with the error as the reason', async () => {
		const result = await compose(request(), { model: failingModel('429 Rate limit reached') });
		expect(result).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			modeUsed: 'static',
			degraded: true,
			degradedReason: 'the model failed: 429 Rate limit reached',
		});
	});

	it('a time-out: the static text, degraded, long before the model would answer', async () => {
		const started = Date.now();
		const result = await compose(request({ timeoutMs: 50 }), { model: slowModel(400) });
		expect(Date.now() - started).toBeLessThan(300);
		expect(result).toMatchObject({
			modeUsed: 'static',
			degraded: true,
			degradedReason: expect.stringMatching(/did not answer within 0\.05 s/),
		});
	});

	it('aborts the model call on time-out and when the execution is cancelled', async () => {
		const signals: AbortSignal[] = [];
		const never = {
			invoke: (_m: unknown, options?: { signal?: AbortSignal }) => {
				signals.push(options!.signal!);
				return new Promise<never>(() => undefined);
			},
		};
		await compose(request({ timeoutMs: 20 }), { model: never });
		expect(signals[0].aborted).toBe(true);

		const cancel = new AbortController();
		const pending = compose(request(), { model: never, signal: cancel.signal });
		cancel.abort();
		await expect(pending).resolves.toMatchObject({
			degraded: true,
			degradedReason: expect.stringMatching(/cancelled|did not answer/),
		});
	});

	// Seed 004: "both AI assisted and AI full send the step's static fallback text".
	it.each([
		['aiAssisted', undefined, false],
		['aiAssisted', 'sendFallback', false],
		['aiAssisted', 'askReviewer', true],
		['aiFull', undefined, false],
		['aiFull', 'askReviewer', false],
	] as const)(
		'%s with "if the AI fails" = %s: the fallback needs approval = %s',
		async (mode, whenAiFails, needsApproval) => {
			for (const model of [null, failingModel('503 Service Unavailable')]) {
				const result = await compose(request({ mode, whenAiFails }), { model });
				expect(result).toMatchObject({
					text: 'Hi Ann, is this still relevant?',
					modeUsed: 'static',
					degraded: true,
					needsApproval,
				});
			}
		},
	);

	it('AI assisted with a working model still drafts for approval, whatever the fallback choice', async () => {
		const result = await compose(request({ mode: 'aiAssisted', whenAiFails: 'sendFallback' }), {
			model: new UsageFakeModel([GOOD]),
		});
		expect(result).toMatchObject({ text: GOOD, modeUsed: 'aiAssisted', needsApproval: true });
	});

	it('with no usable fallback, a person must write it: needs approval, with the reason', async () => {
		const result = await compose(request({ staticText: '' }), { model: failingModel('boom') });
		expect(result).toMatchObject({
			text: '',
			degraded: true,
			needsApproval: true,
			degradedReason: expect.stringMatching(
				/the model failed: boom; the static fallback cannot be used \(the step has no static text\)/,
			),
		});
		const missing = await compose(request({ staticText: 'Hi {{nickname}}' }), { model: null });
		expect(missing.degradedReason).toMatch(/nickname/);
		expect(missing.needsApproval).toBe(true);
	});
});

describe('compose: guardrails and regeneration', () => {
	it('a draft over the length limit is rewritten once, with the reason fed back', async () => {
		const spy = recording(new UsageFakeModel(['A'.repeat(10) + ' long '.repeat(60), GOOD]));
		const result = await compose(request(), { model: spy.model });
		expect(result).toMatchObject({
			text: GOOD,
			modeUsed: 'aiFull',
			degraded: false,
			attempts: 2,
			promptTokens: 240,
			completionTokens: 60,
		});
		expect(spy.calls).toHaveLength(2);
		const retry = spy.calls[1];
		expect(retry.slice(0, 2)).toEqual(spy.calls[0]);
		expect(retry[2][0]).toBe('ai');
		expect(said(retry, 'human', 1)).toMatch(
			/That draft cannot be sent: the draft is \d+ characters long; the limit is 200/,
		);
	});

	it('a repeat of an earlier follow-up is rewritten', async () => {
		const spy = recording(
			new UsageFakeModel([
				'Hi Ann, just checking in — did you get a chance to look at the trial?',
				GOOD,
			]),
		);
		const result = await compose(request(), { model: spy.model });
		expect(result.text).toBe(GOOD);
		expect(said(spy.calls[1], 'human', 1)).toMatch(/repeats an earlier follow-up/);
	});

	it('a draft in the wrong language is rewritten', async () => {
		const spanish = request({
			history: [
				{ author: 'contact', text: 'Hola, ¿cuánto cuesta el plan Pro para mi equipo? Gracias.' },
			],
			staticText: 'Hola, ¿sigue siendo relevante?',
		});
		const spy = recording(
			new UsageFakeModel([
				GOOD,
				'Hola Ann, ¿todavía te interesa el plan Pro? Puedo activar una prueba esta semana.',
			]),
		);
		const result = await compose(spanish, { model: spy.model });
		expect(result.text).toMatch(/^Hola Ann/);
		expect(said(spy.calls[0], 'system')).toContain(
			'Write in Spanish, the language of the conversation.',
		);
		expect(said(spy.calls[1], 'human', 1)).toMatch(
			/in English, but the conversation is in Spanish/,
		);
	});

	it('two failing drafts: the static fallback, degraded, with the last reason', async () => {
		const tooLong = 'word '.repeat(100);
		const result = await compose(request(), { model: new UsageFakeModel([tooLong, tooLong]) });
		expect(result).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			modeUsed: 'static',
			degraded: true,
			attempts: 2,
			model: 'fake-gpt',
			promptTokens: 240,
			degradedReason: expect.stringMatching(
				/failed the checks twice; last: the draft is 499 characters long/,
			),
		});
	});

	it('two failing drafts and no fallback: the last draft goes to a person', async () => {
		const tooLong = 'word '.repeat(100);
		const result = await compose(request({ staticText: '' }), {
			model: new UsageFakeModel([tooLong, tooLong]),
		});
		expect(result).toMatchObject({
			text: tooLong.trim(),
			modeUsed: 'aiAssisted',
			degraded: true,
			needsApproval: true,
		});
	});
});

describe('compose: malformed model output', () => {
	it('joins text parts and ignores reasoning parts', async () => {
		const result = await compose(request(), {
			model: contentModel([
				{ type: 'reasoning', reasoning: 'think' } as never,
				{ type: 'text', text: 'Ann, is the Pro pricing question ' },
				{ type: 'text', text: 'still open? Happy to help.' },
			]),
		});
		expect(result.text).toBe('Ann, is the Pro pricing question still open? Happy to help.');
		expect(result.degraded).toBe(false);
	});

	it('unwraps code fences, a JSON envelope and surrounding quotes', async () => {
		for (const wrapped of [
			'```\nAnn, is the question still open?\n```',
			'{"message": "Ann, is the question still open?"}',
			'"Ann, is the question still open?"',
			'“Ann, is the question still open?”',
		]) {
			const result = await compose(request(), { model: contentModel(wrapped) });
			expect(result.text).toBe('Ann, is the question still open?');
		}
	});

	it('an empty reply is rewritten once, then the fallback is used', async () => {
		const spy = recording(contentModel(''));
		const result = await compose(request(), { model: spy.model });
		expect(spy.calls).toHaveLength(2);
		expect(said(spy.calls[1], 'human', 1)).toMatch(/the reply was empty/);
		expect(spy.calls[1][2]).toEqual(['ai', '(no text)']);
		expect(result).toMatchObject({ modeUsed: 'static', degraded: true, attempts: 2 });
	});

	it('a reply that is not a message at all degrades instead of crashing', async () => {
		const weird = { invoke: async () => ({ content: { unexpected: true } }) };
		const result = await compose(request(), { model: weird });
		expect(result).toMatchObject({
			degraded: true,
			degradedReason: expect.stringMatching(/no text content \(got object\)/),
		});
		const notAModel = await compose(request(), { model: {} as never });
		expect(notAModel).toMatchObject({
			degraded: true,
			degradedReason: expect.stringMatching(/^the model failed: /),
		});
		const nothing = await compose(request(), { model: { invoke: async () => undefined as never } });
		expect(nothing.degraded).toBe(true);
	});
});
