import { DateTime } from 'luxon';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { StepRunReader } from './support/step-run-details';
import {
	cadenceType,
	code,
	enrollInCadence,
	manualTrigger,
	markSent,
	node,
	noOp,
	recordReply,
	webhook,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * Issue 11, items 2 and 3, in a real n8n (one instance for the file):
 * - an AI assisted step whose chat model is down (n8n's OpenAI Chat Model against a stub that
 *   answers 500) sends the step's static fallback, and the next step comes;
 * - Record Reply with no chat model reads "just paid" as the goal (the enrollment ends with
 *   reason goal) and "can you follow up next Tuesday at 3pm" as a request to pause until then in
 *   the contact's time zone, while any other reply restarts the chain: seed 003's "restart on
 *   reply, but stop when booked or paid", set up without a model;
 * - a contact enrolled at "+01:00" keeps that zone (as UTC+1), and a step on channel Automatic
 *   goes where the contact last wrote.
 */
const OUTAGE = 'E2E AI outage';
const REPLIES = 'E2E replies';
const FALLBACK = 'Hi {{firstName|there}}, a quick check-in from Acme.';
const CHICAGO = 'America/Chicago';

let n8n: N8nInstance;
let stub: OpenAiStub;
let store: StoreProbe;
let runs: StepRunReader;
const ids: Record<string, string> = {};

/** Follow-up Trigger → Compose Follow-up (OpenAI Chat Model on its AI input) → Mark Sent. */
function outageWorkflow(openAi: { id: string; name: string }): WorkflowJson {
	const wf = workflow(
		`Cadence: ${OUTAGE}`,
		[
			node('Follow-up Trigger', cadenceType('followUpTrigger'), {
				cadenceName: OUTAGE,
				steps: {
					step: [
						{
							name: 'Check-in',
							waitAmount: 1,
							waitUnit: 'days',
							composeMode: 'aiAssisted',
							instruction: 'Ask whether they had time to look at the offer',
							staticText: FALLBACK,
						},
						{
							name: 'Last note',
							waitAmount: 2,
							waitUnit: 'days',
							composeMode: 'static',
							staticText: 'Last note from Acme, {{firstName|there}}.',
						},
					],
				},
				replyAction: 'exit',
				sendingWindow: {},
				options: { checkInterval: 5 },
			}),
			node('Compose Follow-up', cadenceType('composeFollowUp'), { mode: 'fromStep', options: {} }),
			markSent('Cadence: Mark Sent'),
			noOp('Needs approval'),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				{
					model: { __rl: true, mode: 'id', value: 'gpt-stub-1' },
					options: { maxRetries: 0, timeout: 10_000 },
				},
				{ typeVersion: 1.2, credentials: { openAiApi: openAi } },
			),
		],
		[
			['Follow-up Trigger', 'Compose Follow-up'],
			['Compose Follow-up', 'Cadence: Mark Sent', 0],
			['Compose Follow-up', 'Needs approval', 1],
		],
	);
	(wf.connections as Record<string, unknown>)['OpenAI Chat Model'] = {
		ai_languageModel: [[{ node: 'Compose Follow-up', type: 'ai_languageModel', index: 0 }]],
	};
	return wf;
}

/** A cadence that restarts its chain on a reply (seed 003): static steps, sent by Mark Sent. */
function repliesWorkflow(): WorkflowJson {
	return workflow(
		`Cadence: ${REPLIES}`,
		[
			node('Follow-up Trigger', cadenceType('followUpTrigger'), {
				cadenceName: REPLIES,
				steps: {
					step: [1, 2].map((n) => ({
						waitAmount: 1,
						waitUnit: 'days',
						composeMode: 'static',
						staticText: `Follow-up ${n}`,
					})),
				},
				replyAction: 'restart',
				sendingWindow: {},
				options: { checkInterval: 5 },
			}),
			markSent('Cadence: Mark Sent'),
		],
		[['Follow-up Trigger', 'Cadence: Mark Sent']],
	);
}

/** Manual Trigger → the contacts → Enroll In Cadence with each contact's time zone. */
function enrollWorkflow(
	name: string,
	cadence: string,
	contacts: Array<{ contact: string; name: string; zone: string }>,
): WorkflowJson {
	const enroll = enrollInCadence(cadence);
	enroll.parameters.options = { timeZone: '={{ $json.zone }}' };
	return workflow(
		name,
		[
			manualTrigger(),
			code('Contacts', `return ${JSON.stringify(contacts.map((json) => ({ json })))};`),
			enroll,
		],
		[
			['Manual Trigger', 'Contacts'],
			['Contacts', 'Enroll In Cadence'],
		],
	);
}

/** POST /webhook/e2e-semantics-reply {contact, text} → Record Reply, "Let AI Classify", no model. */
function classifyWorkflow(): WorkflowJson {
	const reply = recordReply();
	reply.parameters.action = 'classify';
	return workflow(
		'Inbound messages (classified)',
		[webhook('e2e-semantics-reply'), reply],
		[['Webhook', 'Record Reply']],
	);
}

beforeAll(async () => {
	stub = await startOpenAiStub([{ status: 500, text: 'The model is overloaded' }]);
	n8n = await N8nInstance.start({ name: 'semantics-ai' });
	const openAi = await n8n.createCredential('Stub OpenAI (down)', 'openAiApi', {
		apiKey: 'sk-stub',
		url: stub.baseURL,
		header: false,
	});
	ids.outage = (await n8n.createWorkflow(outageWorkflow(openAi))).id;
	ids.replies = (await n8n.createWorkflow(repliesWorkflow())).id;
	ids.classify = (await n8n.createWorkflow(classifyWorkflow())).id;
	for (const id of [ids.outage, ids.replies, ids.classify]) await n8n.activate(id);
	ids.enrollOutage = (
		await n8n.createWorkflow(
			enrollWorkflow('Enroll Ada', OUTAGE, [
				{ contact: 'ada@example.com', name: 'Ada', zone: 'UTC' },
			]),
		)
	).id;
	ids.enrollReplies = (
		await n8n.createWorkflow(
			enrollWorkflow('Enroll three', REPLIES, [
				{ contact: 'payer@example.com', name: 'Pat', zone: CHICAGO },
				{ contact: 'later@example.com', name: 'Lee', zone: CHICAGO },
				{ contact: 'other@example.com', name: 'Oli', zone: '+01:00' },
			]),
		)
	).id;
	store = StoreProbe.sqlite(n8n.storePath);
	runs = StepRunReader.sqlite(n8n.storePath);
});

afterAll(async () => {
	for (const id of [ids.outage, ids.replies, ids.classify]) {
		if (n8n && id) await n8n.deactivate(id).catch(() => undefined);
	}
	await store?.close();
	await runs?.close();
	await n8n?.stop();
	await stub?.close();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

test(
	'an AI assisted step whose model is down sends its static fallback, and the next step comes',
	withLogs(async () => {
		const enrolled = await n8n.executeCli(ids.enrollOutage);
		expect(enrolled.resultData.error).toBeUndefined();
		expect(await store.makeDue(OUTAGE)).toBe(1);

		const first = await waitFor(
			'the fallback to be marked sent',
			async () => {
				const [run] = await runs.list(OUTAGE);
				return run?.status === 'sent' ? run : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		expect(stub.requests.length).toBeGreaterThanOrEqual(1);
		expect(first).toEqual(
			expect.objectContaining({
				compose_mode: 'static',
				text: 'Hi Ada, a quick check-in from Acme.',
				degraded: 1,
				approval: null,
			}),
		);
		expect(first.detail).toMatch(/the model failed/);
		const [execution] = await n8n.waitForExecutions(ids.outage, 1);
		const [composed] = itemsAt([execution], 'Compose Follow-up');
		expect(composed.message).toEqual(
			expect.objectContaining({ mode: 'static', requestedMode: 'aiAssisted', degraded: true }),
		);
		expect(itemsAt([execution], 'Needs approval')).toEqual([]);

		// Step 2 is scheduled from the send and goes out too: the cadence did not stall.
		const ada = await store.enrollment(OUTAGE, 'ada@example.com');
		expect([ada.state, ada.next_step]).toEqual(['active', 1]);
		expect(await store.makeDue(OUTAGE)).toBe(1);
		const second = await waitFor(
			'step 2 to be marked sent',
			async () => {
				const list = await runs.list(OUTAGE);
				return list.length === 2 && list[1].status === 'sent' ? list[1] : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		expect(second.text).toBe('Last note from Acme, Ada.');
	}),
);

test(
	'without a model, "just paid" ends the cadence as goal, a time request pauses until then in the contact’s zone, anything else restarts',
	withLogs(async () => {
		const enrolled = await n8n.executeCli(ids.enrollReplies);
		expect(enrolled.resultData.error).toBeUndefined();

		const paid = await n8n.webhook<Array<Record<string, any>>>('e2e-semantics-reply', {
			contact: 'payer@example.com',
			text: 'just paid',
		});
		expect(paid).toEqual([
			expect.objectContaining({
				cadence: REPLIES,
				action: 'goal',
				state: 'exited',
				classification: expect.objectContaining({ category: 'goal', by: 'keywords' }),
			}),
		]);
		const payer = await store.enrollment(REPLIES, 'payer@example.com');
		expect([payer.state, payer.exit_reason, payer.next_due_at]).toEqual(['exited', 'goal', null]);

		const asked = await n8n.webhook<Array<Record<string, any>>>('e2e-semantics-reply', {
			contact: 'later@example.com',
			text: 'can you follow up next Tuesday at 3pm',
		});
		// "Next Tuesday" is the next one after today, at 15:00 in Chicago.
		const today = DateTime.now().setZone(CHICAGO).startOf('day');
		const tuesday = today
			.plus({ days: ((2 - today.weekday + 6) % 7) + 1 })
			.set({ hour: 15, minute: 0 });
		expect(asked).toEqual([
			expect.objectContaining({
				action: 'pause',
				state: 'paused',
				nextDueAt: tuesday.toUTC().toISO(),
				classification: expect.objectContaining({ category: 'busy' }),
			}),
		]);
		const later = await store.enrollment(REPLIES, 'later@example.com');
		expect([later.state, later.next_due_at]).toEqual(['paused', tuesday.toMillis()]);

		const other = await n8n.webhook<Array<Record<string, any>>>('e2e-semantics-reply', {
			contact: 'other@example.com',
			text: 'Thanks, I will think about it',
		});
		expect(other).toEqual([expect.objectContaining({ action: 'restart', state: 'active' })]);

		// Channel "Automatic": the restarted chain's step goes where Oli last wrote (Record Reply
		// recorded the channel "e2e"), and the item says so.
		expect(await store.makeDue(REPLIES, ['other@example.com'])).toBe(1);
		const [execution] = await n8n.waitForExecutions(ids.replies, 1);
		const [step] = itemsAt([execution], 'Follow-up Trigger');
		expect(step).toEqual(
			expect.objectContaining({
				contact: expect.objectContaining({ key: 'other@example.com', timeZone: 'UTC+1' }),
				channel: 'e2e',
				channelSetting: 'automatic',
				channelReason: expect.stringMatching(/^automatic: the contact last wrote on e2e/),
			}),
		);
	}),
);
