import { prospecting } from '../support/cadences';
import { BACKENDS, freshStore, type TestStore } from '../support/backends';
import { DAY, VirtualClock } from '../support/virtual-clock';

describe.each(BACKENDS)('cadence versions on %s', (backend) => {
	let clock: VirtualClock;
	let t: TestStore;
	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		t = await freshStore(backend, clock.read);
	});
	afterEach(async () => t.dispose());

	it('publishes version 1, then a new version only when the content changed', async () => {
		const first = await t.store.publishCadence(prospecting);
		expect(first).toMatchObject({ version: 1, created: true, active: true });
		const same = await t.store.publishCadence({ ...prospecting });
		expect(same).toMatchObject({ id: first.id, version: 1, created: false });
		const changed = await t.store.publishCadence({
			...prospecting,
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'Only one now' }],
		});
		expect(changed).toMatchObject({ id: first.id, version: 2, created: true });
		expect((await t.store.getCadence('Prospecting'))!.version).toBe(2);
		expect((await t.store.getCadence('Prospecting', 1))!.definition.steps).toHaveLength(3);
	});

	it('pausing the cadence is not a new version, and a paused cadence neither enrolls nor emits', async () => {
		await t.store.publishCadence(prospecting);
		const [enrolled] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'a' }]);
		const paused = await t.store.publishCadence({ ...prospecting, active: false });
		expect(paused).toMatchObject({ version: 1, created: false, active: false });
		const [refused] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'b' }]);
		expect(refused.outcome).toBe('notAllowed');
		expect(refused.message).toMatch(/paused/);
		clock.advance(3 * DAY);
		expect(await t.store.claimDue({ cadence: 'Prospecting' })).toEqual([]);
		await t.store.publishCadence(prospecting);
		const claimed = await t.store.claimDue({ cadence: 'Prospecting' });
		expect(claimed.map((c) => c.enrollment.id)).toEqual([enrolled.enrollment!.id]);
	});

	it('enrollments keep the version they started on', async () => {
		await t.store.publishCadence(prospecting);
		const [old] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'old' }]);
		await t.store.publishCadence({
			...prospecting,
			steps: [{ wait: { amount: 1, unit: 'days' }, staticText: 'New text' }],
		});
		const [fresh] = await t.store.enroll([{ cadence: 'Prospecting', contactKey: 'new' }]);
		expect(old.enrollment!.version).toBe(1);
		expect(fresh.enrollment!.version).toBe(2);
		clock.advance(3 * DAY);
		const claimed = await t.store.claimDue({ cadence: 'Prospecting' });
		const byContact = Object.fromEntries(claimed.map((c) => [c.enrollment.contactKey, c]));
		expect(byContact.old.step.staticText).toBe('Follow-up 1 for {{firstName}}');
		expect(byContact.old.stepCount).toBe(3);
		expect(byContact.new.step.staticText).toBe('New text');
		expect(byContact.new.isLastStep).toBe(true);
	});

	it('lists and searches cadences by name, case-insensitively', async () => {
		await t.store.publishCadence(prospecting);
		await t.store.publishCadence({ ...prospecting, name: 'Billing 50% off' });
		expect((await t.store.listCadences()).map((c) => c.name)).toEqual([
			'Billing 50% off',
			'Prospecting',
		]);
		expect((await t.store.listCadences({ search: 'PROSP' })).map((c) => c.name)).toEqual([
			'Prospecting',
		]);
		expect((await t.store.listCadences({ search: '50%' })).map((c) => c.name)).toEqual([
			'Billing 50% off',
		]);
		expect(await t.store.listCadences({ search: '5_%' })).toEqual([]);
	});
});
