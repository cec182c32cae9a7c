import type { IDataObject } from 'n8n-workflow';
import {
	type CadenceDefinitionInput,
	type Channel,
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
		whatsappTemplate: channel === 'whatsapp' ? text(row.whatsappTemplate).trim() : '',
		runOnce: flag(row.runOnce, false),
	};
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
