import { z } from 'zod/v4';
import { normalizeTimeZone, TIME_ZONE_HINT } from '../timing/zone';
import { channelSettingsSchema } from './channel-settings';

/**
 * The cadence definition: everything one Follow-up Trigger node holds. It is the unit that gets
 * published as a version, so every field that changes behaviour belongs here and nowhere else.
 */

export const WAIT_UNITS = ['minutes', 'hours', 'days', 'businessDays'] as const;
export const COMPOSE_MODES = ['static', 'aiAssisted', 'aiFull'] as const;
export const CHANNELS = ['automatic', 'sameConversation', 'email', 'sms', 'whatsapp'] as const;
export const START_CLOCKS = ['enrollment', 'lastAgentMessage', 'lastContactMessage'] as const;
export const REPLY_ACTIONS = ['exit', 'restart', 'pause', 'classify'] as const;
export const WEEKDAYS = [
	'monday',
	'tuesday',
	'wednesday',
	'thursday',
	'friday',
	'saturday',
	'sunday',
] as const;

export type WaitUnit = (typeof WAIT_UNITS)[number];
export type ComposeMode = (typeof COMPOSE_MODES)[number];
export type Channel = (typeof CHANNELS)[number];
export type StartClock = (typeof START_CLOCKS)[number];
export type ReplyAction = (typeof REPLY_ACTIONS)[number];
export type Weekday = (typeof WEEKDAYS)[number];

const timeOfDay = z
	.string()
	.regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'use 24-hour HH:MM, for example 08:00 or 17:30');

const isoDate = z.iso.date({
	message: 'use a real calendar date as YYYY-MM-DD, for example 2026-12-25',
});

/** The one time-zone rule (engine/timing/zone.ts): IANA names and fixed offsets, normalised. */
export const timeZoneSchema = z.string().transform((value, ctx) => {
	const zone = normalizeTimeZone(value);
	if (zone) return zone;
	ctx.addIssue({ code: 'custom', message: TIME_ZONE_HINT });
	return z.NEVER;
});

export const waitSchema = z.object(
	{
		amount: z
			.number({ message: 'give the wait as a number' })
			.int('use a whole number')
			.min(0, 'a wait cannot be negative')
			.max(100_000, 'a wait over 100,000 units is almost certainly a typo'),
		unit: z.enum(WAIT_UNITS, { message: `use one of: ${WAIT_UNITS.join(', ')}` }),
	},
	{ message: 'give each step a wait with an amount and a unit, e.g. 3 days' },
);
export type Wait = z.infer<typeof waitSchema>;

export const windowSchema = z
	.object({ from: timeOfDay, to: timeOfDay })
	.refine((w) => w.from < w.to, { message: 'a working window must end after it starts' });
export type TimeWindow = z.infer<typeof windowSchema>;

const weekSchema = z.strictObject(
	Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(windowSchema).default([])])) as Record<
		Weekday,
		z.ZodDefault<z.ZodArray<typeof windowSchema>>
	>,
	{ message: `name the days in full: ${WEEKDAYS.join(', ')}` },
);
export type WorkingWeek = Record<Weekday, TimeWindow[]>;

export const scheduleSchema = z
	.object({
		/** The cadence's own zone: business days, holidays and working hours are read in it. */
		timeZone: timeZoneSchema.default('UTC'),
		/** 'recipient' uses the contact's time zone variable when it has one, else `timeZone`. */
		timeZoneSource: z.enum(['cadence', 'recipient']).default('cadence'),
		/** null means "any time"; a weekday with no windows is closed. */
		workingHours: weekSchema.nullable().default(null),
		/** A nightly window in which nothing is sent; it may wrap midnight (21:00–08:00). */
		quietHours: z.object({ from: timeOfDay, to: timeOfDay }).nullable().default(null),
		holidays: z.array(isoDate).default([]),
	})
	.superRefine((schedule, ctx) => {
		const week = schedule.workingHours;
		if (week && WEEKDAYS.every((day) => week[day].length === 0)) {
			ctx.addIssue({
				code: 'custom',
				path: ['workingHours'],
				message:
					'working hours are closed every day; add a window to at least one weekday or turn working hours off',
			});
			return;
		}
		const never = neverOpen(week, schedule.quietHours);
		if (never) ctx.addIssue({ code: 'custom', ...never });
	});
export type Schedule = z.infer<typeof scheduleSchema>;

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * A schedule under which no message could ever go out: quiet hours covering the whole day, or
 * every working window lying inside quiet hours. Caught when the cadence is published, because
 * every enrollment would otherwise fail later, one by one. Holidays are a finite list, so they
 * never close every day. (Equal From and To means no quiet hours, as the timing reads it.)
 */
function neverOpen(
	week: WorkingWeek | null,
	quiet: { from: string; to: string } | null,
): { path: string[]; message: string } | null {
	if (!quiet) return null;
	const from = minutes(quiet.from);
	const to = minutes(quiet.to);
	if (from === to) return null;
	const isQuiet = (minute: number) =>
		from < to ? minute >= from && minute < to : minute >= from || minute < to;
	const hours = `${quiet.from}–${quiet.to}`;
	if (from === 0 && to === 24 * 60) {
		return {
			path: ['quietHours'],
			message: `quiet hours ${hours} cover the whole day, so no message could ever be sent; shorten them or turn them off`,
		};
	}
	if (!week) return null;
	const windows = WEEKDAYS.flatMap((day) => week[day]);
	const open = windows.some((w) => {
		for (let minute = minutes(w.from); minute < minutes(w.to); minute++) {
			if (!isQuiet(minute)) return true;
		}
		return false;
	});
	if (open) return null;
	return {
		path: ['workingHours'],
		message: `every working window lies inside the quiet hours ${hours}, so no message could ever be sent; move the working hours out of the quiet hours or shorten the quiet hours`,
	};
}

export const stepSchema = z
	.object({
		name: z.string().max(100).optional(),
		wait: waitSchema,
		/** A task for the AI ("ask if the question is still relevant"), not the message itself. */
		instruction: z.string().max(4000).default(''),
		/** Sent as is in static mode, and the fallback when the AI is unavailable. */
		staticText: z.string().max(4000).default(''),
		composeMode: z.enum(COMPOSE_MODES).default('static'),
		channel: z.enum(CHANNELS).default('automatic'),
		/** Approved WhatsApp template used outside the 24 h customer-service window. */
		whatsappTemplate: z.string().trim().max(512).default(''),
		/** The template's language code as approved (en, en_US, pt_BR). */
		whatsappTemplateLanguage: z
			.string()
			.trim()
			.regex(
				/^[a-z]{2,3}(_[A-Z]{2})?$/,
				'use the language code the template was approved in, e.g. en, en_US or pt_BR',
			)
			.default('en'),
		/** The template's body parameters {{1}}, {{2}}, … in order, each filled from variables. */
		whatsappTemplateParameters: z
			.array(z.string().max(1000), { message: 'give the template parameters as a list of texts' })
			.max(20, 'a WhatsApp template has at most 20 parameters')
			.default([]),
		/** Fires once per contact and conversation, even when the chain restarts. */
		runOnce: z.boolean().default(false),
	})
	.superRefine((step, ctx) => {
		if (step.composeMode === 'static' && step.staticText.trim() === '') {
			ctx.addIssue({
				code: 'custom',
				path: ['staticText'],
				message: 'a static step needs its message text; write it or switch the step to an AI mode',
			});
		}
		if (step.composeMode !== 'static' && step.instruction.trim() === '') {
			ctx.addIssue({
				code: 'custom',
				path: ['instruction'],
				message: 'an AI step needs an instruction telling the AI what to write',
			});
		}
		if (step.whatsappTemplate === '' && step.whatsappTemplateParameters.length > 0) {
			ctx.addIssue({
				code: 'custom',
				path: ['whatsappTemplate'],
				message:
					'the step maps WhatsApp template parameters but names no template; give the approved template name or remove the parameters',
			});
		}
	});
export type Step = z.infer<typeof stepSchema>;

const pauseDuration = waitSchema.extend({
	amount: waitSchema.shape.amount.min(1, 'pause for at least 1'),
});

export const cadenceDefinitionSchema = z.object({
	name: z
		.string({ message: 'give the cadence a name' })
		.trim()
		.min(1, 'give the cadence a name')
		.max(120, 'keep the name under 120 characters'),
	active: z.boolean().default(true),
	persona: z.string().max(8000).default(''),
	steps: z
		.array(stepSchema, { message: 'add at least one step' })
		.min(1, 'add at least one step')
		.max(50, 'a cadence has at most 50 steps'),
	startClock: z.enum(START_CLOCKS).default('enrollment'),
	reply: z
		.object({
			action: z.enum(REPLY_ACTIONS).default('exit'),
			/** For 'pause' (and for busy replies under 'classify'): how long to hold the cadence. */
			pauseFor: pauseDuration.default({ amount: 1, unit: 'days' }),
		})
		.default({ action: 'exit', pauseFor: { amount: 1, unit: 'days' } }),
	exitOn: z
		.object({ resolved: z.boolean().default(true), goal: z.boolean().default(true) })
		.default({ resolved: true, goal: true }),
	reenrollment: z
		.object({
			/** A repeat enrollment while one is running: ignore it, or restart the running one's clock. */
			whileActive: z.enum(['ignore', 'restart']).default('ignore'),
			/** After an enrollment ended: allow a new one, or never enroll the same contact again. */
			afterEnd: z.enum(['allow', 'never']).default('allow'),
		})
		.default({ whileActive: 'ignore', afterEnd: 'allow' }),
	schedule: scheduleSchema.default(scheduleSchema.parse({})),
	limits: z
		.object({
			perContactPerDay: z.number().int().min(1).nullable().default(null),
			perCadencePerHour: z.number().int().min(1).nullable().default(null),
		})
		.default({ perContactPerDay: null, perCadencePerHour: null }),
	/** Channel choice, the WhatsApp window, switching, failures and inactivity enrollment. */
	channels: channelSettingsSchema.default(channelSettingsSchema.parse({})),
});

/** What a caller may write: every defaulted field is optional. */
export type CadenceDefinitionInput = z.input<typeof cadenceDefinitionSchema>;
/** What the engine works with after validation: every default filled in. */
export type CadenceDefinition = z.output<typeof cadenceDefinitionSchema>;
