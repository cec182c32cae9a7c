import { NodeOperationError, type IDataObject } from 'n8n-workflow';
import { DateTime } from 'luxon';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { inactivityChain, prospecting } from '../../support/cadences';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';

const node = new Cadence();
let t: NodeTestStore;

const run = (parameters: IDataObject, extra: Partial<Parameters<typeof executeContext>[0]> = {}) =>
	node.execute.call(
		executeContext({ type: 'cadence', parameters, credentials: t.credentials, ...extra }),
	);
const simulate = (more: IDataObject = {}) => ({
	resource: 'simulation',
	operation: 'simulate',
	cadenceSource: 'json',
	definition: JSON.stringify(inactivityChain),
	contactName: 'Alex',
	contactTimeZone: '',
	variables: {},
	startAt: '2026-03-02T09:00:00Z',
	replies: {},
	options: {},
	...more,
});
const reply = (afterStep: number, delay: number, delayUnit: string, handling = 'policy') => ({
	afterStep,
	delay,
	delayUnit,
	handling,
	text: 'Thanks!',
});

const week = [{ from: '08:00', to: '17:00' }];
const workingHours: CadenceDefinitionInput = {
	...prospecting,
	name: 'Office hours',
	steps: [{ wait: { amount: 4, unit: 'hours' }, staticText: 'Hi {{firstName}}' }],
	schedule: {
		timeZone: 'America/Chicago',
		workingHours: { monday: week, tuesday: week, wednesday: week, thursday: week, friday: week },
	},
};

beforeEach(async () => {
	t = await nodeTestStore();
});
afterEach(async () => t.dispose());

describe('Cadence › Simulation › Simulate', () => {
	it('plays the 4 h / 24 h / 48 h chain: one item per event with its time and step', async () => {
		const [out] = await run(simulate());
		expect(out.map((o) => [o.json.type, o.json.step, o.json.at, o.json.afterStart])).toEqual([
			['enrolled', null, '2026-03-02T09:00:00.000Z', '0m'],
			['send', 1, '2026-03-02T13:00:00.000Z', '4h'],
			['send', 2, '2026-03-03T13:00:00.000Z', '1d 4h'],
			['send', 3, '2026-03-05T13:00:00.000Z', '3d 4h'],
			['completed', null, '2026-03-05T13:00:00.000Z', '3d 4h'],
		]);
		expect(out[1].json).toMatchObject({
			cadence: 'Inactivity follow-ups',
			cadenceVersion: null,
			text: 'Still there?',
			instruction: 'Remind the user we are available',
			composeMode: 'aiFull',
			reason: null,
			timeZone: 'UTC',
			localTime: 'Mon 2 Mar 2026, 13:00',
		});
		expect(out.every((o) => (o.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('shows a working-hours deferral with its reason, in the cadence’s time zone', async () => {
		const start = DateTime.fromISO('2026-03-03T15:00', { zone: 'America/Chicago' });
		const [out] = await run(
			simulate({ definition: JSON.stringify(workingHours), startAt: start.toISO() }),
		);
		const send = out.find((o) => o.json.type === 'send')!;
		// 15:00 + 4 h = 19:00, after hours: it moves to 08:00 the next working morning.
		expect(send.json).toMatchObject({
			at: '2026-03-04T14:00:00.000Z',
			localTime: 'Wed 4 Mar 2026, 08:00',
			timeZone: 'America/Chicago',
			afterStart: '17h',
			reason: expect.stringMatching(/working hours/),
		});
	});

	it('plays replies: exit, a pause that holds the next step, and a restart', async () => {
		const [exits] = await run(
			simulate({
				definition: JSON.stringify(prospecting),
				replies: { reply: [reply(1, 2, 'hours')] },
			}),
		);
		expect(exits.map((o) => [o.json.type, o.json.detail])).toEqual([
			['enrolled', null],
			['send', null],
			['reply', 'exit'],
			['exited', 'replied'],
		]);
		expect(exits[2].json).toMatchObject({ text: 'Thanks!', afterStart: '3d 2h' });

		const [paused] = await run(
			simulate({ replies: { reply: [reply(1, 30, 'minutes', 'pause')] } }),
		);
		expect(paused.map((o) => o.json.type)).toEqual([
			'enrolled',
			'send',
			'reply',
			'paused',
			'send',
			'send',
			'completed',
		]);
		expect(paused[4].json.reason).toBe('paused after the reply');

		const [restarts] = await run(simulate({ replies: { reply: [reply(2, 1, 'days')] } }));
		expect(restarts.filter((o) => o.json.type === 'send').map((o) => o.json.step)).toEqual([
			1, 2, 1, 2, 3,
		]);
	});

	it('stops after Max Sends for a cadence that keeps restarting', async () => {
		const [out] = await run(
			simulate({ replies: { reply: [reply(1, 1, 'hours')] }, options: { maxSends: 2 } }),
		);
		expect(out.filter((o) => o.json.type === 'send')).toHaveLength(2);
	});

	it('plays a published cadence from the store, and leaves the real store untouched', async () => {
		await t.store.publishCadence(workingHours);
		// Version 2 reads working hours in the recipient's zone.
		await t.store.publishCadence({
			...workingHours,
			schedule: { ...workingHours.schedule, timeZoneSource: 'recipient' },
		});
		const [out] = await run(
			simulate({
				cadenceSource: 'published',
				cadence: { mode: 'list', value: 'Office hours' },
				startAt: '2026-03-02T15:00:00Z',
				contactTimeZone: 'Europe/Berlin',
			}),
		);
		expect(out[0].json).toMatchObject({ cadence: 'Office hours', cadenceVersion: 2 });
		expect(out.map((o) => o.json.type)).toEqual(['enrolled', 'send', 'completed']);
		// Monday 16:00 in Berlin + 4 h is after hours there: Tuesday 08:00 Berlin time.
		expect(out[1].json).toMatchObject({
			at: '2026-03-03T07:00:00.000Z',
			localTime: 'Tue 3 Mar 2026, 08:00',
			timeZone: 'Europe/Berlin',
			text: 'Hi {{firstName}}',
		});
		expect(await t.store.listEnrollments()).toEqual([]);
	});

	it('simulates a JSON definition without opening the store at all', async () => {
		const unreachable = {
			cadenceStoreApi: {
				backend: 'postgres',
				host: '127.0.0.1',
				port: 1,
				database: 'x',
				user: 'x',
				password: '',
				schema: 'cadence',
			},
		};
		const [out] = await run(simulate(), { credentials: unreachable });
		expect(out.at(-1)!.json.type).toBe('completed');
	});

	it.each([
		[
			'broken JSON',
			{ definition: '{ "name": "x", ' },
			/"Cadence Definition \(JSON\)" parameter is not valid JSON/,
		],
		[
			'an unknown wait unit',
			{
				definition: JSON.stringify({ name: 'x', steps: [{ wait: { amount: 1, unit: 'weeks' } }] }),
			},
			/"Cadence Definition \(JSON\)" parameter is not a valid cadence — steps\.0\.wait\.unit: use one of/,
		],
		[
			'a cadence without steps',
			{ definition: JSON.stringify({ name: 'x', steps: [] }) },
			/"Cadence Definition \(JSON\)" parameter is not a valid cadence — steps: add at least one step/,
		],
		[
			'an unknown published cadence',
			{ cadenceSource: 'published', cadence: { mode: 'name', value: 'Nope' } },
			/"Cadence" parameter names no published cadence: "Nope"/,
		],
		[
			'no cadence picked',
			{ cadenceSource: 'published', cadence: { mode: 'list', value: '' } },
			/"Cadence" parameter is empty/,
		],
		[
			'an unknown time zone',
			{ contactTimeZone: 'Mars/Olympus' },
			/"Sandbox Contact Time Zone" parameter is not a time zone/,
		],
		[
			'a start time that is not a date',
			{ startAt: 'tomorrow' },
			/"Start Time" parameter is not a date/,
		],
		[
			'a reply after a step that does not exist',
			{ replies: { reply: [reply(4, 1, 'hours')] } },
			/"Simulated Replies → Reply 1 → After Step" parameter must be a step number from 1 to 3, not 4/,
		],
		[
			'a negative reply delay',
			{ replies: { reply: [reply(1, 1, 'hours'), reply(2, -1, 'hours')] } },
			/"Simulated Replies → Reply 2 → Delay" parameter must be zero or more/,
		],
		[
			'an unknown reply handling',
			{ replies: { reply: [reply(1, 1, 'hours', 'shout')] } },
			/"Simulated Replies → Reply 1 → Reply Handling" parameter must be one of/,
		],
		[
			'zero max sends',
			{ options: { maxSends: 0 } },
			/"Max Sends" parameter must be a whole number of at least 1/,
		],
	])('rejects %s, naming the parameter', async (_label, more, message) => {
		const attempt = run(simulate(more as IDataObject));
		await expect(attempt).rejects.toThrow(NodeOperationError);
		await expect(attempt).rejects.toThrow(message);
	});

	it('with Continue On Fail, one bad definition does not stop the other items', async () => {
		const context = executeContext({
			type: 'cadence',
			parameters: (i) => simulate(i === 0 ? { definition: 'nope' } : {}),
			items: [{ json: {} }, { json: {} }],
			continueOnFail: true,
			credentials: t.credentials,
		});
		const [out] = await node.execute.call(context);
		expect(out[0]).toEqual({
			json: { error: expect.stringMatching(/not valid JSON/) },
			pairedItem: { item: 0 },
		});
		expect(out.slice(1).map((o) => o.pairedItem)).toEqual(Array(5).fill({ item: 1 }));
	});
});
