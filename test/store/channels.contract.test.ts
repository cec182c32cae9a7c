import { openStore } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import { CadenceValidationError } from '../../engine/errors';
import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { count, rawDriver } from '../support/raw-sql';
import { DAY, HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

/**
 * Contact channels and conversations in the store, on both backends: identities, conversation
 * status and per-channel times, the channel decision from stored facts, channel message ids with
 * forward-only delivery statuses, the failure policy, and inactivity enrollment once per cadence.
 */

jest.setTimeout(60_000);

const twoSteps = (channels: CadenceDefinitionInput['channels'] = {}): CadenceDefinitionInput => ({
	name: 'Billing',
	steps: [
		{ wait: { amount: 1, unit: 'hours' }, staticText: 'first', channel: 'automatic' },
		{ wait: { amount: 1, unit: 'days' }, staticText: 'second', channel: 'automatic' },
	],
	channels,
});

describe.each(BACKENDS)('channels and conversations on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	async function claimOne(cadence = 'Billing') {
		const claimed = await t.store.claimDue({ cadence });
		expect(claimed).toHaveLength(1);
		return claimed[0];
	}

	describe('identities', () => {
		it('are normalised, kept once, and found again by value', async () => {
			await t.store.enroll([
				{
					cadence: (await t.store.publishCadence(twoSteps())).name,
					contactKey: 'ana',
					identities: [
						{ kind: 'phone', value: '+55 (11) 98765-4321' },
						{ kind: 'email', value: 'Ana@Example.com' },
					],
				},
			]);
			await t.store.recordInbound({
				contactKey: 'ana',
				text: 'hi',
				channel: 'WhatsApp',
				identities: [{ kind: 'phone', value: '5511987654321' }],
			});
			expect(await t.store.getIdentities('ana')).toEqual([
				{ kind: 'email', value: 'ana@example.com' },
				{ kind: 'phone', value: '+5511987654321' },
			]);
			expect(
				await t.store.findContactsByIdentity({ kind: 'phone', value: '+5511987654321' }),
			).toEqual(['ana']);
		});

		it('a bad identity is refused, naming the field, and nothing is written', async () => {
			const { name } = await t.store.publishCadence(twoSteps());
			const attempt = t.store.enroll([
				{ cadence: name, contactKey: 'ana', identities: [{ kind: 'phone', value: '12' }] },
			]);
			await expect(attempt).rejects.toThrow(CadenceValidationError);
			await expect(attempt).rejects.toThrow(/identities\.0\.value: "12" is not a phone number/);
			await expect(
				t.store.recordIdentities({
					contactKey: 'ana',
					identities: [{ kind: 'fax' as never, value: '1' }],
				}),
			).rejects.toThrow(/identities\.0\.kind: use one of: phone, email/);
			await expect(
				t.store.recordInbound({
					contactKey: 'ana',
					text: 'hi',
					identities: [{ kind: 'email', value: 'nope' }],
				}),
			).rejects.toThrow(/identities\.0\.value: "nope" is not an email address/);
			expect(await t.store.getIdentities('ana')).toEqual([]);
			expect(await t.store.listEnrollments()).toEqual([]);
			expect(await t.store.getConversation({ contactKey: 'ana' })).toEqual([]);
			expect(await t.store.getConversationState({ contactKey: 'ana' })).toBeNull();
		});
	});

	describe('conversations', () => {
		it('keep their channel, status and the last inbound / outbound time per channel', async () => {
			const start = clock.nowMs;
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'a',
				channel: 'WhatsApp Cloud',
			});
			clock.advance(MINUTE);
			await t.store.recordOutbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'b',
				channel: 'sms',
			});
			clock.advance(MINUTE);
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'c',
				channel: 'sms',
			});
			// A message recorded late (an older `at`) never moves a time backwards.
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'old',
				channel: 'whatsapp',
				at: start - HOUR,
			});
			expect(await t.store.getConversationState({ contactKey: 'c', conversationKey: 'k' })).toEqual(
				{
					contactKey: 'c',
					conversationKey: 'k',
					channel: 'whatsapp',
					status: 'open',
					lastInboundAt: start + 2 * MINUTE,
					lastOutboundAt: start + MINUTE,
					activityAt: start + 2 * MINUTE,
					assignee: null,
					channels: [
						{ channel: 'sms', lastInboundAt: start + 2 * MINUTE, lastOutboundAt: start + MINUTE },
						{ channel: 'whatsapp', lastInboundAt: start, lastOutboundAt: null },
					],
				},
			);
		});

		it('Mark Sent for many items folds sends to one conversation into one row per channel', async () => {
			await t.store.publishCadence(twoSteps());
			await t.store.publishCadence({ ...twoSteps(), name: 'Other' });
			await t.store.enroll([
				{ cadence: 'Billing', contactKey: 'c', conversationKey: 'k' },
				{ cadence: 'Other', contactKey: 'c', conversationKey: 'k' },
			]);
			clock.advance(HOUR);
			const [first] = await t.store.claimDue({ cadence: 'Billing' });
			const [second] = await t.store.claimDue({ cadence: 'Other' });
			const at = clock.nowMs;
			const results = await t.store.markSentMany([
				{ stepRunId: first.stepRun.id, channel: 'sms', at: at - MINUTE },
				{ stepRunId: second.stepRun.id, channel: 'WhatsApp', at },
			]);
			expect(results.map((r) => (r instanceof Error ? r.message : r.status))).toEqual([
				'sent',
				'sent',
			]);
			expect(
				await t.store.getConversationState({ contactKey: 'c', conversationKey: 'k' }),
			).toMatchObject({
				channel: 'whatsapp',
				lastOutboundAt: at,
				lastInboundAt: null,
				channels: [
					{ channel: 'sms', lastInboundAt: null, lastOutboundAt: at - MINUTE },
					{ channel: 'whatsapp', lastInboundAt: null, lastOutboundAt: at },
				],
			});
		});

		it('status changes count as activity; resolving exits; the contact writing reopens', async () => {
			const { name } = await t.store.publishCadence(twoSteps());
			const [{ enrollment }] = await t.store.enroll([
				{ cadence: name, contactKey: 'c', conversationKey: 'k' },
			]);
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'x',
				channel: 'sms',
				action: 'ignore',
			});
			clock.advance(HOUR);
			const pending = await t.store.updateConversation({
				contactKey: 'c',
				conversationKey: 'k',
				status: 'pending',
			});
			expect(pending.conversation).toMatchObject({ status: 'pending', activityAt: clock.nowMs });
			expect(pending.exited).toEqual([]);
			clock.advance(HOUR);
			const resolved = await t.store.updateConversation({
				contactKey: 'c',
				conversationKey: 'k',
				status: 'resolved',
			});
			expect(resolved.exited).toEqual([enrollment!.id]);
			expect((await t.store.getEnrollment(enrollment!.id))!.exitReason).toBe('resolved');
			clock.advance(HOUR);
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k',
				text: 'back',
				channel: 'sms',
			});
			expect(
				(await t.store.getConversationState({ contactKey: 'c', conversationKey: 'k' }))!.status,
			).toBe('open');
			// Cadence → Resolved (markResolved) sets the status too.
			await t.store.markResolved({ contactKey: 'c', conversationKey: 'k' });
			expect(
				(await t.store.getConversationState({ contactKey: 'c', conversationKey: 'k' }))!.status,
			).toBe('resolved');
			// Without a conversation key, every conversation of the contact is resolved.
			await t.store.recordInbound({
				contactKey: 'c',
				conversationKey: 'k2',
				text: 'y',
				channel: 'sms',
			});
			await t.store.markResolved({ contactKey: 'c' });
			expect(
				(await t.store.getConversationState({ contactKey: 'c', conversationKey: 'k2' }))!.status,
			).toBe('resolved');
		});

		it('the assignee is kept, changed, left as is when empty, and names a draft’s reviewer', async () => {
			const { name } = await t.store.publishCadence(twoSteps());
			await t.store.enroll([{ cadence: name, contactKey: 'c', conversationKey: 'k' }]);
			const ref = { contactKey: 'c', conversationKey: 'k' };
			const set = await t.store.updateConversation({ ...ref, assignee: '  Lia  ' });
			expect(set.conversation).toMatchObject({ status: 'open', assignee: 'Lia' });
			await t.store.updateConversation({ ...ref, status: 'pending', assignee: '' });
			expect(await t.store.getConversationState(ref)).toMatchObject({
				status: 'pending',
				assignee: 'Lia',
			});
			await t.store.updateConversation({ ...ref, assignee: 'max@example.com' });
			// Another conversation of the contact has its own assignee.
			await t.store.updateConversation({ contactKey: 'c', conversationKey: 'k2', assignee: 'Zed' });
			clock.advance(2 * HOUR);
			const run = await claimOne(name);
			await t.store.recordDrafts([
				{ stepRunId: run.stepRun.id, text: 'Draft', awaitingApproval: true },
			]);
			const { events } = await t.store.eventsAfter({ afterId: 0, types: ['draftPending'] });
			expect(events.map((e) => [e.enrollment.contactKey, e.conversationAssignee])).toEqual([
				['c', 'max@example.com'],
			]);
		});

		it('a bad assignee is refused naming the field, and nothing is written', async () => {
			const ref = { contactKey: 'c', conversationKey: 'k' };
			await t.store.updateConversation({ ...ref, assignee: 'Lia' });
			await expect(
				t.store.updateConversation({ ...ref, status: 'pending', assignee: 'x'.repeat(513) }),
			).rejects.toThrow(/assignee: the assignee is longer than 512 characters/);
			await expect(
				t.store.updateConversation({ ...ref, status: 'pending', assignee: 42 as never }),
			).rejects.toThrow(/assignee: give the assignee as text/);
			await expect(
				t.store.updateConversation({ contactKey: 'new', assignee: ['Lia'] as never }),
			).rejects.toThrow(CadenceValidationError);
			expect(await t.store.getConversationState(ref)).toMatchObject({
				status: 'open',
				assignee: 'Lia',
			});
			expect(await t.store.getConversationState({ contactKey: 'new' })).toBeNull();
		});

		it('bad updates are refused and write nothing', async () => {
			await expect(
				t.store.updateConversation({ contactKey: 'c', status: 'closed' as never }),
			).rejects.toThrow(/status: use one of: open, pending, resolved/);
			await expect(t.store.updateConversation({ contactKey: 'c' })).rejects.toThrow(
				/give the conversation status, its channel or its assignee/,
			);
			expect(await t.store.getConversationState({ contactKey: 'c' })).toBeNull();
		});
	});

	describe('the channel decision from stored facts', () => {
		it('WhatsApp text inside the window, the template outside it, from the last inbound WhatsApp message', async () => {
			await t.store.publishCadence({
				name: 'Window',
				steps: [
					{
						wait: { amount: 1, unit: 'hours' },
						staticText: 'Hi',
						channel: 'whatsapp',
						whatsappTemplate: 'invoice_reminder_2',
						whatsappTemplateParameters: ['{{firstName}}'],
					},
				],
			});
			await t.store.recordInbound({
				contactKey: 'c',
				text: 'hello',
				channel: 'whatsapp',
				identities: [{ kind: 'whatsapp', value: '5511987654321' }],
			});
			await t.store.enroll([
				{ cadence: 'Window', contactKey: 'c', variables: { firstName: 'Ana' } },
			]);
			clock.advance(HOUR);
			const claimed = await claimOne('Window');
			expect(await t.store.decideStepChannel(claimed)).toMatchObject({
				outcome: 'send',
				route: 'whatsappText',
				address: { kind: 'whatsapp', value: '+5511987654321' },
			});
			expect(await t.store.decideStepChannel(claimed, clock.nowMs + 23 * HOUR)).toMatchObject({
				route: 'whatsappTemplate',
				template: { name: 'invoice_reminder_2', language: 'en', parameters: ['Ana'] },
				reason:
					"set on the step: whatsapp; outside WhatsApp's 24 h window since 09:00; sending template invoice_reminder_2",
			});
		});
	});

	describe('channel message ids and delivery reports', () => {
		async function sentStep(channels: CadenceDefinitionInput['channels'] = {}) {
			const { name } = await t.store.publishCadence(twoSteps(channels));
			const [{ enrollment }] = await t.store.enroll([
				{
					cadence: name,
					contactKey: 'c',
					identities: [
						{ kind: 'phone', value: '+5511987654321' },
						{ kind: 'email', value: 'c@example.com' },
					],
				},
			]);
			clock.advance(HOUR);
			const claimed = await claimOne();
			const run = await t.store.markSent({
				stepRunId: claimed.stepRun.id,
				text: 'first',
				channel: 'whatsapp',
				channelMessageId: 'wamid.1',
			});
			return { enrollmentId: enrollment!.id, run, claimed };
		}

		it('Mark Sent stores the id on the step run, and a report finds the step by it', async () => {
			const { run } = await sentStep();
			expect(run).toMatchObject({
				status: 'sent',
				channel: 'whatsapp',
				channelMessageId: 'wamid.1',
			});
			expect((await t.store.getStepRunByChannelMessageId('wamid.1'))!.id).toBe(run.id);
			expect(await t.store.getStepRunByChannelMessageId('wamid.other')).toBeNull();
			const unknown = await t.store.recordDelivery({
				channelMessageId: 'wamid.other',
				status: 'read',
			});
			expect(unknown).toMatchObject({ outcome: 'unknown', stepRun: null });
		});

		it('statuses only move forward: a late "delivered" after "read" is ignored', async () => {
			const { run } = await sentStep();
			const at = clock.nowMs;
			expect(
				await t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'queued' }),
			).toMatchObject({ outcome: 'ignored' });
			clock.advance(MINUTE);
			expect(
				await t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'delivered' }),
			).toMatchObject({
				outcome: 'applied',
				stepRun: { status: 'delivered', deliveredAt: at + MINUTE },
			});
			clock.advance(MINUTE);
			expect(
				await t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'read' }),
			).toMatchObject({
				stepRun: { status: 'read', readAt: at + 2 * MINUTE },
			});
			clock.advance(MINUTE);
			const late = await t.store.recordDelivery({
				channelMessageId: 'wamid.1',
				status: 'delivered',
			});
			expect(late).toMatchObject({
				outcome: 'ignored',
				reason: 'already read; a late delivered is ignored',
			});
			const failedLate = await t.store.recordDelivery({
				channelMessageId: 'wamid.1',
				status: 'failed',
			});
			expect(failedLate.outcome).toBe('ignored');
			const after = await t.store.getStepRun({ stepRunId: run.id });
			expect(after).toMatchObject({
				status: 'read',
				deliveredAt: at + MINUTE,
				readAt: at + 2 * MINUTE,
			});
			const types = (await t.store.getTimeline(run.enrollmentId)).map((e) => e.type);
			expect(types.filter((x) => x === 'delivered' || x === 'read')).toEqual(['delivered', 'read']);
		});

		it('one id belongs to one send: reusing it for another step is refused and writes nothing', async () => {
			const { run } = await sentStep();
			// The same send confirmed again with its id is fine.
			await t.store.markSent({ stepRunId: run.id, channelMessageId: 'wamid.1' });
			clock.advance(DAY);
			const second = await claimOne();
			await expect(
				t.store.markSent({ stepRunId: second.stepRun.id, channelMessageId: 'wamid.1' }),
			).rejects.toThrow(
				/channelMessageId: the channel message id "wamid.1" already belongs to step run/,
			);
			expect((await t.store.getStepRun({ stepRunId: second.stepRun.id })).status).toBe('pending');
		});

		it('Mark Sent for many items: an id already taken fails that item alone', async () => {
			const { name } = await t.store.publishCadence(twoSteps());
			await t.store.enroll(['a', 'b', 'c'].map((contactKey) => ({ cadence: name, contactKey })));
			clock.advance(HOUR);
			const claimed = await t.store.claimDue({ cadence: name });
			const [a, b, c] = claimed.map((x) => x.stepRun.id);
			await t.store.markSent({ stepRunId: a, channel: 'sms', channelMessageId: 'SM-a' });
			const results = await t.store.markSentMany([
				{ stepRunId: b, channel: 'sms', channelMessageId: 'SM-a' },
				{ stepRunId: c, channel: 'SMS', channelMessageId: 'SM-c' },
			]);
			expect(results[0]).toBeInstanceOf(CadenceValidationError);
			expect((results[0] as Error).message).toMatch(
				/channelMessageId: .*already belongs to step run/,
			);
			expect(results[1]).toMatchObject({
				id: c,
				status: 'sent',
				channel: 'sms',
				channelMessageId: 'SM-c',
			});
			expect((await t.store.getStepRun({ stepRunId: b })).status).toBe('pending');
			expect((await t.store.getStepRunByChannelMessageId('SM-c'))!.id).toBe(c);
		});

		it('failure policy "end the enrollment": the step is Failed and the enrollment ends as failed', async () => {
			const { run, enrollmentId } = await sentStep();
			const result = await t.store.recordDelivery({
				channelMessageId: 'wamid.1',
				status: 'failed',
				detail: 'recipient not on WhatsApp',
			});
			expect(result.failure).toEqual({ action: 'endedEnrollment', enrollmentId });
			expect(result.stepRun).toMatchObject({ status: 'failed' });
			const enrollment = (await t.store.getEnrollment(enrollmentId))!;
			expect(enrollment).toMatchObject({
				state: 'failed',
				exitReason: 'step 1 failed on whatsapp: recipient not on WhatsApp',
				nextDueAt: null,
			});
			// Nothing is due any more: the second step never goes out.
			clock.advance(3 * DAY);
			expect(await t.store.claimDue({ cadence: 'Billing' })).toEqual([]);
			const types = (await t.store.getTimeline(enrollmentId)).map((e) => e.type);
			expect(types).toEqual(expect.arrayContaining(['failed', 'enrollmentFailed']));
			expect(run.id).toBe(result.stepRun!.id);
			// Failed is terminal: later reports change nothing.
			expect(
				(await t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'read' })).outcome,
			).toBe('ignored');
		});

		it('failure policy "next channel": the step goes out again at once, leaving out the failed channel', async () => {
			const { run, enrollmentId } = await sentStep({ onFailure: 'nextChannel' });
			clock.advance(MINUTE);
			const result = await t.store.recordDelivery({
				channelMessageId: 'wamid.1',
				status: 'failed',
			});
			expect(result.failure).toEqual({ action: 'nextChannel', failedChannels: ['whatsapp'] });
			expect(await t.store.getEnrollment(enrollmentId)).toMatchObject({
				state: 'active',
				nextStep: 0,
				nextDueAt: clock.nowMs,
			});
			const again = await claimOne();
			expect(again.stepRun).toMatchObject({ id: run.id, failedChannels: ['whatsapp'], claims: 2 });
			const decision = await t.store.decideStepChannel(again);
			expect(decision).toMatchObject({ channel: 'sms', route: 'sms' });
			expect(decision.reason).toMatch(/delivery failed on whatsapp/);
			await t.store.markSent({ stepRunId: run.id, channel: 'sms', channelMessageId: 'SM1' });
			expect(await t.store.getStepRun({ stepRunId: run.id })).toMatchObject({
				status: 'sent',
				channel: 'sms',
				channelMessageId: 'SM1',
			});
			// The failed attempt's id stays failed: a late report on it changes nothing.
			expect(
				(await t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'delivered' }))
					.outcome,
			).toBe('ignored');
			// Failing on SMS and then email too leaves no channel: the decision says so, the node
			// reports the step failed, and the enrollment ends as failed.
			const second = await t.store.recordDelivery({ channelMessageId: 'SM1', status: 'failed' });
			expect(second.failure).toEqual({
				action: 'nextChannel',
				failedChannels: ['whatsapp', 'sms'],
			});
			const third = await claimOne();
			await t.store.markSent({
				stepRunId: third.stepRun.id,
				channel: 'email',
				channelMessageId: 'em-1',
			});
			await t.store.recordDelivery({ channelMessageId: 'em-1', status: 'failed' });
			const last = await claimOne();
			const none = await t.store.decideStepChannel(last);
			expect(none).toMatchObject({ outcome: 'fail', route: null });
			expect(none.reason).toMatch(/delivery failed on whatsapp, sms, email/);
			await t.store.setStepStatus({ stepRunId: run.id, status: 'failed', detail: none.reason });
			expect(await t.store.getEnrollment(enrollmentId)).toMatchObject({ state: 'failed' });
			expect((await t.store.getStepRun({ stepRunId: run.id })).status).toBe('failed');
		});

		it('a failure of an older step marks only that step', async () => {
			const { run, enrollmentId } = await sentStep();
			clock.advance(DAY);
			const second = await claimOne();
			await t.store.markSent({
				stepRunId: second.stepRun.id,
				channel: 'sms',
				channelMessageId: 'SM2',
			});
			const result = await t.store.recordDelivery({
				channelMessageId: 'wamid.1',
				status: 'failed',
			});
			expect(result.failure).toEqual({ action: 'stepOnly' });
			expect((await t.store.getStepRun({ stepRunId: run.id })).status).toBe('failed');
			expect((await t.store.getEnrollment(enrollmentId))!.state).toBe('completed');
		});

		it('a bad report is refused by name and writes nothing', async () => {
			await sentStep();
			await expect(
				t.store.recordDelivery({ channelMessageId: 'wamid.1', status: 'bounced' as never }),
			).rejects.toThrow(/status: use one of: queued, sent, delivered, read, failed/);
			await expect(
				t.store.recordDelivery({ channelMessageId: '  ', status: 'read' }),
			).rejects.toThrow(/channelMessageId: the channel message id is empty/);
			expect((await t.store.getStepRunByChannelMessageId('wamid.1'))!.status).toBe('sent');
		});
	});

	describe('inactivity enrollment', () => {
		const idleCadence = (inactivity: Record<string, unknown> = {}): CadenceDefinitionInput => ({
			name: 'Recover',
			steps: [{ wait: { amount: 0, unit: 'minutes' }, staticText: 'Still there?' }],
			channels: { inactivity: { enabled: true, idleMinutes: 60, ...inactivity } },
		});
		const message = (contactKey: string, conversationKey: string, minutesAgo: number) =>
			t.store.recordInbound({
				contactKey,
				conversationKey,
				text: 'hi',
				channel: 'liveChat',
				at: clock.nowMs - minutesAgo * MINUTE,
			});

		it('enrolls conversations idle longer than the limit in the chosen statuses, once and never twice', async () => {
			await t.store.publishCadence(idleCadence());
			await message('idle', 'k1', 61);
			await message('exactly', 'k2', 60);
			await message('busy', 'k3', 59);
			await message('pending', 'k4', 90);
			await t.store.updateConversation({
				contactKey: 'pending',
				conversationKey: 'k4',
				status: 'pending',
				at: clock.nowMs - 90 * MINUTE,
			});
			await message('resolved', 'k5', 90);
			await t.store.updateConversation({
				contactKey: 'resolved',
				conversationKey: 'k5',
				status: 'resolved',
				at: clock.nowMs - 90 * MINUTE,
			});

			const first = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(first.enrolled.map((e) => [e.contactKey, e.result.outcome]).sort()).toEqual([
				['exactly', 'enrolled'],
				['idle', 'enrolled'],
				['pending', 'enrolled'],
			]);
			expect(first.scanned).toBe(4);
			expect(await t.store.enrollIdleConversations({ cadence: 'Recover' })).toEqual({
				enrolled: [],
				scanned: 0,
				more: false,
			});

			// Once idle again after new activity, a conversation is still never enrolled twice.
			const idle = first.enrolled.find((e) => e.contactKey === 'idle')!;
			await t.store.cancel({ enrollmentId: idle.result.enrollment!.id });
			await message('idle', 'k1', 0);
			clock.advance(2 * HOUR);
			const later = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(later.enrolled.map((e) => e.contactKey)).toEqual(['busy']);
		});

		it('counts only the statuses chosen', async () => {
			await t.store.publishCadence(idleCadence({ statuses: ['resolved'] }));
			await message('open', 'k1', 120);
			await message('done', 'k2', 120);
			await t.store.updateConversation({
				contactKey: 'done',
				conversationKey: 'k2',
				status: 'resolved',
				at: clock.nowMs - 120 * MINUTE,
			});
			const scan = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(scan.enrolled.map((e) => e.contactKey)).toEqual(['done']);
		});

		it('scans again from the start when Idle Statuses gains a status, enrolling nobody twice', async () => {
			await t.store.publishCadence(idleCadence({ statuses: ['open'] }));
			await message('open', 'k1', 120);
			await message('waiting', 'k2', 120);
			await t.store.updateConversation({
				contactKey: 'waiting',
				conversationKey: 'k2',
				status: 'pending',
				at: clock.nowMs - 120 * MINUTE,
			});
			const first = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(first.enrolled.map((e) => e.contactKey)).toEqual(['open']);
			expect(first.scanned).toBe(2);
			// The cursor is past both: without a change nothing is read again.
			expect((await t.store.enrollIdleConversations({ cadence: 'Recover' })).scanned).toBe(0);

			await t.store.publishCadence(idleCadence({ statuses: ['open', 'pending'] }));
			const widened = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(widened).toMatchObject({ scanned: 2, more: false });
			expect(widened.enrolled.map((e) => e.contactKey)).toEqual(['waiting']);

			// Counting fewer statuses keeps the cursor where it is.
			await t.store.publishCadence(idleCadence({ statuses: ['pending'] }));
			expect((await t.store.enrollIdleConversations({ cadence: 'Recover' })).scanned).toBe(0);
		});

		it('is bounded per call and pages on from where the last call stopped', async () => {
			await t.store.publishCadence(idleCadence());
			for (let i = 0; i < 7; i++) await message(`c${i}`, 'k', 100 - i);
			const seen: string[] = [];
			const calls: number[] = [];
			for (;;) {
				const scan = await t.store.enrollIdleConversations({ cadence: 'Recover', limit: 3 });
				calls.push(scan.scanned);
				seen.push(...scan.enrolled.map((e) => e.contactKey));
				if (!scan.more) break;
			}
			expect(calls).toEqual([3, 3, 1]);
			expect(seen).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
		});

		it('the unique constraint holds even when the scan starts over', async () => {
			await t.store.publishCadence(idleCadence());
			await message('a', 'k', 120);
			await message('b', 'k', 120);
			expect((await t.store.enrollIdleConversations({ cadence: 'Recover' })).enrolled).toHaveLength(
				2,
			);
			await t.store.cancel({ enrollmentId: (await t.store.listEnrollments())[0].id });
			const db = rawDriver(t.location.config);
			try {
				await db.run('DELETE FROM inactivity_cursors');
			} finally {
				await db.close();
			}
			const again = await t.store.enrollIdleConversations({ cadence: 'Recover' });
			expect(again).toMatchObject({ enrolled: [], scanned: 2 });
		});

		it('two callers at the same moment enroll each idle conversation exactly once', async () => {
			await t.store.publishCadence(idleCadence());
			for (let i = 0; i < 40; i++) await message(`c${i}`, 'k', 61 + i);
			const other: CadenceStore = await openStore(t.location.config, clock.read);
			try {
				const drain = async (store: CadenceStore) => {
					const got: string[] = [];
					for (;;) {
						const scan = await store.enrollIdleConversations({ cadence: 'Recover', limit: 7 });
						got.push(
							...scan.enrolled
								.filter((e) => e.result.outcome === 'enrolled')
								.map((e) => e.contactKey),
						);
						if (!scan.more) return got;
					}
				};
				const [a, b] = await Promise.all([drain(t.store), drain(other)]);
				expect([...a, ...b].sort()).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`).sort());
			} finally {
				await other.close();
			}
			const db = rawDriver(t.location.config);
			try {
				expect(await count(db, 'SELECT COUNT(*) AS n FROM enrollments')).toBe(40);
				expect(await count(db, 'SELECT COUNT(*) AS n FROM inactivity_enrollments')).toBe(40);
			} finally {
				await db.close();
			}
		});

		it('refuses a cadence that does not enroll idle conversations, writing nothing', async () => {
			await t.store.publishCadence({ ...idleCadence(), channels: {} });
			await message('a', 'k', 120);
			await expect(t.store.enrollIdleConversations({ cadence: 'Recover' })).rejects.toThrow(
				/channels\.inactivity\.enabled: the cadence "Recover" does not enroll idle conversations/,
			);
			await expect(
				t.store.enrollIdleConversations({ cadence: 'Recover', limit: 0 }),
			).rejects.toThrow(/limit/);
			expect(await t.store.listEnrollments()).toEqual([]);
		});
	});
});
