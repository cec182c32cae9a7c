import { decideChannel } from '../../engine/domain/channel';
import { stepItemJson } from '../../nodes/shared/step-item';
import type { ClaimedStep, ConversationMessage } from '../../engine/store/types';

/** Channel "Automatic": a defined, explained choice, carried on the step item. */
const inbound = (channel: string | null, at: number) => ({ direction: 'inbound', channel, at });
const outbound = (channel: string | null, at: number) => ({ direction: 'outbound', channel, at });

describe('decideChannel', () => {
	it.each([
		[
			'the channel the contact last wrote from',
			[inbound('email', 1), inbound('whatsapp', 3), outbound('sms', 5), inbound(null, 6)],
			{ channel: 'email' },
			'whatsapp',
			/^automatic: the contact last wrote on whatsapp \(1970-01-01T00:00:00\.003Z\)$/,
		],
		[
			'the enrollment’s channel variable when no message has a channel',
			[inbound(null, 1), outbound('sms', 2)],
			{ channel: ' telegram ' },
			'telegram',
			/enrollment's channel variable says telegram/,
		],
		[
			'the same conversation when nothing says where',
			[],
			{ channel: '' },
			'sameConversation',
			/no channel recorded .* the same conversation$/,
		],
	])('Automatic picks %s', (_what, history, variables, channel, reason) => {
		const decision = decideChannel('automatic', { history, variables });
		expect(decision).toEqual({ channel, setting: 'automatic', reason: expect.any(String) });
		expect(decision.reason).toMatch(reason);
	});

	it.each(['email', 'sms', 'whatsapp', 'sameConversation'] as const)(
		'a step set to %s goes there, whatever the contact used',
		(setting) => {
			expect(
				decideChannel(setting, { history: [inbound('telegram', 1)], variables: null }),
			).toEqual({ channel: setting, setting, reason: `set on the step: ${setting}` });
		},
	);
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

	it('a set channel is passed on as it is', () => {
		expect(stepItemJson(claimed('sms'), history)).toMatchObject({
			channel: 'sms',
			channelSetting: 'sms',
			channelReason: 'set on the step: sms',
		});
	});
});
