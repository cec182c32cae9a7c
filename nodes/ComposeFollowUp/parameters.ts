import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { COMPOSE_MODES, type ComposeMode } from '../../engine';
import {
	LANGUAGE_NAMES,
	WHEN_AI_FAILS,
	type LanguageChoice,
	type WhenAiFails,
} from '../../engine/compose';
import { parameterError } from '../shared/parameters';
import { LIMITS, optionDefault } from './properties';

/** The node's parameters for one item, checked: a bad value fails naming the parameter. */
export interface ComposeParameters {
	mode: 'fromStep' | ComposeMode;
	/** Overrides; empty means "take it from the item" (the cadence step). */
	instruction: string;
	persona: string;
	staticText: string;
	maxLength: number;
	language: LanguageChoice;
	timeoutMs: number;
	historySource: 'auto' | 'store';
	whenAiFails: WhenAiFails;
}

const MODES = ['fromStep', ...COMPOSE_MODES] as const;
const LANGUAGES = ['auto', 'any', ...Object.keys(LANGUAGE_NAMES)];

export function readParameters(context: IExecuteFunctions, itemIndex: number): ComposeParameters {
	const options = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const bad = (label: string, value: unknown, fix: string) =>
		parameterError(context, itemIndex, label, `is ${JSON.stringify(value)}`, fix);
	const mode = context.getNodeParameter('mode', itemIndex, 'fromStep');
	if (!MODES.includes(mode as never))
		throw bad('Compose Mode', mode, `Use one of: ${MODES.join(', ')}.`);
	const language = options.language ?? optionDefault('language');
	if (!LANGUAGES.includes(language as string))
		throw bad('Language', language, `Use one of: ${LANGUAGES.join(', ')}.`);
	const historySource = options.historySource ?? optionDefault('historySource');
	if (historySource !== 'auto' && historySource !== 'store')
		throw bad('History Source', historySource, 'Use "auto" (memory when connected) or "store".');
	const whenAiFails = options.whenAiFails ?? optionDefault('whenAiFails');
	if (!WHEN_AI_FAILS.includes(whenAiFails as WhenAiFails))
		throw bad(
			'If the AI Fails on an AI Assisted Step',
			whenAiFails,
			'Pick "Send the Message Text" or "Ask the Reviewer Anyway"; from an expression, use sendFallback or askReviewer.',
		);
	const whole = (label: string, value: unknown, limits: { min: number; max: number }) => {
		const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof n === 'number' && Number.isInteger(n) && n >= limits.min && n <= limits.max)
			return n;
		throw bad(label, value, `Use a whole number from ${limits.min} to ${limits.max}.`);
	};
	return {
		mode: mode as ComposeParameters['mode'],
		instruction: text(context.getNodeParameter('instruction', itemIndex, '')),
		persona: text(options.persona),
		staticText: text(options.staticText),
		maxLength: whole(
			'Maximum Length',
			options.maxLength ?? optionDefault('maxLength'),
			LIMITS.maxLength,
		),
		language: language as LanguageChoice,
		timeoutMs:
			whole(
				'Model Time Limit (Seconds)',
				options.timeoutSeconds ?? optionDefault('timeoutSeconds'),
				LIMITS.timeoutSeconds,
			) * 1000,
		historySource,
		whenAiFails: whenAiFails as WhenAiFails,
	};
}

/** How many items are composed at once: one value for the whole run, read from the first item. */
export function readConcurrency(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as IDataObject;
	const value = options.concurrency ?? optionDefault('concurrency');
	const { min, max } = LIMITS.concurrency;
	if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
		return value;
	throw parameterError(
		context,
		undefined,
		'Concurrency',
		`is ${JSON.stringify(value)}`,
		`Use a whole number from ${min} to ${max}.`,
	);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : '';
}
