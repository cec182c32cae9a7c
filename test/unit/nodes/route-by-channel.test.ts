import type { IDataObject } from 'n8n-workflow';
import type { CadenceDefinitionInput } from '../../../engine/cadence/definition';
import { claimedItems } from '../../../nodes/FollowUpTrigger/due-steps';
import type { TriggerSettings } from '../../../nodes/FollowUpTrigger/settings';
import { RouteByChannel } from '../../../nodes/RouteByChannel/RouteByChannel.node';
import { ROUTE_OUTPUTS } from '../../../nodes/RouteByChannel/outputs';
import { executeContext, nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { HOUR } from '../../support/virtual-clock';

const node = new RouteByChannel();
const NOW = Date.parse('2026-03-02T12:00:00Z');
const settings = { historyLength: 20 } as TriggerSettings;

const windowCadence = (extra: Partial<CadenceDefinitionInput> = {}): CadenceDefinitionInput => ({
	name: 'Window',
	steps: [
		{
			wait: { amount: 1, unit: 'hours' },
			staticText: 'Still interested, {{firstName}}?',
			channel: 'whatsapp',
			whatsappTemplate: 'invoice_reminder_2',
			whatsappTemplateLanguage: 'pt_BR',
			whatsappTemplateParameters: ['{{firstName}}', 'INV-{{invoice}}'],
		},
	],
	...extra,
});

let t: NodeTestStore;
beforeEach(async () => {
	jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
	t = await nodeTestStore();
});
afterEach(async () => {
	await t.dispose();
	jest.useRealTimers();
});

/** The contact wrote on WhatsApp `hoursAgo` before the step falls due; enrolled; step claimed. */
async function dueItems(
	definition: CadenceDefinitionInput,
	contacts: Array<{ key: string; wroteHoursAgo: number | null; phone?: string; email?: string }>,
) {
	await t.store.publishCadence(definition);
	for (const c of contacts) {
		if (c.wroteHoursAgo !== null) {
			await t.store.recordInbound({
				contactKey: c.key,
				text: 'hello',
				channel: 'WhatsApp',
				at: NOW - c.wroteHoursAgo * HOUR,
			});
		}
		const identities = [
			...(c.phone ? [{ kind: 'phone' as const, value: c.phone }] : []),
			...(c.email ? [{ kind: 'email' as const, value: c.email }] : []),
		];
		await t.store.enroll([
			{
				cadence: definition.name,
				contactKey: c.key,
				variables: { firstName: c.key, invoice: 7 },
				identities,
				startAt: NOW - 2 * HOUR,
			},
		]);
	}
	const claimed = await t.store.claimDue({ cadence: definition.name });
	const items = await claimedItems(t.store, claimed, settings, () => undefined);
	return contacts.map((c) => items.find((i) => (i.json.contact as IDataObject).key === c.key)!);
}

async function route(items: IDataObject[], continueOnFail = false) {
	const ctx = executeContext({
		type: 'routeByChannel',
		parameters: {},
		items: items.map((json) => ({ json })),
		credentials: t.credentials,
		continueOnFail,
	});
	return node.execute.call(ctx);
}

const outputNamed = (name: string) => ROUTE_OUTPUTS.findIndex((o) => o.name === name);

describe('Route by Channel', () => {
	it('has one named output per route and Cannot Send', () => {
		expect(node.description.outputNames).toEqual([
			'WhatsApp Text',
			'WhatsApp Template',
			'SMS',
			'Email',
			'Same Conversation',
			'Cannot Send',
		]);
		expect(node.description.outputs).toHaveLength(6);
	});

	it('sends WhatsApp text inside the 24 h window and the template outside it, by the last inbound time', async () => {
		const [inside, outside] = await dueItems(windowCadence(), [
			{ key: 'ana', wroteHoursAgo: 23, phone: '+55 11 98765-4321' },
			{ key: 'bia', wroteHoursAgo: 25, phone: '+5511912345678' },
		]);
		const outputs = await route([inside.json, outside.json]);
		expect(outputs[outputNamed('WhatsApp Text')].map((i) => i.json.contact)).toMatchObject([
			{ key: 'ana' },
		]);
		const [templated] = outputs[outputNamed('WhatsApp Template')];
		expect(templated.json).toMatchObject({
			channel: 'whatsapp',
			channelAddress: '+5511912345678',
			template: {
				name: 'invoice_reminder_2',
				language: 'pt_BR',
				parameters: ['bia', 'INV-7'],
			},
		});
		expect(templated.json.channelReason).toMatch(/outside WhatsApp's 24 h window since/);
		expect(templated.pairedItem).toEqual({ item: 1 });
		expect(outputs[outputNamed('Cannot Send')]).toEqual([]);
	});

	it('sends to the exact 24 h edge as a template: the window is closed at 24 h', async () => {
		const [edge] = await dueItems(windowCadence(), [
			{ key: 'cai', wroteHoursAgo: 24, phone: '+5511912345670' },
		]);
		expect(edge.json.channelRoute).toBe('whatsappTemplate');
	});

	it('routes SMS and Email steps to their outputs with the address to send to', async () => {
		const definition: CadenceDefinitionInput = {
			name: 'Mixed',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'Hi', channel: 'sms' }],
		};
		const [sms] = await dueItems(definition, [
			{ key: 'dan', wroteHoursAgo: null, phone: '0044 20 7946 0958' },
		]);
		await t.store.publishCadence({
			...definition,
			name: 'Mail',
			steps: [{ ...definition.steps[0], channel: 'email' }],
		});
		await t.store.enroll([
			{
				cadence: 'Mail',
				contactKey: 'eve',
				identities: [{ kind: 'email', value: 'Eve@Example.com' }],
				startAt: NOW - 2 * HOUR,
			},
		]);
		const mail = await claimedItems(
			t.store,
			await t.store.claimDue({ cadence: 'Mail' }),
			settings,
			() => undefined,
		);
		const outputs = await route([sms.json, mail[0].json]);
		expect(outputs[outputNamed('SMS')][0].json).toMatchObject({ channelAddress: '+442079460958' });
		expect(outputs[outputNamed('Email')][0].json).toMatchObject({
			channelAddress: 'eve@example.com',
		});
	});

	it('replies in the same conversation when the contact wrote on a channel nothing else reaches', async () => {
		await t.store.recordInbound({ contactKey: 'fay', text: 'hi', channel: 'Live chat' });
		const definition: CadenceDefinitionInput = {
			name: 'Chat',
			steps: [{ wait: { amount: 1, unit: 'hours' }, staticText: 'Hi', channel: 'automatic' }],
		};
		const [chat] = await dueItems(definition, [{ key: 'fay', wroteHoursAgo: null }]);
		const outputs = await route([chat.json]);
		expect(outputs[outputNamed('Same Conversation')]).toHaveLength(1);
	});

	it('records a step no channel can take as failed with the reason, and the enrollment ends as failed', async () => {
		const noTemplate = windowCadence();
		noTemplate.steps[0] = {
			...noTemplate.steps[0],
			whatsappTemplate: '',
			whatsappTemplateParameters: [],
		};
		const [stale] = await dueItems(noTemplate, [
			{ key: 'gus', wroteHoursAgo: 30, phone: '+5511912345671' },
		]);
		const outputs = await route([stale.json]);
		const [failed] = outputs[outputNamed('Cannot Send')];
		expect(failed.json).toMatchObject({ channelRoute: 'cannotSend', stepStatus: 'failed' });
		expect(failed.json.channelReason).toMatch(/no approved template/);
		const enrollment = await t.store.getEnrollment(stale.json.enrollmentId as number);
		expect(enrollment?.state).toBe('failed');
		const [run] = await t.store.getStepRuns(enrollment!.id);
		expect(run).toMatchObject({ status: 'failed' });
		expect(run.detail).toMatch(/no approved template/);
	});

	it('leaves the trigger’s preview untouched on Cannot Send, writing nothing', async () => {
		const item = { channelRoute: 'cannotSend', preview: true, enrollmentId: 0, stepRunId: 0 };
		const outputs = await route([item]);
		expect(outputs[outputNamed('Cannot Send')][0].json).toEqual(item);
	});

	it('refuses an item without a channel decision, naming what to connect', async () => {
		await expect(route([{ text: 'hello' }])).rejects.toThrow(/no channel decision/);
		const outputs = await route([{ text: 'hello' }], true);
		expect(outputs[0][0].json.error).toMatch(/no channel decision/);
	});
});
