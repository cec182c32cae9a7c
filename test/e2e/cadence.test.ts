import type { SqlDriver } from '../../engine/store/sql/driver';
import { WAITING_DUE_AT } from '../../engine/store/ops/due-queue';
import { rawDriver } from '../support/raw-sql';
import { StoreProbe } from './support/cadence-store';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance, withLogsOf } from './support/n8n-instance';
import {
	cadenceType,
	cadenceWorkflow,
	classifyReplyWorkflow,
	enrollByHandWorkflow,
	enrollByWebhookWorkflow,
	enrollInCadence,
	enrollIntoByWebhookWorkflow,
	noOp,
	node,
	replyWorkflow,
	splitContacts,
	webhook,
	webhookActionWorkflow,
	withTriggerOptions,
	withTriggerParameters,
	workflow,
	type CadenceOptions,
	type WorkflowJson,
} from './support/workflows';

/**
 * Cadences in one real n8n (regular mode, the embedded SQLite store), reused by every part: a
 * whole cadence, the store's semantics, and issue 11's rows. Each part has its own cadences,
 * contacts and webhook paths, and deactivates its workflows when done, so no trigger of one
 * part ticks during the next.
 */
let n8n: N8nInstance;
/** A failing test shows what n8n printed. */
const withLogs = withLogsOf(() => n8n);

beforeAll(async () => {
	n8n = await N8nInstance.start({ name: 'cadence' });
});

afterAll(async () => {
	await n8n?.stop();
});

describe('a whole cadence: enroll, send, reply, working hours', () => {
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
				window: [
					{ days: 'everyDay', from: `${pad(opensAtHour)}:00`, to: `${pad(opensAtHour)}:30` },
				],
			},
		},
	};

	let store: StoreProbe;
	const ids: Record<string, string> = {};

	beforeAll(async () => {
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
		await n8n?.deactivateAll();
	});

	/** Wraps a test body so that a failure shows what n8n printed. */

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
			).toEqual([
				'Hi {{firstName}}, step 1',
				'Hi {{firstName}}, step 1',
				'Hi {{firstName}}, step 1',
			]);
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
});

describe('store semantics: the contact clock, one template imported twice, the hourly cap', () => {
	/**
	 * Store semantics in a real n8n (regular mode, the embedded SQLite store):
	 * - a cadence timed from the contact's last message counts its first step from a message
	 *   recorded before the enrollment, and a later message moves it (Record Reply by webhook);
	 * - one template imported twice (an agency, two clients): two workflows, two Follow-up Triggers
	 *   with the same cadence name, both active, each enrolling from its own webhook. They are two
	 *   cadences: each trigger hands out only its own enrollments; a workflow that names the shared
	 *   cadence without holding one is refused, naming both workflows.
	 */

	const HOUR = 3600_000;

	let db: SqlDriver | null = null;
	const ids: Record<string, string> = {};

	const CONTACT_CLOCK: CadenceOptions = {
		name: 'E2E contact clock',
		replyAction: 'exit',
		steps: [
			{ wait: 1, unit: 'hours', text: 'Still there?' },
			{ wait: 1, unit: 'days', text: 'Last one' },
		],
	};

	const CAPPED: CadenceOptions = {
		name: 'E2E hourly cap',
		steps: [{ wait: 1, unit: 'days', text: 'One per hour' }],
	};

	const SHARED: CadenceOptions = {
		name: 'E2E agency template',
		steps: [{ wait: 1, unit: 'days', text: 'Hello from the template' }],
	};

	/** The agency's template: the cadence and a webhook that enrolls into it, in one workflow. */
	function agencyTemplate(): WorkflowJson {
		const cadence = cadenceWorkflow(SHARED);
		const enroll = workflow(
			'enroll',
			[webhook('agency-enroll', 'Enroll webhook'), splitContacts(), enrollInCadence(SHARED.name)],
			[
				['Enroll webhook', 'Contacts'],
				['Contacts', 'Enroll In Cadence'],
			],
		);
		return {
			...cadence,
			name: 'Agency template',
			nodes: [...cadence.nodes, ...enroll.nodes],
			connections: { ...cadence.connections, ...enroll.connections },
		};
	}

	/** The same template, imported for one client: only its name and webhook path differ. */
	function importFor(client: string, template: WorkflowJson): WorkflowJson {
		const copy = JSON.parse(JSON.stringify(template)) as WorkflowJson;
		copy.name = `Follow-ups for ${client}`;
		const hook = copy.nodes.find((n) => n.name === 'Enroll webhook')!;
		hook.parameters = { ...hook.parameters, path: `enroll-${client.toLowerCase()}` };
		return copy;
	}

	function store(): SqlDriver {
		db ??= rawDriver({ kind: 'sqlite', path: n8n.storePath });
		return db;
	}

	interface Row {
		id: number;
		cadence_id: number;
		contact_key: string;
		state: string;
		next_due_at: number | null;
		anchor_at: number;
	}

	async function enrollments(cadenceId: number): Promise<Row[]> {
		const rows = await store().all<Row>(
			`SELECT e.id, e.cadence_id, e.contact_key, e.state, ${WAITING_DUE_AT} AS next_due_at,
				e.anchor_at FROM enrollments e WHERE e.cadence_id = ? ORDER BY e.contact_key`,
			[cadenceId],
		);
		return rows.map((r) => ({ ...r, id: Number(r.id), anchor_at: Number(r.anchor_at) }));
	}

	/** Every waiting step of the cadence falls due now, as if its wait had passed. */
	async function makeDue(cadenceId: number): Promise<void> {
		const at = Date.now() - 1000;
		await store().transaction(async (tx) => {
			await tx.run('UPDATE due_steps SET due_at = ? WHERE cadence_id = ?', [at, cadenceId]);
			await tx.run(
				`UPDATE enrollments SET next_due_at = ? WHERE cadence_id = ? AND id IN
				(SELECT enrollment_id FROM due_steps WHERE cadence_id = ?)`,
				[at, cadenceId, cadenceId],
			);
		});
	}

	async function sentContacts(cadenceId: number, count: number): Promise<string[]> {
		return waitFor(
			`${count} sent step(s) of cadence ${cadenceId}`,
			async () => {
				const rows = await store().all<{ contact_key: string }>(
					`SELECT e.contact_key FROM step_runs r JOIN enrollments e ON e.id = r.enrollment_id
					WHERE r.cadence_id = ? AND r.sent_at IS NOT NULL ORDER BY e.contact_key`,
					[cadenceId],
				);
				return rows.length >= count ? rows.map((r) => r.contact_key) : undefined;
			},
			{ timeoutMs: 60_000, intervalMs: 1000 },
		);
	}

	beforeAll(async () => {
		const clock = withTriggerParameters(cadenceWorkflow(CONTACT_CLOCK), {
			startClock: 'lastContactMessage',
		});
		ids.clock = (await n8n.createWorkflow(clock)).id;
		await n8n.activate(ids.clock);
		ids.replies = (await n8n.createWorkflow(replyWorkflow('semantics-reply'))).id;
		await n8n.activate(ids.replies);
		const enroll = enrollIntoByWebhookWorkflow('semantics-enroll', CONTACT_CLOCK.name);
		ids.enroll = (await n8n.createWorkflow(enroll)).id;
		await n8n.activate(ids.enroll);
		const capped = withTriggerOptions(cadenceWorkflow(CAPPED), { perCadencePerHour: 1 });
		ids.capped = (await n8n.createWorkflow(capped)).id;
		await n8n.activate(ids.capped);
	});

	afterAll(async () => {
		await db?.close();
		await n8n?.deactivateAll();
	});

	async function cadenceIds(name: string): Promise<Array<{ id: number; workflow_id: string }>> {
		const rows = await store().all<{ id: number; workflow_id: string }>(
			'SELECT id, workflow_id FROM cadences WHERE name = ? ORDER BY id',
			[name],
		);
		return rows.map((r) => ({ id: Number(r.id), workflow_id: String(r.workflow_id) }));
	}

	test(
		'After the Last Contact Message: the first step counts from the message before enrolling, and a later message moves it',
		withLogs(async () => {
			await n8n.webhook('semantics-reply', { contact: 'ana@example.com', text: 'Do you ship?' });
			const [first] = await store().all<{ at: number }>(
				"SELECT at FROM messages WHERE contact_key = 'ana@example.com' ORDER BY id",
			);
			await new Promise((r) => setTimeout(r, 1500));
			await n8n.webhook('semantics-enroll', {
				contacts: [{ contact: 'ana@example.com', name: 'Ana' }],
			});
			const [{ id: cadenceId }] = await cadenceIds(CONTACT_CLOCK.name);
			const [enrolled] = await enrollments(cadenceId);
			expect(enrolled.anchor_at).toBe(Number(first.at));
			expect(Number(enrolled.next_due_at)).toBe(Number(first.at) + HOUR);

			// The contact writes again before any follow-up: the clock moves, nothing exits.
			const answer = await n8n.webhook<Array<Record<string, unknown>>>('semantics-reply', {
				contact: 'ana@example.com',
				text: 'Also, do you deliver on Saturdays?',
			});
			expect(answer).toEqual([
				expect.objectContaining({
					cadence: CONTACT_CLOCK.name,
					action: 'reanchor',
					state: 'active',
				}),
			]);
			const [, second] = await store().all<{ at: number }>(
				"SELECT at FROM messages WHERE contact_key = 'ana@example.com' ORDER BY id",
			);
			const [moved] = await enrollments(cadenceId);
			expect(moved).toMatchObject({ state: 'active', anchor_at: Number(second.at) });
			expect(Number(moved.next_due_at)).toBe(Number(second.at) + HOUR);

			// Once the follow-up went out, a message is a reply: the cadence's policy (exit) applies.
			await makeDue(cadenceId);
			expect(await sentContacts(cadenceId, 1)).toEqual(['ana@example.com']);
			const reply = await n8n.webhook<Array<Record<string, unknown>>>('semantics-reply', {
				contact: 'ana@example.com',
				text: 'Yes, still interested',
			});
			expect(reply).toEqual([expect.objectContaining({ action: 'exit', state: 'exited' })]);
		}),
	);

	test(
		'one template imported twice: two independent cadences with the same name, enrollments kept apart',
		withLogs(async () => {
			const template = agencyTemplate();
			ids.clientA = (await n8n.createWorkflow(importFor('Acme', template))).id;
			ids.clientB = (await n8n.createWorkflow(importFor('Beta', template))).id;
			await n8n.activate(ids.clientA);
			await n8n.activate(ids.clientB);

			// Each trigger publishes its cadence as it starts.
			const cadences = await waitFor(
				'both imports to publish their cadence',
				async () => {
					const found = await cadenceIds(SHARED.name);
					return found.length >= 2 ? found : undefined;
				},
				{ timeoutMs: 30_000, intervalMs: 500 },
			);
			expect(cadences.map((c) => c.workflow_id).sort()).toEqual([ids.clientA, ids.clientB].sort());
			const idOf = (workflowId: string) => cadences.find((c) => c.workflow_id === workflowId)!.id;

			const outcomes = async (path: string, contacts: string[]) =>
				(
					await n8n.webhook<Array<Record<string, unknown>>>(path, {
						contacts: contacts.map((contact) => ({ contact, name: contact })),
					})
				).map((r) => r.outcome);
			// The same contact in both clients: two enrollments, one per client's cadence.
			expect(await outcomes('enroll-acme', ['shared@example.com', 'acme@example.com'])).toEqual([
				'enrolled',
				'enrolled',
			]);
			expect(await outcomes('enroll-beta', ['shared@example.com'])).toEqual(['enrolled']);
			expect((await enrollments(idOf(ids.clientA))).map((e) => e.contact_key)).toEqual([
				'acme@example.com',
				'shared@example.com',
			]);
			expect((await enrollments(idOf(ids.clientB))).map((e) => e.contact_key)).toEqual([
				'shared@example.com',
			]);

			// Each trigger hands out its own cadence's steps only.
			await makeDue(idOf(ids.clientA));
			await makeDue(idOf(ids.clientB));
			expect(await sentContacts(idOf(ids.clientA), 2)).toEqual([
				'acme@example.com',
				'shared@example.com',
			]);
			expect(await sentContacts(idOf(ids.clientB), 1)).toEqual(['shared@example.com']);
			const inA = itemsAt(await n8n.waitForExecutions(ids.clientA, 1), 'Follow-up Trigger');
			const inB = itemsAt(await n8n.waitForExecutions(ids.clientB, 1), 'Follow-up Trigger');
			expect(inA.map((i) => i.cadenceId)).toEqual([idOf(ids.clientA), idOf(ids.clientA)]);
			expect(inB.map((i) => i.cadenceId)).toEqual([idOf(ids.clientB)]);

			// A workflow holding neither trigger cannot tell which one the name means: it is told so.
			ids.outside = (
				await n8n.createWorkflow(
					enrollByHandWorkflow(SHARED.name, [{ contact: 'x@example.com', name: 'X' }]),
				)
			).id;
			await expect(n8n.executeCli(ids.outside)).rejects.toThrow(
				/2 cadences are named "E2E agency template".*Follow-ups for Acme.*Follow-ups for Beta/s,
			);
		}),
	);

	test(
		'the hourly cap holds a step with its real due time and the reason',
		withLogs(async () => {
			ids.enrollCapped = (
				await n8n.createWorkflow(
					enrollByHandWorkflow(CAPPED.name, [
						{ contact: 'first@example.com', name: 'First' },
						{ contact: 'second@example.com', name: 'Second' },
					]),
				)
			).id;
			await n8n.executeCli(ids.enrollCapped);
			const [{ id: cadenceId }] = await cadenceIds(CAPPED.name);
			await makeDue(cadenceId);
			const [sent] = await sentContacts(cadenceId, 1);
			const held = await waitFor(
				'the other step to be held',
				async () => {
					const row = (await enrollments(cadenceId)).find((e) => e.contact_key !== sent);
					return row && Number(row.next_due_at) > Date.now() ? row : undefined;
				},
				{ timeoutMs: 30_000, intervalMs: 1000 },
			);
			const [{ claimed_at: claimedAt }] = await store().all<{ claimed_at: number }>(
				'SELECT claimed_at FROM step_runs WHERE cadence_id = ?',
				[cadenceId],
			);
			expect(Number(held.next_due_at)).toBe(Number(claimedAt) + HOUR);
			const [{ next_reason: reason }] = await store().all<{ next_reason: string }>(
				'SELECT next_reason FROM enrollments WHERE id = ?',
				[held.id],
			);
			expect(reason).toMatch(
				/^held: 1 per hour reached for cadence "E2E hourly cap"; next slot \d\d:\d\d \(UTC\)$/,
			);
		}),
	);
});

describe('issue 11 rows: opt-out, signals, Skip and Cancel, quiet hours, limits, events, preview', () => {
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
	 * away, so a cadence that ignored the contact's zone would send at once. Set when the part
	 * publishes its cadences (the earlier parts of the file take minutes).
	 */
	const ZONE = 'Asia/Tokyo';
	const QUIET_NAME = 'E2E recipient quiet hours';
	let QUIET_END = 0;
	let QUIET = { from: '', to: '' };
	function quietCadence(now: number): CadenceOptions {
		const tokyoHour = (new Date(now).getUTCHours() + 9) % 24;
		QUIET_END = Math.floor(now / HOUR) * HOUR + 2 * HOUR;
		QUIET = { from: `${pad((tokyoHour + 23) % 24)}:00`, to: `${pad((tokyoHour + 2) % 24)}:00` };
		return {
			name: QUIET_NAME,
			steps: [{ wait: 1, unit: 'hours', text: 'Not at night' }],
			sendingWindow: { timeZone: 'UTC', useRecipientTimeZone: true, quietHours: { window: QUIET } },
		};
	}

	let store: StoreProbe;
	const ids: Record<string, string> = {};

	/** The rows cadence with its Events output wired to a no-op, and a sandbox contact. */
	function rowsWorkflow(): WorkflowJson {
		const wf = withTriggerOptions(cadenceWorkflow(ROWS), {
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

	async function activate(key: string, wf: WorkflowJson): Promise<void> {
		ids[key] = (await n8n.createWorkflow(wf)).id;
		await n8n.activate(ids[key]);
	}

	beforeAll(async () => {
		// Cadences first: activating a Follow-up Trigger publishes its cadence, which enrolling needs.
		await activate('rows', rowsWorkflow());
		await activate('managed', cadenceWorkflow(MANAGED));
		await activate('daily', withTriggerOptions(cadenceWorkflow(DAILY), { perContactPerDay: 1 }));
		await activate('quiet', cadenceWorkflow(quietCadence(Date.now())));

		await activate('enroll', enrollByWebhookWorkflow('rows-enroll'));
		await activate(
			'enrollTokyo',
			enrollIntoByWebhookWorkflow('rows-enroll-tokyo', QUIET_NAME, {
				name: 'Enroll in Tokyo',
				options: { timeZone: ZONE },
			}),
		);
		await activate('replies', replyWorkflow('rows-reply'));
		await activate('classify', classifyReplyWorkflow('rows-classify', 'Inbound, classified'));
		const byContact = { contactKey: '={{ $json.body.contact }}' };
		const byEnrollment = { enrollmentId: '={{ $json.body.enrollmentId }}' };
		await activate(
			'goal',
			webhookActionWorkflow(
				'rows-goal',
				cadenceNode('Goal Reached', { resource: 'signal', operation: 'goalReached', ...byContact }),
			),
		);
		await activate(
			'resolved',
			webhookActionWorkflow(
				'rows-resolved',
				cadenceNode('Resolved', { resource: 'signal', operation: 'resolved', ...byContact }),
			),
		);
		await activate(
			'skip',
			webhookActionWorkflow(
				'rows-skip',
				cadenceNode('Skip Step', {
					resource: 'enrollment',
					operation: 'skipStep',
					...byEnrollment,
				}),
			),
		);
		await activate(
			'cancel',
			webhookActionWorkflow(
				'rows-cancel',
				cadenceNode('Cancel', { resource: 'enrollment', operation: 'cancel', ...byEnrollment }),
			),
		);
		store = StoreProbe.sqlite(n8n.storePath);
	});

	afterAll(async () => {
		await store?.close();
		await n8n?.deactivateAll();
	});

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
			expect((await store.enrollment(QUIET_NAME, 'kenji@example.com')).next_due_at).toBe(QUIET_END);

			await store.makeDue(QUIET_NAME);
			const deferred = await itemAt(ids.quiet, 'Deferred', () => true);
			expect(deferred).toMatchObject({ deferredUntil: new Date(QUIET_END).toISOString() });
			const reason = `deferred: quiet hours ${QUIET.from}–${QUIET.to} in ${ZONE}`;
			expect(String(deferred.reason)).toContain(reason);
			const kenji = await store.enrollment(QUIET_NAME, 'kenji@example.com');
			expect(kenji.next_due_at).toBe(QUIET_END);
			expect(kenji.next_reason).toContain(reason);
			expect(await store.stepRuns(QUIET_NAME)).toEqual([
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
				(await store.stepRuns(DAILY.name))
					.filter((r) => r.sent_at !== null)
					.map((r) => r.step_index),
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
});

describe('On Error → Continue (using error output)', () => {
	/**
	 * n8n moves an item to a node's error output only when it recognises it as failed. Exit Check
	 * keeps a failed item's fields (without an error output, its Exit branch must still know who it
	 * was about), which n8n's JSON test does not recognise; the item's n8n error does.
	 */
	let workflowId = '';
	beforeAll(async () => {
		const check = node(
			'Exit Check',
			cadenceType('exitCheck'),
			{ options: { goalNote: '={{ $json.body.note }}' } },
			{ onError: 'continueErrorOutput' },
		);
		const wf = workflow(
			'Exit Check with an error output',
			[webhook('error-output'), check, noOp('Went on'), noOp('Exited'), noOp('Failed')],
			[
				['Webhook', 'Exit Check'],
				['Exit Check', 'Went on', 0],
				['Exit Check', 'Exited', 1],
				['Exit Check', 'Failed', 2],
			],
		);
		workflowId = (await n8n.createWorkflow(wf)).id;
		await n8n.activate(workflowId);
	});

	afterAll(async () => {
		await n8n?.deactivateAll();
	});

	test(
		'a failed item leaves by the error output, not by Exit; a good one goes on',
		withLogs(async () => {
			await n8n.webhook('error-output', { who: 'long', note: 'x'.repeat(600) });
			await n8n.webhook('error-output', { who: 'short', note: 'fine' });
			const executions = await n8n.waitForExecutions(workflowId, 2);
			const failed = itemsAt(executions, 'Failed');
			// n8n's error-output item: the error alone (the input stays reachable by its pairing).
			expect(failed).toEqual([{ error: 'The "Goal Note" option is longer than 500 characters' }]);
			expect(itemsAt(executions, 'Exited')).toEqual([]);
			expect(itemsAt(executions, 'Went on').map((i) => i.body.who)).toEqual(['short']);
		}),
	);
});
