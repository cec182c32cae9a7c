import { CadenceNotFoundError, CadenceValidationError } from '../../engine/errors';
import type { TimelineEvent } from '../../engine/store/types';
import { inactivityChain, prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import type { SqlDriver } from '../../engine/store/sql/driver';
import { rawDriver } from '../support/raw-sql';
import { DAY, HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * The timeline as a feed (what the Follow-up Trigger's event output reads): events after a
 * cursor, in id order, joined with their enrollment, filtered by cadence and type, paged without
 * skipping or repeating anything.
 */
describe.each(BACKENDS)('the event feed on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	async function timelineOf(...enrollmentIds: number[]): Promise<TimelineEvent[]> {
		const all = (await Promise.all(enrollmentIds.map((id) => t.store.getTimeline(id)))).flat();
		return all.sort((a, b) => a.id - b.id);
	}

	/** Two contacts: the first gets follow-up 1, the second is claimed and then replies. */
	async function sendAndReply() {
		const [first, second] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'c1', contactName: 'Ann', variables: { plan: 'pro' } },
			{ cadence: 'Prospecting', contactKey: 'c2', contactName: 'Bob' },
		]);
		clock.advance(3 * DAY);
		const claimed = await t.store.claimDue({ cadence: 'Prospecting' });
		const forFirst = claimed.find((c) => c.enrollment.contactKey === 'c1')!;
		await t.store.markSent({ stepRunId: forFirst.stepRun.id, text: 'Follow-up 1 for Ann' });
		clock.advance(HOUR);
		await t.store.recordInbound({ contactKey: 'c2', text: 'not now' });
		return { first: first.enrollment!, second: second.enrollment!, forFirst };
	}

	it('has cursor 0 on an empty store, then the newest event id', async () => {
		expect(await t.store.lastEventId()).toBe(0);
		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		const [enrolled] = await t.store.getTimeline(enrollment!.id);
		expect(await t.store.lastEventId()).toBe(enrolled.id);
	});

	it('returns every event after the cursor in id order, each with its enrollment and step', async () => {
		const { first, second, forFirst } = await sendAndReply();
		const page = await t.store.eventsAfter({ afterId: 0 });

		expect(page.events.map((f) => f.event)).toEqual(await timelineOf(first.id, second.id));
		expect(page.cursor).toBe(await t.store.lastEventId());

		const sent = page.events.find((f) => f.event.type === 'sent')!;
		expect(sent.enrollment).toMatchObject({
			id: first.id,
			cadenceName: 'Prospecting',
			contactKey: 'c1',
			contactName: 'Ann',
			variables: { plan: 'pro' },
			state: 'active',
			nextStep: 1,
		});
		expect(sent.event.stepRunId).toBe(forFirst.stepRun.id);
		expect(sent.step).toEqual({
			index: 0,
			cycle: 1,
			idempotencyKey: forFirst.stepRun.idempotencyKey,
		});

		const replied = page.events.find((f) => f.event.type === 'replied')!;
		expect(replied.step).toBeNull();
		expect(replied.event.detail).toMatchObject({ action: 'exit', text: 'not now' });
		// The enrollment as it is now: the reply has already ended it.
		expect(replied.enrollment).toMatchObject({
			contactKey: 'c2',
			state: 'exited',
			exitReason: 'replied',
		});
	});

	it('reads only what happened after the cursor', async () => {
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c1' }]);
		const cursor = await t.store.lastEventId();
		expect(await t.store.eventsAfter({ afterId: cursor })).toEqual({ events: [], cursor });

		const [{ enrollment }] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c2' }]);
		const page = await t.store.eventsAfter({ afterId: cursor });
		expect(page.events.map((f) => [f.event.type, f.enrollment.contactKey])).toEqual([
			['enrolled', 'c2'],
		]);
		expect(page.cursor).toBe((await t.store.getTimeline(enrollment!.id))[0].id);
	});

	it('filters by cadence and type, and its cursor moves past what it left out', async () => {
		await t.store.publishCadence(inactivityChain);
		await t.store.enroll([{ cadence: inactivityChain.name, contactKey: 'other' }]);
		const { second } = await sendAndReply();
		await t.store.enroll([{ cadence: inactivityChain.name, contactKey: 'later' }]);

		const page = await t.store.eventsAfter({
			afterId: 0,
			cadence: 'Prospecting',
			types: ['replied', 'exited', 'completed'],
		});
		expect(page.events.map((f) => [f.event.type, f.enrollment.id])).toEqual([
			['replied', second.id],
			['exited', second.id],
		]);
		const newest = await t.store.lastEventId();
		expect(page.cursor).toBe(newest);
		expect(await t.store.eventsAfter({ afterId: page.cursor, cadence: 'Prospecting' })).toEqual({
			events: [],
			cursor: newest,
		});

		const byId = await t.store.eventsAfter({ afterId: 0, cadence: second.cadenceId });
		expect(new Set(byId.events.map((f) => f.enrollment.cadenceName))).toEqual(
			new Set(['Prospecting']),
		);
	});

	it('pages through a long timeline without skipping or repeating an event', async () => {
		await t.store.enroll(
			Array.from({ length: 7 }, (_, i) => ({ cadence: 'Prospecting', contactKey: `c${i}` })),
		);
		clock.advance(3 * DAY);
		await t.store.claimDue({ cadence: 'Prospecting' });
		const everything = (await t.store.eventsAfter({ afterId: 0, limit: 1000 })).events;
		expect(everything).toHaveLength(14);

		const seen: number[] = [];
		let cursor = 0;
		for (let page = 0; page < 10; page++) {
			const next = await t.store.eventsAfter({ afterId: cursor, limit: 3 });
			seen.push(...next.events.map((f) => f.event.id));
			if (next.events.length === 3) expect(next.cursor).toBe(next.events[2].event.id);
			if (next.events.length < 3) break;
			cursor = next.cursor;
		}
		expect(seen).toEqual(everything.map((f) => f.event.id));
	});

	it('never moves a cursor backwards', async () => {
		await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'c' }]);
		expect(await t.store.eventsAfter({ afterId: 10_000 })).toEqual({ events: [], cursor: 10_000 });
	});

	it('rejects a bad query naming the field, and an unknown cadence', async () => {
		await expect(t.store.eventsAfter({ afterId: -1 })).rejects.toThrow(CadenceValidationError);
		await expect(t.store.eventsAfter({ afterId: -1 })).rejects.toThrow(
			/afterId: the cursor cannot be negative/,
		);
		await expect(t.store.eventsAfter({ afterId: 0, types: [] })).rejects.toThrow(
			/types: name at least one event type/,
		);
		await expect(t.store.eventsAfter({ afterId: 0, limit: 5000 })).rejects.toThrow(
			/limit: read at most 1,000 events/,
		);
		await expect(t.store.eventsAfter({ afterId: 0, cadence: 'Nope' })).rejects.toThrow(
			CadenceNotFoundError,
		);
	});
});

describe('the event feed on postgres, with writers committing out of order', () => {
	let t: TestStore;
	let other: SqlDriver;
	beforeEach(async () => {
		t = await freshStore('postgres', VirtualClock.at('2026-03-02T09:00:00Z').read);
		other = rawDriver(t.location.config);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => {
		await other.close();
		await t.dispose();
	});

	/** Another process takes the next event id and keeps its transaction open until `commit()`. */
	async function slowWriter(enrollmentId: number) {
		let commit!: () => void;
		const committed = new Promise<void>((resolve) => (commit = resolve));
		let inserted!: () => void;
		const hasInserted = new Promise<void>((resolve) => (inserted = resolve));
		const done = other.transaction(async (tx) => {
			await tx.run(
				"INSERT INTO events (enrollment_id, step_run_id, type, at, detail) VALUES (?, NULL, 'replied', 0, NULL)",
				[enrollmentId],
			);
			inserted();
			await committed;
		});
		await hasInserted;
		return { commit: async () => (commit(), done) };
	}

	const settleWithin = <T>(promise: Promise<T>, ms: number) =>
		Promise.race([
			promise.then(() => 'read'),
			new Promise((resolve) => setTimeout(() => resolve('waiting'), ms)),
		]);

	async function enrollTwo() {
		const [a, b] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'a' },
			{ cadence: 'Prospecting', contactKey: 'b' },
		]);
		return { a: a.enrollment!, b: b.enrollment! };
	}

	it('waits for an event still being written instead of reading past its id', async () => {
		const { a, b } = await enrollTwo();
		const cursor = await t.store.lastEventId();
		const writer = await slowWriter(a.id);
		// A later id is written and committed while the first is still open.
		await t.store.pause({ enrollmentId: b.id });

		const reading = t.store.eventsAfter({ afterId: cursor });
		expect(await settleWithin(reading, 300)).toBe('waiting');
		await writer.commit();
		const page = await reading;
		expect(page.events.map((f) => [f.event.type, f.enrollment.contactKey])).toEqual([
			['replied', 'a'],
			['paused', 'b'],
		]);
		expect(page.cursor).toBe(page.events[1].event.id);
	});

	it('gives up after a second while a writer stays open, and reads it all next time', async () => {
		const { a, b } = await enrollTwo();
		const cursor = await t.store.lastEventId();
		const writer = await slowWriter(a.id);
		await t.store.pause({ enrollmentId: b.id });

		const started = Date.now();
		expect(await t.store.eventsAfter({ afterId: cursor })).toEqual({ events: [], cursor });
		expect(Date.now() - started).toBeGreaterThanOrEqual(900);
		// Writers queued behind the abandoned lock request went on: the store is not stuck.
		await t.store.resume({ enrollmentId: b.id });
		// A cursor taken now starts after everything visible, the open event included.
		expect(await t.store.lastEventId()).toBeGreaterThan(cursor);

		await writer.commit();
		const page = await t.store.eventsAfter({ afterId: cursor });
		expect(page.events.map((f) => f.event.type)).toEqual(['replied', 'paused', 'resumed']);
	});
});
