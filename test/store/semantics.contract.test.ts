import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import { CadenceStoreError, CadenceValidationError } from '../../engine/errors';
import { openStore } from '../../engine/store/open';
import { migrate } from '../../engine/store/schema/migrate';
import { MIGRATIONS } from '../../engine/store/schema/migrations';
import { prospecting, withName } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { rawDriver } from '../support/raw-sql';
import { DAY, HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

/**
 * Settings that must do what they say, on both backends: the contact-message clock, skips in the
 * funnel, people-only replies and reply rates, holds by the hourly cap, cadences of the same name
 * in two workflows, and stored definitions read back after an upgrade.
 */

jest.setTimeout(60_000);

const chat: CadenceDefinitionInput = {
	name: 'Chat',
	startClock: 'lastContactMessage',
	reply: { action: 'exit' },
	steps: [
		{ wait: { amount: 4, unit: 'hours' }, staticText: 'Still there?' },
		{ wait: { amount: 1, unit: 'days' }, staticText: 'Is this still relevant?' },
	],
};

describe.each(BACKENDS)('store semantics on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	const enrollOne = async (cadence: string, contactKey = 'c') =>
		(await t.store.enroll([{ cadence, contactKey }]))[0].enrollment!;

	describe('Start the Clock → After the Last Contact Message', () => {
		beforeEach(async () => {
			await t.store.publishCadence(chat);
		});

		it('counts the first step from a contact message recorded before the enrollment', async () => {
			const wrote = clock.nowMs;
			await t.store.recordInbound({ contactKey: 'c', text: 'Do you deliver on Saturdays?' });
			clock.advance(30 * MINUTE);
			const enrollment = await enrollOne('Chat');
			expect(enrollment.anchorAt).toBe(wrote);
			expect(enrollment.nextDueAt).toBe(wrote + 4 * HOUR);
		});

		it('counts from the enrollment when the contact has no message on record', async () => {
			await t.store.recordInbound({ contactKey: 'someone else', text: 'hi' });
			clock.advance(HOUR);
			const enrollment = await enrollOne('Chat');
			expect(enrollment.nextDueAt).toBe(clock.nowMs + 4 * HOUR);
		});

		it('moves the first step to a later contact message instead of applying the reply policy', async () => {
			const enrollment = await enrollOne('Chat');
			clock.advance(2 * HOUR);
			const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'one more thing' });
			expect(effects).toEqual([expect.objectContaining({ action: 'reanchor', state: 'active' })]);
			const after = await t.store.getEnrollment(enrollment.id);
			expect(after).toMatchObject({ state: 'active', anchorAt: clock.nowMs });
			expect(after!.nextDueAt).toBe(clock.nowMs + 4 * HOUR);
		});

		it('a message while the first step is in flight moves it too, on the same step run', async () => {
			const enrollment = await enrollOne('Chat');
			clock.advance(4 * HOUR);
			const [claimed] = await t.store.claimDue({ cadence: 'Chat' });
			await t.store.recordInbound({ contactKey: 'c', text: 'wait, I am here' });
			expect((await t.store.getEnrollment(enrollment.id))!.nextDueAt).toBe(clock.nowMs + 4 * HOUR);
			clock.advance(4 * HOUR);
			const [again] = await t.store.claimDue({ cadence: 'Chat' });
			expect(again.stepRun).toMatchObject({ id: claimed.stepRun.id, claims: 2 });
		});

		it('after a follow-up went out, a contact message is a reply and the policy applies', async () => {
			const enrollment = await enrollOne('Chat');
			clock.advance(4 * HOUR);
			const [claimed] = await t.store.claimDue({ cadence: 'Chat' });
			await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'Still there?' });
			const { effects } = await t.store.recordInbound({ contactKey: 'c', text: 'yes' });
			expect(effects).toEqual([expect.objectContaining({ action: 'exit', state: 'exited' })]);
			expect((await t.store.getEnrollment(enrollment.id))!.exitReason).toBe('replied');
		});

		it('an opt-out before the first follow-up still opts out', async () => {
			const enrollment = await enrollOne('Chat');
			await t.store.recordInbound({ contactKey: 'c', text: 'STOP', action: 'optOut' });
			expect((await t.store.getEnrollment(enrollment.id))!.state).toBe('exited');
		});
	});

	it('skipping a waiting step writes a skipped step run, and the funnel counts it', async () => {
		await t.store.publishCadence(prospecting);
		const enrollment = await enrollOne('Prospecting');
		await t.store.skipStep({ enrollmentId: enrollment.id, reason: 'not needed' });
		const runs = await t.store.getStepRuns(enrollment.id);
		expect(runs).toEqual([
			expect.objectContaining({ stepIndex: 0, status: 'skipped', claims: 0, detail: 'not needed' }),
		]);
		const [row] = await t.store.funnel({ cadence: 'Prospecting' });
		expect(row).toMatchObject({ stepIndex: 0, total: 1 });
		expect(row.counts.skipped).toBe(1);
		const timeline = await t.store.getTimeline(enrollment.id);
		expect(timeline.find((e) => e.type === 'skipped')!.stepRunId).toBe(runs[0].id);
	});

	describe('replies in the funnel and reply rates', () => {
		const twoModes: CadenceDefinitionInput = {
			name: 'Rates',
			reply: { action: 'restart' },
			steps: [
				{ wait: { amount: 1, unit: 'hours' }, staticText: 'one' },
				{
					wait: { amount: 1, unit: 'hours' },
					composeMode: 'aiFull',
					instruction: 'ask again',
					staticText: 'two',
				},
				{ wait: { amount: 1, unit: 'days' }, staticText: 'three' },
			],
		};

		/** Claims every due step and confirms each as sent. */
		async function sendAllDue() {
			for (const claimed of await t.store.claimDue({ cadence: 'Rates' })) {
				await t.store.markSent({ stepRunId: claimed.stepRun.id, text: 'x' });
			}
		}

		it('counts people only as replied, out-of-office notes and auto-replies apart', async () => {
			await t.store.publishCadence(twoModes);
			for (const key of ['person', 'ooo', 'auto']) {
				await t.store.enroll([{ cadence: 'Rates', contactKey: key, agent: 'Alexey' }]);
			}
			clock.advance(HOUR);
			await sendAllDue();
			await t.store.recordInbound({ contactKey: 'person', text: 'Thanks, yes' });
			await t.store.recordInbound({ contactKey: 'ooo', text: 'Away', kind: 'outOfOffice' });
			await t.store.recordInbound({ contactKey: 'auto', text: 'Auto', action: 'ignore' });

			const [step1] = await t.store.funnel({ cadence: 'Rates' });
			expect(step1.counts).toMatchObject({ replied: 1, sent: 2 });
			expect(step1).toMatchObject({ outOfOffice: 1, autoReplies: 1, total: 3 });

			const [rate] = await t.store.replyRates({ cadence: 'Rates', by: 'step' });
			expect(rate).toMatchObject({
				group: 1,
				sent: 3,
				replied: 1,
				outOfOffice: 1,
				autoReplies: 1,
				replyRate: 0.3333,
			});
		});

		it('gives rates per step, compose mode, cadence version and agent', async () => {
			await t.store.publishCadence(twoModes);
			await t.store.enroll([{ cadence: 'Rates', contactKey: 'a', agent: 'Alexey' }]);
			await t.store.enroll([{ cadence: 'Rates', contactKey: 'b', agent: 'Maria' }]);
			clock.advance(HOUR);
			await sendAllDue(); // step 1 to a and b
			clock.advance(HOUR);
			await sendAllDue(); // step 2 to a and b
			await t.store.recordInbound({ contactKey: 'a', text: 'ok!' }); // a restarts
			// Version 2: the same cadence, changed; one more contact on it.
			await t.store.publishCadence({ ...twoModes, persona: 'brief' });
			await t.store.enroll([{ cadence: 'Rates', contactKey: 'c', agent: 'Maria' }]);
			clock.advance(HOUR);
			await sendAllDue(); // step 1 to a (again, version 1) and c (version 2)

			const byStep = await t.store.replyRates({ cadence: 'Rates', by: 'step' });
			expect(byStep.map((r) => [r.group, r.sent, r.replied, r.replyRate])).toEqual([
				[1, 4, 0, 0],
				[2, 2, 1, 0.5],
			]);
			const byMode = await t.store.replyRates({ cadence: 'Rates', by: 'composeMode' });
			expect(byMode.map((r) => [r.group, r.sent, r.replied])).toEqual([
				['aiFull', 2, 1],
				['static', 4, 0],
			]);
			const byVersion = await t.store.replyRates({ cadence: 'Rates', by: 'version' });
			expect(byVersion.map((r) => [r.group, r.sent, r.replied, r.replyRate])).toEqual([
				[1, 5, 1, 0.2],
				[2, 1, 0, 0],
			]);
			const byAgent = await t.store.replyRates({ cadence: 'Rates', by: 'agent' });
			expect(byAgent.map((r) => [r.group, r.sent, r.replied, r.inFollowUp])).toEqual([
				['Alexey', 3, 1, 1],
				['Maria', 3, 0, 2],
			]);
		});
	});

	describe('the hourly cap', () => {
		const capped: CadenceDefinitionInput = {
			name: 'Capped',
			limits: { perCadencePerHour: 2 },
			schedule: { timeZone: 'Europe/Berlin' },
			steps: [{ wait: { amount: 0, unit: 'minutes' }, staticText: 'hello' }],
		};

		it('moves every held step to its next slot and says why', async () => {
			await t.store.publishCadence(capped);
			for (const key of ['a', 'b', 'c', 'd', 'e']) await enrollOne('Capped', key);
			const first = await t.store.claimDue({ cadence: 'Capped' });
			expect(first).toHaveLength(2);
			const claimedAt = clock.nowMs;
			const held = (await t.store.listEnrollments({ cadence: 'Capped' })).filter(
				(e) => e.nextDueAt !== null,
			);
			expect(held).toHaveLength(3);
			// 09:00 UTC is 10:00 in Berlin; two slots free up an hour after the two claims.
			const dueTimes = held.map((e) => e.nextDueAt).sort();
			expect(dueTimes).toEqual([claimedAt + HOUR, claimedAt + HOUR, claimedAt + 2 * HOUR]);
			for (const e of held) {
				expect(e.nextReason).toMatch(
					/^held: 2 per hour reached for cadence "Capped"; next slot 1[12]:00 \(Europe\/Berlin\)$/,
				);
			}
			const timeline = await t.store.getTimeline(held[0].id);
			expect(timeline.map((e) => e.type)).toContain('deferred');

			clock.advance(HOUR);
			expect(await t.store.claimDue({ cadence: 'Capped' })).toHaveLength(2);
			clock.advance(HOUR);
			expect(await t.store.claimDue({ cadence: 'Capped' })).toHaveLength(1);
		});

		it('a held step that lands outside working hours waits for them, with both reasons', async () => {
			await t.store.publishCadence({
				...capped,
				limits: { perCadencePerHour: 1 },
				schedule: {
					timeZone: 'UTC',
					workingHours: { monday: [{ from: '09:00', to: '09:30' }] },
				},
			});
			await enrollOne('Capped', 'a');
			const b = await enrollOne('Capped', 'b');
			expect(await t.store.claimDue({ cadence: 'Capped' })).toHaveLength(1);
			const held = await t.store.getEnrollment(b.id);
			expect(held!.nextDueAt).toBe(Date.parse('2026-03-09T09:00:00Z'));
			expect(held!.nextReason).toMatch(
				/^held: 1 per hour .* next slot 10:00 \(UTC\), then deferred/,
			);
		});
	});

	describe('cadences with the same name in two workflows', () => {
		const clientA = { workflowId: 'wf-A', nodeId: 'node-1', workflowName: 'Client A' };
		const clientB = { workflowId: 'wf-B', nodeId: 'node-1', workflowName: 'Client B' };

		it('are two independent cadences, each with its own steps, queue and enrollments', async () => {
			const a = await t.store.publishCadence(prospecting, clientA);
			const b = await t.store.publishCadence(
				{ ...prospecting, steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'B only' }] },
				clientB,
			);
			expect(a.id).not.toBe(b.id);
			expect([a.version, b.version]).toEqual([1, 1]);
			// Publishing A again changes nothing of B.
			expect(await t.store.publishCadence(prospecting, clientA)).toMatchObject({
				id: a.id,
				created: false,
			});

			const [inA] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }], {
				workflowId: 'wf-A',
			});
			const [inB] = await t.store.enroll([{ cadence: b.id, contactKey: 'c' }]);
			expect(inA.enrollment!.cadenceId).toBe(a.id);
			expect(inB.enrollment!.cadenceId).toBe(b.id);

			clock.advance(DAY);
			const claimedB = await t.store.claimDue({ cadence: b.id });
			expect(claimedB.map((c) => [c.enrollment.id, c.step.staticText])).toEqual([
				[inB.enrollment!.id, 'B only'],
			]);
			clock.advance(2 * DAY);
			const claimedA = await t.store.claimDue({ cadence: a.id });
			expect(claimedA.map((c) => c.enrollment.id)).toEqual([inA.enrollment!.id]);

			const listed = await t.store.listCadences({ search: 'prosp' });
			expect(listed.map((c) => [c.id, c.workflowName, c.nameShared])).toEqual([
				[a.id, 'Client A', true],
				[b.id, 'Client B', true],
			]);
		});

		it('refuses a shared name where it cannot tell which is meant, naming both workflows', async () => {
			await t.store.publishCadence(prospecting, clientA);
			await t.store.publishCadence(prospecting, clientB);
			const attempt = t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
			await expect(attempt).rejects.toThrow(CadenceValidationError);
			await expect(attempt).rejects.toThrow(
				/2 cadences are named "Prospecting".*"Client A" \(wf-A\).*"Client B" \(wf-B\).*pick the one you mean from the list/,
			);
			await expect(t.store.claimDue({ cadence: 'Prospecting' })).rejects.toThrow(/2 cadences/);
			await expect(t.store.funnel({ cadence: 'Prospecting' })).rejects.toThrow(/2 cadences/);
			expect(await t.store.listEnrollments()).toEqual([]);
		});

		it('the picker\'s "Name #id" picks one of them; a name that only looks like one is a name', async () => {
			await t.store.publishCadence(prospecting, clientA);
			const b = await t.store.publishCadence(prospecting, clientB);
			const [picked] = await t.store.enroll([{ cadence: `Prospecting #${b.id}`, contactKey: 'c' }]);
			expect(picked.enrollment!.cadenceId).toBe(b.id);
			const literal = await t.store.publishCadence(withName(prospecting, 'Offer #1'));
			const [named] = await t.store.enroll([{ cadence: 'Offer #1', contactKey: 'c' }]);
			expect(named.enrollment!.cadenceId).toBe(literal.id);
			await expect(t.store.getCadence(`Prospecting #${literal.id}`)).resolves.toBeNull();
		});

		it('a cadence published before owners existed is adopted by the first trigger, enrollments and all', async () => {
			const legacy = await t.store.publishCadence(prospecting);
			const enrolled = await enrollOne('Prospecting');
			const adopted = await t.store.publishCadence(prospecting, clientA);
			expect(adopted).toMatchObject({ id: legacy.id, version: 1, created: false });
			const other = await t.store.publishCadence(prospecting, clientB);
			expect(other.id).not.toBe(legacy.id);
			expect((await t.store.getEnrollment(enrolled.id))!.cadenceId).toBe(legacy.id);
		});

		it('renaming the cadence in its trigger keeps the cadence and its enrollments', async () => {
			const before = await t.store.publishCadence(prospecting, clientA);
			const enrolled = await enrollOne('Prospecting');
			const after = await t.store.publishCadence(withName(prospecting, 'Outreach'), clientA);
			expect(after).toMatchObject({ id: before.id, name: 'Outreach', version: 2 });
			expect((await t.store.getEnrollment(enrolled.id))!.cadenceName).toBe('Outreach');
		});
	});

	describe('stored definitions after an upgrade', () => {
		it('reads an old version back with the defaults of fields added since', async () => {
			const published = await t.store.publishCadence(prospecting);
			// As an older release stored it: no limits, schedule, reply or re-enrollment fields.
			const old = {
				name: 'Prospecting',
				steps: [{ wait: { amount: 3, unit: 'days' }, staticText: 'Hi {{firstName}}' }],
			};
			const raw = rawDriver(t.location.config);
			try {
				await raw.run('UPDATE cadence_versions SET definition = ? WHERE cadence_id = ?', [
					JSON.stringify(old),
					published.id,
				]);
			} finally {
				await raw.close();
			}
			const reopened = await openStore(t.location.config, clock.read);
			try {
				const cadence = await reopened.getCadence('Prospecting');
				expect(cadence!.definition).toMatchObject({
					limits: { perContactPerDay: null, perCadencePerHour: null },
					reply: { action: 'exit' },
					schedule: { timeZone: 'UTC', workingHours: null },
					steps: [{ composeMode: 'static', runOnce: false, channel: 'automatic' }],
				});
				const [result] = await reopened.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
				expect(result.enrollment!.nextDueAt).toBe(clock.nowMs + 3 * DAY);
			} finally {
				await reopened.close();
			}
		});

		it('names the cadence and version when a stored definition cannot be read', async () => {
			const published = await t.store.publishCadence(prospecting);
			const raw = rawDriver(t.location.config);
			try {
				await raw.run('UPDATE cadence_versions SET definition = ? WHERE cadence_id = ?', [
					JSON.stringify({ name: 'Prospecting', steps: [] }),
					published.id,
				]);
			} finally {
				await raw.close();
			}
			const reopened = await openStore(t.location.config, clock.read);
			try {
				const attempt = reopened.getCadence('Prospecting');
				await expect(attempt).rejects.toThrow(CadenceStoreError);
				await expect(attempt).rejects.toThrow(
					new RegExp(
						`cadence ${published.id} version 1 cannot be read \\(steps: add at least one step\\)`,
					),
				);
			} finally {
				await reopened.close();
			}
		});

		it('refuses to open a store that a newer release migrated', async () => {
			const raw = rawDriver(t.location.config);
			const newest = Math.max(...MIGRATIONS.map((m) => m.version));
			try {
				await raw.run(
					'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
					[newest + 1, 'from the future', clock.nowMs],
				);
				const attempt = migrate(raw, clock.nowMs);
				await expect(attempt).rejects.toThrow(CadenceStoreError);
				await expect(attempt).rejects.toThrow(
					new RegExp(
						`schema version ${newest + 1}; this one knows up to ${newest}\\)\\. Upgrade the package on every n8n process`,
					),
				);
			} finally {
				await raw.close();
			}
			await expect(openStore(t.location.config, clock.read)).rejects.toThrow(/Upgrade the package/);
		});
	});
});
