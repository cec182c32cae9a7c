import { openStore } from '../../engine/store/open';
import { migrate } from '../../engine/store/schema/migrate';
import { MIGRATIONS, type Migration } from '../../engine/store/schema/migrations';
import type { SqlDriver } from '../../engine/store/sql/driver';
import type { CadenceStore } from '../../engine/store/store';
import { BACKENDS, freshLocation, type Location } from '../support/backends';
import { raceInProcesses } from '../support/processes';
import { count, rawDriver, tableNames } from '../support/raw-sql';
import { insertOldCadence, insertOldEnrollment } from '../support/old-store';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * Embedded, numbered migrations: a fresh location is brought up to date on open, a second open
 * changes nothing, processes opening at the same moment apply each migration once, a new
 * migration applies on its own, and a failing one leaves nothing half-applied.
 */

jest.setTimeout(60_000);

const TABLES_OF_V1 = [
	'cadence_versions',
	'cadences',
	'enrollments',
	'events',
	'goals',
	'messages',
	'schema_migrations',
	'step_runs',
	'suppressions',
];
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

async function versions(db: SqlDriver): Promise<number[]> {
	const rows = await db.all<{ version: unknown }>(
		'SELECT version FROM schema_migrations ORDER BY version',
	);
	return rows.map((r) => Number(r.version));
}

describe.each(BACKENDS)('migrations on %s', (backend) => {
	let clock: VirtualClock;
	let location: Location;
	let opened: Array<CadenceStore | SqlDriver>;

	/** Tracks what a test opens so that every connection is closed even when it fails. */
	function track<T extends CadenceStore | SqlDriver>(handle: T): T {
		opened.push(handle);
		return handle;
	}

	beforeEach(() => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		location = freshLocation(backend);
		opened = [];
	});

	afterEach(async () => {
		for (const handle of opened) await handle.close().catch(() => undefined);
		await location.dispose();
	});

	it('opening a store migrates a fresh location', async () => {
		const store = track(await openStore(location.config, clock.read));
		const db = track(rawDriver(location.config));
		expect(await tableNames(db, location.config)).toEqual(expect.arrayContaining(TABLES_OF_V1));
		const rows = await db.all<{ version: unknown; name: string; applied_at: unknown }>(
			'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
		);
		expect(rows.map((r) => Number(r.version))).toEqual(
			MIGRATIONS.map((m) => m.version).sort((a, b) => a - b),
		);
		expect(rows[0]).toMatchObject({ name: MIGRATIONS[0].name });
		expect(Number(rows[0].version)).toBe(1);
		expect(Number(rows[0].applied_at)).toBe(clock.nowMs);
		// The schema is usable straight away.
		await store.publishCadence({
			name: 'Fresh',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'hi' }],
		});
		expect(await store.enroll([{ cadence: 'Fresh', contactKey: 'c1' }])).toHaveLength(1);
	});

	it('opening again is a no-op', async () => {
		const store = track(await openStore(location.config, clock.read));
		await store.publishCadence({
			name: 'Kept',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'hi' }],
		});
		await store.close();
		clock.advance(60_000);

		const again = track(await openStore(location.config, clock.read));
		expect((await again.getCadence('Kept'))?.name).toBe('Kept');
		const db = track(rawDriver(location.config));
		expect(await migrate(db, clock.nowMs)).toEqual({ applied: [], version: LATEST });
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		// The bookkeeping still says when the migration really ran, not when it was last checked.
		expect(
			await count(db, 'SELECT COUNT(*) AS n FROM schema_migrations WHERE applied_at = ?', [
				clock.nowMs,
			]),
		).toBe(0);
	});

	it('two stores opening a fresh location at the same moment both succeed, migrating once', async () => {
		const settled = await Promise.allSettled([
			openStore(location.config, clock.read),
			openStore(location.config, clock.read),
		]);
		for (const result of settled) if (result.status === 'fulfilled') track(result.value);
		const failures = settled.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
		expect(failures).toEqual([]);

		const db = track(rawDriver(location.config));
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		expect(await tableNames(db, location.config)).toEqual(expect.arrayContaining(TABLES_OF_V1));
		// Both stores work against the one schema.
		const [a, b] = settled.map((r) => (r as PromiseFulfilledResult<CadenceStore>).value);
		await a.publishCadence({
			name: 'Shared',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'hi' }],
		});
		expect((await b.getCadence('Shared'))?.name).toBe('Shared');
	});

	it('three processes opening a fresh location at the same moment all succeed, migrating once', async () => {
		const results = await raceInProcesses(
			{ config: location.config, now: clock.nowMs, cadence: null, openOnGo: true },
			3,
		);
		expect(results).toHaveLength(3);
		const db = track(rawDriver(location.config));
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		expect(await tableNames(db, location.config)).toEqual(expect.arrayContaining(TABLES_OF_V1));
	});

	it('a store written before the due queue keeps every waiting step through the upgrade', async () => {
		const db = track(rawDriver(location.config));
		await migrate(db, clock.nowMs, MIGRATIONS.slice(0, 1));
		await insertOldCadence(db);
		// Version 1 kept the schedule on the row: next_due_at was set only while a step waited.
		const rows: Array<[number, string, string, number | null, number | null]> = [
			[1, 'later', 'active', clock.nowMs + 2 * HOUR, null],
			[2, 'sooner', 'active', clock.nowMs + HOUR, null],
			[3, 'in-flight', 'active', null, clock.nowMs],
			[4, 'finished', 'completed', null, null],
		];
		for (const [id, contact, state, due, claimedAt] of rows) {
			await db.run(
				`INSERT INTO enrollments (id, cadence_id, version, contact_key, conversation_key, contact_name,
					agent, variables, state, cycle, next_step, next_due_at, anchor_at, claimed_at, created_at,
					updated_at) VALUES (?, 1, 1, ?, '', '', '', '{}', ?, 1, 0, ?, 0, ?, 0, 0)`,
				[id, contact, state, due, claimedAt],
			);
		}

		const store = track(await openStore(location.config, clock.read));
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		expect((await store.getEnrollment(1))?.nextDueAt).toBe(clock.nowMs + 2 * HOUR);
		expect((await store.getEnrollment(3))?.nextDueAt).toBeNull();
		clock.advance(3 * HOUR);
		const claimed = await store.claimDue({ cadence: 'Old', limit: 10 });
		expect(claimed.map((c) => c.enrollment.contactKey)).toEqual(['sooner', 'later']);
		expect(await store.claimDue({ cadence: 'Old', limit: 10 })).toEqual([]);
	});

	it('a store with claims from before version 13 keeps their timeline; later claims sort after them', async () => {
		const db = track(rawDriver(location.config));
		await migrate(
			db,
			clock.nowMs,
			MIGRATIONS.filter((m) => m.version < 13),
		);
		await insertOldCadence(db);
		const t0 = clock.nowMs;
		// Enrollment 1 was claimed by the older release (its run and its "claimed" event);
		// enrollment 2 still waits in the queue.
		for (const [id, contact, due] of [
			[1, 'claimed-before', t0],
			[2, 'waiting', t0 + HOUR],
		] as const) {
			await insertOldEnrollment(db, id, contact, due);
		}
		await db.run('INSERT INTO due_steps (cadence_id, due_at, enrollment_id) VALUES (1, ?, 2)', [
			t0 + HOUR,
		]);
		await db.run(
			`INSERT INTO step_runs (id, enrollment_id, cadence_id, step_index, cycle, status, due_at,
				claimed_at, claims, compose_mode, updated_at)
			VALUES (1, 1, 1, 0, 1, 'pending', ?, ?, 1, 'static', ?)`,
			[t0, t0, t0],
		);
		const events: Array<[number, number, number | null, string]> = [
			[1, 1, null, 'enrolled'],
			[2, 2, null, 'enrolled'],
			[3, 1, 1, 'claimed'],
		];
		for (const [id, enrollment, run, type] of events) {
			await db.run(
				'INSERT INTO events (id, enrollment_id, step_run_id, type, at, detail) VALUES (?, ?, ?, ?, ?, NULL)',
				[id, enrollment, run, type, t0],
			);
		}

		const store = track(await openStore(location.config, clock.read));
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		const timeline = async (id: number) =>
			(await store.getTimeline(id)).map((e) => [e.type, e.stepRunId]);
		expect(await timeline(1)).toEqual([
			['enrolled', null],
			['claimed', 1],
		]);

		// The old run claimed again after a deferral, the waiting step claimed for the first time.
		await store.deferStep({ stepRunId: 1, until: t0 + HOUR, reason: 'night' });
		clock.advance(HOUR);
		const claimed = await store.claimDue({ cadence: 'Old', limit: 10 });
		expect(claimed.map((c) => [c.enrollment.id, c.stepRun.claims])).toEqual([
			[1, 2],
			[2, 1],
		]);
		const fresh = claimed[1].stepRun;
		expect(await timeline(1)).toEqual([
			['enrolled', null],
			['claimed', 1],
			['deferred', 1],
			['claimed', 1],
		]);
		const [, again] = (await store.getTimeline(1)).filter((e) => e.type === 'claimed');
		expect(again.detail).toEqual({ step: 0, attempt: 2, reason: 'night' });
		const second = await store.getTimeline(2);
		expect(second.map((e) => [e.type, e.stepRunId])).toEqual([
			['enrolled', null],
			['claimed', fresh.id],
		]);
		expect(second[1]).toMatchObject({ at: clock.nowMs, detail: { step: 0, attempt: 1 } });
		expect(second[1].id).toBeGreaterThan(3);

		// The feed reads the same entries, in id order, each once.
		const { events: feed } = await store.eventsAfter({ afterId: 0, limit: 1000 });
		const ids = feed.map((f) => f.event.id);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(feed.map((f) => f.event)).toEqual(
			[...(await store.getTimeline(1)), ...second].sort((a, b) => a.id - b.id),
		);
	});

	it('a store with enrollments from before version 16 keeps their timeline; new ones sort after them', async () => {
		const db = track(rawDriver(location.config));
		await migrate(
			db,
			clock.nowMs,
			MIGRATIONS.filter((m) => m.version < 16),
		);
		await insertOldCadence(db);
		const t0 = clock.nowMs;
		// Written with their ids, as by an older release whose sequences are not read here.
		await insertOldEnrollment(db, 40, 'old', t0 + HOUR);
		// On Postgres `events` is a view since version 13 and its rows live in event_log.
		const eventTable = backend === 'postgres' ? 'event_log' : 'events';
		await db.run(
			`INSERT INTO ${eventTable} (id, enrollment_id, step_run_id, type, at, detail)
			VALUES (30, 40, NULL, 'enrolled', ?, NULL)`,
			[t0],
		);

		const store = track(await openStore(location.config, clock.read));
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));
		clock.advance(HOUR);
		const [{ enrollment }] = await store.enroll([{ cadence: 'Old', contactKey: 'new' }]);
		// Past every enrollment and event id, so neither is ever taken twice.
		expect(enrollment!.id).toBeGreaterThan(40);
		const [old] = await store.getTimeline(40);
		expect(old).toMatchObject({ id: 30, type: 'enrolled', at: t0 });
		const [fresh] = await store.getTimeline(enrollment!.id);
		expect(fresh).toMatchObject({
			enrollmentId: enrollment!.id,
			stepRunId: null,
			type: 'enrolled',
			at: clock.nowMs,
			detail: { version: 1, nextStep: 0, dueAt: enrollment!.nextDueAt },
		});
		expect(fresh.id).toBeGreaterThan(30);

		// The feed reads both entries, in id order, each once; later events of the new enrollment
		// sort after its start.
		await store.cancel({ enrollmentId: enrollment!.id });
		const { events: feed } = await store.eventsAfter({ afterId: 0, limit: 1000 });
		expect(feed.map((f) => [f.event.enrollmentId, f.event.type])).toEqual([
			[40, 'enrolled'],
			[enrollment!.id, 'enrolled'],
			[enrollment!.id, 'exited'],
		]);
		expect(await store.lastEventId()).toBe(feed[2].event.id);
	});

	it('a store written before conversations gets them from the messages it holds', async () => {
		const db = track(rawDriver(location.config));
		await migrate(
			db,
			clock.nowMs,
			MIGRATIONS.filter((m) => m.version < 10),
		);
		await insertOldCadence(db);
		const t0 = clock.nowMs;
		const messages: Array<[string, string, string, string | null, number]> = [
			['ana', 'chat', 'inbound', 'WhatsApp', t0],
			['ana', 'chat', 'outbound', 'whatsapp', t0 + 1000],
			['ana', 'chat', 'inbound', 'SMS', t0 + 2000],
			['ana', 'chat', 'inbound', null, t0 + 3000],
			['bob', '', 'inbound', 'Live chat', t0 + 500],
		];
		for (const [contact, conversation, direction, channel, at] of messages) {
			await db.run(
				`INSERT INTO messages (contact_key, conversation_key, direction, author, text, channel, at)
				VALUES (?, ?, ?, 'contact', 'x', ?, ?)`,
				[contact, conversation, direction, channel, at],
			);
		}
		// Bob's conversation was resolved before the upgrade (his enrollment exited on it).
		await db.run(
			`INSERT INTO enrollments (id, cadence_id, version, contact_key, conversation_key, contact_name,
				agent, variables, state, exit_reason, cycle, next_step, anchor_at, created_at, updated_at)
			VALUES (1, 1, 1, 'bob', '', '', '', '{}', 'exited', 'resolved', 1, 0, 0, 0, 0)`,
		);

		const store = track(await openStore(location.config, clock.read));
		expect(
			await store.getConversationState({ contactKey: 'ana', conversationKey: 'chat' }),
		).toEqual({
			contactKey: 'ana',
			conversationKey: 'chat',
			channel: 'sms',
			status: 'open',
			lastInboundAt: t0 + 3000,
			lastOutboundAt: t0 + 1000,
			activityAt: t0 + 3000,
			assignee: null,
			channels: [
				{ channel: 'sms', lastInboundAt: t0 + 2000, lastOutboundAt: null },
				{ channel: 'whatsapp', lastInboundAt: t0, lastOutboundAt: t0 + 1000 },
			],
		});
		expect(await store.getConversationState({ contactKey: 'bob' })).toMatchObject({
			channel: 'liveChat',
			status: 'resolved',
		});
	});

	it('a new migration appended later applies on its own', async () => {
		track(await openStore(location.config, clock.read));
		const db = track(rawDriver(location.config));
		clock.advance(60_000);
		const next: Migration = {
			version: LATEST + 1,
			name: 'test: notes',
			statements: (d) => [
				`CREATE TABLE test_notes (id ${d.idColumn}, body TEXT NOT NULL, at ${d.bigint} NOT NULL)`,
				'CREATE INDEX test_notes_at ON test_notes (at)',
			],
		};
		expect(await migrate(db, clock.nowMs, [...MIGRATIONS, next])).toEqual({
			applied: [LATEST + 1],
			version: LATEST + 1,
		});
		expect(await tableNames(db, location.config)).toContain('test_notes');
		expect(await versions(db)).toEqual([...MIGRATIONS.map((m) => m.version), LATEST + 1]);
		expect(
			await count(db, 'SELECT COUNT(*) AS n FROM schema_migrations WHERE applied_at = ?', [
				clock.nowMs,
			]),
		).toBe(1);
		// Running it again finds nothing to do. Code that ships without it (an n8n process not yet
		// upgraded) refuses the store instead of writing to tables it does not know.
		expect(await migrate(db, clock.nowMs, [...MIGRATIONS, next])).toEqual({
			applied: [],
			version: LATEST + 1,
		});
		await expect(openStore(location.config, clock.read)).rejects.toThrow(
			/upgraded by a newer version of n8n-nodes-cadence .*Upgrade the package on every n8n process/,
		);
		expect(await versions(db)).toEqual([...MIGRATIONS.map((m) => m.version), LATEST + 1]);
	});

	it('a failing migration leaves the schema at the previous version with nothing half-applied', async () => {
		track(await openStore(location.config, clock.read));
		const db = track(rawDriver(location.config));
		const before = await tableNames(db, location.config);
		const broken: Migration = {
			version: LATEST + 1,
			name: 'test: broken',
			statements: (d) => [
				`CREATE TABLE half_done (id ${d.idColumn}, body TEXT)`,
				"INSERT INTO half_done (body) VALUES ('written before the failure')",
				'CREATE TABLE half_done_too (id INTEGER REFERENCES table_that_does_not_exist (nope) NOPE)',
			],
		};
		await expect(migrate(db, clock.nowMs, [...MIGRATIONS, broken])).rejects.toThrow();
		expect(await tableNames(db, location.config)).toEqual(before);
		expect(await versions(db)).toEqual(MIGRATIONS.map((m) => m.version));

		// The store still opens and works, and a corrected migration then applies cleanly.
		const store = track(await openStore(location.config, clock.read));
		await store.publishCadence({
			name: 'After',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'hi' }],
		});
		const fixed: Migration = {
			...broken,
			name: 'test: fixed',
			statements: (d) => [`CREATE TABLE half_done (id ${d.idColumn}, body TEXT)`],
		};
		expect(await migrate(db, clock.nowMs, [...MIGRATIONS, fixed])).toEqual({
			applied: [LATEST + 1],
			version: LATEST + 1,
		});
		expect(await count(db, 'SELECT COUNT(*) AS n FROM half_done')).toBe(0);
	});

	it('when one of several pending migrations fails, no migration is left half-applied', async () => {
		track(await openStore(location.config, clock.read));
		const db = track(rawDriver(location.config));
		const good: Migration = {
			version: LATEST + 1,
			name: 'test: good',
			statements: (d) => [`CREATE TABLE test_good (id ${d.idColumn})`],
		};
		const bad: Migration = {
			version: LATEST + 2,
			name: 'test: bad',
			statements: (d) => [
				`CREATE TABLE test_bad (id ${d.idColumn})`,
				'SELECT * FROM no_such_table',
			],
		};
		await expect(migrate(db, clock.nowMs, [...MIGRATIONS, good, bad])).rejects.toThrow();
		const tables = await tableNames(db, location.config);
		const recorded = await versions(db);
		expect(tables).not.toContain('test_bad');
		expect(recorded).not.toContain(LATEST + 2);
		// Whether the good one survives is the engine's choice; it must match its bookkeeping.
		expect(tables.includes('test_good')).toBe(recorded.includes(LATEST + 1));
	});
});
