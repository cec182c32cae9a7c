import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, HOUR, VirtualClock } from '../support/virtual-clock';

describe.each(BACKENDS)('enrolling on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
		await t.store.publishCadence(prospecting);
	});
	afterEach(async () => t.dispose());

	it('enrolls many contacts in one call, each with its own result, in input order', async () => {
		const results = await t.store.enroll([
			{
				cadence: 'Prospecting',
				contactKey: 'a',
				contactName: 'Ann',
				variables: { firstName: 'Ann' },
			},
			{
				cadence: 'Prospecting',
				contactKey: 'b',
				conversationKey: 'chat-1',
				target: { type: 'deal', id: 'D1' },
			},
			{ cadence: 'Prospecting', contactKey: 'a' },
		]);
		expect(results.map((r) => r.outcome)).toEqual(['enrolled', 'enrolled', 'alreadyEnrolled']);
		expect(results[0].enrollment).toMatchObject({
			contactKey: 'a',
			contactName: 'Ann',
			variables: { firstName: 'Ann' },
			state: 'active',
			cycle: 1,
			nextStep: 0,
			nextDueAt: clock.nowMs + 3 * DAY,
			cadenceName: 'Prospecting',
		});
		expect(results[1].enrollment!.target).toEqual({ type: 'deal', id: 'D1' });
		expect((await t.store.listEnrollments()).length).toBe(2);
	});

	it('ignores a repeat while one is running, and counts the conversation as part of identity', async () => {
		const [first] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		clock.advance(HOUR);
		const [repeat, otherChat] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'a' },
			{ cadence: 'Prospecting', contactKey: 'a', conversationKey: 'other' },
		]);
		expect(repeat.outcome).toBe('alreadyEnrolled');
		expect(repeat.enrollment!.id).toBe(first.enrollment!.id);
		expect(repeat.enrollment!.nextDueAt).toBe(first.enrollment!.nextDueAt);
		expect(otherChat.outcome).toBe('enrolled');
	});

	it('restarts the running enrollment’s clock when the policy says so', async () => {
		await t.store.publishCadence({ ...prospecting, reenrollment: { whileActive: 'restart' } });
		const [first] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		clock.advance(2 * DAY);
		const [again] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		expect(again.outcome).toBe('restarted');
		expect(again.enrollment).toMatchObject({ id: first.enrollment!.id, cycle: 2, nextStep: 0 });
		expect(again.enrollment!.nextDueAt).toBe(clock.nowMs + 3 * DAY);
	});

	it('allows a new enrollment after the last one ended, unless the cadence says never', async () => {
		const [first] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		await t.store.cancel({ enrollmentId: first.enrollment!.id });
		const [second] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		expect(second.outcome).toBe('enrolled');
		expect(second.enrollment!.id).not.toBe(first.enrollment!.id);

		await t.store.publishCadence({
			...prospecting,
			name: 'Once',
			reenrollment: { afterEnd: 'never' },
		});
		const [once] = await t.store.enroll([{ cadence: 'Once', contactKey: 'a' }]);
		await t.store.cancel({ enrollmentId: once.enrollment!.id });
		const [refused] = await t.store.enroll([{ cadence: 'Once', contactKey: 'a' }]);
		expect(refused.outcome).toBe('notAllowed');
		expect(refused.message).toMatch(/already went through/);
	});

	it('never enrolls a contact on the suppression list', async () => {
		await t.store.optOut({ contactKey: 'a', reason: 'asked by email' });
		const [result] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		expect(result.outcome).toBe('suppressed');
		expect(result.enrollment).toBeNull();
		expect(await t.store.isSuppressed('a')).toBe(true);
		expect(await t.store.listEnrollments()).toEqual([]);
	});

	it('finds suppressed and running contacts whatever characters their keys hold', async () => {
		// Keys with what a list literal or JSON would have to escape.
		const keys = ['a"b', 'c\\d', 'e,f', '{g}', 'h i', "j'k", 'NULL', 'Émile ✓'];
		await t.store.optOut({ contactKey: keys[0], reason: 'asked by email' });
		await t.store.enroll(
			keys.slice(1).map((contactKey) => ({ cadence: 'Prospecting', contactKey })),
		);
		const again = await t.store.enroll(
			keys.map((contactKey) => ({ cadence: 'Prospecting', contactKey })),
		);
		expect(again.map((r) => r.outcome)).toEqual([
			'suppressed',
			...keys.slice(1).map(() => 'alreadyEnrolled'),
		]);
		expect(again.slice(1).map((r) => r.enrollment?.contactKey)).toEqual(keys.slice(1));
	});

	it('starts the clock at the given start time, and keeps the contact’s time zone', async () => {
		const start = clock.nowMs - DAY;
		const [result] = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'a', startAt: start, timeZone: 'America/Chicago' },
		]);
		expect(result.enrollment).toMatchObject({
			anchorAt: start,
			nextDueAt: start + 3 * DAY,
			timeZone: 'America/Chicago',
		});
	});

	it('names the item a repeat in the same batch repeats, counting from 1 as the errors do', async () => {
		const results = await t.store.enroll([
			{ cadence: 'Prospecting', contactKey: 'a' },
			{ cadence: 'Prospecting', contactKey: 'b' },
			{ cadence: 'Prospecting', contactKey: 'a' },
		]);
		expect(results.map((r) => r.outcome)).toEqual(['enrolled', 'enrolled', 'alreadyEnrolled']);
		expect(results[2].message).toBe('Listed twice in this batch; enrolled once (item 1).');
	});

	it('names items as the caller numbers them when it says how (itemNumbers)', async () => {
		const inputs = [
			{ cadence: 'Prospecting', contactKey: 'a' },
			{ cadence: 'Prospecting', contactKey: 'a' },
		];
		const results = await t.store.enroll(inputs, { itemNumbers: [4, 7] });
		expect(results[1].message).toBe('Listed twice in this batch; enrolled once (item 4).');
		const bad = [
			{ cadence: 'Prospecting', contactKey: 'b' },
			{ cadence: 'Prospecting', contactKey: ' ' },
		];
		await expect(t.store.enroll(bad, { itemNumbers: [4, 7] })).rejects.toThrow(
			/item 7: contactKey/,
		);
		expect(await t.store.listEnrollments({ contactKey: 'b' })).toEqual([]);
	});

	it('records the enrollment in the timeline', async () => {
		const [result] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		const [event] = await t.store.getTimeline(result.enrollment!.id);
		expect(event).toMatchObject({
			type: 'enrolled',
			at: clock.nowMs,
			detail: { version: 1, nextStep: 0 },
		});
	});
});
