import { ChatOpenAI } from '@langchain/openai';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { ComposeFollowUp } from '../../../nodes/ComposeFollowUp/ComposeFollowUp.node';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { startOpenAiStub, type OpenAiStub, type StubReply } from '../../support/openai-stub';

/**
 * The node with LangChain's real ChatOpenAI, talking HTTP to a stub OpenAI-compatible server on
 * 127.0.0.1: what goes over the wire is what a provider would see.
 */

const HOUR = 3_600_000;
const node = new ComposeFollowUp();
const PERSONA = 'Anna from Acme support: warm, brief, never pushy.';
const FIRST_FOLLOW_UP = 'Hi Ann, just checking in: did you get a chance to look at the trial?';
const GOOD = 'Ann, quick one: is the Pro question still open? I can hold a 12-seat trial for you.';

let t: NodeTestStore;
let stub: OpenAiStub | undefined;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence({
		name: 'Trial nudges',
		persona: PERSONA,
		steps: [1, 2].map((n) => ({
			wait: { amount: 1, unit: 'hours' as const },
			instruction:
				n === 1
					? 'Remind {{firstName}} about the trial'
					: 'Ask whether the {{plan}} question is still relevant',
			staticText: 'Hi {{firstName}}, is this still relevant?',
			composeMode: 'aiFull' as const,
			channel: 'whatsapp' as const,
		})),
	});
});
afterEach(async () => {
	await stub?.close();
	stub = undefined;
	await t.dispose();
});

/** Ann asked, the agent answered, follow-up 1 went out; follow-up 2 is due now. */
async function secondStepItem(): Promise<INodeExecutionData> {
	const now = Date.now();
	const who = { contactKey: '+100', conversationKey: 'wa-1' };
	await t.store.recordInbound({
		...who,
		text: 'How much is the Pro plan for 12 seats?',
		at: now - 6 * HOUR,
	});
	await t.store.recordOutbound({
		...who,
		text: 'It is $240 a month. Want a trial?',
		at: now - 6 * HOUR + 60_000,
	});
	await t.store.enroll([
		{
			cadence: 'Trial nudges',
			...who,
			contactName: 'Ann Lee',
			variables: { firstName: 'Ann', plan: 'Pro', seats: 12 },
			startAt: now - 5 * HOUR,
		},
	]);
	const [first] = await t.store.claimDue({ cadence: 'Trial nudges' });
	await t.store.markSent({
		stepRunId: first.stepRun.id,
		text: FIRST_FOLLOW_UP,
		at: now - 2 * HOUR,
	});
	const [second] = await t.store.claimDue({ cadence: 'Trial nudges' });
	const history = await t.store.getConversation(who);
	return { json: stepItemJson(second, history) };
}

async function compose(replies: StubReply[], parameters: IDataObject = {}) {
	stub = await startOpenAiStub(replies);
	const model = new ChatOpenAI({
		model: 'gpt-4o-mini',
		apiKey: 'sk-test-not-a-real-key',
		configuration: { baseURL: stub.baseURL },
		maxRetries: 0,
	});
	const item = await secondStepItem();
	const [send, approval] = await node.execute.call(
		executeContext({
			type: 'composeFollowUp',
			parameters: { mode: 'fromStep', instruction: '', options: {}, ...parameters },
			credentials: t.credentials,
			items: [item],
			inputConnections: { ai_languageModel: model },
		}),
	);
	return { item, send, approval, requests: stub.requests };
}

describe('Compose Follow-up with ChatOpenAI against a stub server', () => {
	it('sends persona, instruction, variables and the whole history in order, earlier follow-ups marked', async () => {
		const { send, requests } = await compose([
			{ text: GOOD, usage: { prompt_tokens: 321, completion_tokens: 27 } },
		]);
		expect(requests).toHaveLength(1);
		const [body] = requests;
		expect(body.model).toBe('gpt-4o-mini');
		expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
		const system = String(body.messages[0].content);
		const user = String(body.messages[1].content);

		expect(system).toContain(`Persona:\n${PERSONA}`);
		expect(system).toContain('At most 600 characters.');
		expect(system).toContain('It is sent on WhatsApp');
		expect(system).toContain('Write in English, the language of the conversation.');

		expect(user).toContain(
			'Task for this follow-up (an instruction for you, not the text to send):\nAsk whether the Pro question is still relevant',
		);
		expect(user).toContain('This is follow-up 2 of 2, the last one.');
		expect(user).toContain('- firstName: Ann\n- plan: Pro\n- seats: 12\n- contactName: Ann Lee');

		const transcript = /<conversation>\n([\s\S]*)\n<\/conversation>/.exec(user)![1].split('\n');
		expect(transcript.map((line) => line.replace(/^\[[^\]]+\] /, ''))).toEqual([
			'Contact: How much is the Pro plan for 12 seats?',
			'Agent: It is $240 a month. Want a trial?',
			`Agent (earlier follow-up): ${FIRST_FOLLOW_UP}`,
		]);
		expect(transcript.every((line) => /^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\] /.test(line))).toBe(
			true,
		);

		expect(send[0].json.message).toMatchObject({
			text: GOOD,
			mode: 'aiFull',
			model: 'gpt-stub-1',
			tokens: { prompt: 321, completion: 27 },
			degraded: false,
		});
		const [, stepRun] = await t.store.getStepRuns(send[0].json.enrollmentId as number);
		expect(stepRun).toMatchObject({
			text: GOOD,
			composeMode: 'aiFull',
			model: 'gpt-stub-1',
			promptTokens: 321,
			completionTokens: 27,
			degraded: false,
		});
	});

	it('asks again once with the reason when the draft repeats the earlier follow-up', async () => {
		const { send, requests } = await compose([
			{ text: 'Hi Ann, just checking in — did you get a chance to look at the trial?' },
			{ text: GOOD },
		]);
		expect(requests).toHaveLength(2);
		expect(requests[1].messages.map((m) => m.role)).toEqual([
			'system',
			'user',
			'assistant',
			'user',
		]);
		expect(requests[1].messages.slice(0, 2)).toEqual(requests[0].messages);
		expect(String(requests[1].messages[3].content)).toMatch(
			/^That draft cannot be sent: the draft repeats an earlier follow-up/,
		);
		expect(send[0].json.message).toMatchObject({
			text: GOOD,
			attempts: 2,
			tokens: { prompt: 200, completion: 40 },
		});
	});

	it('falls back to the static text, degraded, when the provider answers with an error', async () => {
		const { send, requests } = await compose([{ status: 500, text: 'upstream overloaded' }]);
		expect(requests).toHaveLength(1);
		expect(send[0].json.message).toMatchObject({
			text: 'Hi Ann, is this still relevant?',
			mode: 'static',
			degraded: true,
			degradedReason: expect.stringMatching(/^the model failed: .*upstream overloaded/),
		});
		const [, stepRun] = await t.store.getStepRuns(send[0].json.enrollmentId as number);
		expect(stepRun).toMatchObject({ composeMode: 'static', degraded: true });
	});
});
