import { cadenceDefinitionSchema } from '../../engine/cadence/definition';
import { normalizeIdentity, channelOf } from '../../engine/domain/channels';
import { CadenceValidationError } from '../../engine/errors';
import { parseOrThrow } from '../../engine/validation';

/**
 * The channel settings of a cadence and a step: every bad value is refused with the field named
 * and how to fix it; identities and channel names are normalised by one rule.
 */

const step = { wait: { amount: 1, unit: 'days' }, staticText: 'Any news?' };
const parse = (input: unknown) =>
	parseOrThrow(cadenceDefinitionSchema, input, 'cadence definition');

function problemsOf(input: unknown): Array<{ field: string; message: string }> {
	try {
		parse(input);
	} catch (error) {
		expect(error).toBeInstanceOf(CadenceValidationError);
		return (error as CadenceValidationError).problems;
	}
	throw new Error('expected the definition to be refused');
}

const withChannels = (channels: unknown) => ({ name: 'C', steps: [step], channels });
const withStep = (patch: Record<string, unknown>) => ({
	name: 'C',
	steps: [{ ...step, ...patch }],
});

describe('bad channel settings are refused, naming the parameter', () => {
	it.each([
		[
			'an unknown channel on a step',
			withStep({ channel: 'pigeon' }),
			'steps.0.channel',
			/automatic|sameConversation/,
		],
		[
			'an unknown channel in the preference order',
			withChannels({ preference: ['whatsapp', 'fax'] }),
			'channels.preference.1',
			/channel preference: use one of whatsapp, sms, email/,
		],
		[
			'an unknown channel to switch from',
			withChannels({ switching: { enabled: true, from: ['myspace'] } }),
			'channels.switching.from.0',
			/switch from: use one of/,
		],
		[
			'template parameters without a template name',
			withStep({ channel: 'whatsapp', whatsappTemplateParameters: ['{{firstName}}'] }),
			'steps.0.whatsappTemplate',
			/names no template; give the approved template name/,
		],
		[
			'a template language that is not a language code',
			withStep({ whatsappTemplate: 'hello', whatsappTemplateLanguage: 'English' }),
			'steps.0.whatsappTemplateLanguage',
			/e\.g\. en, en_US or pt_BR/,
		],
		[
			'switching to a channel no identity can start (live chat)',
			withChannels({ switching: { enabled: true, to: 'liveChat' } }),
			'channels.switching.to',
			/can only start on whatsapp, sms, email, telegram/,
		],
		[
			'switching to the channel it switches from',
			withChannels({ switching: { enabled: true, from: ['sms'], to: 'sms' } }),
			'channels.switching.from',
			/changes nothing/,
		],
		[
			'switching after 0 hours',
			withChannels({ switching: { enabled: true, afterHours: 0 } }),
			'channels.switching.afterHours',
			/more than 0 hours/,
		],
		[
			'idle minutes of 0',
			withChannels({ inactivity: { enabled: true, idleMinutes: 0 } }),
			'channels.inactivity.idleMinutes',
			/at least 1 minute/,
		],
		[
			'negative idle minutes',
			withChannels({ inactivity: { enabled: true, idleMinutes: -5 } }),
			'channels.inactivity.idleMinutes',
			/at least 1 minute/,
		],
		[
			'an unknown conversation status',
			withChannels({ inactivity: { statuses: ['open', 'snoozed'] } }),
			'channels.inactivity.statuses.1',
			/open, pending, resolved/,
		],
		[
			'no conversation status at all',
			withChannels({ inactivity: { statuses: [] } }),
			'channels.inactivity.statuses',
			/at least one conversation status/,
		],
		[
			'an unknown WhatsApp connection',
			withChannels({ whatsappConnection: 'business' }),
			'channels.whatsappConnection',
			/cloud .* or web/,
		],
		[
			'an unknown failure policy',
			withChannels({ onFailure: 'retry' }),
			'channels.onFailure',
			/endEnrollment or nextChannel/,
		],
	])('%s', (_what, input, field, message) => {
		const problems = problemsOf(input);
		expect(problems).toContainEqual({ field, message: expect.stringMatching(message) });
	});
});

describe('identities are normalised by one rule', () => {
	it.each([
		['phone', '+55 (11) 98765-4321', '+5511987654321'],
		['phone', '0055 11 98765 4321', '+5511987654321'],
		['phone', '5511987654321', '+5511987654321'],
		['whatsapp', '5511987654321@s.whatsapp.net', '+5511987654321'],
		['email', '  Ana@Example.COM ', 'ana@example.com'],
		['telegram', ' 991 ', '991'],
	] as const)('%s %j → %s', (kind, raw, value) => {
		expect(normalizeIdentity(kind, raw)).toEqual({ value });
	});

	it.each([
		['phone', '12', /with its country code/],
		['email', 'ana.example.com', /not an email address/],
		['telegram', '   ', /empty/],
	] as const)('%s %j is refused', (kind, raw, problem) => {
		const result = normalizeIdentity(kind, raw);
		expect('problem' in result && result.problem).toMatch(problem);
	});

	it.each([
		['WhatsApp Cloud', 'whatsapp'],
		['whatsapp_web', 'whatsapp'],
		['Live chat', 'liveChat'],
		['Messenger', 'facebook'],
		['my-crm', 'my-crm'],
		['  ', null],
	])('channel name %j means %j', (name, channel) => {
		expect(channelOf(name)).toBe(channel);
	});
});
