import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import {
	cadenceWorkflow,
	enrollByHandWorkflow,
	enrollByWebhookWorkflow,
	replyWorkflow,
	type CadenceOptions,
} from './support/workflows';

/**
 * A whole cadence in a real n8n (regular mode, the embedded SQLite store): contacts are enrolled
 * headless and by webhook, the store's due times are moved to now instead of waiting days, the
 * Follow-up Trigger hands the steps out, Exit Check and Wait Until Working Hours gate them, a
 * stand-in send replaces the item and Cadence → Mark Sent confirms it. Replies go through a
 * webhook to Record Reply.
 */
const DAY = 24 * 3600_000;

const STOPS: CadenceOptions = {
	name: 'E2E stop on reply',
	replyAction: 'exit',
	steps: [
		{ wait: 1, text: 'Hi {{firstName}}, step 1' },
		{ wait: 1, text: 'Step 2 for {{firstName}}' },
		{ wait: 1, text: 'Step 3 for {{firstName}}' },
	],
};
const RESTARTS: CadenceOptions = {
	name: 'E2E restart on reply',
	replyAction: 'restart',
	steps: [
		{ wait: 1, text: 'Restart step 1' },
		{ wait: 1, text: 'Restart step 2' },
	],
};
/** Open half an hour a day, starting three hours from now (UTC): closed whenever the test runs. */
const opensAtHour = (new Date().getUTCHours() + 3) % 24;
const pad = (n: number) => String(n).padStart(2, '0');
const HOURS: CadenceOptions = {
	name: 'E2E working hours',
	steps: [{ wait: 1, unit: 'hours', text: 'Inside working hours only' }],
	sendingWindow: {
		timeZone: 'UTC',
		workingHours: {
			window: [{ days: 'everyDay', from: `${pad(opensAtHour)}:00`, to: `${pad(opensAtHour)}:30` }],
		},
	},
};

let n8n: N8nInstance;
let store: StoreProbe;
const ids: Record<string, string> = {};

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'cadence' });
	// Cadences first: activating a Follow-up Trigger publishes its cadence, which enrolling needs.
	for (const [key, cadence] of [
		['stops', STOPS],
		['restarts', RESTARTS],
		['hours', HOURS],
	] as const) {
		ids[key] = (await n8n.createWorkflow(cadenceWorkflow(cadence))).id;
		await n8n.activate(ids[key]);
	}
	ids.enrollByHand = (
		await n8n.createWorkflow(
			enrollByHandWorkflow(STOPS.name, [
				{ contact: 'ada@example.com', name: 'Ada' },
				{ contact: 'bob@example.com', name: 'Bob' },
				{ contact: 'cy@example.com', name: 'Cy' },
			]),
		)
	).id;
	ids.enrollByWebhook = (await n8n.createWorkflow(enrollByWebhookWorkflow('e2e-enroll'))).id;
	ids.replies = (await n8n.createWorkflow(replyWorkflow('e2e-reply'))).id;
	await n8n.activate(ids.enrollByWebhook);
	await n8n.activate(ids.replies);
	store = StoreProbe.sqlite(n8n.storePath);
});

afterAll(async () => {
	await store?.close();
	await n8n?.stop();
});

/** Wraps a test body so that a failure shows what n8n printed. */
const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

async function expectNoFailedExecutions(workflowId: string) {
	const failed = await n8n.executions(workflowId, { status: 'error', includeData: true });
	expect(failed.map((e) => e.data?.resultData.error?.message ?? e.id)).toEqual([]);
}

/** Waits until `count` steps went out (status sent, or later: a reply moves it to replied). */
async function waitForSent(cadence: string, count: number) {
	return waitFor(
		`${count} sent step(s) in "${cadence}"`,
		async () => {
			const runs = await store.stepRuns(cadence);
			return runs.filter((r) => r.sent_at !== null).length >= count ? runs : undefined;
		},
		{ timeoutMs: 60_000, intervalMs: 1000 },
	);
}

test(
	'enrolled contacts get each due step once, marked sent, with the next step scheduled',
	withLogs(async () => {
		const run = await n8n.executeCli(ids.enrollByHand);
		const enrolled = run.resultData.runData['Enroll In Cadence'][0].data!.main[0]!;
		expect(enrolled.map((i) => i.json.outcome)).toEqual(['enrolled', 'enrolled', 'enrolled']);

		const before = await store.enrollments(STOPS.name);
		expect(before.map((e) => [e.contact_key, e.state, e.next_step])).toEqual([
			['ada@example.com', 'active', 0],
			['bob@example.com', 'active', 0],
			['cy@example.com', 'active', 0],
		]);
		// Step 1 waits a day from enrollment.
		for (const e of before)
			expect(Math.abs(e.next_due_at! - (Date.now() + DAY))).toBeLessThan(120_000);

		expect(await store.makeDue(STOPS.name)).toBe(3);
		const runs = await waitForSent(STOPS.name, 3);
		expect(runs.map((r) => [r.contact_key, r.step_index, r.status, r.claims])).toEqual([
			['ada@example.com', 0, 'sent', 1],
			['bob@example.com', 0, 'sent', 1],
			['cy@example.com', 0, 'sent', 1],
		]);

		// Step 2 is scheduled a day after the send.
		const after = await store.enrollments(STOPS.name);
		for (const e of after) {
			expect(e.next_step).toBe(1);
			expect(e.next_due_at! - e.last_sent_at!).toBe(DAY);
		}
		expect(await store.eventTypes(after[0].id)).toEqual(
			expect.arrayContaining(['enrolled', 'claimed', 'sent']),
		);

		const executions = await n8n.waitForExecutions(ids.stops, 1);
		const sentItems = itemsAt(executions, 'Mark Sent');
		expect(sentItems).toHaveLength(3);
		expect(
			itemsAt(executions, 'Send (stand-in)')
				.map((i) => i.body)
				.sort(),
		).toEqual(['Hi {{firstName}}, step 1', 'Hi {{firstName}}, step 1', 'Hi {{firstName}}, step 1']);
		expect(itemsAt(executions, 'Exited')).toEqual([]);
		expect(itemsAt(executions, 'Deferred')).toEqual([]);

		// Two more ticks (every 5 s) hand nothing out again.
		await new Promise((r) => setTimeout(r, 11_000));
		const later = await store.stepRuns(STOPS.name);
		expect(later.map((r) => [r.id, r.claims])).toEqual(runs.map((r) => [r.id, r.claims]));
		expect((await n8n.executions(ids.stops)).length).toBe(executions.length);
		await expectNoFailedExecutions(ids.stops);
	}),
);

test(
	'a reply stops the cadence when it is set to stop',
	withLogs(async () => {
		const answer = await n8n.webhook<Array<Record<string, unknown>>>('e2e-reply', {
			contact: 'ada@example.com',
			text: 'Thanks, all sorted!',
		});
		expect(answer).toEqual([
			expect.objectContaining({ cadence: STOPS.name, action: 'exit', state: 'exited' }),
		]);
		const ada = await store.enrollment(STOPS.name, 'ada@example.com');
		expect([ada.state, ada.exit_reason, ada.next_due_at]).toEqual(['exited', 'replied', null]);

		// The others go on to step 2; Ada gets nothing more.
		expect(await store.makeDue(STOPS.name)).toBe(2);
		const runs = await waitForSent(STOPS.name, 5);
		expect(runs.filter((r) => r.contact_key === 'ada@example.com').map((r) => r.status)).toEqual([
			'replied',
		]);
		expect(runs.filter((r) => r.step_index === 1).map((r) => [r.contact_key, r.claims])).toEqual([
			['bob@example.com', 1],
			['cy@example.com', 1],
		]);
		await expectNoFailedExecutions(ids.stops);
		await expectNoFailedExecutions(ids.replies);
	}),
);

test(
	'a reply restarts the chain when it is set to restart',
	withLogs(async () => {
		const enrolled = await n8n.webhook<Array<Record<string, unknown>>>('e2e-enroll', {
			contacts: [{ contact: 'dee@example.com', name: 'Dee', cadence: RESTARTS.name }],
		});
		expect(enrolled).toEqual([expect.objectContaining({ outcome: 'enrolled' })]);
		await store.makeDue(RESTARTS.name);
		await waitForSent(RESTARTS.name, 1);
		expect((await store.enrollment(RESTARTS.name, 'dee@example.com')).next_step).toBe(1);

		const repliedAt = Date.now();
		const answer = await n8n.webhook<Array<Record<string, unknown>>>('e2e-reply', {
			contact: 'dee@example.com',
			text: 'Not now, maybe later',
		});
		expect(answer).toEqual([
			expect.objectContaining({ cadence: RESTARTS.name, action: 'restart', state: 'active' }),
		]);
		const dee = await store.enrollment(RESTARTS.name, 'dee@example.com');
		expect([dee.state, dee.next_step, dee.cycle]).toEqual(['active', 0, 2]);
		// Step 1 again, its wait counted from the reply.
		expect(Math.abs(dee.next_due_at! - (repliedAt + DAY))).toBeLessThan(60_000);

		await store.makeDue(RESTARTS.name);
		const runs = await waitForSent(RESTARTS.name, 2);
		expect(runs.map((r) => [r.step_index, r.cycle, r.status, r.claims])).toEqual([
			[0, 1, 'replied', 1],
			[0, 2, 'sent', 1],
		]);
		await expectNoFailedExecutions(ids.restarts);
	}),
);

test(
	'a step due outside working hours leaves by Deferred and is rescheduled to the opening',
	withLogs(async () => {
		await n8n.webhook('e2e-enroll', {
			contacts: [{ contact: 'eve@example.com', name: 'Eve', cadence: HOURS.name }],
		});
		const opening = new Date();
		opening.setUTCHours(opensAtHour, 0, 0, 0);
		if (opening.getTime() <= Date.now()) opening.setTime(opening.getTime() + DAY);
		// Enrolling already puts step 1 at the next opening (an hour from now is still closed).
		const enrolled = await store.enrollment(HOURS.name, 'eve@example.com');
		expect(enrolled.next_due_at).toBe(opening.getTime());

		await store.makeDue(HOURS.name);
		const executions = await n8n.waitForExecutions(ids.hours, 1);
		const deferred = itemsAt(executions, 'Deferred');
		expect(deferred).toEqual([
			expect.objectContaining({
				deferredUntil: opening.toISOString(),
				reason: expect.stringMatching(/deferred/i),
			}),
		]);
		expect(itemsAt(executions, 'Mark Sent')).toEqual([]);

		const eve = await store.enrollment(HOURS.name, 'eve@example.com');
		expect(eve.next_due_at).toBe(opening.getTime());
		expect(eve.next_reason).toMatch(/deferred/i);
		const [run] = await store.stepRuns(HOURS.name);
		expect([run.status, run.claims]).toEqual(['scheduled', 1]);
		await expectNoFailedExecutions(ids.hours);
	}),
);
