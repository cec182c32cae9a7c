import { contentHash } from '../../engine/cadence/content-hash';
import {
	cadenceDefinitionSchema,
	type CadenceDefinition,
	type CadenceDefinitionInput,
} from '../../engine/cadence/definition';
import { CadenceValidationError } from '../../engine/errors';
import { parseOrThrow } from '../../engine/validation';

/**
 * The cadence definition is what a no-code user types into the Follow-up Trigger. A bad one must
 * fail with a message that names the field and says how to fix it; a good one gets every default.
 */

const parse = (input: unknown): CadenceDefinition =>
	parseOrThrow(cadenceDefinitionSchema, input, 'cadence definition');

/** Whatever parseOrThrow threw, or a failure when it did not throw. */
function rejectionOf(input: unknown): CadenceValidationError {
	try {
		parse(input);
	} catch (error) {
		if (error instanceof CadenceValidationError) return error;
		throw error;
	}
	throw new Error(
		`expected the definition to be rejected, but it was accepted: ${JSON.stringify(input)}`,
	);
}

const step = { wait: { amount: 1, unit: 'days' }, staticText: 'Any news?' };
const valid = { name: 'Quote follow-up', steps: [step] };

/** A valid definition with one part replaced. */
function withStep(patch: Record<string, unknown>): Record<string, unknown> {
	return { ...valid, steps: [{ ...step, ...patch }] };
}
function withSchedule(patch: Record<string, unknown>): Record<string, unknown> {
	return { ...valid, schedule: patch };
}
function mondayWindow(from: string, to: string): Record<string, unknown> {
	return withSchedule({ workingHours: { monday: [{ from, to }] } });
}

interface BadCase {
	what: string;
	input: unknown;
	/** The dotted path the problem must be reported on. */
	field: string;
	/** A part of the message that tells the user how to fix it. */
	hint: RegExp;
}

const BAD_DEFINITIONS: BadCase[] = [
	{
		what: 'missing name',
		input: { steps: [step] },
		field: 'name',
		hint: /give the cadence a name/,
	},
	{
		what: 'empty name',
		input: { ...valid, name: '' },
		field: 'name',
		hint: /give the cadence a name/,
	},
	{
		what: 'blank name',
		input: { ...valid, name: '   ' },
		field: 'name',
		hint: /give the cadence a name/,
	},
	{
		what: 'name of 121 characters',
		input: { ...valid, name: 'x'.repeat(121) },
		field: 'name',
		hint: /under 120 characters/,
	},
	{
		what: 'no steps',
		input: { ...valid, steps: [] },
		field: 'steps',
		hint: /add at least one step/,
	},
	{
		what: 'missing steps',
		input: { name: 'No steps key' },
		field: 'steps',
		hint: /add (at least one|a) step/,
	},
	{
		what: '51 steps',
		input: { ...valid, steps: new Array(51).fill(step) },
		field: 'steps',
		hint: /at most 50 steps/,
	},
	{
		what: 'negative wait',
		input: withStep({ wait: { amount: -1, unit: 'hours' } }),
		field: 'steps.0.wait.amount',
		hint: /cannot be negative/,
	},
	{
		what: 'fractional wait',
		input: withStep({ wait: { amount: 1.5, unit: 'hours' } }),
		field: 'steps.0.wait.amount',
		hint: /whole number/,
	},
	{
		what: 'huge wait',
		input: withStep({ wait: { amount: 100_001, unit: 'minutes' } }),
		field: 'steps.0.wait.amount',
		hint: /typo/,
	},
	{
		what: 'wait amount as a string',
		input: withStep({ wait: { amount: '2', unit: 'days' } }),
		field: 'steps.0.wait.amount',
		hint: /give the wait as a number/,
	},
	{
		what: 'unknown wait unit',
		input: withStep({ wait: { amount: 2, unit: 'weeks' } }),
		field: 'steps.0.wait.unit',
		hint: /use one of: minutes, hours, days, businessDays/,
	},
	{
		what: 'missing wait',
		input: { ...valid, steps: [{ staticText: 'Hi' }] },
		field: 'steps.0.wait',
		hint: /wait/,
	},
	{
		what: 'static step without text',
		input: withStep({ staticText: '' }),
		field: 'steps.0.staticText',
		hint: /needs its message text; write it or switch the step to an AI mode/,
	},
	{
		what: 'static step with blank text',
		input: withStep({ staticText: '  \n ' }),
		field: 'steps.0.staticText',
		hint: /needs its message text/,
	},
	{
		what: 'AI assisted step without instruction',
		input: withStep({ composeMode: 'aiAssisted' }),
		field: 'steps.0.instruction',
		hint: /needs an instruction telling the AI what to write/,
	},
	{
		what: 'AI full step without instruction',
		input: withStep({ composeMode: 'aiFull', instruction: ' ' }),
		field: 'steps.0.instruction',
		hint: /needs an instruction/,
	},
	{
		what: 'unknown compose mode',
		input: withStep({ composeMode: 'manual' }),
		field: 'steps.0.composeMode',
		hint: /static.*aiAssisted.*aiFull/,
	},
	{
		what: 'unknown channel',
		input: withStep({ channel: 'fax' }),
		field: 'steps.0.channel',
		hint: /automatic.*sameConversation.*email.*sms.*whatsapp/,
	},
	{
		what: 'problem in the third step',
		input: { ...valid, steps: [step, step, { ...step, wait: { amount: -5, unit: 'days' } }] },
		field: 'steps.2.wait.amount',
		hint: /cannot be negative/,
	},
	{
		what: 'bad time zone',
		input: withSchedule({ timeZone: 'Mars/Olympus' }),
		field: 'schedule.timeZone',
		hint: /IANA time zone name such as Europe\/Berlin/,
	},
	{
		what: 'time zone abbreviation-like typo',
		input: withSchedule({ timeZone: 'Europe/Berln' }),
		field: 'schedule.timeZone',
		hint: /IANA time zone/,
	},
	{
		what: 'unknown time zone source',
		input: withSchedule({ timeZoneSource: 'contact' }),
		field: 'schedule.timeZoneSource',
		hint: /cadence.*recipient/,
	},
	{
		what: 'working window ending before it starts',
		input: mondayWindow('17:00', '08:00'),
		field: 'schedule.workingHours.monday.0',
		hint: /must end after it starts/,
	},
	{
		what: 'empty working window',
		input: mondayWindow('09:00', '09:00'),
		field: 'schedule.workingHours.monday.0',
		hint: /must end after it starts/,
	},
	{
		what: 'bad HH:MM (9am)',
		input: mondayWindow('9am', '17:00'),
		field: 'schedule.workingHours.monday.0.from',
		hint: /24-hour HH:MM, for example 08:00/,
	},
	{
		what: 'bad HH:MM (25:00)',
		input: mondayWindow('08:00', '25:00'),
		field: 'schedule.workingHours.monday.0.to',
		hint: /24-hour HH:MM/,
	},
	{
		what: 'bad HH:MM (single-digit hour)',
		input: mondayWindow('8:00', '17:00'),
		field: 'schedule.workingHours.monday.0.from',
		hint: /HH:MM/,
	},
	{
		what: 'bad quiet hours',
		input: withSchedule({ quietHours: { from: '21:00', to: '8' } }),
		field: 'schedule.quietHours.to',
		hint: /24-hour HH:MM/,
	},
	{
		what: 'bad holiday date (US format)',
		input: withSchedule({ holidays: ['12/25/2026'] }),
		field: 'schedule.holidays.0',
		hint: /YYYY-MM-DD, for example 2026-12-25/,
	},
	{
		what: 'bad holiday date (second entry)',
		input: withSchedule({ holidays: ['2026-12-25', '2026-1-1'] }),
		field: 'schedule.holidays.1',
		hint: /YYYY-MM-DD/,
	},
	// The pattern alone lets impossible calendar dates through; the holiday would silently never match.
	{
		what: 'impossible holiday date (February 30)',
		input: withSchedule({ holidays: ['2026-02-30'] }),
		field: 'schedule.holidays.0',
		hint: /YYYY-MM-DD/,
	},
	{
		what: 'impossible holiday date (month 13)',
		input: withSchedule({ holidays: ['2026-13-01'] }),
		field: 'schedule.holidays.0',
		hint: /YYYY-MM-DD/,
	},
	// Unknown keys are stripped: a misspelt weekday would silently close every day of the week.
	{
		what: 'misspelt weekday in working hours',
		input: withSchedule({ workingHours: { mon: [{ from: '08:00', to: '17:00' }] } }),
		field: 'schedule.workingHours',
		hint: /monday/,
	},
	// Working hours with no window at all: no send time can ever be found.
	{
		what: 'working hours closed every day',
		input: withSchedule({ workingHours: {} }),
		field: 'schedule.workingHours',
		hint: /open|window/,
	},
	{
		what: 'unknown start clock',
		input: { ...valid, startClock: 'firstMessage' },
		field: 'startClock',
		hint: /enrollment.*lastAgentMessage.*lastContactMessage/,
	},
	{
		what: 'unknown reply action',
		input: { ...valid, reply: { action: 'stop' } },
		field: 'reply.action',
		hint: /exit.*restart.*pause.*classify/,
	},
	{
		what: 'pauseFor 0',
		input: { ...valid, reply: { action: 'pause', pauseFor: { amount: 0, unit: 'days' } } },
		field: 'reply.pauseFor.amount',
		hint: /pause for at least 1/,
	},
	{
		what: 'pauseFor with unknown unit',
		input: { ...valid, reply: { action: 'pause', pauseFor: { amount: 2, unit: 'fortnights' } } },
		field: 'reply.pauseFor.unit',
		hint: /use one of: minutes, hours, days, businessDays/,
	},
	{
		what: 'unknown re-enrollment policy',
		input: { ...valid, reenrollment: { whileActive: 'duplicate' } },
		field: 'reenrollment.whileActive',
		hint: /ignore.*restart/,
	},
	{
		what: 'exit rule as a string',
		input: { ...valid, exitOn: { goal: 'yes' } },
		field: 'exitOn.goal',
		hint: /boolean/,
	},
	{
		what: 'limit of 0 per contact per day',
		input: { ...valid, limits: { perContactPerDay: 0 } },
		field: 'limits.perContactPerDay',
		hint: /at least 1|>=1/,
	},
	{
		what: 'limit of 0 per cadence per hour',
		input: { ...valid, limits: { perCadencePerHour: 0 } },
		field: 'limits.perCadencePerHour',
		hint: /at least 1|>=1/,
	},
	{
		what: 'fractional limit',
		input: { ...valid, limits: { perCadencePerHour: 2.5 } },
		field: 'limits.perCadencePerHour',
		hint: /whole number|int/,
	},
	{
		what: 'active as a string',
		input: { ...valid, active: 'true' },
		field: 'active',
		hint: /boolean/,
	},
	{ what: 'not an object at all', input: 'Quote follow-up', field: '', hint: /object/ },
];

describe('cadence definition: malformed definitions are rejected', () => {
	it.each(BAD_DEFINITIONS)('$what → $field', ({ input, field, hint }) => {
		const error = rejectionOf(input);
		expect(error).toBeInstanceOf(CadenceValidationError);
		expect(error.name).toBe('CadenceValidationError');
		expect(error.problems.map((p) => p.field)).toContain(field);
		const problem = error.problems.find((p) => p.field === field)!;
		expect(problem.message).toMatch(hint);
		// The message a user sees says what was invalid, names the field and carries the hint.
		expect(error.message).toMatch(/^Invalid cadence definition — /);
		if (field) expect(error.message).toContain(`${field}: `);
		expect(error.message).toMatch(hint);
	});

	it('lists every bad field at once, not just the first', () => {
		const error = rejectionOf({
			name: '',
			steps: [{ wait: { amount: -1, unit: 'weeks' }, staticText: 'x' }],
			schedule: { timeZone: 'Nowhere/Town' },
		});
		expect(error.problems.map((p) => p.field).sort()).toEqual(
			['name', 'schedule.timeZone', 'steps.0.wait.amount', 'steps.0.wait.unit'].sort(),
		);
	});

	it('does not hand back a half-parsed definition when it throws', () => {
		const input = { name: 'x', steps: [] };
		expect(() => parse(input)).toThrow(CadenceValidationError);
		expect(input).toEqual({ name: 'x', steps: [] });
	});
});

describe('cadence definition: valid definitions', () => {
	it('fills every default into a minimal definition', () => {
		const parsed = parse({
			name: 'Minimal',
			steps: [{ wait: { amount: 2, unit: 'days' }, staticText: 'Hi' }],
		});
		expect(parsed).toEqual({
			name: 'Minimal',
			active: true,
			persona: '',
			steps: [
				{
					wait: { amount: 2, unit: 'days' },
					instruction: '',
					staticText: 'Hi',
					composeMode: 'static',
					channel: 'automatic',
					whatsappTemplate: '',
					whatsappTemplateLanguage: 'en',
					whatsappTemplateParameters: [],
					runOnce: false,
				},
			],
			startClock: 'enrollment',
			reply: { action: 'exit', pauseFor: { amount: 1, unit: 'days' } },
			exitOn: { resolved: true, goal: true },
			reenrollment: { whileActive: 'ignore', afterEnd: 'allow' },
			schedule: {
				timeZone: 'UTC',
				timeZoneSource: 'cadence',
				workingHours: null,
				quietHours: null,
				holidays: [],
			},
			limits: { perContactPerDay: null, perCadencePerHour: null },
			// Nothing switches, nothing enrolls on its own, a failed step ends the enrollment.
			channels: {
				preference: ['whatsapp', 'sms', 'email'],
				whatsappConnection: 'cloud',
				outsideWindow: 'fail',
				onFailure: 'endEnrollment',
				switching: {
					enabled: false,
					afterHours: 24,
					from: ['liveChat', 'facebook', 'instagram', 'whatsapp'],
					to: 'sms',
				},
				inactivity: { enabled: false, idleMinutes: 60, statuses: ['open', 'pending'] },
			},
		});
	});

	it('trims the name', () => {
		expect(parse({ ...valid, name: '  Padded  ' }).name).toBe('Padded');
	});

	it('fills closed weekdays when only some days have working hours', () => {
		const parsed = parse(mondayWindow('08:00', '17:00'));
		expect(parsed.schedule.workingHours).toEqual({
			monday: [{ from: '08:00', to: '17:00' }],
			tuesday: [],
			wednesday: [],
			thursday: [],
			friday: [],
			saturday: [],
			sunday: [],
		});
	});

	it('accepts the edges: wait 0, 50 steps, 24:00 as the end of a day, quiet hours over midnight', () => {
		const parsed = parse({
			name: 'Edges',
			steps: new Array(50).fill({ wait: { amount: 0, unit: 'minutes' }, staticText: 'x' }),
			schedule: {
				workingHours: { friday: [{ from: '00:00', to: '24:00' }] },
				quietHours: { from: '21:00', to: '08:00' },
			},
		});
		expect(parsed.steps).toHaveLength(50);
		expect(parsed.schedule.quietHours).toEqual({ from: '21:00', to: '08:00' });
	});

	it('round-trips a full definition unchanged', () => {
		const full: CadenceDefinition = {
			name: 'Full cadence',
			active: false,
			persona: 'You are Ana from Acme, friendly and brief.',
			steps: [
				{
					name: 'Nudge',
					wait: { amount: 30, unit: 'minutes' },
					instruction: '',
					staticText: 'Hi {{name}}, did you see our quote?',
					composeMode: 'static',
					channel: 'sameConversation',
					whatsappTemplate: '',
					whatsappTemplateLanguage: 'en',
					whatsappTemplateParameters: [],
					runOnce: true,
				},
				{
					name: 'AI check-in',
					wait: { amount: 2, unit: 'businessDays' },
					instruction: 'Ask whether the quote still fits their budget.',
					staticText: 'Just checking in on the quote.',
					composeMode: 'aiAssisted',
					channel: 'whatsapp',
					whatsappTemplate: 'quote_follow_up',
					whatsappTemplateLanguage: 'pt_BR',
					whatsappTemplateParameters: ['{{firstName}}', '{{quoteTotal|the total}}'],
					runOnce: false,
				},
				{
					name: 'Last call',
					wait: { amount: 3, unit: 'days' },
					instruction: 'Offer a short call; keep it under 40 words.',
					staticText: '',
					composeMode: 'aiFull',
					channel: 'email',
					whatsappTemplate: '',
					whatsappTemplateLanguage: 'en',
					whatsappTemplateParameters: [],
					runOnce: false,
				},
			],
			startClock: 'lastAgentMessage',
			reply: { action: 'pause', pauseFor: { amount: 4, unit: 'hours' } },
			exitOn: { resolved: false, goal: true },
			reenrollment: { whileActive: 'restart', afterEnd: 'never' },
			schedule: {
				timeZone: 'America/Chicago',
				timeZoneSource: 'recipient',
				workingHours: {
					monday: [
						{ from: '08:00', to: '12:00' },
						{ from: '13:00', to: '17:00' },
					],
					tuesday: [{ from: '08:00', to: '17:00' }],
					wednesday: [{ from: '08:00', to: '17:00' }],
					thursday: [{ from: '08:00', to: '17:00' }],
					friday: [{ from: '08:00', to: '15:30' }],
					saturday: [],
					sunday: [],
				},
				quietHours: { from: '21:00', to: '08:00' },
				holidays: ['2026-12-25', '2027-01-01'],
			},
			limits: { perContactPerDay: 2, perCadencePerHour: 500 },
			channels: {
				preference: ['sms', 'email'],
				whatsappConnection: 'web',
				outsideWindow: 'nextChannel',
				onFailure: 'nextChannel',
				switching: { enabled: true, afterHours: 12, from: ['liveChat'], to: 'sms' },
				inactivity: { enabled: true, idleMinutes: 45, statuses: ['pending'] },
			},
		};
		const input: CadenceDefinitionInput = JSON.parse(JSON.stringify(full));
		const parsed = parse(input);
		expect(parsed).toEqual(full);
		// Parsing what was stored gives the same thing again (versions are re-read from JSON).
		expect(parse(JSON.parse(JSON.stringify(parsed)))).toEqual(full);
		expect(contentHash(parse(JSON.parse(JSON.stringify(parsed))))).toBe(contentHash(parsed));
	});
});

/** The same value with every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
	if (Array.isArray(value)) return value.map(reverseKeys) as T;
	if (value !== null && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).reverse();
		return Object.fromEntries(entries.map(([k, v]) => [k, reverseKeys(v)])) as T;
	}
	return value;
}

describe('contentHash', () => {
	const base = parse({
		name: 'Hashing',
		steps: [
			{ wait: { amount: 1, unit: 'days' }, staticText: 'one' },
			{ wait: { amount: 2, unit: 'days' }, instruction: 'two', composeMode: 'aiFull' },
		],
		schedule: { timeZone: 'Europe/Berlin', holidays: ['2026-12-25'] },
	});

	it('is a sha-256 hex digest', () => {
		expect(contentHash(base)).toMatch(/^[0-9a-f]{64}$/);
	});

	it('is the same for the same content in a different key order', () => {
		const reordered = reverseKeys(base);
		expect(Object.keys(reordered)[0]).not.toBe(Object.keys(base)[0]);
		expect(contentHash(reordered)).toBe(contentHash(base));
	});

	it('is the same whether the defaults were written out or left to the schema', () => {
		const spelledOut = parse(JSON.parse(JSON.stringify(base)));
		expect(contentHash(spelledOut)).toBe(contentHash(base));
	});

	it('ignores the active switch (pausing is not a new version)', () => {
		expect(contentHash({ ...base, active: !base.active })).toBe(contentHash(base));
	});

	it.each<[string, (d: CadenceDefinition) => CadenceDefinition]>([
		['a step text', (d) => ({ ...d, steps: [{ ...d.steps[0], staticText: 'ONE' }, d.steps[1]] })],
		[
			'a step wait',
			(d) => ({ ...d, steps: [{ ...d.steps[0], wait: { amount: 3, unit: 'days' } }, d.steps[1]] }),
		],
		['the step order', (d) => ({ ...d, steps: [d.steps[1], d.steps[0]] })],
		['a removed step', (d) => ({ ...d, steps: [d.steps[0]] })],
		['the name', (d) => ({ ...d, name: 'Hashing 2' })],
		['the time zone', (d) => ({ ...d, schedule: { ...d.schedule, timeZone: 'UTC' } })],
		['the holidays', (d) => ({ ...d, schedule: { ...d.schedule, holidays: [] } })],
		['the reply action', (d) => ({ ...d, reply: { ...d.reply, action: 'restart' } })],
		['a sending limit', (d) => ({ ...d, limits: { ...d.limits, perContactPerDay: 1 } })],
	])('changes when %s changes', (_what, change) => {
		expect(contentHash(change(base))).not.toBe(contentHash(base));
	});
});
