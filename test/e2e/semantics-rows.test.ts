import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import {
	cadenceType,
	cadenceWorkflow,
	enrollByWebhookWorkflow,
	enrollInCadence,
	noOp,
	node,
	recordReply,
	replyWorkflow,
	splitContacts,
	webhook,
	workflow,
	type CadenceOptions,
	type WorkflowJson,
	type WorkflowNode,
} from './support/workflows';

/**
 * Rows of issue 11 that were only unit- or store-tested, each once in a real n8n (regular mode,
 * the embedded SQLite store), one n8n for the file:
 * - a "stop" reply opts the contact out (Record Reply, AI classify without a model: keywords),
 *   and enrolling them again is refused as suppressed;
 * - Cadence → Goal Reached and → Resolved, each from a webhook-triggered workflow, end the
 *   enrollment;
 * - a cadence reading its quiet hours in the recipient's zone defers a step due inside them,
 *   with the reason naming the contact's zone;
 * - Max Follow-Ups per Contact per Day holds the second step until the first send ages out;
 * - Cadence → Skip Step and → Cancel act on an enrollment;
 * - the trigger's Events output passes on replied, exited and completed events;
 * - a manual run of the Follow-up Trigger (the editor's Test step) previews the message for the
 *   sandbox contact, variables filled in, writing nothing.
 */
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const pad = (n: number) => String(n).padStart(2, '0');

const ROWS: CadenceOptions = {
	name: 'E2E rows',
	replyAction: 'exit',
	steps: [{ wait: 1, text: 'Hi {{firstName}}, one follow-up' }],
};
const MANAGED: CadenceOptions = {
	name: 'E2E managed',
	steps: [
		{ wait: 1, text: 'Managed step 1' },
		{ wait: 1, text: 'Managed step 2' },
	],
};
const DAILY: CadenceOptions = {
	name: 'E2E daily limit',
	steps: [
		{ wait: 1, unit: 'hours', text: 'Daily step 1' },
		{ wait: 1, unit: 'hours', text: 'Daily step 2' },
	],
};

/**
 * Quiet hours from an hour ago until two hours from now on Tokyo's clock (UTC+9, no daylight
 * saving): now is quiet for a contact there, while the same hours read in UTC are nine hours
 * away, so a cadence that ignored the contact's zone would send at once.
 */
const ZONE = 'Asia/Tokyo';
const loadedAt = Date.now();
const tokyoHour = (new Date(loadedAt).getUTCHours() + 9) % 24;
const QUIET_END = Math.floor(loadedAt / HOUR) * HOUR + 2 * HOUR;
const QUIET = { from: `${pad((tokyoHour + 23) % 24)}:00`, to: `${pad((tokyoHour + 2) % 24)}:00` };
const QUIET_CADENCE: CadenceOptions = {
	name: 'E2E recipient quiet hours',
	steps: [{ wait: 1, unit: 'hours', text: 'Not at night' }],
	sendingWindow: { timeZone: 'UTC', useRecipientTimeZone: true, quietHours: { window: QUIET } },
};

let n8n: N8nInstance;
let store: StoreProbe;
const ids: Record<string, string> = {};

function trigger(wf: WorkflowJson): WorkflowNode {
	return wf.nodes.find((n) => n.name === 'Follow-up Trigger')!;
}

function withOptions(wf: WorkflowJson, options: Record<string, unknown>): WorkflowJson {
	const t = trigger(wf);
	t.parameters = {
		...t.parameters,
		options: { ...(t.parameters.options as Record<string, unknown>), ...options },
	};
	return wf;
}

/** The rows cadence with its Events output wired to a no-op, and a sandbox contact. */
function rowsWorkflow(): WorkflowJson {
	const wf = withOptions(cadenceWorkflow(ROWS), {
		emitEvents: ['replied', 'exited', 'completed'],
		sandboxContactName: 'Maria',
		sandboxVariables: { variable: [{ name: 'firstName', value: 'Maria' }] },
	});
	wf.nodes.push(noOp('Events'));
	wf.connections['Follow-up Trigger'].main[1] = [{ node: 'Events', type: 'main', index: 0 }];
	return wf;
}

const cadenceNode = (name: string, parameters: Record<string, unknown>) =>
	node(name, cadenceType('cadence'), { ...parameters, options: {} });

/** POST /webhook/<path> {contact, enrollmentId} → one Cadence node, answering with its item. */
function actionWorkflow(path: string, action: WorkflowNode): WorkflowJson {
	return workflow(`Webhook: ${action.name}`, [webhook(path), action], [['Webhook', action.name]]);
}

async function activate(key: string, wf: WorkflowJson): Promise<void> {
	ids[key] = (await n8n.createWorkflow(wf)).id;
	await n8n.activate(ids[key]);
}

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'semantics-rows' });
	// Cadences first: activating a Follow-up Trigger publishes its cadence, which enrolling needs.
	await activate('rows', rowsWorkflow());
	await activate('managed', cadenceWorkflow(MANAGED));
	await activate('daily', withOptions(cadenceWorkflow(DAILY), { perContactPerDay: 1 }));
	await activate('quiet', cadenceWorkflow(QUIET_CADENCE));

	await activate('enroll', enrollByWebhookWorkflow('rows-enroll'));
	const tokyo = enrollInCadence(QUIET_CADENCE.name);
	tokyo.parameters = { ...tokyo.parameters, options: { timeZone: ZONE } };
	await activate(
		'enrollTokyo',
		workflow(
			'Enroll in Tokyo',
			[webhook('rows-enroll-tokyo'), splitContacts(), tokyo],
			[
				['Webhook', 'Contacts'],
				['Contacts', 'Enroll In Cadence'],
			],
		),
	);
	await activate('replies', replyWorkflow('rows-reply'));
	const classify = recordReply();
	classify.parameters = { ...classify.parameters, action: 'classify' };
	await activate(
		'classify',
		workflow(
			'Inbound, classified',
			[webhook('rows-classify'), classify],
			[['Webhook', 'Record Reply']],
		),
	);
	const byContact = { contactKey: '={{ $json.body.contact }}' };
	const byEnrollment = { enrollmentId: '={{ $json.body.enrollmentId }}' };
	await activate(
		'goal',
		actionWorkflow(
			'rows-goal',
			cadenceNode('Goal Reached', { resource: 'signal', operation: 'goalReached', ...byContact }),
		),
	);
	await activate(
		'resolved',
		actionWorkflow(
			'rows-resolved',
			cadenceNode('Resolved', { resource: 'signal', operation: 'resolved', ...byContact }),
		),
	);
	await activate(
		'skip',
		actionWorkflow(
			'rows-skip',
			cadenceNode('Skip Step', { resource: 'enrollment', operation: 'skipStep', ...byEnrollment }),
		),
	);
	await activate(
		'cancel',
		actionWorkflow(
			'rows-cancel',
			cadenceNode('Cancel', { resource: 'enrollment', operation: 'cancel', ...byEnrollment }),
		),
	);
	store = StoreProbe.sqlite(n8n.storePath);
});

afterAll(async () => {
	await store?.close();
	await n8n?.stop();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

type Json = Record<string, unknown>;

async function enroll(cadence: string, ...contacts: string[]): Promise<Json[]> {
	return n8n.webhook<Json[]>('rows-enroll', {
		contacts: contacts.map((contact) => ({ contact, name: contact.split('@')[0], cadence })),
	});
}

/** Waits until an item reached `nodeName` in some execution of the workflow and matches. */
async function itemAt(workflowId: string, nodeName: string, match: (item: Json) => boolean) {
	return waitFor(
		`an item at "${nodeName}"`,
		async () => {
			const executions = await n8n.executions(workflowId, { includeData: true });
			return itemsAt(executions, nodeName).find(match);
		},
		{ timeoutMs: 60_000, intervalMs: 1000 },
	);
}

async function expectNoFailedExecutions(...workflowIds: string[]) {
	for (const id of workflowIds) {
		const failed = await n8n.executions(id, { status: 'error', includeData: true });
		expect(failed.map((e) => e.data?.resultData.error?.message ?? e.id)).toEqual([]);
	}
}

test(
	'a "stop" reply opts the contact out everywhere, and enrolling them again is refused',
	withLogs(async () => {
		expect(await enroll(ROWS.name, 'opt@example.com')).toEqual([
			expect.objectContaining({ outcome: 'enrolled' }),
		]);
		const answer = await n8n.webhook<Json[]>('rows-classify', {
			contact: 'opt@example.com',
			text: 'STOP',
		});
		expect(answer).toEqual([
			expect.objectContaining({ cadence: ROWS.name, action: 'optOut', state: 'exited' }),
		]);
		const opt = await store.enrollment(ROWS.name, 'opt@example.com');
		expect([opt.state, opt.exit_reason, opt.next_due_at]).toEqual(['exited', 'optedOut', null]);
		// Suppressed for every cadence, not only the one running.
		expect(await enroll(MANAGED.name, 'opt@example.com')).toEqual([
			expect.objectContaining({ outcome: 'suppressed' }),
		]);
		await expectNoFailedExecutions(ids.classify, ids.enroll);
	}),
);

test(
	'Cadence → Goal Reached and → Resolved from webhook-triggered workflows end the enrollment',
	withLogs(async () => {
		await enroll(ROWS.name, 'goal@example.com', 'res@example.com');
		const goal = await n8n.webhook<Json[]>('rows-goal', { contact: 'goal@example.com' });
		expect(goal).toEqual([expect.objectContaining({ signal: 'goalReached', exited: 1 })]);
		const resolved = await n8n.webhook<Json[]>('rows-resolved', { contact: 'res@example.com' });
		expect(resolved).toEqual([expect.objectContaining({ signal: 'resolved', exited: 1 })]);
		const ended = (await store.enrollments(ROWS.name)).filter((e) =>
			['goal@example.com', 'res@example.com'].includes(e.contact_key),
		);
		expect(ended.map((e) => [e.contact_key, e.state, e.exit_reason, e.next_due_at])).toEqual([
			['goal@example.com', 'exited', 'goal', null],
			['res@example.com', 'exited', 'resolved', null],
		]);
		await expectNoFailedExecutions(ids.goal, ids.resolved);
	}),
);

test(
	'Cadence → Skip Step moves on to the next step with a skipped run; → Cancel ends the enrollment',
	withLogs(async () => {
		await enroll(MANAGED.name, 'skip@example.com', 'cancel@example.com');
		const skip = await store.enrollment(MANAGED.name, 'skip@example.com');
		const cancel = await store.enrollment(MANAGED.name, 'cancel@example.com');
		const skipped = await n8n.webhook<Json[]>('rows-skip', { enrollmentId: skip.id });
		expect(skipped).toEqual([
			expect.objectContaining({ enrollmentId: skip.id, state: 'active', nextStep: 2 }),
		]);
		const after = await store.enrollment(MANAGED.name, 'skip@example.com');
		expect(after.next_step).toBe(1);
		// The next step's wait counts from the skip.
		expect(Math.abs(after.next_due_at! - (Date.now() + DAY))).toBeLessThan(60_000);
		expect(
			(await store.stepRuns(MANAGED.name)).map((r) => [r.contact_key, r.step_index, r.status]),
		).toEqual([['skip@example.com', 0, 'skipped']]);

		const cancelled = await n8n.webhook<Json[]>('rows-cancel', { enrollmentId: cancel.id });
		expect(cancelled).toEqual([
			expect.objectContaining({
				enrollmentId: cancel.id,
				state: 'exited',
				exitReason: 'cancelled',
			}),
		]);
		const gone = await store.enrollment(MANAGED.name, 'cancel@example.com');
		expect([gone.state, gone.next_due_at]).toEqual(['exited', null]);
		await expectNoFailedExecutions(ids.skip, ids.cancel);
	}),
);

test(
	'quiet hours read in the recipient’s zone defer a step due inside them, naming the zone',
	withLogs(async () => {
		const enrolled = await n8n.webhook<Json[]>('rows-enroll-tokyo', {
			contacts: [{ contact: 'kenji@example.com', name: 'Kenji' }],
		});
		expect(enrolled).toEqual([expect.objectContaining({ outcome: 'enrolled' })]);
		// An hour from now is still quiet in Tokyo: step 1 already waits for the end.
		expect((await store.enrollment(QUIET_CADENCE.name, 'kenji@example.com')).next_due_at).toBe(
			QUIET_END,
		);

		await store.makeDue(QUIET_CADENCE.name);
		const deferred = await itemAt(ids.quiet, 'Deferred', () => true);
		expect(deferred).toMatchObject({ deferredUntil: new Date(QUIET_END).toISOString() });
		const reason = `deferred: quiet hours ${QUIET.from}–${QUIET.to} in ${ZONE}`;
		expect(String(deferred.reason)).toContain(reason);
		const kenji = await store.enrollment(QUIET_CADENCE.name, 'kenji@example.com');
		expect(kenji.next_due_at).toBe(QUIET_END);
		expect(kenji.next_reason).toContain(reason);
		expect(await store.stepRuns(QUIET_CADENCE.name)).toEqual([
			expect.objectContaining({ status: 'scheduled', sent_at: null }),
		]);
		await expectNoFailedExecutions(ids.quiet);
	}),
);

test(
	'one follow-up per contact per day: the second step waits until the first send is a day old',
	withLogs(async () => {
		await enroll(DAILY.name, 'day@example.com');
		await store.makeDue(DAILY.name);
		const [first] = await waitFor(
			'step 1 to be sent',
			async () => {
				const runs = await store.stepRuns(DAILY.name);
				return runs.some((r) => r.sent_at !== null) ? runs : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		await store.makeDue(DAILY.name);
		const held = await itemAt(ids.daily, 'Exited', (i) => (i.exit as Json)?.reason === 'limit');
		expect(held.exit).toMatchObject({ action: 'deferred' });
		const until = Date.parse(String((held.exit as Json).deferredUntil));
		expect(until).toBeGreaterThanOrEqual(first.sent_at! + DAY);
		expect(until - (first.sent_at! + DAY)).toBeLessThan(60_000);
		const day = await store.enrollment(DAILY.name, 'day@example.com');
		expect([day.state, day.next_step, day.next_due_at]).toEqual(['active', 1, until]);
		expect(day.next_reason).toMatch(/1 of 1 messages per contact per day/);
		expect(
			(await store.stepRuns(DAILY.name)).filter((r) => r.sent_at !== null).map((r) => r.step_index),
		).toEqual([0]);
		await expectNoFailedExecutions(ids.daily);
	}),
);

test(
	'the trigger’s Events output passes on replied, exited and completed events',
	withLogs(async () => {
		await enroll(ROWS.name, 'done@example.com', 'rep@example.com');
		// A reply before any follow-up: replied, then stopped by the cadence's policy.
		const reply = await n8n.webhook<Json[]>('rows-reply', {
			contact: 'rep@example.com',
			text: 'Thanks, got it',
		});
		expect(reply).toEqual([expect.objectContaining({ action: 'exit', state: 'exited' })]);
		// The one step goes out: the enrollment completes.
		await store.makeDue(ROWS.name, ['done@example.com']);

		const expected = [
			['exited', 'opt@example.com'],
			['exited', 'goal@example.com'],
			['exited', 'res@example.com'],
			['completed', 'done@example.com'],
			['replied', 'rep@example.com'],
			['exited', 'rep@example.com'],
		];
		const seen = await waitFor(
			'every event at "Events"',
			async () => {
				const executions = await n8n.executions(ids.rows, { includeData: true });
				const events = itemsAt(executions, 'Events').map((e) => [e.event, e.contact?.key]);
				const all = expected.every(([type, key]) =>
					events.some(([t, k]) => t === type && k === key),
				);
				return all ? itemsAt(executions, 'Events') : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
		const goal = seen.find((e) => e.event === 'exited' && e.contact.key === 'goal@example.com')!;
		expect(goal).toMatchObject({ cadence: ROWS.name, state: 'exited', exitReason: 'goal' });
		expect(String(goal.summary)).toContain(`"${ROWS.name}" stopped for`);
		// Events never go down the Due Steps branch.
		const executions = await n8n.executions(ids.rows, { includeData: true });
		expect(itemsAt(executions, 'Exit Check').filter((i) => i.event !== undefined)).toEqual([]);
		await expectNoFailedExecutions(ids.rows, ids.replies);
	}),
);

test(
	'a manual run of the Follow-up Trigger previews the message for the sandbox contact',
	withLogs(async () => {
		const before = await store.enrollments(ROWS.name);
		// What the editor's Test step on the trigger sends (the workflow is read from n8n's database).
		await n8n.rest('POST', `/rest/workflows/${ids.rows}/run`, {
			triggerToStartFrom: { name: 'Follow-up Trigger' },
			destinationNode: { nodeName: 'Follow-up Trigger', mode: 'inclusive' },
		});
		const preview = await itemAt(ids.rows, 'Follow-up Trigger', (i) => i.preview === true);
		expect(preview).toMatchObject({
			preview: true,
			previewMessage: 'Hi Maria, one follow-up',
		});
		// Nothing was enrolled or written for the sandbox contact.
		expect(await store.enrollments(ROWS.name)).toEqual(before);
	}),
);
