import { randomUUID } from 'node:crypto';
import {
	cadenceType,
	exitCheck,
	followUpTrigger,
	markSent,
	node,
	noOp,
	waitUntilWorkingHours,
	webhook,
	withStore,
	workflow,
	type WorkflowJson,
} from '../../test/e2e/support/workflows';

/**
 * The two workflows the section compares, built with the end-to-end suite's builders. Both send
 * the same three static texts and keep the "send" local (the package's Mark Sent is a write to
 * the store; the Wait-node pattern's stand-in is a Set node), so what is measured is the cost of
 * the orchestration, not of a channel.
 */

export const TEXTS = ['Hi {{name}}, step 1', 'Step 2 for {{name}}', 'Step 3 for {{name}}'];

/** Tuned for throughput the way a user would: the shortest check, the largest claim batch. */
export const CHECK_EVERY_SECONDS = 5;
export const CLAIM_BATCH = 1000;

type Credential = { id: string; name: string } | undefined;

/**
 * Follow-up Trigger → Exit Check → Wait Until Working Hours → Compose Follow-up (static) →
 * Cadence: Mark Sent. Step 1 is due at enrollment, as the Wait-node workflow's first send is;
 * steps 2 and 3 wait a day each.
 */
export function packageWorkflow(cadence: string, credential: Credential): WorkflowJson {
	const trigger = followUpTrigger({
		name: cadence,
		steps: TEXTS.map((text, i) => ({
			wait: i === 0 ? 0 : 1,
			text: text.replace('{{name}}', '{{firstName}}'),
		})),
		checkInterval: CHECK_EVERY_SECONDS,
	});
	(trigger.parameters.options as Record<string, unknown>).batchSize = CLAIM_BATCH;
	const compose = node('Compose Follow-up', cadenceType('composeFollowUp'), {
		mode: 'static',
		options: {},
	});
	return workflow(
		`Cadence: ${cadence}`,
		[
			withStore(trigger, credential),
			withStore(exitCheck(), credential),
			noOp('Exited'),
			withStore(waitUntilWorkingHours(), credential),
			noOp('Deferred'),
			withStore(compose, credential),
			withStore(markSent(), credential),
		],
		[
			['Follow-up Trigger', 'Exit Check'],
			['Exit Check', 'Wait Until Working Hours', 0],
			['Exit Check', 'Exited', 1],
			['Wait Until Working Hours', 'Compose Follow-up', 0],
			['Wait Until Working Hours', 'Deferred', 1],
			['Compose Follow-up', 'Mark Sent', 0],
		],
	);
}

const assignment = (name: string, value: string) => ({
	id: randomUUID(),
	name,
	type: 'string',
	value,
});

/** Edit Fields: the step's text with the contact's name filled in, beside the other fields. */
const composeNode = (step: number) =>
	node(
		`Compose ${step}`,
		'n8n-nodes-base.set',
		{
			mode: 'manual',
			includeOtherFields: true,
			assignments: {
				assignments: [
					assignment(
						'message',
						`=${TEXTS[step - 1].replace('{{name}}', "{{ $('Webhook').item.json.body.name }}")}`,
					),
				],
			},
			options: {},
		},
		{ typeVersion: 3.4 },
	);

/** Stands in for a channel node: replaces the item with what a send node would return. */
const sendNode = (step: number) =>
	node(
		`Send ${step}`,
		'n8n-nodes-base.set',
		{
			mode: 'manual',
			includeOtherFields: false,
			assignments: {
				assignments: [
					assignment('messageId', `={{ "msg-" + $execution.id + "-${step}" }}`),
					assignment('to', "={{ $('Webhook').item.json.body.contact }}"),
					assignment('body', '={{ $json.message }}'),
				],
			},
			options: {},
		},
		{ typeVersion: 3.4 },
	);

/** A day's wait: n8n saves the execution as waiting and its wait tracker resumes it. */
const waitNode = (step: number) =>
	node(
		`Wait ${step}`,
		'n8n-nodes-base.wait',
		{ resume: 'timeInterval', amount: 1, unit: 'days' },
		{ typeVersion: 1.1, webhookId: randomUUID() },
	);

/**
 * The way people build a cadence in n8n today: one execution per contact, started by a webhook
 * that answers at once, sending, then waiting a day between sends with Wait nodes.
 */
export function waitNodeWorkflow(path: string): WorkflowJson {
	const start = webhook(path);
	start.parameters.responseMode = 'onReceived';
	delete start.parameters.responseData;
	return workflow(
		'Cadence with Wait nodes',
		[
			start,
			composeNode(1),
			sendNode(1),
			waitNode(1),
			composeNode(2),
			sendNode(2),
			waitNode(2),
			composeNode(3),
			sendNode(3),
		],
		[
			['Webhook', 'Compose 1'],
			['Compose 1', 'Send 1'],
			['Send 1', 'Wait 1'],
			['Wait 1', 'Compose 2'],
			['Compose 2', 'Send 2'],
			['Send 2', 'Wait 2'],
			['Wait 2', 'Compose 3'],
			['Compose 3', 'Send 3'],
		],
	);
}
