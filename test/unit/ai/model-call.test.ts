import { callModel, type ChatModelLike } from '../../../engine/ai';
import { classifyReply } from '../../../engine/classify/classify';
import { judgeFollowUp } from '../../../engine/classify/judge';
import { compose } from '../../../engine/compose/compose';
import type { ComposeRequest } from '../../../engine/compose/types';
import { failingModel } from '../compose/fake-models';

/**
 * Compose, reply classification and Exit Check's judgement share one model call: each can be
 * cancelled with the execution, and each reports a failure in the same words.
 */

const NOW = Date.UTC(2026, 2, 2, 10);
/** A model that never answers but notices the abort, like LangChain's HTTP providers. */
function hangingModel(): ChatModelLike & { aborted: () => boolean } {
	let aborted = false;
	return {
		aborted: () => aborted,
		invoke: (_messages, options) =>
			new Promise((_resolve, reject) => {
				options?.signal?.addEventListener('abort', () => {
					aborted = true;
					reject(new Error('aborted'));
				});
			}),
	};
}

const request: ComposeRequest = {
	mode: 'aiFull',
	instruction: 'Check in',
	staticText: 'Hi there, just checking in.',
	persona: '',
	variables: {},
	history: [],
	maxLength: 300,
	language: 'any',
	timeoutMs: 60_000,
};

/** The three callers, each returning the reason it gives for not using the model. */
const callers: Array<[string, (model: ChatModelLike, signal?: AbortSignal) => Promise<unknown>]> = [
	['compose', async (model, signal) => (await compose(request, { model, signal })).degradedReason],
	[
		'classify',
		async (model, signal) =>
			(
				await classifyReply({
					text: 'maybe',
					now: NOW,
					timeZone: 'UTC',
					model,
					timeoutMs: 60_000,
					signal,
				})
			).fallbackReason,
	],
	[
		'judge',
		async (model, signal) => {
			const judgement = await judgeFollowUp({
				history: [],
				now: NOW,
				timeZone: 'UTC',
				model,
				timeoutMs: 60_000,
				signal,
			});
			return judgement.verdict === 'unavailable' ? judgement.reason : null;
		},
	],
];

describe.each(callers)('%s goes through the one model call', (_name, ask) => {
	it('stops waiting the moment the execution is cancelled, and aborts the request', async () => {
		const model = hangingModel();
		const cancel = new AbortController();
		const started = Date.now();
		const pending = ask(model, cancel.signal);
		setTimeout(() => cancel.abort(), 20);
		expect(await pending).toBe('the execution was cancelled');
		expect(Date.now() - started).toBeLessThan(5_000);
		expect(model.aborted()).toBe(true);
	});

	it('reports a provider error in the same words', async () => {
		expect(await ask(failingModel('429 rate limited'))).toBe('the model failed: 429 rate limited');
	});
});

describe('callModel', () => {
	it('never calls a model for an execution already cancelled', async () => {
		const cancel = new AbortController();
		cancel.abort();
		const invoke = jest.fn();
		expect(
			await callModel({ invoke }, [['human', 'hi']], { timeoutMs: 1000, signal: cancel.signal }),
		).toEqual({ ok: false, kind: 'cancelled', reason: 'the execution was cancelled' });
		expect(invoke).not.toHaveBeenCalled();
	});

	it('gives up at the time limit even when the model ignores the abort', async () => {
		const deaf: ChatModelLike = { invoke: () => new Promise(() => undefined) };
		expect(await callModel(deaf, [['human', 'hi']], { timeoutMs: 30 })).toEqual({
			ok: false,
			kind: 'timeout',
			reason: 'the model did not answer within 0.03 s',
		});
	});

	it('reads a plain string reply as the reply content', async () => {
		const plain: ChatModelLike = { invoke: async () => 'hello' };
		expect(await callModel(plain, [['human', 'hi']], { timeoutMs: 1000 })).toEqual({
			ok: true,
			reply: { content: 'hello' },
		});
	});
});
