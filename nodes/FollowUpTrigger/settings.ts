import { NodeOperationError, type CronExpression, type INode } from 'n8n-workflow';
import { isValidTimeZone, TIME_ZONE_ADVICE } from '../../engine/timing';
import { variablesFrom } from '../shared/fragments/variables';
import { collectionOf, numeric, text, type ReadParameter } from './parameters';

/** Timeline events the trigger can pass on, read from the store's event feed. */
export const FEED_EVENTS = [
	'replied',
	'exited',
	'completed',
	'draftPending',
	'enrolled',
	'sent',
	'deferred',
	'failed',
	'enrollmentFailed',
] as const;
export type FeedEventType = (typeof FEED_EVENTS)[number];
/** …plus "stuck", which the trigger itself detects. */
export type TriggerEventType = FeedEventType | 'stuck';

export const CHECK_INTERVALS = [5, 10, 15, 30, 60] as const;

/** How the trigger runs (not part of the cadence: changing these never makes a new version). */
export interface TriggerSettings {
	checkIntervalSeconds: number;
	batchSize: number;
	historyLength: number;
	stuckAfterMs: number;
	events: TriggerEventType[];
	/** Who reviews a draft when neither its enrollment's agent nor its conversation's assignee is set. */
	defaultReviewer: string;
	sandbox: {
		contactName: string;
		/** The sandbox contact's own zone, for cadences that send in the recipient's hours. */
		timeZone: string | null;
		step: number;
		variables: Record<string, string>;
	};
}

export function readSettings(node: INode, read: ReadParameter): TriggerSettings {
	const options = collectionOf(read, 'options');
	const bad = (label: string, fix: string) =>
		new NodeOperationError(node, `The "Options → ${label}" parameter is not valid`, {
			description: fix,
		});
	const whole = (label: string, value: unknown, fallback: number, min: number, max: number) => {
		const n = numeric(value, fallback);
		if (!Number.isInteger(n) || n < min || n > max)
			throw bad(label, `Use a whole number from ${min} to ${max}; it is ${JSON.stringify(value)}.`);
		return n;
	};

	const interval = numeric(options.checkInterval, 10);
	if (!(CHECK_INTERVALS as readonly number[]).includes(interval))
		throw bad(
			'Check Every',
			`Pick 5, 10, 15, 30 or 60 seconds; it is ${JSON.stringify(interval)}.`,
		);
	const events = Array.isArray(options.emitEvents) ? options.emitEvents.map((e) => text(e)) : [];
	const unknown = events.filter(
		(e) => e !== 'stuck' && !(FEED_EVENTS as readonly string[]).includes(e),
	);
	if (unknown.length > 0)
		throw bad('Emit Events', `Pick from the list; these are not events: ${unknown.join(', ')}.`);

	const variables: Record<string, string> = {};
	for (const [given, value] of Object.entries(variablesFrom(options.sandboxVariables))) {
		const name = given.trim();
		if (name) variables[name] = text(value);
	}
	const sandboxTimeZone = text(options.sandboxTimeZone).trim();
	if (sandboxTimeZone && !isValidTimeZone(sandboxTimeZone))
		throw bad(
			'Sandbox Contact Time Zone',
			`${TIME_ZONE_ADVICE}, or leave it empty; it is ${JSON.stringify(sandboxTimeZone)}.`,
		);
	return {
		checkIntervalSeconds: interval,
		batchSize: whole('Claim Batch Size', options.batchSize, 50, 1, 1000),
		historyLength: whole('History Length', options.historyLength, 20, 1, 1000),
		stuckAfterMs: whole('Stuck After (Minutes)', options.stuckAfterMinutes, 15, 1, 10_080) * 60_000,
		events: events as TriggerEventType[],
		defaultReviewer: text(options.defaultReviewer).trim(),
		sandbox: {
			contactName: text(options.sandboxContactName, 'Alex'),
			timeZone: sandboxTimeZone || null,
			step: whole('Sandbox Step', options.sandboxStep, 1, 1, 50),
			variables,
		},
	};
}

/** A 6-field cron (with seconds): n8n's schedule trigger cannot go below one minute. */
export function cronExpression(seconds: number): CronExpression {
	return (seconds === 60 ? '0 * * * * *' : `*/${seconds} * * * * *`) as CronExpression;
}

export function feedEventsOf(settings: TriggerSettings): FeedEventType[] {
	return settings.events.filter((e): e is FeedEventType => e !== 'stuck');
}
