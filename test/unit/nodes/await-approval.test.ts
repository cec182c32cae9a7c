import type { IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { stepItemJson } from '../../../nodes/shared/step-item';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { DAY, HOUR } from '../../support/virtual-clock';
import {
	RESUME_URL,
	node,
	openLink,
	press,
	startApproval,
	type Waiting,
} from './await-approval.harness';

/** An AI-assisted cadence: the draft waits for a person. */
const assisted: CadenceDefinitionInput = {
	name: 'Assisted',
	steps: [1, 2].map((n) => ({
		wait: { amount: 1, unit: 'days' as const },
		instruction: `Follow up ${n}`,
		staticText: `Static ${n}`,
		composeMode: 'aiAssisted' as const,
	})),
};

let t: NodeTestStore;
beforeEach(async () => {
	t = await nodeTestStore();
	await t.store.publishCadence(assisted);
});
afterEach(async () => t.dispose());

const DRAFT = 'Hi Ana, still keen on the <demo> & a "call"?';

/** A claimed step with Compose Follow-up's draft, as the item Compose emits. */
async function followUpItem(contactKey = 'c1', contactName = 'Ana'): Promise<IDataObject> {
	await t.store.enroll([
		{ cadence: 'Assisted', contactKey, contactName, startAt: Date.now() - 2 * DAY },
	]);
	await t.store.recordOutbound({ contactKey, text: 'Welcome aboard!' });
	const claimed = (await t.store.claimDue({ cadence: 'Assisted' })).find(
		(c) => c.enrollment.contactKey === contactKey,
	)!;
	await t.store.recordDraft({ stepRunId: claimed.stepRun.id, text: DRAFT, awaitingApproval: true });
	const history = await t.store.getConversation({ contactKey });
	return { ...stepItemJson(claimed, history), text: DRAFT };
}

/** Compose → Slack → Await Approval: the input is Slack's answer, paired with the follow-up. */
async function waitFor(items: IDataObject[], parameters: IDataObject = {}): Promise<Waiting> {
	return startApproval({
		items: items.map((_, i) => ({ json: { ok: true, ts: `17000${i}` }, pairedItem: { item: i } })),
		upstream: { 'Compose Follow-up': items },
		parents: ['Send to Slack', 'Compose Follow-up', 'Follow-up Trigger'],
		credentials: t.credentials,
		parameters: {
			draft: '',
			timeLimit: 4,
			timeLimitUnit: 'hours',
			onTimeout: 'escalate',
			options: {},
			...parameters,
		},
	});
}

const link = (waiting: Waiting, call: Parameters<typeof openLink>[1]) =>
	openLink(waiting, { credentials: t.credentials, ...call });
const runOf = (item: IDataObject) => t.store.getStepRun({ stepRunId: item.stepRunId as number });
const timelineOf = async (item: IDataObject) =>
	(await t.store.getTimeline(item.enrollmentId as number)).map((e) => [e.type, e.detail]);

describe('Await Approval', () => {
	describe('the node', () => {
		it('answers GET and POST on the execution’s resume URL, whose token n8n checks', () => {
			const { webhooks, outputNames, inputs, usableAsTool } = node.description;
			expect(webhooks).toEqual([
				expect.objectContaining({ httpMethod: 'GET', path: '', restartWebhook: true }),
				expect.objectContaining({ httpMethod: 'POST', path: '', restartWebhook: true }),
			]);
			// No "sendAndWait" operation: n8n then validates $execution.resumeUrl's token (a
			// tampered or missing one gets 401 before this node runs), not a node-signed URL.
			expect(node.description.properties.some((p) => p.name === 'operation')).toBe(false);
			expect(outputNames).toEqual(['Approved', 'Discarded', 'Timed Out']);
			expect(inputs).toEqual(['main']);
			expect(usableAsTool).toBeUndefined();
		});
	});

	describe('waiting', () => {
		it('finds the follow-up behind the notify node, waits until the time limit and emits nothing yet', async () => {
			const item = await followUpItem();
			const before = Date.now();
			const waiting = await waitFor([item]);
			expect(waiting.outputs).toEqual([[], [], []]);
			expect(waiting.waitTill!.getTime()).toBeGreaterThanOrEqual(before + 4 * HOUR);
			expect(waiting.waitTill!.getTime()).toBeLessThanOrEqual(Date.now() + 4 * HOUR);
			expect(waiting.metadata).toEqual({ resumeUrl: RESUME_URL });
			const [request] = (waiting.contextData.cadenceApproval as { requests: IDataObject[] })
				.requests;
			expect(request).toMatchObject({
				index: 0,
				draft: DRAFT,
				staticText: 'Static 1',
				step: {
					stepRunId: item.stepRunId,
					cadence: 'Assisted',
					step: 1,
					stepCount: 2,
					preview: false,
				},
				contact: { name: 'Ana', key: 'c1' },
			});
		});

		it('marks a draft that was not awaiting approval yet, keeping the model’s figures', async () => {
			const item = await followUpItem();
			await t.store.recordDraft({
				stepRunId: item.stepRunId as number,
				text: 'first version',
				model: 'gpt-x',
				promptTokens: 10,
				completionTokens: 5,
			});
			await waitFor([item]);
			expect(await runOf(item)).toMatchObject({
				approval: 'awaiting',
				text: DRAFT,
				model: 'gpt-x',
				promptTokens: 10,
				completionTokens: 5,
			});
		});

		it('reviews the Draft to Review parameter when it is given', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item], { draft: 'Shorter text' });
			const { response } = await link(waiting, { method: 'GET' });
			expect(response.body).toContain('>Shorter text</textarea>');
			expect((await runOf(item)).text).toBe('Shorter text');
		});
	});

	describe('the signed form (GET)', () => {
		it('shows the contact, the conversation and the draft in an editable box, escaped', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item], {
				options: { note: 'Check the <price>', title: 'Approve?' },
			});
			await t.store.recordInbound({
				contactKey: 'c1',
				text: '<script>alert(1)</script> hi',
				action: 'ignore',
			});
			const { result, response } = await link(waiting, {
				method: 'GET',
				query: { reviewer: 'Bo"b' },
			});
			expect(result).toEqual({ noWebhookResponse: true });
			expect(response.status).toBe(200);
			expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
			expect(response.headers['content-security-policy']).toMatch(/^sandbox allow-forms;/);
			const html = response.body;
			expect(html).toContain('<title>Approve?</title>');
			expect(html).toContain('Check the &lt;price&gt;');
			expect(html).toContain('<h2>Ana <small>(c1)</small></h2>');
			expect(html).toContain('Cadence “Assisted”, step 1 of 2');
			expect(html).toContain('Welcome aboard!');
			// A reply that arrived during the wait is shown, escaped.
			expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; hi');
			expect(html).not.toContain('<script>');
			expect(html).toContain(
				'<textarea id="text_0" name="text_0" rows="7">Hi Ana, still keen on the &lt;demo&gt; &amp; a &quot;call&quot;?</textarea>',
			);
			expect(html).toContain('value="Bo&quot;b"');
			expect(html).toContain('<form method="post">');
			expect(html).toContain('name="action" value="approve"');
			expect(html).toContain('name="action" value="discard"');
		});

		it('never decides anything, however often it is opened', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item]);
			const before = await timelineOf(item);
			for (let i = 0; i < 3; i++) await link(waiting, { method: 'GET' });
			expect(await timelineOf(item)).toEqual(before);
			expect((await runOf(item)).approval).toBe('awaiting');
		});

		it('offers a choice per message when several wait together', async () => {
			const items = [await followUpItem('c1', 'Ana'), await followUpItem('c2', 'Ben')];
			const waiting = await waitFor(items);
			const { response } = await link(waiting, { method: 'GET' });
			expect(response.body).toContain('name="decision_0" value="approve" required');
			expect(response.body).toContain('name="decision_1" value="discard" required');
			expect(response.body).toContain('value="submit">Send my decisions');
		});

		it('says when this execution has nothing waiting', async () => {
			const { response } = await openLink({ contextData: {} } as unknown as Waiting, {
				method: 'GET',
			});
			expect(response.status).toBe(404);
			expect(response.body).toContain('This link is not waiting for a decision');
		});
	});

	describe('each decision (POST)', () => {
		it('approve: sends the draft as it is, records who and when', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item]);
			const { result, response } = await link(
				waiting,
				press('approve', { text_0: `${DRAFT}\r\n`, by: ' Bob ' }),
			);
			expect(response.status).toBe(200);
			expect(response.body).toContain('Your decision is recorded');
			const [approved, discarded, timedOut] = result.workflowData!;
			expect(discarded).toEqual([]);
			expect(timedOut).toEqual([]);
			expect(approved).toEqual([
				{
					json: {
						...item,
						text: DRAFT,
						approval: {
							decision: 'approved',
							by: 'Bob',
							at: expect.any(String),
							draft: DRAFT,
							edited: false,
							recorded: true,
							note: null,
						},
					},
					pairedItem: { item: 0 },
				},
			]);
			expect(await runOf(item)).toMatchObject({
				status: 'scheduled',
				approval: 'approved',
				decidedBy: 'Bob',
				text: DRAFT,
			});
			// Approved goes on to the channel: handed to the send path, so a crash now is reported.
			expect((await runOf(item)).handedAt).toEqual(expect.any(Number));
			expect(await timelineOf(item)).toContainEqual(['approved', { by: 'Bob' }]);
		});

		it('edit then approve: sends the reviewer’s text and records it', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item]);
			const { result } = await link(
				waiting,
				press('approve', { text_0: 'Hi Ana!\r\nQuick call?', by: 'Bob' }),
			);
			const [[approved]] = result.workflowData!;
			expect(approved.json).toMatchObject({
				text: 'Hi Ana!\nQuick call?',
				approval: { decision: 'edited', edited: true, by: 'Bob', draft: DRAFT },
			});
			expect(await runOf(item)).toMatchObject({
				status: 'scheduled',
				approval: 'edited',
				text: 'Hi Ana!\nQuick call?',
			});
			expect(await timelineOf(item)).toContainEqual(['edited', { by: 'Bob' }]);
		});

		it('discard: sends nothing, skips the step and moves the cadence on', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item], { options: { askName: false } });
			const { result } = await link(waiting, press('discard'));
			const [approved, discarded] = result.workflowData!;
			expect(approved).toEqual([]);
			expect(discarded[0].json).toMatchObject({
				approval: { decision: 'discarded', by: null, recorded: true },
			});
			// The draft stays on the item for the record; only Approved items are meant to be sent.
			expect(discarded[0].json.approval).toMatchObject({ draft: DRAFT });
			expect(await runOf(item)).toMatchObject({ status: 'skipped', approval: 'discarded' });
			const enrollment = await t.store.getEnrollment(item.enrollmentId as number);
			expect(enrollment).toMatchObject({ state: 'active', nextStep: 1 });
			expect(await timelineOf(item)).toContainEqual(['discarded', { by: null }]);
		});

		it('says whether the store kept the decision on the step run (a rescheduled step)', async () => {
			const first = await followUpItem();
			// Deferred (outside working hours, say) and claimed again: the run is "scheduled".
			await t.store.deferStep({
				stepRunId: first.stepRunId as number,
				until: Date.now() - 1,
				reason: 'hours',
			});
			const [again] = await t.store.claimDue({ cadence: 'Assisted' });
			const item = { ...stepItemJson(again, []), text: DRAFT };
			const waiting = await waitFor([item]);
			const { result } = await link(waiting, press('approve', { text_0: 'Edited', by: 'Bob' }));
			const { approval } = result.workflowData![0][0].json as { approval: IDataObject };
			const run = await runOf(item);
			expect(approval.recorded).toBe(run.approval === 'edited');
			if (!approval.recorded) expect(approval.note).toMatch(/did not keep it on the step run/);
			expect(await timelineOf(item)).toContainEqual(['edited', { by: 'Bob' }]);
		});

		it('decides several messages at once, each its own way', async () => {
			const items = [await followUpItem('c1', 'Ana'), await followUpItem('c2', 'Ben')];
			const waiting = await waitFor(items);
			const { result } = await link(waiting, {
				method: 'POST',
				body: {
					action: 'submit',
					decision_0: 'discard',
					decision_1: 'approve',
					text_1: 'Hello Ben',
					by: 'Bob',
				},
			});
			const [approved, discarded] = result.workflowData!;
			expect(approved.map((o) => [o.pairedItem, o.json.text])).toEqual([
				[{ item: 1 }, 'Hello Ben'],
			]);
			expect(discarded.map((o) => o.pairedItem)).toEqual([{ item: 0 }]);
		});

		it.each([
			['no choice', { action: 'submit' }, 'Choose Approve or Discard for every message.'],
			[
				'an empty message',
				{ action: 'approve', text_0: '  \r\n ' },
				'A message to approve cannot be empty',
			],
		])(
			'sends the form back on %s, writing nothing and not resuming',
			async (_label, body, message) => {
				const item = await followUpItem();
				const waiting = await waitFor([item]);
				const before = await timelineOf(item);
				const { result, response } = await link(waiting, { method: 'POST', body });
				expect(result).toEqual({ noWebhookResponse: true });
				expect(response.status).toBe(400);
				expect(response.body).toContain(message);
				expect(await timelineOf(item)).toEqual(before);
			},
		);

		it('does not send a step the cadence moved on from while waiting (the contact replied)', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item]);
			await t.store.recordInbound({ contactKey: 'c1', text: 'Actually, yes!' });
			const page = await link(waiting, { method: 'GET' });
			expect(page.response.body).toContain(
				'Nothing to send any more: the cadence exited (replied).',
			);
			expect(page.response.body).toContain('value="close">Close this review');
			const { result } = await link(waiting, { method: 'POST', body: { action: 'close' } });
			const [approved, discarded] = result.workflowData!;
			expect(approved).toEqual([]);
			expect(discarded[0].json.approval).toMatchObject({ decision: 'stopped', recorded: false });
		});
	});

	describe('a reused link does nothing', () => {
		it('shows "already decided" and neither writes nor resumes again', async () => {
			const item = await followUpItem();
			const waiting = await waitFor([item]);
			await link(waiting, press('approve', { by: 'Bob' }));
			const after = await timelineOf(item);

			const again = await link(waiting, press('discard', { by: 'Eve' }));
			expect(again.result).toEqual({ noWebhookResponse: true });
			expect(again.response.status).toBe(409);
			expect(again.response.body).toContain('Already decided');
			expect(again.response.body).toContain('Already approved by Bob.');
			expect(await timelineOf(item)).toEqual(after);
			expect(await runOf(item)).toMatchObject({
				approval: 'approved',
				decidedBy: 'Bob',
				status: 'scheduled',
			});

			const view = await link(waiting, { method: 'GET' });
			expect(view.response.status).toBe(200);
			expect(view.response.body).toContain('Already decided');
			expect(view.response.body).not.toContain('<textarea');
		});
	});

	describe('items not from a cadence', () => {
		it('are reviewed the same way and write nothing', async () => {
			const waiting = await startApproval({
				items: [{ json: { orderId: 7, reply: 'We can refund you.' } }],
				parameters: {
					draft: 'We can refund you.',
					timeLimit: 30,
					timeLimitUnit: 'minutes',
					onTimeout: 'escalate',
					options: { contact: 'Order 7' },
				},
			});
			const page = await openLink(waiting, { method: 'GET' });
			expect(page.response.body).toContain('<h2>Order 7</h2>');
			const { result } = await openLink(
				waiting,
				press('approve', { text_0: 'We will refund you today.' }),
			);
			expect(result.workflowData![0][0].json).toEqual({
				orderId: 7,
				reply: 'We can refund you.',
				text: 'We will refund you today.',
				approval: expect.objectContaining({ decision: 'edited', recorded: false }),
			});
		});
	});
});
