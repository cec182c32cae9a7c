import type { Wait } from '../../../engine/cadence/definition';
import { computeSendTime, type SendTime, type TimingContext } from '../../../engine/timing';
import { at, CHICAGO, context, hours, MONDAY_TO_FRIDAY, NEW_YORK, utc } from './helpers';

const CHAIN: Wait[] = [
	{ amount: 4, unit: 'hours' },
	{ amount: 24, unit: 'hours' },
	{ amount: 48, unit: 'hours' },
];

/** Step 1 waits from the anchor, every later step from the previous step's actual send. */
function sendChain(anchor: number, waits: Wait[], ctx: TimingContext): SendTime[] {
	const sends: SendTime[] = [];
	let from = anchor;
	for (const wait of waits) {
		const send = computeSendTime(from, wait, ctx);
		sends.push(send);
		from = send.at;
	}
	return sends;
}

describe('the 4 h / 24 h / 48 h chain', () => {
	it('without a schedule every step goes out when its wait ends', () => {
		const sends = sendChain(at('2026-06-08T09:00', 'UTC'), CHAIN, context());
		expect(sends.map((send) => utc(send.at))).toEqual([
			'2026-06-08T13:00:00.000Z',
			'2026-06-09T13:00:00.000Z',
			'2026-06-11T13:00:00.000Z',
		]);
		for (const send of sends) {
			expect(send.naturalAt).toBe(send.at);
			expect(send.reason).toBeNull();
		}
	});

	it('with working hours a deferred step pushes the later ones back, never bunching them', () => {
		const office = context({
			timeZone: CHICAGO,
			workingHours: hours('08:00', '17:00', MONDAY_TO_FRIDAY),
		});
		const sends = sendChain(at('2026-06-08T15:00', CHICAGO), CHAIN, office);
		expect(sends).toEqual([
			{
				naturalAt: at('2026-06-08T19:00', CHICAGO),
				at: at('2026-06-09T08:00', CHICAGO),
				reason: 'deferred: outside working hours (Mon–Fri 08:00–17:00, America/Chicago)',
			},
			{
				naturalAt: at('2026-06-10T08:00', CHICAGO),
				at: at('2026-06-10T08:00', CHICAGO),
				reason: null,
			},
			{
				naturalAt: at('2026-06-12T08:00', CHICAGO),
				at: at('2026-06-12T08:00', CHICAGO),
				reason: null,
			},
		]);
	});

	it('over a weekend, the step that lands on Saturday waits for Monday', () => {
		const office = context({
			timeZone: CHICAGO,
			workingHours: hours('08:00', '17:00', MONDAY_TO_FRIDAY),
		});
		const sends = sendChain(at('2026-06-11T16:00', CHICAGO), CHAIN, office); // Thursday
		expect(sends.map((send) => send.at)).toEqual([
			at('2026-06-12T08:00', CHICAGO),
			at('2026-06-15T08:00', CHICAGO),
			at('2026-06-17T08:00', CHICAGO),
		]);
		expect(sends[1].naturalAt).toBe(at('2026-06-13T08:00', CHICAGO));
		expect(sends[1].reason).toBe('deferred: closed on Saturday in America/Chicago');
	});

	it('hours stay elapsed time over the New York spring change', () => {
		const sends = sendChain(
			at('2026-03-07T20:00', NEW_YORK),
			CHAIN,
			context({ timeZone: NEW_YORK }),
		);
		expect(sends.map((send) => utc(send.at))).toEqual([
			'2026-03-08T05:00:00.000Z', // 00:00 EST
			'2026-03-09T05:00:00.000Z', // 01:00 EDT: 24 h later, the clock reads an hour later
			'2026-03-11T05:00:00.000Z',
		]);
	});
});

describe('computeSendTime', () => {
	it('1 business day from Friday evening in Chicago goes out Monday at 08:00', () => {
		const office = context({
			timeZone: CHICAGO,
			workingHours: hours('08:00', '17:00', MONDAY_TO_FRIDAY),
			holidays: ['2026-06-15'],
		});
		const send = computeSendTime(
			at('2026-06-12T18:30', CHICAGO),
			{ amount: 1, unit: 'businessDays' },
			office,
		);
		expect(send).toEqual({
			naturalAt: at('2026-06-16T18:30', CHICAGO),
			at: at('2026-06-17T08:00', CHICAGO),
			reason: 'deferred: outside working hours (Mon–Fri 08:00–17:00, America/Chicago)',
		});
	});

	it('a 0-minute wait inside working hours sends immediately', () => {
		const office = context({ timeZone: CHICAGO, workingHours: hours('08:00', '17:00') });
		const now = at('2026-06-10T11:11', CHICAGO);
		expect(computeSendTime(now, { amount: 0, unit: 'minutes' }, office)).toEqual({
			at: now,
			naturalAt: now,
			reason: null,
		});
	});

	it('a 0-minute wait outside working hours still waits for them', () => {
		const office = context({ timeZone: CHICAGO, workingHours: hours('08:00', '17:00') });
		const send = computeSendTime(
			at('2026-06-10T06:00', CHICAGO),
			{ amount: 0, unit: 'hours' },
			office,
		);
		expect(send.naturalAt).toBe(at('2026-06-10T06:00', CHICAGO));
		expect(send.at).toBe(at('2026-06-10T08:00', CHICAGO));
	});
});
