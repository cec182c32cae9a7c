import { Client } from 'pg';
import { startOpenAiStub, type OpenAiStub } from '../support/openai-stub';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { freshDatabase, type PostgresDatabase } from './support/services';
import { StepRunReader } from './support/step-run-details';
import {
	cadenceType,
	code,
	enrollInCadence,
	manualTrigger,
	markSent,
	node,
	workflow,
	type WorkflowJson,
} from './support/workflows';

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

let n8n: N8nInstance;
let stub: OpenAiStub;
let db: PostgresDatabase;
let store: StoreProbe;
let runs: StepRunReader;
const ids: Record<string, string> = {};

function cadenceWorkflow(
	openAi: { id: string; name: string },
	postgres: { id: string; name: string },
): WorkflowJson {
	const wf = workflow(
		`Cadence: ${CADENCE}`,
		[
			node('Follow-up Trigger', cadenceType('followUpTrigger'), {
				cadenceName: CADENCE,
				steps: {
					step: [
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
				},
				replyAction: 'exit',
				sendingWindow: {},
				options: { checkInterval: 5, persona: PERSONA },
			}),
			node('Compose Follow-up', cadenceType('composeFollowUp'), { mode: 'fromStep', options: {} }),
			markSent('Cadence: Mark Sent'),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				{
					model: { __rl: true, mode: 'id', value: 'gpt-stub-1' },
					options: { maxRetries: 0, timeout: 10_000 },
				},
				{ typeVersion: 1.2, credentials: { openAiApi: openAi } },
			),
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
	const connections = wf.connections as Record<string, unknown>;
	connections['OpenAI Chat Model'] = {
		ai_languageModel: [[{ node: 'Compose Follow-up', type: 'ai_languageModel', index: 0 }]],
	};
	connections['Postgres Chat Memory'] = {
		ai_memory: [[{ node: 'Compose Follow-up', type: 'ai_memory', index: 0 }]],
	};
	return wf;
}

/** Manual Trigger → the contact → Enroll In Cadence, with the conversation key of the memory. */
function enrollWorkflow(): WorkflowJson {
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
	n8n = await N8nInstance.start({ name: 'ai-compose' });
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
	ids.cadence = (await n8n.createWorkflow(cadenceWorkflow(openAi, postgres))).id;
	await n8n.activate(ids.cadence);
	ids.enroll = (await n8n.createWorkflow(enrollWorkflow())).id;
	store = StoreProbe.sqlite(n8n.storePath);
	runs = StepRunReader.sqlite(n8n.storePath);
});

afterAll(async () => {
	if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
	await store?.close();
	await runs?.close();
	await n8n?.stop();
	await stub?.close();
	await db?.drop();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

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
