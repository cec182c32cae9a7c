import type { IDataObject } from 'n8n-workflow';
import { simulateCadence, type SimulatedEvent } from '../../../../engine';
import { iso } from '../../../shared/output';
import { callStore } from '../parameters';
import { readTime, readWholeNumber } from '../../../shared/parameters';
import { showFor, type OperationExecute } from '../types';
import { readContact, readReplies, readSource } from './inputs';
import { properties } from './properties';

/**
 * Plays a cadence for one sample contact on a virtual clock, in a throw-away store: weeks of
 * follow-ups in milliseconds, with every send's time, why it moved (working hours, quiet hours,
 * a pause) and how it ends. The real store is only read, to fetch a published cadence.
 */
export const description = showFor('simulation', 'simulate', properties);

export const execute: OperationExecute = async function (itemIndex, _item, store) {
	const { definition, version } = await readSource(this, itemIndex, store);
	const contact = readContact(this, itemIndex);
	const replies = readReplies(this, itemIndex, definition.steps.length);
	const startAt =
		readTime(this, itemIndex, 'Start Time', this.getNodeParameter('startAt', itemIndex, '')) ??
		Date.now();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const maxSends = readWholeNumber(this, itemIndex, 'Max Sends', options.maxSends, 1);
	const events = await callStore(this, itemIndex, {}, async () =>
		simulateCadence({ definition, contact, startAt, replies, maxSends }),
	);
	return events.map(
		(event): IDataObject => ({
			cadence: definition.name,
			cadenceVersion: version,
			...eventJson(event, startAt),
		}),
	);
};

/**
 * One event: its time in UTC and, next to it, on the wall clock where the cadence reads its hours
 * (the contact's zone when the cadence uses it), so "08:00" means 8 AM there.
 */
function eventJson(event: SimulatedEvent, startAt: number): IDataObject {
	return {
		type: event.type,
		at: iso(event.at),
		localTime: event.localTime,
		timeZone: event.timeZone,
		afterStart: duration(event.at - startAt),
		step: event.step ?? null,
		text: event.text ?? null,
		instruction: event.instruction ?? null,
		composeMode: event.composeMode ?? null,
		reason: event.reason ?? null,
		detail: event.detail ?? null,
		problem: event.problem ?? null,
	};
}

/** "3d 4h", "45m": how far into the cadence an event is, at a glance. */
function duration(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	const parts = [
		[Math.floor(minutes / 1440), 'd'],
		[Math.floor((minutes % 1440) / 60), 'h'],
		[minutes % 60, 'm'],
	] as const;
	const shown = parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`);
	return shown.length > 0 ? shown.join(' ') : '0m';
}
