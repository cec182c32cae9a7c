import { DateTime } from 'luxon';
import { simulateCadence } from '../../engine/simulate';
import { inactivityChain, prospecting } from '../support/cadences';

const HOUR = 3_600_000;
const at = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();

describe('simulateCadence', () => {
	it('plays the 4 h / 24 h / 48 h chain to the end', async () => {
		const start = at('2026-03-02T09:00:00Z');
		const events = await simulateCadence({ definition: inactivityChain, startAt: start });
		expect(events.map((e) => [e.type, e.step ?? null, e.at - start])).toEqual([
			['enrolled', null, 0],
			['send', 1, 4 * HOUR],
			['send', 2, 28 * HOUR],
			['send', 3, 76 * HOUR],
			['completed', null, 76 * HOUR],
		]);
	});

	it('shows deferrals with their reasons under working hours', async () => {
		const week = [{ from: '08:00', to: '17:00' }];
		const events = await simulateCadence({
			definition: {
				...prospecting,
				steps: [{ wait: { amount: 4, unit: 'hours' }, staticText: 'hi' }],
				schedule: {
					timeZone: 'America/Chicago',
					workingHours: {
						monday: week,
						tuesday: week,
						wednesday: week,
						thursday: week,
						friday: week,
					},
				},
			},
			startAt: at('2026-03-03T17:00:00', 'America/Chicago'),
		});
		const send = events.find((e) => e.type === 'send')!;
		expect(send.at).toBe(at('2026-03-04T08:00:00', 'America/Chicago'));
		expect(send.reason).toMatch(/working hours/);
	});

	it('stops at a reply when the cadence exits on reply, and restarts when it restarts', async () => {
		const start = at('2026-03-02T09:00:00Z');
		const exits = await simulateCadence({
			definition: prospecting,
			startAt: start,
			replies: [{ afterStep: 1, delayMs: HOUR, text: 'thanks' }],
		});
		expect(exits.map((e) => e.type)).toEqual(['enrolled', 'send', 'reply', 'exited']);
		expect(exits.at(-1)!.detail).toBe('replied');
		const restarts = await simulateCadence({
			definition: inactivityChain,
			startAt: start,
			replies: [{ afterStep: 2, delayMs: HOUR, text: 'back' }],
		});
		expect(restarts.filter((e) => e.type === 'send').map((e) => e.step)).toEqual([1, 2, 1, 2, 3]);
	});
});
