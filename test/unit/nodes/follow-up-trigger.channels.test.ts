import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';
import { FollowUpTrigger } from '../../../nodes/FollowUpTrigger/FollowUpTrigger.node';
import { definitionFromParameters } from '../../../nodes/FollowUpTrigger/definition';
import { claimedItems } from '../../../nodes/FollowUpTrigger/due-steps';
import type { ReadParameter } from '../../../nodes/FollowUpTrigger/parameters';
import type { TriggerSettings } from '../../../nodes/FollowUpTrigger/settings';
import { validateDefinition } from '../../../nodes/FollowUpTrigger/validate';
import { nodeTestStore, type NodeTestStore } from '../../support/n8n-context';
import { triggerContext, type TriggerHarness } from '../../support/trigger-context';
import { HOUR, MINUTE } from '../../support/virtual-clock';

/**
 * The trigger's Channels settings and template fields: each one's effect on the item Route by
 * Channel routes, on the store's failure policy and on idle conversations, and bad values
 * refused by name before anything is published.
 */
const NOW = Date.parse('2026-03-02T12:00:00Z');
const fakeNode = { name: 'Follow-up Trigger' } as INode;
const readerOf =
	(parameters: IDataObject): ReadParameter =>
	(name, fallback) =>
		parameters[name] ?? fallback;
const validate = (parameters: IDataObject) =>
	validateDefinition(fakeNode, definitionFromParameters(readerOf(parameters), 'UTC'));

const whatsappStep = (extra: IDataObject = {}) => ({
	waitAmount: 1,
	waitUnit: 'hours',
	composeMode: 'static',
	staticText: 'Hi {{firstName}}',
	channel: 'whatsapp',
	...extra,
});
const cadence = (step: IDataObject, channels: IDataObject = {}) => ({
	cadenceName: 'Channels',
	steps: { step: [step, { ...step, staticText: 'Again' }] },
	channels,
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

/**
 * Publishes the cadence the parameters describe; the contact wrote on `channel` `wroteHoursAgo`
 * and was enrolled two hours ago with `identities`; returns the item of their due step.
 */
async function dueItem(
	parameters: IDataObject,
	contact: {
		channel?: string;
		wroteHoursAgo?: number;
		repliedTo?: number;
		identities?: Array<{ kind: 'phone' | 'email'; value: string }>;
	},
) {
	await t.store.publishCadence(validate(parameters));
	if (contact.wroteHoursAgo !== undefined) {
		await t.store.recordInbound({
			contactKey: 'ana',
			text: 'hi',
			channel: contact.channel ?? 'WhatsApp',
			at: NOW - contact.wroteHoursAgo * HOUR,
		});
	}
	if (contact.repliedTo !== undefined) {
		await t.store.recordOutbound({
			contactKey: 'ana',
			text: 'How can we help?',
			channel: contact.channel ?? 'WhatsApp',
			at: NOW - contact.repliedTo * HOUR,
		});
	}
	await t.store.enroll([
		{
			cadence: 'Channels',
			contactKey: 'ana',
			variables: { firstName: 'Ana', invoice: 42 },
			identities: contact.identities ?? [],
			startAt: NOW - 2 * HOUR,
		},
	]);
	const claimed = await t.store.claimDue({ cadence: 'Channels' });
	const [item] = await claimedItems(
		t.store,
		claimed,
		{ historyLength: 5 } as TriggerSettings,
		() => undefined,
	);
	return item.json;
}

const phone = [{ kind: 'phone' as const, value: '+5511912345678' }];

describe('Follow-up Trigger → step template fields', () => {
	it('sends the named template in its language with its parameters filled in', async () => {
		const item = await dueItem(
			cadence(
				whatsappStep({
					whatsappTemplate: 'invoice_reminder_2',
					whatsappTemplateLanguage: 'pt_BR',
					whatsappTemplateParameters: '{{firstName}}\nINV-{{invoice}}',
				}),
			),
			{ wroteHoursAgo: 30, identities: phone },
		);
		expect(item).toMatchObject({
			channelRoute: 'whatsappTemplate',
			template: { name: 'invoice_reminder_2', language: 'pt_BR', parameters: ['Ana', 'INV-42'] },
		});
	});

	it('refuses template parameters without a template name, and a bad language, by name', () => {
		expect(() =>
			validate(cadence(whatsappStep({ whatsappTemplateParameters: '{{firstName}}' }))),
		).toThrow(/Step 1 → WhatsApp Template/);
		expect(() =>
			validate(
				cadence(whatsappStep({ whatsappTemplate: 'x', whatsappTemplateLanguage: 'Portuguese' })),
			),
		).toThrow(/Step 1 → Template Language/);
	});
});

describe('Follow-up Trigger → Channels', () => {
	it('WhatsApp Connection: Web has no window, so text goes out after 24 h', async () => {
		const cloud = await dueItem(cadence(whatsappStep()), { wroteHoursAgo: 30, identities: phone });
		expect(cloud.channelRoute).toBe('cannotSend');
		await t.dispose();
		t = await nodeTestStore();
		const web = await dueItem(cadence(whatsappStep(), { whatsappConnection: 'web' }), {
			wroteHoursAgo: 30,
			identities: phone,
		});
		expect(web).toMatchObject({ channelRoute: 'whatsappText' });
		expect(web.channelReason).toMatch(/WhatsApp Web has no 24 h window/);
	});

	it('Outside the WhatsApp Window Without a Template: Try the Next Channel goes on to SMS', async () => {
		const item = await dueItem(cadence(whatsappStep(), { outsideWindow: 'nextChannel' }), {
			wroteHoursAgo: 30,
			identities: phone,
		});
		expect(item).toMatchObject({ channelRoute: 'sms', channelAddress: '+5511912345678' });
	});

	it('Channel Preference: Automatic goes to the first channel the contact can be reached on', async () => {
		const item = await dueItem(
			cadence(whatsappStep({ channel: 'automatic' }), { preference: 'Email, SMS' }),
			{ identities: [...phone, { kind: 'email', value: 'ana@example.com' }] },
		);
		expect(item).toMatchObject({ channelRoute: 'email', channelAddress: 'ana@example.com' });
	});

	it('Switch Channels When No Response: live chat unanswered for Switch After hours → SMS', async () => {
		const switching = {
			switchChannels: true,
			switchAfterHours: 6,
			switchFrom: 'Live Chat',
			switchTo: 'sms',
		};
		const parameters = cadence(whatsappStep({ channel: 'automatic' }), switching);
		const item = await dueItem(parameters, {
			channel: 'Live chat',
			wroteHoursAgo: 8,
			repliedTo: 7,
			identities: phone,
		});
		expect(item).toMatchObject({ channelRoute: 'sms', switchedFrom: 'liveChat' });
		expect(item.channelReason).toMatch(/no response on liveChat since .*switching to sms/);
	});

	it('switching with no phone known stays in the conversation and says why', async () => {
		const parameters = cadence(whatsappStep({ channel: 'automatic' }), {
			switchChannels: true,
			switchAfterHours: 6,
			switchFrom: 'Live Chat',
		});
		const item = await dueItem(parameters, {
			channel: 'Live chat',
			wroteHoursAgo: 8,
			repliedTo: 7,
		});
		expect(item).toMatchObject({ channelRoute: 'sameConversation', switchedFrom: null });
		expect(item.channelReason).toMatch(/no phone number is known to switch to sms/);
	});

	it('switching off (the default) stays in the unanswered live chat', async () => {
		const item = await dueItem(cadence(whatsappStep({ channel: 'automatic' })), {
			channel: 'Live chat',
			wroteHoursAgo: 8,
			repliedTo: 7,
			identities: phone,
		});
		expect(item.channelRoute).toBe('sameConversation');
	});

	it('On Delivery Failure: Try the Next Channel sends the step again elsewhere', async () => {
		const parameters = cadence(whatsappStep({ channel: 'automatic' }), {
			onFailure: 'nextChannel',
			preference: 'SMS, Email',
		});
		const first = await dueItem(parameters, {
			identities: [...phone, { kind: 'email', value: 'ana@example.com' }],
		});
		expect(first.channelRoute).toBe('sms');
		await t.store.markSent({
			stepRunId: first.stepRunId as number,
			channel: 'sms',
			channelMessageId: 'SM1',
		});
		await t.store.recordDelivery({ channelMessageId: 'SM1', status: 'failed' });
		const [again] = await claimedItems(
			t.store,
			await t.store.claimDue({ cadence: 'Channels' }),
			{ historyLength: 5 } as TriggerSettings,
			() => undefined,
		);
		expect(again.json).toMatchObject({ step: 1, channelRoute: 'email' });
	});

	it('refuses unknown channel names, idle minutes of 0 and switching to where it switches from', () => {
		const fails = (channels: IDataObject) => {
			try {
				validate(cadence(whatsappStep(), channels));
			} catch (error) {
				expect(error).toBeInstanceOf(NodeOperationError);
				return (error as Error).message;
			}
			throw new Error('expected the parameters to be refused');
		};
		expect(fails({ preference: 'WhatsApp, pigeon' })).toMatch(/Channels → Channel Preference/);
		expect(fails({ switchChannels: true, switchFrom: 'fax' })).toMatch(/Channels → Switch From/);
		expect(fails({ idleEnroll: true, idleMinutes: 0 })).toMatch(/Channels → Idle Minutes/);
		expect(fails({ idleEnroll: true, idleMinutes: -5 })).toMatch(/Channels → Idle Minutes/);
		expect(fails({ switchChannels: true, switchFrom: 'SMS', switchTo: 'sms' })).toMatch(
			/Channels → Switch From/,
		);
		expect(fails({ idleEnroll: true, idleStatuses: ['closed'] })).toMatch(
			/Channels → Idle Statuses/,
		);
	});
});

describe('Follow-up Trigger → Enroll Idle Conversations', () => {
	const node = new FollowUpTrigger();
	let harness: TriggerHarness | undefined;
	afterEach(async () => {
		await harness?.deactivate();
		harness = undefined;
	});

	async function activate(channels: IDataObject) {
		harness = triggerContext({
			parameters: { ...cadence(whatsappStep()), channels },
			credentials: t.credentials,
		});
		await harness.activate(node);
	}
	const tick = async () => {
		await jest.advanceTimersByTimeAsync(10_000);
		await harness!.settle();
	};

	it('enrolls a conversation idle longer than Idle Minutes in the statuses counted, once', async () => {
		await t.store.recordInbound({ contactKey: 'idle', conversationKey: 'c1', text: 'hi' });
		await t.store.recordInbound({ contactKey: 'resolved', conversationKey: 'c2', text: 'hi' });
		await t.store.updateConversation({
			contactKey: 'resolved',
			conversationKey: 'c2',
			status: 'resolved',
		});
		await activate({ idleEnroll: true, idleMinutes: 30 });
		await tick();
		expect(await t.store.listEnrollments()).toEqual([]);
		await jest.advanceTimersByTimeAsync(31 * MINUTE);
		await harness!.settle();
		const enrolled = await t.store.listEnrollments();
		expect(enrolled.map((e) => [e.contactKey, e.conversationKey])).toEqual([['idle', 'c1']]);
		// Idle still, and again later: never a second time.
		await t.store.cancel({ enrollmentId: enrolled[0].id });
		await jest.advanceTimersByTimeAsync(60 * MINUTE);
		await harness!.settle();
		expect(await t.store.listEnrollments()).toHaveLength(1);
	});

	it('Idle Statuses: counts only the statuses chosen', async () => {
		await t.store.recordInbound({ contactKey: 'open', conversationKey: 'c1', text: 'hi' });
		await t.store.recordInbound({ contactKey: 'done', conversationKey: 'c2', text: 'hi' });
		await t.store.updateConversation({
			contactKey: 'done',
			conversationKey: 'c2',
			status: 'resolved',
		});
		await activate({ idleEnroll: true, idleMinutes: 30, idleStatuses: ['resolved'] });
		await jest.advanceTimersByTimeAsync(31 * MINUTE);
		await harness!.settle();
		const enrolled = await t.store.listEnrollments();
		expect(enrolled.map((e) => e.contactKey)).toEqual(['done']);
	});

	it('enrolls nobody when it is off (the default)', async () => {
		await t.store.recordInbound({ contactKey: 'idle', conversationKey: 'c1', text: 'hi' });
		await activate({});
		await jest.advanceTimersByTimeAsync(120 * MINUTE);
		await harness!.settle();
		expect(await t.store.listEnrollments()).toEqual([]);
	});
});

describe('Follow-up Trigger → Events: enrolled, sent, failed, deferred, and who reviews a draft', () => {
	const node = new FollowUpTrigger();
	let harness: TriggerHarness;
	afterEach(async () => harness.deactivate());

	it('passes each on the Events output; a draft names its reviewer', async () => {
		harness = triggerContext({
			parameters: {
				...cadence(whatsappStep({ channel: 'sms' })),
				options: {
					emitEvents: [
						'enrolled',
						'sent',
						'failed',
						'enrollmentFailed',
						'deferred',
						'draftPending',
					],
					defaultReviewer: 'team@example.com',
				},
			},
			credentials: t.credentials,
		});
		await harness.activate(node);
		const tick = async (ms = 10_000) => {
			await jest.advanceTimersByTimeAsync(ms);
			await harness.settle();
		};
		const events = () =>
			harness.emitted.flatMap((execution) => (execution[1] ?? []).map((i) => i.json));

		await t.store.enroll([
			{ cadence: 'Channels', contactKey: 'ann', identities: phone, startAt: NOW - 2 * HOUR },
			{ cadence: 'Channels', contactKey: 'bob', agent: 'Sam', startAt: NOW - 2 * HOUR },
			{ cadence: 'Channels', contactKey: 'cy', startAt: NOW - 2 * HOUR },
			{ cadence: 'Channels', contactKey: 'dee', startAt: NOW - 2 * HOUR },
		]);
		// The conversation's assignee reviews when the enrollment names no agent, and only then.
		await t.store.updateConversation({ contactKey: 'bob', assignee: 'Lia' });
		await t.store.updateConversation({ contactKey: 'dee', assignee: 'Lia' });
		await tick();
		expect(
			events()
				.filter((e) => e.event === 'enrolled')
				.map((e) => e.summary),
		).toEqual([
			'ann was enrolled in "Channels"',
			'bob was enrolled in "Channels"',
			'cy was enrolled in "Channels"',
			'dee was enrolled in "Channels"',
		]);
		const due = harness.emitted.flatMap((execution) => execution[0].map((i) => i.json));
		const stepOf = (key: string) =>
			due.find((d) => (d.contact as IDataObject).key === key)!.stepRunId as number;

		await t.store.markSent({ stepRunId: stepOf('ann'), channel: 'sms', channelMessageId: 'SM9' });
		await t.store.recordDrafts([
			{ stepRunId: stepOf('bob'), text: 'Draft', awaitingApproval: true },
		]);
		await t.store.recordDrafts([
			{ stepRunId: stepOf('cy'), text: 'Draft', awaitingApproval: true },
		]);
		await t.store.recordDrafts([
			{ stepRunId: stepOf('dee'), text: 'Draft', awaitingApproval: true },
		]);
		await t.store.deferStep({
			stepRunId: stepOf('cy'),
			until: NOW + 5 * HOUR,
			reason: 'quiet hours',
		});
		await t.store.recordDelivery({ channelMessageId: 'SM9', status: 'failed', detail: '30003' });
		await tick();
		const byType = (type: string) => events().filter((e) => e.event === type);
		expect(byType('sent')).toEqual([
			expect.objectContaining({ summary: 'Step 1 was sent to ann' }),
		]);
		expect(byType('failed')).toEqual([
			expect.objectContaining({ summary: 'Step 1 for ann failed: 30003' }),
		]);
		expect(byType('enrollmentFailed')).toHaveLength(1);
		expect(byType('deferred')).toEqual([
			expect.objectContaining({ contact: expect.objectContaining({ key: 'cy' }) }),
		]);
		expect(
			byType('draftPending').map((e) => [
				(e.contact as IDataObject).key,
				e.reviewer,
				e.reviewerFrom,
			]),
		).toEqual([
			['bob', 'Sam', 'enrollment'],
			['cy', 'team@example.com', 'defaultReviewer'],
			['dee', 'Lia', 'conversationAssignee'],
		]);
	});
});
