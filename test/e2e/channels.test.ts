import { randomUUID } from 'node:crypto';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance, withLogsOf } from './support/n8n-instance';
import {
	cadenceType,
	node,
	noOp,
	webhook,
	workflow,
	type WorkflowJson,
	type WorkflowNode,
} from './support/workflows';

/**
 * Issue 12 in a real n8n (regular mode, the embedded SQLite store), one n8n for the file:
 * - a WhatsApp cadence routed by Route by Channel to two stand-in send nodes, free text vs the
 *   approved template, by the contact's last inbound WhatsApp time (Record Reply, Received At);
 * - a live chat left unanswered switches to SMS, where Enroll In Cadence gave a phone number;
 * - a delivery webhook finds the step by the message id Mark Sent stored and moves it to read;
 *   a late "delivered" is ignored;
 * - an idle conversation (Record Reply → Conversation Status pending) is enrolled by the trigger
 *   once, and never again after that enrollment ended.
 */
const HOUR = 3600_000;
const MINUTE = 60_000;

type Json = Record<string, unknown>;
let n8n: N8nInstance;
/** A failing test shows what n8n printed. */
const withLogs = withLogsOf(() => n8n);
let store: StoreProbe;
const ids: Record<string, string> = {};

/** A stand-in send node: keeps the item and adds the id a channel would return. */
const standInSend = (name: string, prefix: string) =>
	node(
		name,
		'n8n-nodes-base.set',
		{
			mode: 'manual',
			includeOtherFields: true,
			assignments: {
				assignments: [
					{
						id: randomUUID(),
						name: 'messageId',
						type: 'string',
						value: `={{ "${prefix}." + $json.idempotencyKey }}`,
					},
				],
			},
			options: {},
		},
		{ typeVersion: 3.4 },
	);

const markSent = (name: string) =>
	node(name, cadenceType('cadence'), {
		resource: 'signal',
		operation: 'markSent',
		stepRun: '={{ $json.stepRunId }}',
		channelMessageId: '={{ $json.messageId }}',
		options: { channel: '={{ $json.channel }}' },
	});

function trigger(name: string, step: Json, channels: Json): WorkflowNode {
	return node('Follow-up Trigger', cadenceType('followUpTrigger'), {
		cadenceName: name,
		steps: {
			step: [
				{ waitAmount: 1, waitUnit: 'days', composeMode: 'static', ...step },
				{ waitAmount: 1, waitUnit: 'days', composeMode: 'static', staticText: 'Last one' },
			],
		},
		replyAction: 'exit',
		channels,
		options: { checkInterval: 5 },
	});
}

/** Follow-up Trigger → Route by Channel → one stand-in send per route → Mark Sent. */
function routedWorkflow(name: string, step: Json, channels: Json = {}): WorkflowJson {
	const sends: Array<[number, string, string]> = [
		[0, 'Send WhatsApp text', 'wamid'],
		[1, 'Send WhatsApp template', 'wamid'],
		[2, 'Send SMS', 'SM'],
		[4, 'Reply in conversation', 'chat'],
	];
	return workflow(
		`Cadence: ${name}`,
		[
			trigger(name, step, channels),
			node('Route by Channel', cadenceType('routeByChannel')),
			...sends.map(([, send, prefix]) => standInSend(send, prefix)),
			noOp('Cannot Send'),
			markSent('Mark Sent'),
		],
		[
			['Follow-up Trigger', 'Route by Channel'],
			...sends.map(([output, send]): [string, string, number] => [
				'Route by Channel',
				send,
				output,
			]),
			['Route by Channel', 'Cannot Send', 5],
			...sends.map(([, send]): [string, string] => [send, 'Mark Sent']),
		],
	);
}

const WINDOW = 'E2E WhatsApp window';
const SWITCH = 'E2E live chat to SMS';
const IDLE = 'E2E idle conversations';

/** POST {contact, conversation, text, channel, at, phone, status, author} → Record Reply. */
function inboundWorkflow(): WorkflowJson {
	const record = node('Record Reply', cadenceType('recordReply'), {
		author: '={{ $json.body.author ?? "contact" }}',
		contactKey: '={{ $json.body.contact }}',
		conversationKey: '={{ $json.body.conversation ?? "" }}',
		text: '={{ $json.body.text }}',
		channel: '={{ $json.body.channel }}',
		action: 'policy',
		reachAt: { phone: '={{ $json.body.phone ?? "" }}' },
		options: {
			receivedAt: '={{ $json.body.at }}',
			conversationStatus: '={{ $json.body.status ?? "open" }}',
		},
	});
	return workflow('Inbound', [webhook('ch-inbound'), record], [['Webhook', 'Record Reply']]);
}

/** POST {contact, cadence, phone, conversation} → Enroll In Cadence with Reach Contact At. */
function enrollWorkflow(): WorkflowJson {
	const enroll = node('Enroll In Cadence', cadenceType('enrollInCadence'), {
		cadence: { __rl: true, mode: 'name', value: '={{ $json.body.cadence }}' },
		contactKey: '={{ $json.body.contact }}',
		conversationKey: '={{ $json.body.conversation ?? "" }}',
		contactName: '={{ $json.body.contact }}',
		reachAt: { phone: '={{ $json.body.phone }}' },
		variables: { variable: [{ name: 'firstName', value: '={{ $json.body.contact }}' }] },
		options: {},
	});
	return workflow('Enroll', [webhook('ch-enroll'), enroll], [['Webhook', 'Enroll In Cadence']]);
}

/** POST {id, status} → Cadence → Delivery Status, found by the channel's message id. */
function statusWorkflow(): WorkflowJson {
	const status = node('Delivery Status', cadenceType('cadence'), {
		resource: 'signal',
		operation: 'deliveryStatus',
		findBy: 'channelMessageId',
		channelMessageId: '={{ $json.body.id }}',
		status: '={{ $json.body.status }}',
		options: {},
	});
	return workflow(
		'Status webhook',
		[webhook('ch-status'), status],
		[['Webhook', 'Delivery Status']],
	);
}

async function activate(key: string, wf: WorkflowJson): Promise<void> {
	ids[key] = (await n8n.createWorkflow(wf)).id;
	await n8n.activate(ids[key]);
}

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'channels' });
	const template = {
		channel: 'whatsapp',
		staticText: 'Hi {{firstName}}, still interested?',
		whatsappTemplate: 'follow_up_1',
		whatsappTemplateLanguage: 'en_US',
		whatsappTemplateParameters: '{{firstName}}',
	};
	await activate('window', routedWorkflow(WINDOW, template));
	await activate(
		'switch',
		routedWorkflow(
			SWITCH,
			{ channel: 'automatic', staticText: 'Still there?' },
			{ switchChannels: true, switchAfterHours: 2, switchFrom: 'Live Chat', switchTo: 'sms' },
		),
	);
	await activate(
		'idle',
		routedWorkflow(
			IDLE,
			{ channel: 'automatic', staticText: 'Can we help?' },
			{ idleEnroll: true, idleMinutes: 5, idleStatuses: ['pending'] },
		),
	);
	await activate('inbound', inboundWorkflow());
	await activate('enroll', enrollWorkflow());
	await activate('status', statusWorkflow());
	store = StoreProbe.sqlite(n8n.storePath);
});

afterAll(async () => {
	await store?.close();
	await n8n?.stop();
});

const inbound = (body: Json) => n8n.webhook<Json[]>('ch-inbound', body);
const enroll = (body: Json) => n8n.webhook<Json[]>('ch-enroll', body);

/** Every item that reached `nodeName` in the workflow's executions so far. */
async function itemsReaching(key: string, nodeName: string): Promise<Json[]> {
	const executions = await n8n.executions(ids[key], { includeData: true });
	return itemsAt(executions, nodeName);
}

async function waitForItem(key: string, nodeName: string, contact: string): Promise<Json> {
	return waitFor(
		`${contact}'s step at "${nodeName}"`,
		async () =>
			(await itemsReaching(key, nodeName)).find(
				(i) => (i.contact as Json | undefined)?.key === contact,
			),
		{ timeoutMs: 90_000, intervalMs: 1000 },
	);
}

async function expectNoFailedExecutions(...keys: string[]) {
	for (const key of keys) {
		const failed = await n8n.executions(ids[key], { status: 'error', includeData: true });
		expect(failed.map((e) => e.data?.resultData.error?.message ?? e.id)).toEqual([]);
	}
}

test(
	'WhatsApp: text inside the 24 h window, the approved template outside it; a delivery webhook moves the step to read and a late delivered is ignored',
	withLogs(async () => {
		const now = Date.now();
		// Written before enrolling, so the reply policy has nothing to stop.
		await inbound({
			contact: 'ana',
			text: 'Hi',
			channel: 'WhatsApp',
			at: new Date(now - 2 * HOUR).toISOString(),
		});
		await inbound({
			contact: 'bia',
			text: 'Hi',
			channel: 'WhatsApp',
			at: new Date(now - 30 * HOUR).toISOString(),
		});
		for (const [contact, phone] of [
			['ana', '+55 11 91234-5601'],
			['bia', '+55 11 91234-5602'],
		])
			expect(await enroll({ contact, cadence: WINDOW, phone })).toEqual([
				expect.objectContaining({ outcome: 'enrolled' }),
			]);
		expect(await store.makeDue(WINDOW)).toBe(2);

		const text = await waitForItem('window', 'Send WhatsApp text', 'ana');
		expect(text).toMatchObject({ channelRoute: 'whatsappText', channelAddress: '+5511912345601' });
		expect(text.channelReason).toMatch(/inside WhatsApp's 24 h window/);
		const templated = await waitForItem('window', 'Send WhatsApp template', 'bia');
		expect(templated).toMatchObject({
			channelRoute: 'whatsappTemplate',
			template: { name: 'follow_up_1', language: 'en_US', parameters: ['bia'] },
		});
		expect(templated.channelReason).toMatch(/outside WhatsApp's 24 h window since/);
		// Each went to its own send node only.
		expect(
			(await itemsReaching('window', 'Send WhatsApp text')).map((i) => (i.contact as Json).key),
		).toEqual(['ana']);
		expect(
			(await itemsReaching('window', 'Send WhatsApp template')).map((i) => (i.contact as Json).key),
		).toEqual(['bia']);

		const sent = await waitFor(
			'both steps marked sent',
			async () => {
				const runs = (await store.stepRuns(WINDOW)).filter((r) => r.status === 'sent');
				return runs.length === 2 ? runs : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		const bia = sent.find((r) => r.contact_key === 'bia')!;
		const read = await n8n.webhook<Json[]>('ch-status', {
			id: templated.messageId,
			status: 'read',
		});
		expect(read).toEqual([
			expect.objectContaining({ outcome: 'applied', stepRunId: bia.id, status: 'read' }),
		]);
		const late = await n8n.webhook<Json[]>('ch-status', {
			id: templated.messageId,
			status: 'delivered',
		});
		expect(late).toEqual([expect.objectContaining({ outcome: 'ignored', status: 'read' })]);
		const runs = await store.stepRuns(WINDOW);
		expect(runs.map((r) => [r.contact_key, r.status])).toEqual([
			['ana', 'sent'],
			['bia', 'read'],
		]);
		await expectNoFailedExecutions('window', 'status', 'inbound', 'enroll');
	}),
);

test(
	'a live chat left unanswered for Switch After hours switches to SMS, to the phone number Enroll In Cadence gave',
	withLogs(async () => {
		const now = Date.now();
		await inbound({
			contact: 'cai',
			text: 'Question about pricing',
			channel: 'Live chat',
			at: new Date(now - 4 * HOUR).toISOString(),
		});
		// Our agent answered three hours ago; the contact never wrote back.
		await inbound({
			contact: 'cai',
			author: 'agent',
			text: 'Here are the prices',
			channel: 'Live chat',
			at: new Date(now - 3 * HOUR).toISOString(),
		});
		await enroll({ contact: 'cai', cadence: SWITCH, phone: '+1 415 555 0100' });
		// A second contact with no phone number stays in the conversation.
		await inbound({
			contact: 'dee',
			text: 'Hello?',
			channel: 'Live chat',
			at: new Date(now - 4 * HOUR).toISOString(),
		});
		await inbound({
			contact: 'dee',
			author: 'agent',
			text: 'Hi!',
			channel: 'Live chat',
			at: new Date(now - 3 * HOUR).toISOString(),
		});
		await enroll({ contact: 'dee', cadence: SWITCH, phone: '' });
		await store.makeDue(SWITCH);

		const sms = await waitForItem('switch', 'Send SMS', 'cai');
		expect(sms).toMatchObject({
			channelRoute: 'sms',
			channelAddress: '+14155550100',
			switchedFrom: 'liveChat',
		});
		expect(sms.channelReason).toMatch(/no response on liveChat since .*switching to sms/);
		const stay = await waitForItem('switch', 'Reply in conversation', 'dee');
		expect(stay.channelReason).toMatch(/no phone number is known to switch to sms/);
		await expectNoFailedExecutions('switch', 'inbound', 'enroll');
	}),
);

test(
	'an idle pending conversation is enrolled by the trigger once, and never a second time',
	withLogs(async () => {
		await inbound({
			contact: 'eve',
			conversation: 'conv-9',
			text: 'I will think about it',
			channel: 'WhatsApp',
			status: 'pending',
			at: new Date(Date.now() - 10 * MINUTE).toISOString(),
		});
		const enrolled = await waitFor(
			'the idle conversation enrolled',
			async () => {
				const rows = await store.enrollments(IDLE);
				return rows.length > 0 ? rows : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		// Only the pending one: the open conversations of the other tests stay out.
		expect(enrolled.map((e) => [e.contact_key, e.state])).toEqual([['eve', 'active']]);
		expect(await store.eventTypes(enrolled[0].id)).toContain('enrolled');
		// Eve writes (recorded as eight minutes ago): the cadence exits on her reply, and her
		// conversation is idle again at once. The next checks read it again and never re-enroll it.
		await inbound({
			contact: 'eve',
			conversation: 'conv-9',
			text: 'Still thinking',
			channel: 'WhatsApp',
			status: 'pending',
			at: new Date(Date.now() - 8 * MINUTE).toISOString(),
		});
		expect((await store.enrollment(IDLE, 'eve')).state).toBe('exited');
		await new Promise((resolve) => setTimeout(resolve, 20_000));
		expect((await store.enrollments(IDLE)).map((e) => [e.contact_key, e.state])).toEqual([
			['eve', 'exited'],
		]);
		await expectNoFailedExecutions('idle', 'inbound');
	}),
);
