import type { IDataObject } from 'n8n-workflow';
import {
	channelOf,
	type CadenceDefinitionInput,
	type Channel,
	type ContactChannel,
	type ConversationStatus,
	type StartableChannel,
	type ComposeMode,
	type StartClock,
	type ReplyAction,
	type WaitUnit,
	type Weekday,
} from '../../engine';
import { holidaysFrom, workingWeekFrom } from '../shared/fragments/working-hours';
import { DEFAULT_STEP } from './properties/steps';
import { collectionOf, flag, numeric, rowsOf, text, type ReadParameter } from './parameters';

type StepInput = CadenceDefinitionInput['steps'][number];
type WindowInput = { from: string; to: string };

/** Where values came from, so a validation error can point at the row or date the user typed. */
export interface Provenance {
	/** `monday.0` (a day's first window) → the Working Hours row it came from (0-based). */
	workingHours: Map<string, number>;
	holidays: string[];
}

export interface ParsedParameters {
	input: CadenceDefinitionInput;
	provenance: Provenance;
}

/**
 * The node's parameters as a cadence definition. Nothing is checked here: the engine's schema
 * validates the result, and its field paths are turned back into parameter labels (labels.ts).
 */
export function definitionFromParameters(
	read: ReadParameter,
	workflowTimeZone: string,
): ParsedParameters {
	const options = collectionOf(read, 'options');
	const window = collectionOf(read, 'sendingWindow');
	const provenance: Provenance = {
		workingHours: new Map(),
		holidays: holidaysFrom(window.holidays),
	};
	const input: CadenceDefinitionInput = {
		name: text(read('cadenceName', '')),
		active: flag(read('active', true), true),
		persona: text(options.persona),
		steps: rowsOf(read('steps', { step: [DEFAULT_STEP] }), 'step').map(stepOf),
		startClock: text(read('startClock', 'enrollment')) as StartClock,
		reply: {
			action: text(read('replyAction', 'exit')) as ReplyAction,
			pauseFor: {
				amount: numeric(options.pauseAmount, 1),
				unit: text(options.pauseUnit, 'days') as WaitUnit,
			},
		},
		exitOn: {
			resolved: flag(options.exitOnResolved, true),
			goal: flag(options.exitOnGoal, true),
		},
		reenrollment: {
			whileActive: text(options.whileActive, 'ignore') as 'ignore' | 'restart',
			afterEnd: text(options.afterEnd, 'allow') as 'allow' | 'never',
		},
		schedule: {
			timeZone: text(window.timeZone).trim() || workflowTimeZone,
			timeZoneSource: flag(window.useRecipientTimeZone, false) ? 'recipient' : 'cadence',
			workingHours: workingWeekOf(window.workingHours, provenance),
			quietHours: quietHoursOf(window.quietHours),
			holidays: provenance.holidays,
		},
		limits: {
			perContactPerDay: limitOf(options.perContactPerDay),
			perCadencePerHour: limitOf(options.perCadencePerHour),
		},
		channels: channelsOf(collectionOf(read, 'channels')),
	};
	return { input, provenance };
}

function stepOf(row: IDataObject): StepInput {
	const composeMode = text(row.composeMode, DEFAULT_STEP.composeMode) as ComposeMode;
	const channel = text(row.channel, 'automatic') as Channel;
	const name = text(row.name).trim();
	return {
		...(name ? { name } : {}),
		wait: {
			amount: numeric(row.waitAmount, DEFAULT_STEP.waitAmount),
			unit: text(row.waitUnit, DEFAULT_STEP.waitUnit) as WaitUnit,
		},
		// Hidden fields keep whatever was typed before the mode or channel changed; leaving them
		// out keeps the published version (and its content hash) to what the step really uses.
		instruction: composeMode === 'static' ? '' : text(row.instruction),
		staticText: text(row.staticText),
		composeMode,
		channel,
		...templateOf(channel, row),
		runOnce: flag(row.runOnce, false),
	};
}

/** The WhatsApp template fields, for the steps that can go out on WhatsApp. */
function templateOf(channel: Channel, row: IDataObject) {
	if (channel !== 'whatsapp' && channel !== 'automatic') return { whatsappTemplate: '' };
	const name = text(row.whatsappTemplate).trim();
	if (name === '' && text(row.whatsappTemplateParameters).trim() === '')
		return { whatsappTemplate: '' };
	return {
		whatsappTemplate: name,
		whatsappTemplateLanguage: text(row.whatsappTemplateLanguage, 'en').trim(),
		whatsappTemplateParameters: text(row.whatsappTemplateParameters)
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line !== ''),
	};
}

/**
 * The Channels collection as the engine's channel settings; channel names as people write them
 * ("Live Chat", "SMS") become the engine's, and an unknown one is left for the validation to
 * name (Channels → Channel Preference).
 */
function channelsOf(channels: IDataObject): CadenceDefinitionInput['channels'] {
	return {
		preference: channelList(channels.preference, 'WhatsApp, SMS, Email') as ContactChannel[],
		whatsappConnection: text(channels.whatsappConnection, 'cloud') as 'cloud' | 'web',
		outsideWindow: text(channels.outsideWindow, 'fail') as 'fail' | 'nextChannel',
		onFailure: text(channels.onFailure, 'endEnrollment') as 'endEnrollment' | 'nextChannel',
		switching: {
			enabled: flag(channels.switchChannels, false),
			afterHours: numeric(channels.switchAfterHours, 24),
			from: channelList(
				channels.switchFrom,
				'Live Chat, Facebook, Instagram, WhatsApp',
			) as ContactChannel[],
			to: text(channels.switchTo, 'sms') as StartableChannel,
		},
		inactivity: {
			enabled: flag(channels.idleEnroll, false),
			idleMinutes: numeric(channels.idleMinutes, 60),
			statuses: (Array.isArray(channels.idleStatuses)
				? channels.idleStatuses
				: ['open', 'pending']) as ConversationStatus[],
		},
	};
}

function channelList(value: unknown, fallback: string): string[] {
	return text(value, fallback)
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '')
		.map((name) => channelOf(name) ?? name);
}

/** Each row's windows remembered by day, so an error can name the row the user typed. */
function workingWeekOf(value: unknown, provenance: Provenance) {
	const week = workingWeekFrom(rowsOf(value, 'window'), (day, windowIndex, rowIndex) =>
		provenance.workingHours.set(`${day}.${windowIndex}`, rowIndex),
	);
	return week as Record<Weekday, WindowInput[]> | null;
}

function quietHoursOf(value: unknown): WindowInput | null {
	const [row] = rowsOf(value, 'window');
	if (!row) return null;
	const from = text(row.from).trim();
	const to = text(row.to).trim();
	return from || to ? { from, to } : null;
}

/** 0 or empty means no limit. */
function limitOf(value: unknown): number | null {
	const limit = numeric(value, 0);
	return limit === 0 ? null : limit;
}
