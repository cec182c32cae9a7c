import { randomUUID } from 'node:crypto';
import { StoreProbe } from './support/cadence-store';
import { itemsAt, type ExecutionSummary } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { execution, StepRunReader, waitForStatus } from './support/step-run-details';
import {
	cadenceType,
	enrollByHandWorkflow,
	node,
	noOp,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * Await Approval in a real n8n: Compose Follow-up (AI assisted, no model connected, so the draft
 * is the step's own text marked degraded; "Ask the Reviewer Anyway") leaves by Needs Approval; a Set node puts the
 * execution's resume URL on the item, as the node that notifies a reviewer would; Await Approval
 * waits. The test is the reviewer: it opens the link (the form with the draft), then approves,
 * edits or discards, one contact each, and the workflow goes on by the matching output.
 */
const CADENCE = 'E2E approval';
const STATIC = 'Hi {{firstName|there}}, a quick reminder about your open invoice.';
const CONTACTS = [
	{ contact: 'ann@example.com', name: 'Ann' },
	{ contact: 'ben@example.com', name: 'Ben' },
	{ contact: 'cat@example.com', name: 'Cat' },
];
const draftFor = (name: string) => `Hi ${name}, a quick reminder about your open invoice.`;

let n8n: N8nInstance;
let store: StoreProbe;
let runs: StepRunReader;
const ids: Record<string, string> = {};
/** Per contact: the waiting execution and the link the reviewer got. */
const waiting = new Map<string, { executionId: string; url: string }>();

function approvalWorkflow(): WorkflowJson {
	return workflow(
		`Cadence: ${CADENCE}`,
		[
			node('Follow-up Trigger', cadenceType('followUpTrigger'), {
				cadenceName: CADENCE,
				steps: {
					step: [
						{
							name: 'Reminder',
							waitAmount: 1,
							waitUnit: 'days',
							composeMode: 'aiAssisted',
							instruction: 'Remind them kindly about the open invoice',
							staticText: STATIC,
						},
					],
				},
				replyAction: 'exit',
				sendingWindow: {},
				options: { checkInterval: 5 },
			}),
			node('Compose Follow-up', cadenceType('composeFollowUp'), {
				mode: 'fromStep',
				// With no model the default sends the Message Text; this flow asks the reviewer.
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
				{ draft: '', timeLimit: 1, timeLimitUnit: 'hours', onTimeout: 'escalate', options: {} },
				{ webhookId: randomUUID() },
			),
			noOp('Approved branch'),
			noOp('Discarded branch'),
			noOp('Timed out branch'),
		],
		[
			['Follow-up Trigger', 'Compose Follow-up'],
			['Compose Follow-up', 'Sent without review', 0],
			['Compose Follow-up', 'Notify reviewer', 1],
			['Notify reviewer', 'Await Approval'],
			['Await Approval', 'Approved branch', 0],
			['Await Approval', 'Discarded branch', 1],
			['Await Approval', 'Timed out branch', 2],
		],
	);
}

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'approval' });
	ids.cadence = (await n8n.createWorkflow(approvalWorkflow())).id;
	await n8n.activate(ids.cadence);
	ids.enroll = (await n8n.createWorkflow(enrollByHandWorkflow(CADENCE, CONTACTS))).id;
	store = StoreProbe.sqlite(n8n.storePath);
	runs = StepRunReader.sqlite(n8n.storePath);
});

afterAll(async () => {
	if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
	await store?.close();
	await runs?.close();
	await n8n?.stop();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

const form = (fields: Record<string, string>) => ({
	method: 'POST',
	headers: { 'content-type': 'application/x-www-form-urlencoded' },
	body: new URLSearchParams(fields).toString(),
});

/** Which of the three branch nodes ran in an execution, and the item that reached it. */
function branchOf(e: ExecutionSummary) {
	const ran = ['Approved branch', 'Discarded branch', 'Timed out branch'].filter(
		(name) => itemsAt([e], name).length > 0,
	);
	return { ran, item: ran.length === 1 ? itemsAt([e], ran[0])[0] : undefined };
}

test(
	'each due step waits at Await Approval with its own resume link, the degraded draft on the form',
	withLogs(async () => {
		const enrolled = await n8n.executeCli(ids.enroll);
		expect(enrolled.resultData.error).toBeUndefined();
		// One contact at a time, so each gets its own execution (and its own link).
		for (const [i, { contact }] of CONTACTS.entries()) {
			expect(await store.makeDue(CADENCE, [contact])).toBe(1);
			await waitForStatus(n8n, ids.cadence, 'waiting', i + 1);
		}
		const list = await waitForStatus(n8n, ids.cadence, 'waiting', 3);
		expect(list).toHaveLength(3);
		for (const summary of list) {
			const e = await execution(n8n, summary.id);
			expect(e.data?.resultData.lastNodeExecuted).toBe('Await Approval');
			const [captured] = itemsAt([e], 'Notify reviewer');
			expect(captured.message).toEqual(
				// No model: the step's own text, marked degraded, still goes for approval.
				expect.objectContaining({ requestedMode: 'aiAssisted', mode: 'static', degraded: true }),
			);
			expect(itemsAt([e], 'Sent without review')).toEqual([]);
			const url = String(captured.reviewUrl);
			expect(url).toMatch(new RegExp(`/webhook-waiting/${summary.id}\\?`));
			waiting.set(captured.contact.key, { executionId: String(summary.id), url });
		}
		expect([...waiting.keys()].sort()).toEqual(CONTACTS.map((c) => c.contact));

		for (const { contact, name } of CONTACTS) {
			const res = await fetch(waiting.get(contact)!.url);
			const html = await res.text();
			expect(res.status).toBe(200);
			expect(html).toContain('<form method="post">');
			expect(html).toContain(draftFor(name));
			expect(html).toContain('value="approve"');
			expect(html).toContain('value="discard"');
		}
		// Opening the page decides nothing.
		for (const run of await runs.list(CADENCE)) {
			expect([run.status, run.approval, run.text]).toEqual([
				'pending',
				'awaiting',
				draftFor(CONTACTS.find((c) => c.contact === run.contact_key)!.name),
			]);
		}
	}),
);

test(
	'a tampered link gets 401 and changes nothing',
	withLogs(async () => {
		const { url, executionId } = waiting.get('ann@example.com')!;
		const parsed = new URL(url);
		const [param, token] = [...parsed.searchParams.entries()][0];
		const last = token.slice(-1);
		parsed.searchParams.set(param, token.slice(0, -1) + (last === 'a' ? 'b' : 'a'));
		const get = await fetch(parsed);
		expect(get.status).toBe(401);
		const post = await fetch(parsed, form({ action: 'approve', by: 'Mallory' }));
		expect(post.status).toBe(401);
		// Without any token, too.
		parsed.search = '';
		expect((await fetch(parsed, form({ action: 'approve', by: 'Mallory' }))).status).toBe(401);
		expect((await execution(n8n, executionId)).status).toBe('waiting');
		const ann = await runs.forContact(CADENCE, 'ann@example.com');
		expect([ann.approval, ann.decided_by]).toEqual(['awaiting', null]);
	}),
);

test(
	'approve, edit and discard each go on by the matching output and are recorded',
	withLogs(async () => {
		const edited = 'Hi Ben, your invoice 42 is still open: here is the link to pay it.';
		const decisions: Array<[string, Record<string, string>]> = [
			['ann@example.com', { action: 'approve', by: 'Rita' }],
			['ben@example.com', { action: 'approve', text_0: edited, by: 'Eddie' }],
			['cat@example.com', { action: 'discard', by: 'Dora' }],
		];
		for (const [contact, fields] of decisions) {
			const res = await fetch(waiting.get(contact)!.url, form(fields));
			expect([contact, res.status]).toEqual([contact, 200]);
		}
		const done = await waitForStatus(n8n, ids.cadence, 'success', 3);
		const byContact = new Map(
			done.map((e) => [itemsAt([e], 'Notify reviewer')[0].contact.key as string, e]),
		);

		const ann = branchOf(byContact.get('ann@example.com')!);
		expect(ann.ran).toEqual(['Approved branch']);
		expect(ann.item).toEqual(
			expect.objectContaining({
				text: draftFor('Ann'),
				approval: expect.objectContaining({ decision: 'approved', by: 'Rita', recorded: true }),
			}),
		);
		const ben = branchOf(byContact.get('ben@example.com')!);
		expect(ben.ran).toEqual(['Approved branch']);
		expect(ben.item).toEqual(
			expect.objectContaining({
				text: edited,
				approval: expect.objectContaining({
					decision: 'edited',
					by: 'Eddie',
					edited: true,
					draft: draftFor('Ben'),
					recorded: true,
				}),
			}),
		);
		const cat = branchOf(byContact.get('cat@example.com')!);
		expect(cat.ran).toEqual(['Discarded branch']);
		expect(cat.item).toEqual(
			expect.objectContaining({
				approval: expect.objectContaining({ decision: 'discarded', by: 'Dora', recorded: true }),
			}),
		);
		expect(cat.item?.text).toBeUndefined();

		const recorded = await runs.list(CADENCE);
		expect(recorded.map((r) => [r.contact_key, r.approval, r.decided_by, r.text])).toEqual([
			['ann@example.com', 'approved', 'Rita', draftFor('Ann')],
			['ben@example.com', 'edited', 'Eddie', edited],
			['cat@example.com', 'discarded', 'Dora', expect.any(String)],
		]);
		for (const r of recorded) expect([r.contact_key, r.degraded]).toEqual([r.contact_key, 1]);
		expect(await n8n.executions(ids.cadence, { status: 'error' })).toEqual([]);
	}),
);

test(
	'a link used once does nothing the second time',
	withLogs(async () => {
		const before = await runs.list(CADENCE);
		const executionsBefore = await n8n.executions(ids.cadence);
		for (const [contact, fields] of [
			['ann@example.com', { action: 'discard', by: 'Late' }],
			['cat@example.com', { action: 'approve', by: 'Late' }],
		] as const) {
			const res = await fetch(waiting.get(contact)!.url, form(fields));
			expect([contact, res.ok]).toEqual([contact, false]);
			expect([contact, res.status]).toEqual([contact, 409]);
		}
		expect(await runs.list(CADENCE)).toEqual(before);
		const executionsAfter = await n8n.executions(ids.cadence);
		expect(executionsAfter.map((e) => [e.id, e.status])).toEqual(
			executionsBefore.map((e) => [e.id, e.status]),
		);
	}),
);
