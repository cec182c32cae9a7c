import { randomUUID } from 'node:crypto';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import { execution, waitForStatus } from './support/step-run-details';
import {
	cadenceType,
	enrollByHandWorkflow,
	node,
	noOp,
	workflow,
	type WorkflowJson,
} from './support/workflows';

/**
 * Await Approval's time limit when nobody opens the link, in a real n8n. n8n resumes a waiting
 * execution at its limit without running the node again, so the node stores the deadline and
 * the policy, and the Follow-up Trigger's check applies them. The test does not wait an hour: it
 * moves the stored deadline into the past and lets the next check (every 5 s) run. The policy is
 * an expression, one per contact: "skip" skips the step and schedules the next one; "escalate"
 * sends nothing and reports the step stuck, on the trigger's Events output.
 */
const CADENCE = 'E2E approval time limit';
const CONTACTS = [
	{ contact: 'skip@example.com', name: 'Sam' },
	{ contact: 'escalate@example.com', name: 'Eve' },
];
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let n8n: N8nInstance;
let store: StoreProbe;
let db: SqlDriver | null = null;
const ids: Record<string, string> = {};
/** Per contact: the waiting execution and the link the reviewer got (and never opened). */
const waiting = new Map<string, { executionId: string; url: string }>();

function timeLimitWorkflow(): WorkflowJson {
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
							staticText: 'Hi {{firstName|there}}, a quick reminder about your invoice.',
						},
						{
							name: 'Last call',
							waitAmount: 1,
							waitUnit: 'days',
							composeMode: 'static',
							staticText: 'Hi {{firstName|there}}, last call on the invoice.',
						},
					],
				},
				replyAction: 'exit',
				sendingWindow: {},
				options: { checkInterval: 5, emitEvents: ['stuck'] },
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
				{
					draft: '',
					timeLimit: 1,
					timeLimitUnit: 'hours',
					onTimeout: "={{ $json.contact.key.startsWith('skip') ? 'skip' : 'escalate' }}",
					options: {},
				},
				{ webhookId: randomUUID() },
			),
			noOp('Approved branch'),
			noOp('Discarded branch'),
			noOp('Timed out branch'),
			noOp('Stuck alerts'),
		],
		[
			['Follow-up Trigger', 'Compose Follow-up', 0],
			['Follow-up Trigger', 'Stuck alerts', 1],
			['Compose Follow-up', 'Sent without review', 0],
			['Compose Follow-up', 'Notify reviewer', 1],
			['Notify reviewer', 'Await Approval'],
			['Await Approval', 'Approved branch', 0],
			['Await Approval', 'Discarded branch', 1],
			['Await Approval', 'Timed out branch', 2],
		],
	);
}

interface RunRow {
	id: number;
	enrollment_id: number;
	contact_key: string;
	step_index: number;
	status: string;
	approval: string | null;
	decided_by: string | null;
	approval_deadline: number | null;
	approval_timeout: string | null;
	stuck_at: number | null;
	sent_at: number | null;
}

function sql(): SqlDriver {
	db ??= rawDriver({ kind: 'sqlite', path: n8n.storePath });
	return db;
}

async function runs(): Promise<RunRow[]> {
	const rows = await sql().all<RunRow>(
		`SELECT r.id, r.enrollment_id, e.contact_key, r.step_index, r.status, r.approval,
			r.decided_by, r.approval_deadline, r.approval_timeout, r.stuck_at, r.sent_at
		FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
		JOIN cadences c ON c.id = r.cadence_id
		WHERE c.name = ? ORDER BY e.contact_key, r.cycle, r.step_index, r.id`,
		[CADENCE],
	);
	return rows.map((r) => ({
		...r,
		id: Number(r.id),
		enrollment_id: Number(r.enrollment_id),
		approval_deadline: r.approval_deadline === null ? null : Number(r.approval_deadline),
		stuck_at: r.stuck_at === null ? null : Number(r.stuck_at),
	}));
}

async function runOf(contact: string): Promise<RunRow> {
	const run = (await runs()).find((r) => r.contact_key === contact && r.step_index === 0);
	if (!run) throw new Error(`No step run for ${contact}`);
	return run;
}

async function events(enrollmentId: number) {
	const rows = await sql().all<{ type: string; detail: string | null }>(
		'SELECT type, detail FROM events WHERE enrollment_id = ? ORDER BY id',
		[enrollmentId],
	);
	return rows.map((r) => ({ type: r.type, detail: r.detail ? JSON.parse(r.detail) : null }));
}

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'approval-timeout' });
	ids.cadence = (await n8n.createWorkflow(timeLimitWorkflow())).id;
	await n8n.activate(ids.cadence);
	ids.enroll = (await n8n.createWorkflow(enrollByHandWorkflow(CADENCE, CONTACTS))).id;
	store = StoreProbe.sqlite(n8n.storePath);
});

afterAll(async () => {
	if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
	await store?.close();
	await db?.close();
	await n8n?.stop();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		// Which executions ended how, and why: the first thing to know when a wait times out.
		const list = await n8n.executions(ids.cadence, { includeData: true }).catch(() => []);
		const ended = list.map((e) =>
			`${e.id} ${e.status} [${Object.keys(e.data?.resultData.runData ?? {}).join(', ')}] ${e.data?.resultData.error?.message ?? ''}`.trim(),
		);
		if (error instanceof Error) error.message += `\nexecutions: ${ended.join('; ')}`;
		throw n8n.withLogs(error);
	}
};

test(
	'waiting at Await Approval stores the time limit and each contact’s policy',
	withLogs(async () => {
		const enrolled = await n8n.executeCli(ids.enroll);
		expect(enrolled.resultData.error).toBeUndefined();
		// One contact at a time: each gets its own waiting execution and its own link.
		for (const [i, { contact }] of CONTACTS.entries()) {
			expect(await store.makeDue(CADENCE, [contact])).toBe(1);
			await waitForStatus(n8n, ids.cadence, 'waiting', i + 1);
		}
		for (const summary of await waitForStatus(n8n, ids.cadence, 'waiting', 2)) {
			const e = await execution(n8n, summary.id);
			expect(e.data?.resultData.lastNodeExecuted).toBe('Await Approval');
			const [captured] = itemsAt([e], 'Notify reviewer');
			const url = String(captured.reviewUrl);
			waiting.set(captured.contact.key, { executionId: String(summary.id), url });
		}
		expect([...waiting.keys()].sort()).toEqual(CONTACTS.map((c) => c.contact).sort());

		const now = Date.now();
		for (const [contact, policy] of [
			['skip@example.com', 'skip'],
			['escalate@example.com', 'escalate'],
		]) {
			const run = await runOf(contact);
			expect([contact, run.status, run.approval, run.approval_timeout]).toEqual([
				contact,
				'pending',
				'awaiting',
				policy,
			]);
			// One hour from when the node started waiting (a minute's slack for a loaded machine).
			expect(run.approval_deadline).toBeGreaterThan(now + HOUR - 2 * 60_000);
			expect(run.approval_deadline).toBeLessThanOrEqual(now + HOUR);
		}
	}),
);

test(
	'once the limit passes with nobody deciding, the trigger applies each policy and records it',
	withLogs(async () => {
		const before = await runs();
		const deadline = Date.now() - 1000;
		const { changes } = await sql().run(
			`UPDATE step_runs SET approval_deadline = ? WHERE id IN (?, ?)`,
			[deadline, ...before.filter((r) => r.step_index === 0).map((r) => r.id)],
		);
		expect(changes).toBe(2);
		const settled = await waitFor(
			'both drafts timed out by the trigger’s check',
			async () => {
				const now = await runs();
				return now.filter((r) => r.approval === 'timedOut').length === 2 ? now : undefined;
			},
			{ timeoutMs: 30_000, intervalMs: 1000 },
		);
		const decidedAt = Date.now();

		// Skip: the step is skipped, nothing sent, and the cadence goes on to step 2 in a day.
		const skipped = settled.find((r) => r.contact_key === 'skip@example.com' && !r.step_index)!;
		expect([skipped.status, skipped.decided_by, skipped.sent_at, skipped.stuck_at]).toEqual([
			'skipped',
			'time limit',
			null,
			null,
		]);
		const sam = await store.enrollment(CADENCE, 'skip@example.com');
		expect([sam.state, sam.next_step]).toEqual(['active', 1]);
		expect(sam.next_due_at).toBeGreaterThan(decidedAt + DAY - 2 * 60_000);
		expect(sam.next_due_at).toBeLessThanOrEqual(decidedAt + DAY);
		const samEvents = await events(skipped.enrollment_id);
		expect(samEvents.filter((e) => e.type === 'timedOut')).toEqual([
			{ type: 'timedOut', detail: expect.objectContaining({ policy: 'skip', deadline, step: 0 }) },
		]);
		expect(samEvents.map((e) => e.type)).not.toContain('stuck');

		// Escalate: nothing sent, the cadence holds on the step, and it is reported stuck.
		const held = settled.find((r) => r.contact_key === 'escalate@example.com')!;
		expect([held.status, held.decided_by, held.sent_at]).toEqual(['pending', 'time limit', null]);
		expect(held.stuck_at).not.toBeNull();
		const eve = await store.enrollment(CADENCE, 'escalate@example.com');
		expect([eve.state, eve.next_step, eve.next_due_at]).toEqual(['active', 0, null]);
		const eveEvents = await events(held.enrollment_id);
		expect(eveEvents.filter((e) => e.type === 'timedOut' || e.type === 'stuck')).toEqual([
			{
				type: 'timedOut',
				detail: expect.objectContaining({ policy: 'escalate', deadline, step: 0 }),
			},
			{ type: 'stuck', detail: expect.objectContaining({ reason: expect.any(String) }) },
		]);
		expect(settled.filter((r) => r.contact_key === 'escalate@example.com')).toHaveLength(1);

		// The stuck alert comes out of the trigger's Events output, naming the step and why.
		const alert = await waitFor(
			'the stuck alert on the Events output',
			async () => {
				const list = await n8n.executions(ids.cadence, { includeData: true, status: 'success' });
				return itemsAt(list, 'Stuck alerts').find((i) => i.stepRunId === held.id);
			},
			{ timeoutMs: 30_000, intervalMs: 1000 },
		);
		expect(alert).toEqual(
			expect.objectContaining({
				event: 'stuck',
				step: 1,
				contact: expect.objectContaining({ key: 'escalate@example.com' }),
				summary: expect.stringContaining('waited for approval past its time limit'),
			}),
		);
		// No Await Approval output ran: nothing in n8n went on, the store alone decided.
		for (const name of ['Approved branch', 'Discarded branch', 'Timed out branch']) {
			expect([
				name,
				itemsAt(await n8n.executions(ids.cadence, { includeData: true }), name),
			]).toEqual([name, []]);
		}
	}),
);

test(
	'a reviewer opening the link after the limit cannot send the step any more',
	withLogs(async () => {
		const before = await runs();
		const { url, executionId } = waiting.get('skip@example.com')!;
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ action: 'approve', by: 'Late' }).toString(),
		});
		expect(res.status).toBe(409);
		expect(await runs()).toEqual(before);
		expect((await execution(n8n, executionId)).status).toBe('waiting');
	}),
);
