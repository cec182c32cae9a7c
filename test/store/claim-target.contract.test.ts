import type { CadenceDefinitionInput } from '../../engine/cadence/definition';
import { openStore } from '../../engine/store/open';
import type { CadenceStore } from '../../engine/store/store';
import { BACKENDS, freshLocation, type Location } from '../support/backends';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * A claimer reads its cadence once and keeps what it found (claim.ts); every claim still sees
 * what another process changed since, at once: a pause, a new version, a second cadence taking
 * the same name.
 */

jest.setTimeout(30_000);

const NAME = 'Kept';
const v1: CadenceDefinitionInput = {
	name: NAME,
	steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'first' }],
};

describe.each(BACKENDS)('a claimer and another process on %s', (backend) => {
	let clock: VirtualClock;
	let location: Location;
	let claimer: CadenceStore;
	let other: CadenceStore;

	beforeEach(async () => {
		clock = VirtualClock.at('2026-03-02T09:00:00Z');
		location = freshLocation(backend);
		claimer = await openStore(location.config, clock.read);
		other = await openStore(location.config, clock.read);
	});

	afterEach(async () => {
		await claimer.close().catch(() => undefined);
		await other.close().catch(() => undefined);
		await location.dispose();
	});

	async function enroll(...contacts: string[]) {
		await other.enroll(contacts.map((contactKey) => ({ cadence: NAME, contactKey })));
	}

	it('stops claiming the moment the other pauses the cadence, and goes on once it is back', async () => {
		await other.publishCadence(v1);
		await enroll('a', 'b', 'c');
		clock.advance(HOUR);
		expect(await claimer.claimDue({ cadence: NAME, limit: 1 })).toHaveLength(1);

		await other.publishCadence({ ...v1, active: false });
		expect(await claimer.claimDue({ cadence: NAME })).toEqual([]);

		await other.publishCadence(v1);
		expect(await claimer.claimDue({ cadence: NAME })).toHaveLength(2);
	});

	it("claims a version the other published with that version's steps", async () => {
		await other.publishCadence(v1);
		await enroll('a');
		clock.advance(HOUR);
		expect(await claimer.claimDue({ cadence: NAME })).toHaveLength(1);

		await other.publishCadence({
			...v1,
			steps: [{ wait: { amount: 1, unit: 'hours' }, composeMode: 'aiFull', instruction: 'Ask.' }],
		});
		await enroll('b');
		clock.advance(HOUR);
		const [step] = await claimer.claimDue({ cadence: NAME });
		expect(step.enrollment).toMatchObject({ contactKey: 'b', version: 2 });
		expect(step.stepRun.composeMode).toBe('aiFull');
	});

	it('refuses the name once the other gives a second cadence the same one', async () => {
		await other.publishCadence(v1, { workflowId: 'wf-A', nodeId: 'n', workflowName: 'A' });
		await enroll('a', 'b');
		clock.advance(HOUR);
		expect(await claimer.claimDue({ cadence: NAME, limit: 1 })).toHaveLength(1);

		await other.publishCadence(v1, { workflowId: 'wf-B', nodeId: 'n', workflowName: 'B' });
		await expect(claimer.claimDue({ cadence: NAME })).rejects.toThrow(/2 cadences are named/);
	});

	it('hands out each step run and enrollment as the store then holds them', async () => {
		await other.publishCadence(v1);
		await enroll('a', 'b', 'c');
		clock.advance(HOUR);
		const asStored = async (steps: Awaited<ReturnType<CadenceStore['claimDue']>>) => {
			for (const { stepRun, enrollment } of steps) {
				expect(stepRun).toEqual(await other.getStepRun({ stepRunId: stepRun.id }));
				expect(enrollment).toEqual(await other.getEnrollment(enrollment.id));
			}
		};
		const first = await claimer.claimDue({ cadence: NAME });
		expect(first).toHaveLength(3);
		await asStored(first);

		await other.deferStep({
			stepRunId: first[0].stepRun.id,
			until: clock.nowMs + HOUR,
			reason: 'x',
		});
		clock.advance(HOUR);
		const again = await claimer.claimDue({ cadence: NAME });
		expect(again.map((c) => c.stepRun.claims)).toEqual([2]);
		await asStored(again);
	});
});
