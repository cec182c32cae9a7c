import { CadenceNotFoundError, CadenceValidationError } from '../../engine/errors';
import type { EnrollInput } from '../../engine/store/inputs';
import { openStore } from '../../engine/store/open';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { CadenceStore } from '../../engine/store/store';
import type { ClaimedStep } from '../../engine/store/types';
import { BACKENDS, freshLocation, type Location } from '../support/backends';
import { count, FaultyDriver, rawDriver } from '../support/raw-sql';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * "A failure in the middle of a bulk enroll or a claim leaves nothing half-written."
 * Bad input is refused before anything is written; a database error raised half-way through a
 * write (injected by wrapping the real driver) rolls the whole operation back.
 */

jest.setTimeout(120_000);

const CADENCE = 'Atomic';

/** Everything a half-done write could leave behind, in a form `toEqual` can compare. */
async function snapshot(db: SqlDriver) {
	return {
		enrollments: await db.all(
			`SELECT id, state, cycle, next_step, next_due_at, next_reason, held_due_at, paused_until,
				last_sent_at, updated_at, ended_at FROM enrollments ORDER BY id`,
		),
		dueQueue: await db.all(
			'SELECT cadence_id, due_at, enrollment_id FROM due_steps ORDER BY enrollment_id',
		),
		stepRuns: await db.all(
			'SELECT id, enrollment_id, status, claims, claimed_at, sent_at, text, updated_at FROM step_runs ORDER BY id',
		),
		events: await db.all('SELECT id, enrollment_id, step_run_id, type FROM events ORDER BY id'),
		messages: await count(db, 'SELECT COUNT(*) AS n FROM messages'),
	};
}

function contacts(n: number, cadence: string | ((i: number) => string) = CADENCE): EnrollInput[] {
	return Array.from({ length: n }, (_, i) => ({
		cadence: typeof cadence === 'string' ? cadence : cadence(i),
		contactKey: `contact-${i + 1}`,
		contactName: `Contact ${i + 1}`,
	}));
}

/** Fires on the `n`-th statement (1-based) that matches `pattern`. */
function nth(pattern: RegExp, n: number): (sql: string) => boolean {
	let matches = 0;
	return (sql) => pattern.test(sql) && ++matches === n;
}

describe.each(BACKENDS)('atomic writes on %s', (backend) => {
	let clock: VirtualClock;
	let location: Location;
	let store: CadenceStore;
	let db: SqlDriver;
	let faulty: FaultyDriver;

	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		location = freshLocation(backend);
		store = await openStore(location.config, clock.read);
		db = rawDriver(location.config);
		// A second store on its own connection whose statements can be made to fail.
		faulty = new FaultyDriver(rawDriver(location.config));
		await store.publishCadence({
			name: CADENCE,
			steps: [
				{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
				{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
			],
		});
	});

	afterEach(async () => {
		await store.close().catch(() => undefined);
		await faulty.close().catch(() => undefined);
		await db.close().catch(() => undefined);
		await location.dispose();
	});

	/** A fresh facade over the faulty driver, so no cached definition hides a statement. */
	const faultyStore = () => new CadenceStore(faulty, clock.read);

	async function expectNothingWritten(): Promise<void> {
		expect(await count(db, 'SELECT COUNT(*) AS n FROM enrollments')).toBe(0);
		expect(await count(db, 'SELECT COUNT(*) AS n FROM events')).toBe(0);
		expect(await count(db, 'SELECT COUNT(*) AS n FROM step_runs')).toBe(0);
		expect(await store.listEnrollments({ cadence: CADENCE })).toEqual([]);
	}

	describe('bulk enroll', () => {
		it('an invalid item in the middle of 1,000 is named, and nothing is written', async () => {
			const items = contacts(1000);
			items[499] = { ...items[499], contactKey: '   ' };
			const error = await store.enroll(items).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(CadenceValidationError);
			const problems = (error as CadenceValidationError).problems;
			expect(problems).toHaveLength(1);
			expect(problems[0].field).toMatch(/^item 500: contactKey/);
			expect((error as Error).message).toContain('item 500');
			await expectNothingWritten();
		});

		it('every problem of every item is named once, in item and field order', async () => {
			// Keys and details are validated apart (the details while the database reads): the
			// error still reads as one parse of each item would, and an item that is not an
			// object at all is named once.
			const items = contacts(3) as unknown[];
			items[1] = null;
			items[2] = {
				...(items[2] as object),
				contactName: 5,
				contactKey: '',
				startAt: -1,
				identities: 'phone',
			};
			const error = await store.enroll(items as EnrollInput[]).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(CadenceValidationError);
			expect((error as CadenceValidationError).problems.map((p) => p.field)).toEqual([
				'item 2: ',
				'item 3: contactKey',
				'item 3: contactName',
				'item 3: startAt',
				'item 3: identities',
			]);
			await expectNothingWritten();
		});

		it('bad input is reported before an unknown cadence, and nothing is written', async () => {
			const items = contacts(1000, (i) => (i < 600 ? CADENCE : 'No Such Cadence'));
			items[799] = { ...items[799], contactName: 5 as unknown as string };
			const error = await store.enroll(items).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(CadenceValidationError);
			expect((error as CadenceValidationError).problems.map((p) => p.field)).toEqual([
				'item 800: contactName',
			]);
			await expectNothingWritten();
		});

		it('an unknown cadence for the last items fails the whole batch, and nothing is written', async () => {
			const items = contacts(1000, (i) => (i < 600 ? CADENCE : 'No Such Cadence'));
			await expect(store.enroll(items)).rejects.toBeInstanceOf(CadenceNotFoundError);
			await expectNothingWritten();
		});

		// On Postgres an enrollment's "enrolled" entry is its own row (schema version 16): the
		// enrollments inserts are the whole write there.
		const timelineInserts: Array<[string, RegExp, number]> =
			backend === 'postgres'
				? []
				: [
						['the first timeline insert', /INSERT INTO events/, 1],
						['the last timeline insert', /INSERT INTO events/, 2],
					];
		it.each([
			['the first enrollments insert', /INSERT INTO enrollments/, 1],
			['the second enrollments insert', /INSERT INTO enrollments/, 2],
			...timelineInserts,
		])('a database error at %s rolls back every row of the batch', async (_label, pattern, n) => {
			faulty.arm(nth(pattern, n));
			await expect(faultyStore().enroll(contacts(1000))).rejects.toThrow('injected fault');
			expect(faulty.faultsFired).toBe(1);
			await expectNothingWritten();

			// The same batch then goes through in full, with no leftovers seen as "already enrolled".
			const results = await faultyStore().enroll(contacts(1000));
			expect(results.map((r) => r.outcome)).toEqual(new Array(1000).fill('enrolled'));
			expect(await count(db, 'SELECT COUNT(*) AS n FROM enrollments')).toBe(1000);
			expect(await count(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'enrolled'")).toBe(
				1000,
			);
		});
	});

	describe('mixed bulk enroll', () => {
		it('a fault at any statement changes nothing; the retry gives every item its outcome', async () => {
			// Every kind of item a batch holds: new contacts filling two inserts, one with identities,
			// one on the suppression list, one listed twice, one already running (restarted).
			await store.publishCadence({
				name: CADENCE,
				steps: [
					{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
					{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
				],
				reenrollment: { whileActive: 'restart' },
			});
			const items = contacts(700);
			items[3] = { ...items[3], identities: [{ kind: 'phone', value: '5511987654321' }] };
			items.push(items[4]);
			await store.enroll([items[1]]);
			await store.optOut({ contactKey: items[2].contactKey, reason: 'asked by email' });
			clock.advance(60_000);
			const state = async () => ({
				...(await snapshot(db)),
				identities: await count(db, 'SELECT COUNT(*) AS n FROM contact_identities'),
			});
			const before = await state();
			let results: Awaited<ReturnType<CadenceStore['enroll']>> | null = null;
			let faults = 0;
			for (let k = 0; results === null; k++) {
				expect(k).toBeLessThan(100);
				faulty.arm((_sql, index) => index === k);
				try {
					results = await faultyStore().enroll(items);
					expect(faulty.faultsFired).toBe(faults);
				} catch (error) {
					expect(String(error)).toContain('injected fault');
					faults++;
					expect(await state()).toEqual(before);
				}
			}
			// Reading the cadence, the identities, the suppressed and running contacts, the restart,
			// and the two inserts at least.
			expect(faults).toBeGreaterThanOrEqual(8);
			const outcomes = results.map((r) => r.outcome);
			expect(outcomes.filter((o) => o === 'enrolled')).toHaveLength(698);
			expect(outcomes[1]).toBe('restarted');
			expect(outcomes[2]).toBe('suppressed');
			expect(outcomes[700]).toBe('alreadyEnrolled');
			// The new ones beside the one enrolled before.
			expect(await count(db, 'SELECT COUNT(*) AS n FROM enrollments')).toBe(699);
			expect(await count(db, 'SELECT COUNT(*) AS n FROM due_steps')).toBe(699);
			expect(await count(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'enrolled'")).toBe(699);
			expect(await store.getIdentities(items[3].contactKey)).toEqual([
				{ kind: 'phone', value: '+5511987654321' },
			]);
			// What each enrollment handed back is what the store reads back.
			for (const result of results.filter((r) => r.outcome === 'enrolled'))
				expect(await store.getEnrollment(result.enrollment!.id)).toEqual(result.enrollment);
		});
	});

	describe('claim', () => {
		async function enrollDue(n: number): Promise<Map<number, number>> {
			const results = await store.enroll(contacts(n));
			clock.advance(HOUR);
			return new Map(results.map((r) => [r.enrollment!.id, r.enrollment!.nextDueAt!]));
		}

		async function claimAll(on: CadenceStore): Promise<ClaimedStep[]> {
			const all: ClaimedStep[] = [];
			for (let batch = await on.claimDue({ cadence: CADENCE, limit: 37 }); batch.length > 0; ) {
				all.push(...batch);
				batch = await on.claimDue({ cadence: CADENCE, limit: 37 });
			}
			return all;
		}

		it('failing on the timeline insert leaves every step due and no step run behind', async () => {
			const due = await enrollDue(250);
			faulty.arm((sql) => /INSERT INTO events/.test(sql));
			await expect(faultyStore().claimDue({ cadence: CADENCE, limit: 100 })).rejects.toThrow(
				'injected fault',
			);
			// The claim got as far as taking the steps and writing their runs before it failed.
			expect(faulty.seen.some((sql) => /INSERT INTO step_runs/.test(sql))).toBe(true);

			expect(await count(db, 'SELECT COUNT(*) AS n FROM step_runs')).toBe(0);
			expect(await count(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'claimed'")).toBe(0);
			const rows = await db.all<{ enrollment_id: unknown; due_at: unknown }>(
				'SELECT enrollment_id, due_at FROM due_steps ORDER BY enrollment_id',
			);
			expect(rows).toHaveLength(250);
			for (const row of rows) expect(Number(row.due_at)).toBe(due.get(Number(row.enrollment_id)));

			// A normal claim afterwards emits every step exactly once, as a first attempt.
			const claimed = await claimAll(store);
			const ids = claimed.map((c) => c.enrollment.id);
			expect(new Set(ids).size).toBe(ids.length);
			expect(ids.sort((a, b) => a - b)).toEqual([...due.keys()].sort((a, b) => a - b));
			expect(
				claimed.every((c) => c.stepRun.claims === 1 && c.stepRun.idempotencyKey.endsWith('-0-1')),
			).toBe(true);
			expect(await count(db, 'SELECT COUNT(*) AS n FROM step_runs')).toBe(250);
		});

		it('a fault at any statement of a claim changes nothing; the retry hands each step out once', async () => {
			const due = await enrollDue(60);
			const before = await snapshot(db);
			let succeeded: ClaimedStep[] | null = null;
			let faults = 0;
			for (let k = 0; succeeded === null; k++) {
				expect(k).toBeLessThan(100);
				faulty.arm((_sql, index) => index === k);
				try {
					succeeded = await faultyStore().claimDue({ cadence: CADENCE, limit: 25 });
					// It only succeeds once `k` is past its last statement.
					expect(faulty.faultsFired).toBe(faults);
				} catch (error) {
					expect(String(error)).toContain('injected fault');
					faults++;
					expect(await snapshot(db)).toEqual(before);
				}
			}
			// Postgres claims in one statement after reading the cadence; elsewhere it takes several.
			expect(faults).toBeGreaterThanOrEqual(db.dialect.writableCte ? 2 : 5);
			expect(succeeded).toHaveLength(25);

			const all = [...succeeded, ...(await claimAll(store))];
			const ids = all.map((c) => c.enrollment.id);
			expect(new Set(ids).size).toBe(60);
			expect(ids.sort((a, b) => a - b)).toEqual([...due.keys()].sort((a, b) => a - b));
			expect(all.every((c) => c.stepRun.claims === 1)).toBe(true);
		});

		it('a fault at any statement of a second claim (after a deferral) changes nothing', async () => {
			await enrollDue(3);
			const first = await store.claimDue({ cadence: CADENCE, limit: 3 });
			for (const { stepRun } of first)
				await store.deferStep({
					stepRunId: stepRun.id,
					until: clock.nowMs + HOUR,
					reason: 'later',
				});
			clock.advance(HOUR);
			const before = await snapshot(db);
			let succeeded: ClaimedStep[] | null = null;
			for (let k = 0; succeeded === null; k++) {
				expect(k).toBeLessThan(100);
				faulty.arm((_sql, index) => index === k);
				try {
					succeeded = await faultyStore().claimDue({ cadence: CADENCE, limit: 3 });
				} catch (error) {
					expect(String(error)).toContain('injected fault');
					expect(await snapshot(db)).toEqual(before);
				}
			}
			expect(succeeded.map((c) => c.stepRun.claims)).toEqual([2, 2, 2]);
			for (const { enrollment } of succeeded) {
				const timeline = await store.getTimeline(enrollment.id);
				expect(timeline.map((e) => e.type)).toEqual(['enrolled', 'claimed', 'deferred', 'claimed']);
				expect(timeline[3].detail).toEqual({ step: 0, attempt: 2, reason: 'later' });
			}
		});
	});

	describe('markSent', () => {
		async function claimOne(): Promise<ClaimedStep> {
			await store.enroll(contacts(3));
			clock.advance(HOUR);
			const claimed = await store.claimDue({ cadence: CADENCE, limit: 1 });
			expect(claimed).toHaveLength(1);
			return claimed[0];
		}

		it('failing on the timeline insert leaves the step unsent and the enrollment where it was', async () => {
			const claimed = await claimOne();
			clock.advance(5 * 60_000);
			faulty.arm((sql) => /INSERT INTO events/.test(sql));
			await expect(
				faultyStore().markSent({ stepRunId: claimed.stepRun.id, text: 'first', channel: 'sms' }),
			).rejects.toThrow('injected fault');
			expect(faulty.seen.some((sql) => /UPDATE step_runs/.test(sql))).toBe(true);

			const [run] = await store.getStepRuns(claimed.enrollment.id);
			expect(run).toMatchObject({ id: claimed.stepRun.id, status: 'pending', sentAt: null });
			const enrollment = await store.getEnrollment(claimed.enrollment.id);
			expect(enrollment).toMatchObject({
				state: 'active',
				nextStep: 0,
				nextDueAt: null,
				lastSentAt: null,
			});
			expect(await count(db, 'SELECT COUNT(*) AS n FROM messages')).toBe(0);
			expect((await store.getTimeline(claimed.enrollment.id)).map((e) => e.type)).toEqual([
				'enrolled',
				'claimed',
			]);

			// Confirming again works and advances the chain from this send.
			const sent = await store.markSent({
				stepRunId: claimed.stepRun.id,
				text: 'first',
				channel: 'sms',
			});
			expect(sent.status).toBe('sent');
			expect(await store.getEnrollment(claimed.enrollment.id)).toMatchObject({
				nextStep: 1,
				nextDueAt: clock.nowMs + 2 * HOUR,
				lastSentAt: clock.nowMs,
			});
			expect(await count(db, 'SELECT COUNT(*) AS n FROM messages')).toBe(1);
		});

		/** Retries `write` with a fault at its k-th statement for k = 0, 1, … until it goes through. */
		async function faultEveryStatement(write: (on: CadenceStore) => Promise<unknown>) {
			const before = await snapshot(db);
			let faults = 0;
			for (let k = 0; ; k++) {
				expect(k).toBeLessThan(100);
				faulty.arm((_sql, index) => index === k);
				try {
					const result = await write(faultyStore());
					expect(faulty.faultsFired).toBe(faults);
					return { faults, result };
				} catch (error) {
					expect(String(error)).toContain('injected fault');
					faults++;
					expect(await snapshot(db)).toEqual(before);
				}
			}
		}

		it('a fault at any statement of a batch of sends changes nothing for any item', async () => {
			// Four chains in different places: one moves on, one completes, one is paused, one was
			// restarted meanwhile (its old step's send moves nothing); and one item is bad. Every
			// kind of write a batch makes is in it.
			await store.enroll(contacts(4));
			clock.advance(HOUR);
			const first = await store.claimDue({ cadence: CADENCE, limit: 10 });
			await store.markSent({ stepRunId: first[1].stepRun.id });
			clock.advance(2 * HOUR);
			const [last] = await store.claimDue({ cadence: CADENCE, limit: 10 });
			await store.pause({ enrollmentId: first[2].enrollment.id });
			await store.publishCadence({
				name: CADENCE,
				steps: [
					{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
					{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
				],
				reenrollment: { whileActive: 'restart' },
			});
			const [again] = await store.enroll([contacts(4)[3]]);
			expect(again.outcome).toBe('restarted');
			const stepRunIds = [first[0].stepRun.id, last.stepRun.id, first[2].stepRun.id];
			const { faults, result } = await faultEveryStatement((on) =>
				on.markSentMany([
					...stepRunIds.map((stepRunId) => ({ stepRunId, text: 'hello', channel: 'sms' })),
					{ stepRunId: first[3].stepRun.id, text: 'too late' },
					{ stepRunId: first[0].stepRun.id, text: 'x', promptTokens: -1 },
				]),
			);
			expect(faults).toBeGreaterThanOrEqual(7);
			const results = result as Array<{ status?: string } | Error>;
			expect(results.slice(0, 4).map((r) => (r as { status: string }).status)).toEqual([
				'sent',
				'sent',
				'sent',
				'sent',
			]);
			expect(results[4]).toBeInstanceOf(CadenceValidationError);
			expect(await store.getEnrollment(first[3].enrollment.id)).toMatchObject({
				cycle: 2,
				nextStep: 0,
				lastSentAt: clock.nowMs,
			});
			expect(await store.getEnrollment(first[0].enrollment.id)).toMatchObject({ nextStep: 1 });
			expect(await store.getEnrollment(last.enrollment.id)).toMatchObject({ state: 'completed' });
			expect(await store.getEnrollment(first[2].enrollment.id)).toMatchObject({
				state: 'paused',
				nextStep: 1,
			});
			expect(await count(db, 'SELECT COUNT(*) AS n FROM messages')).toBe(4);
		});

		it('a fault at any statement of a batch of drafts changes nothing for any item', async () => {
			await store.enroll(contacts(3));
			clock.advance(HOUR);
			const claimed = await store.claimDue({ cadence: CADENCE, limit: 10 });
			const { faults, result } = await faultEveryStatement((on) =>
				on.recordDrafts(
					claimed.map((c, i) => ({
						stepRunId: c.stepRun.id,
						text: `draft ${i}`,
						awaitingApproval: i === 0,
					})),
				),
			);
			// The UPDATE of every draft and the INSERT of every event.
			expect(faults).toBe(2);
			expect((result as Array<{ text: string }>).map((r) => r.text)).toEqual([
				'draft 0',
				'draft 1',
				'draft 2',
			]);
			expect(
				await count(
					db,
					"SELECT COUNT(*) AS n FROM events WHERE type IN ('composed', 'draftPending')",
				),
			).toBe(3);
		});

		it('a fault at any statement of a batch of deferrals changes nothing for any item', async () => {
			// One step moves its enrollment, one moved on already (recorded, enrollment untouched),
			// one was deferred before (deferred again), one is sent (refused), one input is bad.
			await store.enroll(contacts(5));
			clock.advance(HOUR);
			const claimed = await store.claimDue({ cadence: CADENCE, limit: 10 });
			await store.deferStep({ stepRunId: claimed[2].stepRun.id, until: clock.nowMs, reason: 'x' });
			await store.markSent({ stepRunId: claimed[3].stepRun.id });
			await store.publishCadence({
				name: CADENCE,
				steps: [
					{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' },
					{ wait: { amount: 2, unit: 'hours' }, staticText: 'second' },
				],
				reenrollment: { whileActive: 'restart' },
			});
			// Enrolled again: the chain started over, so the old step's deferral moves nothing.
			const [again] = await store.enroll([contacts(5)[1]]);
			expect(again.outcome).toBe('restarted');
			const restartedDue = (await store.getEnrollment(claimed[1].enrollment.id))!.nextDueAt;
			const until = clock.nowMs + 3 * HOUR;
			const { faults, result } = await faultEveryStatement((on) =>
				on.deferSteps([
					...[0, 1, 2, 3].map((i) => ({
						stepRunId: claimed[i].stepRun.id,
						until,
						reason: 'closed',
					})),
					{ stepRunId: claimed[4].stepRun.id, until: -1, reason: 'closed' },
				]),
			);
			// The status move, the unmoved runs' read, the enrollments' read, the queue's delete, the
			// enrollments' update, the queue's insert and the timeline.
			expect(faults).toBeGreaterThanOrEqual(7);
			const results = result as Array<{ status?: string } | Error>;
			expect(results.slice(0, 3).map((r) => (r as { status: string }).status)).toEqual([
				'scheduled',
				'scheduled',
				'scheduled',
			]);
			expect(results[3]).toBeInstanceOf(Error);
			expect(results[4]).toBeInstanceOf(CadenceValidationError);
			for (const i of [0, 2]) {
				expect((await store.getEnrollment(claimed[i].enrollment.id))!.nextDueAt).toBe(until);
			}
			expect((await store.getEnrollment(claimed[1].enrollment.id))!.nextDueAt).toBe(restartedDue);
			expect(await count(db, "SELECT COUNT(*) AS n FROM events WHERE type = 'deferred'")).toBe(4);
		});

		it('a fault at any statement of a batch of sends with channel message ids changes nothing', async () => {
			await store.enroll(contacts(3));
			clock.advance(HOUR);
			const claimed = await store.claimDue({ cadence: CADENCE, limit: 10 });
			await store.markSent({ stepRunId: claimed[0].stepRun.id, channelMessageId: 'm-0' });
			const messages = () =>
				db.all('SELECT channel_message_id, step_run_id FROM channel_messages ORDER BY 1');
			const before = await messages();
			const { faults, result } = await faultEveryStatement(async (on) => {
				try {
					return await on.markSentMany(
						claimed.map((c, i) => ({
							stepRunId: c.stepRun.id,
							channel: 'sms',
							channelMessageId: `m-${i}`,
						})),
					);
				} catch (error) {
					// The ids are part of what must not be half-written.
					expect(await messages()).toEqual(before);
					throw error;
				}
			});
			expect(faults).toBeGreaterThanOrEqual(9);
			expect(
				(result as Array<{ channelMessageId: string }>).map((r) => r.channelMessageId),
			).toEqual(['m-0', 'm-1', 'm-2']);
			expect(await count(db, 'SELECT COUNT(*) AS n FROM channel_messages')).toBe(3);
		});

		it('a fault at any statement of a send confirmation changes nothing', async () => {
			const claimed = await claimOne();
			clock.advance(5 * 60_000);
			const before = await snapshot(db);
			let faults = 0;
			for (let k = 0; ; k++) {
				expect(k).toBeLessThan(100);
				faulty.arm((_sql, index) => index === k);
				try {
					await faultyStore().markSent({ stepRunId: claimed.stepRun.id, text: 'first' });
					expect(faulty.faultsFired).toBe(faults);
					break;
				} catch (error) {
					expect(String(error)).toContain('injected fault');
					faults++;
					expect(await snapshot(db)).toEqual(before);
				}
			}
			expect(faults).toBeGreaterThanOrEqual(5);
			expect(await store.getEnrollment(claimed.enrollment.id)).toMatchObject({
				nextStep: 1,
				nextDueAt: clock.nowMs + 2 * HOUR,
			});
			expect((await store.getTimeline(claimed.enrollment.id)).map((e) => e.type)).toEqual([
				'enrolled',
				'claimed',
				'sent',
			]);
		});
	});
});
