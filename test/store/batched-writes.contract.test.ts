import {
	CadenceNotFoundError,
	CadenceTransitionError,
	CadenceValidationError,
} from '../../engine/errors';
import type { ClaimedStep } from '../../engine/store/types';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { batchHelpers } from '../support/batch-helpers';
import { HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

/**
 * The batched forms the nodes call with all of an execution's items: Mark Sent (markSentMany),
 * Compose Follow-up (recordDrafts) and Exit Check (readStepFacts). Each item gets what the
 * one-item call would give it; an item that cannot be written fails alone, with its message.
 */

const CADENCE = 'Batched';

describe.each(BACKENDS)('batched store operations on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence({
			name: CADENCE,
			steps: [
				{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
				{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
			],
			limits: { perContactPerDay: 5 },
			reenrollment: { whileActive: 'restart' },
		});
	});
	afterEach(async () => t.dispose());

	const { enrollAndClaim, rows, runOf } = batchHelpers(() => ({ t, clock }), CADENCE);

	describe('markSentMany', () => {
		it('records every send and schedules each next step, then completes the chains', async () => {
			const claimed = await enrollAndClaim(4);
			clock.advance(5 * MINUTE);
			const results = await t.store.markSentMany(
				claimed.map((c, i) => ({
					stepRunId: c.stepRun.id,
					text: `hello ${i + 1}`,
					channel: 'whatsapp',
					model: i === 0 ? 'gpt-test' : undefined,
				})),
			);
			expect(results.map((r) => runOf(r).status)).toEqual(['sent', 'sent', 'sent', 'sent']);
			expect(runOf(results[0]).model).toBe('gpt-test');
			expect(runOf(results[1]).model).toBeNull();
			for (const [i, c] of claimed.entries()) {
				expect(await t.store.getEnrollment(c.enrollment.id)).toMatchObject({
					state: 'active',
					nextStep: 1,
					nextDueAt: clock.nowMs + 2 * HOUR,
					lastSentAt: clock.nowMs,
				});
				const history = await t.store.getConversation({ contactKey: `c${i + 1}` });
				expect(history.map((m) => [m.text, m.channel])).toEqual([[`hello ${i + 1}`, 'whatsapp']]);
			}

			clock.advance(2 * HOUR);
			const second = await t.store.claimDue({ cadence: CADENCE, limit: 100 });
			expect(second).toHaveLength(4);
			const done = await t.store.markSentMany(second.map((c) => ({ stepRunId: c.stepRun.id })));
			expect(done.every((r) => !(r instanceof Error) && r.status === 'sent')).toBe(true);
			for (const c of claimed) {
				expect(await t.store.getEnrollment(c.enrollment.id)).toMatchObject({
					state: 'completed',
					nextStep: 2,
					nextDueAt: null,
					endedAt: clock.nowMs,
				});
				expect((await t.store.getTimeline(c.enrollment.id)).map((e) => e.type)).toEqual([
					'enrolled',
					'claimed',
					'sent',
					'claimed',
					'sent',
					'completed',
				]);
			}
			expect(await t.store.claimDue({ cadence: CADENCE, limit: 100 })).toEqual([]);
		});

		it('fails a bad item alone, with its message, and writes the others', async () => {
			const claimed = await enrollAndClaim(4);
			await t.store.setStepStatus({ stepRunId: claimed[2].stepRun.id, status: 'skipped' });
			const results = await t.store.markSentMany([
				{ stepRunId: claimed[0].stepRun.id, text: 'one' },
				{ stepRunId: claimed[1].stepRun.id, text: 'two', promptTokens: -1 },
				{ stepRunId: claimed[2].stepRun.id, text: 'three' },
				{ stepRunId: 987_654, text: 'nobody' },
				{ stepRunId: claimed[3].stepRun.id, text: 'four' },
			]);
			expect(runOf(results[0]).status).toBe('sent');
			expect(results[1]).toBeInstanceOf(CadenceValidationError);
			expect((results[1] as Error).message).toMatch(/promptTokens/);
			expect(results[2]).toBeInstanceOf(CadenceTransitionError);
			expect((results[2] as Error).message).toMatch(/already "skipped"/);
			expect(results[3]).toBeInstanceOf(CadenceNotFoundError);
			expect((results[3] as Error).message).toContain('987654');
			expect(runOf(results[4]).status).toBe('sent');

			// Nothing of the bad items was written.
			const [untouched] = await t.store.getStepRuns(claimed[1].enrollment.id);
			expect(untouched).toMatchObject({ status: 'pending', sentAt: null, text: null });
			expect(await t.store.getEnrollment(claimed[1].enrollment.id)).toMatchObject({
				nextStep: 0,
				lastSentAt: null,
			});
			expect(await t.store.getConversation({ contactKey: 'c2' })).toEqual([]);
			expect(await rows("SELECT COUNT(*) AS n FROM events WHERE type = 'sent'")).toBe(2);
			expect(await rows('SELECT COUNT(*) AS n FROM messages')).toBe(2);
			expect(await t.store.getEnrollment(claimed[3].enrollment.id)).toMatchObject({
				nextStep: 1,
				lastSentAt: clock.nowMs,
			});
		});

		it('records a send repeated in the same call, or in a later one, once', async () => {
			const [a, b] = await enrollAndClaim(2);
			const first = await t.store.markSentMany([
				{ stepRunId: a.stepRun.id, text: 'hi' },
				{ stepRunId: a.stepRun.id, text: 'hi' },
				{ stepRunId: b.stepRun.id, text: 'hey' },
			]);
			expect(first.map((r) => runOf(r).id)).toEqual([a.stepRun.id, a.stepRun.id, b.stepRun.id]);
			const dueAfterFirst = (await t.store.getEnrollment(a.enrollment.id))!.nextDueAt;
			clock.advance(10 * MINUTE);
			const again = await t.store.markSentMany([{ stepRunId: a.stepRun.id, text: 'hi' }]);
			expect(runOf(again[0])).toMatchObject({ status: 'sent', sentAt: runOf(first[0]).sentAt });
			expect((await t.store.getEnrollment(a.enrollment.id))!.nextDueAt).toBe(dueAfterFirst);
			expect(await rows("SELECT COUNT(*) AS n FROM events WHERE type = 'sent'")).toBe(2);
			expect(await rows('SELECT COUNT(*) AS n FROM messages')).toBe(2);
		});

		it('keeps paused enrollments paused and a restarted chain where it is, recording their sends', async () => {
			const [paused, timed, restarted] = await enrollAndClaim(3);
			await t.store.pause({ enrollmentId: paused.enrollment.id });
			await t.store.pause({ enrollmentId: timed.enrollment.id, until: clock.nowMs + 10 * HOUR });
			// Enrolled again meanwhile: the chain started over, so the old step's send moves nothing.
			await t.store.enroll([{ cadence: CADENCE, contactKey: 'c3' }]);
			const restartedDue = (await t.store.getEnrollment(restarted.enrollment.id))!.nextDueAt;
			expect(restartedDue).toBe(clock.nowMs + HOUR);
			const results = await t.store.markSentMany(
				[paused, timed, restarted].map((c) => ({ stepRunId: c.stepRun.id, text: 'sent anyway' })),
			);
			expect(results.map((r) => runOf(r).status)).toEqual(['sent', 'sent', 'sent']);
			expect(await t.store.getEnrollment(paused.enrollment.id)).toMatchObject({
				state: 'paused',
				nextStep: 1,
				nextDueAt: null,
				lastSentAt: clock.nowMs,
			});
			expect(await t.store.getEnrollment(timed.enrollment.id)).toMatchObject({
				state: 'paused',
				nextStep: 1,
				nextDueAt: clock.nowMs + 10 * HOUR,
			});
			expect(await t.store.getEnrollment(restarted.enrollment.id)).toMatchObject({
				state: 'active',
				cycle: 2,
				nextStep: 0,
				nextDueAt: restartedDue,
				lastSentAt: clock.nowMs,
			});
			// Resuming the open-ended pause brings back the held due time: two hours after the send.
			const sentAt = clock.nowMs;
			await t.store.resume({ enrollmentId: paused.enrollment.id });
			expect((await t.store.getEnrollment(paused.enrollment.id))!.nextDueAt).toBe(
				sentAt + 2 * HOUR,
			);
			clock.advance(10 * HOUR);
			const due = await t.store.claimDue({ cadence: CADENCE, limit: 100 });
			expect(due.map((c) => c.enrollment.id).sort()).toEqual(
				[paused.enrollment.id, timed.enrollment.id, restarted.enrollment.id].sort(),
			);
		});
	});

	describe('recordDrafts', () => {
		it('records every draft in one call, awaiting a reviewer where asked', async () => {
			const claimed = await enrollAndClaim(3);
			const results = await t.store.recordDrafts(
				claimed.map((c, i) => ({
					stepRunId: c.stepRun.id,
					text: `draft ${i + 1}`,
					composeMode: i === 2 ? 'aiAssisted' : 'aiFull',
					model: 'gpt-test',
					promptTokens: 10 + i,
					awaitingApproval: i === 2,
				})),
			);
			expect(results.map((r) => runOf(r).text)).toEqual(['draft 1', 'draft 2', 'draft 3']);
			expect(runOf(results[0])).toMatchObject({
				composeMode: 'aiFull',
				approval: null,
				promptTokens: 10,
			});
			expect(runOf(results[2])).toMatchObject({ composeMode: 'aiAssisted', approval: 'awaiting' });
			const types = await Promise.all(
				claimed.map(async (c) => (await t.store.getTimeline(c.enrollment.id)).at(-1)!.type),
			);
			expect(types).toEqual(['composed', 'composed', 'draftPending']);
		});

		it('fails a bad item alone, with its message, and writes the others', async () => {
			const claimed = await enrollAndClaim(3);
			await t.store.markSent({ stepRunId: claimed[1].stepRun.id, text: 'already out' });
			const results = await t.store.recordDrafts([
				{ stepRunId: claimed[0].stepRun.id, text: 'one' },
				{ stepRunId: claimed[1].stepRun.id, text: 'too late' },
				{ stepRunId: claimed[2].stepRun.id, text: '' as string, promptTokens: -3 },
				{ stepRunId: 987_654, text: 'nobody' },
			]);
			expect(runOf(results[0]).text).toBe('one');
			expect(results[1]).toBeInstanceOf(CadenceTransitionError);
			expect((results[1] as Error).message).toMatch(/already "sent"/);
			expect(results[2]).toBeInstanceOf(CadenceValidationError);
			expect((results[2] as Error).message).toMatch(/promptTokens|tokens/i);
			expect(results[3]).toBeInstanceOf(CadenceNotFoundError);
			expect((await t.store.getStepRuns(claimed[1].enrollment.id))[0].text).toBe('already out');
			expect((await t.store.getStepRuns(claimed[2].enrollment.id))[0].text).toBeNull();
			expect(
				await rows("SELECT COUNT(*) AS n FROM events WHERE type IN ('composed', 'draftPending')"),
			).toBe(1);
		});
	});

	describe('handOffMany', () => {
		it('records every step leaving for the channel, refusing only the ones emitted again', async () => {
			const [a, deferred, ended] = await enrollAndClaim(3);
			await t.store.deferStep({
				stepRunId: deferred.stepRun.id,
				until: clock.nowMs + HOUR,
				reason: 'outside working hours',
			});
			await t.store.cancel({ enrollmentId: ended.enrollment.id });
			const results = await t.store.handOffMany([
				{ stepRunId: a.stepRun.id, claimedAt: a.stepRun.claimedAt },
				{ stepRunId: a.stepRun.id, claimedAt: a.stepRun.claimedAt - 1 },
				{ stepRunId: deferred.stepRun.id, claimedAt: deferred.stepRun.claimedAt },
				{ stepRunId: ended.stepRun.id },
				{ stepRunId: 0 },
			]);
			expect(results.slice(0, 4)).toEqual([true, false, false, true]);
			expect(results[4]).toBeInstanceOf(CadenceValidationError);
			const handed = async (c: ClaimedStep) =>
				(await t.store.getStepRun({ stepRunId: c.stepRun.id })).handedAt;
			expect(await handed(a)).toBe(clock.nowMs);
			expect(await handed(deferred)).toBeNull();
			expect(await handed(ended)).toBeNull();
		});
	});

	describe('getConversations', () => {
		it('reads every asked conversation in one call: the newest messages, oldest first', async () => {
			const say = (contactKey: string, conversationKey: string, text: string) =>
				t.store.recordOutbound({ contactKey, conversationKey, text, at: clock.advance(MINUTE) });
			await say('a', 'one', 'a1');
			await say('a', 'two', 'a2');
			await say('a', 'one', 'a3');
			await say('b', 'one', 'b1');
			await say('a', 'one', 'a4');
			const results = await t.store.getConversations([
				{ contactKey: 'a', conversationKey: 'one', limit: 2 },
				{ contactKey: 'a' },
				{ contactKey: 'b', conversationKey: 'one' },
				{ contactKey: 'nobody' },
				{ contactKey: '  ' },
				{ contactKey: 'a', conversationKey: 'two' },
			]);
			const texts = results.map((r) => (r instanceof Error ? r : r.map((m) => m.text)));
			expect(texts.slice(0, 4)).toEqual([['a3', 'a4'], ['a1', 'a2', 'a3', 'a4'], ['b1'], []]);
			expect(texts[4]).toBeInstanceOf(CadenceValidationError);
			expect(texts[5]).toEqual(['a2']);
			// The one-conversation call is the same read.
			expect(
				(await t.store.getConversation({ contactKey: 'a', conversationKey: 'one', limit: 2 })).map(
					(m) => m.text,
				),
			).toEqual(['a3', 'a4']);
		});
	});

	describe('readStepFacts', () => {
		it('reads every item’s facts, failing an unknown or mismatched step alone', async () => {
			const claimed = await enrollAndClaim(3);
			await t.store.markSent({ stepRunId: claimed[0].stepRun.id, text: 'sent' });
			await t.store.optOut({ contactKey: 'c2' });
			const refs = claimed.map((c) => ({
				enrollmentId: c.enrollment.id,
				stepRunId: c.stepRun.id,
			}));
			const options = { since: clock.nowMs - 24 * HOUR, suppression: true, limits: true };
			const facts = await t.store.readStepFacts(
				[
					...refs,
					{ enrollmentId: claimed[0].enrollment.id, stepRunId: claimed[1].stepRun.id },
					{ enrollmentId: 987_654, stepRunId: claimed[0].stepRun.id },
				],
				options,
			);
			expect(facts.slice(0, 3).map((f) => (f instanceof Error ? f : f.enrollment.id))).toEqual(
				claimed.map((c) => c.enrollment.id),
			);
			const [c1, c2, c3] = facts.slice(0, 3) as Array<Exclude<(typeof facts)[number], Error>>;
			expect(c1).toMatchObject({ suppressed: false, perContactPerDay: 5, sentSince: 1 });
			expect(c1.run).toMatchObject({ id: claimed[0].stepRun.id, status: 'sent' });
			expect(c2).toMatchObject({ suppressed: true, sentSince: 0 });
			expect(c3).toMatchObject({ suppressed: false, sentSince: 0 });
			expect(facts[3]).toBeInstanceOf(CadenceNotFoundError);
			expect(facts[4]).toBeInstanceOf(CadenceNotFoundError);
			expect((facts[4] as Error).message).toContain('987654');

			const off = await t.store.readStepFacts(refs, {
				...options,
				suppression: false,
				limits: false,
			});
			expect(
				off.map((f) => (f instanceof Error ? f : [f.suppressed, f.perContactPerDay, f.sentSince])),
			).toEqual([
				[false, null, 0],
				[false, null, 0],
				[false, null, 0],
			]);
			// Sends before `since` do not count.
			const later = await t.store.readStepFacts(refs.slice(0, 1), {
				...options,
				since: clock.nowMs + 1,
			});
			expect(later[0]).toMatchObject({ sentSince: 0, perContactPerDay: 5 });
		});
	});
});
