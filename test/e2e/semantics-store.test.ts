import { rawDriver } from '../support/raw-sql';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { WAITING_DUE_AT } from '../../engine/store/ops/due-queue';
import { waitFor } from './support/environment';
import { itemsAt } from './support/executions';
import { N8nInstance } from './support/n8n-instance';
import {
	cadenceWorkflow,
	enrollByHandWorkflow,
	enrollInCadence,
	replyWorkflow,
	splitContacts,
	webhook,
	workflow,
	type CadenceOptions,
	type WorkflowJson,
} from './support/workflows';

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

let n8n: N8nInstance;
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
	n8n = await N8nInstance.start({ name: 'semantics-store' });
	const clock = cadenceWorkflow(CONTACT_CLOCK);
	const trigger = clock.nodes.find((n) => n.name === 'Follow-up Trigger')!;
	trigger.parameters = { ...trigger.parameters, startClock: 'lastContactMessage' };
	ids.clock = (await n8n.createWorkflow(clock)).id;
	await n8n.activate(ids.clock);
	ids.replies = (await n8n.createWorkflow(replyWorkflow('semantics-reply'))).id;
	await n8n.activate(ids.replies);
	const enroll = workflow(
		'Enroll by webhook',
		[webhook('semantics-enroll'), splitContacts(), enrollInCadence(CONTACT_CLOCK.name)],
		[
			['Webhook', 'Contacts'],
			['Contacts', 'Enroll In Cadence'],
		],
	);
	ids.enroll = (await n8n.createWorkflow(enroll)).id;
	await n8n.activate(ids.enroll);
	const capped = cadenceWorkflow(CAPPED);
	const cappedTrigger = capped.nodes.find((n) => n.name === 'Follow-up Trigger')!;
	const options = cappedTrigger.parameters.options as Record<string, unknown>;
	cappedTrigger.parameters = {
		...cappedTrigger.parameters,
		options: { ...options, perCadencePerHour: 1 },
	};
	ids.capped = (await n8n.createWorkflow(capped)).id;
	await n8n.activate(ids.capped);
});

afterAll(async () => {
	await db?.close();
	await n8n?.stop();
});

const withLogs = (body: () => Promise<void>) => async () => {
	try {
		await body();
	} catch (error) {
		throw n8n.withLogs(error);
	}
};

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
			expect.objectContaining({ cadence: CONTACT_CLOCK.name, action: 'reanchor', state: 'active' }),
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
