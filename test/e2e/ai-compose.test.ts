import { DateTime } from 'luxon';
import { Client } from 'pg';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance, withLogsOf } from './support/n8n-instance';
import { freshDatabase, type PostgresDatabase } from './support/services';
import { StepRunReader } from './support/step-run-details';
import {
	cadenceType,
	classifyReplyWorkflow,
	code,
	connectAi,
	enrollInCadence,
	enrollInZonesWorkflow,
	followUpTriggerOf,
	manualTrigger,
	markSent,
	node,
	noOp,
	openAiChatModel,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * The AI side in one real n8n (regular mode, the embedded SQLite store), reused by both parts:
 * Compose Follow-up writing with n8n's own chat model and memory sub-nodes, and issue 11's AI
 * semantics (a model that is down, replies classified without a model). Each part has its own
 * stub OpenAI server and credential, its own cadences and contacts, and deactivates its
 * workflows when done.
 */
let n8n: N8nInstance;
/** A failing test shows what n8n printed. */
const withLogs = withLogsOf(() => n8n);

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'ai-compose' });
});

afterAll(async () => {
	await n8n?.stop();
});

describe('Compose Follow-up with a chat model and a chat memory', () => {
	/**
	 * Compose Follow-up with n8n's own sub-nodes: the OpenAI Chat Model (an `openAiApi` credential
	 * whose base URL is a stub OpenAI server on 127.0.0.1) on its Chat Model input, and the Postgres
	 * Chat Memory (the real Postgres, the table n8n's AI Agent writes) on its Memory input. The
	 * memory holds an earlier conversation; the AI must see it, the instruction and the persona, and
	 * the store must record what the model wrote, its name and its token usage.
	 */
	const CADENCE = 'E2E AI compose';
	const INSTRUCTION = 'Ask whether the blue plan question is still open';
	const PERSONA = 'Sam from Acme Support: warm, brief, never pushy';
	const STATIC = 'Hi {{firstName|there}}, just checking in.';
	const REPLY = 'Hi Ada, is your question about the blue plan still open? Happy to help.';
	const SESSION = 'conv-ada-1';
	const HISTORY = [
		{ type: 'human', content: 'Hello, does the blue plan include phone support?' },
		{ type: 'ai', content: 'Yes, the blue plan includes phone support on weekdays.' },
		{ type: 'human', content: 'Great, and what does it cost per seat?' },
		{ type: 'ai', content: 'It is 12 euros per seat and month, billed yearly.' },
	];

	let stub: OpenAiStub;
	let db: PostgresDatabase;
	let store: StoreProbe;
	let runs: StepRunReader;
	const ids: Record<string, string> = {};

	/**
	 * Follow-up Trigger (one AI full step, persona) → Compose Follow-up with the OpenAI Chat Model
	 * and the Postgres Chat Memory on its AI inputs → Mark Sent.
	 */
	function composeWorkflow(
		openAi: { id: string; name: string },
		postgres: { id: string; name: string },
	): WorkflowJson {
		const wf = workflow(
			`Cadence: ${CADENCE}`,
			[
				followUpTriggerOf(
					CADENCE,
					[
						{
							name: 'Still open?',
							waitAmount: 1,
							waitUnit: 'days',
							composeMode: 'aiFull',
							channel: 'sameConversation',
							instruction: INSTRUCTION,
							staticText: STATIC,
						},
					],
					{ options: { persona: PERSONA } },
				),
				node('Compose Follow-up', cadenceType('composeFollowUp'), {
					mode: 'fromStep',
					options: {},
				}),
				markSent('Cadence: Mark Sent'),
				openAiChatModel(openAi),
				node(
					'Postgres Chat Memory',
					'@n8n/n8n-nodes-langchain.memoryPostgresChat',
					{
						sessionIdType: 'customKey',
						sessionKey: '={{ $json.contact.conversationKey }}',
						tableName: 'n8n_chat_histories',
						contextWindowLength: 20,
					},
					{ typeVersion: 1.3, credentials: { postgres } },
				),
			],
			[
				['Follow-up Trigger', 'Compose Follow-up'],
				['Compose Follow-up', 'Cadence: Mark Sent', 0],
			],
		);
		connectAi(wf, 'OpenAI Chat Model', 'Compose Follow-up', 'ai_languageModel');
		return connectAi(wf, 'Postgres Chat Memory', 'Compose Follow-up', 'ai_memory');
	}

	/** Manual Trigger → the contact → Enroll In Cadence, with the conversation key of the memory. */
	function enrollAdaWorkflow(): WorkflowJson {
		const enroll = enrollInCadence(CADENCE);
		enroll.parameters.conversationKey = '={{ $json.conversation }}';
		return workflow(
			'Enroll Ada',
			[
				manualTrigger(),
				code(
					'Contact',
					`return [{ json: { contact: 'ada@example.com', name: 'Ada', conversation: '${SESSION}' } }];`,
				),
				enroll,
			],
			[
				['Manual Trigger', 'Contact'],
				['Contact', 'Enroll In Cadence'],
			],
		);
	}

	/** Rows in the shape n8n's Postgres Chat Memory (LangChain's PostgresChatMessageHistory) writes. */
	async function seedChatMemory(url: string) {
		const client = new Client({ connectionString: url });
		await client.connect();
		try {
			await client.query(
				`CREATE TABLE IF NOT EXISTS n8n_chat_histories (
					id SERIAL PRIMARY KEY, session_id VARCHAR(255) NOT NULL, message JSONB NOT NULL)`,
			);
			// Another conversation in the same table, which the session key must keep out.
			await client.query('INSERT INTO n8n_chat_histories (session_id, message) VALUES ($1, $2)', [
				'someone-else',
				{
					type: 'human',
					content: 'Unrelated question about invoices',
					additional_kwargs: {},
					response_metadata: {},
				},
			]);
			for (const m of HISTORY) {
				await client.query('INSERT INTO n8n_chat_histories (session_id, message) VALUES ($1, $2)', [
					SESSION,
					{ ...m, additional_kwargs: {}, response_metadata: {} },
				]);
			}
		} finally {
			await client.end();
		}
	}

	beforeAll(async () => {
		stub = await startOpenAiStub([
			{ text: REPLY, usage: { prompt_tokens: 321, completion_tokens: 17 } },
		]);
		db = await freshDatabase('ai_compose');
		await seedChatMemory(db.url);
		const openAi = await n8n.createCredential('Stub OpenAI', 'openAiApi', {
			apiKey: 'sk-stub',
			url: stub.baseURL,
			header: false,
		});
		const postgres = await n8n.createCredential('Chat memory Postgres', 'postgres', {
			host: db.host,
			port: db.port,
			database: db.name,
			user: db.user,
			password: db.password,
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			sshTunnel: false,
		});
		ids.cadence = (await n8n.createWorkflow(composeWorkflow(openAi, postgres))).id;
		await n8n.activate(ids.cadence);
		ids.enroll = (await n8n.createWorkflow(enrollAdaWorkflow())).id;
		store = StoreProbe.sqlite(n8n.storePath);
		runs = StepRunReader.sqlite(n8n.storePath);
	});

	afterAll(async () => {
		if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
		await store?.close();
		await runs?.close();
		await stub?.close();
		await db?.drop();
	});

	test(
		'the stub model writes the follow-up from the instruction, the persona and the chat memory',
		withLogs(async () => {
			const enrolled = await n8n.executeCli(ids.enroll);
			expect(enrolled.resultData.error).toBeUndefined();
			expect(await store.makeDue(CADENCE)).toBe(1);

			const sent = await waitFor(
				'the AI follow-up to be marked sent',
				async () => {
					const [run] = await runs.list(CADENCE);
					return run?.status === 'sent' ? run : undefined;
				},
				{ timeoutMs: 60_000, intervalMs: 1000 },
			);

			// One chat completion, to the stub, with the model the node was set to.
			expect(stub.requests).toHaveLength(1);
			const request = stub.requests[0];
			expect(request.model).toBe('gpt-stub-1');
			const messages = request.messages.map((m) => ({ role: m.role, content: String(m.content) }));
			expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
			const [system, human] = messages.map((m) => m.content);
			expect(system).toContain(PERSONA);
			expect(human).toContain(INSTRUCTION);
			// The seeded conversation, in order, and nothing from the other session.
			const positions = HISTORY.map((m) => human.indexOf(m.content));
			expect(positions.every((p) => p >= 0)).toBe(true);
			expect([...positions].sort((a, b) => a - b)).toEqual(positions);
			expect(human).toMatch(/Contact: Hello, does the blue plan include phone support\?/);
			expect(human).toMatch(/Agent: Yes, the blue plan includes phone support on weekdays\./);
			expect(human).not.toContain('Unrelated question about invoices');

			// The store recorded what the model wrote, its name and usage; nothing degraded.
			expect(sent).toEqual(
				expect.objectContaining({
					compose_mode: 'aiFull',
					text: REPLY,
					model: 'gpt-stub-1',
					prompt_tokens: 321,
					completion_tokens: 17,
					degraded: 0,
				}),
			);

			const executions = await n8n.waitForExecutions(ids.cadence, 1);
			const [composed] = itemsAt(executions, 'Compose Follow-up');
			expect(composed.message).toEqual(
				expect.objectContaining({
					text: REPLY,
					mode: 'aiFull',
					model: 'gpt-stub-1',
					degraded: false,
					historySource: 'memory',
					tokens: { prompt: 321, completion: 17 },
				}),
			);
			expect(composed.message.historyWarning).toBeUndefined();
			expect(itemsAt(executions, 'Cadence: Mark Sent')).toHaveLength(1);
			expect(executions.map((e) => e.status)).toEqual(['success']);
		}),
	);
});

describe('a model that is down, and replies classified without one', () => {
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

	let stub: OpenAiStub;
	let store: StoreProbe;
	let runs: StepRunReader;
	const ids: Record<string, string> = {};

	/** Follow-up Trigger → Compose Follow-up (OpenAI Chat Model on its AI input) → Mark Sent. */
	function outageWorkflow(openAi: { id: string; name: string }): WorkflowJson {
		const wf = workflow(
			`Cadence: ${OUTAGE}`,
			[
				followUpTriggerOf(OUTAGE, [
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
				]),
				node('Compose Follow-up', cadenceType('composeFollowUp'), {
					mode: 'fromStep',
					options: {},
				}),
				markSent('Cadence: Mark Sent'),
				noOp('Needs approval'),
				openAiChatModel(openAi),
			],
			[
				['Follow-up Trigger', 'Compose Follow-up'],
				['Compose Follow-up', 'Cadence: Mark Sent', 0],
				['Compose Follow-up', 'Needs approval', 1],
			],
		);
		return connectAi(wf, 'OpenAI Chat Model', 'Compose Follow-up', 'ai_languageModel');
	}

	/** A cadence that restarts its chain on a reply (seed 003): static steps, sent by Mark Sent. */
	function repliesWorkflow(): WorkflowJson {
		return workflow(
			`Cadence: ${REPLIES}`,
			[
				followUpTriggerOf(
					REPLIES,
					[1, 2].map((n) => ({
						waitAmount: 1,
						waitUnit: 'days',
						composeMode: 'static' as const,
						staticText: `Follow-up ${n}`,
					})),
					{ replyAction: 'restart' },
				),
				markSent('Cadence: Mark Sent'),
			],
			[['Follow-up Trigger', 'Cadence: Mark Sent']],
		);
	}

	beforeAll(async () => {
		stub = await startOpenAiStub([{ status: 500, text: 'The model is overloaded' }]);
		const openAi = await n8n.createCredential('Stub OpenAI (down)', 'openAiApi', {
			apiKey: 'sk-stub',
			url: stub.baseURL,
			header: false,
		});
		ids.outage = (await n8n.createWorkflow(outageWorkflow(openAi))).id;
		ids.replies = (await n8n.createWorkflow(repliesWorkflow())).id;
		ids.classify = (await n8n.createWorkflow(classifyReplyWorkflow('e2e-semantics-reply'))).id;
		for (const id of [ids.outage, ids.replies, ids.classify]) await n8n.activate(id);
		ids.enrollOutage = (
			await n8n.createWorkflow(
				enrollInZonesWorkflow('Enroll Ada', OUTAGE, [
					{ contact: 'ada.outage@example.com', name: 'Ada', zone: 'UTC' },
				]),
			)
		).id;
		ids.enrollReplies = (
			await n8n.createWorkflow(
				enrollInZonesWorkflow('Enroll three', REPLIES, [
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
		await stub?.close();
	});

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
			const ada = await store.enrollment(OUTAGE, 'ada.outage@example.com');
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
});
