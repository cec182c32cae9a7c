import {
	CadenceNotFoundError,
	CadenceTransitionError,
	CadenceValidationError,
} from '../../engine/errors';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { batchHelpers } from '../support/batch-helpers';
import { HOUR, MINUTE, VirtualClock } from '../support/virtual-clock';

/**
 * The batched forms the rest of the Follow-up Trigger's flow calls with all of an execution's
 * items: the trigger's channel decisions (decideStepChannels), the deferrals of Wait Until Working
 * Hours and Exit Check (deferSteps), the channel message ids of Mark Sent (markSentMany) and the
 * send times the limit deferral needs (readStepFacts). Each item gets what the one-item call gives
 * it; an item that cannot be written fails alone, with its message, and the others are written.
 */

jest.setTimeout(60_000);

const CADENCE = 'Flow';

describe.each(BACKENDS)('batched flow operations on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence({
			name: CADENCE,
			steps: [
				{ wait: { amount: 1, unit: 'hours' }, staticText: 'first', channel: 'automatic' },
				{ wait: { amount: 2, unit: 'hours' }, staticText: 'second', channel: 'automatic' },
			],
			limits: { perContactPerDay: 5 },
		});
	});
	afterEach(async () => t.dispose());

	const { enrollAndClaim, rows, runOf } = batchHelpers(() => ({ t, clock }), CADENCE);

	describe('deferSteps', () => {
		it('defers every step to its own time, each due again then, with the reason', async () => {
			const claimed = await enrollAndClaim(3);
			const until = (i: number) => clock.nowMs + (i + 1) * HOUR;
			const results = await t.store.deferSteps(
				claimed.map((c, i) => ({ stepRunId: c.stepRun.id, until: until(i), reason: `why ${i}` })),
			);
			expect(results.map((r) => runOf(r).status)).toEqual(['scheduled', 'scheduled', 'scheduled']);
			for (const [i, c] of claimed.entries()) {
				expect(await t.store.getEnrollment(c.enrollment.id)).toMatchObject({
					nextStep: 0,
					nextDueAt: until(i),
					nextReason: `why ${i}`,
				});
				const deferred = (await t.store.getTimeline(c.enrollment.id)).filter(
					(e) => e.type === 'deferred',
				);
				expect(deferred.map((e) => e.detail)).toEqual([{ until: until(i), reason: `why ${i}` }]);
			}
			clock.advance(HOUR);
			const again = await t.store.claimDue({ cadence: CADENCE, limit: 100 });
			expect(again.map((c) => c.stepRun.id)).toEqual([claimed[0].stepRun.id]);
			expect(again[0].stepRun.idempotencyKey).toBe(claimed[0].stepRun.idempotencyKey);
		});

		it('gives each item what deferStep gives it, for a batch and one by one alike', async () => {
			const [a, b] = await enrollAndClaim(2);
			const until = clock.nowMs + HOUR;
			const [batched] = await t.store.deferSteps([{ stepRunId: a.stepRun.id, until, reason: 'r' }]);
			const single = await t.store.deferStep({ stepRunId: b.stepRun.id, until, reason: 'r' });
			const { id: _a, enrollmentId: _ea, idempotencyKey: _ka, ...batchedRest } = runOf(batched);
			const { id: _b, enrollmentId: _eb, idempotencyKey: _kb, ...singleRest } = single;
			expect(batchedRest).toEqual(singleRest);
		});

		it('fails a bad item alone, with its message, and writes the others', async () => {
			const claimed = await enrollAndClaim(5);
			await t.store.markSent({ stepRunId: claimed[2].stepRun.id });
			const until = clock.nowMs + HOUR;
			const results = await t.store.deferSteps([
				{ stepRunId: claimed[0].stepRun.id, until, reason: 'closed' },
				{ stepRunId: claimed[1].stepRun.id, until, reason: '   ' },
				{ stepRunId: claimed[2].stepRun.id, until, reason: 'closed' },
				{ stepRunId: 987_654, until, reason: 'closed' },
				{ stepRunId: claimed[3].stepRun.id, until, reason: 'closed' },
				{ stepRunId: claimed[3].stepRun.id, until: until + HOUR, reason: 'again' },
			]);
			expect(runOf(results[0]).status).toBe('scheduled');
			expect(results[1]).toBeInstanceOf(CadenceValidationError);
			expect((results[1] as Error).message).toMatch(/reason/);
			expect(results[2]).toBeInstanceOf(CadenceTransitionError);
			expect((results[2] as Error).message).toMatch(/already "sent"/);
			expect(results[3]).toBeInstanceOf(CadenceNotFoundError);
			expect((results[3] as Error).message).toContain('987654');
			expect(runOf(results[4]).status).toBe('scheduled');
			// A step run named twice is deferred once, by its first item.
			expect(runOf(results[5]).id).toBe(claimed[3].stepRun.id);
			expect((await t.store.getEnrollment(claimed[3].enrollment.id))!.nextDueAt).toBe(until);

			// Nothing of the bad items was written.
			const [untouched] = await t.store.getStepRuns(claimed[1].enrollment.id);
			expect(untouched.status).toBe('pending');
			expect((await t.store.getEnrollment(claimed[2].enrollment.id))!.nextStep).toBe(1);
			expect(await rows("SELECT COUNT(*) AS n FROM events WHERE type = 'deferred'")).toBe(2);
			expect(await rows('SELECT COUNT(*) AS n FROM due_steps')).toBe(3);
		});

		it('refuses a step skipped meanwhile and leaves its enrollment as it is', async () => {
			const [a] = await enrollAndClaim(1);
			await t.store.skipStep({ enrollmentId: a.enrollment.id });
			const before = await t.store.getEnrollment(a.enrollment.id);
			const [result] = await t.store.deferSteps([
				{ stepRunId: a.stepRun.id, until: clock.nowMs + 5 * HOUR, reason: 'late' },
			]);
			expect(result).toBeInstanceOf(CadenceTransitionError);
			expect(await t.store.getEnrollment(a.enrollment.id)).toEqual(before);
		});
	});

	describe('decideStepChannels', () => {
		it('decides every step as decideStepChannel does, from three reads', async () => {
			await t.store.recordInbound({
				contactKey: 'c1',
				text: 'hello',
				channel: 'whatsapp',
				identities: [{ kind: 'whatsapp', value: '5511987654321' }],
			});
			await t.store.recordIdentities({
				contactKey: 'c2',
				identities: [
					{ kind: 'email', value: 'b@example.com' },
					{ kind: 'email', value: 'a@example.com' },
				],
			});
			const claimed = await enrollAndClaim(3);
			const one = await Promise.all(claimed.map((c) => t.store.decideStepChannel(c)));
			const batched = await t.store.decideStepChannels(claimed, clock.nowMs);
			expect(batched).toEqual(one);
			expect(batched[0]).toMatchObject({ outcome: 'send', address: { kind: 'whatsapp' } });
			expect(batched[1]).toMatchObject({ outcome: 'send', address: { kind: 'email' } });
		});

		it('fails a step whose conversation cannot be read alone', async () => {
			const claimed = await enrollAndClaim(2);
			const broken = {
				...claimed[0],
				enrollment: { ...claimed[0].enrollment, contactKey: '   ' },
			};
			const results = await t.store.decideStepChannels([broken, claimed[1]]);
			expect(results[0]).toBeInstanceOf(CadenceValidationError);
			expect((results[0] as Error).message).toMatch(/contact key/);
			expect(results[1]).toEqual(await t.store.decideStepChannel(claimed[1], clock.nowMs));
		});
	});

	describe('markSentMany with channel message ids', () => {
		it('records every id in one call; each delivery report finds its send', async () => {
			const claimed = await enrollAndClaim(3);
			const results = await t.store.markSentMany(
				claimed.map((c, i) => ({
					stepRunId: c.stepRun.id,
					channel: 'telegram',
					channelMessageId: `m-${i}`,
				})),
			);
			expect(results.map((r) => runOf(r).channelMessageId)).toEqual(['m-0', 'm-1', 'm-2']);
			expect(results.map((r) => runOf(r).channel)).toEqual(['telegram', 'telegram', 'telegram']);
			for (const [i, c] of claimed.entries()) {
				const report = await t.store.recordDelivery({
					channelMessageId: `m-${i}`,
					status: 'delivered',
				});
				expect(report).toMatchObject({ outcome: 'applied', stepRun: { id: c.stepRun.id } });
			}
		});

		it('fails an item whose id belongs to another send alone; a repeat changes nothing', async () => {
			const claimed = await enrollAndClaim(4);
			await t.store.markSent({ stepRunId: claimed[0].stepRun.id, channelMessageId: 'taken' });
			clock.advance(MINUTE);
			const results = await t.store.markSentMany([
				{ stepRunId: claimed[0].stepRun.id, channelMessageId: 'taken' },
				{ stepRunId: claimed[1].stepRun.id, channelMessageId: 'taken' },
				{ stepRunId: claimed[2].stepRun.id, channelMessageId: 'fresh' },
				{ stepRunId: claimed[3].stepRun.id, channelMessageId: 'fresh' },
			]);
			expect(runOf(results[0]).channelMessageId).toBe('taken');
			expect(results[1]).toBeInstanceOf(CadenceValidationError);
			expect((results[1] as Error).message).toMatch(/already belongs to step run/);
			expect(runOf(results[2]).channelMessageId).toBe('fresh');
			expect(results[3]).toBeInstanceOf(CadenceValidationError);
			const [unsent] = await t.store.getStepRuns(claimed[1].enrollment.id);
			expect(unsent).toMatchObject({ status: 'pending', channelMessageId: null });
			expect(await rows('SELECT COUNT(*) AS n FROM channel_messages')).toBe(2);
		});
	});

	describe('readStepFacts', () => {
		it('lists the sends of the window, oldest first, for the limit deferral', async () => {
			const [first] = await enrollAndClaim(1);
			await t.store.markSent({ stepRunId: first.stepRun.id });
			const firstAt = clock.nowMs;
			clock.advance(2 * HOUR);
			const [second] = await t.store.claimDue({ cadence: CADENCE, limit: 10 });
			await t.store.markSent({ stepRunId: second.stepRun.id });
			const secondAt = clock.nowMs;
			const ref = { enrollmentId: first.enrollment.id, stepRunId: second.stepRun.id };
			const [facts] = await t.store.readStepFacts([ref], {
				since: firstAt - 1,
				suppression: false,
				limits: true,
			});
			expect(facts).toMatchObject({ sentSince: 2, sendTimes: [firstAt, secondAt] });
			const [off] = await t.store.readStepFacts([ref], {
				since: firstAt - 1,
				suppression: false,
				limits: false,
			});
			expect(off).toMatchObject({ sentSince: 0, sendTimes: [] });
		});
	});
});
