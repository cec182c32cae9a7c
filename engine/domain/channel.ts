import { DateTime } from 'luxon';
import type { ChannelSettings } from '../cadence/channel-settings';
import type { Channel, Step } from '../cadence/definition';
import { renderTemplate } from '../compose/render-template';
import { zoneFor } from '../timing/zone';
import { ADDRESSED_BY, channelOf, isContactChannel, type Identity } from './channels';

/**
 * Where a step goes and in what form, decided once, in one place, and explained.
 *
 * 1. The candidates, in order. A step set to Email, SMS or WhatsApp tries that channel; set to
 *    Same conversation, the conversation's channel; set to Automatic, the conversation's channel
 *    and then the cadence's preference order (Channels → Preference). Channels a delivery
 *    already failed on for this step are left out (failure policy "next channel").
 * 2. Switching (Automatic only, when on): the contact has not answered our last message on a
 *    "from" channel for the set number of hours → the "to" channel is tried first, if the contact
 *    has an identity for it (a phone number for SMS); otherwise the reason says why it stayed.
 * 3. Each candidate is usable or says why not: SMS and Email need the contact's phone / email;
 *    WhatsApp needs their WhatsApp id or phone, or a WhatsApp conversation, and — on the Cloud
 *    API — inside the 24 h window from their last WhatsApp message free text goes out, outside it
 *    only the step's approved template; WhatsApp Web has no window. Any other channel (Telegram,
 *    live chat, Facebook, Instagram, a custom one) is used only as the conversation's own channel.
 * 4. The first usable candidate wins. WhatsApp outside the window without a template ends the
 *    decision as a failure unless the cadence allows the next channel (Outside Window: next
 *    channel), and for a step set to one channel, the preference order is tried only then.
 *
 * Pure: every fact comes in `facts`, including the time, so it is tested on a virtual clock.
 */

/** How an item leaves: each route is one output a user wires to one send node. */
export const CHANNEL_ROUTES = [
	'whatsappText',
	'whatsappTemplate',
	'sms',
	'email',
	'sameConversation',
] as const;
export type ChannelRoute = (typeof CHANNEL_ROUTES)[number];

/** WhatsApp Cloud API: free text only within 24 h of the contact's last WhatsApp message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface ChannelActivity {
	/** A channel as `channelOf` names it. */
	channel: string;
	lastInboundAt: number | null;
	lastOutboundAt: number | null;
}

export interface ChannelFacts {
	/** The moment of the decision (the claim time). */
	now: number;
	/** The conversation's channel as stored (Record Reply, Enroll In Cadence); null when unknown. */
	conversationChannel: string | null;
	/** Last inbound and outbound time per channel in this conversation. */
	activity: readonly ChannelActivity[];
	/** Where the contact can be reached, normalised. */
	identities: readonly Identity[];
	/** The enrollment's variables: template parameters are filled from them; `channel` is a hint. */
	variables: Record<string, unknown> | null;
	/** Channels a delivery of this step already failed on. */
	failedChannels?: readonly string[];
	/** Zone the reason's times are written in (default UTC). */
	timeZone?: string | null;
}

export interface ChannelTemplate {
	name: string;
	language: string;
	/** Body parameters {{1}}, {{2}}, … with the contact's variables filled in. */
	parameters: string[];
}

export interface ChannelDecision {
	/** 'send': go out on `route`; 'fail': no channel can take the step now, `reason` says why. */
	outcome: 'send' | 'fail';
	/** What the step says: a channel, 'sameConversation' or 'automatic'. */
	setting: Channel;
	/** The channel decided ('sameConversation' when no channel is known); on failure, the first tried. */
	channel: string;
	route: ChannelRoute | null;
	/** The identity to send to; null when replying in the conversation itself. */
	address: Identity | null;
	template: ChannelTemplate | null;
	/** The channel switched away from, when switching applied. */
	switchedFrom: string | null;
	/** One sentence a person can read: why this channel, this route, this template. */
	reason: string;
}

export interface ChannelDecisionInput {
	step: Pick<
		Step,
		'channel' | 'whatsappTemplate' | 'whatsappTemplateLanguage' | 'whatsappTemplateParameters'
	>;
	settings: ChannelSettings;
	facts: ChannelFacts;
}

type Verdict =
	| { usable: true; decision: Omit<ChannelDecision, 'setting' | 'switchedFrom'> }
	| {
			usable: false;
			channel: string;
			why: string;
			/** WhatsApp outside the window without a template: the cadence decides whether to go on. */
			outsideWindow?: boolean;
	  };

export function decideChannel({ step, settings, facts }: ChannelDecisionInput): ChannelDecision {
	const conversation = conversationChannelOf(facts);
	const failed = new Set((facts.failedChannels ?? []).map((c) => channelOf(c) ?? c));
	const switched =
		step.channel === 'automatic' ? switchTarget(settings, facts, conversation) : null;
	const candidates = candidateChannels(step.channel, settings, conversation, switched).filter(
		(c) => !failed.has(c),
	);
	const notes: string[] = [];
	if (failed.size > 0) notes.push(`delivery failed on ${[...failed].join(', ')}`);
	if (switched?.note) notes.push(switched.note);

	let firstTried: string | null = null;
	for (const candidate of candidates) {
		const verdict = evaluate(candidate, step, settings, facts, conversation);
		firstTried ??= candidate;
		if (verdict.usable) {
			const why = [...notes, verdict.decision.reason].join('; ');
			const switchedFrom =
				switched?.to === candidate && switched.from !== null ? switched.from : null;
			return {
				...verdict.decision,
				setting: step.channel,
				switchedFrom,
				reason: `${prefix(step.channel)}${why}`,
			};
		}
		notes.push(verdict.why);
		const pinned = step.channel !== 'automatic' && candidate === step.channel;
		if (verdict.outsideWindow && settings.outsideWindow === 'fail') break;
		if (pinned && !(verdict.outsideWindow && settings.outsideWindow === 'nextChannel')) break;
	}
	return {
		outcome: 'fail',
		setting: step.channel,
		channel: firstTried ?? (step.channel === 'automatic' ? 'sameConversation' : step.channel),
		route: null,
		address: null,
		template: null,
		switchedFrom: null,
		reason: `${prefix(step.channel)}${notes.length > 0 ? notes.join('; ') : 'no channel is left to try'}; the step cannot be sent`,
	};
}

function prefix(setting: Channel): string {
	return setting === 'automatic' ? 'automatic: ' : `set on the step: ${setting}; `;
}

/**
 * The conversation's channel: as stored, else where the contact last wrote in it, else the
 * enrollment's `channel` variable (Enroll In Cadence → Variables), else unknown.
 */
function conversationChannelOf(facts: ChannelFacts): string | null {
	const stored = channelOf(facts.conversationChannel);
	if (stored) return stored;
	const latest = latestInbound(facts.activity);
	if (latest) return latest.channel;
	const hint = facts.variables?.channel;
	return typeof hint === 'string' ? channelOf(hint) : null;
}

function latestInbound(activity: readonly ChannelActivity[]): ChannelActivity | null {
	let latest: ChannelActivity | null = null;
	for (const a of activity) {
		if (a.lastInboundAt === null) continue;
		if (!latest || a.lastInboundAt >= (latest.lastInboundAt ?? 0)) latest = a;
	}
	return latest;
}

function candidateChannels(
	setting: Channel,
	settings: ChannelSettings,
	conversation: string | null,
	switched: { to: string } | null,
): string[] {
	const list: string[] = [];
	if (setting === 'automatic') {
		if (switched) list.push(switched.to);
		// Without a known conversation channel the preference order comes first; replying in
		// the same conversation is the last resort.
		if (conversation) list.push(conversation, ...settings.preference);
		else list.push(...settings.preference, 'sameConversation');
	} else if (setting === 'sameConversation') {
		list.push(conversation ?? 'sameConversation');
	} else {
		list.push(setting, ...settings.preference);
	}
	return [...new Set(list)];
}

/** Whether switching applies now: the channel to switch to, or why it does not happen. */
function switchTarget(
	settings: ChannelSettings,
	facts: ChannelFacts,
	conversation: string | null,
): { to: string; from: string | null; note: string | null } | null {
	const rule = settings.switching;
	if (!rule.enabled || conversation === null) return null;
	if (!(rule.from as string[]).includes(conversation)) return null;
	const here = facts.activity.find((a) => a.channel === conversation);
	const lastOut = here?.lastOutboundAt ?? null;
	if (lastOut === null) return null;
	if (
		here?.lastInboundAt !== null &&
		here?.lastInboundAt !== undefined &&
		here.lastInboundAt >= lastOut
	)
		return null;
	const silentMs = facts.now - lastOut;
	if (silentMs < rule.afterHours * 3_600_000) return null;
	const silence = `no response on ${conversation} since ${clock(lastOut, facts)} (${rule.afterHours} h or more)`;
	if (!addressFor(rule.to, facts.identities)) {
		return {
			to: conversation,
			from: null,
			note: `${silence}, but no ${rule.to === 'sms' ? 'phone number' : `${rule.to} address`} is known to switch to ${rule.to}`,
		};
	}
	return { to: rule.to, from: conversation, note: `${silence}: switching to ${rule.to}` };
}

function evaluate(
	channel: string,
	step: ChannelDecisionInput['step'],
	settings: ChannelSettings,
	facts: ChannelFacts,
	conversation: string | null,
): Verdict {
	if (channel === 'whatsapp') return whatsapp(step, settings, facts, conversation);
	const send = (route: ChannelRoute, address: Identity | null, reason: string): Verdict => ({
		usable: true,
		decision: { outcome: 'send', channel, route, address, template: null, reason },
	});
	if (channel === 'sameConversation') {
		return send(
			'sameConversation',
			null,
			'no channel is known for the conversation; replying in the same conversation',
		);
	}
	const isConversation = channel === conversation;
	if (channel === 'sms' || channel === 'email') {
		const address = addressFor(channel, facts.identities);
		if (address)
			return send(channel, address, `${channel === 'sms' ? 'SMS' : 'email'} to ${address.value}`);
		if (isConversation)
			return send(
				'sameConversation',
				null,
				`the conversation is on ${channel}; replying in the same conversation`,
			);
		return {
			usable: false,
			channel,
			why: `no ${channel === 'sms' ? 'phone number' : 'email address'} is known for ${channel}`,
		};
	}
	if (isConversation) {
		const address = isContactChannel(channel) ? addressFor(channel, facts.identities) : null;
		const wrote = facts.activity.find((a) => a.channel === channel)?.lastInboundAt ?? null;
		const where =
			wrote === null
				? `the conversation is on ${channel}`
				: `the contact last wrote on ${channel} (${new Date(wrote).toISOString()})`;
		return send('sameConversation', address, `${where}; replying in the same conversation`);
	}
	return {
		usable: false,
		channel,
		why: `${channel} can only be answered in a conversation on ${channel}, and this one is not`,
	};
}

function whatsapp(
	step: ChannelDecisionInput['step'],
	settings: ChannelSettings,
	facts: ChannelFacts,
	conversation: string | null,
): Verdict {
	const address = addressFor('whatsapp', facts.identities);
	if (!address && conversation !== 'whatsapp') {
		return {
			usable: false,
			channel: 'whatsapp',
			why: 'no WhatsApp number or phone number is known for WhatsApp',
		};
	}
	const text = (reason: string): Verdict => ({
		usable: true,
		decision: {
			outcome: 'send',
			channel: 'whatsapp',
			route: 'whatsappText',
			address,
			template: null,
			reason,
		},
	});
	if (settings.whatsappConnection === 'web')
		return text('WhatsApp Web has no 24 h window; sending text');
	const lastInbound = facts.activity.find((a) => a.channel === 'whatsapp')?.lastInboundAt ?? null;
	if (lastInbound !== null && facts.now - lastInbound < WHATSAPP_WINDOW_MS) {
		return text(
			`inside WhatsApp's 24 h window (the contact wrote at ${clock(lastInbound, facts)}); sending text`,
		);
	}
	const outside =
		lastInbound === null
			? "outside WhatsApp's 24 h window (the contact never wrote on WhatsApp)"
			: `outside WhatsApp's 24 h window since ${clock(lastInbound + WHATSAPP_WINDOW_MS, facts)}`;
	if (step.whatsappTemplate === '') {
		return {
			usable: false,
			channel: 'whatsapp',
			outsideWindow: true,
			why: `${outside} and the step has no approved template`,
		};
	}
	const variables = facts.variables ?? {};
	const template: ChannelTemplate = {
		name: step.whatsappTemplate,
		language: step.whatsappTemplateLanguage,
		parameters: step.whatsappTemplateParameters.map((p) => renderTemplate(p, variables).text),
	};
	return {
		usable: true,
		decision: {
			outcome: 'send',
			channel: 'whatsapp',
			route: 'whatsappTemplate',
			address,
			template,
			reason: `${outside}; sending template ${template.name}`,
		},
	};
}

/** The contact's identity that addresses `channel`, best kind first. */
export function addressFor(channel: string, identities: readonly Identity[]): Identity | null {
	if (!isContactChannel(channel)) return null;
	for (const kind of ADDRESSED_BY[channel]) {
		const found = identities.find((i) => i.kind === kind);
		if (found) return found;
	}
	return null;
}

/** "14:02" on the decision's day, else "2026-03-01 14:02", in the reason's zone. */
function clock(at: number, facts: ChannelFacts): string {
	const zone = zoneFor(facts.timeZone ?? 'UTC');
	const time = DateTime.fromMillis(at, { zone });
	const today = DateTime.fromMillis(facts.now, { zone }).hasSame(time, 'day');
	return time.toFormat(today ? 'HH:mm' : 'yyyy-MM-dd HH:mm');
}

/**
 * Per-channel activity from a conversation's messages, for callers that hold the messages but
 * not the store's conversation row (the trigger's preview).
 */
export function activityFromMessages(
	messages: ReadonlyArray<{ direction: string; channel: string | null; at: number }>,
): ChannelActivity[] {
	const byChannel = new Map<string, ChannelActivity>();
	for (const m of messages) {
		const channel = channelOf(m.channel);
		if (!channel) continue;
		const a = byChannel.get(channel) ?? { channel, lastInboundAt: null, lastOutboundAt: null };
		if (m.direction === 'inbound') a.lastInboundAt = Math.max(a.lastInboundAt ?? m.at, m.at);
		else a.lastOutboundAt = Math.max(a.lastOutboundAt ?? m.at, m.at);
		byChannel.set(channel, a);
	}
	return [...byChannel.values()];
}
