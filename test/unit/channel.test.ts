import {
	activityFromMessages,
	decideChannel,
	WHATSAPP_WINDOW_MS,
} from '../../engine/domain/channel';
import type { ChannelDecisionInput, ChannelFacts } from '../../engine/domain/channel';
import {
	channelSettingsSchema,
	type ChannelSettingsInput,
} from '../../engine/cadence/channel-settings';
import { stepSchema } from '../../engine/cadence/definition';
import type { Identity } from '../../engine/domain/channels';
import { stepItemJson } from '../../nodes/shared/step-item';
import type { ClaimedStep, ConversationMessage } from '../../engine/store/types';
import { HOUR, VirtualClock } from '../support/virtual-clock';

/**
 * The channel decision as tables on a virtual clock: every rule of engine/domain/channel.ts —
 * Automatic, the WhatsApp window to the millisecond, templates, switching, failed channels.
 */

const clock = VirtualClock.at('2026-03-02T15:00:00Z');
const now = clock.nowMs;
const phone: Identity = { kind: 'phone', value: '+5511987654321' };
const email: Identity = { kind: 'email', value: 'ana@example.com' };

function step(input: Record<string, unknown> = {}): ChannelDecisionInput['step'] {
	return stepSchema.parse({ wait: { amount: 1, unit: 'hours' }, staticText: 'hi', ...input });
}

function decide(
	stepInput: Record<string, unknown>,
	facts: Partial<ChannelFacts>,
	settings: ChannelSettingsInput = {},
) {
	return decideChannel({
		step: step(stepInput),
		settings: channelSettingsSchema.parse(settings),
		facts: {
			now,
			conversationChannel: null,
			activity: [],
			identities: [],
			variables: {},
			...facts,
		},
	});
}

const wroteOnWhatsapp = (ago: number) => ({
	conversationChannel: 'whatsapp',
	activity: [{ channel: 'whatsapp', lastInboundAt: now - ago, lastOutboundAt: null }],
	identities: [phone],
});

describe("WhatsApp Cloud's 24 h window", () => {
	it.each([
		[
			'1 ms inside',
			WHATSAPP_WINDOW_MS - 1,
			'whatsappText',
			/inside WhatsApp's 24 h window \(the contact wrote at 2026-03-01 15:00\)/,
		],
		[
			'exactly 24 h (closed)',
			WHATSAPP_WINDOW_MS,
			'whatsappTemplate',
			/outside WhatsApp's 24 h window since 15:00; sending template invoice_reminder_2$/,
		],
		[
			'1 ms past',
			WHATSAPP_WINDOW_MS + 1,
			'whatsappTemplate',
			/since 14:59; sending template invoice_reminder_2$/,
		],
	])('%s: %s', (_what, ago, route, reason) => {
		const decision = decide(
			{
				channel: 'whatsapp',
				whatsappTemplate: 'invoice_reminder_2',
				whatsappTemplateLanguage: 'pt_BR',
				whatsappTemplateParameters: ['{{firstName}}', '{{amount|the amount}}'],
			},
			{ ...wroteOnWhatsapp(ago), variables: { firstName: 'Ana' } },
		);
		expect(decision).toMatchObject({ outcome: 'send', channel: 'whatsapp', route, address: phone });
		expect(decision.reason).toMatch(reason);
		expect(decision.template).toEqual(
			route === 'whatsappTemplate'
				? { name: 'invoice_reminder_2', language: 'pt_BR', parameters: ['Ana', 'the amount'] }
				: null,
		);
	});

	it('outside the window without a template: the step fails with that reason', () => {
		const decision = decide({ channel: 'whatsapp' }, wroteOnWhatsapp(25 * HOUR));
		expect(decision).toMatchObject({ outcome: 'fail', channel: 'whatsapp', route: null });
		expect(decision.reason).toBe(
			"set on the step: whatsapp; outside WhatsApp's 24 h window since 14:00 and the step has no approved template; the step cannot be sent",
		);
	});

	it('outside the window without a template: switches channel when the cadence allows it', () => {
		const decision = decide({ channel: 'whatsapp' }, wroteOnWhatsapp(25 * HOUR), {
			outsideWindow: 'nextChannel',
		});
		expect(decision).toMatchObject({
			outcome: 'send',
			channel: 'sms',
			route: 'sms',
			address: phone,
		});
		expect(decision.reason).toMatch(/no approved template; SMS to \+5511987654321$/);
	});

	it('a contact who never wrote on WhatsApp is outside the window', () => {
		const decision = decide(
			{ channel: 'whatsapp', whatsappTemplate: 'hello' },
			{ identities: [phone] },
		);
		expect(decision).toMatchObject({ route: 'whatsappTemplate' });
		expect(decision.reason).toMatch(/never wrote on WhatsApp/);
	});

	it('WhatsApp Web has no window: free text a week later', () => {
		const decision = decide({ channel: 'whatsapp' }, wroteOnWhatsapp(7 * 24 * HOUR), {
			whatsappConnection: 'web',
		});
		expect(decision).toMatchObject({ outcome: 'send', route: 'whatsappText', template: null });
		expect(decision.reason).toMatch(/WhatsApp Web has no 24 h window/);
	});

	it('no WhatsApp number, no phone and no WhatsApp conversation: WhatsApp cannot be used', () => {
		const decision = decide(
			{ channel: 'whatsapp', whatsappTemplate: 't' },
			{ identities: [email] },
		);
		expect(decision).toMatchObject({ outcome: 'fail' });
		expect(decision.reason).toMatch(/no WhatsApp number or phone number is known/);
	});
});

describe('Automatic', () => {
	it("picks the conversation's channel when it can be used", () => {
		const decision = decide({}, { ...wroteOnWhatsapp(HOUR), identities: [phone, email] });
		expect(decision).toMatchObject({ outcome: 'send', channel: 'whatsapp', route: 'whatsappText' });
	});

	it('otherwise the next identity in the preference order the user set', () => {
		const decision = decide(
			{},
			{ ...wroteOnWhatsapp(30 * HOUR), identities: [phone, email] },
			{ preference: ['email', 'sms'], outsideWindow: 'nextChannel' },
		);
		expect(decision).toMatchObject({ channel: 'email', route: 'email', address: email });
	});

	it('skips preferred channels the contact has no identity for', () => {
		const decision = decide({}, { identities: [email] }, { preference: ['sms', 'email'] });
		expect(decision).toMatchObject({ channel: 'email', route: 'email' });
		expect(decision.reason).toMatch(
			/^automatic: .*no phone number is known for sms; email to ana@example.com$/,
		);
	});

	it('a Telegram conversation is continued in place', () => {
		const decision = decide(
			{},
			{
				activity: [{ channel: 'telegram', lastInboundAt: now - HOUR, lastOutboundAt: null }],
				identities: [{ kind: 'telegram', value: '991' }],
			},
		);
		expect(decision).toMatchObject({
			channel: 'telegram',
			route: 'sameConversation',
			address: { kind: 'telegram', value: '991' },
		});
	});

	it('nothing known: the same conversation', () => {
		expect(decide({}, {})).toMatchObject({
			outcome: 'send',
			channel: 'sameConversation',
			route: 'sameConversation',
		});
	});

	it('leaves out channels a delivery of this step already failed on', () => {
		const decision = decide(
			{},
			{ ...wroteOnWhatsapp(HOUR), identities: [phone, email], failedChannels: ['whatsapp'] },
		);
		expect(decision).toMatchObject({ channel: 'sms', route: 'sms' });
		expect(decision.reason).toMatch(/^automatic: delivery failed on whatsapp; SMS to/);
	});
});

describe('channel switching after hours without a response', () => {
	const liveChat = (lastOutAgo: number, identities: Identity[], lastInAgo = 30 * HOUR) => ({
		conversationChannel: 'liveChat',
		activity: [
			{ channel: 'liveChat', lastInboundAt: now - lastInAgo, lastOutboundAt: now - lastOutAgo },
		],
		identities,
	});
	const on = { switching: { enabled: true, afterHours: 24 } };

	it.each([
		['off: stays on live chat', {}, liveChat(25 * HOUR, [phone]), 'liveChat', 'sameConversation'],
		['on, 24 h of silence: SMS', on, liveChat(24 * HOUR, [phone]), 'sms', 'sms'],
		[
			'on, 1 ms short of 24 h: stays',
			on,
			liveChat(24 * HOUR - 1, [phone]),
			'liveChat',
			'sameConversation',
		],
		[
			'on, but the contact answered: stays',
			on,
			liveChat(25 * HOUR, [phone], 20 * HOUR),
			'liveChat',
			'sameConversation',
		],
		['on, no phone known: stays', on, liveChat(25 * HOUR, []), 'liveChat', 'sameConversation'],
	])('%s', (_what, settings, facts, channel, route) => {
		const decision = decide({}, facts, settings);
		expect(decision).toMatchObject({ outcome: 'send', channel, route });
		expect(decision.switchedFrom).toBe(channel === 'sms' ? 'liveChat' : null);
	});

	it('explains the switch and the refusal', () => {
		expect(decide({}, liveChat(25 * HOUR, [phone]), on).reason).toMatch(
			/^automatic: no response on liveChat since 2026-03-01 14:00 \(24 h or more\): switching to sms; SMS to \+5511987654321$/,
		);
		expect(decide({}, liveChat(25 * HOUR, []), on).reason).toMatch(
			/but no phone number is known to switch to sms; the contact last wrote on liveChat/,
		);
	});

	it('only from the channels listed', () => {
		const decision = decide({}, liveChat(25 * HOUR, [phone]), {
			switching: { enabled: true, from: ['facebook'] },
		});
		expect(decision).toMatchObject({ channel: 'liveChat' });
	});

	it('a step pinned to a channel never switches', () => {
		const decision = decide({ channel: 'email' }, { ...liveChat(48 * HOUR, [phone, email]) }, on);
		expect(decision).toMatchObject({ channel: 'email', switchedFrom: null });
	});
});

describe('a step set to one channel', () => {
	it.each([
		['sms', [phone], 'sms', 'SMS to +5511987654321'],
		['email', [email], 'email', 'email to ana@example.com'],
	] as const)('%s with its address goes there', (channel, identities, route, reason) => {
		const decision = decide({ channel }, { identities, conversationChannel: 'telegram' });
		expect(decision).toMatchObject({ outcome: 'send', channel, route });
		expect(decision.reason).toBe(`set on the step: ${channel}; ${reason}`);
	});

	it('without its address fails, without trying others', () => {
		const decision = decide({ channel: 'sms' }, { identities: [email] });
		expect(decision).toMatchObject({ outcome: 'fail', channel: 'sms' });
	});

	it('Same conversation stays in the conversation, window included', () => {
		expect(decide({ channel: 'sameConversation' }, wroteOnWhatsapp(HOUR))).toMatchObject({
			route: 'whatsappText',
		});
		expect(decide({ channel: 'sameConversation' }, wroteOnWhatsapp(30 * HOUR))).toMatchObject({
			outcome: 'fail',
		});
	});
});

describe('activity from a message list (the trigger preview has no conversation row)', () => {
	it('keeps the latest inbound and outbound per channel, names folded, unnamed ignored', () => {
		const messages = [
			{ direction: 'inbound', channel: 'WhatsApp', at: 5 },
			{ direction: 'inbound', channel: 'whatsapp cloud', at: 3 },
			{ direction: 'outbound', channel: 'whatsapp', at: 9 },
			{ direction: 'inbound', channel: 'SMS', at: 7 },
			{ direction: 'inbound', channel: null, at: 11 },
		];
		expect(activityFromMessages(messages)).toEqual([
			{ channel: 'whatsapp', lastInboundAt: 5, lastOutboundAt: 9 },
			{ channel: 'sms', lastInboundAt: 7, lastOutboundAt: null },
		]);
	});
});

describe('the step item carries the decision', () => {
	const claimed = (channel: 'automatic' | 'sms') =>
		({
			enrollment: {
				cadenceName: 'C',
				cadenceId: 1,
				version: 1,
				id: 7,
				contactKey: 'c',
				contactName: null,
				conversationKey: 'chat',
				timeZone: null,
				variables: { channel: 'email' },
				target: null,
				agent: null,
				nextReason: null,
			},
			stepRun: { id: 9, idempotencyKey: '7-0-1', claims: 1, stepIndex: 0, composeMode: 'static' },
			step: { channel, instruction: '', staticText: 'Hi', whatsappTemplate: '' },
			stepCount: 1,
			isLastStep: true,
			persona: '',
		}) as unknown as ClaimedStep;
	const history = [
		{ direction: 'inbound', author: 'contact', text: 'hi', channel: 'telegram', at: 1000 },
	] as ConversationMessage[];

	it('Automatic: channel is where the contact wrote, with the setting and the reason', () => {
		expect(stepItemJson(claimed('automatic'), history)).toMatchObject({
			channel: 'telegram',
			channelSetting: 'automatic',
			channelReason: expect.stringMatching(/^automatic: the contact last wrote on telegram/),
		});
		expect(stepItemJson(claimed('automatic'), [])).toMatchObject({ channel: 'email' });
	});

	it('a set channel is passed on with why it cannot be used without an address', () => {
		expect(stepItemJson(claimed('sms'), history)).toMatchObject({
			channel: 'sms',
			channelSetting: 'sms',
			channelReason:
				'set on the step: sms; no phone number is known for sms; the step cannot be sent',
		});
	});
});
