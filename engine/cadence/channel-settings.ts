import { z } from 'zod/v4';
import {
	CONTACT_CHANNELS,
	CONVERSATION_STATUSES,
	STARTABLE_CHANNELS,
	type ContactChannel,
} from '../domain/channels';

/**
 * A cadence's channel settings: where Automatic looks, how WhatsApp's 24 h window is handled,
 * when to switch channels, what a failed delivery does, and which idle conversations enroll on
 * their own. Read by the channel decision (engine/domain/channel.ts) and the store; set on the
 * Follow-up Trigger. Every default keeps the behaviour of cadences published before these
 * settings existed: nothing switches, nothing enrolls by itself, a failed step ends the
 * enrollment.
 */

const channelName = (what: string) =>
	z.enum(CONTACT_CHANNELS, {
		message: `${what}: use one of ${CONTACT_CHANNELS.join(', ')}`,
	});

const startableName = (what: string) =>
	z.enum(STARTABLE_CHANNELS, {
		message:
			`${what}: a follow-up can only start on ${STARTABLE_CHANNELS.join(', ')} from what is ` +
			'known about the contact (live chat, Facebook and Instagram can only be answered in the ' +
			'conversation the contact opened)',
	});

export const switchingSchema = z
	.object({
		/** Off by default: the cadence stays where the conversation is. */
		enabled: z.boolean().default(false),
		/** No response for this long after our last message on a `from` channel → switch. */
		afterHours: z
			.number({ message: 'give the hours without a response as a number' })
			.positive('switch after more than 0 hours without a response')
			.max(24 * 365, 'switch after at most a year without a response')
			.default(24),
		from: z
			.array(channelName('switch from'), { message: 'list the channels to switch away from' })
			.min(1, 'list at least one channel to switch away from')
			.default(['liveChat', 'facebook', 'instagram', 'whatsapp']),
		/** Where to go; only used when the contact has an identity for it (a phone for SMS). */
		to: startableName('switch to').default('sms'),
	})
	.superRefine((switching, ctx) => {
		if ((switching.from as string[]).includes(switching.to)) {
			ctx.addIssue({
				code: 'custom',
				path: ['from'],
				message: `switching from ${switching.to} to ${switching.to} changes nothing; remove ${switching.to} from the channels to switch away from`,
			});
		}
	});

export const inactivitySchema = z.object({
	/** Off by default: contacts enroll only through Enroll In Cadence. */
	enabled: z.boolean().default(false),
	idleMinutes: z
		.number({ message: 'give the idle time in minutes as a number' })
		.int('give the idle time in whole minutes')
		.positive('a conversation must be idle for at least 1 minute; use 1 or more')
		.max(525_600, 'an idle time over a year is almost certainly a typo')
		.default(60),
	statuses: z
		.array(
			z.enum(CONVERSATION_STATUSES, {
				message: `use conversation statuses among ${CONVERSATION_STATUSES.join(', ')}`,
			}),
		)
		.min(1, 'count at least one conversation status (by default open and pending)')
		.default(['open', 'pending']),
});

export const channelSettingsSchema = z.object({
	/** Automatic: after the conversation's own channel, the first of these the contact can be reached on. */
	preference: z
		.array(channelName('channel preference'), { message: 'list channels in order of preference' })
		.default(['whatsapp', 'sms', 'email']),
	/** The WhatsApp connection the flow sends through: Cloud API has the 24 h window, Web has none. */
	whatsappConnection: z
		.enum(['cloud', 'web'], { message: 'use cloud (WhatsApp Cloud API) or web (WhatsApp Web)' })
		.default('cloud'),
	/** Outside the window with no template on the step: fail the step, or try the next channel. */
	outsideWindow: z
		.enum(['fail', 'nextChannel'], { message: 'use fail or nextChannel' })
		.default('fail'),
	/** A delivery reported failed: end the enrollment as failed, or send the step on the next channel. */
	onFailure: z
		.enum(['endEnrollment', 'nextChannel'], { message: 'use endEnrollment or nextChannel' })
		.default('endEnrollment'),
	switching: switchingSchema.default(switchingSchema.parse({})),
	inactivity: inactivitySchema.default(inactivitySchema.parse({})),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;
export type ChannelSettingsInput = z.input<typeof channelSettingsSchema>;

/** The default settings, for callers without a cadence (the manual preview). */
export const DEFAULT_CHANNEL_SETTINGS: ChannelSettings = channelSettingsSchema.parse({});

export type { ContactChannel };
