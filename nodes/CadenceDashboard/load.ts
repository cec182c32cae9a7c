import {
	dueTimeFor,
	isValidTimeZone,
	openAt,
	type CadenceDefinition,
	type Enrollment,
	type Store,
} from '../../engine';
import type { ContactView, PlannedStep } from './views/contact';
import type { ListFilters, ListView } from './views/list';
import type { ReportsView } from './views/reports';

/** Reads what each page shows from the store and turns it into the views' plain data. */

/** Definitions of the cadence versions one request meets, each read once. */
export class Definitions {
	private readonly cache = new Map<string, Promise<CadenceDefinition | null>>();

	constructor(private readonly store: Store) {}

	get(cadenceId: number, version: number): Promise<CadenceDefinition | null> {
		const key = `${cadenceId}:${version}`;
		let found = this.cache.get(key);
		if (!found) {
			found = this.store.getCadence(cadenceId, version).then((c) => c?.definition ?? null);
			this.cache.set(key, found);
		}
		return found;
	}
}

/** The contact's own time zone when known, else the one the cadence's hours are read in. */
export function contactZone(enrollment: Enrollment, definition: CadenceDefinition | null): string {
	const own = enrollment.timeZone?.trim();
	if (own && isValidTimeZone(own)) return own;
	return definition?.schedule.timeZone ?? 'UTC';
}

export async function loadList(
	store: Store,
	filters: ListFilters,
	rowsPerPage: number,
): Promise<ListView> {
	const definitions = new Definitions(store);
	const [found, facets] = await Promise.all([
		store.listFollowUps({
			search: filters.q,
			agent: filters.agent,
			cadenceId: filters.cadence,
			state: filters.state,
			limit: rowsPerPage,
			offset: (filters.page - 1) * rowsPerPage,
		}),
		store.followUpFacets(),
	]);
	const rows = [];
	for (const { enrollment: e, nextAt, inFlight } of found.rows) {
		const definition = await definitions.get(e.cadenceId, e.version);
		rows.push({
			enrollmentId: e.id,
			contactName: e.contactName,
			contactKey: e.contactKey,
			agent: e.agent,
			cadenceName: e.cadenceName,
			step: e.nextStep + 1,
			stepCount: definition?.steps.length ?? e.nextStep + 1,
			nextAt,
			zone: contactZone(e, definition),
			reason: e.nextReason,
			state: e.state,
			inFlight,
		});
	}
	return { filters, ...facets, rows, hasMore: found.hasMore, rowsPerPage };
}

/**
 * Every step still to come with the time it would go out, by the engine's own timing rules:
 * the next one at its scheduled time, each later one its wait after the one before.
 */
export function projectSteps(
	enrollment: Enrollment,
	definition: CadenceDefinition,
	nextAt: number | null,
	now: number,
): { planned: PlannedStep[]; note: string } {
	const planned: PlannedStep[] = [];
	if (enrollment.state !== 'active' && enrollment.state !== 'paused') return { planned, note: '' };
	const inFlight = enrollment.state === 'active' && enrollment.nextDueAt === null;
	let note = '';
	let previous: number;
	let first: { at: number | null; reason: string | null };
	if (inFlight) {
		first = { at: null, reason: null };
		previous = now;
	} else if (enrollment.state === 'paused' && enrollment.pausedUntil === null) {
		// Held until someone resumes: a resume now sends it at the next open minute.
		const due = openAt(definition, Math.max(now, nextAt ?? now), enrollment.timeZone);
		first = { at: due.at, reason: due.reason };
		previous = due.at;
		note = 'Paused: the times below are what a resume now would give.';
	} else {
		first = { at: nextAt, reason: enrollment.nextReason };
		previous = nextAt ?? now;
	}
	for (let index = enrollment.nextStep; index < definition.steps.length; index++) {
		const step = definition.steps[index];
		const name = step.name || `Step ${index + 1}`;
		if (index === enrollment.nextStep) {
			planned.push({ step: index + 1, name, ...first });
			continue;
		}
		const due = dueTimeFor(definition, index, previous, enrollment.timeZone);
		planned.push({ step: index + 1, name, at: due.at, reason: due.reason });
		previous = due.at;
	}
	return { planned, note };
}

export async function loadContact(
	store: Store,
	enrollmentId: number,
	now: number,
): Promise<Omit<ContactView, 'token' | 'flash' | 'error'> | null> {
	const enrollment = await store.getEnrollment(enrollmentId);
	if (!enrollment) return null;
	const [cadence, messages, timeline, nextAt] = await Promise.all([
		store.getCadence(enrollment.cadenceId, enrollment.version),
		store.getConversation({
			contactKey: enrollment.contactKey,
			conversationKey: enrollment.conversationKey,
			limit: 500,
		}),
		store.getTimeline(enrollment.id),
		store.nextFollowUpAt(enrollment.id),
	]);
	const definition = cadence?.definition ?? null;
	const { planned, note } = definition
		? projectSteps(enrollment, definition, nextAt, now)
		: { planned: [], note: '' };
	return {
		enrollment,
		stepCount: definition?.steps.length ?? enrollment.nextStep,
		zone: contactZone(enrollment, definition),
		messages,
		timeline,
		planned,
		planNote: note,
	};
}

export async function loadReports(
	store: Store,
	stuckAfterMinutes: number,
	zone: string,
): Promise<Omit<ReportsView, 'token' | 'flash' | 'error'>> {
	const [funnel, byVersion, byComposeMode, states, agents, stuck] = await Promise.all([
		store.funnel(),
		store.replyRates({ by: 'version' }),
		store.replyRates({ by: 'composeMode' }),
		store.stateDistribution(),
		store.agentCounts(),
		store.findStuck({ olderThanMs: stuckAfterMinutes * 60_000, limit: 200 }),
	]);
	return { funnel, byVersion, byComposeMode, states, agents, stuck, stuckAfterMinutes, zone };
}
