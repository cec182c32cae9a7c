import { randomUUID } from 'node:crypto';

/**
 * Workflow JSON as the editor saves it, built from short descriptions: nodes by name, and links
 * `[from, to, fromOutput]`. The package's node types carry the package name, exactly as a
 * self-hoster's installed package gives them.
 */
export const PACKAGE = 'n8n-nodes-cadence';
export const cadenceType = (name: string) => `${PACKAGE}.${name}`;

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	/** Settings → On Error: 'continueRegularOutput' or 'continueErrorOutput'. */
	onError?: string;
}

export type Link = [from: string, to: string, fromOutput?: number];

export interface WorkflowJson {
	name: string;
	nodes: WorkflowNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: 'main'; index: number }>> }
	>;
	settings: Record<string, unknown>;
}

export function node(
	name: string,
	type: string,
	parameters: Record<string, unknown> = {},
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: randomUUID(),
		name,
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...extra,
	};
}

export function workflow(name: string, nodes: WorkflowNode[], links: Link[]): WorkflowJson {
	const connections: WorkflowJson['connections'] = {};
	for (const [from, to, output = 0] of links) {
		const outputs = (connections[from] ??= { main: [] }).main;
		while (outputs.length <= output) outputs.push([]);
		outputs[output].push({ node: to, type: 'main', index: 0 });
	}
	// Laid out left to right so a kept workflow is readable in the editor.
	nodes.forEach((n, i) => (n.position = [i * 220, 0]));
	return { name, nodes, connections, settings: { executionOrder: 'v1', timezone: 'UTC' } };
}

/** A credential reference for a node, from what the API returned when it was created. */
export function withStore(
	n: WorkflowNode,
	credential: { id: string; name: string } | undefined,
): WorkflowNode {
	return credential ? { ...n, credentials: { cadenceStoreApi: credential } } : n;
}

// ---- n8n's own nodes ----

export const manualTrigger = (name = 'Manual Trigger') =>
	node(name, 'n8n-nodes-base.manualTrigger');

/** A production webhook at /webhook/<path> answering with the last node's items. */
export const webhook = (path: string, name = 'Webhook') =>
	node(
		name,
		'n8n-nodes-base.webhook',
		{ httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
		{ typeVersion: 2, webhookId: randomUUID() },
	);

/** A Code node ("Run Once for All Items") returning `items`, e.g. the contacts to enroll. */
export const code = (name: string, jsCode: string) =>
	node(name, 'n8n-nodes-base.code', { jsCode }, { typeVersion: 2 });

/** Splits the webhook body's `contacts` array into one item per contact. */
export const splitContacts = (name = 'Contacts') =>
	node(
		name,
		'n8n-nodes-base.splitOut',
		{ fieldToSplitOut: 'body.contacts', options: {} },
		{ typeVersion: 1 },
	);

/**
 * Stands in for a channel node (WhatsApp, Gmail…): it replaces the item with what a send node
 * returns, so the trigger's fields are gone afterwards, as they would be.
 */
export const fakeSend = (name = 'Send (stand-in)') =>
	node(
		name,
		'n8n-nodes-base.set',
		{
			mode: 'manual',
			includeOtherFields: false,
			assignments: {
				assignments: [
					{
						id: randomUUID(),
						name: 'messageId',
						type: 'string',
						value: '={{ "msg-" + $json.idempotencyKey }}',
					},
					{ id: randomUUID(), name: 'to', type: 'string', value: '={{ $json.contact.key }}' },
					{ id: randomUUID(), name: 'body', type: 'string', value: '={{ $json.staticText }}' },
				],
			},
			options: {},
		},
		{ typeVersion: 3.4 },
	);

export const noOp = (name: string) => node(name, 'n8n-nodes-base.noOp');

// ---- this package's nodes ----

export interface CadenceOptions {
	name: string;
	steps: Array<{ wait: number; unit?: string; text: string }>;
	replyAction?: 'exit' | 'restart' | 'pause' | 'classify';
	/** Sending Window parameters; empty means any time. */
	sendingWindow?: Record<string, unknown>;
	checkInterval?: number;
}

export const followUpTrigger = (cadence: CadenceOptions, name = 'Follow-up Trigger') =>
	node(name, cadenceType('followUpTrigger'), {
		cadenceName: cadence.name,
		steps: {
			step: cadence.steps.map((s) => ({
				waitAmount: s.wait,
				waitUnit: s.unit ?? 'days',
				composeMode: 'static',
				staticText: s.text,
			})),
		},
		replyAction: cadence.replyAction ?? 'exit',
		sendingWindow: cadence.sendingWindow ?? {},
		options: { checkInterval: cadence.checkInterval ?? 5 },
	});

export const exitCheck = (name = 'Exit Check') => node(name, cadenceType('exitCheck'), {});

export const waitUntilWorkingHours = (name = 'Wait Until Working Hours') =>
	node(name, cadenceType('waitUntilWorkingHours'), { hoursFrom: 'cadence' });

/** Cadence → Signal → Mark Sent with the default step reference (found through paired items). */
export const markSent = (name = 'Mark Sent') =>
	node(name, cadenceType('cadence'), {
		resource: 'signal',
		operation: 'markSent',
		options: { channel: 'e2e' },
	});

/** `cadence` is a name or an expression giving one. */
export const enrollInCadence = (cadence: string, name = 'Enroll In Cadence') =>
	node(name, cadenceType('enrollInCadence'), {
		cadence: { __rl: true, mode: 'name', value: cadence },
		contactKey: '={{ $json.contact }}',
		contactName: '={{ $json.name }}',
		variables: { variable: [{ name: 'firstName', value: '={{ $json.name }}' }] },
		options: {},
	});

export const recordReply = (name = 'Record Reply') =>
	node(name, cadenceType('recordReply'), {
		contactKey: '={{ $json.body.contact }}',
		text: '={{ $json.body.text }}',
		channel: 'e2e',
		action: 'policy',
		options: {},
	});

/**
 * The cadence workflow of the README: Follow-up Trigger → Exit Check → Wait Until Working Hours
 * → send → Cadence: Mark Sent, with the Exit and Deferred branches ending in no-op nodes so the
 * executions show which way each item went.
 */
export function cadenceWorkflow(
	cadence: CadenceOptions,
	credential?: { id: string; name: string },
): WorkflowJson {
	return workflow(
		`Cadence: ${cadence.name}`,
		[
			withStore(followUpTrigger(cadence), credential),
			withStore(exitCheck(), credential),
			noOp('Exited'),
			withStore(waitUntilWorkingHours(), credential),
			noOp('Deferred'),
			fakeSend(),
			withStore(markSent(), credential),
		],
		[
			['Follow-up Trigger', 'Exit Check'],
			['Exit Check', 'Wait Until Working Hours', 0],
			['Exit Check', 'Exited', 1],
			['Wait Until Working Hours', 'Send (stand-in)', 0],
			['Wait Until Working Hours', 'Deferred', 1],
			['Send (stand-in)', 'Mark Sent'],
		],
	);
}

/** Manual Trigger → Code (the contacts) → Enroll In Cadence: run with `n8n execute`. */
export function enrollByHandWorkflow(
	cadenceName: string,
	contacts: Array<{ contact: string; name: string }>,
	credential?: { id: string; name: string },
): WorkflowJson {
	return workflow(
		`Enroll by hand: ${cadenceName}`,
		[
			manualTrigger(),
			code('Contacts', `return ${JSON.stringify(contacts.map((json) => ({ json })))};`),
			withStore(enrollInCadence(cadenceName), credential),
		],
		[
			['Manual Trigger', 'Contacts'],
			['Contacts', 'Enroll In Cadence'],
		],
	);
}

/**
 * POST /webhook/<path> {contacts: [{contact, name, cadence}]} → Enroll In Cadence, each contact
 * into the cadence it names; answers with the enrollment results.
 */
export function enrollByWebhookWorkflow(
	path: string,
	credential?: { id: string; name: string },
): WorkflowJson {
	return workflow(
		'Enroll by webhook',
		[
			webhook(path),
			splitContacts(),
			withStore(enrollInCadence('={{ $json.cadence }}'), credential),
		],
		[
			['Webhook', 'Contacts'],
			['Contacts', 'Enroll In Cadence'],
		],
	);
}

/** POST /webhook/<path> {contact, text} → Record Reply (each cadence's own reply policy). */
export function replyWorkflow(
	path: string,
	credential?: { id: string; name: string },
): WorkflowJson {
	return workflow(
		'Inbound messages',
		[webhook(path), withStore(recordReply(), credential)],
		[['Webhook', 'Record Reply']],
	);
}

/**
 * POST /webhook/<path> {contacts: [{contact, name}]} → Enroll In Cadence into one cadence, with
 * Enroll In Cadence's own options (e.g. the contacts' time zone).
 */
export function enrollIntoByWebhookWorkflow(
	path: string,
	cadence: string,
	{
		name = 'Enroll by webhook',
		options,
	}: { name?: string; options?: Record<string, unknown> } = {},
): WorkflowJson {
	const enroll = enrollInCadence(cadence);
	if (options) enroll.parameters = { ...enroll.parameters, options };
	return workflow(
		name,
		[webhook(path), splitContacts(), enroll],
		[
			['Webhook', 'Contacts'],
			['Contacts', 'Enroll In Cadence'],
		],
	);
}

/**
 * Manual Trigger → the contacts → Enroll In Cadence, each contact in the time zone of its `zone`
 * field: run with `n8n execute`.
 */
export function enrollInZonesWorkflow(
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

/** POST /webhook/<path> {contact, text} → Record Reply set to "Let AI Classify" (no model: keywords). */
export function classifyReplyWorkflow(path: string, name = 'Inbound messages (classified)') {
	const reply = recordReply();
	reply.parameters.action = 'classify';
	return workflow(name, [webhook(path), reply], [['Webhook', 'Record Reply']]);
}

/** POST /webhook/<path> {…} → one node (e.g. a Cadence operation), answering with its items. */
export function webhookActionWorkflow(path: string, action: WorkflowNode): WorkflowJson {
	return workflow(`Webhook: ${action.name}`, [webhook(path), action], [['Webhook', action.name]]);
}

/** The Follow-up Trigger of a workflow built here. */
export function triggerOf(wf: WorkflowJson, name = 'Follow-up Trigger'): WorkflowNode {
	const found = wf.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`No node "${name}" in workflow "${wf.name}"`);
	return found;
}

/** Adds Follow-up Trigger options (limits, events, sandbox…) to a workflow built here. */
export function withTriggerOptions(wf: WorkflowJson, options: Record<string, unknown>) {
	const t = triggerOf(wf);
	t.parameters = {
		...t.parameters,
		options: { ...(t.parameters.options as Record<string, unknown>), ...options },
	};
	return wf;
}

/** Sets other Follow-up Trigger parameters (e.g. Start the Clock) on a workflow built here. */
export function withTriggerParameters(wf: WorkflowJson, parameters: Record<string, unknown>) {
	const t = triggerOf(wf);
	t.parameters = { ...t.parameters, ...parameters };
	return wf;
}

/** Connects a sub-node (chat model, memory) to a node's AI input. */
export function connectAi(
	wf: WorkflowJson,
	from: string,
	to: string,
	type: 'ai_languageModel' | 'ai_memory',
): WorkflowJson {
	(wf.connections as Record<string, unknown>)[from] = { [type]: [[{ node: to, type, index: 0 }]] };
	return wf;
}

/** n8n's OpenAI Chat Model (model gpt-stub-1, no retries) on an `openAiApi` credential. */
export const openAiChatModel = (credential: { id: string; name: string }) =>
	node(
		'OpenAI Chat Model',
		'@n8n/n8n-nodes-langchain.lmChatOpenAi',
		{
			model: { __rl: true, mode: 'id', value: 'gpt-stub-1' },
			options: { maxRetries: 0, timeout: 10_000 },
		},
		{ typeVersion: 1.2, credentials: { openAiApi: credential } },
	);

/** A step of a Follow-up Trigger as the editor saves it. */
export interface TriggerStep {
	name?: string;
	waitAmount: number;
	waitUnit: string;
	composeMode: 'static' | 'aiAssisted' | 'aiFull';
	instruction?: string;
	staticText: string;
	channel?: string;
}

/** A Follow-up Trigger from its steps as the editor saves them (AI instructions, channels…). */
export const followUpTriggerOf = (
	cadenceName: string,
	steps: TriggerStep[],
	{
		replyAction = 'exit',
		options = {},
	}: { replyAction?: string; options?: Record<string, unknown> } = {},
) =>
	node('Follow-up Trigger', cadenceType('followUpTrigger'), {
		cadenceName,
		steps: { step: steps },
		replyAction,
		sendingWindow: {},
		options: { checkInterval: 5, ...options },
	});

/**
 * The approval flow: Follow-up Trigger → Compose Follow-up (from the step; with no model it asks
 * the reviewer anyway) → Needs Approval → a Set node putting the execution's resume URL on the
 * item, as the node that notifies a reviewer would → Await Approval (time limit one hour,
 * `onTimeout` a policy or an expression) → Approved / Discarded / Timed out branches. With
 * `stuckAlerts` the trigger's Events output (stuck events) goes to a "Stuck alerts" no-op.
 */
export function approvalWorkflow(
	cadenceName: string,
	steps: TriggerStep[],
	{ onTimeout, stuckAlerts = false }: { onTimeout: string; stuckAlerts?: boolean },
): WorkflowJson {
	const nodes = [
		followUpTriggerOf(cadenceName, steps, {
			options: stuckAlerts ? { emitEvents: ['stuck'] } : {},
		}),
		// No chat model: the step's Message Text, sent for review instead of straight out.
		node('Compose Follow-up', cadenceType('composeFollowUp'), {
			mode: 'fromStep',
			options: { whenAiFails: 'askReviewer' },
		}),
		noOp('Sent without review'),
		node(
			'Notify reviewer',
			'n8n-nodes-base.set',
			{
				mode: 'manual',
				includeOtherFields: true,
				assignments: {
					assignments: [
						{
							id: randomUUID(),
							name: 'reviewUrl',
							type: 'string',
							value: '={{ $execution.resumeUrl }}',
						},
					],
				},
				options: {},
			},
			{ typeVersion: 3.4 },
		),
		node(
			'Await Approval',
			cadenceType('awaitApproval'),
			{ draft: '', timeLimit: 1, timeLimitUnit: 'hours', onTimeout, options: {} },
			{ webhookId: randomUUID() },
		),
		noOp('Approved branch'),
		noOp('Discarded branch'),
		noOp('Timed out branch'),
	];
	const links: Link[] = [
		['Follow-up Trigger', 'Compose Follow-up', 0],
		['Compose Follow-up', 'Sent without review', 0],
		['Compose Follow-up', 'Notify reviewer', 1],
		['Notify reviewer', 'Await Approval'],
		['Await Approval', 'Approved branch', 0],
		['Await Approval', 'Discarded branch', 1],
		['Await Approval', 'Timed out branch', 2],
	];
	if (stuckAlerts) {
		nodes.push(noOp('Stuck alerts'));
		links.push(['Follow-up Trigger', 'Stuck alerts', 1]);
	}
	return workflow(`Cadence: ${cadenceName}`, nodes, links);
}
