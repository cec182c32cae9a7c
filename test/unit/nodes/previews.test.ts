import type { IDataObject } from 'n8n-workflow';
import { Cadence } from '../../../nodes/Cadence/Cadence.node';
import { ComposeFollowUp } from '../../../nodes/ComposeFollowUp/ComposeFollowUp.node';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { triggerContext } from '../../support/trigger-context';

/**
 * Previews must not lie: the trigger's Test step and Cadence → Simulate show the message exactly
 * as the real run sends it (variables filled the way Compose Follow-up fills them), and every
 * time in the zone the cadence reads its hours in, next to UTC.
 */

const MONDAY_0700_UTC = Date.parse('2026-03-02T07:00:00Z');

const berlinHours = {
	timeZone: 'Europe/Berlin',
	workingHours: { window: [{ days: 'weekdays', from: '09:00', to: '17:00' }] },
};
/** The trigger's parameters: a static step and an AI step, both using variables. */
const trigger = (options: IDataObject = {}): IDataObject => ({
	cadenceName: 'Trial check-ins',
	steps: {
		step: [
			{
				waitAmount: 1,
				waitUnit: 'hours',
				composeMode: 'static',
				staticText: 'Hi {{firstName}}, how is the {{plan}} trial going? — {{contactName}}',
			},
			{
				waitAmount: 1,
				waitUnit: 'days',
				composeMode: 'aiFull',
				instruction: 'Ask {{firstName}} whether the {{plan}} plan fits',
				staticText: 'Hi {{firstName}}, does the {{plan}} plan fit?',
			},
		],
	},
	sendingWindow: berlinHours,
	options: {
		sandboxContactName: 'Ana Silva',
		sandboxVariables: {
			variable: [
				{ name: 'firstName', value: 'Ana' },
				{ name: 'plan', value: 'Pro' },
			],
		},
		...options,
	},
});

let t: NodeTestStore;
beforeEach(async () => {
	jest.useFakeTimers({ now: MONDAY_0700_UTC, doNotFake: ['setImmediate', 'nextTick'] });
	t = await nodeTestStore();
});
afterEach(async () => {
	await t.dispose();
	jest.useRealTimers();
});

async function testStep(parameters: IDataObject): Promise<IDataObject> {
	const harness = triggerContext({ parameters, credentials: t.credentials, mode: 'manual' });
	const response = await harness.activate(new FollowUpTrigger());
	await response.manualTriggerFunction!();
	return harness.emitted[0][0][0].json;
}

describe('Follow-up Trigger → Test step', () => {
	it('shows the message with the sample variables filled in, as Compose Follow-up sends it', async () => {
		const item = await testStep(trigger());
		expect(item.previewMessage).toBe('Hi Ana, how is the Pro trial going? — Ana Silva');
		expect(item.previewProblem).toBeUndefined();
		const send = (item.previewTimeline as IDataObject[]).find((e) => e.event === 'send')!;
		expect(send.text).toBe('Hi Ana, how is the Pro trial going? — Ana Silva');

		// The real run: the same item through Compose Follow-up, mode taken from the step.
		const [sent] = await new ComposeFollowUp().execute.call(
			executeContext({
				type: 'composeFollowUp',
				parameters: { mode: 'fromStep', instruction: '', options: {} },
				items: [{ json: item }],
				credentials: t.credentials,
			}),
		);
		expect((sent[0].json.message as IDataObject).text).toBe(item.previewMessage);
	});

	it('shows the due time in the cadence’s zone next to UTC', async () => {
		const item = await testStep(trigger());
		// 07:00 UTC = 08:00 in Berlin, + 1 h = 09:00 Berlin, inside working hours.
		expect(item).toMatchObject({
			dueAt: '2026-03-02T08:00:00.000Z',
			dueAtLocal: 'Mon 2 Mar 2026, 09:00',
			dueAtTimeZone: 'Europe/Berlin',
		});
		const timeline = item.previewTimeline as IDataObject[];
		expect(timeline.map((e) => [e.event, e.at, e.localTime, e.timeZone])).toEqual([
			['enrolled', '2026-03-02T07:00:00.000Z', 'Mon 2 Mar 2026, 08:00', 'Europe/Berlin'],
			['send', '2026-03-02T08:00:00.000Z', 'Mon 2 Mar 2026, 09:00', 'Europe/Berlin'],
			['send', '2026-03-03T08:00:00.000Z', 'Tue 3 Mar 2026, 09:00', 'Europe/Berlin'],
			['completed', '2026-03-03T08:00:00.000Z', 'Tue 3 Mar 2026, 09:00', 'Europe/Berlin'],
		]);
	});

	it('reads the sandbox contact’s own zone when the cadence sends in the recipient’s hours', async () => {
		const item = await testStep({
			...trigger({ sandboxTimeZone: 'America/Sao_Paulo' }),
			sendingWindow: { ...berlinHours, useRecipientTimeZone: true },
		});
		// 07:00 UTC = 04:00 in São Paulo, + 1 h = 05:00: closed, so 09:00 there (12:00 UTC).
		expect(item).toMatchObject({
			dueAt: '2026-03-02T12:00:00.000Z',
			dueAtLocal: 'Mon 2 Mar 2026, 09:00',
			dueAtTimeZone: 'America/Sao_Paulo',
			contact: { timeZone: 'America/Sao_Paulo' },
		});
	});

	it('names the Sandbox Contact Time Zone option when it is not a zone', async () => {
		const harness = triggerContext({
			parameters: trigger({ sandboxTimeZone: 'Mars/Olympus' }),
			credentials: t.credentials,
			mode: 'manual',
		});
		await expect(harness.activate(new FollowUpTrigger())).rejects.toThrow(
			'The "Options → Sandbox Contact Time Zone" parameter is not valid',
		);
	});

	it('in an AI mode shows the instruction the AI gets and the fallback text, both filled in', async () => {
		const item = await testStep(trigger({ sandboxStep: 2 }));
		expect(item.previewMessage).toBe('Hi Ana, does the Pro plan fit?');
		expect(item.previewMessageNote).toMatch(/AI writes the message/);
		const sends = (item.previewTimeline as IDataObject[]).filter((e) => e.event === 'send');
		expect(sends[1]).toMatchObject({
			instruction: 'Ask Ana whether the Pro plan fits',
			text: 'Hi Ana, does the Pro plan fit?',
		});
		// The earlier follow-up is in the history as it was sent.
		expect((item.history as IDataObject[])[0].text).toBe(
			'Hi Ana, how is the Pro trial going? — Ana Silva',
		);
	});

	it('says when the real send would fail for a variable the sample contact lacks', async () => {
		const item = await testStep(trigger({ sandboxVariables: {} }));
		expect(item.previewMessage).toBe(
			'Hi {{firstName}}, how is the {{plan}} trial going? — Ana Silva',
		);
		expect(item.previewProblem).toMatch(
			/this step would fail to send: .*\{\{firstName\}\}.*Enroll In Cadence → Variables/,
		);
	});
});

describe('Cadence → Simulate', () => {
	const simulate = (more: IDataObject = {}) =>
		new Cadence().execute.call(
			executeContext({
				type: 'cadence',
				credentials: t.credentials,
				parameters: {
					resource: 'simulation',
					operation: 'simulate',
					cadenceSource: 'json',
					definition: JSON.stringify({
						name: 'Invoices',
						steps: [
							{
								wait: { amount: 2, unit: 'hours' },
								staticText: 'Hi {{firstName}}, invoice {{invoice}} is due.',
							},
							{
								wait: { amount: 1, unit: 'days' },
								composeMode: 'aiAssisted',
								instruction: 'Remind {{contactName}} of invoice {{invoice}}',
								staticText: 'Reminder: invoice {{invoice}}.',
							},
						],
						schedule: { timeZone: 'America/Chicago', timeZoneSource: 'recipient' },
					}),
					contactName: 'Ana Silva',
					contactTimeZone: 'America/Sao_Paulo',
					variables: {
						variable: [
							{ name: 'firstName', value: 'Ana' },
							{ name: 'invoice', value: 'F-17' },
						],
					},
					startAt: '2026-03-02T12:00:00Z',
					replies: {},
					options: {},
					...more,
				},
			}),
		);

	it('renders every send with the sample variables, in the contact’s zone next to UTC', async () => {
		const [out] = await simulate();
		const sends = out.filter((o) => o.json.type === 'send').map((o) => o.json);
		expect(sends).toEqual([
			expect.objectContaining({
				at: '2026-03-02T14:00:00.000Z',
				localTime: 'Mon 2 Mar 2026, 11:00',
				timeZone: 'America/Sao_Paulo',
				text: 'Hi Ana, invoice F-17 is due.',
				problem: null,
			}),
			expect.objectContaining({
				at: '2026-03-03T14:00:00.000Z',
				localTime: 'Tue 3 Mar 2026, 11:00',
				timeZone: 'America/Sao_Paulo',
				instruction: 'Remind Ana Silva of invoice F-17',
				text: 'Reminder: invoice F-17.',
			}),
		]);
		for (const o of out) expect(o.json.timeZone).toBe('America/Sao_Paulo');
	});

	it('uses the cadence’s zone when the contact has none, and names a missing variable', async () => {
		const [out] = await simulate({ contactTimeZone: '', variables: {} });
		const send = out.find((o) => o.json.type === 'send')!.json;
		expect(send).toMatchObject({
			localTime: 'Mon 2 Mar 2026, 08:00',
			timeZone: 'America/Chicago',
			text: 'Hi {{firstName}}, invoice {{invoice}} is due.',
			problem: expect.stringMatching(/would fail to send: .*\{\{firstName\}\}/),
		});
	});
});
