import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt, type ExecutionSummary } from './support/executions';
import { N8nInstance, withLogsOf } from './support/n8n-instance';
import { execution, StepRunReader, waitForStatus } from './support/step-run-details';
import { approvalWorkflow, enrollByHandWorkflow } from './support/workflows';

/**
 * Await Approval in one real n8n (regular mode, the embedded SQLite store), reused by both parts:
 * a reviewer deciding through the link, and the time limit passing with nobody deciding. Each
 * part has its own cadence and contacts, and deactivates its workflow when done.
 */
let n8n: N8nInstance;
/** A failing test shows what n8n printed. */
const withLogs = withLogsOf(() => n8n);

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'approval' });
});

afterAll(async () => {
	await n8n?.stop();
});

describe('the reviewer approves, edits or discards through the link', () => {
	/**
	 * Await Approval in a real n8n: Compose Follow-up (AI assisted, no model connected, so the draft
	 * is the step's own text marked degraded; "Ask the Reviewer Anyway") leaves by Needs Approval;
	 * a Set node puts the execution's resume URL on the item, as the node that notifies a reviewer
	 * would; Await Approval waits. The test is the reviewer: it opens the link (the form with the draft), then approves,
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

	let store: StoreProbe;
	let runs: StepRunReader;
	const ids: Record<string, string> = {};
	/** Per contact: the waiting execution and the link the reviewer got. */
	const waiting = new Map<string, { executionId: string; url: string }>();

	beforeAll(async () => {
		ids.cadence = (
			await n8n.createWorkflow(
				approvalWorkflow(
					CADENCE,
					[
						{
							name: 'Reminder',
							waitAmount: 1,
							waitUnit: 'days',
							composeMode: 'aiAssisted',
							instruction: 'Remind them kindly about the open invoice',
							staticText: STATIC,
						},
					],
					{ onTimeout: 'escalate' },
				),
			)
		).id;
		await n8n.activate(ids.cadence);
		ids.enroll = (await n8n.createWorkflow(enrollByHandWorkflow(CADENCE, CONTACTS))).id;
		store = StoreProbe.sqlite(n8n.storePath);
		runs = StepRunReader.sqlite(n8n.storePath);
	});

	afterAll(async () => {
		if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
		await store?.close();
		await runs?.close();
	});

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
});

describe('the time limit passes with nobody deciding', () => {
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

	let store: StoreProbe;
	let db: SqlDriver | null = null;
	const ids: Record<string, string> = {};
	/** Per contact: the waiting execution and the link the reviewer got (and never opened). */
	const waiting = new Map<string, { executionId: string; url: string }>();

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
		ids.cadence = (
			await n8n.createWorkflow(
				approvalWorkflow(
					CADENCE,
					[
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
					// One policy per contact, from an expression.
					{
						onTimeout: "={{ $json.contact.key.startsWith('skip') ? 'skip' : 'escalate' }}",
						stuckAlerts: true,
					},
				),
			)
		).id;
		await n8n.activate(ids.cadence);
		ids.enroll = (await n8n.createWorkflow(enrollByHandWorkflow(CADENCE, CONTACTS))).id;
		store = StoreProbe.sqlite(n8n.storePath);
	});

	afterAll(async () => {
		if (n8n && ids.cadence) await n8n.deactivate(ids.cadence).catch(() => undefined);
		await store?.close();
		await db?.close();
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
				{
					type: 'timedOut',
					detail: expect.objectContaining({ policy: 'skip', deadline, step: 0 }),
				},
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
});
